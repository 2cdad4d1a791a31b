//! The static site's search index: the same documents as the tantivy index, with each
//! (term, document) weight precomputed by tantivy's BM25 formula and field boosts, written as
//! small `.js` files that the page loads with script tags (which also works from file://).
//!
//! - `search/manifest.js`: sizes, facet values and labels;
//! - `search/t<n>.js`: postings, sharded by a hash of the key (prose stem, `#id`, `@facet/value`);
//! - `search/d<n>.js`: document metadata (URL, title, teaser), in fixed-size chunks.
//!
//! A query loads the manifest, one shard per query term and the metadata chunks of its top
//! results, so the first query downloads a small, bounded part of the index.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use tantivy::tokenizer::{TextAnalyzer, TokenStream, TokenizerManager};

use super::SearchDoc;
use super::analysis::{self, normalize_id};
use super::index::teaser;

/// Format version of the files; the engine refuses other versions.
pub const CLIENT_FORMAT: u32 = 1;
pub const DOCS_PER_CHUNK: usize = 50;
/// Target size of one postings shard, in bytes of JSON.
const SHARD_TARGET_BYTES: usize = 24_000;
const K1: f32 = 1.2;
const B: f32 = 0.75;
/// Weights are stored as integers, in tenths.
const WEIGHT_SCALE: f32 = 10.0;

/// Display labels for facet values (domain id -> title, framework id -> name).
pub type Labels = BTreeMap<String, BTreeMap<String, String>>;

/// Builds the client index files: (path relative to the site root, content).
pub fn build(
    docs: &[SearchDoc],
    title_boost: f32,
    teaser_words: usize,
    labels: &Labels,
) -> Vec<(String, String)> {
    let postings = postings(docs, title_boost);
    let estimated: usize = postings
        .iter()
        .map(|(k, p)| k.len() + 8 + p.len() * 7)
        .sum();
    let shards = (estimated / SHARD_TARGET_BYTES)
        .max(1)
        .next_power_of_two()
        .min(4096);
    let mut sharded: Vec<BTreeMap<&str, Vec<u32>>> = vec![BTreeMap::new(); shards];
    for (key, list) in &postings {
        sharded[shard_of(key, shards)].insert(key.as_str(), delta_encode(list));
    }
    let mut files = Vec::with_capacity(shards + docs.len() / DOCS_PER_CHUNK + 2);
    for (n, shard) in sharded.iter().enumerate() {
        let json = serde_json::to_string(shard).unwrap_or_else(|_| "{}".into());
        files.push((
            format!("search/t{n}.js"),
            format!("guidebookSearch.shard({n},{json});\n"),
        ));
    }
    for (n, chunk) in docs.chunks(DOCS_PER_CHUNK).enumerate() {
        let rows: Vec<DocRow<'_>> = chunk.iter().map(|d| doc_row(d, teaser_words)).collect();
        let json = serde_json::to_string(&rows).unwrap_or_else(|_| "[]".into());
        files.push((
            format!("search/d{n}.js"),
            format!("guidebookSearch.docs({n},{json});\n"),
        ));
    }
    let manifest = serde_json::json!({
        "format": CLIENT_FORMAT,
        "shards": shards,
        "docs": docs.len(),
        "perChunk": DOCS_PER_CHUNK,
        "scale": WEIGHT_SCALE,
        "facets": facet_values(docs),
        "labels": labels,
    });
    files.push((
        "search/manifest.js".into(),
        format!("guidebookSearch.manifest({manifest});\n"),
    ));
    files
}

/// `[url, kind, id, title, page title, teaser, page]` of one document; `page` only when it is
/// not the URL without its fragment (controls listed on a framework page are pages of their own).
#[derive(Serialize)]
struct DocRow<'a>(
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    String,
    #[serde(skip_serializing_if = "Option::is_none")] Option<&'a str>,
);

fn doc_row(doc: &SearchDoc, teaser_words: usize) -> DocRow<'_> {
    let text = if doc.summary.is_empty() {
        &doc.body
    } else {
        &doc.summary
    };
    let page_title = if doc.url == doc.page {
        ""
    } else {
        doc.page_title.as_str()
    };
    let default_page = doc.url.split('#').next().unwrap_or_default();
    let page = (doc.page != default_page).then_some(doc.page.as_str());
    DocRow(
        &doc.url,
        doc.kind,
        doc.id.as_deref().unwrap_or(""),
        &doc.title,
        page_title,
        teaser(text, teaser_words),
        page,
    )
}

fn facet_values(docs: &[SearchDoc]) -> BTreeMap<&'static str, Vec<String>> {
    let mut values: BTreeMap<&'static str, std::collections::BTreeSet<String>> = BTreeMap::new();
    for doc in docs {
        for (name, value) in doc.facets() {
            values.entry(name).or_default().insert(value);
        }
    }
    values
        .into_iter()
        .map(|(k, v)| (k, v.into_iter().collect()))
        .collect()
}

/// FNV-1a (32 bit) of the key's UTF-8 bytes, modulo the shard count; `search.js` does the same.
pub fn shard_of(key: &str, shards: usize) -> usize {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in key.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash as usize % shards
}

/// `[doc, weight, doc, weight...]` with each doc number stored as the gap from the previous one.
fn delta_encode(list: &[(u32, u32)]) -> Vec<u32> {
    let mut out = Vec::with_capacity(list.len() * 2);
    let mut previous = 0;
    for &(doc, weight) in list {
        out.push(doc - previous);
        out.push(weight);
        previous = doc;
    }
    out
}

/// Key -> sorted (doc, weight) list for every prose stem, identifier and facet.
fn postings(docs: &[SearchDoc], title_boost: f32) -> BTreeMap<String, Vec<(u32, u32)>> {
    let mut analyzer = TokenizerManager::default()
        .get("en_stem")
        .expect("tantivy registers en_stem by default");
    let fields: [(f32, fn(&SearchDoc) -> String); 4] = [
        (title_boost, |d| d.title.clone()),
        (analysis::SUMMARY_BOOST, |d| d.summary.clone()),
        (analysis::BODY_BOOST, |d| d.body.clone()),
        (analysis::TAGS_BOOST, |d| d.tags.join(" ")),
    ];
    // Per field: each document's term frequencies and length, and each term's document frequency.
    let analyzed: Vec<Vec<HashMap<String, u32>>> = fields
        .iter()
        .map(|(_, text)| {
            docs.iter()
                .map(|d| term_frequencies(&mut analyzer, &text(d)))
                .collect()
        })
        .collect();
    let n = docs.len() as f32;
    let mut scores: BTreeMap<String, BTreeMap<u32, f32>> = BTreeMap::new();
    for ((boost, _), per_doc) in fields.iter().zip(&analyzed) {
        let lengths: Vec<f32> = per_doc
            .iter()
            .map(|tf| tf.values().sum::<u32>() as f32)
            .collect();
        let average = (lengths.iter().sum::<f32>() / n.max(1.0)).max(1.0);
        let mut doc_freq: HashMap<&str, u32> = HashMap::new();
        for tf in per_doc {
            for term in tf.keys() {
                *doc_freq.entry(term.as_str()).or_insert(0) += 1;
            }
        }
        for (doc, tf) in per_doc.iter().enumerate() {
            for (term, &count) in tf {
                let idf = idf(n, doc_freq[term.as_str()] as f32);
                let norm = K1 * (1.0 - B + B * lengths[doc] / average);
                let score = boost * idf * (1.0 + K1) * count as f32 / (count as f32 + norm);
                *scores
                    .entry(term.clone())
                    .or_default()
                    .entry(doc as u32)
                    .or_insert(0.0) += score;
            }
        }
    }
    add_identifiers(docs, n, &mut scores);
    let mut postings: BTreeMap<String, Vec<(u32, u32)>> = scores
        .into_iter()
        .map(|(key, per_doc)| {
            let list = per_doc
                .into_iter()
                .map(|(d, s)| (d, (s * WEIGHT_SCALE).round().max(1.0) as u32))
                .collect();
            (key, list)
        })
        .collect();
    for (d, doc) in docs.iter().enumerate() {
        for (name, value) in doc.facets() {
            postings
                .entry(format!("@{name}/{value}"))
                .or_default()
                .push((d as u32, 0));
        }
    }
    postings
}

/// Exact identifiers (`#ac-2`): the item itself with the id boost, guidelines mapped to it less.
fn add_identifiers(docs: &[SearchDoc], n: f32, scores: &mut BTreeMap<String, BTreeMap<u32, f32>>) {
    let mut own: HashMap<String, Vec<u32>> = HashMap::new();
    let mut mapped: HashMap<String, Vec<u32>> = HashMap::new();
    for (d, doc) in docs.iter().enumerate() {
        if let Some(id) = &doc.id {
            own.entry(normalize_id(id)).or_default().push(d as u32);
        }
        for id in &doc.mapped {
            mapped.entry(normalize_id(id)).or_default().push(d as u32);
        }
    }
    for (lists, boost) in [
        (&own, analysis::ID_BOOST),
        (&mapped, analysis::MAPPED_BOOST),
    ] {
        for (id, list) in lists {
            let weight = boost * idf(n, list.len() as f32);
            for &d in list {
                *scores
                    .entry(format!("#{id}"))
                    .or_default()
                    .entry(d)
                    .or_insert(0.0) += weight;
            }
        }
    }
}

/// BM25's inverse document frequency, as tantivy computes it.
fn idf(n: f32, doc_freq: f32) -> f32 {
    (1.0 + (n - doc_freq + 0.5) / (doc_freq + 0.5)).ln()
}

fn term_frequencies(analyzer: &mut TextAnalyzer, text: &str) -> HashMap<String, u32> {
    let mut frequencies = HashMap::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        *frequencies.entry(stream.token().text.clone()).or_insert(0) += 1;
    }
    frequencies
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_hash_is_fnv1a() {
        // FNV-1a 32 of "a" is 0xe40c292c.
        assert_eq!(shard_of("a", usize::MAX), 0xe40c_292c);
        assert_eq!(
            delta_encode(&[(3, 10), (7, 20), (8, 5)]),
            [3, 10, 4, 20, 1, 5]
        );
    }
}
