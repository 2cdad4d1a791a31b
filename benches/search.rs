//! Search benchmark: prints figures, asserts nothing.
//!
//!     cargo bench --bench search -- <book root> [queries]
//!
//! Builds the book at <book root> in memory, then reports: build stage timings (including both
//! search indexes), tantivy index size, client index size (total, manifest, largest shard), the
//! bytes the static page downloads for a first query, and tantivy query latency p50/p99.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use guidebook::pipeline::{self, BuildOptions};
use guidebook::search::client::{DOCS_PER_CHUNK, shard_of};
use guidebook::search::index::SearchIndex;
use guidebook::search::{SearchRequest, analysis};
use tantivy::tokenizer::{TokenStream, TokenizerManager};

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
    SearchIndex::write(&index_dir, &rendered.search_docs, "bench").expect("index");
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
    let mut first_query = Vec::with_capacity(words.len());
    for query in &words {
        let request = SearchRequest::new(query.as_str());
        let start = Instant::now();
        let response = index.search(&request, 2.0, 10).expect("search");
        latencies.push(start.elapsed());
        let candidates = index.search(&request, 2.0, 20).expect("search");
        first_query.push(first_query_bytes(
            query,
            &candidates,
            &rendered,
            shards,
            manifest,
        ));
        drop(response);
    }
    latencies.sort();
    first_query.sort_unstable();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    println!(
        "tantivy query latency over {} queries: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        latencies.len(),
        ms(pct(0.5)),
        ms(pct(0.99)),
        ms(*latencies.last().expect("queries"))
    );
    let fq =
        |p: f64| first_query[((first_query.len() as f64 * p) as usize).min(first_query.len() - 1)];
    println!(
        "static first-query download: median {} bytes, p99 {} bytes, max {} bytes",
        fq(0.5),
        fq(0.99),
        first_query.last().copied().unwrap_or(0)
    );
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

/// What the static page downloads for `query` on a cold cache: the manifest, one postings shard
/// per distinct key, and the metadata chunks of the top documents (`response` is asked for 20
/// pages, an upper bound on the 20 candidate documents search.js reads first).
fn first_query_bytes(
    query: &str,
    response: &guidebook::search::SearchResponse,
    rendered: &pipeline::Built,
    shards: usize,
    manifest: usize,
) -> usize {
    let mut keys: BTreeSet<String> = analysis::id_candidates(query)
        .into_iter()
        .map(|c| format!("#{c}"))
        .collect();
    let mut analyzer = TokenizerManager::default().get("en_stem").expect("en_stem");
    let mut stream = analyzer.token_stream(query);
    while stream.advance() {
        keys.insert(stream.token().text.clone());
    }
    let shard_files: BTreeSet<usize> = keys.iter().map(|k| shard_of(k, shards)).collect();
    let mut bytes = manifest;
    for n in shard_files {
        bytes += rendered
            .output
            .get(&format!("search/t{n}.js"))
            .map_or(0, <[u8]>::len);
    }
    let chunks: BTreeSet<usize> = response
        .results
        .iter()
        .filter_map(|hit| rendered.search_docs.iter().position(|d| d.url == hit.url))
        .map(|d| d / DOCS_PER_CHUNK)
        .collect();
    for n in chunks {
        bytes += rendered
            .output
            .get(&format!("search/d{n}.js"))
            .map_or(0, <[u8]>::len);
    }
    bytes
}
