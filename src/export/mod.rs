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

/// The export files of `site` in `formats`, as (path under `exports/`, content).
pub fn files(site: &Site, formats: &[Format]) -> Vec<(String, String)> {
    let mut files = Vec::new();
    if formats.contains(&Format::Oscal) {
        files.push((
            "guidelines.oscal.json".into(),
            pretty(&oscal::catalog(site)),
        ));
        for (framework, collection) in oscal::mapping_collections(site) {
            files.push((
                format!("mappings/{framework}.oscal.json"),
                pretty(&collection),
            ));
        }
    }
    if formats.contains(&Format::Csv) {
        files.push(("mappings.csv".into(), csv_export::mappings(site)));
    }
    if formats.contains(&Format::Json) {
        files.push(("model.json".into(), pretty(&model::dump(site))));
        files.push(("model.schema.json".into(), pretty(&model::schema())));
    }
    files
}

pub const ALL: [Format; 3] = [Format::Oscal, Format::Csv, Format::Json];

fn pretty<T: serde::Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}
