//! Spreadsheet catalogs: a catalog YAML takes its controls from a CSV beside it (OWASP ASVS 5.0
//! as published, from ../shared/corpora), groups nested by column, other columns as
//! properties, errors at the CSV's row and column, and serve picking up an edited CSV.

use std::sync::Arc;

use crate::common::{Book, page, shared};
use guidebook::pipeline::live::LiveSite;
use guidebook::render::MarkdownCache;

const CATALOG: &str = "content/frameworks/owasp-asvs-5.yaml";
const CSV: &str = "content/frameworks/asvs-5.0.0.csv";
const GUIDELINE: &str = "content/guidelines/design/a-1.md";

fn asvs_book() -> Book {
    let book = Book::fixture("valid");
    let rows = std::fs::read_to_string(shared("corpora/asvs/asvs-5.0.0.csv"))
        .expect("MISSING ../shared/corpora/asvs/asvs-5.0.0.csv: the spreadsheet test needs it");
    book.write(CSV, &rows);
    book.write(
        CATALOG,
        "id: owasp-asvs-5\nname: OWASP Application Security Verification Standard\nversion: 5.0.0\n\
         csv:\n  file: asvs-5.0.0.csv\n  id: req_id\n  title: req_description\n  \
         group-id: [chapter_id, section_id]\n  group-title: [chapter_name, section_name]\n",
    );
    book.edit(
        GUIDELINE,
        "controls:\n",
        "controls:\n  - framework: owasp-asvs-5\n    control: V1.1.1\n    relationship: intersects-with\n    rationale: r\n    confidence: low\n",
    );
    book
}

#[test]
fn asvs_loads_from_its_csv_with_groups_and_levels() {
    let book = asvs_book();
    let built = book.build();
    let f = built
        .site
        .framework_by_id("owasp-asvs-5")
        .expect("framework");
    let framework = &built.site.frameworks[f];
    assert_eq!(
        framework.controls.len(),
        345,
        "ASVS 5.0.0 has 345 requirements"
    );
    let chapters = framework.sections.iter().filter(|s| s.depth == 0).count();
    let sections = framework.sections.iter().filter(|s| s.depth == 1).count();
    assert_eq!((chapters, sections), (17, 80));
    let v111 = &framework.controls[framework.control("V1.1.1").expect("V1.1.1")];
    assert_eq!(v111.properties.get("L").map(String::as_str), Some("2"));
    assert!(v111.title.starts_with("Verify that input is decoded"));
    let control = page(&built, "frameworks/owasp-asvs-5/v1-1-1.html");
    assert!(
        control.contains("<dt>L</dt><dd>2</dd>"),
        "other columns shown as properties"
    );
    assert!(
        built.output.get("asvs-5.0.0.csv").is_none()
            && built.output.get("frameworks/asvs-5.0.0.csv").is_none(),
        "the CSV is an input, not a file of the site"
    );
}

#[test]
fn csv_errors_name_the_row_and_column() {
    let book = asvs_book();
    let rows = book.read(CSV);
    let mut lines: Vec<&str> = rows.lines().collect();
    // Line 4 of the file holds requirement V1.2.1: its id cell emptied.
    let broken = lines[3].replacen(",V1.2.1,", ",,", 1);
    assert_ne!(broken, lines[3]);
    lines[3] = &broken;
    book.write(CSV, &(lines.join("\n") + "\n"));
    let errors = book.errors();
    let error = errors
        .iter()
        .find(|d| d.code == "csv")
        .expect("a csv error");
    assert_eq!(error.file, std::path::Path::new(CSV));
    assert_eq!(error.position.line, 4);
    assert!(
        error.message.contains("row 4, column `req_id`"),
        "{}",
        error.message
    );
    assert!(
        !errors.iter().any(|d| d.code == "unknown-framework"),
        "mappings to the failed catalog are not reported one by one: {errors:?}"
    );

    // A column the CSV does not have: at the catalog's `file:`, listing the columns it has.
    let book = asvs_book();
    book.edit(CATALOG, "title: req_description", "title: description");
    let errors = book.errors();
    let error = errors
        .iter()
        .find(|d| d.code == "csv")
        .expect("a csv error");
    assert_eq!(error.file, std::path::Path::new(CATALOG));
    assert!(error.message.contains("no column `description`"));
    assert!(
        error
            .help
            .as_deref()
            .is_some_and(|h| h.contains("req_description"))
    );
}

#[test]
fn serve_reads_an_edited_csv_again() {
    let book = asvs_book();
    let (live, _) =
        LiveSite::build(book.root(), Arc::new(MarkdownCache::default())).expect("build");
    let rows = book.read(CSV).replacen(
        "Verify that input is decoded",
        "Check that input is decoded",
        1,
    );
    book.write(CSV, &rows);
    let rebuilt = live
        .rebuild(&[book.path(CSV)])
        .expect("rebuild")
        .expect("an incremental rebuild");
    let control = &rebuilt
        .files
        .iter()
        .find(|(p, _)| p == "frameworks/owasp-asvs-5/v1-1-1.html");
    let (_, bytes) = control.expect("the control page is made again");
    assert!(String::from_utf8_lossy(bytes).contains("Check that input is decoded"));
}
