//! End-to-end tests of `guidebook build` and `check` over the fixture knowledge bases.

use std::fs;

use crate::common::{Book, copy_fixture, fixture, guidebook, read, snapshot};
use guidebook::error::Error;
use guidebook::pipeline::{self, BuildOptions};

/// Builds a copy of the valid fixture (a build writes its search index beside the content, and
/// tests run in parallel, so none builds in the fixture itself); the site is in `<dir>/site`.
fn build_valid() -> tempfile::TempDir {
    let out = copy_fixture("valid");
    let options = BuildOptions {
        dest: Some(out.path().join("site")),
        deny_warnings: true,
        ..BuildOptions::default()
    };
    pipeline::build(out.path(), &options).expect("valid fixture builds without warnings");
    out
}

/// Build options that write the site to `dest`.
fn writing_to(dest: &std::path::Path) -> BuildOptions {
    BuildOptions {
        dest: Some(dest.to_path_buf()),
        ..BuildOptions::default()
    }
}

#[test]
fn writes_every_page_kind() {
    let out = build_valid();
    let site = out.path().join("site");
    for path in [
        "index.html",
        "domains/design.html",
        "domains/operate.html",
        "guidelines/a-1.html",
        "guidelines/a-2.html",
        "guidelines/b-1.html",
        "examples/index.html",
        "examples/verify-digest.html",
        "examples/pickle-antipattern.html",
        "pages/about.html",
        "frameworks/index.html",
        "frameworks/demo/index.html",
        "frameworks/demo/ac-2.html",
        "frameworks/demo/govern-1-1.html",
        "frameworks/demo/llm01-2025.html",
        "tags/index.html",
        "tags/threat-modelling.html",
        "print.html",
        "404.html",
        "sitemap.xml",
        "assets/guidebook.css",
        "assets/guidebook.js",
        "assets/nav/design.js",
        "assets/nav/operate.js",
        "img/logo.png",
        "old/sd-one.html",
    ] {
        assert!(site.join(path).is_file(), "missing {path}");
    }
    // Controls no guideline maps to get no page of their own.
    assert!(!site.join("frameworks/demo/ac-3.html").exists());
}

#[test]
fn guideline_page_shows_mappings_examples_links_and_anchors() {
    let out = build_valid();
    let html = read(&out.path().join("site/guidelines/a-1.html"));
    for expected in [
        "Know what can go wrong before you build.",
        r#"href="../frameworks/demo/ac-2.html""#,
        "intersects-with",
        "confidence-high",
        "Both ask for accounts to be managed.",
        r#"href="../examples/verify-digest.html""#,
        // Outgoing cross-reference with its kind, and the backlink from B-1.
        r#"href="../guidelines/a-2.html""#,
        "requires",
        "Referenced by",
        r#"href="../guidelines/b-1.html""#,
        // Typed links inside the body, relative to this page.
        r#"href="../frameworks/demo/govern-1-1.html""#,
        r#"href="../frameworks/demo/index.html""#,
        r#"href="../pages/about.html#scope""#,
        // Stable, unique heading anchors and a table of contents.
        r#"<h2 id="what-to-do">"#,
        r#"<h2 id="what-to-do-1">"#,
        r##"href="#what-to-do""##,
        // Highlighted code, task list, table, footnote.
        "language-python",
        "class=\"hl-",
        r#"type="checkbox""#,
        "<table>",
        "footnote-definition",
        // Edit link from the template, tags, roles, references.
        "https://git.example.org/guide/edit/main/content/guidelines/design/a-1.md",
        r#"href="../tags/threat-modelling.html""#,
        "system owner",
        "https://example.org/ref",
    ] {
        assert!(html.contains(expected), "guideline page lacks {expected}");
    }
}

#[test]
fn yaml_guideline_and_reverse_mappings_render() {
    let out = build_valid();
    let site = out.path().join("site");
    let yaml_page = read(&site.join("guidelines/a-2.html"));
    assert!(
        yaml_page.contains(r#"<h2 id="selection">Selection</h2>"#),
        "body of a .yaml guideline"
    );
    let control = read(&site.join("frameworks/demo/ac-2.html"));
    assert!(
        control.contains(r#"href="../../guidelines/a-1.html""#),
        "control lists the guideline mapped to it"
    );
    assert!(control.contains("Both ask for accounts to be managed."));
    let example = read(&site.join("examples/pickle-antipattern.html"));
    assert!(
        example.contains(r#"href="../guidelines/a-2.html""#),
        "example links to its guideline"
    );
    assert!(example.contains("kind-anti-pattern"));
    let sitemap = read(&site.join("sitemap.xml"));
    assert!(sitemap.contains("<loc>https://example.org/guide/guidelines/a-1.html</loc>"));
    let print = read(&site.join("print.html"));
    assert!(
        print.contains(r#"href="frameworks/demo/govern-1-1.html""#),
        "print links from the root"
    );
    assert!(
        !print.contains(r#"href="../"#),
        "no link climbs out of the site from print.html"
    );
    // Every body is spliced in whole, in reading order, and no marker is left behind.
    let draw = print
        .find("Draw the data flows.")
        .expect("a-1's body is in print.html");
    let heading = print
        .find(r#"id="guidelines-a-1--what-to-do""#)
        .expect("a-1's headings too, their ids prefixed by a-1's anchor");
    assert!(heading < draw, "in document order");
    assert!(
        !print.contains(['\u{E000}', '\u{E001}']),
        "no splice marker left"
    );
    let not_found = read(&site.join("404.html"));
    assert!(
        not_found.contains(r#"href="/guide/assets/guidebook.css""#),
        "404 links from the site path"
    );
}

#[test]
fn content_html_cannot_inject_script() {
    let out = build_valid();
    for (path, bytes) in snapshot(&out.path().join("site")) {
        if path.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let html = String::from_utf8(bytes).expect("utf-8").to_lowercase();
        for forbidden in ["alert(", "onerror", "javascript:", "<iframe", " style=\""] {
            assert!(
                !html.contains(forbidden),
                "{} contains {forbidden}",
                path.display()
            );
        }
        // Every script is an external file: nothing inline for a CSP to allow.
        for (i, _) in html.match_indices("<script") {
            let tag_end = html[i..].find('>').map_or(html.len(), |j| i + j);
            assert!(
                html[i..tag_end].contains(" src="),
                "{} has an inline script",
                path.display()
            );
        }
    }
}

#[test]
fn builds_are_byte_identical() {
    let first = build_valid();
    let second = build_valid();
    let a = snapshot(&first.path().join("site"));
    let b = snapshot(&second.path().join("site"));
    assert!(!a.is_empty());
    assert_eq!(a.len(), b.len());
    for ((pa, ba), (pb, bb)) in a.iter().zip(&b) {
        assert_eq!(pa, pb);
        assert!(ba == bb, "{} differs between two builds", pa.display());
    }
}

#[test]
fn failed_build_leaves_the_previous_site_untouched() {
    let book = copy_fixture("valid");
    let dest = book.path().join("out");
    let options = writing_to(&dest);
    pipeline::build(book.path(), &options).expect("first build");
    let before = snapshot(&dest);

    fs::write(
        book.path().join("content/guidelines/design/a-1.md"),
        "---\nid: A-1\ntitle: [broken\n---\n",
    )
    .expect("break");
    let err = pipeline::build(book.path(), &options).expect_err("broken content fails");
    assert!(matches!(err, Error::Content(_)));
    assert_eq!(
        snapshot(&dest),
        before,
        "the previous site must survive a failed build"
    );
    let leftovers: Vec<_> = fs::read_dir(book.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".out."))
        .collect();
    assert!(
        leftovers.is_empty(),
        "no staging folders left behind: {leftovers:?}"
    );
}

/// A rebuild links the files it would write unchanged from the site it replaces (the same
/// file, its time kept), writes the changed ones anew, and leaves a site equal to a fresh build.
#[cfg(target_os = "linux")]
#[test]
fn a_rebuild_keeps_unchanged_files_and_rewrites_changed_ones() {
    use std::os::unix::fs::MetadataExt;
    let book = copy_fixture("valid");
    let dest = book.path().join("out");
    let options = writing_to(&dest);
    let inode = |path: &str| fs::metadata(dest.join(path)).expect(path).ino();
    pipeline::build(book.path(), &options).expect("first build");
    let (home, changed, other) = (
        inode("index.html"),
        inode("guidelines/a-1.html"),
        inode("guidelines/a-2.html"),
    );

    let source = book.path().join("content/guidelines/design/a-1.md");
    let text = read(&source).replace("\n---\n", "\n---\n\nA sentence added by the test.\n");
    fs::write(&source, text).expect("edit");
    pipeline::build(book.path(), &options).expect("rebuild");
    assert_eq!(
        inode("guidelines/a-2.html"),
        other,
        "an unchanged page is kept"
    );
    assert_ne!(
        inode("guidelines/a-1.html"),
        changed,
        "the edited page is new"
    );
    assert!(read(&dest.join("guidelines/a-1.html")).contains("A sentence added by the test."));
    assert_eq!(inode("index.html"), home);
    for entry in walkdir::WalkDir::new(&dest) {
        let meta = entry.expect("entry").metadata().expect("stat");
        assert!(
            !meta.is_file() || meta.nlink() == 1,
            "no file has a second name left"
        );
    }

    let fresh = book.path().join("fresh");
    let fresh_options = writing_to(&fresh);
    pipeline::build(book.path(), &fresh_options).expect("fresh build");
    assert!(
        snapshot(&dest) == snapshot(&fresh),
        "a rebuild equals a fresh build"
    );
}

/// Two builds of one book at once (say, `build` while `serve` rebuilds) each finish whole: their
/// staging folders for the site and the search index never collide.
#[test]
fn concurrent_builds_of_one_book_both_succeed() {
    let book = copy_fixture("valid");
    std::thread::scope(|scope| {
        let builds: Vec<_> = (0..4)
            .map(|n| {
                let root = book.path();
                scope.spawn(move || {
                    let options = writing_to(&root.join(format!("site-{n}")));
                    pipeline::build(root, &options)
                })
            })
            .collect();
        for build in builds {
            build.join().expect("no panic").expect("build succeeds");
        }
    });
    assert!(book.path().join("site-3/index.html").is_file());
    let leftovers: Vec<_> = fs::read_dir(book.path().join(".guidebook"))
        .expect("index folder")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(leftovers, ["search-index"], "no staging folder left behind");
}

#[test]
fn refuses_to_replace_a_folder_it_did_not_write() {
    let dir = tempfile::tempdir().expect("temp dir");
    let precious = dir.path().join("notes.txt");
    fs::write(&precious, "keep me").expect("write");
    let options = writing_to(dir.path());
    let book = copy_fixture("valid");
    let err = pipeline::build(book.path(), &options).expect_err("unsafe destination");
    assert!(matches!(err, Error::UnsafeDestination(_)), "{err}");
    assert_eq!(
        fs::read_to_string(&precious).expect("still there"),
        "keep me"
    );
}

/// (file, line, column, code, text in the message) of every error the invalid fixture must report.
const EXPECTED_ERRORS: &[(&str, usize, usize, &str, &str)] = &[
    (
        "content/examples/orphan.md",
        4,
        14,
        "unknown-guideline",
        "`X-99`",
    ),
    (
        "content/guidelines/design/bad-relationship.md",
        8,
        19,
        "yaml",
        "unknown variant `sort-of`",
    ),
    (
        "content/guidelines/design/bad-yaml.md",
        3,
        8,
        "yaml",
        "expected",
    ),
    (
        "content/guidelines/design/dup-b.md",
        2,
        5,
        "duplicate-id",
        "dup-a.md:2:5",
    ),
    (
        "content/guidelines/design/missing-key.md",
        3,
        1,
        "yaml",
        "missing field `summary`",
    ),
    (
        "content/guidelines/design/refs.md",
        6,
        16,
        "unknown-framework",
        "`dmeo`",
    ),
    (
        "content/guidelines/design/refs.md",
        10,
        14,
        "unknown-control",
        "`AC-22`",
    ),
    (
        "content/guidelines/design/refs.md",
        13,
        9,
        "unknown-guideline",
        "`X-66`",
    ),
    (
        "content/guidelines/design/refs.md",
        18,
        5,
        "unknown-link-target",
        "`NOPE-1`",
    ),
    (
        "content/guidelines/design/unknown-key.md",
        5,
        1,
        "yaml",
        "unknown field `tittle`",
    ),
    (
        "content/guidelines/design/wrong-type.md",
        5,
        8,
        "yaml",
        "invalid i64",
    ),
];

#[test]
fn every_bad_input_is_reported_at_its_file_line_and_column() {
    let err = pipeline::check(&fixture("invalid"), &BuildOptions::default())
        .expect_err("invalid content");
    let Error::Content(diagnostics) = err else {
        panic!("expected content errors, got {err}");
    };
    let errors: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.severity == guidebook::diagnostic::Severity::Error)
        .collect();
    for (file, line, column, code, text) in EXPECTED_ERRORS {
        let found = errors.iter().any(|d| {
            d.file.to_string_lossy() == *file
                && d.position.line == *line
                && d.position.column == *column
                && d.code == *code
                && d.message.contains(text)
        });
        assert!(
            found,
            "no {code} error at {file}:{line}:{column} mentioning {text}; got:\n{errors:#?}"
        );
    }
    assert_eq!(
        errors.len(),
        EXPECTED_ERRORS.len(),
        "unexpected extra errors: {errors:#?}"
    );
    assert!(
        errors.iter().all(|d| d.help.is_some()),
        "every error says how to fix it"
    );
    let suggestion = errors
        .iter()
        .find(|d| d.code == "unknown-framework")
        .and_then(|d| d.help.clone());
    assert_eq!(suggestion.as_deref(), Some("did you mean `demo`?"));
}

/// Diagnostics into a closed pipe (`guidebook check 2>&1 | head -1`) are dropped, and the
/// command keeps its exit code (`eprintln!` panicked, exit code 101).
#[test]
fn cli_diagnostics_into_a_closed_pipe_keep_the_exit_code() {
    use crate::common::{Stream, guidebook_into_closed_pipe};
    let invalid = fixture("invalid");
    let args = ["check", "--root", invalid.to_str().expect("utf-8")];
    let status = guidebook_into_closed_pipe(&args, Stream::Stderr);
    assert_eq!(status.code(), Some(1), "the content errors' exit code");
}

#[test]
fn cli_exit_codes_and_error_output() {
    let valid = fixture("valid");
    let invalid = fixture("invalid");
    let ok = guidebook(&["check", "--root", valid.to_str().expect("utf-8")]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );

    let bad = guidebook(&["check", "--root", invalid.to_str().expect("utf-8")]);
    assert_eq!(bad.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.contains("content/guidelines/design/refs.md:10:14"),
        "{stderr}"
    );
    assert!(
        stderr.contains("control: AC-22"),
        "quotes the offending line: {stderr}"
    );
    assert!(stderr.contains("did you mean"), "{stderr}");

    let json = guidebook(&[
        "check",
        "--format",
        "json",
        "--root",
        invalid.to_str().expect("utf-8"),
    ]);
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json output");
    assert_eq!(value["ok"], false);
    assert!(
        value["diagnostics"]
            .as_array()
            .is_some_and(|d| d.len() >= 11)
    );

    let usage = guidebook(&["build", "--no-such-flag"]);
    assert_eq!(usage.status.code(), Some(2));
    let empty = tempfile::tempdir().expect("temp dir");
    let no_root = guidebook(&["build", "--root", empty.path().to_str().expect("utf-8")]);
    assert_eq!(no_root.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no_root.stderr).contains("no book.toml"));
}

#[test]
fn warnings_fail_only_when_denied() {
    let book = Book::fixture("valid");
    book.write(
        "content/guidelines/operate/b-2.md",
        "---\nid: B-2\ntitle: Unmapped\nsummary: No controls yet.\n---\n\nText.\n",
    );
    let root = book.root().to_str().expect("utf-8");
    let lenient = guidebook(&["check", "--root", root]);
    assert_eq!(lenient.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&lenient.stderr).contains("maps to no control"));
    let strict = guidebook(&["check", "--deny-warnings", "--root", root]);
    assert_eq!(strict.status.code(), Some(1));
}

#[test]
fn book_toml_unknown_key_names_its_line_and_the_nearest_key() {
    let book = Book::fixture("valid");
    book.edit("book.toml", "site-url =", "site-ulr =");
    let out = guidebook(&["build", "--root", book.root().to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("book.toml:8:1"), "{stderr}");
    assert!(stderr.contains("did you mean `site-url`?"), "{stderr}");
}

#[test]
fn a_theme_folder_overrides_templates_and_assets_by_name() {
    let book = Book::fixture("valid");
    let csp = r#"<meta http-equiv="Content-Security-Policy" content="{{ site.content_security_policy | safe }}">"#;
    book.write("mytheme/templates/404.html", "<p>no policy here</p>")
        .write("mytheme/static/assets/extra.txt", "extra")
        .edit(
            "book.toml",
            "[output.html]\n",
            "[output.html]\ntheme = \"mytheme\"\n",
        );
    let dest = book.path("site");
    let options = writing_to(&dest);
    let refused = pipeline::build(book.root(), &options).expect_err("a page without the CSP");
    assert!(
        refused
            .to_string()
            .contains("404.html leaves out the Content-Security-Policy"),
        "{refused}"
    );
    assert!(!dest.exists(), "nothing written");
    book.write(
        "mytheme/templates/404.html",
        &format!("{csp}<p>custom missing page for {{{{ site.title }}}}</p>"),
    );
    pipeline::build(book.root(), &options).expect("build with theme");
    assert!(
        read(&dest.join("404.html"))
            .ends_with("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'\"><p>custom missing page for Fixture Guide</p>"),
        "{}",
        read(&dest.join("404.html"))
    );
    assert_eq!(read(&dest.join("assets/extra.txt")), "extra");
    assert!(
        read(&dest.join("guidelines/a-1.html")).contains("assets/guidebook.css"),
        "other templates stay"
    );
}

#[test]
fn front_matter_urls_cannot_carry_script() {
    let book = Book::fixture("valid");
    book.edit(
        "content/guidelines/design/a-1.md",
        "url: https://example.org/ref",
        "url: \"javascript:alert(1)\"",
    );
    let diagnostics = book.errors();
    assert!(
        diagnostics
            .iter()
            .any(|d| d.code == "unsafe-url" && d.position.line == 2),
        "{diagnostics:#?}"
    );
}

/// `last-reviewed` is a real date: shown on the page and in model.json; a wrong one is an error
/// at its line that says how to write it.
#[test]
fn review_dates_are_checked_and_shown() {
    let book = Book::fixture("valid");
    let file = "content/guidelines/design/a-1.md";
    book.edit(
        file,
        "roles: [system-owner]",
        "roles: [system-owner]\nlast-reviewed: 2026-02-29",
    );
    let diagnostics = book.errors();
    let wrong = diagnostics
        .iter()
        .find(|d| d.file.ends_with("a-1.md"))
        .unwrap_or_else(|| panic!("no error for 29 February 2026: {diagnostics:#?}"));
    assert_eq!(wrong.position.line, 8, "{wrong:#?}");
    assert!(
        wrong.message.contains("month 2 of 2026 has 28 days"),
        "{wrong:#?}"
    );
    assert!(
        wrong
            .help
            .as_deref()
            .is_some_and(|h| h.contains("YYYY-MM-DD")),
        "{wrong:#?}"
    );

    book.edit(
        file,
        "last-reviewed: 2026-02-29",
        "last-reviewed: 2024-02-29",
    );
    let built = book.build();
    let page = crate::common::page(&built, "guidelines/a-1.html");
    assert!(
        page.contains(r#"<time datetime="2024-02-29">29 February 2024</time>"#),
        "the page shows the date"
    );
    let model: serde_json::Value =
        serde_json::from_str(&crate::common::page(&built, "exports/model.json")).expect("json");
    let a1 = model["guidelines"]
        .as_array()
        .and_then(|g| g.iter().find(|g| g["id"] == "A-1"))
        .expect("A-1 in model.json");
    assert_eq!(a1["last_reviewed"], "2024-02-29");
}

#[test]
fn anchors_in_links_must_exist() {
    let book = Book::fixture("valid");
    book.edit(
        "content/guidelines/design/a-2.yaml",
        "See [A-1](guideline:A-1).",
        "See [A-1](guideline:A-1#what-to-do), [bad](guideline:A-1#what-to-dp) and [here](#selecton).",
    );
    let diagnostics = book.errors();
    let broken: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.code == "broken-anchor")
        .collect();
    assert_eq!(broken.len(), 2, "{diagnostics:#?}");
    assert!(
        broken
            .iter()
            .all(|d| d.file.ends_with("a-2.yaml") && d.position.line == 14),
        "{broken:#?}"
    );
    assert!(
        broken
            .iter()
            .any(|d| d.help.as_deref() == Some("did you mean `#what-to-do`?"))
    );
    assert!(
        broken
            .iter()
            .any(|d| d.help.as_deref() == Some("did you mean `#selection`?"))
    );
}

/// Past `print-part-bytes` of Markdown, print.html is an index of parts (one per domain and
/// one for the examples and pages here); each part is one document whose ids are unique, and
/// cross-references lead to the right part's anchor.
#[test]
fn a_large_print_page_is_split_into_parts_that_link_to_each_other() {
    let book = Book::fixture("valid");
    book.edit(
        "book.toml",
        "[output.html]\n",
        "[guidebook]\nprint-part-bytes = 100\n\n[output.html]\n",
    );
    let built = book.build();
    let parts = print_parts(&built);
    assert!(parts.len() >= 3, "{parts:?}");
    assert!(
        parts.contains(&"print/01-design.html".to_string()),
        "{parts:?}"
    );
    let attribute = |html: &str, name: &str| -> Vec<String> {
        let marker = format!(" {name}=\"");
        html.split(marker.as_str())
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .map(str::to_string)
            .collect()
    };
    let mut ids_of = std::collections::HashMap::new();
    for part in &parts {
        let html = crate::common::page(&built, part);
        let ids = attribute(&html, "id");
        let unique: std::collections::BTreeSet<&String> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "{part} repeats no id");
        ids_of.insert(part.clone(), (html, ids));
    }
    let mut across = 0;
    for (part, (html, ids)) in &ids_of {
        let main = &html[html.find("<main").expect("main")..];
        for href in attribute(main, "href") {
            if let Some(anchor) = href.strip_prefix('#') {
                assert!(ids.contains(&anchor.to_string()), "{part}: {href}");
            } else if let Some(rest) = href.strip_prefix("../print/") {
                let (file, anchor) = rest.split_once('#').expect("an anchor");
                let (_, target_ids) = &ids_of[&format!("print/{file}")];
                assert!(target_ids.contains(&anchor.to_string()), "{part}: {href}");
                across += 1;
            } else {
                assert!(
                    !href.starts_with("../guidelines/") && !href.starts_with("../examples/"),
                    "{part} links out to a printed page: {href}"
                );
            }
        }
    }
    assert!(across > 0, "some cross-reference leads to another part");
}

/// The parts print.html lists, in order.
fn print_parts(built: &guidebook::pipeline::Built) -> Vec<String> {
    let index = crate::common::page(built, "print.html");
    (index.split("<ol class=\"print-parts\">").nth(1))
        .expect("print.html lists the parts")
        .split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect()
}

/// Print parts are named so that no two share a file whatever the domain folders are called:
/// a domain split in several parts beside a domain whose folder looks like one of its parts
/// (`design`, split, and `design-2`), and a domain folder called `examples`.
#[test]
fn print_parts_never_share_a_file() {
    let book = Book::fixture("valid");
    book.edit(
        "book.toml",
        "[output.html]\n",
        "[guidebook]\nprint-part-bytes = 100\n\n[output.html]\n",
    );
    for (folder, id, guideline) in [("design-2", "design-two", "C-1"), ("examples", "ex", "D-1")] {
        book.write(
            &format!("content/guidelines/{folder}/_domain.md"),
            &format!("---\nid: {id}\ntitle: Domain {id}\norder: 3\nsummary: s.\n---\n\nThe {id} domain.\n"),
        );
        book.write(
            &format!("content/guidelines/{folder}/{}.md", guideline.to_lowercase()),
            &format!("---\nid: {guideline}\ntitle: Guideline {guideline}\nsummary: s.\n---\n\nOnly in {folder}, a body long enough to fill a part of its own.\n"),
        );
    }
    let built = book.build();
    let parts = print_parts(&built);
    let unique: std::collections::BTreeSet<&String> = parts.iter().collect();
    assert_eq!(unique.len(), parts.len(), "{parts:?}");
    for guideline in ["a-1", "c-1", "d-1"] {
        let anchor = format!("id=\"guidelines-{guideline}\"");
        let holding: Vec<&String> = (parts.iter())
            .filter(|part| crate::common::page(&built, part).contains(&anchor))
            .collect();
        assert_eq!(holding.len(), 1, "{guideline} is printed once: {holding:?}");
    }
}

/// The home page lists the first 25 guidelines of a domain and links to the rest.
#[test]
fn the_home_page_lists_the_first_guidelines_of_a_large_domain() {
    let book = Book::fixture("valid");
    for n in 0..30 {
        book.write(
            &format!("content/guidelines/design/z-{n:02}.md"),
            &format!("---\nid: Z-{n:02}\ntitle: Extra {n}\nsummary: One of many.\n---\n\nText.\n"),
        );
    }
    let built = book.build();
    let home = crate::common::page(&built, "index.html");
    assert!(
        home.contains("Extra 0<") || home.contains("Extra 0 "),
        "the first ones are listed"
    );
    assert!(!home.contains(">Extra 29<"), "not all of them");
    assert!(
        home.contains(r#"<a href="domains/design.html">7 more guidelines in "#),
        "a link to the rest: {}",
        &home[home.find("class=\"more\"").unwrap_or(0)..][..200.min(home.len())]
    );
    let domain = crate::common::page(&built, "domains/design.html");
    assert!(
        domain.contains("Extra 29"),
        "the domain page lists them all"
    );
}
