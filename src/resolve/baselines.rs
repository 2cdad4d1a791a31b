//! Baselines (OSCAL profiles) to the framework they select from, and their control ids to that
//! framework's controls. Ids the framework does not hold are kept, listed as missing.

use super::links::{framework_named, known_list};
use super::*;
use crate::model::{BaselineFile, BaselineSelection, BaselineSidecar};

/// A baseline: a selection of one framework's controls.
#[derive(Debug, Clone)]
pub struct Baseline {
    pub id: String,
    pub title: String,
    pub framework: usize,
    /// Selected controls, in the framework's order.
    pub controls: Vec<usize>,
    /// Selected ids the framework does not hold, as the profile writes them.
    pub missing: Vec<String>,
    pub source: Source,
}

pub(super) fn resolve_baselines(
    files: Vec<BaselineFile>,
    sidecars: Vec<BaselineSidecar>,
    frameworks: &[Framework],
    unloaded: &Unloaded,
    diagnostics: &mut Diagnostics,
) -> Vec<Baseline> {
    for sidecar in &sidecars {
        if !files.iter().any(|f| f.id == sidecar.id) {
            diagnostics.push(
                Diagnostic::error(
                    "orphan-baseline",
                    &sidecar.source.path,
                    Position::new(1, 1),
                    format!("no baselines/{}.json beside this file", sidecar.id),
                )
                .with_help("put the OSCAL profile beside it under the same name"),
            );
        }
    }
    let mut baselines: Vec<Baseline> = Vec::new();
    for file in files {
        let sidecar = sidecars.iter().find(|s| s.id == file.id);
        let Some(f) = framework_of(&file, sidecar, frameworks, unloaded, diagnostics) else {
            continue;
        };
        let framework = &frameworks[f];
        let mut controls = Vec::new();
        let mut missing = Vec::new();
        match &file.selection {
            // Withdrawn controls cannot be mapped: selecting them would only lower the count.
            BaselineSelection::All => controls.extend(
                (0..framework.controls.len()).filter(|&c| !framework.controls[c].withdrawn),
            ),
            BaselineSelection::Ids(ids) => {
                for id in ids {
                    match find_control(framework, id) {
                        Some(c) if !controls.contains(&c) => controls.push(c),
                        Some(_) => {}
                        None => missing.push(id.clone()),
                    }
                }
            }
        }
        controls.sort_unstable();
        let title = sidecar.and_then(|s| s.meta.title.clone());
        baselines.push(Baseline {
            id: file.id,
            title: title.unwrap_or(file.title),
            framework: f,
            controls,
            missing,
            source: file.source,
        });
    }
    baselines.sort_by(|a, b| natural_cmp(&a.id, &b.id));
    baselines
}

/// The framework a baseline selects from: the sidecar's `framework`, else the catalog whose
/// file the import names, else the catalog whose name is the imported resource's title or
/// description; else an error listing the frameworks.
fn framework_of(
    file: &BaselineFile,
    sidecar: Option<&BaselineSidecar>,
    frameworks: &[Framework],
    unloaded: &Unloaded,
    diagnostics: &mut Diagnostics,
) -> Option<usize> {
    let ids = || frameworks.iter().map(|f| f.id.as_str());
    if let Some(named) = sidecar.and_then(|s| s.meta.framework.as_ref()) {
        let source = &sidecar?.source;
        return framework_named(named, source, frameworks, unloaded, diagnostics);
    }
    let stem = |name: &str| -> String {
        let name = name.rsplit(['/', '\\']).next().unwrap_or(name);
        let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
        stem.to_ascii_lowercase()
    };
    let by_file = frameworks.iter().position(|f| {
        let own = stem(&f.source.path.to_string_lossy());
        file.catalog_files.iter().any(|href| stem(href) == own)
    });
    let same = |a: &str, b: &str| a.trim().eq_ignore_ascii_case(b.trim());
    let by_name = || {
        (frameworks.iter()).position(|f| file.catalog_names.iter().any(|name| same(name, &f.name)))
    };
    let found = by_file.or_else(by_name);
    if found.is_none() {
        diagnostics.push(
            Diagnostic::error(
                "baseline-framework",
                &file.source.path,
                Position::new(1, 1),
                format!(
                    "cannot tell which framework this profile selects from (it imports {})",
                    file.catalog_files.first().map_or("nothing", String::as_str)
                ),
            )
            .with_help(format!(
                "add baselines/{}.yaml holding `framework: <id>`; {}",
                file.id,
                known_list("frameworks", ids())
            )),
        );
    }
    found
}

/// A control by the profile's id: as written, or NIST's OSCAL id (`ac-2.1`) as its label
/// (`AC-2(1)`) for catalogs that list only labels.
fn find_control(framework: &Framework, id: &str) -> Option<usize> {
    framework.control(id).or_else(|| {
        let (family, number) = id.split_once('-')?;
        let label = match number.split_once('.') {
            Some((base, enhancement)) => format!("{}-{base}({enhancement})", family.to_uppercase()),
            None => format!("{}-{number}", family.to_uppercase()),
        };
        framework.control(&label)
    })
}
