//! The whole resolved model as JSON, with a JSON Schema generated from the same types.

use schemars::JsonSchema;
use serde::Serialize;

use crate::resolve::Site;

pub const MODEL_VERSION: u32 = 1;

/// A guidebook knowledge base, resolved: every reference checked, relations in both directions.
#[derive(Serialize, JsonSchema)]
pub struct Model {
    /// Version of this export format.
    pub format_version: u32,
    pub title: String,
    pub domains: Vec<DomainDump>,
    pub guidelines: Vec<GuidelineDump>,
    pub examples: Vec<ExampleDump>,
    pub frameworks: Vec<FrameworkDump>,
}

#[derive(Serialize, JsonSchema)]
pub struct DomainDump {
    pub id: String,
    pub title: String,
    pub summary: Option<String>,
    /// Ids of the domain's guidelines, in reading order.
    pub guidelines: Vec<String>,
}

#[derive(Serialize, JsonSchema)]
pub struct GuidelineDump {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub domain: String,
    pub tags: Vec<String>,
    pub roles: Vec<String>,
    /// When the guideline was last checked against its sources (`YYYY-MM-DD`).
    pub last_reviewed: Option<String>,
    /// Markdown body.
    pub body: String,
    pub mappings: Vec<MappingDump>,
    /// Mappings derived through crosswalks (not authored; never in the mapping-collections).
    pub derived_mappings: Vec<DerivedDump>,
    /// The threats it addresses (entries of threat catalogs).
    pub threats: Vec<ThreatDump>,
    /// What the source document asks for.
    pub requirements: Vec<String>,
    /// Practice recommended beyond the source.
    pub added_practice: Vec<String>,
    pub related: Vec<RelatedDump>,
    /// Guidelines that cite this one.
    pub referenced_by: Vec<RelatedDump>,
    /// Ids of the examples that illustrate it.
    pub examples: Vec<String>,
    pub references: Vec<ReferenceDump>,
    /// Source file, relative to the book root.
    pub source: String,
}

#[derive(Serialize, JsonSchema)]
pub struct MappingDump {
    pub framework: String,
    pub control: String,
    /// OSCAL relationship: equivalent-to, equal-to, subset-of, superset-of, intersects-with, no-relationship.
    pub relationship: String,
    pub confidence: Option<String>,
    pub rationale: Option<String>,
}

#[derive(Serialize, JsonSchema)]
pub struct DerivedDump {
    pub framework: String,
    pub control: String,
    /// The composed OSCAL relationship.
    pub relationship: String,
    /// Always true: a derived mapping.
    pub derived: bool,
    /// The crosswalk (its file name under crosswalks/) it comes through.
    pub via: String,
    /// The authored mapping it comes from.
    pub from_framework: String,
    pub from_control: String,
}

#[derive(Serialize, JsonSchema)]
pub struct ThreatDump {
    pub framework: String,
    pub id: String,
}

#[derive(Serialize, JsonSchema)]
pub struct RelatedDump {
    pub id: String,
    /// see-also, requires or supports.
    pub kind: String,
    pub note: Option<String>,
}

#[derive(Serialize, JsonSchema)]
pub struct ReferenceDump {
    pub title: String,
    pub url: String,
}

#[derive(Serialize, JsonSchema)]
pub struct ExampleDump {
    pub id: String,
    pub title: String,
    /// practice, anti-pattern or case-study.
    pub kind: String,
    pub guidelines: Vec<String>,
    pub tags: Vec<String>,
    pub body: String,
}

#[derive(Serialize, JsonSchema)]
pub struct FrameworkDump {
    pub id: String,
    pub name: String,
    pub version: Option<String>,
    pub url: Option<String>,
    /// `controls`, or `threats` for a threat catalog.
    pub kind: crate::model::CatalogKind,
    pub controls: Vec<ControlDump>,
}

#[derive(Serialize, JsonSchema)]
pub struct ControlDump {
    pub id: String,
    pub title: String,
    pub withdrawn: bool,
    /// Ids of the guidelines mapped to this control.
    pub mapped_by: Vec<String>,
    /// For a threat: ids of the guidelines that address it.
    pub addressed_by: Vec<String>,
    /// For a threat: ids of the controls (of the catalog's mitigations framework) that counter it.
    pub mitigated_by: Vec<String>,
    pub properties: std::collections::BTreeMap<String, String>,
}

/// The model of the whole site, or of one part of a large site (its guidelines, their domains
/// and examples, and every framework; the first part also what belongs to no guideline).
pub fn dump(site: &Site, part: Option<&super::Part>) -> Model {
    let all: Vec<usize>;
    let selected: &[usize] = match part {
        Some(part) => &part.guidelines,
        None => {
            all = (0..site.guidelines.len()).collect();
            &all
        }
    };
    let chosen: std::collections::HashSet<usize> = selected.iter().copied().collect();
    let id_of = |g: usize| site.guidelines[g].guideline.meta.id.value.clone();
    let related = |links: &[crate::resolve::Link]| -> Vec<RelatedDump> {
        links
            .iter()
            .map(|l| RelatedDump {
                id: id_of(l.guideline),
                kind: l.kind.as_str().into(),
                note: l.note.clone(),
            })
            .collect()
    };
    Model {
        format_version: MODEL_VERSION,
        title: site.config.title().to_string(),
        domains: (0..site.domains.len())
            .filter(|d| part.is_none_or(|p| p.domains.contains(d)))
            .map(|d| DomainDump {
                id: site.domains[d].meta.id.value.clone(),
                title: site.domains[d].meta.title.clone(),
                summary: site.domains[d].meta.summary.clone(),
                guidelines: (site.guidelines_of(d))
                    .filter(|g| chosen.contains(g))
                    .map(id_of)
                    .collect(),
            })
            .collect(),
        guidelines: selected
            .iter()
            .map(|&g| &site.guidelines[g])
            .map(|g| {
                let meta = &g.guideline.meta;
                GuidelineDump {
                    id: meta.id.value.clone(),
                    title: meta.title.clone(),
                    summary: meta.summary.clone(),
                    domain: site.domains[g.domain].meta.id.value.clone(),
                    tags: meta.tags.clone(),
                    roles: meta.roles.iter().map(|r| r.value.clone()).collect(),
                    last_reviewed: meta.last_reviewed.as_ref().map(|d| d.iso().to_string()),
                    body: g.guideline.body.trim().to_string(),
                    mappings: g
                        .mappings
                        .iter()
                        .map(|m| MappingDump {
                            framework: site.frameworks[m.framework].id.clone(),
                            control: site.frameworks[m.framework].controls[m.control].id.clone(),
                            relationship: m.relationship.as_str().into(),
                            confidence: m.confidence.map(|c| format!("{c:?}").to_lowercase()),
                            rationale: m.rationale.clone(),
                        })
                        .collect(),
                    derived_mappings: (g.derived.iter())
                        .map(|d| {
                            let from = &g.mappings[d.from];
                            let source = &site.frameworks[from.framework];
                            DerivedDump {
                                framework: site.frameworks[d.framework].id.clone(),
                                control: site.frameworks[d.framework].controls[d.control]
                                    .id
                                    .clone(),
                                relationship: d.relationship.as_str().into(),
                                derived: true,
                                via: site.crosswalks[d.crosswalk].name.clone(),
                                from_framework: source.id.clone(),
                                from_control: source.controls[from.control].id.clone(),
                            }
                        })
                        .collect(),
                    threats: (g.threats.iter())
                        .map(|t| ThreatDump {
                            framework: site.frameworks[t.framework].id.clone(),
                            id: site.frameworks[t.framework].controls[t.control].id.clone(),
                        })
                        .collect(),
                    requirements: meta.requirements.clone(),
                    added_practice: meta.added_practice.clone(),
                    related: related(&g.related),
                    referenced_by: related(&g.backlinks),
                    examples: g
                        .examples
                        .iter()
                        .map(|&e| site.examples[e].example.meta.id.value.clone())
                        .collect(),
                    references: meta
                        .references
                        .iter()
                        .map(|r| ReferenceDump {
                            title: r.title.clone(),
                            url: r.url.clone(),
                        })
                        .collect(),
                    source: crate::safe_path::slash_path(&g.guideline.source.path),
                }
            })
            .collect(),
        examples: site
            .examples
            .iter()
            .filter(|e| {
                // In a part: the examples of its guidelines (those of none, in the first part).
                part.is_none_or(|p| {
                    e.guidelines.iter().any(|g| chosen.contains(g))
                        || (e.guidelines.is_empty() && p.first)
                })
            })
            .map(|e| ExampleDump {
                id: e.example.meta.id.value.clone(),
                title: e.example.meta.title.clone(),
                kind: e.example.meta.kind.as_str().into(),
                guidelines: e.guidelines.iter().map(|&g| id_of(g)).collect(),
                tags: e.example.meta.tags.clone(),
                body: e.example.body.trim().to_string(),
            })
            .collect(),
        frameworks: site
            .frameworks
            .iter()
            .map(|f| FrameworkDump {
                id: f.id.clone(),
                name: f.name.clone(),
                version: f.version.clone(),
                url: f.url.clone(),
                kind: f.kind,
                controls: f
                    .controls
                    .iter()
                    .map(|c| ControlDump {
                        id: c.id.clone(),
                        title: c.title.clone(),
                        withdrawn: c.withdrawn,
                        mapped_by: c.mapped_by.iter().map(|m| id_of(m.guideline)).collect(),
                        addressed_by: c.addressed_by.iter().map(|&g| id_of(g)).collect(),
                        mitigated_by: (f.mitigations.iter())
                            .flat_map(|&m| {
                                let mitigations = &site.frameworks[m];
                                c.mitigated_by
                                    .iter()
                                    .map(|&mc| mitigations.controls[mc].id.clone())
                            })
                            .collect(),
                        properties: c.properties.clone(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

pub fn schema() -> schemars::Schema {
    schemars::schema_for!(Model)
}
