//! What each rendered file shows of the site, so an incremental rebuild re-renders only the
//! files whose facts changed. While a job renders, every accessor of the site records the
//! [`Fact`] it read (a guideline's card, a framework's name, where a typed link points...);
//! [`Changes::between`] compares two resolved sites fact by fact. A file is up to date when
//! none of the facts it recorded changed; the property test in `tests/incremental.rs` checks
//! that this gives the bytes of a full build after any sequence of edits.
//!
//! Facts name entities by their index in the site they were recorded in; [`Changes`] maps the
//! old indices to the new ones (by id), for the changes and for records carried over.

use rayon::prelude::*;
use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

mod compare;

use compare::{
    Compare, Maps, controls_changed, link_changes, order_changes, role_changes, tag_changes,
};

use super::links::SiteLinks;
use super::nav::Stop;
use super::urls;
use crate::markdown::LinkResolver;
use crate::model::Guideline;
use crate::resolve::{Entity, Site};

/// One thing a file shows of the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fact {
    /// book.toml and what every page's chrome shows: the domains and visible pages of the
    /// sidebar. A change of it re-renders everything.
    Site,
    /// Everything (print.html, which holds the whole knowledge base).
    Everything,
    /// The set of output paths (the sitemap).
    Paths,
    /// The landing page's title and body.
    Landing,
    /// A guideline as listings show it: id, title, summary, URL.
    GuidelineCard(usize),
    /// The rest of a guideline but its Markdown body: front matter, domain, mappings, related
    /// guidelines, backlinks, examples, source file.
    Guideline(usize),
    /// The Markdown body of a document with a page of its own.
    Body(Entity),
    /// A domain as listings show it, with the ids of its guidelines in order.
    DomainCard(usize),
    /// A domain's front matter and source file.
    Domain(usize),
    /// An example as listings show it, with the guidelines it illustrates.
    ExampleCard(usize),
    /// An example's front matter and source file.
    Example(usize),
    /// A page's front matter, slug and source file.
    Page(usize),
    /// A framework's id, name, version and URL.
    FrameworkRef(usize),
    /// Everything about a framework: its controls, groups, descriptions and mapped counts.
    Framework(usize),
    /// A control's id, title and URL (which depends on whether it is mapped).
    ControlCard(usize, usize),
    /// Everything about a control, with the mappings to it.
    Control(usize, usize),
    /// A tag's guidelines and examples (by the hash of its name).
    Tag(u64),
    /// Every tag's name and counts.
    Tags,
    /// A role's guidelines and their checks (by the hash of its id; what `roles.yaml` says of
    /// it is the site's: a change of the file re-renders everything).
    Role(u64),
    /// Every role's counts of guidelines and checks.
    Roles,
    /// The stops before and after a page in reading order.
    Order(Stop),
    /// Where a typed link (`guideline:SD-1`) points (by the hash of its text).
    Link(u64),
}

thread_local! {
    /// The facts of the job rendering on this thread; a stack, because a thread waiting in a
    /// nested parallel section may run another job meanwhile.
    static RECORDING: RefCell<Vec<Vec<Fact>>> = const { RefCell::new(Vec::new()) };
}

/// Notes that the job rendering on this thread shows `fact` (nothing when not recording).
pub fn record(fact: Fact) {
    RECORDING.with(|stack| {
        if let Some(facts) = stack.borrow_mut().last_mut() {
            facts.push(fact);
        }
    });
}

/// Runs `render`, returning what it returns and the facts it recorded (sorted, unique).
pub fn recording<T>(render: impl FnOnce() -> T) -> (T, Vec<Fact>) {
    RECORDING.with(|stack| stack.borrow_mut().push(Vec::new()));
    let value = render();
    let mut facts = RECORDING.with(|stack| stack.borrow_mut().pop().unwrap_or_default());
    facts.sort_unstable_by_key(fact_key);
    facts.dedup();
    (value, facts)
}

/// A total order for sorting facts (by their hash: only grouping equal facts matters).
fn fact_key(fact: &Fact) -> u64 {
    hash_of(fact)
}

pub fn hash_of(value: &(impl Hash + ?Sized)) -> u64 {
    let mut hasher = rustc_hash::FxHasher::default();
    value.hash(&mut hasher);
    hasher.finish()
}

/// Which facts differ between two sites, and where the old site's entities are in the new one.
pub struct Changes {
    /// Every entity kept its index: facts need no remapping.
    stable: bool,
    everything: bool,
    site: bool,
    paths: bool,
    landing: bool,
    guidelines: Remap,
    guideline_cards: Vec<bool>,
    guideline_rest: Vec<bool>,
    guideline_bodies: Vec<bool>,
    domains: Remap,
    domain_cards: Vec<bool>,
    domain_rest: Vec<bool>,
    domain_bodies: Vec<bool>,
    examples: Remap,
    example_cards: Vec<bool>,
    example_rest: Vec<bool>,
    example_bodies: Vec<bool>,
    pages: Remap,
    page_rest: Vec<bool>,
    page_bodies: Vec<bool>,
    frameworks: Remap,
    framework_refs: Vec<bool>,
    framework_whole: Vec<bool>,
    /// Per old framework: its old control indices in the new framework.
    controls: Vec<Remap>,
    control_cards: Vec<Vec<bool>>,
    control_whole: Vec<Vec<bool>>,
    tags: HashMap<u64, bool>,
    tag_set: bool,
    roles: HashMap<u64, bool>,
    role_set: bool,
    order: HashMap<Stop, bool>,
    links: HashMap<u64, bool>,
}

/// Old index -> new index (`None`: gone).
pub(super) struct Remap(Vec<Option<usize>>);

impl Remap {
    /// Whether every old index is the same new index and nothing was added.
    fn is_identity(&self, new_len: usize) -> bool {
        self.0.len() == new_len && self.0.iter().enumerate().all(|(i, j)| *j == Some(i))
    }

    fn by_key<K: Hash + Eq>(old: impl Iterator<Item = K>, new: impl Iterator<Item = K>) -> Self {
        let new: rustc_hash::FxHashMap<K, usize> = new.enumerate().map(|(i, k)| (k, i)).collect();
        Remap(old.map(|k| new.get(&k).copied()).collect())
    }

    fn get(&self, old: usize) -> Option<usize> {
        self.0.get(old).copied().flatten()
    }

    /// For each old index: gone, or `differs(old, new)` (judged in parallel: a site has tens
    /// of thousands of items to compare after every edit).
    fn changed(&self, differs: impl Fn(usize, usize) -> bool + Sync) -> Vec<bool> {
        (0..self.0.len())
            .into_par_iter()
            .map(|i| self.get(i).is_none_or(|j| differs(i, j)))
            .collect()
    }
}

impl Changes {
    /// Compares `old` with `new`; `links` are the typed links the old build's files hold.
    pub fn between<'a>(old: &Site, new: &Site, links: impl Iterator<Item = &'a str>) -> Self {
        let guidelines = Remap::by_key(
            old.guidelines.iter().map(|g| &g.guideline.meta.id.value),
            new.guidelines.iter().map(|g| &g.guideline.meta.id.value),
        );
        let domains = Remap::by_key(
            old.domains.iter().map(|d| &d.meta.id.value),
            new.domains.iter().map(|d| &d.meta.id.value),
        );
        let examples = Remap::by_key(
            old.examples.iter().map(|e| &e.example.meta.id.value),
            new.examples.iter().map(|e| &e.example.meta.id.value),
        );
        let pages = Remap::by_key(
            old.pages.iter().map(|p| &p.slug),
            new.pages.iter().map(|p| &p.slug),
        );
        let frameworks = Remap::by_key(
            old.frameworks.iter().map(|f| &f.id),
            new.frameworks.iter().map(|f| &f.id),
        );
        let controls: Vec<Remap> = (0..old.frameworks.len())
            .map(|f| {
                let old_ids = old.frameworks[f].controls.iter().map(|c| c.id.as_str());
                match frameworks.get(f) {
                    Some(nf) => Remap::by_key(
                        old_ids,
                        new.frameworks[nf].controls.iter().map(|c| c.id.as_str()),
                    ),
                    None => Remap(old_ids.map(|_| None).collect()),
                }
            })
            .collect();
        // When nothing moved, indices compare as they are (the common case: an edit in place).
        let stable = guidelines.is_identity(new.guidelines.len())
            && domains.is_identity(new.domains.len())
            && examples.is_identity(new.examples.len())
            && frameworks.is_identity(new.frameworks.len())
            && pages.is_identity(new.pages.len())
            && (controls.iter().enumerate())
                .all(|(f, c)| c.is_identity(new.frameworks[f].controls.len()));
        let maps = Maps {
            guidelines: &guidelines,
            domains: &domains,
            examples: &examples,
            frameworks: &frameworks,
            controls: &controls,
        };
        let cmp = Compare { old, new, maps };
        let mut changes = Changes {
            stable,
            everything: false,
            site: cmp.site_differs(),
            paths: false,
            landing: cmp.landing_differs(),
            guideline_cards: guidelines.changed(|i, j| cmp.guideline_card_differs(i, j)),
            guideline_rest: guidelines.changed(|i, j| cmp.guideline_differs(i, j)),
            guideline_bodies: guidelines.changed(|i, j| {
                let (a, b) = (&old.guidelines[i].guideline, &new.guidelines[j].guideline);
                !Arc::ptr_eq(a, b) && a.body != b.body
            }),
            domain_cards: domains.changed(|i, j| cmp.domain_card_differs(i, j)),
            domain_rest: domains.changed(|i, j| {
                let (a, b) = (&old.domains[i], &new.domains[j]);
                (&a.meta, &a.source, &a.folder) != (&b.meta, &b.source, &b.folder)
            }),
            domain_bodies: domains.changed(|i, j| old.domains[i].body != new.domains[j].body),
            example_cards: examples.changed(|i, j| cmp.example_card_differs(i, j)),
            example_rest: examples.changed(|i, j| {
                let (a, b) = (&old.examples[i].example, &new.examples[j].example);
                (&a.meta, &a.source, &a.slug) != (&b.meta, &b.source, &b.slug)
            }),
            example_bodies: examples
                .changed(|i, j| old.examples[i].example.body != new.examples[j].example.body),
            page_rest: pages.changed(|i, j| {
                let (a, b) = (&old.pages[i], &new.pages[j]);
                (&a.meta, &a.source, &a.slug) != (&b.meta, &b.source, &b.slug)
            }),
            page_bodies: pages.changed(|i, j| old.pages[i].body != new.pages[j].body),
            framework_refs: frameworks.changed(|i, j| cmp.framework_ref_differs(i, j)),
            framework_whole: frameworks.changed(|i, j| cmp.framework_differs(i, j, &controls[i])),
            control_cards: controls_changed(&controls, &frameworks, |f, c, nf, nc| {
                cmp.control_card_differs(f, c, nf, nc)
            }),
            control_whole: controls_changed(&controls, &frameworks, |f, c, nf, nc| {
                cmp.control_differs(f, c, nf, nc)
            }),
            tags: tag_changes(old, new),
            tag_set: cmp.tag_set_differs(),
            roles: role_changes(old, new),
            role_set: cmp.role_set_differs(),
            order: order_changes(old, new),
            links: link_changes(old, new, links),
            guidelines,
            domains,
            examples,
            pages,
            frameworks,
            controls,
        };
        changes.paths = changes.any_entity_moved(old, new);
        changes.everything = changes.any();
        changes
    }

    /// Whether a page came, went, or moved to another URL (the sitemap lists them all): an
    /// entity, a tag, a control page, a part of print.html.
    fn any_entity_moved(&self, old: &Site, new: &Site) -> bool {
        let counts = |site: &Site| {
            (
                site.guidelines.len(),
                site.domains.len(),
                site.examples.len(),
                site.pages.len(),
                site.frameworks.len(),
                site.tags.len(),
            )
        };
        let part_paths = |site: &Site| -> Vec<String> {
            let parts = super::print::parts(site).unwrap_or_default();
            parts.into_iter().map(|part| part.path).collect()
        };
        counts(old) != counts(new)
            || part_paths(old) != part_paths(new)
            || self.framework_refs.iter().any(|&c| c)
            || self.guideline_cards.iter().any(|&c| c)
            || self.domain_cards.iter().any(|&c| c)
            || self.example_cards.iter().any(|&c| c)
            || self.page_rest.iter().any(|&c| c)
            || self.tag_set
            || self.control_cards.iter().flatten().any(|&c| c)
    }

    fn any(&self) -> bool {
        let lists = [
            &self.guideline_cards,
            &self.guideline_rest,
            &self.guideline_bodies,
            &self.domain_cards,
            &self.domain_rest,
            &self.domain_bodies,
            &self.example_cards,
            &self.example_rest,
            &self.example_bodies,
            &self.page_rest,
            &self.page_bodies,
            &self.framework_refs,
            &self.framework_whole,
        ];
        self.site
            || self.paths
            || self.landing
            || self.tag_set
            || lists.iter().any(|l| l.iter().any(|&c| c))
            || self.control_whole.iter().flatten().any(|&c| c)
            || self.tags.values().any(|&c| c)
            || self.role_set
            || self.roles.values().any(|&c| c)
            || self.order.values().any(|&c| c)
            || self.links.values().any(|&c| c)
    }

    /// Whether every entity kept its index (facts recorded in the old build hold as they are).
    pub fn keeps_indices(&self) -> bool {
        self.stable
    }

    /// Whether anything at all changed.
    pub fn anything(&self) -> bool {
        self.everything
    }

    /// Whether a change reaches every page (book.toml, the sidebar).
    pub fn site_wide(&self) -> bool {
        self.site
    }

    /// Whether `fact`, recorded in the old build, no longer holds.
    pub fn changed(&self, fact: &Fact) -> bool {
        let at = |list: &Vec<bool>, i: usize| list.get(i).copied().unwrap_or(true);
        match *fact {
            Fact::Site => self.site,
            Fact::Everything => self.everything,
            Fact::Paths => self.paths,
            Fact::Landing => self.landing,
            Fact::GuidelineCard(g) => at(&self.guideline_cards, g),
            Fact::Guideline(g) => at(&self.guideline_rest, g),
            Fact::Body(entity) => match entity {
                Entity::Guideline(g) => at(&self.guideline_bodies, g),
                Entity::Domain(d) => at(&self.domain_bodies, d),
                Entity::Example(e) => at(&self.example_bodies, e),
                Entity::Page(p) => at(&self.page_bodies, p),
                Entity::Framework(_) | Entity::Control { .. } => true,
            },
            Fact::DomainCard(d) => at(&self.domain_cards, d),
            Fact::Domain(d) => at(&self.domain_rest, d),
            Fact::ExampleCard(e) => at(&self.example_cards, e),
            Fact::Example(e) => at(&self.example_rest, e),
            Fact::Page(p) => at(&self.page_rest, p),
            Fact::FrameworkRef(f) => at(&self.framework_refs, f),
            Fact::Framework(f) => at(&self.framework_whole, f),
            Fact::ControlCard(f, c) => self.control_cards.get(f).is_none_or(|l| at(l, c)),
            Fact::Control(f, c) => self.control_whole.get(f).is_none_or(|l| at(l, c)),
            Fact::Tag(name) => self.tags.get(&name).copied().unwrap_or(true),
            Fact::Tags => self.tag_set,
            Fact::Role(id) => self.roles.get(&id).copied().unwrap_or(true),
            Fact::Roles => self.role_set,
            Fact::Order(stop) => self.order.get(&stop).copied().unwrap_or(true),
            Fact::Link(link) => self.links.get(&link).copied().unwrap_or(true),
        }
    }

    /// `fact`, recorded in the old build, with the new build's indices (`None`: its entity is
    /// gone, so the fact changed anyway).
    pub fn remap(&self, fact: Fact) -> Option<Fact> {
        let g = |i| self.guidelines.get(i);
        Some(match fact {
            Fact::GuidelineCard(i) => Fact::GuidelineCard(g(i)?),
            Fact::Guideline(i) => Fact::Guideline(g(i)?),
            Fact::Body(entity) => Fact::Body(self.remap_entity(entity)?),
            Fact::DomainCard(i) => Fact::DomainCard(self.domains.get(i)?),
            Fact::Domain(i) => Fact::Domain(self.domains.get(i)?),
            Fact::ExampleCard(i) => Fact::ExampleCard(self.examples.get(i)?),
            Fact::Example(i) => Fact::Example(self.examples.get(i)?),
            Fact::Page(i) => Fact::Page(self.pages.get(i)?),
            Fact::FrameworkRef(i) => Fact::FrameworkRef(self.frameworks.get(i)?),
            Fact::Framework(i) => Fact::Framework(self.frameworks.get(i)?),
            Fact::ControlCard(f, c) => {
                Fact::ControlCard(self.frameworks.get(f)?, self.controls.get(f)?.get(c)?)
            }
            Fact::Control(f, c) => {
                Fact::Control(self.frameworks.get(f)?, self.controls.get(f)?.get(c)?)
            }
            Fact::Order(Stop::Domain(i)) => Fact::Order(Stop::Domain(self.domains.get(i)?)),
            Fact::Order(Stop::Guideline(i)) => Fact::Order(Stop::Guideline(g(i)?)),
            other => other,
        })
    }

    pub fn remap_entity(&self, entity: Entity) -> Option<Entity> {
        Some(match entity {
            Entity::Guideline(i) => Entity::Guideline(self.guidelines.get(i)?),
            Entity::Domain(i) => Entity::Domain(self.domains.get(i)?),
            Entity::Example(i) => Entity::Example(self.examples.get(i)?),
            Entity::Page(i) => Entity::Page(self.pages.get(i)?),
            Entity::Framework(i) => Entity::Framework(self.frameworks.get(i)?),
            Entity::Control { framework, control } => Entity::Control {
                framework: self.frameworks.get(framework)?,
                control: self.controls.get(framework)?.get(control)?,
            },
        })
    }
}
