//! Incremental rebuilds are full builds, byte for byte: random sequences of the edits authors
//! make (bodies, titles, summaries, tags, mappings added and removed, new, deleted and renamed
//! files, a catalog control's title, threats named and a threat catalog's entries edited, roles
//! and checks added, a role renamed) applied to the shipped knowledge base; after each, what
//! `serve` would serve (the last build's files with the rebuild's changes applied, stale files
//! made on request) must equal a fresh full build, as must the search documents and warnings.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use guidebook::error::Error;
use guidebook::pipeline::live::{LiveSite, Rebuilt};
use guidebook::pipeline::{self, BuildOptions};
use guidebook::render::MarkdownCache;
use proptest::prelude::*;

use crate::common::Book;
use crate::common::edits::without_first_mapping;

const GUIDELINES: [&str; 6] = [
    "content/guidelines/secure-design/sd-1.md",
    "content/guidelines/secure-design/sd-2.md",
    "content/guidelines/secure-development/dev-1.md",
    "content/guidelines/secure-deployment/dep-3.md",
    "content/guidelines/secure-operation/ops-4.md",
    "content/guidelines/secure-operation/ops-1.md",
];

const BODIES: [&str; 5] = [
    "content/examples/ops-canary-model-rollout.md",
    "content/guidelines/secure-design/_domain.md",
    "content/pages/about.md",
    "content/index.md",
    "content/guidelines/secure-development/dev-2.md",
];

const DOMAINS: [&str; 2] = ["secure-design", "secure-operation"];

#[derive(Debug, Clone)]
enum Edit {
    Body(usize),
    Title(usize),
    Summary(usize),
    Tag(usize, usize),
    RemoveMapping(usize),
    AddMapping(usize, usize),
    NewGuideline(usize, usize),
    DeleteNew(usize),
    RenameNew(usize),
    ControlTitle,
    ExampleTitle(usize),
    AddThreat(usize, usize),
    ThreatTitle,
    DropMitigation,
    AddRole(usize),
    AddCheck(usize),
    RoleTitle,
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0..BODIES.len()).prop_map(Edit::Body),
        (0..GUIDELINES.len()).prop_map(Edit::Title),
        (0..GUIDELINES.len()).prop_map(Edit::Summary),
        (0..GUIDELINES.len(), 0..3usize).prop_map(|(g, t)| Edit::Tag(g, t)),
        (0..GUIDELINES.len()).prop_map(Edit::RemoveMapping),
        (0..GUIDELINES.len(), 0..3usize).prop_map(|(g, c)| Edit::AddMapping(g, c)),
        (0..DOMAINS.len(), 0..3usize).prop_map(|(d, n)| Edit::NewGuideline(d, n)),
        (0..3usize).prop_map(Edit::DeleteNew),
        (0..3usize).prop_map(Edit::RenameNew),
        Just(Edit::ControlTitle),
        (0..2usize).prop_map(Edit::ExampleTitle),
        (0..GUIDELINES.len(), 0..3usize).prop_map(|(g, t)| Edit::AddThreat(g, t)),
        Just(Edit::ThreatTitle),
        Just(Edit::DropMitigation),
        (0..GUIDELINES.len()).prop_map(Edit::AddRole),
        (0..GUIDELINES.len()).prop_map(Edit::AddCheck),
        Just(Edit::RoleTitle),
    ]
}

/// Applies `edit` (the `step`th) to `book`; returns the files it touched.
fn apply(book: &Book, edit: &Edit, step: usize) -> Vec<PathBuf> {
    let replace_line = |file: &str, key: &str, value: &str| {
        let text = book.read(file);
        let line = text
            .lines()
            .find(|l| l.starts_with(key))
            .unwrap_or_else(|| panic!("{file} has a {key} line"))
            .to_string();
        book.write(file, &text.replacen(&line, &format!("{key}{value}"), 1));
        vec![book.path(file)]
    };
    match *edit {
        Edit::Body(i) => {
            let text = book.read(BODIES[i]);
            let added =
                format!("\nA paragraph added at step {step}, citing [SD-2](guideline:SD-2).\n");
            book.write(BODIES[i], &format!("{text}{added}"));
            vec![book.path(BODIES[i])]
        }
        Edit::Title(g) => replace_line(
            GUIDELINES[g],
            "title: ",
            &format!("Retitled at step {step}"),
        ),
        Edit::Summary(g) => replace_line(
            GUIDELINES[g],
            "summary: ",
            &format!("Summary of step {step}."),
        ),
        Edit::Tag(g, t) => {
            let text = book.read(GUIDELINES[g]);
            book.write(
                GUIDELINES[g],
                &text.replacen("tags: [", &format!("tags: [added-{t}, "), 1),
            );
            vec![book.path(GUIDELINES[g])]
        }
        Edit::RemoveMapping(g) => {
            let Some(text) = without_first_mapping(&book.read(GUIDELINES[g])) else {
                return Vec::new();
            };
            book.write(GUIDELINES[g], &text);
            vec![book.path(GUIDELINES[g])]
        }
        Edit::AddMapping(g, c) => {
            let control = ["SI-4", "CM-8", "IR-8"][c];
            let mapping = format!(
                "controls:\n  - framework: nist-sp-800-53\n    control: {control}\n    relationship: intersects-with\n    rationale: Added at step {step}.\n"
            );
            let text = book.read(GUIDELINES[g]);
            book.write(GUIDELINES[g], &text.replacen("controls:\n", &mapping, 1));
            vec![book.path(GUIDELINES[g])]
        }
        Edit::NewGuideline(d, n) => {
            let file = format!("content/guidelines/{}/new-{n}.md", DOMAINS[d]);
            let text = format!(
                "---\nid: NEW-{n}\ntitle: New guideline {n}\nsummary: Written at step {step}.\norder: {}\ntags: [added-{n}]\ncontrols:\n  - framework: nist-sp-800-53\n    control: AC-2\n    relationship: intersects-with\n    rationale: r\nrelated:\n  - id: SD-1\n    relationship: supports\n---\n\n## What to do\n\nSee [SD-2](guideline:SD-2#what-to-do).\n",
                n + 2
            );
            book.write(&file, &text);
            vec![book.path(&file)]
        }
        Edit::DeleteNew(n) => {
            let files = new_files(book, n);
            for file in &files {
                std::fs::remove_file(file).expect("remove");
            }
            files
        }
        Edit::RenameNew(n) => new_files(book, n)
            .into_iter()
            .flat_map(|file| {
                let renamed = file.with_file_name(format!("new-{n}-renamed-{step}.md"));
                std::fs::rename(&file, &renamed).expect("rename");
                [file, renamed]
            })
            .collect(),
        Edit::ExampleTitle(e) => {
            let file = [
                "content/examples/ops-canary-model-rollout.md",
                "content/examples/dev-cyclonedx-ml-bom.md",
            ][e];
            replace_line(file, "title: ", &format!("Example retitled at step {step}"))
        }
        Edit::AddThreat(g, t) => {
            let threat = ["AML.T0051", "AML.T0010", "AML.T0020"][t];
            let text = book.read(GUIDELINES[g]);
            let text = match text.contains("threats: [") {
                true => text.replacen("threats: [", &format!("threats: [\"{threat}\", "), 1),
                false => text.replacen(
                    "controls:\n",
                    &format!("threats: [\"{threat}\"]\ncontrols:\n"),
                    1,
                ),
            };
            book.write(GUIDELINES[g], &text);
            vec![book.path(GUIDELINES[g])]
        }
        Edit::ThreatTitle => {
            let file = "content/frameworks/mitre-atlas-techniques.yaml";
            let text = book.read(file).replacen(
                "title: \"LLM Prompt Injection",
                "title: \"LLM Prompt Injection (renamed)",
                1,
            );
            book.write(file, &text);
            vec![book.path(file)]
        }
        Edit::DropMitigation => {
            // AML.T0051 no longer lists AML.M0020 (whose page lists the threats it counters).
            let file = "content/frameworks/mitre-atlas-techniques.yaml";
            let text =
                book.read(file)
                    .replacen("\"AML.M0019\", \"AML.M0020\", ", "\"AML.M0019\", ", 1);
            book.write(file, &text);
            vec![book.path(file)]
        }
        Edit::AddRole(g) => {
            let text = book.read(GUIDELINES[g]);
            let text = match text.contains("procurement") {
                true => text.replacen("roles: [", "roles: [end-user, ", 1),
                false => text.replacen("roles: [", "roles: [procurement, ", 1),
            };
            book.write(GUIDELINES[g], &text);
            vec![book.path(GUIDELINES[g])]
        }
        Edit::AddCheck(g) => {
            let text = book.read(GUIDELINES[g]);
            book.write(
                GUIDELINES[g],
                &format!("{text}\n- [ ] A check added at step {step}.\n"),
            );
            vec![book.path(GUIDELINES[g])]
        }
        Edit::RoleTitle => {
            let file = "content/roles.yaml";
            let text =
                book.read(file)
                    .replacen("title: Procurement", &format!("title: Buyers {step}"), 1);
            book.write(file, &text);
            vec![book.path(file)]
        }
        Edit::ControlTitle => {
            let file = "content/frameworks/owasp-llm-2025.yaml";
            let text = book.read(file);
            book.write(
                file,
                &text.replacen(
                    "title: \"Prompt Injection",
                    "title: \"Prompt Injection (renamed)",
                    1,
                ),
            );
            vec![book.path(file)]
        }
    }
}

/// The files the test created for guideline NEW-`n`, wherever they are now.
fn new_files(book: &Book, n: usize) -> Vec<PathBuf> {
    walkdir::WalkDir::new(book.path("content/guidelines"))
        .into_iter()
        .flatten()
        .map(|e| e.into_path())
        .filter(|p| {
            p.file_name()
                .and_then(|f| f.to_str())
                .is_some_and(|f| f.starts_with(&format!("new-{n}")))
        })
        .collect()
}

/// What `serve` serves: the build's files, with stale ones made on request.
struct Served {
    live: Arc<LiveSite>,
    files: BTreeMap<String, Vec<u8>>,
    stale: Vec<String>,
}

impl Served {
    fn build(book: &Book, cache: &Arc<MarkdownCache>) -> Result<Self, Error> {
        let (live, output) = LiveSite::build(book.root(), cache.clone())?;
        let files = output
            .iter()
            .map(|(p, b)| (p.to_string(), b.to_vec()))
            .collect();
        Ok(Self {
            live,
            files,
            stale: Vec::new(),
        })
    }

    /// What serve serves after `rebuilt`: its files in, removed files out, stale files left to
    /// be made on request (as `serve::Snapshot::rebuild` applies it).
    fn applied(self, rebuilt: Rebuilt) -> Self {
        let (mut files, mut stale) = (self.files, self.stale);
        for path in &rebuilt.removed {
            files.remove(path);
            stale.retain(|p| p != path);
        }
        for (path, bytes) in rebuilt.files {
            stale.retain(|p| *p != path);
            files.insert(path, bytes);
        }
        for path in rebuilt.stale {
            files.remove(&path);
            if !stale.contains(&path) {
                stale.push(path);
            }
        }
        Self {
            live: rebuilt.site,
            files,
            stale,
        }
    }

    fn everything(&self) -> BTreeMap<String, Vec<u8>> {
        let mut files = self.files.clone();
        for path in &self.stale {
            let made = self
                .live
                .make(path)
                .expect("make")
                .expect("a stale file exists");
            files.insert(path.clone(), made);
        }
        files
    }
}

fn full_build(book: &Book) -> Result<pipeline::Built, Error> {
    let options = BuildOptions {
        skip_static_search: true,
        ..BuildOptions::default()
    };
    pipeline::render_site(book.root(), &options)
}

fn assert_same(served: &Served, full: &pipeline::Built, history: &[Edit]) {
    let served_files = served.everything();
    let full_files: BTreeMap<String, Vec<u8>> = full
        .output
        .iter()
        .map(|(p, b)| (p.to_string(), b.to_vec()))
        .collect();
    let served_paths: Vec<&String> = served_files.keys().collect();
    let full_paths: Vec<&String> = full_files.keys().collect();
    assert_eq!(served_paths, full_paths, "the same files after {history:?}");
    for (path, bytes) in &full_files {
        assert!(
            served_files[path] == *bytes,
            "{path} differs from a full build after {history:?}:\n{}",
            first_difference(&served_files[path], bytes)
        );
    }
    let served_docs = served.live.search_docs();
    let full_docs = &full.search_docs[..];
    let differing = (served_docs.iter().zip(full_docs)).find(|(a, b)| a != b);
    assert!(
        differing.is_none() && served_docs.len() == full_docs.len(),
        "search documents differ after {history:?} ({} vs {}): {differing:#?}",
        served_docs.len(),
        full_docs.len()
    );
    assert_eq!(
        served.live.warnings(),
        &full.diagnostics[..],
        "warnings after {history:?}"
    );
}

fn first_difference(served: &[u8], full: &[u8]) -> String {
    let at = served
        .iter()
        .zip(full)
        .position(|(a, b)| a != b)
        .unwrap_or(served.len().min(full.len()));
    let show = |b: &[u8]| {
        String::from_utf8_lossy(&b[at.saturating_sub(80)..(at + 80).min(b.len())]).into_owned()
    };
    format!("served: …{}…\nfull:   …{}…", show(served), show(full))
}

proptest! {
    // 6 cases keep CI quick; GUIDEBOOK_INCREMENTAL_CASES=200 searches harder.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("GUIDEBOOK_INCREMENTAL_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(6),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn incremental_rebuilds_equal_full_builds(edits in prop::collection::vec(edit(), 3..7)) {
        let book = Book::shipped();
        let cache = Arc::new(MarkdownCache::default());
        let mut served = Some(Served::build(&book, &cache).expect("the shipped content builds"));
        let mut history = Vec::new();
        for (step, edit) in edits.iter().enumerate() {
            history.push(edit.clone());
            let changed = apply(&book, edit, step);
            let full = full_build(&book);
            let next = match served.take() {
                Some(previous) => match previous.live.rebuild(&changed) {
                    Ok(Some(rebuilt)) => Ok(previous.applied(rebuilt)),
                    Ok(None) => Served::build(&book, &cache),
                    Err(err) => Err(err),
                },
                // After a failed build, serve's next rebuild is a full one.
                None => Served::build(&book, &cache),
            };
            match (next, full) {
                (Ok(next), Ok(full)) => {
                    assert_same(&next, &full, &history);
                    served = Some(next);
                }
                (Err(Error::Content(incremental)), Err(Error::Content(full))) => {
                    prop_assert_eq!(incremental, full, "the same errors after {:?}", history);
                }
                (next, full) => panic!(
                    "incremental and full builds disagree after {history:?}: {:?} vs {:?}",
                    next.err().map(|e| e.to_string()),
                    full.err().map(|e| e.to_string())
                ),
            }
        }
    }
}

/// Each kind of edit, in turn, takes the incremental path (not the full build) and gives the
/// full build's bytes.
#[test]
fn every_kind_of_content_edit_is_rebuilt_incrementally() {
    let book = Book::shipped();
    let cache = Arc::new(MarkdownCache::default());
    let mut served = Served::build(&book, &cache).expect("the shipped content builds");
    let edits = [
        Edit::Body(0),
        Edit::Title(1),
        Edit::Summary(2),
        Edit::Tag(3, 0),
        Edit::RemoveMapping(4),
        Edit::AddMapping(5, 0),
        Edit::NewGuideline(0, 0),
        Edit::RenameNew(0),
        Edit::DeleteNew(0),
        Edit::ControlTitle,
        Edit::ExampleTitle(0),
        Edit::Body(2),
        Edit::Body(3),
    ];
    let mut history = Vec::new();
    for (step, edit) in edits.iter().enumerate() {
        history.push(edit.clone());
        let changed = apply(&book, edit, step);
        let rebuilt = served
            .live
            .rebuild(&changed)
            .unwrap_or_else(|e| panic!("{edit:?}: {e}"))
            .unwrap_or_else(|| panic!("{edit:?} took the full build"));
        served = served.applied(rebuilt);
        let full = full_build(&book).unwrap_or_else(|e| panic!("{edit:?}: {e}"));
        assert_same(&served, &full, &history);
    }
}

/// A body that grows past `print-part-bytes` turns print.html into parts: the sitemap, which
/// lists them, follows.
#[test]
fn growing_past_the_print_part_size_splits_print_html_incrementally() {
    let book = Book::shipped();
    let site = full_build(&book).expect("builds").site;
    let bodies: usize = (site.domains.iter().map(|d| d.body.len()))
        .chain(site.guidelines.iter().map(|g| g.guideline.body.len()))
        .chain(site.examples.iter().map(|e| e.example.body.len()))
        .chain(site.pages.iter().map(|p| p.body.len()))
        .sum();
    book.edit(
        "book.toml",
        "[guidebook]\n",
        &format!("[guidebook]\nprint-part-bytes = {}\n", bodies + 50),
    );
    let cache = Arc::new(MarkdownCache::default());
    let served = Served::build(&book, &cache).expect("builds");
    assert!(
        !served.files.keys().any(|path| path.starts_with("print/")),
        "one print.html at first"
    );
    let file = GUIDELINES[0];
    let text = book.read(file);
    book.write(file, &format!("{text}\n{}\n", "Grown. ".repeat(30)));
    let rebuilt = served
        .live
        .rebuild(&[book.path(file)])
        .expect("rebuilds")
        .expect("incrementally");
    let served = served.applied(rebuilt);
    assert!(
        served.stale.iter().any(|p| p.starts_with("print/")),
        "{:?}",
        served.stale
    );
    let full = full_build(&book).expect("builds");
    assert_same(&served, &full, &[Edit::Body(0)]);
}

/// An edit that turns a content file into a link out of the content folder is refused by the
/// incremental rebuild as a full build refuses it: the secret it points at is never read.
#[test]
fn a_file_turned_into_a_link_out_of_the_content_is_refused() {
    let book = Book::shipped();
    assert_link_out_refused(&book, &book.path(GUIDELINES[0]), "SD-1");
}

/// A new file that is a link out of the content folder is refused by the incremental rebuild
/// (which lists new files without a walk when it can) as a full build refuses it.
#[test]
fn a_new_link_out_of_the_content_is_refused() {
    let book = Book::shipped();
    let file = book.path(&format!("content/guidelines/{}/new-9.md", DOMAINS[0]));
    assert_link_out_refused(&book, &file, "NEW-9");
}

/// Serves `book`, makes `file` (replacing it, if it is there) a link to a secret guideline `id`
/// outside the content folder, and checks that the rebuild names the link and never shows the
/// secret.
fn assert_link_out_refused(book: &Book, file: &std::path::Path, id: &str) {
    let cache = Arc::new(MarkdownCache::default());
    let served = Served::build(book, &cache).expect("the shipped content builds");
    let outside = tempfile::tempdir().expect("temp dir");
    let secret = outside.path().join("secret.md");
    let text = format!("---\nid: {id}\ntitle: TOP SECRET\nsummary: s\n---\n\nTOP SECRET\n");
    std::fs::write(&secret, text).expect("secret");
    if file.exists() {
        std::fs::remove_file(file).expect("remove");
    }
    std::os::unix::fs::symlink(&secret, file).expect("symlink");
    let Err(Error::Content(diagnostics)) = served.live.rebuild(&[file.to_path_buf()]) else {
        panic!("a link out of the content must fail the rebuild");
    };
    let name = file.file_name().expect("a file name");
    assert!(
        diagnostics
            .iter()
            .any(|d| d.code == "symlink" && d.file.file_name() == Some(name)),
        "{diagnostics:#?}"
    );
    assert!(!format!("{diagnostics:?}").contains("TOP SECRET"));
}

/// A content folder with a link inside is walked on every change: a file reached through a
/// link changes and goes with its target, as in a full build (a change names only the target).
#[test]
fn a_file_reached_through_a_link_follows_its_target() {
    let book = Book::shipped();
    let target = "content/shared/figure.svg";
    book.write(target, "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n");
    std::os::unix::fs::symlink(book.path("content/shared"), book.path("content/linked"))
        .expect("symlink");
    let cache = Arc::new(MarkdownCache::default());
    let mut served = Served::build(&book, &cache).expect("the shipped content builds");
    assert!(
        served.files.contains_key("linked/figure.svg"),
        "reached through the link"
    );
    let file = book.path(target);
    for what in ["edited", "deleted"] {
        match what {
            "edited" => std::fs::write(
                &file,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"2\"/>\n",
            ),
            _ => std::fs::remove_file(&file),
        }
        .expect(what);
        served = match served.live.rebuild(std::slice::from_ref(&file)) {
            Ok(Some(rebuilt)) => served.applied(rebuilt),
            Ok(None) => Served::build(&book, &cache).expect("builds"),
            Err(e) => panic!("the target {what}: {e}"),
        };
        let full = full_build(&book).expect("builds");
        assert_eq!(
            served.files.get("linked/figure.svg"),
            full.output
                .read("linked/figure.svg")
                .map(|b| b.to_vec())
                .as_ref(),
            "the target {what}"
        );
        assert_same(&served, &full, &[]);
    }
}
