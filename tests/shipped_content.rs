//! The shipped knowledge base: complete, cross-referenced, mapped, and checked against the real
//! NIST SP 800-53 and MITRE ATLAS data in ../shared/corpora.

use std::collections::{BTreeMap, BTreeSet};

use crate::common::{read, repo_root, shared};
use guidebook::pipeline::{self, BuildOptions};
use guidebook::resolve::Site;

fn site() -> Site {
    let options = BuildOptions {
        dest: None,
        deny_warnings: true,
        ..BuildOptions::default()
    };
    let rendered = pipeline::render_site(&repo_root(), &options)
        .unwrap_or_else(|e| panic!("shipped content must build cleanly: {e:?}"));
    assert!(
        rendered.diagnostics.is_empty(),
        "no warnings: {:#?}",
        rendered.diagnostics
    );
    rendered.site
}

const TITLES: [(&str, &str); 17] = [
    ("SD-1", "Raise staff awareness of threats and risks"),
    ("SD-2", "Model the threats to your system"),
    (
        "SD-3",
        "Design your system for security as well as functionality and performance",
    ),
    (
        "SD-4",
        "Consider security benefits and trade-offs when selecting your AI model",
    ),
    ("DEV-1", "Secure your supply chain"),
    ("DEV-2", "Identify, track and protect your assets"),
    ("DEV-3", "Document your data, models and prompts"),
    ("DEV-4", "Manage your technical debt"),
    ("DEP-1", "Secure your infrastructure"),
    ("DEP-2", "Protect your model continuously"),
    ("DEP-3", "Develop incident management procedures"),
    ("DEP-4", "Release AI responsibly"),
    ("DEP-5", "Make it easy for users to do the right things"),
    ("OPS-1", "Monitor your system's behaviour"),
    ("OPS-2", "Monitor your system's inputs"),
    ("OPS-3", "Follow a secure by design approach to updates"),
    ("OPS-4", "Collect and share lessons learned"),
];

#[test]
fn all_seventeen_guidelines_with_their_published_titles_in_order() {
    let site = site();
    let found: Vec<(&str, &str)> = site
        .guidelines
        .iter()
        .map(|g| {
            (
                g.guideline.meta.id.value.as_str(),
                g.guideline.meta.title.as_str(),
            )
        })
        .collect();
    assert_eq!(found, TITLES);
    let domains: Vec<&str> = site.domains.iter().map(|d| d.meta.title.as_str()).collect();
    assert_eq!(
        domains,
        [
            "Secure design",
            "Secure development",
            "Secure deployment",
            "Secure operation and maintenance"
        ]
    );
}

#[test]
fn every_guideline_has_two_examples_six_mapped_frameworks_and_a_review_date() {
    let site = site();
    for g in &site.guidelines {
        let id = &g.guideline.meta.id.value;
        assert!(
            g.examples.len() >= 2,
            "{id} has {} examples",
            g.examples.len()
        );
        assert!(
            g.guideline.meta.last_reviewed.is_some(),
            "{id} has no last-reviewed date"
        );
        // A `no-relationship` row records a deliberate "no": it does not count as a mapping.
        let frameworks: BTreeSet<usize> = g
            .mappings
            .iter()
            .filter(|m| m.relationship.as_str() != "no-relationship")
            .map(|m| m.framework)
            .collect();
        assert!(
            frameworks.len() >= 6,
            "{id} maps to {} frameworks",
            frameworks.len()
        );
        for m in &g.mappings {
            assert!(
                m.rationale.as_deref().is_some_and(|r| !r.trim().is_empty()),
                "{id}: mapping without rationale"
            );
            assert!(m.confidence.is_some(), "{id}: mapping without confidence");
        }
        assert!(
            !g.guideline.meta.references.is_empty(),
            "{id} cites no primary source"
        );
        assert!(!g.threats.is_empty(), "{id} addresses no threat");
        assert!(
            !g.guideline.meta.requirements.is_empty(),
            "{id} does not say what the source asks"
        );
    }
    assert!(site.examples.len() >= 34);
    assert!(
        site.examples
            .iter()
            .any(|e| e.example.meta.kind == guidebook::model::ExampleKind::AntiPattern)
    );
    for page in [
        "about",
        "responsibility",
        "further-reading",
        "mapping-disclaimer",
        "changelog",
    ] {
        assert!(site.page_by_slug(page).is_some(), "missing page {page}");
    }
}

fn framework<'a>(site: &'a Site, id: &str) -> &'a guidebook::resolve::Framework {
    &site.frameworks[site
        .framework_by_id(id)
        .unwrap_or_else(|| panic!("framework {id} is missing"))]
}

#[test]
fn catalogs_are_complete() {
    let site = site();
    assert_eq!(framework(&site, "nist-ai-rmf").controls.len(), 72);
    assert_eq!(framework(&site, "owasp-llm-2025").controls.len(), 10);
    assert_eq!(framework(&site, "mitre-atlas").controls.len(), 35);
    assert!(framework(&site, "iso-42001").controls.len() >= 38);
    let owasp: Vec<&str> = framework(&site, "owasp-llm-2025")
        .controls
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    let expected: Vec<String> = (1..=10).map(|n| format!("LLM{n:02}:2025")).collect();
    assert_eq!(owasp, expected);
    for f in &site.frameworks {
        assert!(
            f.version.is_some() && f.url.is_some() && f.license.is_some(),
            "{} lacks version, url or licence",
            f.id
        );
    }
}

/// Label -> (title, withdrawn) for every control and enhancement of the real OSCAL catalog.
fn oscal_800_53() -> BTreeMap<String, (String, bool)> {
    let text = read(&shared("corpora/oscal/nist-sp800-53-rev5-catalog.json"));
    let catalog: serde_json::Value = serde_json::from_str(&text).expect("OSCAL JSON");
    let mut out = BTreeMap::new();
    fn walk(controls: &serde_json::Value, out: &mut BTreeMap<String, (String, bool)>) {
        for control in controls.as_array().into_iter().flatten() {
            let props = control["props"].as_array().cloned().unwrap_or_default();
            let prop = |name: &str| {
                props
                    .iter()
                    .find(|p| p["name"] == name)
                    .and_then(|p| p["value"].as_str().map(String::from))
            };
            if let Some(label) = prop("label") {
                let withdrawn = prop("status").as_deref() == Some("withdrawn");
                out.insert(
                    label,
                    (
                        control["title"].as_str().unwrap_or_default().to_string(),
                        withdrawn,
                    ),
                );
            }
            walk(&control["controls"], out);
        }
    }
    for group in catalog["catalog"]["groups"]
        .as_array()
        .into_iter()
        .flatten()
    {
        walk(&group["controls"], &mut out);
    }
    out
}

#[test]
fn sp_800_53_controls_match_the_official_catalog() {
    let site = site();
    let official = oscal_800_53();
    assert!(
        official.len() > 1000,
        "read the real catalog ({} controls)",
        official.len()
    );
    for control in &framework(&site, "nist-sp-800-53").controls {
        let (title, withdrawn) = official
            .get(&control.id)
            .unwrap_or_else(|| panic!("{} is not in NIST SP 800-53 r5", control.id));
        assert_eq!(&control.title, title, "title of {}", control.id);
        assert!(!withdrawn, "{} is withdrawn", control.id);
    }
}

#[test]
fn atlas_mitigations_match_atlas_5_6() {
    let site = site();
    let text = read(&shared("corpora/atlas/ATLAS.yaml"));
    let atlas: serde_json::Value = serde_saphyr::from_str(&text).expect("ATLAS.yaml");
    let mut official = BTreeMap::new();
    for matrix in atlas["matrices"].as_array().into_iter().flatten() {
        for m in matrix["mitigations"].as_array().into_iter().flatten() {
            official.insert(
                m["id"].as_str().unwrap_or_default().to_string(),
                m["name"].as_str().unwrap_or_default().to_string(),
            );
        }
    }
    assert_eq!(official.len(), 35, "ATLAS 5.6.0 has 35 mitigations");
    let ours: BTreeMap<String, String> = framework(&site, "mitre-atlas")
        .controls
        .iter()
        .map(|c| (c.id.clone(), c.title.clone()))
        .collect();
    assert_eq!(ours, official);
}

/// The threat catalog is ATLAS 5.6.0's techniques: every id with its name, each with the
/// mitigations whose ATLAS entry lists it.
#[test]
fn atlas_techniques_match_atlas_5_6() {
    let site = site();
    let text = read(&shared("corpora/atlas/ATLAS.yaml"));
    let atlas: serde_json::Value = serde_saphyr::from_str(&text).expect("ATLAS.yaml");
    let mut official: BTreeMap<String, (String, BTreeSet<String>)> = BTreeMap::new();
    for matrix in atlas["matrices"].as_array().into_iter().flatten() {
        for t in matrix["techniques"].as_array().into_iter().flatten() {
            let name = t["name"].as_str().unwrap_or_default().to_string();
            official.insert(
                t["id"].as_str().unwrap_or_default().to_string(),
                (name, BTreeSet::new()),
            );
        }
        for m in matrix["mitigations"].as_array().into_iter().flatten() {
            let mitigation = m["id"].as_str().unwrap_or_default();
            for t in m["techniques"].as_array().into_iter().flatten() {
                if let Some(entry) = official.get_mut(t["id"].as_str().unwrap_or_default()) {
                    entry.1.insert(mitigation.to_string());
                }
            }
        }
    }
    assert_eq!(official.len(), 170, "ATLAS 5.6.0 has 170 techniques");
    let techniques = framework(&site, "mitre-atlas-techniques");
    assert!(techniques.is_threats());
    let mitigations = &site.frameworks[techniques.mitigations.expect("mitigations framework")];
    let ours: BTreeMap<String, (String, BTreeSet<String>)> = techniques
        .controls
        .iter()
        .map(|c| {
            let by = c
                .mitigated_by
                .iter()
                .map(|&m| mitigations.controls[m].id.clone());
            (c.id.clone(), (c.title.clone(), by.collect()))
        })
        .collect();
    assert_eq!(ours, official);
    let sd2 = &site.guidelines[site.guideline_by_id("SD-2").expect("SD-2")];
    assert!(
        sd2.threats.len() >= 3,
        "threat modelling names the threats it models"
    );
}

/// print.html is one document: its ids are unique, every link to an anchor lands on one of them,
/// and cross-references between printed pages point inside it (a printed PDF can follow them).
#[test]
fn print_is_one_document_with_unique_ids_and_inner_links() {
    let built = pipeline::render_site(&repo_root(), &BuildOptions::default()).expect("build");
    let print = crate::common::page(&built, "print.html");
    let attribute = |name: &str| -> Vec<String> {
        let marker = format!(" {name}=\"");
        print
            .split(marker.as_str())
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .map(str::to_string)
            .collect()
    };
    let ids = attribute("id");
    let unique: BTreeSet<&String> = ids.iter().collect();
    let mut seen = BTreeSet::new();
    let repeated: Vec<&String> = ids.iter().filter(|id| !seen.insert(*id)).collect();
    assert!(repeated.is_empty(), "repeated ids: {repeated:?}");
    let hrefs = attribute("href");
    let inner: Vec<&String> = hrefs.iter().filter(|h| h.starts_with('#')).collect();
    assert!(
        inner.len() > 100,
        "cross-references point inside: {}",
        inner.len()
    );
    let dangling: Vec<&&String> = inner
        .iter()
        .filter(|h| !unique.contains(&h[1..].to_string()))
        .collect();
    assert!(dangling.is_empty(), "links to no anchor: {dangling:?}");
    // The guideline and example pages are all in print.html: no body link leaves for them (the
    // sidebar's links to the site's pages are navigation, not cross-references).
    let main = &print[print.find("<main").expect("main")..];
    let leaving: Vec<&str> = main
        .split(" href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|h| {
            h.starts_with("guidelines/")
                || h.starts_with("examples/") && h != &"examples/index.html"
        })
        .collect();
    assert!(leaving.is_empty(), "links leaving print.html: {leaving:?}");
    assert!(
        print.contains(r##"href="#guidelines-sd-2""##),
        "a cross-reference to SD-2 points at its section"
    );
    assert!(print.contains(r#"<section class="print-guideline" id="guidelines-sd-2">"#));
}
