//! Stage 2: check everything that spans files and build the [`Site`]: ids, the domain
//! of each guideline, cross-references and their backlinks, mappings and their reverse (control ->
//! guidelines), examples per guideline, and tags.

mod baselines;
mod catalogs;
mod crosswalks;
mod links;

pub use baselines::Baseline;
pub use crosswalks::{Crosswalk, DerivedMapping};

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::BookConfig;
use crate::diagnostic::{Diagnostic, Diagnostics, Position, did_you_mean};
use crate::markdown::is_safe_url;
use catalogs::build_frameworks;
use links::{
    check_reference_urls, collect_tags, resolve_examples, resolve_mappings, resolve_related,
    resolve_roles, resolve_threats,
};

use crate::model::{
    Catalog, CatalogFile, CatalogKind, Confidence, Content, Control, Domain, Example, Group,
    Guideline, Page, RelatedKind, Relationship, Source, Unloaded, is_valid_id, natural_cmp,
};

/// The resolved knowledge base: every reference checked, every relation available both ways.
#[derive(Debug, Clone)]
pub struct Site {
    pub config: BookConfig,
    pub content_dir: PathBuf,
    pub landing: Option<Page>,
    pub domains: Vec<Domain>,
    pub guidelines: Vec<ResolvedGuideline>,
    pub examples: Vec<ResolvedExample>,
    pub pages: Vec<Page>,
    pub frameworks: Vec<Framework>,
    /// Tag (as written) -> the guidelines and examples that carry it.
    pub tags: BTreeMap<String, Tagged>,
    /// Baselines (OSCAL profiles), by id.
    pub baselines: Vec<Baseline>,
    /// Published crosswalks between frameworks (OSCAL mapping-collections).
    pub crosswalks: Vec<Crosswalk>,
    /// The roles of `roles.yaml`, in its order (none without the file: roles are then free text).
    pub roles: Vec<Role>,
    pub assets: Vec<PathBuf>,
    /// What documents that failed to load would have defined (references to them are not
    /// reported again).
    pub unloaded: Unloaded,
    lookup: Lookup,
}

#[derive(Debug, Clone)]
pub struct ResolvedGuideline {
    /// Shared with the loader's cache: an incremental rebuild reuses unchanged guidelines.
    pub guideline: Arc<Guideline>,
    pub domain: usize,
    pub mappings: Vec<ResolvedMapping>,
    /// Mappings its authored ones give it through crosswalks (never one it has authored).
    pub derived: Vec<DerivedMapping>,
    /// Its roles, as indices into `Site::roles` (empty when the book declares no roles).
    pub roles: Vec<usize>,
    /// The threats (entries of `kind: threats` catalogs) it addresses, in the order written.
    pub threats: Vec<ThreatRef>,
    /// Guidelines this one cites, in the order written.
    pub related: Vec<Link>,
    /// Guidelines that cite this one ("referenced by").
    pub backlinks: Vec<Link>,
    pub examples: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub guideline: usize,
    pub kind: RelatedKind,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedMapping {
    pub framework: usize,
    pub control: usize,
    pub relationship: Relationship,
    pub rationale: Option<String>,
    pub confidence: Option<Confidence>,
}

/// A role of `roles.yaml`, with the guidelines that name it (in reading order).
#[derive(Debug, Clone)]
pub struct Role {
    pub id: String,
    pub title: String,
    pub summary: Option<String>,
    pub owns: Vec<String>,
    pub description: Option<String>,
    pub source: Source,
    pub guidelines: Vec<usize>,
}

/// An entry of a threat catalog, by framework and control index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ThreatRef {
    pub framework: usize,
    pub control: usize,
}

#[derive(Debug, Clone)]
pub struct ResolvedExample {
    pub example: Arc<Example>,
    pub guidelines: Vec<usize>,
}

#[derive(Debug, Default, Clone)]
pub struct Tagged {
    pub slug: String,
    pub guidelines: Vec<usize>,
    pub examples: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Framework {
    pub id: String,
    pub name: String,
    pub version: Option<String>,
    pub url: Option<String>,
    pub license: Option<String>,
    pub description: Option<String>,
    pub kind: CatalogKind,
    /// For a threat catalog: the framework its entries' `mitigated_by` point into.
    pub mitigations: Option<usize>,
    /// Groups in document order, flattened; `depth` 0 is a top-level group.
    pub sections: Vec<Section>,
    /// Controls that sit at the top level, outside any group.
    pub loose_controls: Vec<usize>,
    pub controls: Vec<FrameworkControl>,
    pub source: Source,
    index: HashMap<String, usize>,
}

#[derive(Debug, Clone)]
pub struct Section {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub depth: usize,
    pub controls: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct FrameworkControl {
    pub id: String,
    pub title: String,
    pub url: Option<String>,
    pub description: Option<String>,
    /// Unique within the framework; the control page is `frameworks/<fw>/<slug>.html`.
    pub slug: String,
    /// (guideline, index into its mappings) for every mapping that targets this control.
    pub mapped_by: Vec<MappingRef>,
    /// 0 for a control, 1 for an enhancement of it, and so on.
    pub depth: usize,
    pub withdrawn: bool,
    /// For a withdrawn control: the controls that took it over.
    pub replaced_by: Vec<String>,
    pub properties: std::collections::BTreeMap<String, String>,
    /// In a threat catalog: the guidelines that address this threat.
    pub addressed_by: Vec<usize>,
    /// In a threat catalog: the controls (of the framework's `mitigations`) that counter it.
    pub mitigated_by: Vec<usize>,
    /// The threats this control counters (the reverse of `mitigated_by`).
    pub mitigates: Vec<ThreatRef>,
}

impl FrameworkControl {
    /// A control has a page of its own when some guideline maps to it or addresses it.
    pub fn has_page(&self) -> bool {
        !self.mapped_by.is_empty() || !self.addressed_by.is_empty()
    }
}

impl Framework {
    pub fn control(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    pub fn is_threats(&self) -> bool {
        self.kind == CatalogKind::Threats
    }
}

impl Site {
    pub fn guideline_by_id(&self, id: &str) -> Option<usize> {
        self.lookup.guidelines.get(id).copied()
    }

    pub fn role_by_id(&self, id: &str) -> Option<usize> {
        self.roles.iter().position(|r| r.id == id)
    }

    pub fn framework_by_id(&self, id: &str) -> Option<usize> {
        self.lookup.frameworks.get(id).copied()
    }

    pub fn example_by_id(&self, id: &str) -> Option<usize> {
        self.lookup.examples.get(id).copied()
    }

    pub fn page_by_slug(&self, slug: &str) -> Option<usize> {
        self.lookup.pages.get(slug).copied()
    }

    /// The guidelines of domain `d`, in reading order (guidelines are sorted by domain).
    pub fn guidelines_of(&self, d: usize) -> std::ops::Range<usize> {
        self.lookup.domain_ranges.get(d).cloned().unwrap_or(0..0)
    }
}

/// One mapping of a guideline, by the guideline's index and the mapping's place in its list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MappingRef {
    pub guideline: usize,
    pub mapping: usize,
}

/// An item of the site that has a page of its own, by its index (a control by its framework's
/// index and its own within the framework).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Entity {
    Domain(usize),
    Guideline(usize),
    Example(usize),
    Page(usize),
    Framework(usize),
    Control { framework: usize, control: usize },
}

/// Indices by id, so lookups stay constant-time on large knowledge bases.
#[derive(Debug, Default, Clone)]
pub struct Lookup {
    guidelines: HashMap<String, usize>,
    examples: HashMap<String, usize>,
    frameworks: HashMap<String, usize>,
    pages: HashMap<String, usize>,
    domain_ranges: Vec<std::ops::Range<usize>>,
}

impl Lookup {
    fn new(
        domains: usize,
        guidelines: &[ResolvedGuideline],
        examples: &[ResolvedExample],
        frameworks: &[Framework],
        pages: &[Page],
    ) -> Self {
        let mut domain_ranges = vec![0..0; domains];
        for (g, guideline) in guidelines.iter().enumerate() {
            let range = &mut domain_ranges[guideline.domain];
            if range.start == range.end {
                range.start = g;
            }
            range.end = g + 1;
        }
        Self {
            guidelines: guidelines
                .iter()
                .enumerate()
                .map(|(i, g)| (g.guideline.meta.id.value.clone(), i))
                .collect(),
            examples: examples
                .iter()
                .enumerate()
                .map(|(i, e)| (e.example.meta.id.value.clone(), i))
                .collect(),
            frameworks: frameworks
                .iter()
                .enumerate()
                .map(|(i, f)| (f.id.clone(), i))
                .collect(),
            pages: pages
                .iter()
                .enumerate()
                .map(|(i, p)| (p.slug.clone(), i))
                .collect(),
            domain_ranges,
        }
    }
}

/// What one guideline's references resolve to, and the problems found on the way.
struct References {
    mappings: Vec<ResolvedMapping>,
    threats: Vec<ThreatRef>,
    related: Vec<Link>,
    found: Diagnostics,
}

/// Resolves `content`, pushing every cross-file problem into `diagnostics`.
pub fn resolve(
    config: BookConfig,
    content_dir: &Path,
    content: Content,
    diagnostics: &mut Diagnostics,
) -> Site {
    let mut unloaded = content.unloaded;
    let mut ids = IdRegistry::default();
    let domains = sort_domains(content.domains, &mut ids, diagnostics);
    let frameworks = build_frameworks(content.catalogs, &mut unloaded, diagnostics);
    let mut guidelines = place_guidelines(
        content.guidelines,
        &domains,
        &mut unloaded,
        &mut ids,
        diagnostics,
    );
    let guideline_ids: HashMap<String, usize> = guidelines
        .iter()
        .enumerate()
        .map(|(i, g)| (g.guideline.meta.id.value.clone(), i))
        .collect();

    // Each guideline's references resolved in parallel (they only read the site), then the
    // reverse lists filled in guideline order.
    let references: Vec<References> = guidelines
        .par_iter()
        .map(|resolved| {
            let guideline = &resolved.guideline;
            let mut found = Diagnostics::default();
            let mappings = resolve_mappings(guideline, &frameworks, &unloaded, &mut found);
            let threats = resolve_threats(guideline, &frameworks, &unloaded, &mut found);
            let related = resolve_related(guideline, &guideline_ids, &unloaded, &mut found);
            check_reference_urls(guideline, &mut found);
            References {
                mappings,
                threats,
                related,
                found,
            }
        })
        .collect();
    let mut frameworks = frameworks;
    for (g, (resolved, references)) in guidelines.iter_mut().zip(references).enumerate() {
        for (mapping, m) in references.mappings.iter().enumerate() {
            let control = &mut frameworks[m.framework].controls[m.control];
            control.mapped_by.push(MappingRef {
                guideline: g,
                mapping,
            });
        }
        for threat in &references.threats {
            frameworks[threat.framework].controls[threat.control]
                .addressed_by
                .push(g);
        }
        resolved.mappings = references.mappings;
        resolved.threats = references.threats;
        resolved.related = references.related;
        diagnostics.extend(references.found);
    }
    for g in 0..guidelines.len() {
        for link in guidelines[g].related.clone() {
            guidelines[link.guideline].backlinks.push(Link {
                guideline: g,
                ..link
            });
        }
    }
    let examples = resolve_examples(
        content.examples,
        &guideline_ids,
        &unloaded,
        &mut ids,
        diagnostics,
    );
    for (e, example) in examples.iter().enumerate() {
        for &g in &example.guidelines {
            guidelines[g].examples.push(e);
        }
    }
    let tags = collect_tags(&guidelines, &examples);
    let roles = resolve_roles(content.roles, &mut guidelines, diagnostics);
    let crosswalks =
        crosswalks::resolve_crosswalks(content.crosswalks, &frameworks, &unloaded, diagnostics);
    for guideline in &mut guidelines {
        guideline.derived = crosswalks::derive(guideline, &crosswalks);
    }
    let baselines = baselines::resolve_baselines(
        content.baselines,
        content.baseline_sidecars,
        &frameworks,
        &unloaded,
        diagnostics,
    );
    let mut pages = content.pages;
    pages.sort_by(|a, b| {
        order_key(a.meta.order)
            .cmp(&order_key(b.meta.order))
            .then_with(|| a.slug.cmp(&b.slug))
    });
    let lookup = Lookup::new(domains.len(), &guidelines, &examples, &frameworks, &pages);
    Site {
        config,
        content_dir: content_dir.to_path_buf(),
        landing: content.landing,
        domains,
        guidelines,
        examples,
        pages,
        frameworks,
        tags,
        roles,
        baselines,
        crosswalks,
        assets: content.assets,
        unloaded,
        lookup,
    }
}

/// Items without an explicit order come after those with one.
fn order_key(order: Option<i64>) -> (bool, i64) {
    (order.is_none(), order.unwrap_or(0))
}

/// Ids of guidelines, examples and domains share one namespace.
#[derive(Default)]
struct IdRegistry {
    seen: HashMap<String, (PathBuf, Position)>,
}

impl IdRegistry {
    /// Records `id`; false (with a diagnostic) when it is malformed or already taken.
    fn claim(
        &mut self,
        id: &str,
        source: &Source,
        position: Position,
        diagnostics: &mut Diagnostics,
    ) -> bool {
        if !is_valid_id(id) {
            diagnostics.push(
                Diagnostic::error("invalid-id", &source.path, position, format!("`{id}` is not a valid id"))
                    .with_help("ids start with a letter or digit and hold only letters, digits, `.`, `_` and `-`"),
            );
            return false;
        }
        if let Some((other, at)) = self.seen.get(id) {
            diagnostics.push(
                Diagnostic::error(
                    "duplicate-id",
                    &source.path,
                    position,
                    format!(
                        "duplicate id `{id}`: also used in {}:{}:{}",
                        other.display(),
                        at.line,
                        at.column
                    ),
                )
                .with_help("give one of them another id; ids are unique across the site"),
            );
            return false;
        }
        self.seen
            .insert(id.to_string(), (source.path.clone(), position));
        true
    }
}

fn sort_domains(
    mut domains: Vec<Domain>,
    ids: &mut IdRegistry,
    diagnostics: &mut Diagnostics,
) -> Vec<Domain> {
    domains.sort_by(|a, b| {
        order_key(a.meta.order)
            .cmp(&order_key(b.meta.order))
            .then_with(|| natural_cmp(&a.meta.id.value, &b.meta.id.value))
    });
    domains.retain(|d| {
        ids.claim(
            &d.meta.id.value,
            &d.source,
            d.source.at(&d.meta.id),
            diagnostics,
        )
    });
    domains
}

fn place_guidelines(
    mut guidelines: Vec<Arc<Guideline>>,
    domains: &[Domain],
    unloaded: &mut Unloaded,
    ids: &mut IdRegistry,
    diagnostics: &mut Diagnostics,
) -> Vec<ResolvedGuideline> {
    let domain_of_folder: HashMap<&str, usize> = domains
        .iter()
        .enumerate()
        .map(|(i, d)| (d.folder.as_str(), i))
        .collect();
    // The paths as text once, not once per comparison (10,000 guidelines, 130,000 comparisons).
    let mut keyed: Vec<(String, Arc<Guideline>)> = (guidelines.drain(..))
        .map(|g| (g.source.path.to_string_lossy().into_owned(), g))
        .collect();
    keyed.sort_by(|a, b| natural_cmp(&a.0, &b.0));
    guidelines.extend(keyed.into_iter().map(|(_, g)| g));
    let mut slugs: HashMap<String, PathBuf> = HashMap::new();
    let mut placed = Vec::with_capacity(guidelines.len());
    for guideline in guidelines {
        let Some(&domain) = domain_of_folder.get(guideline.domain.as_str()) else {
            if unloaded.domain_folders.contains(&guideline.domain) {
                // Its _domain.md failed to load: that error is the one to fix, and references
                // to this guideline follow from it.
                unloaded
                    .names
                    .insert(guideline.meta.id.value.to_lowercase());
                continue;
            }
            diagnostics.push(
                Diagnostic::error(
                    "missing-domain",
                    &guideline.source.path,
                    Position::new(1, 1),
                    format!("the domain folder `{}` has no _domain.md (or it failed to load)", guideline.domain),
                )
                .with_help(format!(
                    "create guidelines/{}/_domain.md with front matter `id`, `title`, `order`, `summary`",
                    guideline.domain
                )),
            );
            continue;
        };
        let id = &guideline.meta.id;
        if !ids.claim(
            &id.value,
            &guideline.source,
            guideline.source.at(id),
            diagnostics,
        ) {
            continue;
        }
        let slug = guideline.slug.to_lowercase();
        if let Some(other) = slugs.insert(slug.clone(), guideline.source.path.clone()) {
            diagnostics.push(
                Diagnostic::error(
                    "duplicate-slug",
                    &guideline.source.path,
                    Position::new(1, 1),
                    format!("two guidelines would both be written to guidelines/{slug}.html (the other is {})", other.display()),
                )
                .with_help("rename one of the files"),
            );
            continue;
        }
        placed.push(ResolvedGuideline {
            guideline,
            domain,
            mappings: Vec::new(),
            derived: Vec::new(),
            roles: Vec::new(),
            threats: Vec::new(),
            related: Vec::new(),
            backlinks: Vec::new(),
            examples: Vec::new(),
        });
    }
    placed.sort_by(|a, b| {
        a.domain
            .cmp(&b.domain)
            .then_with(|| order_key(a.guideline.meta.order).cmp(&order_key(b.guideline.meta.order)))
            .then_with(|| natural_cmp(&a.guideline.meta.id.value, &b.guideline.meta.id.value))
    });
    placed
}
