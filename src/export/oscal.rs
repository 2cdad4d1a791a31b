//! The guidelines as an OSCAL 1.2.1 catalog, and one mapping-collection per framework.

use rayon::prelude::*;
use serde::Serialize;

use crate::resolve::Site;

pub const OSCAL_VERSION: &str = "1.2.1";

/// The namespace of every UUID guidebook exports: the version 5 UUID of the URN
/// `urn:guidebook:oscal` in RFC 9562's URL namespace (a test derives it again).
const NAMESPACE: uuid::Uuid = uuid::uuid!("4489e180-bd0b-5953-ba3f-5b3bb979093b");

/// A stable UUID for `name`: RFC 9562 version 5 (SHA-1, name-based) in [`NAMESPACE`], so the
/// same content always exports the same ids, and tools that check a UUID's version find it
/// true.
pub fn uuid(name: &str) -> String {
    uuid::Uuid::new_v5(&NAMESPACE, name.as_bytes())
        .hyphenated()
        .to_string()
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

// The documents below are typed, borrowing from the site: at 10,000 guidelines building them
// as `serde_json::Value`s copied every body and made a map per object. Fields are declared in
// alphabetical order, the order `Value` wrote them in, so the files are byte for byte the same.

#[derive(Serialize)]
struct Metadata {
    #[serde(rename = "last-modified")]
    last_modified: String,
    #[serde(rename = "oscal-version")]
    oscal_version: &'static str,
    title: String,
    version: &'static str,
}

fn metadata(site: &Site, title: String) -> Metadata {
    Metadata {
        last_modified: last_modified(site),
        oscal_version: OSCAL_VERSION,
        title,
        version: "1.0",
    }
}

#[derive(Serialize)]
pub struct CatalogFile<'a> {
    catalog: Catalog<'a>,
}

#[derive(Serialize)]
struct Catalog<'a> {
    groups: Vec<Group<'a>>,
    metadata: Metadata,
    uuid: String,
}

#[derive(Serialize)]
struct Group<'a> {
    class: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    controls: Vec<Control<'a>>,
    id: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    parts: Vec<Part<'a>>,
    title: &'a str,
}

#[derive(Serialize)]
struct Control<'a> {
    class: &'a str,
    id: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    links: Vec<Link<'a>>,
    parts: Vec<Part<'a>>,
    props: Vec<Prop<'a>>,
    title: &'a str,
}

#[derive(Serialize)]
struct Part<'a> {
    id: String,
    name: &'a str,
    prose: &'a str,
}

#[derive(Serialize)]
struct Link<'a> {
    href: std::borrow::Cow<'a, str>,
    rel: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
}

#[derive(Serialize)]
struct Prop<'a> {
    name: &'a str,
    value: std::borrow::Cow<'a, str>,
}

/// The guidelines as a catalog: one group per domain, one control per guideline, its summary as
/// the statement and its body as guidance, cross-references as links.
///
/// A part of a large site is a catalog of its own, with its domains as groups.
pub fn catalog<'a>(site: &'a Site, part: Option<&super::Part>) -> CatalogFile<'a> {
    let chosen: Option<std::collections::HashSet<usize>> =
        part.map(|p| p.guidelines.iter().copied().collect());
    let wanted = |g: &usize| chosen.as_ref().is_none_or(|c| c.contains(g));
    let groups: Vec<Group<'a>> = (0..site.domains.len())
        .filter(|d| part.is_none_or(|p| p.domains.contains(d)))
        .map(|d| {
            let domain = &site.domains[d];
            let guidelines: Vec<usize> = site.guidelines_of(d).filter(wanted).collect();
            // OSCAL allows no empty list: a domain without guidelines has no `controls`.
            let controls = guidelines
                .into_par_iter()
                .map(|g| guideline_control(site, g))
                .collect();
            let parts = (domain.meta.summary.iter())
                .map(|summary| Part {
                    id: format!("{}_ovw", token(&domain.meta.id.value)),
                    name: "overview",
                    prose: summary,
                })
                .collect();
            Group {
                class: "domain",
                controls,
                id: token(&domain.meta.id.value),
                parts,
                title: &domain.meta.title,
            }
        })
        .collect();
    let (name, title) = match part {
        None => (String::new(), site.config.title().to_string()),
        Some(part) => (
            format!(":{}", part.name),
            format!("{} ({})", site.config.title(), part.name),
        ),
    };
    CatalogFile {
        catalog: Catalog {
            groups,
            metadata: metadata(site, title),
            uuid: uuid(&format!("catalog:{}{name}", site.config.title())),
        },
    }
}

fn guideline_control(site: &Site, g: usize) -> Control<'_> {
    let resolved = &site.guidelines[g];
    let meta = &resolved.guideline.meta;
    let id = token(&meta.id.value);
    let mut parts = vec![Part {
        id: format!("{id}_smt"),
        name: "statement",
        prose: &meta.summary,
    }];
    let body = resolved.guideline.body.trim();
    if !body.is_empty() {
        parts.push(Part {
            id: format!("{id}_gdn"),
            name: "guidance",
            prose: body,
        });
    }
    let related = resolved.related.iter().map(|l| Link {
        href: format!(
            "#{}",
            token(&site.guidelines[l.guideline].guideline.meta.id.value)
        )
        .into(),
        rel: l.kind.as_str(),
        text: None,
    });
    let references = meta.references.iter().map(|r| Link {
        href: r.url.as_str().into(),
        rel: "reference",
        text: Some(&r.title),
    });
    let label = Prop {
        name: "label",
        value: meta.id.value.as_str().into(),
    };
    let keywords = meta.tags.iter().map(|t| Prop {
        name: "keyword",
        value: t.as_str().into(),
    });
    Control {
        class: "guideline",
        id,
        links: related.chain(references).collect(),
        parts,
        props: std::iter::once(label).chain(keywords).collect(),
        title: &meta.title,
    }
}

#[derive(Serialize)]
pub struct MappingCollectionFile<'a> {
    #[serde(rename = "mapping-collection")]
    mapping_collection: MappingCollection<'a>,
}

#[derive(Serialize)]
struct MappingCollection<'a> {
    mappings: Vec<Mapping<'a>>,
    metadata: Metadata,
    provenance: Provenance,
    uuid: String,
}

#[derive(Serialize)]
struct Provenance {
    #[serde(rename = "mapping-description")]
    mapping_description: String,
    #[serde(rename = "matching-rationale")]
    matching_rationale: &'static str,
    method: &'static str,
    status: &'static str,
}

#[derive(Serialize)]
struct Mapping<'a> {
    maps: Vec<Map<'a>>,
    #[serde(rename = "source-resource")]
    source_resource: Resource,
    #[serde(rename = "target-resource")]
    target_resource: Resource,
    uuid: String,
}

#[derive(Serialize)]
struct Resource {
    href: String,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct Map<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    props: Option<[Prop<'a>; 1]>,
    relationship: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    remarks: Option<&'a str>,
    sources: [ControlRef<'a>; 1],
    targets: [ControlRef<'a>; 1],
    uuid: String,
}

#[derive(Serialize)]
struct ControlRef<'a> {
    #[serde(rename = "id-ref")]
    id_ref: std::borrow::Cow<'a, str>,
    #[serde(rename = "type")]
    kind: &'a str,
}

/// One mapping-collection per framework that any guideline maps to: source = our catalog,
/// target = that framework. When the site publishes the catalog in parts, the collection has a
/// mapping per part, each naming its part as the source.
pub fn mapping_collections<'a>(
    site: &'a Site,
    parts: Option<&[super::Part]>,
) -> Vec<(String, MappingCollectionFile<'a>)> {
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
    let title = site.config.title();
    site.frameworks
        .iter()
        .enumerate()
        .filter_map(|(f, framework)| {
            let target_href = (framework.url.clone())
                .unwrap_or_else(|| format!("#{}", framework.id));
            let mappings: Vec<Mapping<'a>> = sources
                .iter()
                .filter_map(|(part, href, guidelines)| {
                    let maps = maps_to(site, f, guidelines);
                    (!maps.is_empty()).then(|| Mapping {
                        maps,
                        source_resource: Resource {
                            href: href.clone(),
                            kind: "catalog",
                        },
                        target_resource: Resource {
                            href: target_href.clone(),
                            kind: "catalog",
                        },
                        uuid: uuid(&format!("mapping:{title}:{}{part}", framework.id)),
                    })
                })
                .collect();
            if mappings.is_empty() {
                return None;
            }
            let version = framework.version.as_deref().map(|v| format!(" (version {v})"));
            let collection = MappingCollectionFile {
                mapping_collection: MappingCollection {
                    mappings,
                    metadata: metadata(site, format!("{title} to {}", framework.name)),
                    provenance: Provenance {
                        mapping_description: format!(
                            "Mappings from the guidelines of {title} to {}{}. A mapping is guidance, not a compliance claim.",
                            framework.name,
                            version.unwrap_or_default()
                        ),
                        matching_rationale: "semantic",
                        method: "human",
                        status: "complete",
                    },
                    uuid: uuid(&format!("mapping-collection:{title}:{}", framework.id)),
                },
            };
            Some((framework.id.clone(), collection))
        })
        .collect()
}

/// The maps from `guidelines` to framework `f`.
fn maps_to<'a>(site: &'a Site, f: usize, guidelines: &[usize]) -> Vec<Map<'a>> {
    let framework = &site.frameworks[f];
    (guidelines.iter().map(|&g| &site.guidelines[g]))
        .flat_map(|g| g.mappings.iter().map(move |m| (g, m)))
        .filter(|(_, m)| m.framework == f)
        .map(|(g, m)| {
            let source = &g.guideline.meta.id.value;
            let target = &framework.controls[m.control].id;
            Map {
                props: m.confidence.map(|confidence| {
                    [Prop {
                        name: "confidence",
                        value: format!("{confidence:?}").to_lowercase().into(),
                    }]
                }),
                relationship: m.relationship.as_str(),
                remarks: m.rationale.as_deref(),
                sources: [ControlRef {
                    id_ref: token(source).into(),
                    kind: "control",
                }],
                targets: [ControlRef {
                    id_ref: target.as_str().into(),
                    kind: "control",
                }],
                uuid: uuid(&format!("map:{}:{source}:{target}", framework.id)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_namespace_is_the_urn_in_the_url_namespace() {
        let derived = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, b"urn:guidebook:oscal");
        assert_eq!(NAMESPACE, derived, "NAMESPACE should be {derived}");
    }

    /// A value computed outside this crate (Python's `uuid.uuid5`), so a change of namespace
    /// or of name encoding shows.
    #[test]
    fn uuids_are_version_5_of_the_name() {
        let a = uuid("map:nist-sp-800-53:SD-1:AC-2");
        assert_eq!(a, "a5312248-a106-5fd6-a15e-d96b3e3bbb05");
        assert_eq!(a, uuid("map:nist-sp-800-53:SD-1:AC-2"));
        assert_ne!(a, uuid("map:nist-sp-800-53:SD-1:AC-3"));
        assert_eq!(&a[14..15], "5");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"), "{a}");
    }

    /// The typed documents write their keys in the order a `serde_json::Value` (a sorted map)
    /// wrote them, so the files stay byte for byte what they were.
    #[test]
    fn keys_come_in_the_order_of_a_json_value() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let (site, _) = crate::pipeline::resolve_site(root).expect("the shipped content resolves");
        let as_value_writes = |text: &str| {
            let value: serde_json::Value = serde_json::from_str(text).expect("JSON");
            serde_json::to_string_pretty(&value).expect("serializes")
        };
        let catalog = serde_json::to_string_pretty(&catalog(&site, None)).expect("serializes");
        assert_eq!(catalog, as_value_writes(&catalog));
        let collections = mapping_collections(&site, None);
        assert!(
            collections.len() > 3,
            "the shipped content maps to several frameworks"
        );
        for (_, collection) in collections {
            let text = serde_json::to_string_pretty(&collection).expect("serializes");
            assert!(
                text.contains("\"remarks\"") || text.contains("\"props\""),
                "{text}"
            );
            assert_eq!(text, as_value_writes(&text));
        }
    }

    #[test]
    fn tokens_and_dates() {
        assert_eq!(token("SD-1"), "SD-1");
        assert_eq!(token("1st item"), "_1st_item");
        assert_eq!(epoch_to_rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(epoch_to_rfc3339(1_764_028_800), "2025-11-25T00:00:00Z");
    }
}
