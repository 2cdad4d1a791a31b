//! The static site's search index: the same documents as the tantivy index, with each
//! (key, page) weight precomputed by the rules of [`rank`], written as small `.js` files that
//! the page loads with script tags (which also works from file://).
//!
//! - `search/manifest.js`: sizes, facet values and labels, the letters the vocabulary covers;
//! - `search/t<n>.js`: page postings `[page gap, weight, section, ...]` of each key (prose stem,
//!   or `#id`), sharded by a hash of the key; a shard past ~32 KB is written as parts
//!   `search/t<n>-<part>.js` (see `shard_files`), which the manifest's `split` lists;
//! - `search/d<n>.js`: page metadata (URL, kind, id, title, and each section's anchor, heading
//!   and teaser), [`PAGES_PER_CHUNK`] pages a file;
//! - `search/f.js`: the pages of each facet value (kind, domain, framework) as runs, for filters and
//!   counts;
//! - `search/w-<letter>.js`: the vocabulary's words starting with that letter, commonest first,
//!   loaded only when a query word is unknown (typo tolerance).
//!
//! A query loads the manifest, one shard (or part) per query key, the facets and the metadata
//! files of the results on screen, so a query downloads a small, bounded part of the index.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use serde::Serialize;

use super::SearchDoc;
use super::analysis::{self, normalize_id};
use super::index::teaser;
use super::rank;
use super::terms::Terms;
use super::vocabulary::Vocabulary;

/// Format version of the files; the engine refuses other versions.
pub const CLIENT_FORMAT: u32 = 3;
/// Pages per metadata file: a result costs its file, so the files stay small (a guideline's
/// row, with a teaser per section, is 2 to 3 KB).
pub const PAGES_PER_CHUNK: usize = 2;
/// The most pages one key lists (see `strongest`).
pub const MAX_POSTINGS: usize = 2000;
/// Target size of one postings shard, in bytes of JSON.
const SHARD_TARGET_BYTES: usize = 24_000;
/// A shard larger than this is written as parts (see [`shard_files`]).
const SHARD_MAX_BYTES: usize = 32_000;

/// Files of the index: (path relative to the site root, content).
type Files = Vec<(String, String)>;

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

/// Builds the client index files: (path relative to the site root, content). `docs` are
/// sorted by URL; `terms` and `vocabulary` are theirs ([`super::terms::analyze`]).
pub fn build(
    docs: &[SearchDoc],
    terms: Terms,
    vocabulary: &Vocabulary,
    title_boost: f32,
    teaser_words: usize,
    labels: &Labels,
) -> Vec<(String, String)> {
    let pages = Pages::of(docs);
    let weights = section_weights(docs, terms, title_boost);
    let postings = page_postings(&pages, weights);
    let estimated: usize = postings
        .iter()
        .map(|(k, p)| k.len() + 8 + p.len() * 10)
        .sum();
    let shards = (estimated / SHARD_TARGET_BYTES)
        .max(1)
        .next_power_of_two()
        .min(4096);
    let mut sharded: Vec<BTreeMap<&str, Vec<u32>>> = vec![BTreeMap::new(); shards];
    for (key, list) in &postings {
        sharded[shard_of(key, shards)].insert(key.as_str(), delta_encode(list));
    }
    let written: Vec<(Files, Option<usize>)> = sharded
        .par_iter()
        .enumerate()
        .map(|(n, shard)| shard_files(n, shard, shards))
        .collect();
    let mut split: BTreeMap<usize, usize> = BTreeMap::new();
    let mut files: Vec<(String, String)> = Vec::new();
    for (n, (shard_files, parts)) in written.into_iter().enumerate() {
        if let Some(parts) = parts {
            split.insert(n, parts);
        }
        files.extend(shard_files);
    }
    files.par_extend(
        pages
            .list
            .par_chunks(PAGES_PER_CHUNK)
            .enumerate()
            .map(|(n, chunk)| {
                let rows: Vec<PageRow<'_>> = chunk
                    .iter()
                    .map(|page| page_row(docs, page, teaser_words))
                    .collect();
                let json = serde_json::to_string(&rows).unwrap_or_else(|_| "[]".into());
                (
                    format!("search/d{n}.js"),
                    format!("guidebookSearch.docs({n},{json});\n"),
                )
            }),
    );
    let facets = serde_json::to_string(&pages.facets).unwrap_or_else(|_| "{}".into());
    files.push((
        "search/f.js".into(),
        format!("guidebookSearch.facets({facets});\n"),
    ));
    let vocabulary = vocabulary.by_letter();
    let letters: String = vocabulary.keys().collect();
    for (letter, words) in vocabulary {
        let json = serde_json::to_string(&words).unwrap_or_else(|_| "[]".into());
        files.push((
            format!("search/w-{letter}.js"),
            format!("guidebookSearch.words(\"{letter}\",{json});\n"),
        ));
    }
    let manifest = serde_json::json!({
        "format": CLIENT_FORMAT,
        "shards": shards,
        "split": split,
        "pages": pages.list.len(),
        "perChunk": PAGES_PER_CHUNK,
        "scale": rank::WEIGHT_SCALE,
        "facets": pages.values(),
        "labels": labels,
        "words": letters,
    });
    files.push((
        "search/manifest.js".into(),
        format!("guidebookSearch.manifest({manifest});\n"),
    ));
    files
}

/// The pages of the documents: numbered in URL order, each with its documents (sections) in
/// URL order, the page's own document first.
struct Pages<'d> {
    list: Vec<Page<'d>>,
    /// Document number -> (page number, section number).
    of_doc: Vec<(u32, u32)>,
    /// Facet name -> value -> its pages as runs (see [`runs`]).
    facets: BTreeMap<&'static str, BTreeMap<String, Vec<u32>>>,
}

struct Page<'d> {
    url: &'d str,
    kind: &'static str,
    docs: Vec<usize>,
}

/// The facets the static search filters and counts by.
const CLIENT_FACETS: [&str; 3] = ["kind", "domain", "framework"];

impl<'d> Pages<'d> {
    fn of(docs: &'d [SearchDoc]) -> Self {
        let mut numbers: BTreeMap<&str, usize> =
            docs.iter().map(|d| (d.page.as_str(), 0)).collect();
        let mut list: Vec<Page<'d>> = Vec::with_capacity(numbers.len());
        for (n, (url, number)) in numbers.iter_mut().enumerate() {
            *number = n;
            list.push(Page {
                url,
                kind: "page",
                docs: Vec::new(),
            });
        }
        let mut of_doc = Vec::with_capacity(docs.len());
        for (d, doc) in docs.iter().enumerate() {
            let p = numbers[doc.page.as_str()];
            let page = &mut list[p];
            page.kind = doc.kind;
            of_doc.push((p as u32, page.docs.len() as u32));
            page.docs.push(d);
        }
        let mut facets: BTreeMap<&'static str, BTreeMap<String, Vec<u32>>> = BTreeMap::new();
        for (p, page) in list.iter().enumerate() {
            let Some(&first) = page.docs.first() else {
                continue;
            };
            for (name, value) in docs[first].facets() {
                if CLIENT_FACETS.contains(&name) {
                    facets
                        .entry(name)
                        .or_default()
                        .entry(value)
                        .or_default()
                        .push(p as u32);
                }
            }
        }
        for values in facets.values_mut() {
            for list in values.values_mut() {
                *list = runs(list);
            }
        }
        Self {
            list,
            of_doc,
            facets,
        }
    }

    /// Facet name -> its values, for the filter menus.
    fn values(&self) -> BTreeMap<&'static str, Vec<&str>> {
        self.facets
            .iter()
            .map(|(name, values)| (*name, values.keys().map(String::as_str).collect()))
            .collect()
    }
}

/// Ascending page numbers as `[gap, length, gap, length, ...]` runs of consecutive pages, each
/// gap counted from the end of the previous run: pages of one kind, domain or framework mostly
/// sit together in URL order, so a facet of thousands of pages takes a few numbers.
fn runs(pages: &[u32]) -> Vec<u32> {
    let mut out: Vec<u32> = Vec::new();
    let mut end = 0;
    for &page in pages {
        match out.last_mut() {
            Some(length) if page == end => *length += 1,
            _ => out.extend([page - end, 1]),
        }
        end = page + 1;
    }
    out
}

/// `[url, kind, id, title, [[anchor, heading, teaser], ...]]` of one page.
#[derive(Serialize)]
struct PageRow<'a>(
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    Vec<(&'a str, &'a str, String)>,
);

fn page_row<'a>(docs: &'a [SearchDoc], page: &Page<'a>, teaser_words: usize) -> PageRow<'a> {
    let own = page
        .docs
        .iter()
        .map(|&d| &docs[d])
        .find(|d| d.url == page.url);
    let sections = page
        .docs
        .iter()
        .map(|&d| {
            let doc = &docs[d];
            let text = if doc.summary.is_empty() {
                &doc.body
            } else {
                &doc.summary
            };
            let anchor = doc
                .url
                .strip_prefix(page.url)
                .and_then(|rest| rest.strip_prefix('#'))
                .unwrap_or("");
            let heading = if doc.url == page.url {
                ""
            } else {
                doc.title.as_str()
            };
            (anchor, heading, teaser(text, teaser_words))
        })
        .collect();
    let title = own.map_or_else(
        || {
            page.docs
                .first()
                .map_or("", |&d| docs[d].page_title.as_str())
        },
        |d| d.title.as_str(),
    );
    PageRow(
        page.url,
        page.kind,
        own.and_then(|d| d.id.as_deref()).unwrap_or(""),
        title,
        sections,
    )
}

/// The file(s) of shard `n`: `search/t<n>.js`, or, when its keys' postings add up to more
/// than [`SHARD_MAX_BYTES`] (a few common words hashed together), `search/t<n>-<part>.js`
/// with each key in part `fnv1a(key) / shards % parts`, and the number of parts (the manifest
/// lists them, so a query loads only its key's part).
fn shard_files(
    n: usize,
    shard: &BTreeMap<&str, Vec<u32>>,
    shards: usize,
) -> (Files, Option<usize>) {
    let json = serde_json::to_string(shard).unwrap_or_else(|_| "{}".into());
    if json.len() <= SHARD_MAX_BYTES {
        let file = format!("guidebookSearch.shard(\"{n}\",{json});\n");
        return (vec![(format!("search/t{n}.js"), file)], None);
    }
    // Twice as many parts until every part of more than one key fits (the hash spreads keys
    // unevenly, so one split may leave a part too large).
    let mut parts = json.len().div_ceil(SHARD_TARGET_BYTES).next_power_of_two();
    loop {
        let mut split: Vec<BTreeMap<&str, &Vec<u32>>> = vec![BTreeMap::new(); parts];
        for (key, list) in shard {
            split[part_of(key, shards, parts)].insert(key, list);
        }
        let texts: Vec<String> = (split.iter())
            .map(|keys| serde_json::to_string(keys).unwrap_or_else(|_| "{}".into()))
            .collect();
        let fits = (split.iter().zip(&texts))
            .all(|(keys, text)| keys.len() <= 1 || text.len() <= SHARD_MAX_BYTES);
        if fits || parts >= shard.len() {
            let files = (texts.into_iter().enumerate())
                .map(|(part, json)| {
                    let file = format!("guidebookSearch.shard(\"{n}-{part}\",{json});\n");
                    (format!("search/t{n}-{part}.js"), file)
                })
                .collect();
            return (files, Some(parts));
        }
        parts *= 2;
    }
}

/// FNV-1a (32 bit) of the key's UTF-8 bytes; `search.js` computes the same.
fn fnv1a(key: &str) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in key.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

/// The shard of a key: its hash modulo the shard count.
pub fn shard_of(key: &str, shards: usize) -> usize {
    fnv1a(key) as usize % shards
}

/// The part of a split shard a key is in: the rest of its hash, modulo the parts.
fn part_of(key: &str, shards: usize, parts: usize) -> usize {
    fnv1a(key) as usize / shards % parts
}

/// `[page, weight, section, ...]` with each page number stored as the gap from the previous one.
fn delta_encode(list: &[(u32, u32, u32)]) -> Vec<u32> {
    let mut out = Vec::with_capacity(list.len() * 3);
    let mut previous = 0;
    for &(page, weight, section) in list {
        out.extend([page - previous, weight, section]);
        previous = page;
    }
    out
}

/// Key -> (document, weight) list, in document order, for every prose stem and identifier
/// (weights as [`rank::tenths`]).
fn section_weights(
    docs: &[SearchDoc],
    analyzed: Terms,
    title_boost: f32,
) -> BTreeMap<String, Vec<(u32, u32)>> {
    let boosts = [
        title_boost,
        analysis::SUMMARY_BOOST,
        analysis::BODY_BOOST,
        analysis::TAGS_BOOST,
    ];
    let n = docs.len() as f32;
    let Terms {
        stems: terms,
        docs: numbered,
    } = analyzed;
    let mut averages = [0.0f32; 4];
    let mut doc_freq = vec![[0u32; 4]; terms.len()];
    for (field, average) in averages.iter_mut().enumerate() {
        let total: u64 = numbered.iter().map(|a| u64::from(a[field].length)).sum();
        *average = rank::average_length(total, n);
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
        for (field, &boost) in boosts.iter().enumerate() {
            let norm = rank::length_norm(fields[field].length, averages[field]);
            for &(term, count) in &fields[field].terms {
                let idf = rank::idf(n, doc_freq[term as usize][field] as f32);
                let score = rank::field_score(boost, idf, count, norm);
                let list = &mut lists[term as usize];
                match list.last_mut() {
                    Some(last) if last.0 == doc as u32 => last.1 += score,
                    _ => list.push((doc as u32, score)),
                }
            }
        }
    }
    drop(numbered);
    let mut scores: BTreeMap<String, Vec<(u32, f32)>> =
        (terms.into_iter().map(String::from)).zip(lists).collect();
    add_identifiers(docs, n, &mut scores);
    scores
        .into_par_iter()
        .map(|(key, list)| {
            let list = list
                .into_iter()
                .map(|(d, s)| (d, rank::tenths(s)))
                .collect();
            (key, list)
        })
        .collect()
}

/// Key -> (page, weight, best section) list in page order, by [`rank::page_weight`].
fn page_postings(
    pages: &Pages<'_>,
    weights: BTreeMap<String, Vec<(u32, u32)>>,
) -> BTreeMap<String, Vec<(u32, u32, u32)>> {
    let weights: Vec<(String, Vec<(u32, u32)>)> = weights.into_iter().collect();
    weights
        .into_par_iter()
        .map(|(key, list)| {
            // (page, section, weight), grouped by page with sections in order.
            let mut hits: Vec<(u32, u32, u32)> = list
                .into_iter()
                .map(|(doc, weight)| {
                    let (page, section) = pages.of_doc[doc as usize];
                    (page, section, weight)
                })
                .collect();
            hits.sort_unstable();
            let list = hits
                .chunk_by(|a, b| a.0 == b.0)
                .filter_map(|group| {
                    let page = group[0].0;
                    let sections: Vec<(u32, u32)> = group.iter().map(|&(_, s, w)| (s, w)).collect();
                    let kind = pages.list[page as usize].kind;
                    let (weight, section) = rank::page_weight(kind, &sections)?;
                    Some((page, weight, section))
                })
                .collect();
            (key, strongest(list))
        })
        .collect()
}

/// The list cut to the `MAX_POSTINGS` heaviest pages (in page order): a term common enough to
/// pass that cap contributes little to any ranking, and uncapped it would make one shard, and
/// so some first queries, large.
fn strongest(mut list: Vec<(u32, u32, u32)>) -> Vec<(u32, u32, u32)> {
    if list.len() > MAX_POSTINGS {
        list.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        list.truncate(MAX_POSTINGS);
        list.sort_unstable_by_key(|p| p.0);
    }
    list
}

/// Exact identifiers (`#ac-2`): the item itself with the id boost, guidelines mapped to it less.
fn add_identifiers(docs: &[SearchDoc], n: f32, scores: &mut BTreeMap<String, Vec<(u32, f32)>>) {
    let mut own: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    let mut mapped: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for (d, doc) in docs.iter().enumerate() {
        if let Some(id) = &doc.id {
            own.entry(normalize_id(id)).or_default().push(d as u32);
        }
        // A document counts once per identifier, as in tantivy's document frequencies.
        let ids: BTreeSet<String> = doc.mapped.iter().map(|id| normalize_id(id)).collect();
        for id in ids {
            mapped.entry(id).or_default().push(d as u32);
        }
    }
    let mut weights: BTreeMap<String, BTreeMap<u32, f32>> = BTreeMap::new();
    for (lists, boost) in [
        (&own, analysis::ID_BOOST),
        (&mapped, analysis::MAPPED_BOOST),
    ] {
        for (id, list) in lists {
            let weight = boost * rank::idf(n, list.len() as f32);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facet_pages_are_runs() {
        assert_eq!(runs(&[0, 1, 2, 5, 6, 9]), [0, 3, 2, 2, 2, 1]);
        assert_eq!(runs(&[3]), [3, 1]);
        assert!(runs(&[]).is_empty());
    }

    #[test]
    fn a_heavy_shard_is_split_so_each_key_is_in_the_part_its_hash_names() {
        let lists: Vec<(String, Vec<u32>)> = (0..400)
            .map(|k| (format!("word{k}"), vec![1, 12345, 3]))
            .chain([("common".to_string(), [1, 9999, 2].repeat(3000))])
            .collect();
        let shard: BTreeMap<&str, Vec<u32>> =
            lists.iter().map(|(k, l)| (k.as_str(), l.clone())).collect();
        let (files, parts) = shard_files(5, &shard, 64);
        let parts = parts.expect("a shard this large is split");
        assert_eq!(files.len(), parts);
        for (key, list) in &shard {
            let part = part_of(key, 64, parts);
            let (name, text) = &files[part];
            assert_eq!(name, &format!("search/t5-{part}.js"));
            let json = text
                .strip_prefix(&format!("guidebookSearch.shard(\"5-{part}\","))
                .and_then(|t| t.strip_suffix(");\n"))
                .expect("the part's callback");
            let keys: BTreeMap<String, Vec<u32>> = serde_json::from_str(json).expect("JSON");
            assert_eq!(keys.get(*key), Some(list), "{key} in part {part}");
        }
        // Only a single key's own list may pass the target.
        for (name, text) in &files {
            let keys = text.matches("\":[").count();
            assert!(
                text.len() <= SHARD_MAX_BYTES || keys == 1,
                "{name}: {}",
                text.len()
            );
        }
        let small: BTreeMap<&str, Vec<u32>> = [("x", vec![1, 2, 3])].into_iter().collect();
        let (files, parts) = shard_files(7, &small, 64);
        assert_eq!((files[0].0.as_str(), parts), ("search/t7.js", None));
    }

    #[test]
    fn shard_hash_is_fnv1a() {
        // FNV-1a 32 of "a" is 0xe40c292c.
        assert_eq!(shard_of("a", usize::MAX), 0xe40c_292c);
        assert_eq!(part_of("a", 16, 4), 0xe40c_292c / 16 % 4);
        assert_eq!(
            delta_encode(&[(3, 10, 0), (7, 20, 2), (8, 5, 1)]),
            [3, 10, 0, 4, 20, 2, 1, 5, 1]
        );
    }
}
