//! OSCAL catalog import over the real files in ../shared/corpora/oscal.

use std::fs;
use std::path::Path;

use crate::common::{copy_fixture, shared};
use guidebook::error::Error;
use guidebook::pipeline::{self, BuildOptions};

/// A copy of the valid fixture with `file` dropped into content/frameworks as `<name>.json`.
fn book_with(file: &Path, name: &str) -> tempfile::TempDir {
    let book = copy_fixture("valid");
    fs::copy(
        file,
        book.path().join(format!("content/frameworks/{name}.json")),
    )
    .expect("copy catalog");
    book
}

#[test]
fn every_oscal_file_in_the_corpora_loads_or_names_the_json_path() {
    let dir = shared("corpora/oscal");
    let mut files: Vec<_> = ["", "mappings"]
        .iter()
        .flat_map(|sub| {
            fs::read_dir(dir.join(sub))
                .expect("corpus folder")
                .flatten()
                .map(|e| e.path())
        })
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 7, "{files:?}");
    for file in files {
        let name = file
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .into_owned();
        let book = book_with(&file, "imported");
        let result = pipeline::render_site(book.path(), &BuildOptions::default());
        let is_mapping = file.parent().is_some_and(|p| p.ends_with("mappings"));
        // Profiles (baselines) select controls of a catalog; they are not catalogs either.
        let not_a_catalog = if is_mapping {
            Some("mapping-collection")
        } else if name.ends_with("-profile") {
            Some("profile")
        } else {
            None
        };
        match result {
            Ok(rendered) => {
                assert!(
                    not_a_catalog.is_none(),
                    "{name}: a {not_a_catalog:?} must not load as a catalog"
                );
                let framework = rendered
                    .site
                    .framework_by_id("imported")
                    .expect("framework");
                assert!(
                    !rendered.site.frameworks[framework].controls.is_empty(),
                    "{name} has controls"
                );
            }
            Err(Error::Content(diagnostics)) => {
                let Some(kind) = not_a_catalog else {
                    panic!("{name} should load: {diagnostics:#?}");
                };
                let error = diagnostics
                    .iter()
                    .find(|d| d.file.ends_with("imported.json"))
                    .expect("error in the file");
                assert!(error.message.contains("JSON path"), "{}", error.message);
                assert!(
                    error.help.as_deref().is_some_and(|h| h.contains(kind)),
                    "{error:?}"
                );
            }
            Err(other) => panic!("{name}: {other}"),
        }
    }
}

#[test]
fn the_full_sp_800_53_catalog_loads_renders_and_guards_mappings() {
    let catalog = shared("corpora/oscal/nist-sp800-53-rev5-catalog.json");
    let book = book_with(&catalog, "sp800-53");
    let a1 = book.path().join("content/guidelines/design/a-1.md");
    let text = fs::read_to_string(&a1).expect("read");
    // `ac-2.1` (the OSCAL id) is accepted for AC-2(1).
    let mapped = text.replace(
        "controls:\n",
        "controls:\n  - framework: sp800-53\n    control: ac-2.1\n    relationship: intersects-with\n    rationale: r\n    confidence: low\n",
    );
    fs::write(&a1, &mapped).expect("write");
    let dest = book.path().join("site");
    let options = BuildOptions {
        dest: Some(dest.clone()),
        ..BuildOptions::default()
    };
    pipeline::build(book.path(), &options).expect("builds with the full catalog");

    let rendered = pipeline::render_site(book.path(), &BuildOptions::default()).expect("render");
    let f = rendered
        .site
        .framework_by_id("sp800-53")
        .expect("framework");
    let framework = &rendered.site.frameworks[f];
    assert_eq!(
        framework.controls.len(),
        322 + 867,
        "controls and enhancements"
    );
    assert_eq!(
        framework.controls.iter().filter(|c| c.withdrawn).count(),
        182
    );
    assert_eq!(framework.sections.len(), 20);
    let page =
        fs::read_to_string(dest.join("frameworks/sp800-53/ac-2-1.html")).expect("control page");
    assert!(page.contains("Automated System Account Management"));
    assert!(
        page.contains("[Assignment: organization-defined automated mechanisms]"),
        "parameters shown readably"
    );
    let index =
        fs::read_to_string(dest.join("frameworks/sp800-53/index.html")).expect("framework page");
    assert!(index.contains("withdrawn"));

    // A withdrawn control is refused, naming what replaced it.
    let withdrawn = mapped.replace("control: ac-2.1", "control: AC-2(10)");
    fs::write(&a1, withdrawn).expect("write");
    let Err(Error::Content(diagnostics)) = pipeline::check(book.path(), &BuildOptions::default())
    else {
        panic!("mapping to a withdrawn control must fail");
    };
    let error = diagnostics
        .iter()
        .find(|d| d.code == "withdrawn-control")
        .expect("withdrawn error");
    assert_eq!(error.position.line, 10);
    assert_eq!(error.help.as_deref(), Some("map to AC-2 instead"));
}

/// NIST's resolved baseline catalogs give a control several `label` props (`AC-02` zero-padded,
/// `AC-02` for SP 800-53A, and the plain `AC-2`): the plain one is the id, the others aliases.
#[test]
fn resolved_baseline_catalogs_use_the_canonical_label() {
    let catalog = shared("corpora/oscal/nist-sp800-53-rev5-low-baseline-resolved-catalog.json");
    let book = book_with(&catalog, "low");
    let a1 = book.path().join("content/guidelines/design/a-1.md");
    let text = fs::read_to_string(&a1).expect("read");
    let mapping = |control: &str| {
        text.replace(
            "controls:\n",
            &format!("controls:\n  - framework: low\n    control: {control}\n    relationship: intersects-with\n    rationale: r\n    confidence: low\n"),
        )
    };
    // IA-2(1) is in the LOW baseline; its zero-padded spelling is accepted too.
    for control in ["IA-2(1)", "IA-02(01)", "ia-2.1"] {
        fs::write(&a1, mapping(control)).expect("write");
        let rendered = pipeline::render_site(book.path(), &BuildOptions::default())
            .unwrap_or_else(|e| panic!("{control} is accepted: {e:?}"));
        let f = rendered.site.framework_by_id("low").expect("framework");
        let framework = &rendered.site.frameworks[f];
        let mapped = &rendered.site.guidelines[0].mappings;
        let target = mapped
            .iter()
            .find(|m| m.framework == f)
            .expect("the mapping");
        assert_eq!(framework.controls[target.control].id, "IA-2(1)");
        assert!(framework.control("AC-2").is_some() && framework.control("AC-02").is_some());
    }
}
