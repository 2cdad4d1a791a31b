//! The tantivy side: schema, building (in RAM or atomically on disk), and querying.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, RwLock};

use tantivy::collector::TopDocs;
use tantivy::indexer::UserOperation;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    FAST, Facet, FacetOptions, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{LowerCaser, RawTokenizer, TextAnalyzer};
use tantivy::{DocAddress, Index, IndexReader, IndexWriter, TantivyDocument, Term};

use super::analysis::{self, PROSE_TOKENIZER, normalize_id};
use super::postings::{FacetKey, PageTables, ProseFields, TantivySource};
use super::rank::{self, Plan};
use super::vocabulary::Vocabulary;
use super::{Facets, Hit, SearchDoc, SearchRequest, SearchResponse};
use crate::error::{Error, Result};

/// Bumped whenever the schema or the analysis changes: an index of another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 4;
const VERSION_FILE: &str = "guidebook-index.json";
const ID_TOKENIZER: &str = "guidebook_id";
/// The vocabulary (see [`Vocabulary::to_text`]), beside the segments.
const VOCABULARY_FILE: &str = "vocabulary.txt";
const SNIPPET_CHARS: usize = 180;

#[derive(Clone, Copy)]
struct Fields {
    url: Field,
    page: Field,
    kind: Field,
    id: Field,
    mapped: Field,
    title: Field,
    page_title: Field,
    summary: Field,
    body: Field,
    tags: Field,
    facets: Field,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let ids = TextOptions::default().set_stored().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ID_TOKENIZER)
            .set_index_option(IndexRecordOption::Basic),
    );
    // Frequencies without positions: ranking reads term frequencies and field norms only, the
    // extracts re-read the stored text, and a quoted phrase asks for all of its words, not for
    // them in a row. Recording positions cost about 0.5 s of a 9 s build at 10,000 guidelines.
    let prose = |stored: bool| {
        let options = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(PROSE_TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        if stored {
            options.set_stored()
        } else {
            options
        }
    };
    let fields = Fields {
        url: builder.add_text_field("url", STRING | STORED | FAST),
        page: builder.add_text_field("page", STRING | STORED | FAST),
        kind: builder.add_text_field("kind", STRING | STORED | FAST),
        id: builder.add_text_field("id", ids.clone()),
        mapped: builder.add_text_field("mapped", ids.set_stored()),
        title: builder.add_text_field("title", prose(true)),
        page_title: builder.add_text_field("page_title", STORED),
        summary: builder.add_text_field("summary", prose(true)),
        body: builder.add_text_field("body", prose(true)),
        tags: builder.add_text_field("tags", prose(false)),
        facets: builder.add_facet_field("facets", FacetOptions::default()),
    };
    (builder.build(), fields)
}

/// A searchable index, on disk or in memory.
pub struct SearchIndex {
    reader: IndexReader,
    fields: Fields,
    /// Kept for in-memory indexes so `update` can replace only what changed.
    updater: Option<Mutex<Updater>>,
    pages: PageTables,
    /// What typos are corrected to: read from its file, or counted in memory.
    vocabulary: RwLock<Vocabulary>,
}

/// The writer of an in-memory index and, by URL, a digest and the words of each document it
/// holds (to count them out of the vocabulary when the document goes).
struct Updater {
    writer: IndexWriter,
    digests: HashMap<String, (u64, Box<[u32]>)>,
}

fn search_error(err: impl Into<tantivy::TantivyError>) -> Error {
    Error::Index(err.into())
}

fn register_tokenizers(index: &Index) {
    let ids = TextAnalyzer::builder(RawTokenizer::default())
        .filter(LowerCaser)
        .build();
    index.tokenizers().register(ID_TOKENIZER, ids);
    index
        .tokenizers()
        .register(PROSE_TOKENIZER, analysis::prose_analyzer());
}

impl SearchIndex {
    /// Indexes `docs` in memory (for `serve` and tests): filled as `build` fills its index,
    /// while the vocabulary is counted beside it; later updates go through a writer of one
    /// thread (one segment per update).
    pub fn in_memory(docs: &[SearchDoc]) -> Result<Self> {
        let (schema, fields) = schema();
        let index = Index::create_in_ram(schema);
        register_tokenizers(&index);
        // Plain threads, not rayon's: `fill` mostly waits for tantivy's threads, and holding
        // a rayon worker for that kept `serve` from turning files into assets meanwhile.
        let (filled, counted) = std::thread::scope(|scope| {
            let counting = scope.spawn(|| {
                let mut vocabulary = Vocabulary::default();
                let mut digests = HashMap::new();
                for doc in docs {
                    count_in(&mut digests, &mut vocabulary, doc);
                }
                (vocabulary, digests)
            });
            (fill(&index, fields, docs), counting.join())
        });
        filled?;
        let (vocabulary, digests) =
            counted.map_err(|_| Error::Search("the counting thread panicked".into()))?;
        let writer = writer(&index)?;
        let mut search = Self::with_reader(index, fields, vocabulary)?;
        search.updater = Some(Mutex::new(Updater { writer, digests }));
        Ok(search)
    }

    /// How many segments the index has (each `update` adds one).
    pub fn segments(&self) -> usize {
        self.reader.searcher().segment_readers().len()
    }

    /// Brings an in-memory index in line with `docs`, replacing only the documents that were
    /// added, removed or changed. Falls back to nothing for on-disk indexes (they are rebuilt).
    pub fn update(&self, docs: &[SearchDoc]) -> Result<()> {
        let mut updater = self.updater()?;
        let fresh: HashMap<&str, (u64, &SearchDoc)> = docs
            .iter()
            .map(|d| (d.url.as_str(), (digest(d), d)))
            .collect();
        let mut stale = Vec::new();
        for (url, (old, _)) in &updater.digests {
            let current = fresh.get(url.as_str()).map(|(new, _)| *new);
            if current != Some(*old) {
                stale.push(url.clone());
            }
        }
        let added: Vec<&SearchDoc> = fresh
            .iter()
            .filter(|(url, (new, _))| updater.digest(url) != Some(*new))
            .map(|(_, (_, doc))| *doc)
            .collect();
        self.apply(&mut updater, &stale, &added)
    }

    /// Replaces the documents `old` (say, one page's) with `new`, leaving every other document
    /// alone: what [`SearchIndex::update`] would do when only those documents changed.
    pub fn replace(&self, old: &[SearchDoc], new: &[SearchDoc]) -> Result<()> {
        let mut updater = self.updater()?;
        let fresh: HashMap<&str, u64> = new.iter().map(|d| (d.url.as_str(), digest(d))).collect();
        let stale: Vec<String> = old
            .iter()
            .filter(|d| fresh.get(d.url.as_str()).copied() != updater.digest(&d.url))
            .map(|d| d.url.clone())
            .collect();
        let added: Vec<&SearchDoc> = new
            .iter()
            .filter(|d| updater.digest(&d.url) != fresh.get(d.url.as_str()).copied())
            .collect();
        self.apply(&mut updater, &stale, &added)
    }

    fn updater(&self) -> Result<std::sync::MutexGuard<'_, Updater>> {
        let Some(updater) = &self.updater else {
            return Err(Error::Search(
                "only in-memory indexes can be updated".into(),
            ));
        };
        updater
            .lock()
            .map_err(|_| Error::Search("index writer poisoned".into()))
    }

    fn apply(&self, updater: &mut Updater, stale: &[String], added: &[&SearchDoc]) -> Result<()> {
        if stale.is_empty() && added.is_empty() {
            return Ok(());
        }
        for url in stale {
            updater
                .writer
                .delete_term(Term::from_field_text(self.fields.url, url));
        }
        for doc in added {
            updater
                .writer
                .add_document(to_document(self.fields, doc))
                .map_err(search_error)?;
        }
        updater.writer.commit().map_err(search_error)?;
        // The vocabulary changes with the searcher, under one lock, so a search (which takes
        // the read lock before its searcher) sees both before or both after; searches wait
        // only for this, not for the commit.
        let mut vocabulary = self
            .vocabulary
            .write()
            .map_err(|_| Error::Search("vocabulary poisoned".into()))?;
        for url in stale {
            if let Some((_, words)) = updater.digests.remove(url) {
                vocabulary.remove(&words);
            }
        }
        for doc in added {
            count_in(&mut updater.digests, &mut vocabulary, doc);
        }
        self.reader.reload().map_err(search_error)
    }

    /// Writes an index of `docs` to `dir`, replacing any previous one only once it is complete.
    /// `vocabulary` is `docs`' ([`Vocabulary::of`]; the build counts it once for both indexes).
    pub fn write(
        dir: &Path,
        docs: &[SearchDoc],
        vocabulary: &Vocabulary,
        fingerprint: &str,
    ) -> Result<()> {
        Self::stage(dir, docs)?.finish(vocabulary, fingerprint)
    }

    /// Indexes `docs` into a scratch folder beside `dir`; [`StagedIndex::finish`] adds the
    /// vocabulary and puts it in place (the build counts the vocabulary while this runs).
    pub fn stage(dir: &Path, docs: &[SearchDoc]) -> Result<StagedIndex> {
        let parent = dir.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(|e| Error::write(parent, e))?;
        crate::staging::recover(dir);
        let staging = crate::staging::Scratch::new(parent, "search-index", "new", true)?;
        let (schema, fields) = schema();
        let index = Index::create_in_dir(staging.path(), schema).map_err(search_error)?;
        register_tokenizers(&index);
        fill(&index, fields, docs)?;
        Ok(StagedIndex {
            staging,
            dir: dir.to_path_buf(),
        })
    }

    /// Opens the index in `dir` if it exists, has the current schema and was built from
    /// content with `fingerprint`; `None` means it must be rebuilt.
    pub fn open_fresh(dir: &Path, fingerprint: &str) -> Result<Option<Self>> {
        let Ok(text) = std::fs::read_to_string(dir.join(VERSION_FILE)) else {
            return Ok(None);
        };
        let version: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        if version["schema_version"] != SCHEMA_VERSION || version["fingerprint"] != fingerprint {
            return Ok(None);
        }
        Self::open(dir)
    }

    /// Opens the index in `dir` if it has the current schema, however old its content.
    pub fn open_any(dir: &Path) -> Result<Option<Self>> {
        let Ok(text) = std::fs::read_to_string(dir.join(VERSION_FILE)) else {
            return Ok(None);
        };
        let version: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        if version["schema_version"] != SCHEMA_VERSION {
            return Ok(None);
        }
        Self::open(dir)
    }

    /// The index in `dir`, or `None` when its vocabulary file is missing or unreadable (an
    /// index is rebuilt rather than searched without it).
    fn open(dir: &Path) -> Result<Option<Self>> {
        let text = std::fs::read_to_string(dir.join(VOCABULARY_FILE)).ok();
        let Some(vocabulary) = text.as_deref().and_then(Vocabulary::from_text) else {
            return Ok(None);
        };
        let index = Index::open_in_dir(dir).map_err(search_error)?;
        register_tokenizers(&index);
        Self::with_reader(index, schema().1, vocabulary).map(Some)
    }

    fn with_reader(index: Index, fields: Fields, vocabulary: Vocabulary) -> Result<Self> {
        // Reloaded explicitly after each commit; no background watcher thread.
        let reader = index
            .reader_builder()
            .reload_policy(tantivy::ReloadPolicy::Manual)
            .try_into()
            .map_err(search_error)?;
        Ok(Self {
            updater: None,
            pages: PageTables::default(),
            reader,
            fields,
            vocabulary: RwLock::new(vocabulary),
        })
    }

    /// Answers `request` by the rules of [`rank`]; any text is a valid query, and an empty one
    /// matches nothing.
    pub fn search(
        &self,
        request: &SearchRequest,
        title_boost: f32,
        default_limit: usize,
    ) -> Result<SearchResponse> {
        let mut response = SearchResponse {
            query: request.q.clone(),
            ..SearchResponse::default()
        };
        let text = request.q.trim();
        if text.is_empty() {
            return Ok(response);
        }
        // Before the searcher: see `apply`.
        let vocabulary = self
            .vocabulary
            .read()
            .map_err(|_| Error::Search("vocabulary poisoned".into()))?;
        let searcher = self.reader.searcher();
        let f = self.fields;
        let prose = ProseFields {
            fields: [f.title, f.summary, f.body, f.tags],
            boosts: [
                title_boost,
                analysis::SUMMARY_BOOST,
                analysis::BODY_BOOST,
                analysis::TAGS_BOOST,
            ],
        };
        let pages = self.pages.of(&searcher)?;
        let mut source =
            TantivySource::new(&searcher, prose, [f.id, f.mapped], &vocabulary, pages)?;
        let plan = Plan::new(text, |id| source.knows_id(id));
        let ranking = rank::rank(&mut source, &plan);
        response.suggestion = ranking.suggestion(text);
        let limit = request.limit.unwrap_or(default_limit).clamp(1, 200);
        let filters = request.filters();
        let mut kept = Vec::new();
        let mut counts: rustc_hash::FxHashMap<FacetKey, u64> = rustc_hash::FxHashMap::default();
        let mut keys = Vec::new();
        for ranked in &ranking.pages {
            keys.clear();
            source.facet_keys(ranked.section, &mut keys);
            if passes(&filters, &keys, &mut source)? {
                for &key in &keys {
                    *counts.entry(key).or_default() += 1;
                }
                kept.push(ranked);
            }
        }
        count_facets(&mut response.facets, counts, &mut source)?;
        response.total = kept.len();
        let snippets = self.snippets(&searcher, &plan, &ranking.corrections, &mut source)?;
        for ranked in kept.into_iter().take(limit) {
            response.results.push(self.hit(
                &searcher,
                ranked.section,
                ranked.score as f32 / rank::WEIGHT_SCALE,
                &snippets,
            )?);
        }
        Ok(response)
    }

    /// Marks the query's stems (and the words its typos were read as) in body extracts.
    fn snippets(
        &self,
        searcher: &tantivy::Searcher,
        plan: &Plan,
        corrections: &[(String, String)],
        source: &mut TantivySource<'_>,
    ) -> Result<SnippetGenerator> {
        use rank::Source as _;
        let mut stems: Vec<String> = plan.words.iter().flat_map(|w| w.stems.clone()).collect();
        stems.extend(corrections.iter().map(|(_, meant)| source.stem_of(meant)));
        let terms: Vec<(Occur, Box<dyn Query>)> = stems
            .iter()
            .map(|stem| {
                let term = Term::from_field_text(self.fields.body, stem);
                let query: Box<dyn Query> =
                    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs));
                (Occur::Should, query)
            })
            .collect();
        let mut snippets =
            SnippetGenerator::create(searcher, &BooleanQuery::new(terms), self.fields.body)
                .map_err(search_error)?;
        snippets.set_max_num_chars(SNIPPET_CHARS);
        Ok(snippets)
    }

    fn hit(
        &self,
        searcher: &tantivy::Searcher,
        address: DocAddress,
        score: f32,
        snippets: &SnippetGenerator,
    ) -> Result<Hit> {
        let doc: TantivyDocument = searcher.doc(address).map_err(search_error)?;
        let text = |doc: &TantivyDocument, field: Field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let f = self.fields;
        let (url, page) = (text(&doc, f.url), text(&doc, f.page));
        let (title, section, id) = if url == page {
            (text(&doc, f.title), None, text(&doc, f.id))
        } else {
            let own = self.page_doc(searcher, &page)?;
            let (title, id) = match own {
                Some(own) => (text(&own, f.title), text(&own, f.id)),
                None => (text(&doc, f.page_title), String::new()),
            };
            (title, Some(text(&doc, f.title)), id)
        };
        let snippet = snippets.snippet_from_doc(&doc);
        let snippet = if snippet.fragment().is_empty() {
            crate::markdown::escape_html(&teaser(&text(&doc, f.summary), 30))
        } else {
            marked(snippet.fragment(), snippet.highlighted())
        };
        Ok(Hit {
            url,
            page,
            kind: text(&doc, f.kind),
            id: Some(id).filter(|s| !s.is_empty()),
            title,
            section,
            score,
            snippet,
        })
    }

    /// The document of a page itself (its intro), which holds the page's identifier.
    fn page_doc(
        &self,
        searcher: &tantivy::Searcher,
        page: &str,
    ) -> Result<Option<TantivyDocument>> {
        let query = TermQuery::new(
            Term::from_field_text(self.fields.url, page),
            IndexRecordOption::Basic,
        );
        let top = searcher
            .search(&query, &TopDocs::with_limit(1).order_by_score())
            .map_err(search_error)?;
        top.first()
            .map(|(_, address)| searcher.doc(*address).map_err(search_error))
            .transpose()
    }
}

/// Whether a document with facets `keys` passes every filter (name, value).
fn passes(
    filters: &[(&str, &str)],
    keys: &[FacetKey],
    source: &mut TantivySource<'_>,
) -> Result<bool> {
    for (name, value) in filters {
        let mut found = false;
        for &key in keys {
            if let Some((n, v)) = source.facet_pair(key)?
                && &*n == *name
                && &*v == *value
            {
                found = true;
                break;
            }
        }
        if !found {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The page counts per facet value, shown beside the results: the counts by facet key, named
/// and summed over segments into `facets`.
fn count_facets(
    facets: &mut Facets,
    counts: rustc_hash::FxHashMap<FacetKey, u64>,
    source: &mut TantivySource<'_>,
) -> Result<()> {
    for (key, count) in counts {
        let Some((name, value)) = source.facet_pair(key)? else {
            continue;
        };
        let map = match &*name {
            "kind" => &mut facets.kind,
            "domain" => &mut facets.domain,
            "framework" => &mut facets.framework,
            "tag" => &mut facets.tag,
            _ => continue,
        };
        *map.entry(value.to_string()).or_default() += count;
    }
    Ok(())
}

/// A complete tantivy index in a scratch folder, without its vocabulary yet.
pub struct StagedIndex {
    staging: crate::staging::Scratch,
    dir: std::path::PathBuf,
}

impl StagedIndex {
    /// Writes the vocabulary and the version file, then swaps the index in: the index folder
    /// is at every moment absent or a complete index, whatever other builds of the same book do
    /// at the same time.
    pub fn finish(self, vocabulary: &Vocabulary, fingerprint: &str) -> Result<()> {
        let vocabulary_path = self.staging.path().join(VOCABULARY_FILE);
        std::fs::write(&vocabulary_path, vocabulary.to_text())
            .map_err(|e| Error::write(&vocabulary_path, e))?;
        let version =
            serde_json::json!({ "schema_version": SCHEMA_VERSION, "fingerprint": fingerprint });
        let version_path = self.staging.path().join(VERSION_FILE);
        std::fs::write(&version_path, version.to_string())
            .map_err(|e| Error::write(&version_path, e))?;
        crate::staging::swap_in(&self.staging, &self.dir)
    }
}

/// The live index's writer: one thread, and tantivy's smallest budget, since an update holds a
/// few pages' documents and each one starts a segment whose table is sized by the budget
/// (zeroing a larger one was a measurable part of a live rebuild).
fn writer(index: &Index) -> Result<IndexWriter> {
    index
        .writer_with_num_threads(1, 15_000_000)
        .map_err(search_error)
}

fn fill(index: &Index, f: Fields, docs: &[SearchDoc]) -> Result<()> {
    // Two indexing threads, so two segments: `build` runs this beside the static index and the
    // exports, and once those are done both cores index. A page's documents go as one batch,
    // which tantivy keeps in one segment: a page straddling two takes the ranking's slower
    // path (`postings::TantivySource::pages`). Which segment a page lands in varies, but the
    // ranking orders pages and sections by URL, so results do not.
    let mut writer: IndexWriter = index
        .writer_with_num_threads(2, 200_000_000)
        .map_err(search_error)?;
    for page in docs.chunk_by(|a, b| a.page == b.page) {
        let adds = page
            .iter()
            .map(|doc| UserOperation::Add(to_document(f, doc)));
        writer.run(adds).map_err(search_error)?;
    }
    writer.commit().map_err(search_error)?;
    writer.wait_merging_threads().map_err(search_error)?;
    Ok(())
}

/// Records `doc` under its URL and counts its words in; a document already recorded under that
/// URL is counted out (URLs are unique in a site's documents, but not by type).
fn count_in(
    digests: &mut HashMap<String, (u64, Box<[u32]>)>,
    vocabulary: &mut Vocabulary,
    doc: &SearchDoc,
) {
    let words = vocabulary.add(doc);
    if let Some((_, replaced)) = digests.insert(doc.url.clone(), (digest(doc), words)) {
        vocabulary.remove(&replaced);
    }
}

impl Updater {
    fn digest(&self, url: &str) -> Option<u64> {
        self.digests.get(url).map(|(digest, _)| *digest)
    }
}

fn digest(doc: &SearchDoc) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    doc.hash(&mut hasher);
    hasher.finish()
}

fn to_document(f: Fields, doc: &SearchDoc) -> TantivyDocument {
    let mut d = TantivyDocument::default();
    d.add_text(f.url, &doc.url);
    d.add_text(f.page, &doc.page);
    d.add_text(f.kind, doc.kind);
    if let Some(id) = &doc.id {
        // Stored as written; the id tokenizer lowercases it for the index.
        d.add_text(f.id, crate::markdown::collapse_whitespace(id));
    }
    for id in &doc.mapped {
        d.add_text(f.mapped, normalize_id(id));
    }
    d.add_text(f.title, &doc.title);
    if doc.page_title != doc.title {
        d.add_text(f.page_title, &doc.page_title);
    }
    d.add_text(f.summary, &doc.summary);
    d.add_text(f.body, &doc.body);
    let tags = doc.tags.join(" ");
    d.add_text(f.tags, &tags);
    for (name, value) in doc.facets() {
        d.add_facet(f.facets, Facet::from_path([name, value.as_str()]));
    }
    d
}

/// The first `words` words of `text`.
pub fn teaser(text: &str, words: usize) -> String {
    let mut out: Vec<&str> = text.split_whitespace().take(words + 1).collect();
    let cut = out.len() > words;
    out.truncate(words);
    let mut teaser = out.join(" ");
    if cut {
        teaser.push('…');
    }
    teaser
}

/// `fragment` HTML-escaped, with the `highlighted` byte ranges wrapped in `<mark>`.
fn marked(fragment: &str, highlighted: &[std::ops::Range<usize>]) -> String {
    let mut html = String::new();
    let mut at = 0;
    for range in highlighted {
        if range.start < at || range.end > fragment.len() {
            continue;
        }
        html.push_str(&crate::markdown::escape_html(&fragment[at..range.start]));
        html.push_str("<mark>");
        html.push_str(&crate::markdown::escape_html(&fragment[range.clone()]));
        html.push_str("</mark>");
        at = range.end;
    }
    html.push_str(&crate::markdown::escape_html(&fragment[at..]));
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(url: &str, body: &str) -> SearchDoc {
        SearchDoc {
            url: url.into(),
            page: url.into(),
            kind: "page",
            title: "Notes".into(),
            body: body.into(),
            ..SearchDoc::default()
        }
    }

    fn counted(index: &SearchIndex) -> String {
        index.vocabulary.read().expect("lock").to_text()
    }

    #[test]
    fn an_updated_index_counts_the_vocabulary_of_its_documents() {
        let first = [
            doc("a", "model poisoning"),
            doc("b", "prompt model"),
            doc("c", "rare word"),
        ];
        let index = SearchIndex::in_memory(&first).expect("index");
        assert_eq!(counted(&index), Vocabulary::of(&first).to_text());
        // `a` changed, `c` removed, `d` added: "poisoning" and "word" leave.
        let second = [
            doc("a", "model drift"),
            doc("b", "prompt model"),
            doc("d", "rare again"),
        ];
        index.update(&second).expect("update");
        assert_eq!(counted(&index), Vocabulary::of(&second).to_text());
        // "poisoning" comes back; replacing a document by itself changes nothing.
        let third = [
            doc("a", "model poisoning"),
            doc("b", "prompt model"),
            doc("d", "rare again"),
        ];
        index.replace(&second[..1], &third[..1]).expect("replace");
        index.replace(&third[1..2], &third[1..2]).expect("replace");
        assert_eq!(counted(&index), Vocabulary::of(&third).to_text());
        let typo = index.search(&SearchRequest::new("poisonng"), 2.0, 10);
        assert_eq!(
            typo.expect("search").suggestion.as_deref(),
            Some("poisoning")
        );
    }

    fn section(page: &str, anchor: &str, body: &str) -> SearchDoc {
        SearchDoc {
            url: format!("{page}#{anchor}"),
            title: anchor.into(),
            ..doc(page, body)
        }
    }

    /// After an update replaced one section, a page's sections sit in two segments: it is still
    /// one hit, and the index finds the pages a fresh one finds.
    #[test]
    fn a_page_in_two_segments_is_one_hit_as_in_a_fresh_index() {
        let first = [
            doc("p", "intro"),
            section("p", "a", "model drift"),
            section("p", "b", "model poisoning"),
            doc("q", "model notes"),
        ];
        let index = SearchIndex::in_memory(&first).expect("index");
        let mut second = first.clone();
        second[1] = section("p", "a", "model drift again");
        index.update(&second).expect("update");
        assert!(index.segments() >= 2, "the update adds a segment");
        let fresh = SearchIndex::in_memory(&second).expect("fresh index");
        for query in ["model", "drift", "poisoning", "model poisoning", "again"] {
            let [updated, fresh] = [&index, &fresh].map(|index| {
                let response = index.search(&SearchRequest::new(query), 2.0, 10);
                let response = response.expect("search");
                // Pages, not sections: until tantivy merges the segments its statistics still
                // count the replaced section, which can tip which section of a page is best.
                let hits: Vec<String> = (response.results.iter()).map(|h| h.page.clone()).collect();
                (hits, response.total, response.facets.kind)
            });
            assert_eq!(updated, fresh, "{query}");
        }
        let model = index.search(&SearchRequest::new("model"), 2.0, 10);
        let pages: Vec<String> = (model.expect("search").results.into_iter())
            .map(|h| h.page)
            .collect();
        assert_eq!(pages.iter().filter(|p| *p == "p").count(), 1, "{pages:?}");
    }

    #[test]
    fn a_url_given_twice_is_counted_once() {
        let docs = [doc("a", "alpha"), doc("a", "beta")];
        let index = SearchIndex::in_memory(&docs).expect("index");
        assert_eq!(counted(&index), Vocabulary::of(&docs[1..]).to_text());
        index.update(&[]).expect("update");
        assert_eq!(counted(&index), "");
    }
}
