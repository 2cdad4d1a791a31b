//! Exports: OSCAL catalog and mapping-collections valid against NIST's 1.2.1 schemas (and the
//! relationship vocabulary, which the schema does not check), CSV safe for spreadsheets, and the
//! JSON model valid against its own schema.

use std::collections::BTreeSet;

use crate::common::{Book, read, repo_root, shared};
use guidebook::pipeline::{self, BuildOptions};

const RELATIONSHIPS: [&str; 6] = [
    "equivalent-to",
    "equal-to",
    "subset-of",
    "superset-of",
    "intersects-with",
    "no-relationship",
];

fn exports(root: &std::path::Path) -> pipeline::Built {
    pipeline::render_site(root, &BuildOptions::default()).expect("renders")
}

fn json(rendered: &pipeline::Built, path: &str) -> serde_json::Value {
    let bytes = rendered
        .output
        .get(path)
        .unwrap_or_else(|| panic!("{path} is exported"));
    serde_json::from_slice(bytes).expect("valid JSON")
}

fn validate(schema_file: &str, instance: &serde_json::Value, what: &str) {
    let schema: serde_json::Value =
        serde_json::from_str(&read(&shared(schema_file))).expect("schema JSON");
    let validator =
        jsonschema::validator_for(&schema).expect("schema compiles (\\p{L} patterns included)");
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .take(10)
        .collect();
    assert!(
        errors.is_empty(),
        "{what} fails {schema_file}:\n{}",
        errors.join("\n")
    );
}

#[test]
fn oscal_exports_validate_against_the_official_schemas() {
    let rendered = exports(&repo_root());
    validate(
        "corpora/oscal/schemas/oscal_catalog_schema.json",
        &json(&rendered, "exports/guidelines.oscal.json"),
        "catalog",
    );
    let catalog = json(&rendered, "exports/guidelines.oscal.json");
    let controls: usize = catalog["catalog"]["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| g["controls"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(controls, 17);

    let mut total = 0;
    // A threat catalog's entries are addressed (`threats:`), never mapped: no collection.
    for framework in rendered.site.frameworks.iter().filter(|f| !f.is_threats()) {
        let path = format!("exports/mappings/{}.oscal.json", framework.id);
        let collection = json(&rendered, &path);
        validate(
            "corpora/oscal/schemas/oscal_mapping_schema.json",
            &collection,
            &path,
        );
        for map in collection["mapping-collection"]["mappings"][0]["maps"]
            .as_array()
            .expect("maps")
        {
            let relationship = map["relationship"].as_str().expect("relationship");
            assert!(
                RELATIONSHIPS.contains(&relationship),
                "{path}: {relationship} is not in OSCAL's vocabulary"
            );
            total += 1;
        }
    }
    let expected: usize = rendered
        .site
        .guidelines
        .iter()
        .map(|g| g.mappings.len())
        .sum();
    assert_eq!(total, expected, "every mapping is exported once");
}

#[test]
fn the_real_mapping_files_in_the_wild_fail_the_schema_as_documented() {
    // The validator must be able to say no: these two real files are known to fail 1.2.1.
    let schema: serde_json::Value = serde_json::from_str(&read(&shared(
        "corpora/oscal/schemas/oscal_mapping_schema.json",
    )))
    .expect("schema");
    let validator = jsonschema::validator_for(&schema).expect("compiles");
    for file in [
        "corpora/oscal/mappings/nist-ai-rmf-to-iso-42001.json",
        "corpora/oscal/mappings/comprehensive-example.json",
    ] {
        let instance: serde_json::Value = serde_json::from_str(&read(&shared(file))).expect("json");
        assert!(
            !validator.is_valid(&instance),
            "{file} should fail the 1.2.1 schema"
        );
    }
}

#[test]
fn csv_lists_every_mapping_and_neutralizes_formulas() {
    let book = Book::fixture("valid");
    let file = "content/guidelines/design/a-1.md";
    book.edit(
        file,
        "title: Model the threats",
        "title: \"=HYPERLINK(\\\"http://evil\\\",\\\"x\\\")\"",
    )
    .edit(
        file,
        "rationale: Both ask for accounts to be managed.",
        "rationale: \"@SUM(1+1), then \\\"quoted\\\"\"",
    );
    let rendered = book.build();
    let csv = String::from_utf8(
        rendered
            .output
            .get("exports/mappings.csv")
            .expect("csv")
            .to_vec(),
    )
    .expect("utf-8");
    assert!(csv.contains("\r\n"), "RFC 4180 line ends");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    assert_eq!(
        header,
        [
            "guideline_id",
            "guideline_title",
            "framework",
            "control_id",
            "control_title",
            "relationship",
            "confidence",
            "rationale"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
    let expected: usize = rendered
        .site
        .guidelines
        .iter()
        .map(|g| g.mappings.len())
        .sum();
    assert_eq!(rows.len(), expected);
    let a1 = rows
        .iter()
        .find(|r| &r[0] == "A-1" && &r[3] == "AC-2")
        .expect("A-1 -> AC-2");
    assert!(
        a1[1].starts_with("'=HYPERLINK"),
        "formula neutralized: {}",
        &a1[1]
    );
    assert!(
        a1[7].starts_with("'@SUM"),
        "formula neutralized: {}",
        &a1[7]
    );
    assert!(
        a1[7].contains("\"quoted\""),
        "quotes survive the round trip"
    );
    for row in &rows {
        for cell in row.iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "unsafe cell {cell:?}"
            );
        }
    }
}

#[test]
fn the_model_validates_against_its_schema() {
    let rendered = exports(&repo_root());
    let model = json(&rendered, "exports/model.json");
    let schema = json(&rendered, "exports/model.schema.json");
    let validator = jsonschema::validator_for(&schema).expect("model schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&model)
        .map(|e| e.to_string())
        .take(5)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(model["guidelines"].as_array().map(Vec::len), Some(17));
    let backlinks: BTreeSet<&str> = model["guidelines"]
        .as_array()
        .expect("guidelines")
        .iter()
        .flat_map(|g| g["referenced_by"].as_array().into_iter().flatten())
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert!(!backlinks.is_empty(), "backlinks are part of the model");
}

/// `guidebook export` of the book at `root` (with `args`) into a fresh folder; it must succeed.
fn export_command(root: &std::path::Path, args: &[&str]) -> tempfile::TempDir {
    let out = tempfile::tempdir().expect("temp dir");
    let (root, dest) = (
        root.to_str().expect("utf-8"),
        out.path().to_str().expect("utf-8"),
    );
    let mut command = vec!["export", "--root", root, "--out", dest];
    command.extend(args);
    let run = crate::common::guidebook(&command);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    out
}

#[test]
fn export_command_writes_the_files() {
    let out = export_command(&repo_root(), &["--format", "csv"]);
    assert!(out.path().join("mappings.csv").is_file());
    assert!(
        !out.path().join("model.json").exists(),
        "only the asked format"
    );
}

/// The site's JSON exports are compact downloads; `guidebook export` writes the same documents
/// pretty, for review as diffs.
#[test]
fn the_site_publishes_compact_json_and_the_export_command_pretty() {
    let built = exports(&repo_root());
    let out = export_command(&repo_root(), &[]);
    for path in ["model.json", "guidelines.oscal.json"] {
        let site = built
            .output
            .get(&format!("exports/{path}"))
            .unwrap_or_else(|| panic!("{path} is on the site"));
        let site = std::str::from_utf8(site).expect("utf-8");
        let exported = read(&out.path().join(path));
        assert_eq!(site.lines().count(), 1, "{path} on the site is one line");
        assert!(exported.lines().count() > 100, "{path} exported is pretty");
        let parse = |text: &str| serde_json::from_str::<serde_json::Value>(text).expect("JSON");
        assert_eq!(parse(site), parse(&exported), "{path}: the same document");
    }
}

/// `export::paths` (what `serve` marks stale or removes after an edit) names exactly the files
/// the exports write.
#[test]
fn export_paths_name_exactly_the_files_written() {
    let built = exports(&repo_root());
    let written: Vec<String> = built
        .output
        .iter()
        .filter_map(|(path, _)| path.strip_prefix("exports/").map(str::to_string))
        .collect();
    let mut said = guidebook::export::paths(&built.site, &guidebook::export::ALL);
    said.sort();
    assert_eq!(said, written);
}

/// Past `print-part-bytes`, the site publishes the model and the guidelines' OSCAL catalog in
/// parts (a domain, or a run of its guidelines), each valid in the format of the whole, every
/// guideline in exactly one, a domain without guidelines in the first; `guidebook export`
/// still writes them whole.
#[test]
fn a_large_site_publishes_its_large_exports_in_parts() {
    let book = Book::fixture("valid");
    let config = book.read("book.toml");
    book.write(
        "book.toml",
        &format!("{config}\n[guidebook]\nprint-part-bytes = 1500\n"),
    );
    book.write(
        "content/guidelines/later/_domain.md",
        "---\nid: later\ntitle: Later\norder: 9\nsummary: Not written yet.\n---\n\nSoon.\n",
    );
    let built = exports(book.root());
    let written: BTreeSet<&str> = built
        .output
        .iter()
        .filter_map(|(path, _)| path.strip_prefix("exports/"))
        .collect();
    assert!(!written.contains("model.json") && !written.contains("guidelines.oscal.json"));
    let parts: Vec<&str> = written
        .iter()
        .filter_map(|p| p.strip_prefix("parts/")?.strip_suffix(".model.json"))
        .collect();
    assert_eq!(
        parts,
        ["01-design", "02-design", "03-operate"],
        "a run of guidelines per part"
    );
    let schema = json(&built, "exports/model.schema.json");
    let validator = jsonschema::validator_for(&schema).expect("model schema compiles");
    let mut seen = Vec::new();
    let mut domains = Vec::new();
    for part in &parts {
        let model = json(&built, &format!("exports/parts/{part}.model.json"));
        assert!(validator.is_valid(&model), "{part}: a valid model");
        let catalog = json(&built, &format!("exports/parts/{part}.oscal.json"));
        validate(
            "corpora/oscal/schemas/oscal_catalog_schema.json",
            &catalog,
            &format!("the catalog part {part}"),
        );
        let ids = |value: &serde_json::Value, pointer: &str| -> Vec<String> {
            (value
                .pointer(pointer)
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten())
            .filter_map(|g| g["id"].as_str().map(str::to_lowercase))
            .collect()
        };
        let in_model = ids(&model, "/guidelines");
        let in_catalog = ids(&catalog, "/catalog/groups/0/controls");
        assert_eq!(in_model, in_catalog, "{part}: the same guidelines in both");
        seen.extend(in_model);
        let in_model = ids(&model, "/domains");
        assert_eq!(
            in_model,
            ids(&catalog, "/catalog/groups"),
            "{part}: same domains"
        );
        domains.extend(in_model.into_iter().map(|d| format!("{part}:{d}")));
    }
    assert_eq!(
        domains,
        [
            "01-design:design",
            "01-design:later",
            "02-design:design",
            "03-operate:operate"
        ],
        "a domain without guidelines is in the first part"
    );
    seen.sort();
    assert_eq!(
        seen,
        ["a-1", "a-2", "b-1"],
        "every guideline in exactly one part"
    );
    let mut said = guidebook::export::paths(&built.site, &guidebook::export::ALL);
    said.sort();
    assert_eq!(
        said,
        written.iter().map(|p| p.to_string()).collect::<Vec<_>>()
    );
    // The mapping-collection names each part's catalog, a file the site has, as a source.
    let collection = json(&built, "exports/mappings/demo.oscal.json");
    validate(
        "corpora/oscal/schemas/oscal_mapping_schema.json",
        &collection,
        "the mapping-collection of a site in parts",
    );
    let mappings = collection["mapping-collection"]["mappings"]
        .as_array()
        .expect("mappings");
    for mapping in mappings {
        let href = mapping["source-resource"]["href"].as_str().expect("href");
        let file = href
            .strip_prefix("../")
            .expect("relative to exports/mappings/");
        assert!(written.contains(file), "{href} is published");
    }
    assert_eq!(mappings.len(), 3, "a mapping per part that maps to demo");
    let downloads = crate::common::page(&built, "frameworks/index.html");
    for part in &parts {
        for kind in ["model", "oscal"] {
            let link = format!("exports/parts/{part}.{kind}.json");
            assert!(
                downloads.contains(&link),
                "the Frameworks page links {link}"
            );
        }
    }
    assert!(
        !downloads.contains("exports/model.json\""),
        "no link to a file not written"
    );

    let out = export_command(book.root(), &[]);
    assert!(
        out.path().join("model.json").is_file(),
        "the command exports whole"
    );
    // Whole, the catalog holds the domain without guidelines too, and stays valid OSCAL.
    let whole: serde_json::Value =
        serde_json::from_str(&read(&out.path().join("guidelines.oscal.json")))
            .expect("catalog JSON");
    validate(
        "corpora/oscal/schemas/oscal_catalog_schema.json",
        &whole,
        "the whole catalog with an empty domain",
    );
    let groups = whole["catalog"]["groups"].as_array().expect("groups");
    assert!(
        groups
            .iter()
            .any(|g| g["id"] == "later" && g.get("controls").is_none())
    );
}
