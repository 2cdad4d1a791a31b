//! The static site's search engine (assets/search.js + assets/stemmer.js), run under node over
//! the client index of the shipped content, against the tantivy side on the same documents.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::common::{JUDGED, repo_root};
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

const ENGINE: &str = r#"
const fs = require("fs"), vm = require("vm"), path = require("path");
const site = process.argv[2];
require(path.join(site, "assets/stemmer.js"));
const { createEngine } = require(path.join(site, "assets/search.js"));
const engine = createEngine(p => new Promise(resolve => {
  vm.runInThisContext(fs.readFileSync(path.join(site, p), "utf8"));
  resolve();
}));
const queries = JSON.parse(fs.readFileSync(0, "utf8"));
(async () => {
  const out = [];
  for (const q of queries) {
    const answer = await engine.search(q.q, q.filters || {}, 5);
    out.push(answer.results.map(h => h.page));
  }
  console.log(JSON.stringify(out));
})();
"#;

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

#[test]
fn static_engine_ranks_like_tantivy() {
    let built = built();
    let queries: Vec<serde_json::Value> = JUDGED
        .iter()
        .map(|(q, _, _)| serde_json::json!({ "q": q }))
        .collect();
    let output = run_node(
        ENGINE,
        &[&built.site],
        &serde_json::to_string(&queries).expect("json"),
    );
    let client: Vec<Vec<String>> = serde_json::from_str(output.trim()).expect("engine output");

    let mut overlap_sum = 0.0;
    let mut client_hits = 0;
    let mut report = Vec::new();
    for (((query, expected, exact), client_top), _) in JUDGED.iter().zip(&client).zip(0..) {
        let server_top: Vec<String> = built
            .index
            .search(&SearchRequest::new(*query), 2.0, 5)
            .expect("search")
            .results
            .into_iter()
            .map(|h| h.page)
            .collect();
        let shared = client_top.iter().filter(|p| server_top.contains(p)).count();
        let overlap = shared as f64 / server_top.len().max(1) as f64;
        overlap_sum += overlap;
        let found = if *exact {
            client_top.first() == Some(&expected.to_string())
        } else {
            client_top.iter().take(3).any(|p| p == expected)
        };
        client_hits += usize::from(found);
        if overlap < 0.6 || !found {
            report.push(format!("{query:?}: overlap {overlap:.2}\n  tantivy {server_top:?}\n  static  {client_top:?}"));
        }
    }
    let mean_overlap = overlap_sum / JUDGED.len() as f64;
    let precision = client_hits as f64 / JUDGED.len() as f64;
    println!(
        "static engine: top-5 overlap with tantivy {mean_overlap:.3}; precision@3 {precision:.3}; client index {} bytes",
        built.client_bytes
    );
    assert!(
        mean_overlap >= 0.8,
        "mean top-5 overlap {mean_overlap:.3}:\n{}",
        report.join("\n")
    );
    assert!(
        precision >= 0.9,
        "static precision@3 {precision:.3}:\n{}",
        report.join("\n")
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
    let output = run_node(ENGINE, &[&built.site], &queries.to_string());
    let answers: Vec<Vec<String>> = serde_json::from_str(output.trim()).expect("engine output");
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
