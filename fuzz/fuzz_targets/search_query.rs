//! The tantivy query parser and search: never a panic, whatever the query and filters.
#![no_main]

use std::sync::OnceLock;

use guidebook::search::index::SearchIndex;
use guidebook::search::{SearchDoc, SearchRequest};
use libfuzzer_sys::fuzz_target;

fn index() -> &'static SearchIndex {
    static INDEX: OnceLock<SearchIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let doc = |id: &str, title: &str, body: &str| SearchDoc {
            url: format!("guidelines/{id}.html"),
            page: format!("guidelines/{id}.html"),
            kind: "guideline",
            id: Some(id.to_string()),
            title: title.to_string(),
            page_title: title.to_string(),
            summary: body.to_string(),
            body: body.to_string(),
            tags: vec!["supply-chain".into()],
            domain: Some("design".into()),
            frameworks: vec!["nist-sp-800-53".into()],
            mapped: vec!["AC-2".into(), "GOVERN 1.1".into()],
        };
        SearchIndex::in_memory(&[
            doc(
                "SD-1",
                "Raise staff awareness",
                "threats and risks of AI systems",
            ),
            doc(
                "DEV-1",
                "Secure your supply chain",
                "models, data and LLM01:2025 prompt injection",
            ),
        ])
        .expect("index")
    })
}

fuzz_target!(|input: (&str, Option<&str>, Option<&str>, Option<u16>)| {
    let (q, tag, kind, limit) = input;
    let request = SearchRequest {
        q: q.to_string(),
        tag: tag.map(str::to_string),
        kind: kind.map(str::to_string),
        limit: limit.map(usize::from),
        ..SearchRequest::default()
    };
    let _ = index().search(&request, 2.0, 10);
});
