//! The guidelines as an OSCAL 1.2.1 catalog, and one mapping-collection per framework.

use rayon::prelude::*;
use serde_json::{Value, json};

use crate::resolve::Site;

pub const OSCAL_VERSION: &str = "1.2.1";

/// A stable UUID (version 5 layout) for `name`: the same content always exports the same ids.
pub fn uuid(name: &str) -> String {
    let a = fnv1a64(name.as_bytes(), 0xcbf2_9ce4_8422_2325);
    let b = fnv1a64(name.as_bytes(), 0x6c62_272e_07bb_0142);
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&a.to_be_bytes());
    bytes[8..].copy_from_slice(&b.to_be_bytes());
    bytes[6] = (bytes[6] & 0x0f) | 0x50;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

fn fnv1a64(bytes: &[u8], seed: u64) -> u64 {
    bytes.iter().fold(seed, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// An OSCAL token (NCName) for an id: `SD-1` stays, `1st` becomes `_1st`.
pub fn token(id: &str) -> String {
    let mut out: String = id
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}

/// The date-time the exports carry, never the clock (see `GuidebookSection::last_modified`).
fn last_modified(site: &Site) -> String {
    if let Some(value) = &site.config.guidebook.last_modified {
        return value.clone();
    }
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .map_or_else(|| "1970-01-01T00:00:00Z".into(), epoch_to_rfc3339)
}

/// Seconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ` (civil-from-days, proleptic Gregorian).
fn epoch_to_rfc3339(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let rest = seconds.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

fn metadata(site: &Site, title: String) -> Value {
    json!({
        "title": title,
        "last-modified": last_modified(site),
        "version": "1.0",
        "oscal-version": OSCAL_VERSION,
    })
}

/// The guidelines as a catalog: one group per domain, one control per guideline, its summary as
/// the statement and its body as guidance, cross-references as links.
///
/// A part of a large site is a catalog of its own, with its domains as groups.
pub fn catalog(site: &Site, part: Option<&super::Part>) -> Value {
    let chosen: Option<std::collections::HashSet<usize>> =
        part.map(|p| p.guidelines.iter().copied().collect());
    let wanted = |g: &usize| chosen.as_ref().is_none_or(|c| c.contains(g));
    let groups: Vec<Value> = (0..site.domains.len())
        .filter(|d| part.is_none_or(|p| p.domains.contains(d)))
        .map(|d| {
            let domain = &site.domains[d];
            let mut group = json!({
                "id": token(&domain.meta.id.value),
                "class": "domain",
                "title": domain.meta.title,
            });
            let guidelines: Vec<usize> = site.guidelines_of(d).filter(wanted).collect();
            // OSCAL allows no empty list: a domain without guidelines has no `controls`.
            if !guidelines.is_empty() {
                group["controls"] = Value::Array(guidelines.into_par_iter().map(|g| guideline_control(site, g)).collect());
            }
            if let Some(summary) = &domain.meta.summary {
                group["parts"] = json!([{ "id": format!("{}_ovw", token(&domain.meta.id.value)), "name": "overview", "prose": summary }]);
            }
            group
        })
        .collect();
    let (name, title) = match part {
        None => (String::new(), site.config.title().to_string()),
        Some(part) => (
            format!(":{}", part.name),
            format!("{} ({})", site.config.title(), part.name),
        ),
    };
    json!({
        "catalog": {
            "uuid": uuid(&format!("catalog:{}{name}", site.config.title())),
            "metadata": metadata(site, title),
            "groups": groups,
        }
    })
}

fn guideline_control(site: &Site, g: usize) -> Value {
    let resolved = &site.guidelines[g];
    let meta = &resolved.guideline.meta;
    let id = token(&meta.id.value);
    let mut parts =
        vec![json!({ "id": format!("{id}_smt"), "name": "statement", "prose": meta.summary })];
    if !resolved.guideline.body.trim().is_empty() {
        parts.push(json!({ "id": format!("{id}_gdn"), "name": "guidance", "prose": resolved.guideline.body.trim() }));
    }
    let mut links: Vec<Value> = resolved
        .related
        .iter()
        .map(|l| json!({ "href": format!("#{}", token(&site.guidelines[l.guideline].guideline.meta.id.value)), "rel": l.kind.as_str() }))
        .collect();
    links.extend(
        meta.references
            .iter()
            .map(|r| json!({ "href": r.url, "rel": "reference", "text": r.title })),
    );
    let mut props = vec![json!({ "name": "label", "value": meta.id.value })];
    props.extend(
        meta.tags
            .iter()
            .map(|t| json!({ "name": "keyword", "value": t })),
    );
    let mut control = json!({
        "id": id,
        "class": "guideline",
        "title": meta.title,
        "props": props,
        "parts": parts,
    });
    if !links.is_empty() {
        control["links"] = Value::Array(links);
    }
    control
}

/// One mapping-collection per framework that any guideline maps to: source = our catalog,
/// target = that framework. When the site publishes the catalog in parts, the collection has a
/// mapping per part, each naming its part as the source.
pub fn mapping_collections(site: &Site, parts: Option<&[super::Part]>) -> Vec<(String, Value)> {
    let all: Vec<usize> = (0..site.guidelines.len()).collect();
    let sources: Vec<(String, String, &[usize])> = match parts {
        None => vec![(String::new(), "../guidelines.oscal.json".into(), &all)],
        Some(parts) => (parts.iter())
            .map(|p| {
                (
                    format!(":{}", p.name),
                    format!("../parts/{}.oscal.json", p.name),
                    p.guidelines.as_slice(),
                )
            })
            .collect(),
    };
    site.frameworks
        .iter()
        .enumerate()
        .filter_map(|(f, framework)| {
            let target_href = framework.url.clone().unwrap_or_else(|| format!("#{}", framework.id));
            let mappings: Vec<Value> = sources
                .iter()
                .filter_map(|(part, href, guidelines)| {
                    let maps = maps_to(site, f, guidelines);
                    (!maps.is_empty()).then(|| json!({
                        "uuid": uuid(&format!("mapping:{}:{}{part}", site.config.title(), framework.id)),
                        "source-resource": { "type": "catalog", "href": href },
                        "target-resource": { "type": "catalog", "href": target_href },
                        "maps": maps,
                    }))
                })
                .collect();
            if mappings.is_empty() {
                return None;
            }
            let collection = json!({
                "mapping-collection": {
                    "uuid": uuid(&format!("mapping-collection:{}:{}", site.config.title(), framework.id)),
                    "metadata": metadata(site, format!("{} to {}", site.config.title(), framework.name)),
                    "provenance": {
                        "method": "human",
                        "matching-rationale": "semantic",
                        "status": "complete",
                        "mapping-description": format!(
                            "Mappings from the guidelines of {} to {}{}. A mapping is guidance, not a compliance claim.",
                            site.config.title(),
                            framework.name,
                            framework.version.as_deref().map(|v| format!(" (version {v})")).unwrap_or_default()
                        ),
                    },
                    "mappings": mappings,
                }
            });
            Some((framework.id.clone(), collection))
        })
        .collect()
}

/// The maps from `guidelines` to framework `f`.
fn maps_to(site: &Site, f: usize, guidelines: &[usize]) -> Vec<Value> {
    let framework = &site.frameworks[f];
    (guidelines.iter().map(|&g| &site.guidelines[g]))
        .flat_map(|g| g.mappings.iter().map(move |m| (g, m)))
        .filter(|(_, m)| m.framework == f)
        .map(|(g, m)| {
            let source = &g.guideline.meta.id.value;
            let target = &framework.controls[m.control].id;
            let mut map = json!({
                "uuid": uuid(&format!("map:{}:{source}:{target}", framework.id)),
                "relationship": m.relationship.as_str(),
                "sources": [{ "type": "control", "id-ref": token(source) }],
                "targets": [{ "type": "control", "id-ref": target }],
            });
            if let Some(confidence) = m.confidence {
                map["props"] = json!([{ "name": "confidence", "value": format!("{confidence:?}").to_lowercase() }]);
            }
            if let Some(rationale) = &m.rationale {
                map["remarks"] = json!(rationale);
            }
            map
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_stable_version_5_layout() {
        let a = uuid("x");
        assert_eq!(a, uuid("x"));
        assert_ne!(a, uuid("y"));
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "5");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"), "{a}");
    }

    #[test]
    fn tokens_and_dates() {
        assert_eq!(token("SD-1"), "SD-1");
        assert_eq!(token("1st item"), "_1st_item");
        assert_eq!(epoch_to_rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(epoch_to_rfc3339(1_764_028_800), "2025-11-25T00:00:00Z");
    }
}
