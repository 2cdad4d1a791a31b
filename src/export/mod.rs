//! Exports for the next tool in a compliance team's chain, written into the build folder under
//! `exports/` and by `guidebook export`:
//!
//! - `guidelines.oscal.json`: the guidelines as an OSCAL 1.2.1 catalog (domains as groups);
//! - `mappings/<framework>.oscal.json`: one OSCAL mapping-collection per framework;
//! - `mappings.csv`: every mapping, RFC 4180, safe to open in a spreadsheet;
//! - `self-assessment.csv`: every check of every guideline with its roles, and blank status,
//!   owner and evidence columns;
//! - `model.json` and `model.schema.json`: the whole resolved model, and its JSON Schema.
//!
//! Everything here is a pure function of the site, so exports are deterministic too. The site
//! publishes its JSON compact; `guidebook export` writes it pretty, for review as diffs.

mod csv_export;
mod model;
mod oscal;

use std::io::Write;

use crate::resolve::Site;

/// Which exports `guidebook export --format` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Oscal,
    Csv,
    Json,
}

/// The export files of `site` in `formats`, as (path under `exports/`, content), by path.
pub fn files(site: &Site, formats: &[Format]) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let collected: std::io::Result<()> = each_file(site, formats, Layout::Whole, |path, write| {
        let mut bytes = Vec::new();
        write(&mut bytes)?;
        files.push((path, String::from_utf8_lossy(&bytes).into_owned()));
        Ok(())
    });
    debug_assert!(collected.is_ok(), "writing into memory cannot fail");
    files
}

/// Writes one export file into the writer it is given.
pub type WriteFile<'a> = &'a dyn Fn(&mut dyn std::io::Write) -> std::io::Result<()>;

/// Hands each export file of `site` in `formats` to `sink`, which gives it a writer: the large
/// ones (tens of megabytes at 10,000 guidelines) are serialized straight into their file, one
/// at a time, never held whole in memory as text.
pub fn each_file<E>(
    site: &Site,
    formats: &[Format],
    layout: Layout,
    mut sink: impl FnMut(String, WriteFile<'_>) -> Result<(), E>,
) -> Result<(), E> {
    let wants = |format| formats.contains(&format);
    let json = JsonStyle {
        pretty: layout == Layout::Whole,
    };
    let parts = match layout {
        Layout::Whole => None,
        Layout::Site => parts(site),
    };
    if wants(Format::Oscal) {
        match &parts {
            None => sink("guidelines.oscal.json".into(), &|w| {
                json.write(w, &oscal::catalog(site, None))
            })?,
            Some(parts) => {
                for part in parts {
                    sink(format!("parts/{}.oscal.json", part.name), &|w| {
                        json.write(w, &oscal::catalog(site, Some(part)))
                    })?;
                }
            }
        }
        for (framework, collection) in oscal::mapping_collections(site, parts.as_deref()) {
            sink(format!("mappings/{framework}.oscal.json"), &|w| {
                json.write(w, &collection)
            })?;
        }
    }
    if wants(Format::Csv) {
        sink("mappings.csv".into(), &|w| {
            w.write_all(csv_export::mappings(site).as_bytes())
        })?;
        sink("self-assessment.csv".into(), &|w| {
            w.write_all(csv_export::self_assessment(site).as_bytes())
        })?;
    }
    if wants(Format::Json) {
        match &parts {
            None => sink("model.json".into(), &|w| {
                json.write(w, &model::dump(site, None))
            })?,
            Some(parts) => {
                for part in parts {
                    sink(format!("parts/{}.model.json", part.name), &|w| {
                        json.write(w, &model::dump(site, Some(part)))
                    })?;
                }
            }
        }
        sink("model.schema.json".into(), &|w| {
            json.write(w, &model::schema())
        })?;
    }
    Ok(())
}

pub const ALL: [Format; 3] = [Format::Oscal, Format::Csv, Format::Json];

/// Where the large exports go: whole (`guidebook export`, for the next tool in a chain), or as
/// the site publishes them: in parts past the part size (see [`parts`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Whole,
    Site,
}

/// Past this much guideline Markdown in all (`[guidebook] print-part-bytes`, as print.html),
/// the site publishes `model.json` and `guidelines.oscal.json` in parts, each at most about
/// that much (a domain, or a run of its guidelines): no file of the site passes 20 MB. Each
/// part is a document of the same format, of its guidelines (and their domains and examples);
/// a model part keeps every framework whole, so `mapped_by` names guidelines of other parts
/// too; what belongs to no guideline (a domain without guidelines, an example of none) is in the
/// first part. The mapping-collections have a mapping per part, each naming its part's catalog
/// as the source.
pub struct Part {
    /// `<number>-<domain folder>` (`01-design`, `02-design`, `03-operate`): files
    /// `parts/<name>.model.json` and `parts/<name>.oscal.json`.
    pub name: String,
    guidelines: Vec<usize>,
    /// The domains it holds: those of its guidelines, and in the first part the empty ones.
    domains: Vec<usize>,
    /// Whether it is the first part, which holds what belongs to no guideline.
    first: bool,
}

/// The parts of a large site's exports, or `None` when they are published whole.
pub fn parts(site: &Site) -> Option<Vec<Part>> {
    let limit = (site.config.guidebook.print_part_bytes).unwrap_or(crate::config::PART_BYTES);
    // The body, and about a kilobyte of front matter, mappings and links.
    let size = |g: usize| site.guidelines[g].guideline.body.len() as u64 + 1024;
    if (0..site.guidelines.len()).map(size).sum::<u64>() <= limit {
        return None;
    }
    let mut parts: Vec<Part> = Vec::new();
    for (d, domain) in site.domains.iter().enumerate() {
        let (mut bytes, mut count) = (0, 0);
        for g in site.guidelines_of(d) {
            if count == 0 || (bytes + size(g) > limit && bytes > 0) {
                count += 1;
                // Numbered, so no two parts share a name whatever the folders are called.
                let name = format!("{:02}-{}", parts.len() + 1, domain.folder);
                parts.push(Part {
                    name,
                    guidelines: Vec::new(),
                    domains: vec![d],
                    first: parts.is_empty(),
                });
                bytes = 0;
            }
            bytes += size(g);
            if let Some(part) = parts.last_mut() {
                part.guidelines.push(g);
            }
        }
    }
    let empty = (0..site.domains.len()).filter(|&d| site.guidelines_of(d).next().is_none());
    parts.first_mut()?.domains.extend(empty);
    Some(parts)
}

/// The paths (under `exports/`) that [`each_file`] writes for `site` as the site publishes
/// them, in the same order, without making any file.
pub fn paths(site: &Site, formats: &[Format]) -> Vec<String> {
    let mut paths = Vec::new();
    let parts = parts(site);
    let each_part = |suffix: &str| -> Vec<String> {
        let parts = parts.iter().flatten();
        parts
            .map(|p| format!("parts/{}.{suffix}", p.name))
            .collect()
    };
    if formats.contains(&Format::Oscal) {
        match &parts {
            None => paths.push("guidelines.oscal.json".to_string()),
            Some(_) => paths.extend(each_part("oscal.json")),
        }
        let mapped = site.frameworks.iter().enumerate().filter(|(f, _)| {
            (site.guidelines.iter()).any(|g| g.mappings.iter().any(|m| m.framework == *f))
        });
        paths.extend(mapped.map(|(_, fw)| format!("mappings/{}.oscal.json", fw.id)));
    }
    if formats.contains(&Format::Csv) {
        paths.extend([
            "mappings.csv".to_string(),
            "self-assessment.csv".to_string(),
        ]);
    }
    if formats.contains(&Format::Json) {
        match &parts {
            None => paths.push("model.json".to_string()),
            Some(_) => paths.extend(each_part("model.json")),
        }
        paths.push("model.schema.json".to_string());
    }
    paths
}

/// How the JSON exports are written: pretty for `guidebook export` (files kept in a repository
/// and reviewed as diffs), compact on the site (downloads for tools: a sixth fewer bytes at
/// 10,000 guidelines, and less to write).
#[derive(Clone, Copy)]
struct JsonStyle {
    pretty: bool,
}

impl JsonStyle {
    /// `value` as JSON and a final newline, through a buffer.
    fn write<T: serde::Serialize>(
        self,
        writer: &mut dyn std::io::Write,
        value: &T,
    ) -> std::io::Result<()> {
        let mut buffered = std::io::BufWriter::with_capacity(1 << 16, writer);
        if self.pretty {
            serde_json::to_writer_pretty(&mut buffered, value)?;
        } else {
            serde_json::to_writer(&mut buffered, value)?;
        }
        buffered.write_all(b"\n")?;
        buffered.flush()
    }
}
