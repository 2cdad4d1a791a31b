//! Exports for the next tool in a compliance team's chain, written into the build folder under
//! `exports/` and by `guidebook export`:
//!
//! - `guidelines.oscal.json`: the guidelines as an OSCAL 1.2.1 catalog (domains as groups);
//! - `mappings/<framework>.oscal.json`: one OSCAL mapping-collection per framework;
//! - `mappings.csv`: every mapping, RFC 4180, safe to open in a spreadsheet;
//! - `model.json` and `model.schema.json`: the whole resolved model, and its JSON Schema.
//!
//! Everything here is a pure function of the site, so exports are deterministic too.

mod csv_export;
mod model;
mod oscal;

use crate::resolve::Site;

/// Which exports `guidebook export --format` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Oscal,
    Csv,
    Json,
}

/// The export files of `site` in `formats`, as (path under `exports/`, content). The files are
/// independent, so they are produced in parallel.
pub fn files(site: &Site, formats: &[Format]) -> Vec<(String, String)> {
    let wants = |format| formats.contains(&format);
    let (oscal, (csv, json)) = rayon::join(
        || wants(Format::Oscal).then(|| oscal_files(site)),
        || {
            rayon::join(
                || wants(Format::Csv).then(|| ("mappings.csv".into(), csv_export::mappings(site))),
                || {
                    wants(Format::Json).then(|| {
                        vec![
                            ("model.json".into(), pretty(&model::dump(site))),
                            ("model.schema.json".into(), pretty(&model::schema())),
                        ]
                    })
                },
            )
        },
    );
    let mut files = oscal.unwrap_or_default();
    files.extend(csv);
    files.extend(json.unwrap_or_default());
    files
}

fn oscal_files(site: &Site) -> Vec<(String, String)> {
    use rayon::prelude::*;
    let (catalog, mut collections) = rayon::join(
        || pretty(&oscal::catalog(site)),
        || {
            oscal::mapping_collections(site)
                .into_par_iter()
                .map(|(framework, c)| (format!("mappings/{framework}.oscal.json"), pretty(&c)))
                .collect::<Vec<_>>()
        },
    );
    collections.insert(0, ("guidelines.oscal.json".into(), catalog));
    collections
}

pub const ALL: [Format; 3] = [Format::Oscal, Format::Csv, Format::Json];

fn pretty<T: serde::Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}
