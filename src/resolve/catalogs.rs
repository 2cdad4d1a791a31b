//! Catalogs to frameworks: groups flattened into sections, controls with their ids, aliases,
//! slugs and links checked.

use super::*;
use crate::model::UniqueSlugs;

pub(super) fn build_frameworks(
    mut catalogs: Vec<CatalogFile>,
    unloaded: &mut Unloaded,
    diagnostics: &mut Diagnostics,
) -> Vec<Framework> {
    catalogs.sort_by(|a, b| a.catalog.id.value.cmp(&b.catalog.id.value));
    let mut frameworks: Vec<Framework> = Vec::with_capacity(catalogs.len());
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
        frameworks.push(flatten_catalog(catalog, source, diagnostics));
    }
    frameworks
}

pub(super) fn flatten_catalog(
    catalog: Catalog,
    source: Source,
    diagnostics: &mut Diagnostics,
) -> Framework {
    let mut framework = Framework {
        id: catalog.id.value,
        name: catalog.name,
        version: catalog.version,
        url: catalog.url,
        license: catalog.license,
        description: catalog.description,
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
    let mut slugs = UniqueSlugs::default();
    for control in catalog.controls {
        let added = add_control(&mut framework, control, 0, &mut slugs, diagnostics);
        framework.loose_controls.extend(added);
    }
    for group in catalog.groups {
        add_group(&mut framework, group, 0, &mut slugs, diagnostics);
    }
    framework
}

pub(super) fn add_group(
    framework: &mut Framework,
    group: Group,
    depth: usize,
    slugs: &mut UniqueSlugs,
    diagnostics: &mut Diagnostics,
) {
    let section = framework.sections.len();
    framework.sections.push(Section {
        id: group.id.value,
        title: group.title,
        description: group.description,
        depth,
        controls: Vec::new(),
    });
    for control in group.controls {
        let added = add_control(framework, control, 0, slugs, diagnostics);
        framework.sections[section].controls.extend(added);
    }
    for child in group.groups {
        add_group(framework, child, depth + 1, slugs, diagnostics);
    }
}

/// Adds `control` and its enhancements (depth-first); returns their indices in order.
pub(super) fn add_control(
    framework: &mut Framework,
    control: Control,
    depth: usize,
    slugs: &mut UniqueSlugs,
    diagnostics: &mut Diagnostics,
) -> Vec<usize> {
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
    let slug = slugs.claim(crate::model::slug_or_digest(&id, "control"));
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
    });
    let mut added = vec![c];
    for enhancement in control.controls {
        added.extend(add_control(
            framework,
            enhancement,
            depth + 1,
            slugs,
            diagnostics,
        ));
    }
    added
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
