//! Catalogs to frameworks: groups flattened into sections, controls with their ids, aliases,
//! slugs and links checked.

use super::links::framework_named;
use super::*;
use crate::model::{Spanned, UniqueSlugs};

pub(super) fn build_frameworks(
    mut catalogs: Vec<CatalogFile>,
    unloaded: &mut Unloaded,
    diagnostics: &mut Diagnostics,
) -> Vec<Framework> {
    catalogs.sort_by(|a, b| a.catalog.id.value.cmp(&b.catalog.id.value));
    let mut frameworks: Vec<Framework> = Vec::with_capacity(catalogs.len());
    let mut pending = Vec::new();
    for CatalogFile { catalog, source } in catalogs {
        if !crate::model::is_safe_name(&catalog.id.value) {
            // Mappings to it follow from this error: they are not reported as well.
            unloaded.names.insert(catalog.id.value.to_lowercase());
            diagnostics.push(
                Diagnostic::error(
                    "invalid-id",
                    &source.path,
                    source.at(&catalog.id),
                    format!("`{}` is not a valid framework id", catalog.id.value),
                )
                .with_help(
                    "framework ids name folders of the site: start with a letter or digit and \
                     use only letters, digits, `.`, `_` and `-` (for an OSCAL file, rename it)",
                ),
            );
            continue;
        }
        if let Some(other) = frameworks.iter().find(|f| f.id == catalog.id.value) {
            diagnostics.push(
                Diagnostic::error(
                    "duplicate-framework",
                    &source.path,
                    source.at(&catalog.id),
                    format!(
                        "duplicate framework id `{}`: also used in {}",
                        catalog.id.value,
                        other.source.path.display()
                    ),
                )
                .with_help("give each catalog its own id"),
            );
            continue;
        }
        let (framework, mitigations) = flatten_catalog(catalog, source, diagnostics);
        if mitigations.mitigations.is_some() || !mitigations.controls.is_empty() {
            pending.push(PendingMitigations {
                framework: frameworks.len(),
                ..mitigations
            });
        }
        frameworks.push(framework);
    }
    link_mitigations(&mut frameworks, pending, unloaded, diagnostics);
    frameworks
}

/// A catalog being flattened: its framework, the slugs taken, and each control's
/// `mitigated-by` ids, resolved once every catalog is loaded.
struct Flattening {
    framework: Framework,
    slugs: UniqueSlugs,
    mitigated_by: Vec<(usize, Vec<Spanned<String>>)>,
}

/// A threat catalog's `mitigations` framework and its entries' `mitigated-by`, to resolve.
pub(super) struct PendingMitigations {
    framework: usize,
    mitigations: Option<Spanned<String>>,
    controls: Vec<(usize, Vec<Spanned<String>>)>,
}

pub(super) fn flatten_catalog(
    catalog: Catalog,
    source: Source,
    diagnostics: &mut Diagnostics,
) -> (Framework, PendingMitigations) {
    let framework = Framework {
        id: catalog.id.value,
        name: catalog.name,
        version: catalog.version,
        url: catalog.url,
        license: catalog.license,
        description: catalog.description,
        kind: catalog.kind,
        mitigations: None,
        sections: Vec::new(),
        loose_controls: Vec::new(),
        controls: Vec::new(),
        source,
        index: HashMap::new(),
    };
    for url in [&framework.url]
        .into_iter()
        .flatten()
        .filter(|u| !is_safe_url(u))
    {
        diagnostics.push(unsafe_catalog_url(&framework, url));
    }
    let mut flat = Flattening {
        framework,
        slugs: UniqueSlugs::default(),
        mitigated_by: Vec::new(),
    };
    for control in catalog.controls {
        let added = flat.add_control(control, 0, diagnostics);
        flat.framework.loose_controls.extend(added);
    }
    for group in catalog.groups {
        flat.add_group(group, 0, diagnostics);
    }
    let pending = PendingMitigations {
        framework: 0,
        mitigations: catalog.mitigations,
        controls: flat.mitigated_by,
    };
    (flat.framework, pending)
}

impl Flattening {
    fn add_group(&mut self, group: Group, depth: usize, diagnostics: &mut Diagnostics) {
        let section = self.framework.sections.len();
        self.framework.sections.push(Section {
            id: group.id.value,
            title: group.title,
            description: group.description,
            depth,
            controls: Vec::new(),
        });
        for control in group.controls {
            let added = self.add_control(control, 0, diagnostics);
            self.framework.sections[section].controls.extend(added);
        }
        for child in group.groups {
            self.add_group(child, depth + 1, diagnostics);
        }
    }

    /// Adds `control` and its enhancements (depth-first); returns their indices in order.
    fn add_control(
        &mut self,
        control: Control,
        depth: usize,
        diagnostics: &mut Diagnostics,
    ) -> Vec<usize> {
        let framework = &mut self.framework;
        let position = framework.source.at(&control.id);
        let id = control.id.value;
        if framework.index.contains_key(&id) {
            diagnostics.push(
                Diagnostic::error(
                    "duplicate-control",
                    &framework.source.path,
                    position,
                    format!(
                        "control `{id}` is listed twice in framework `{}`",
                        framework.id
                    ),
                )
                .with_help("remove or rename one of them"),
            );
            return Vec::new();
        }
        if let Some(url) = control.url.as_deref().filter(|u| !is_safe_url(u)) {
            diagnostics.push(unsafe_catalog_url(framework, url));
            return Vec::new();
        }
        let slug = (self.slugs).claim(crate::model::slug_or_digest(&id, "control"));
        let c = framework.controls.len();
        framework.index.insert(id.clone(), c);
        for alias in &control.aliases {
            framework.index.entry(alias.clone()).or_insert(c);
        }
        framework.controls.push(FrameworkControl {
            id,
            title: control.title,
            url: control.url,
            description: control.description,
            slug,
            mapped_by: Vec::new(),
            depth,
            withdrawn: control.withdrawn,
            replaced_by: control.replaced_by,
            properties: control.properties,
            addressed_by: Vec::new(),
            mitigated_by: Vec::new(),
            mitigates: Vec::new(),
        });
        if !control.mitigated_by.is_empty() {
            self.mitigated_by.push((c, control.mitigated_by));
        }
        let mut added = vec![c];
        for enhancement in control.controls {
            added.extend(self.add_control(enhancement, depth + 1, diagnostics));
        }
        added
    }
}

/// Resolves each threat catalog's `mitigations` framework and its entries' `mitigated-by`
/// ids (both ways: a control lists the threats it counters).
pub(super) fn link_mitigations(
    frameworks: &mut [Framework],
    pending: Vec<PendingMitigations>,
    unloaded: &Unloaded,
    diagnostics: &mut Diagnostics,
) {
    for PendingMitigations {
        framework: f,
        mitigations,
        controls,
    } in pending
    {
        let source = frameworks[f].source.clone();
        if !frameworks[f].is_threats() {
            let first = (mitigations.as_ref())
                .or_else(|| controls.first().and_then(|(_, ids)| ids.first()));
            if let Some(first) = first {
                diagnostics.push(
                    Diagnostic::error(
                        "not-a-threat-catalog",
                        &source.path,
                        source.at(first),
                        "`mitigations` and `mitigated-by` belong to threat catalogs",
                    )
                    .with_help("add `kind: threats` to the catalog, or remove them"),
                );
            }
            continue;
        }
        let Some(named) = mitigations else {
            if let Some(id) = controls.first().and_then(|(_, ids)| ids.first()) {
                diagnostics.push(
                    Diagnostic::error(
                        "missing-mitigations",
                        &source.path,
                        source.at(id),
                        "`mitigated-by` needs the catalog's `mitigations` framework",
                    )
                    .with_help("add `mitigations: <framework id>` at the top of the catalog"),
                );
            }
            continue;
        };
        let Some(m) = framework_named(&named, &source, frameworks, unloaded, diagnostics) else {
            continue;
        };
        frameworks[f].mitigations = Some(m);
        for (c, ids) in controls {
            for id in ids {
                let Some(mc) = frameworks[m].control(&id.value) else {
                    let target = &frameworks[m];
                    let known = target.controls.iter().map(|c| c.id.as_str());
                    let hint = did_you_mean(&id.value, known, || {
                        format!("add it to {} or check the id", target.source.path.display())
                    });
                    diagnostics.push(
                        Diagnostic::error(
                            "unknown-control",
                            &source.path,
                            source.at(&id),
                            format!("framework `{}` has no control `{}`", target.id, id.value),
                        )
                        .with_help(hint),
                    );
                    continue;
                };
                if frameworks[f].controls[c].mitigated_by.contains(&mc) {
                    continue;
                }
                frameworks[f].controls[c].mitigated_by.push(mc);
                (frameworks[m].controls[mc].mitigates).push(ThreatRef {
                    framework: f,
                    control: c,
                });
            }
        }
    }
}

pub(super) fn unsafe_catalog_url(framework: &Framework, url: &str) -> Diagnostic {
    Diagnostic::error(
        "unsafe-url",
        &framework.source.path,
        Position::new(1, 1),
        format!(
            "URL `{url}` in framework `{}` is not http, https or mailto",
            framework.id
        ),
    )
    .with_help("use an https:// URL")
}
