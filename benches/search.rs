//! Search benchmark: prints figures, asserts nothing.
//!
//!     cargo bench --bench search -- <book root> [queries]
//!
//! Builds the book at <book root> in memory, then reports: build stage timings (including both
//! search indexes), tantivy index size, client index size (total, manifest, largest shard),
//! tantivy query latency p50/p99, and, over the judged queries (`tests/data/judged-queries.txt`),
//! both engines' precision@3 and nDCG@5 (on the shipped content, whose pages they judge), their
//! top-5 agreement (the static engine runs under node, loading the files as the page does).
//! What a query downloads in a browser is `benches/reader.rs`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use guidebook::pipeline::{self, BuildOptions};
use guidebook::search::SearchRequest;
use guidebook::search::index::SearchIndex;
use guidebook::search::vocabulary::Vocabulary;

#[path = "../tests/common/judged.rs"]
mod judged;

// The allocator the `guidebook` binary uses, with its defaults (those of `serve`, which answers
// most searches), so the latency figures are the binary's rather than the system allocator's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let Some(root) = args.first().map(PathBuf::from) else {
        eprintln!("usage: cargo bench --bench search -- <book root> [number of queries]");
        std::process::exit(2);
    };
    let queries: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(1000);

    let start = Instant::now();
    let rendered =
        pipeline::render_site(&root, &BuildOptions::default()).expect("the book renders");
    let render_total = start.elapsed();
    println!(
        "book: {}  ({} search documents)",
        root.display(),
        rendered.search_docs.len()
    );
    for (stage, duration) in &rendered.timings.0 {
        println!("  stage {stage:<13} {:>9.1} ms", ms(*duration));
    }
    println!("  in-memory build  {:>9.1} ms", ms(render_total));

    let dir = tempfile::tempdir().expect("temp dir");
    let index_dir = dir.path().join("index");
    let start = Instant::now();
    let vocabulary = Vocabulary::of(&rendered.search_docs);
    SearchIndex::write(&index_dir, &rendered.search_docs, &vocabulary, "bench").expect("index");
    println!("  stage tantivy-index {:>7.1} ms", ms(start.elapsed()));
    println!("tantivy index: {} bytes", dir_bytes(&index_dir));

    let client: Vec<(&str, usize)> = rendered
        .output
        .iter()
        .filter(|(p, _)| p.starts_with("search/"))
        .map(|(p, b)| (p, b.len()))
        .collect();
    let shards = client
        .iter()
        .filter(|(p, _)| p.starts_with("search/t"))
        .count();
    let manifest = client
        .iter()
        .find(|(p, _)| *p == "search/manifest.js")
        .map_or(0, |(_, b)| *b);
    let largest = client
        .iter()
        .filter(|(p, _)| p.starts_with("search/t"))
        .map(|(_, b)| *b)
        .max()
        .unwrap_or(0);
    let total: usize = client.iter().map(|(_, b)| b).sum();
    println!(
        "client index: {total} bytes in {} files ({shards} postings shards, largest {largest} bytes; manifest {manifest} bytes)",
        client.len()
    );

    let index = SearchIndex::open_fresh(&index_dir, "bench")
        .expect("open")
        .expect("fresh");
    let words = sample_queries(&rendered.search_docs, queries);
    let mut latencies = Vec::with_capacity(words.len());
    for query in &words {
        let request = SearchRequest::new(query.as_str());
        let start = Instant::now();
        let response = index.search(&request, 2.0, 10).expect("search");
        latencies.push(start.elapsed());
        drop(response);
    }
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    println!(
        "tantivy query latency over {} queries: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        latencies.len(),
        ms(pct(0.5)),
        ms(pct(0.99)),
        ms(*latencies.last().expect("queries"))
    );
    judged_queries(&root, &rendered, &index, dir.path());
}

/// Both engines over the judged queries: quality (on the shipped content), agreement, and the
/// static engine's downloads.
fn judged_queries(root: &Path, rendered: &pipeline::Built, index: &SearchIndex, scratch: &Path) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let judged = judged::read(&repo.join("tests/data/judged-queries.txt"));
    let tantivy: Vec<Vec<(String, String)>> = judged
        .iter()
        .map(|j| {
            let response = index
                .search(&SearchRequest::new(j.query.as_str()), 2.0, 5)
                .expect("search");
            response
                .results
                .into_iter()
                .map(|h| (h.url, h.page))
                .collect()
        })
        .collect();
    let site = scratch.join("site");
    for (path, bytes) in rendered.output.iter() {
        if path.starts_with("search/") || path.starts_with("assets/") {
            let file = site.join(path);
            std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
            std::fs::write(file, bytes).expect("write");
        }
    }
    let Some(answers) = static_engine(&repo.join("tests/data/run-engine.js"), &site, &judged)
    else {
        println!("static engine: NOT RUN (node is missing; install nodejs)");
        return;
    };
    let agree = answers
        .iter()
        .zip(&tantivy)
        .filter(|(a, t)| &a.results == *t)
        .count();
    println!(
        "judged queries: {}; top-5 agreement of the two engines {agree}/{} ({:.1} %)",
        judged.len(),
        judged.len(),
        100.0 * agree as f64 / judged.len() as f64
    );
    let shipped = root.canonicalize().ok() == repo.canonicalize().ok();
    if shipped {
        let pages = |top: &[(String, String)]| top.iter().map(|(_, p)| p.clone()).collect();
        for (engine, rankings) in [
            (
                "tantivy",
                tantivy
                    .iter()
                    .map(|t| pages(t))
                    .collect::<Vec<Vec<String>>>(),
            ),
            (
                "static",
                answers.iter().map(|a| pages(&a.results)).collect(),
            ),
        ] {
            let (precision, ndcg, misses) = judged::measure(&judged, &rankings);
            println!(
                "  {engine:<8} precision@3 {precision:.3}  nDCG@5 {ndcg:.3}  misses {}",
                misses.len()
            );
        }
    } else {
        println!("  (precision and nDCG are judged on the shipped content only)");
    }
    println!(
        "(what a query downloads in the browser: `cargo bench --bench reader -- <site>`, which \
         counts what Chromium requests, beside Pagefind)"
    );
}

#[derive(serde::Deserialize)]
struct Answer {
    results: Vec<(String, String)>,
}

/// The static engine's answers to the judged queries, or `None` without node.
fn static_engine(runner: &Path, site: &Path, judged: &[judged::Judged]) -> Option<Vec<Answer>> {
    let queries: Vec<serde_json::Value> = judged
        .iter()
        .map(|j| serde_json::json!({ "q": j.query, "limit": 5 }))
        .collect();
    let mut child = Command::new("node")
        .arg(runner)
        .arg(site)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .ok()?;
    use std::io::Write as _;
    child
        .stdin
        .take()?
        .write_all(serde_json::Value::from(queries).to_string().as_bytes())
        .ok()?;
    let output = child.wait_with_output().ok()?;
    serde_json::from_slice(&output.stdout).ok()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn dir_bytes(dir: &std::path::Path) -> u64 {
    walk(dir)
        .iter()
        .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
        .sum()
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// A deterministic mix: one- and two-word queries from titles, and identifiers.
fn sample_queries(docs: &[guidebook::search::SearchDoc], n: usize) -> Vec<String> {
    let mut queries = Vec::with_capacity(n);
    let mut i = 0usize;
    while queries.len() < n && !docs.is_empty() {
        let doc = &docs[(i * 7919) % docs.len()];
        let words: Vec<&str> = doc.title.split_whitespace().collect();
        let query = match i % 4 {
            0 => doc
                .id
                .clone()
                .unwrap_or_else(|| words.first().copied().unwrap_or("model").to_string()),
            1 => words.iter().take(2).copied().collect::<Vec<_>>().join(" "),
            2 => words.last().copied().unwrap_or("control").to_string(),
            _ => doc
                .mapped
                .first()
                .cloned()
                .unwrap_or_else(|| "access review".into()),
        };
        if !query.trim().is_empty() {
            queries.push(query);
        }
        i += 1;
    }
    queries
}
