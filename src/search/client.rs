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

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use rayon::prelude::*;
use serde::Serialize;
use tantivy::tokenizer::{TextAnalyzer, TokenStream};

use super::SearchDoc;
use super::analysis::{self, normalize_id};
use super::index::teaser;

/// Format version of the files; the engine refuses other versions.
pub const CLIENT_FORMAT: u32 = 1;
pub const DOCS_PER_CHUNK: usize = 20;
/// The most documents one key lists (see `strongest`).
pub const MAX_POSTINGS: usize = 2000;
/// Target size of one postings shard, in bytes of JSON.
const SHARD_TARGET_BYTES: usize = 24_000;
const K1: f32 = 1.2;
const B: f32 = 0.75;
/// Weights are stored as integers, in tenths.
const WEIGHT_SCALE: f32 = 10.0;

/// Display labels for facet values (domain id -> title, framework id -> name).
pub type Labels = BTreeMap<String, BTreeMap<String, String>>;

/// Human names for the facet values the static search offers as filters.
pub fn labels_for(site: &crate::resolve::Site) -> Labels {
    let mut labels = Labels::new();
    let domains = site
        .domains
        .iter()
        .map(|d| (d.meta.id.value.clone(), d.meta.title.clone()));
    labels.insert("domain".into(), domains.collect());
    let frameworks = site
        .frameworks
        .iter()
        .map(|f| (f.id.clone(), f.name.clone()));
    labels.insert("framework".into(), frameworks.collect());
    labels
}

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
    let mut files: Vec<(String, String)> = sharded
        .par_iter()
        .enumerate()
        .map(|(n, shard)| {
            let json = serde_json::to_string(shard).unwrap_or_else(|_| "{}".into());
            (
                format!("search/t{n}.js"),
                format!("guidebookSearch.shard({n},{json});\n"),
            )
        })
        .collect();
    files.par_extend(
        docs.par_chunks(DOCS_PER_CHUNK)
            .enumerate()
            .map(|(n, chunk)| {
                let rows: Vec<DocRow<'_>> =
                    chunk.iter().map(|d| doc_row(d, teaser_words)).collect();
                let json = serde_json::to_string(&rows).unwrap_or_else(|_| "[]".into());
                (
                    format!("search/d{n}.js"),
                    format!("guidebookSearch.docs({n},{json});\n"),
                )
            }),
    );
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

/// Documents analysed at a time (see `postings`).
const ANALYSIS_CHUNK: usize = 4096;

/// One field of one document: (term number, frequency) pairs and the field's length in tokens.
struct NumberedField {
    terms: Vec<(u32, u32)>,
    length: u32,
}

/// Terms and their frequencies in one field of one document, and the field's length.
struct FieldTerms {
    terms: FxHashMap<String, u32>,
    length: u32,
}

/// Key -> sorted (doc, weight) list for every prose stem, identifier and facet.
fn postings(docs: &[SearchDoc], title_boost: f32) -> BTreeMap<String, Vec<(u32, u32)>> {
    let boosts = [
        title_boost,
        analysis::SUMMARY_BOOST,
        analysis::BODY_BOOST,
        analysis::TAGS_BOOST,
    ];
    // Analysed a chunk at a time (in parallel), each distinct term numbered once as the chunk
    // is read, so only numbers are kept: the terms of every document at once would take
    // hundreds of megabytes at 10,000 guidelines.
    let analyzer = analysis::prose_analyzer();
    let n = docs.len() as f32;
    let mut numbers: FxHashMap<String, u32> = FxHashMap::default();
    let mut numbered: Vec<[NumberedField; 4]> = Vec::with_capacity(docs.len());
    for chunk in docs.chunks(ANALYSIS_CHUNK) {
        let analyzed: Vec<[FieldTerms; 4]> = chunk
            .par_iter()
            .map_init(
                || analyzer.clone(),
                |analyzer, d| {
                    [
                        analyze(analyzer, &d.title),
                        analyze(analyzer, &d.summary),
                        analyze(analyzer, &d.body),
                        analyze(analyzer, &d.tags.join(" ")),
                    ]
                },
            )
            .collect();
        numbered.extend(analyzed.into_iter().map(|fields| {
            fields.map(|field| NumberedField {
                length: field.length,
                terms: field
                    .terms
                    .into_iter()
                    .map(|(term, count)| {
                        let next = numbers.len() as u32;
                        (*numbers.entry(term).or_insert(next), count)
                    })
                    .collect(),
            })
        }));
    }
    let mut terms: Vec<String> = vec![String::new(); numbers.len()];
    for (term, number) in numbers {
        terms[number as usize] = term;
    }
    let mut averages = [0.0f32; 4];
    let mut doc_freq = vec![[0u32; 4]; terms.len()];
    for (field, average) in averages.iter_mut().enumerate() {
        let total: f32 = numbered.iter().map(|a| a[field].length as f32).sum();
        *average = (total / n.max(1.0)).max(1.0);
    }
    for fields in &numbered {
        for (field, numbered) in fields.iter().enumerate() {
            for &(term, _) in &numbered.terms {
                doc_freq[term as usize][field] += 1;
            }
        }
    }
    // Documents in order, so every list comes out sorted by document without a sort.
    let mut lists: Vec<Vec<(u32, f32)>> = vec![Vec::new(); terms.len()];
    for (doc, fields) in numbered.iter().enumerate() {
        for (field, boost) in boosts.iter().enumerate() {
            let norm = K1 * (1.0 - B + B * fields[field].length as f32 / averages[field]);
            for &(term, count) in &fields[field].terms {
                let idf = idf(n, doc_freq[term as usize][field] as f32);
                let score = boost * idf * (1.0 + K1) * count as f32 / (count as f32 + norm);
                let list = &mut lists[term as usize];
                match list.last_mut() {
                    Some(last) if last.0 == doc as u32 => last.1 += score,
                    _ => list.push((doc as u32, score)),
                }
            }
        }
    }
    drop(numbered);
    let mut scores: BTreeMap<String, Vec<(u32, f32)>> = terms.into_iter().zip(lists).collect();
    add_identifiers(docs, n, &mut scores);
    let strongest: Vec<(String, Vec<(u32, u32)>)> = scores
        .into_par_iter()
        .map(|(key, list)| (key, strongest(list)))
        .collect();
    let mut postings: BTreeMap<String, Vec<(u32, u32)>> = strongest.into_iter().collect();
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

/// The list with weights in tenths, cut to the `MAX_POSTINGS` heaviest documents (in doc order):
/// a term common enough to pass that cap contributes little to any ranking, and uncapped it
/// would make one shard, and so some first queries, large.
fn strongest(mut list: Vec<(u32, f32)>) -> Vec<(u32, u32)> {
    if list.len() > MAX_POSTINGS {
        list.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        list.truncate(MAX_POSTINGS);
        list.sort_unstable_by_key(|p| p.0);
    }
    list.into_iter()
        .map(|(d, s)| (d, (s * WEIGHT_SCALE).round().max(1.0) as u32))
        .collect()
}

fn analyze(analyzer: &mut TextAnalyzer, text: &str) -> FieldTerms {
    let mut terms: FxHashMap<String, u32> = FxHashMap::default();
    let mut length = 0;
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        let text = &stream.token().text;
        match terms.get_mut(text) {
            Some(count) => *count += 1,
            None => {
                terms.insert(text.clone(), 1);
            }
        }
        length += 1;
    }
    FieldTerms { terms, length }
}

/// Exact identifiers (`#ac-2`): the item itself with the id boost, guidelines mapped to it less.
fn add_identifiers(docs: &[SearchDoc], n: f32, scores: &mut BTreeMap<String, Vec<(u32, f32)>>) {
    let mut own: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    let mut mapped: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for (d, doc) in docs.iter().enumerate() {
        if let Some(id) = &doc.id {
            own.entry(normalize_id(id)).or_default().push(d as u32);
        }
        for id in &doc.mapped {
            mapped.entry(normalize_id(id)).or_default().push(d as u32);
        }
    }
    let mut weights: BTreeMap<String, BTreeMap<u32, f32>> = BTreeMap::new();
    for (lists, boost) in [
        (&own, analysis::ID_BOOST),
        (&mapped, analysis::MAPPED_BOOST),
    ] {
        for (id, list) in lists {
            let weight = boost * idf(n, list.len() as f32);
            for &d in list {
                *weights
                    .entry(format!("#{id}"))
                    .or_default()
                    .entry(d)
                    .or_insert(0.0) += weight;
            }
        }
    }
    for (key, per_doc) in weights {
        scores.insert(key, per_doc.into_iter().collect());
    }
}

/// BM25's inverse document frequency, as tantivy computes it.
fn idf(n: f32, doc_freq: f32) -> f32 {
    (1.0 + (n - doc_freq + 0.5) / (doc_freq + 0.5)).ln()
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
