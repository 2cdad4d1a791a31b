//! Baselines: NIST's LOW baseline as published (an OSCAL profile, from ../shared/corpora), its
//! import resolved to a loaded catalog, its selected controls counted against the mappings, a
//! page per baseline, a column on the coverage page, and clear refusals.

use crate::common::{Book, page, shared};

const PROFILE: &str = "corpora/oscal/nist-sp800-53-rev5-low-baseline-profile.json";
const GUIDELINE: &str = "content/guidelines/design/a-1.md";

fn profile_text() -> String {
    std::fs::read_to_string(shared(PROFILE))
        .unwrap_or_else(|e| panic!("MISSING ../shared/{PROFILE} ({e}): the baseline tests need it"))
}

/// The ids the LOW profile selects, read here from the JSON.
fn selected_ids() -> Vec<String> {
    let profile: serde_json::Value = serde_json::from_str(&profile_text()).expect("profile JSON");
    let imports = profile["profile"]["imports"].as_array().expect("imports");
    (imports.iter())
        .flat_map(|i| i["include-controls"].as_array().into_iter().flatten())
        .flat_map(|s| s["with-ids"].as_array().into_iter().flatten())
        .filter_map(|id| id.as_str().map(str::to_string))
        .collect()
}

/// The valid fixture with the full SP 800-53 catalog under `catalog_name`, the LOW profile,
/// and a-1 mapped to AC-2 and IA-2(1) (both in LOW) and AC-6 (not in LOW).
fn book(catalog_name: &str) -> Book {
    let book = Book::fixture("valid");
    let catalog = std::fs::read_to_string(shared("corpora/oscal/nist-sp800-53-rev5-catalog.json"))
        .expect("MISSING the SP 800-53 catalog in ../shared/corpora");
    book.write(&format!("content/frameworks/{catalog_name}.json"), &catalog);
    book.write("content/baselines/low.json", &profile_text());
    let framework = catalog_name;
    let mapping = |control: &str| {
        format!(
            "  - framework: {framework}\n    control: {control}\n    relationship: intersects-with\n    rationale: r\n    confidence: high\n"
        )
    };
    let mappings = ["AC-2", "IA-2(1)", "AC-6"].map(mapping).concat();
    book.edit(GUIDELINE, "controls:\n", &format!("controls:\n{mappings}"));
    book
}

#[test]
fn the_low_baseline_resolves_to_its_catalog_by_file_name() {
    let selected = selected_ids();
    assert_eq!(
        selected.len(),
        149,
        "NIST's LOW baseline selects 149 controls"
    );
    // The profile's import names NIST_SP-800-53_rev5_catalog.json: a catalog of that name.
    let book = book("NIST_SP-800-53_rev5_catalog");
    let built = book.build();
    let baseline = &built.site.baselines[0];
    assert_eq!(baseline.controls.len(), 149);
    assert!(baseline.missing.is_empty(), "{:?}", baseline.missing);
    let html = page(&built, "baselines/low.html");
    assert!(html.contains("LOW IMPACT BASELINE"));
    assert!(
        html.contains("2 of 149 selected controls mapped by guidelines"),
        "AC-2 and IA-2(1); AC-6 is not in LOW"
    );
    // AC-3 is selected and unmapped: listed under its family.
    assert!(html.contains("<code>AC-3</code>"));
    assert!(
        !html.contains("<code>AC-2</code>"),
        "mapped controls are not listed as gaps"
    );

    let framework = page(&built, "frameworks/NIST_SP-800-53_rev5_catalog/index.html");
    assert!(framework.contains("(2 of 149 mapped)"));
    let coverage = page(&built, "coverage.html");
    let row = coverage
        .split("id=\"matrix-table\"")
        .nth(1)
        .expect("matrix table");
    assert!(
        row.contains(">NIST Special Publication 800-53 Revision 5.1.1 LOW IMPACT BASELINE</a>")
    );
    assert!(
        built.output.get("baselines/low.json").is_none(),
        "the profile is an input"
    );
}

#[test]
fn a_catalog_found_by_title_or_named_by_a_sidecar_and_missing_ids_listed() {
    // Under another file name, the catalog is found by its title (the imported resource's).
    let book = book("sp800-53");
    let built = book.build();
    assert_eq!(built.site.baselines[0].controls.len(), 149);
    book.write(
        "content/baselines/low.yaml",
        "framework: sp800-53\ntitle: LOW\n",
    );
    let built = book.build();
    assert!(page(&built, "baselines/low.html").contains("<h1>LOW</h1>"));

    // The shipped 800-53 catalog (an excerpt, under its own title) is not found from the
    // profile: a located error that says how to name it.
    let shipped = Book::shipped();
    shipped.write("content/baselines/low.json", &profile_text());
    let errors = shipped.errors();
    let error = errors
        .iter()
        .find(|d| d.code == "baseline-framework")
        .expect("baseline-framework");
    assert_eq!(
        error.file,
        std::path::Path::new("content/baselines/low.json")
    );
    let help = error.help.as_deref().unwrap_or_default();
    assert!(
        help.contains("baselines/low.yaml") && help.contains("nist-sp-800-53"),
        "{help}"
    );

    // Named by a sidecar: the LOW ids the excerpt lacks are listed by id.
    shipped.write("content/baselines/low.yaml", "framework: nist-sp-800-53\n");
    let built = shipped.build();
    let baseline = (built.site.baselines.iter())
        .find(|b| b.id == "low")
        .expect("the LOW baseline beside the shipped one");
    assert_eq!(baseline.controls.len() + baseline.missing.len(), 149);
    assert!(!baseline.controls.is_empty() && !baseline.missing.is_empty());
    let html = page(&built, "baselines/low.html");
    assert!(html.contains("Selected but not in the catalog"));
    assert!(html.contains(&format!("<code>{}</code>", baseline.missing[0])));
}

#[test]
fn profile_features_it_cannot_resolve_are_refused() {
    let book = book("NIST_SP-800-53_rev5_catalog");
    let matching = profile_text().replacen(
        "\"with-ids\"",
        "\"matching\": [{\"pattern\": \"ac-*\"}], \"with-ids\"",
        1,
    );
    book.write("content/baselines/low.json", &matching);
    let errors = book.errors();
    let error = errors
        .iter()
        .find(|d| d.code == "profile")
        .expect("profile error");
    assert!(error.message.contains("`matching`"));
    assert_eq!(
        error.file,
        std::path::Path::new("content/baselines/low.json")
    );
}
