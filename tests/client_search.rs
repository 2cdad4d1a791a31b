//! The static site's search engine (assets/search.js + assets/stemmer.js), run under node over
//! the client index of the shipped content, against the tantivy side on the same documents.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::common::judged::measure;
use crate::common::{judged, repo_root};
use guidebook::pipeline::{self, BuildOptions};
use guidebook::search::SearchRequest;
use guidebook::search::index::SearchIndex;

fn node() -> String {
    let found = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "MISSING NODE: the client search tests run assets/search.js under node (v18+); install nodejs"
    );
    "node".into()
}

/// Runs `script` with node, `args`, and `stdin`; returns stdout.
fn run_node(script: &str, args: &[&Path], stdin: &str) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("run.js");
    std::fs::write(&file, script).expect("write script");
    let mut child = Command::new(node())
        .arg(&file)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn node");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    let output = child.wait_with_output().expect("node output");
    assert!(
        output.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

/// The engine runner shared with `benches/search.rs`.
fn engine() -> String {
    std::fs::read_to_string(repo_root().join("tests/data/run-engine.js")).expect("run-engine.js")
}

/// One query's answer from the static engine.
#[derive(serde::Deserialize)]
struct Answer {
    results: Vec<(String, String)>,
    total: usize,
    suggestion: Option<String>,
    facets: std::collections::BTreeMap<String, std::collections::BTreeMap<String, u64>>,
    bytes: usize,
}

fn answers(built: &Built, queries: &serde_json::Value) -> Vec<Answer> {
    let output = run_node(&engine(), &[&built.site], &queries.to_string());
    serde_json::from_str(output.trim()).expect("engine output")
}

struct Built {
    _dir: tempfile::TempDir,
    site: std::path::PathBuf,
    index: SearchIndex,
    client_bytes: usize,
}

fn built() -> Built {
    let rendered = pipeline::render_site(&repo_root(), &BuildOptions::default()).expect("render");
    let dir = tempfile::tempdir().expect("temp dir");
    let site = dir.path().join("site");
    rendered.output.write_atomically(&site).expect("write");
    let client_bytes = rendered
        .output
        .iter()
        .filter(|(p, _)| p.starts_with("search/"))
        .map(|(_, b)| b.len())
        .sum();
    let index = SearchIndex::in_memory(&rendered.search_docs).expect("index");
    Built {
        _dir: dir,
        site,
        index,
        client_bytes,
    }
}

/// The static engine returns the same top 5 as tantivy (pages, their sections and their order)
/// for every judged query, and so the same precision.
#[test]
fn static_engine_ranks_like_tantivy() {
    let built = built();
    let judged = judged();
    let queries: Vec<serde_json::Value> = judged
        .iter()
        .map(|j| serde_json::json!({ "q": j.query }))
        .collect();
    let answers = answers(&built, &serde_json::Value::from(queries));
    let client: Vec<Vec<(String, String)>> = answers.iter().map(|a| a.results.clone()).collect();
    let mut bytes: Vec<usize> = answers.iter().map(|a| a.bytes).collect();
    bytes.sort_unstable();
    let mut disagreements = Vec::new();
    for (j, client_top) in judged.iter().zip(&client) {
        let server_top: Vec<(String, String)> = built
            .index
            .search(&SearchRequest::new(&j.query), 2.0, 5)
            .expect("search")
            .results
            .into_iter()
            .map(|h| (h.url, h.page))
            .collect();
        if &server_top != client_top {
            disagreements.push(format!(
                "{:?}\n  tantivy {server_top:?}\n  static  {client_top:?}",
                j.query
            ));
        }
    }
    let pages: Vec<Vec<String>> = client
        .iter()
        .map(|top| top.iter().map(|(_, page)| page.clone()).collect())
        .collect();
    let (precision, ndcg, misses) = measure(&judged, &pages);
    let agreement = 1.0 - disagreements.len() as f64 / judged.len() as f64;
    println!(
        "static engine: top-5 agreement with tantivy {agreement:.3}; precision@3 {precision:.3}; nDCG@5 {ndcg:.3}; client index {} bytes; a cold query downloads median {} bytes, max {}",
        built.client_bytes,
        bytes[bytes.len() / 2],
        bytes[bytes.len() - 1]
    );
    assert!(
        disagreements.is_empty(),
        "the engines disagree:\n{}",
        disagreements.join("\n")
    );
    assert!(
        precision >= 0.9,
        "static precision@3 {precision:.3}:\n{}",
        misses.join("\n")
    );
}

#[test]
fn static_engine_filters_and_empty_queries() {
    let built = built();
    let queries = serde_json::json!([
        { "q": "model", "filters": { "kind": "example" } },
        { "q": "" },
        { "q": "\"unclosed AND (" },
        { "q": "model", "filters": { "framework": "mitre-atlas", "kind": "control" } }
    ]);
    let answers: Vec<Vec<String>> = answers(&built, &queries)
        .into_iter()
        .map(|a| a.results.into_iter().map(|(_, page)| page).collect())
        .collect();
    assert!(
        !answers[0].is_empty() && answers[0].iter().all(|p| p.starts_with("examples/")),
        "{:?}",
        answers[0]
    );
    assert!(answers[1].is_empty(), "an empty query gives no results");
    assert!(
        !answers[3].is_empty()
            && answers[3]
                .iter()
                .all(|p| p.starts_with("frameworks/mitre-atlas/")),
        "{:?}",
        answers[3]
    );
}

/// Typos find the page in both engines, with the same suggestion; facets count pages.
#[test]
fn typos_suggestions_and_page_counts_agree() {
    let built = built();
    let queries = serde_json::json!([
        { "q": "suply chain" },
        { "q": "incidnet management" },
        { "q": "supply chain" },
        { "q": "zzzzqx" }
    ]);
    let answers = answers(&built, &queries);
    for (q, answer) in queries.as_array().expect("queries").iter().zip(&answers) {
        let q = q["q"].as_str().expect("query");
        let server = built
            .index
            .search(&SearchRequest::new(q), 2.0, 5)
            .expect("search");
        assert_eq!(server.suggestion, answer.suggestion, "{q}");
        assert_eq!(server.total, answer.total, "{q}");
        assert_eq!(server.facets.kind, answer.facets["kind"], "{q}");
        assert_eq!(server.facets.framework, answer.facets["framework"], "{q}");
        let pages: Vec<&String> = server.results.iter().map(|h| &h.page).collect();
        let client: Vec<&String> = answer.results.iter().map(|(_, p)| p).collect();
        assert_eq!(pages, client, "{q}");
    }
    assert_eq!(answers[0].suggestion.as_deref(), Some("supply chain"));
    assert_eq!(answers[0].results[0].1, "guidelines/dev-1.html");
    assert_eq!(
        answers[1].suggestion.as_deref(),
        Some("incident management")
    );
    assert_eq!(answers[1].results[0].1, "guidelines/dep-3.html");
    assert_eq!(answers[2].suggestion, None, "no typo, no suggestion");
    assert!(answers[3].results.is_empty() && answers[3].suggestion.is_none());
    // Pages, not sections: the guidelines facet counts at most the site's 17 guidelines.
    let guidelines = answers[2].facets["kind"]["guideline"];
    assert!((1..=17).contains(&guidelines), "{guidelines}");
    assert_eq!(
        answers[2].total as u64,
        answers[2].facets["kind"].values().sum::<u64>()
    );
}

#[test]
fn stemmer_matches_tantivy_on_the_whole_vocabulary() {
    use tantivy::tokenizer::{TokenStream, TokenizerManager};
    let built = built();
    let rendered = pipeline::render_site(&repo_root(), &BuildOptions::default()).expect("render");
    let mut words: Vec<String> = rendered
        .search_docs
        .iter()
        .flat_map(|d| {
            format!("{} {} {}", d.title, d.summary, d.body)
                .split(|c: char| !c.is_alphanumeric())
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
        })
        .filter(|w| !w.is_empty() && w.len() < 40)
        .collect();
    words.sort();
    words.dedup();
    let mut analyzer = TokenizerManager::default().get("en_stem").expect("en_stem");
    let expected: Vec<String> = words
        .iter()
        .map(|w| {
            let mut stream = analyzer.token_stream(w);
            let mut out = String::new();
            while stream.advance() {
                out.push_str(&stream.token().text);
            }
            out
        })
        .collect();
    let script = r#"
const fs = require("fs"), path = require("path");
require(path.join(process.argv[2], "assets/stemmer.js"));
const words = JSON.parse(fs.readFileSync(0, "utf8"));
console.log(JSON.stringify(words.map(w => globalThis.guidebookStem(w))));
"#;
    let output = run_node(
        script,
        &[&built.site],
        &serde_json::to_string(&words).expect("json"),
    );
    let stems: Vec<String> = serde_json::from_str(output.trim()).expect("stems");
    let mismatches: Vec<String> = words
        .iter()
        .zip(expected.iter().zip(&stems))
        .filter(|(_, (e, s))| e != s)
        .map(|(w, (e, s))| format!("{w}: tantivy {e}, stemmer.js {s}"))
        .collect();
    println!("stemmer: {} words compared", words.len());
    assert!(words.len() > 3000);
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
