//! The threat layer: a catalog of `kind: threats` (MITRE ATLAS techniques in the shipped
//! content), guidelines naming the threats they address in `threats:`, technique pages with
//! the guidelines and the mitigations that counter each, and the gap on the coverage page.

use crate::common::{Book, page};

const SD2: &str = "content/guidelines/secure-design/sd-2.md";
const TECHNIQUES: &str = "content/frameworks/mitre-atlas-techniques.yaml";

/// SD-2 with exactly these threats (whatever the shipped file lists today).
fn with_threats(book: &Book, threats: &str) {
    let text = book.read(SD2);
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with("threats:"))
        .collect();
    let text = kept.join("\n") + "\n";
    book.write(
        SD2,
        &text.replacen(
            "controls:\n",
            &format!("threats: {threats}\ncontrols:\n"),
            1,
        ),
    );
}

#[test]
fn a_technique_page_lists_the_guidelines_that_address_it_and_its_mitigations() {
    let book = Book::shipped();
    with_threats(&book, r#"["AML.T0051", "AML.T0010"]"#);
    let built = book.build();

    let guideline = page(&built, "guidelines/sd-2.html");
    assert!(guideline.contains(r#"<h2 id="threats">Threats addressed</h2>"#));
    assert!(
        guideline.contains(r#"href="../frameworks/mitre-atlas-techniques/aml-t0051.html""#),
        "SD-2 links the technique's page"
    );

    let technique = page(&built, "frameworks/mitre-atlas-techniques/aml-t0051.html");
    assert!(technique.contains("LLM Prompt Injection"));
    assert!(technique.contains(r#"href="../../guidelines/sd-2.html""#));
    // From the catalog's `mitigated-by`, as the ATLAS data says: guardrails counter it.
    assert!(technique.contains("AML.M0020"));
    assert!(technique.contains("Generative AI Guardrails"));
    assert!(technique.contains("<dt>Tactics</dt><dd>Execution</dd>"));

    // The reverse: a mapped mitigation's page names the threats it counters.
    let mitigation = page(&built, "frameworks/mitre-atlas/aml-m0020.html");
    assert!(mitigation.contains(r#"<h2 id="counters">Threats it counters</h2>"#));
    assert!(
        mitigation.contains(r#"href="../../frameworks/mitre-atlas-techniques/aml-t0051.html""#)
    );

    let model: serde_json::Value =
        serde_json::from_str(&page(&built, "exports/model.json")).expect("model.json");
    let sd2 = (model["guidelines"].as_array().expect("guidelines"))
        .iter()
        .find(|g| g["id"] == "SD-2")
        .expect("SD-2");
    let ids: Vec<&str> = (sd2["threats"].as_array().expect("threats"))
        .iter()
        .filter_map(|t| t["id"].as_str())
        .collect();
    assert_eq!(ids, ["AML.T0051", "AML.T0010"]);
}

#[test]
fn coverage_counts_the_threats_no_guideline_addresses() {
    let book = Book::shipped();
    let total = book.read(TECHNIQUES).matches("- id: \"AML.T").count();
    assert_eq!(total, 170, "ATLAS 5.6.0 has 170 techniques");
    let built = book.build();
    let coverage = page(&built, "coverage.html");
    let section = coverage
        .split(r#"id="gaps-mitre-atlas-techniques""#)
        .nth(1)
        .expect("a gap section for the threat catalog");
    let head = section.split('>').next().unwrap_or_default();
    let number = |attr: &str| -> usize {
        let start = head.find(attr).map(|i| i + attr.len()).expect(attr);
        head[start..]
            .split('"')
            .next()
            .and_then(|n| n.parse().ok())
            .expect("a count")
    };
    assert_eq!(number(r#"data-total=""#), total);
    let addressed = number(r#"data-mapped=""#);
    let pages = (built.output.iter())
        .filter(|(p, _)| p.starts_with("frameworks/mitre-atlas-techniques/aml-"))
        .count();
    assert_eq!(addressed, pages, "one page per addressed technique");
    assert!(section.contains("threats addressed"));
    assert!(section.contains("Threats no guideline addresses"));
}

#[test]
fn a_wrong_threat_is_an_error_at_its_line_with_a_suggestion() {
    let book = Book::shipped();
    with_threats(&book, r#"["AML.T0051", "AML.T00511"]"#);
    let errors = book.errors();
    let error = errors
        .iter()
        .find(|d| d.code == "unknown-threat")
        .expect("unknown-threat");
    assert_eq!(error.file, std::path::Path::new(SD2));
    let line = book
        .read(SD2)
        .lines()
        .position(|l| l.starts_with("threats:"))
        .expect("line");
    assert_eq!((error.position.line, error.position.column), (line + 1, 24));
    assert!(
        error
            .help
            .as_deref()
            .is_some_and(|h| h.contains("AML.T0051"))
    );
}

#[test]
fn a_threat_is_not_a_mapping_target_and_mitigations_are_checked() {
    let book = Book::shipped();
    book.edit(
        SD2,
        "controls:\n",
        "controls:\n  - framework: mitre-atlas-techniques\n    control: AML.T0051\n    relationship: intersects-with\n",
    );
    book.edit(
        TECHNIQUES,
        r#"mitigated-by: ["AML.M0019", "AML.M0020""#,
        r#"mitigated-by: ["AML.M0019", "AML.M0200""#,
    );
    book.edit(
        "content/frameworks/owasp-llm-2025.yaml",
        "\ncontrols:\n",
        "\nmitigations: mitre-atlas\ncontrols:\n",
    );
    let errors = book.errors();
    let codes: Vec<(&str, &str)> = errors
        .iter()
        .map(|d| (d.code, d.file.to_str().unwrap_or_default()))
        .collect();
    assert!(codes.contains(&("threat-as-mapping", SD2)), "{codes:?}");
    assert!(
        codes.contains(&("unknown-control", TECHNIQUES)),
        "{codes:?}"
    );
    assert!(
        codes.contains(&(
            "not-a-threat-catalog",
            "content/frameworks/owasp-llm-2025.yaml"
        )),
        "{codes:?}"
    );
    let mitigation = errors
        .iter()
        .find(|d| d.code == "unknown-control")
        .expect("unknown-control");
    assert!(mitigation.message.contains("`AML.M0200`"));
    assert!(
        mitigation
            .help
            .as_deref()
            .is_some_and(|h| h.contains("AML.M0020"))
    );
}
