//! Crosswalks: a sidecar `crosswalks/<name>.yaml` naming a published OSCAL mapping-collection
//! beside it, the frameworks of its two sides, and regex rewrites that turn its ids into this
//! knowledge base's. Real collections often fail the OSCAL schema in small ways (NIST's AI RMF
//! to ISO/IEC 42001 one says `provenance.method: "manual"` and leaves `with-ids` empty): those
//! are imported anyway, each deviation a warning, since the maps themselves are sound.

use std::path::Path;

use serde_json::Value;

use crate::diagnostic::{Diagnostic, Diagnostics, Position};
use crate::model::{CrosswalkFile, CrosswalkMap, Relationship, Rewrite};

/// OSCAL 1.2.1's values for `provenance.method`.
const METHODS: [&str; 3] = ["human", "automation", "hybrid"];

/// Reads the collection that `crosswalk.meta.oscal` names (in `dir`), rewriting its ids.
pub fn read_maps(
    crosswalk: &mut CrosswalkFile,
    dir: &Path,
    warnings: &mut Diagnostics,
) -> Result<(), Diagnostic> {
    let source = crosswalk.source.clone();
    let named = &crosswalk.meta.oscal;
    let at = source.at(named);
    let error = |message: String, help: &str| {
        Diagnostic::error("crosswalk", &source.path, at, message).with_help(help.to_string())
    };
    let name = &named.value;
    if !crate::model::is_safe_name(name) || !name.to_ascii_lowercase().ends_with(".json") {
        return Err(error(
            format!("`{name}` is not the name of a JSON file beside this crosswalk"),
            "name an OSCAL mapping-collection in the same folder",
        ));
    }
    let text = std::fs::read_to_string(dir.join(name)).map_err(|e| {
        error(
            format!("cannot read {name}: {e}"),
            "put the mapping-collection beside this file",
        )
    })?;
    let json_path = source.path.with_file_name(name);
    let document: Value = serde_json::from_str(&text).map_err(|e| {
        Diagnostic::error(
            "crosswalk",
            &json_path,
            Position::new(e.line().max(1), e.column().max(1)),
            format!("not JSON: {e}"),
        )
    })?;
    let collection = &document["mapping-collection"];
    if !collection.is_object() {
        return Err(Diagnostic::error(
            "crosswalk",
            &json_path,
            Position::new(1, 1),
            "this is not an OSCAL mapping-collection (no top-level \"mapping-collection\")",
        ));
    }
    crosswalk.title = (collection["metadata"]["title"].as_str())
        .unwrap_or(&crosswalk.name)
        .trim()
        .to_string();
    let warn = |message: String| {
        Diagnostic::warning("crosswalk-schema", &json_path, Position::new(1, 1), message).with_help(
            "imported anyway; the collection does not follow the OSCAL 1.2.1 schema here",
        )
    };
    if let Some(method) = collection["provenance"]["method"].as_str()
        && !METHODS.contains(&method)
    {
        warnings.push(warn(format!(
            "`provenance.method` is `{method}`, not one of {}",
            METHODS.join(", ")
        )));
    }
    let rewrite = |rules: &[Rewrite]| -> Result<Vec<(regex::Regex, String)>, Diagnostic> {
        (rules.iter())
            .map(|rule| {
                regex::Regex::new(&rule.pattern)
                    .map(|re| (re, rule.replace.clone()))
                    .map_err(|e| {
                        Diagnostic::error(
                            "crosswalk",
                            &source.path,
                            at,
                            format!("bad `match` pattern: {e}"),
                        )
                        .with_help("write a regular expression in Rust's regex syntax")
                    })
            })
            .collect()
    };
    let source_rules = rewrite(&crosswalk.meta.ids.source)?;
    let target_rules = rewrite(&crosswalk.meta.ids.target)?;
    let apply = |rules: &[(regex::Regex, String)], id: &str| -> String {
        (rules.iter()).fold(id.to_string(), |id, (re, with)| {
            re.replace_all(&id, with.as_str()).into_owned()
        })
    };
    let ids = |ends: &Value| -> Vec<String> {
        (ends.as_array().into_iter().flatten())
            .filter_map(|end| end["id-ref"].as_str())
            .map(str::to_string)
            .collect()
    };
    let mut empty_with_ids = false;
    let mut unknown = Vec::new();
    for mapping in collection["mappings"].as_array().into_iter().flatten() {
        for map in mapping["maps"].as_array().into_iter().flatten() {
            let ends = [&map["sources"], &map["targets"]];
            empty_with_ids |= ends
                .iter()
                .flat_map(|e| e.as_array().into_iter().flatten())
                .any(|end| end["with-ids"].as_array().is_some_and(Vec::is_empty));
            let written = map["relationship"].as_str().unwrap_or_default();
            let Some(relationship) = Relationship::parse(written) else {
                unknown.push(written.to_string());
                continue;
            };
            crosswalk.maps.push(CrosswalkMap {
                relationship,
                sources: ids(&map["sources"])
                    .iter()
                    .map(|id| apply(&source_rules, id))
                    .collect(),
                targets: ids(&map["targets"])
                    .iter()
                    .map(|id| apply(&target_rules, id))
                    .collect(),
            });
        }
    }
    if empty_with_ids {
        warnings.push(warn(
            "some sources or targets have an empty `with-ids`".into(),
        ));
    }
    if !unknown.is_empty() {
        unknown.sort();
        unknown.dedup();
        warnings.push(warn(format!(
            "maps with relationships outside OSCAL's vocabulary were skipped: {}",
            unknown.join(", ")
        )));
    }
    Ok(())
}
