//! Crosswalks: NIST's AI RMF to ISO/IEC 42001 mapping-collection as published (from
//! ../shared/corpora), its ids rewritten by the sidecar, imported despite its schema faults
//! (warnings), and the mappings it derives shown apart from the authored ones.

use crate::common::{Book, page, shared};

const COLLECTION: &str = "corpora/oscal/mappings/nist-ai-rmf-to-iso-42001.json";
const SIDECAR: &str = "oscal: nist-ai-rmf-to-iso-42001.json
source: nist-ai-rmf
target: iso-42001
ids:
  source:
    - { match: '^GV-', replace: 'GOVERN ' }
    - { match: '^MP-', replace: 'MAP ' }
    - { match: '^MS-', replace: 'MEASURE ' }
    - { match: '^MG-', replace: 'MANAGE ' }
  target:
    - { match: '^iso-iec-42001_B-', replace: 'A-' }
    - { match: '-', replace: '.' }
";

fn book() -> Book {
    let book = Book::shipped();
    let collection = std::fs::read_to_string(shared(COLLECTION)).unwrap_or_else(|e| {
        panic!("MISSING ../shared/{COLLECTION} ({e}): the crosswalk tests need it")
    });
    book.write(
        "content/crosswalks/nist-ai-rmf-to-iso-42001.json",
        &collection,
    );
    book.write("content/crosswalks/ai-rmf-to-iso.yaml", SIDECAR);
    book
}

#[test]
fn a_crosswalk_derives_mappings_shown_apart_from_authored_ones() {
    let book = book();
    let built = book.build();
    let site = &built.site;
    let iso = site.framework_by_id("iso-42001").expect("iso");
    let rmf = site.framework_by_id("nist-ai-rmf").expect("rmf");
    let id_of = |f: usize, c: usize| site.frameworks[f].controls[c].id.as_str();

    // SD-3 maps GOVERN 6.1, which the crosswalk relates to A.10.2 and A.10.3; SD-3 maps A.10.3
    // itself, so only A.10.2 is derived, intersecting (intersects-with then intersects-with).
    let sd3 = &site.guidelines[site.guideline_by_id("SD-3").expect("SD-3")];
    let derived: Vec<(&str, &str, &str)> = (sd3.derived.iter())
        .filter(|d| d.framework == iso)
        .map(|d| {
            let from = &sd3.mappings[d.from];
            (
                id_of(d.framework, d.control),
                d.relationship.as_str(),
                id_of(from.framework, from.control),
            )
        })
        .collect();
    assert!(
        derived.contains(&("A.10.2", "intersects-with", "GOVERN 6.1")),
        "{derived:?}"
    );
    assert!(
        !derived.iter().any(|d| d.0 == "A.10.3"),
        "authored mappings are not derived again"
    );
    // And backwards: from A.10.3 (the target side) to MANAGE 3.1, which SD-3 does not map.
    assert!(
        sd3.derived
            .iter()
            .any(|d| d.framework == rmf && id_of(rmf, d.control) == "MANAGE 3.1"),
        "target-to-source derivation"
    );

    let html = page(&built, "guidelines/sd-3.html");
    let section = html
        .split(r#"<h2 id="derived">"#)
        .nth(1)
        .expect("a derived section");
    assert!(section.contains("<code>A.10.2</code>") && section.contains("derived"));
    assert!(section.contains("NIST AI RMF Generative AI Profile to ISO/IEC 42001:2023 Mapping"));

    let model: serde_json::Value =
        serde_json::from_str(&page(&built, "exports/model.json")).expect("model.json");
    let sd3_dump = (model["guidelines"].as_array().expect("guidelines"))
        .iter()
        .find(|g| g["id"] == "SD-3")
        .expect("SD-3");
    let a102 = (sd3_dump["derived_mappings"].as_array().expect("derived"))
        .iter()
        .find(|d| d["control"] == "A.10.2")
        .expect("A.10.2 derived");
    assert_eq!(a102["derived"], true);
    assert_eq!(a102["via"], "ai-rmf-to-iso");

    // The mapping-collection of authored mappings holds none of them.
    let collection: serde_json::Value =
        serde_json::from_str(&page(&built, "exports/mappings/iso-42001.oscal.json")).expect("json");
    let maps = collection["mapping-collection"]["mappings"][0]["maps"]
        .as_array()
        .expect("maps")
        .len();
    let authored: usize = (site.guidelines.iter())
        .map(|g| g.mappings.iter().filter(|m| m.framework == iso).count())
        .sum();
    assert_eq!(maps, authored);
    assert!(
        built
            .output
            .get("crosswalks/nist-ai-rmf-to-iso-42001.json")
            .is_none(),
        "an input"
    );
}

#[test]
fn its_schema_faults_and_unknown_ids_are_warnings() {
    let book = book();
    let built = book.build();
    let codes: Vec<(&str, &str)> = (built.diagnostics.iter())
        .map(|d| (d.code, d.message.as_str()))
        .collect();
    let schema = codes
        .iter()
        .find(|(c, _)| *c == "crosswalk-schema")
        .expect("schema warning");
    assert!(schema.1.contains("`manual`"), "{schema:?}");
    let ids: Vec<&&str> = (codes.iter())
        .filter(|(c, _)| *c == "crosswalk-ids")
        .map(|(_, m)| m)
        .collect();
    assert_eq!(ids.len(), 1, "one warning with counts: {ids:?}");
    assert!(
        ids[0].contains("target ids name no control of `iso-42001`"),
        "{}",
        ids[0]
    );

    // A framework the crosswalk names must exist: an error at its line.
    book.edit(
        "content/crosswalks/ai-rmf-to-iso.yaml",
        "target: iso-42001",
        "target: iso-4200",
    );
    let errors = book.errors();
    let error = errors
        .iter()
        .find(|d| d.code == "unknown-framework")
        .expect("unknown framework");
    assert_eq!(error.position.line, 3);
    assert!(
        error
            .help
            .as_deref()
            .is_some_and(|h| h.contains("iso-42001"))
    );
}
