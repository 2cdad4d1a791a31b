//! Search over the shipped content: a judged query set (precision@3), identifier handling,
//! filters, facets, leniency, and the CLI.

use std::sync::OnceLock;

use crate::common::judged::measure;
use crate::common::{guidebook, judged, repo_root};
use guidebook::pipeline::{self, BuildOptions};
use guidebook::search::index::SearchIndex;
use guidebook::search::{SearchDoc, SearchRequest, SearchResponse};

fn docs() -> &'static Vec<SearchDoc> {
    static DOCS: OnceLock<Vec<SearchDoc>> = OnceLock::new();
    DOCS.get_or_init(|| {
        pipeline::render_site(&repo_root(), &BuildOptions::default())
            .expect("shipped content renders")
            .search_docs
    })
}

fn index() -> &'static SearchIndex {
    static INDEX: OnceLock<SearchIndex> = OnceLock::new();
    INDEX.get_or_init(|| SearchIndex::in_memory(docs()).expect("index"))
}

fn search(request: &SearchRequest) -> SearchResponse {
    index().search(request, 2.0, 10).expect("search")
}

fn top_pages(query: &str, n: usize) -> Vec<String> {
    search(&SearchRequest::new(query))
        .results
        .into_iter()
        .take(n)
        .map(|h| h.page)
        .collect()
}

/// Precision@3 ≥ 0.9 over the judged queries, every identifier first.
#[test]
fn judged_queries_find_their_page_in_the_top_three() {
    let judged = judged();
    assert!(judged.len() >= 60, "{} judged queries", judged.len());
    let rankings: Vec<Vec<String>> = judged.iter().map(|j| top_pages(&j.query, 5)).collect();
    let (precision, ndcg, misses) = measure(&judged, &rankings);
    println!(
        "tantivy: {} judged queries, precision@3 {precision:.3}, nDCG@5 {ndcg:.3}",
        judged.len()
    );
    for miss in &misses {
        println!("  miss {miss}");
    }
    let ids_missed: Vec<&String> = judged
        .iter()
        .zip(&rankings)
        .filter(|(j, r)| j.first && !j.found(r))
        .map(|(j, _)| &j.query)
        .collect();
    assert!(
        ids_missed.is_empty(),
        "identifiers not first: {ids_missed:?}"
    );
    assert!(
        precision >= 0.9,
        "precision@3 {precision:.3}:\n{}",
        misses.join("\n")
    );
}

#[test]
fn identifiers_are_kept_whole() {
    // "AC-2" must not match "2" everywhere: the first hit is the control itself, by its id.
    let response = search(&SearchRequest::new("SA-8(23)"));
    assert_eq!(response.results[0].id.as_deref(), Some("SA-8(23)"));
    // A guideline mapped to a control is found by the control id too.
    let response = search(&SearchRequest::new("SR-4"));
    assert!(
        response
            .results
            .iter()
            .any(|h| h.page == "guidelines/dev-1.html"),
        "{:?}",
        response.results
    );
}

#[test]
fn prose_is_stemmed_and_case_folded() {
    let plural = top_pages("MONITORS", 5);
    let singular = top_pages("monitoring", 5);
    assert!(!plural.is_empty());
    assert_eq!(
        plural, singular,
        "monitors and monitoring share the stem monitor"
    );
}

#[test]
fn filters_and_facets() {
    let all = search(&SearchRequest::new("model"));
    assert!(all.facets.kind.get("guideline").copied().unwrap_or(0) > 0);
    assert!(
        all.facets.framework.contains_key("nist-ai-rmf"),
        "{:?}",
        all.facets.framework
    );
    assert!(all.facets.domain.contains_key("secure-development"));

    let mut examples = SearchRequest::new("model");
    examples.kind = Some("example".into());
    let response = search(&examples);
    assert!(!response.results.is_empty());
    assert!(response.results.iter().all(|h| h.kind == "example"));

    let mut atlas = SearchRequest::new("model");
    atlas.framework = Some("mitre-atlas".into());
    atlas.kind = Some("control".into());
    let response = search(&atlas);
    assert!(
        response
            .results
            .iter()
            .all(|h| h.page.starts_with("frameworks/mitre-atlas/"))
    );

    let mut domain = SearchRequest::new("monitor");
    domain.domain = Some("secure-operation".into());
    let response = search(&domain);
    assert!(!response.results.is_empty());
    assert!(
        response
            .results
            .iter()
            .all(|h| h.page.starts_with("guidelines/ops-") || h.page.starts_with("domains/"))
    );
}

#[test]
fn queries_never_fail() {
    for query in [
        "",
        "   ",
        "\"unclosed",
        "AND OR (",
        "title:",
        "+-",
        "((((",
        "*",
        "a:b:c",
        "SD-1)",
    ] {
        let response = index().search(&SearchRequest::new(query), 2.0, 10);
        assert!(response.is_ok(), "{query:?} failed: {:?}", response.err());
    }
    assert!(
        search(&SearchRequest::new("")).results.is_empty(),
        "an empty query gives no results"
    );
}

#[test]
fn snippets_mark_the_matched_terms() {
    let response = search(&SearchRequest::new("safetensors"));
    let hit = &response.results[0];
    assert!(
        hit.snippet
            .to_lowercase()
            .contains("<mark>safetensors</mark>"),
        "{}",
        hit.snippet
    );
    assert!(hit.url.contains('#'), "lands on the section: {}", hit.url);
}

#[test]
fn cli_search_prints_ranked_results_and_json() {
    let root = repo_root();
    let root = root.to_str().expect("utf-8");
    let out = guidebook(&["search", "--root", root, "LLM01:2025"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout
            .lines()
            .next()
            .is_some_and(|l| l.contains("LLM01:2025") && l.contains("Prompt Injection")),
        "{stdout}"
    );

    let out = guidebook(&[
        "search",
        "--root",
        root,
        "--json",
        "--kind",
        "guideline",
        "--limit",
        "3",
        "supply",
        "chain",
    ]);
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let results = value["results"].as_array().expect("results");
    assert!(results.len() <= 3 && !results.is_empty());
    assert_eq!(results[0]["page"], "guidelines/dev-1.html");
    assert!(value["facets"]["kind"]["guideline"].as_u64().is_some());

    // The index the build wrote corrects typos from the vocabulary it wrote beside it.
    let out = guidebook(&["search", "--root", root, "--json", "suply", "chian"]);
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(value["suggestion"], "supply chain", "{value}");
}

/// A reader that stops reading (`guidebook search model | head -1`) ends the command quietly,
/// with its own exit code (`println!` panicked on the closed pipe, exit code 101).
#[test]
fn cli_search_into_a_closed_pipe_ends_quietly() {
    use crate::common::{Stream, guidebook_into_closed_pipe};
    let root = repo_root();
    let root = root.to_str().expect("utf-8");
    let args = [
        "search", "--root", root, "--json", "--limit", "200", "model",
    ];
    let status = guidebook_into_closed_pipe(&args, Stream::Stdout);
    assert_eq!(status.code(), Some(0));
}

/// The on-disk index keeps its vocabulary in a file beside the segments: typos are corrected
/// exactly as by the in-memory index, and an index whose file is missing or damaged is not
/// opened (the build makes it again).
#[test]
fn an_index_on_disk_corrects_typos_like_one_in_memory_and_needs_its_vocabulary() {
    use guidebook::search::vocabulary::Vocabulary;
    let dir = tempfile::tempdir().expect("temp dir");
    let index_dir = dir.path().join("index");
    SearchIndex::write(&index_dir, docs(), &Vocabulary::of(docs()), "here").expect("write");
    let on_disk = SearchIndex::open_fresh(&index_dir, "here")
        .expect("opens")
        .expect("fresh");
    for query in ["poisonng", "prompt injecton", "suply chain", "model"] {
        let request = SearchRequest::new(query);
        let from_disk = on_disk.search(&request, 2.0, 10).expect("search");
        let in_memory = search(&request);
        assert_eq!(
            serde_json::to_value(&from_disk).expect("json"),
            serde_json::to_value(&in_memory).expect("json"),
            "{query}"
        );
    }
    let typo = on_disk
        .search(&SearchRequest::new("poisonng"), 2.0, 10)
        .expect("search");
    assert_eq!(typo.suggestion.as_deref(), Some("poisoning"));
    drop(on_disk);

    let vocabulary = index_dir.join("vocabulary.txt");
    std::fs::write(&vocabulary, "poisoning many\n").expect("damage");
    assert!(
        SearchIndex::open_fresh(&index_dir, "here")
            .expect("reads")
            .is_none()
    );
    std::fs::remove_file(&vocabulary).expect("remove");
    assert!(
        SearchIndex::open_fresh(&index_dir, "here")
            .expect("reads")
            .is_none()
    );
}
