//! The ranking's view of a tantivy index: page weights computed from tantivy's postings, field
//! lengths and statistics by the formulas of [`rank`], exactly as the static index precomputes
//! them; the vocabulary from the index's [`Vocabulary`].

use std::collections::HashMap;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use tantivy::columnar::StrColumn;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::Postings;
use tantivy::schema::{Facet, Field, IndexRecordOption};
use tantivy::{DocAddress, DocSet, Searcher, TERMINATED, Term};

use super::analysis;
use super::rank::{self, PageHit, Source};
use super::vocabulary::Vocabulary;
use crate::error::{Error, Result};

fn index_error(err: impl Into<tantivy::TantivyError>) -> Error {
    Error::Index(err.into())
}

/// The fields a prose stem is looked up in, in the order its weights are summed.
#[derive(Clone, Copy)]
pub struct ProseFields {
    pub fields: [Field; 4],
    pub boosts: [f32; 4],
}

/// The columns of one segment the ranking reads.
struct Segment {
    page: StrColumn,
    kind: StrColumn,
    /// The kinds by ordinal (a handful: read once, not per page).
    kinds: Vec<Arc<str>>,
    url: StrColumn,
    norms: Vec<FieldNormReader>,
    facets: tantivy::fastfield::FacetReader,
    max_doc: u32,
}

/// A section that holds a key: its URL's ordinal in its segment, its document and its weight.
type Section = (u64, DocAddress, u32);

/// A facet as (name, value), e.g. ("kind", "guideline").
pub type FacetPair = (Arc<str>, Arc<str>);

/// A facet of a segment: (segment, term ordinal in its facet column).
pub type FacetKey = (u32, u64);

/// Section scores of one key: per segment, a dense score array and the documents touched.
struct DocScores {
    scores: Vec<Vec<f32>>,
    touched: Vec<Vec<u32>>,
}

/// The pages of a searcher's segments as numbers, in the order of their URLs: the ranking keys,
/// compares and sorts pages as integers, and looks no URL up. (Looking page URLs up one by one
/// in the column's dictionary was once most of a search's time on a large site; hashing and
/// comparing them was still a third.)
#[derive(Clone, Default)]
pub struct PageNumbers {
    /// By segment: page ordinal -> page number.
    by_segment: Vec<Arc<[u32]>>,
    /// How many pages the segments hold in all.
    count: usize,
}

/// The [`PageNumbers`] of the last searcher's segments, kept across searches.
#[derive(Default)]
pub struct PageTables(std::sync::Mutex<Option<(Vec<tantivy::index::SegmentId>, PageNumbers)>>);

impl PageTables {
    /// The page numbers of the searcher's segments (made again when its segments changed).
    pub fn of(&self, searcher: &Searcher) -> Result<PageNumbers> {
        let mut kept = self
            .0
            .lock()
            .map_err(|_| Error::Search("page tables poisoned".into()))?;
        let ids: Vec<_> = searcher
            .segment_readers()
            .iter()
            .map(|s| s.segment_id())
            .collect();
        if let Some((kept_ids, numbers)) = kept.as_ref()
            && *kept_ids == ids
        {
            return Ok(numbers.clone());
        }
        // (URL, segment, ordinal) of every page of every segment, sorted by URL.
        let mut all: Vec<(Box<[u8]>, usize, usize)> = Vec::new();
        let mut lengths = Vec::with_capacity(ids.len());
        for (s, segment) in searcher.segment_readers().iter().enumerate() {
            let mut ord = 0;
            if let Some(column) = segment.fast_fields().str("page").map_err(index_error)? {
                let mut stream = column
                    .dictionary()
                    .stream()
                    .map_err(|e| Error::Index(e.into()))?;
                while stream.advance() {
                    all.push((stream.key().into(), s, ord));
                    ord += 1;
                }
            }
            lengths.push(ord);
        }
        all.sort_unstable();
        let mut by_segment: Vec<Vec<u32>> = lengths.iter().map(|&n| vec![0; n]).collect();
        let mut count = 0;
        for (i, (url, s, ord)) in all.iter().enumerate() {
            if i > 0 && all[i - 1].0 != *url {
                count += 1;
            }
            by_segment[*s][*ord] = count as u32;
        }
        let numbers = PageNumbers {
            by_segment: by_segment.into_iter().map(Arc::from).collect(),
            count: if all.is_empty() { 0 } else { count + 1 },
        };
        *kept = Some((ids, numbers.clone()));
        Ok(numbers)
    }
}

/// A searcher seen through the ranking's [`Source`]: pages are page numbers (see
/// [`PageNumbers`]), sections documents.
pub struct TantivySource<'s> {
    searcher: &'s Searcher,
    prose: ProseFields,
    id: Field,
    mapped: Field,
    vocabulary: &'s Vocabulary,
    n: f32,
    averages: [f32; 4],
    segments: Vec<Segment>,
    pages: PageNumbers,
    /// Section URLs looked up so far, by segment and ordinal.
    urls: FxHashMap<(u32, u64), Arc<str>>,
    facet_pairs: FxHashMap<(u32, u64), Option<FacetPair>>,
    ids: HashMap<String, Vec<PageHit<u32, DocAddress>>>,
    analyzer: tantivy::tokenizer::TextAnalyzer,
}

impl<'s> TantivySource<'s> {
    pub fn new(
        searcher: &'s Searcher,
        prose: ProseFields,
        [id, mapped]: [Field; 2],
        vocabulary: &'s Vocabulary,
        pages: PageNumbers,
    ) -> Result<Self> {
        let n = searcher.num_docs() as f32;
        let mut averages = [0.0; 4];
        for (average, field) in averages.iter_mut().zip(prose.fields) {
            let mut total = 0u64;
            for segment in searcher.segment_readers() {
                total += segment
                    .inverted_index(field)
                    .map_err(index_error)?
                    .total_num_tokens();
            }
            *average = rank::average_length(total, n);
        }
        let column = |segment: &tantivy::SegmentReader, name: &str| -> Result<StrColumn> {
            segment
                .fast_fields()
                .str(name)
                .map_err(index_error)?
                .ok_or_else(|| Error::Search(format!("the index has no `{name}` column")))
        };
        let mut segments = Vec::new();
        for segment in searcher.segment_readers() {
            let norms = prose
                .fields
                .iter()
                .map(|&f| segment.get_fieldnorms_reader(f).map_err(index_error))
                .collect::<Result<_>>()?;
            let kind = column(segment, "kind")?;
            let mut kinds = Vec::new();
            let mut stream = kind
                .dictionary()
                .stream()
                .map_err(|e| Error::Index(e.into()))?;
            while stream.advance() {
                kinds.push(Arc::from(String::from_utf8_lossy(stream.key()).as_ref()));
            }
            segments.push(Segment {
                page: column(segment, "page")?,
                kind,
                kinds,
                url: column(segment, "url")?,
                norms,
                facets: segment.facet_reader("facets").map_err(index_error)?,
                max_doc: segment.max_doc(),
            });
        }
        Ok(Self {
            searcher,
            prose,
            id,
            mapped,
            vocabulary,
            n,
            averages,
            segments,
            pages,
            urls: FxHashMap::default(),
            facet_pairs: FxHashMap::default(),
            ids: HashMap::new(),
            analyzer: analysis::prose_analyzer(),
        })
    }

    /// Whether the index holds a page with identifier `id` or mapped to it.
    pub fn knows_id(&mut self, id: &str) -> bool {
        !self.id(id).is_empty()
    }

    /// The term ordinal of a document in one of the three columns (0 page, 1 kind, 2 url):
    /// ordinals follow the strings' order within a segment.
    fn ord(&self, segment: u32, doc: u32, column: u8) -> u64 {
        let segment = &self.segments[segment as usize];
        let col = match column {
            0 => &segment.page,
            1 => &segment.kind,
            _ => &segment.url,
        };
        col.term_ords(doc).next().unwrap_or(u64::MAX)
    }

    /// The section URL of an ordinal of a segment's `url` column.
    fn url(&mut self, segment: u32, ord: u64) -> Arc<str> {
        let column = &self.segments[segment as usize].url;
        self.urls
            .entry((segment, ord))
            .or_insert_with(|| {
                let mut text = String::new();
                let _ = column.ord_to_str(ord, &mut text);
                Arc::from(text)
            })
            .clone()
    }

    fn doc_scores(&self) -> DocScores {
        DocScores {
            scores: self
                .segments
                .iter()
                .map(|s| vec![0.0; s.max_doc as usize])
                .collect(),
            touched: vec![Vec::new(); self.segments.len()],
        }
    }

    /// Adds `weight(tf, length)` of every live document holding `term` to `scores`.
    fn add_postings(
        &self,
        term: &Term,
        field: usize,
        scores: &mut DocScores,
        weight: impl Fn(u32, u32) -> f32,
    ) -> Result<()> {
        for (s, segment) in self.searcher.segment_readers().iter().enumerate() {
            let inverted = segment.inverted_index(term.field()).map_err(index_error)?;
            let Some(mut postings) = inverted
                .read_postings(term, IndexRecordOption::WithFreqs)
                .map_err(index_error)?
            else {
                continue;
            };
            let (dense, touched) = (&mut scores.scores[s], &mut scores.touched[s]);
            let mut doc = postings.doc();
            while doc != TERMINATED {
                if !segment.is_deleted(doc) {
                    let length = self.segments[s]
                        .norms
                        .get(field)
                        .map_or(0, |n| n.fieldnorm(doc));
                    let score = &mut dense[doc as usize];
                    if *score == 0.0 {
                        touched.push(doc);
                    }
                    *score += weight(postings.term_freq(), length);
                }
                doc = postings.advance();
            }
        }
        Ok(())
    }

    fn doc_freq(&self, term: &Term) -> f32 {
        self.searcher.doc_freq(term).unwrap_or(0) as f32
    }

    /// Section scores grouped into page weights.
    fn pages(&mut self, scores: DocScores) -> Vec<PageHit<u32, DocAddress>> {
        // Page number -> its group: the segment of its first section, its sections as (URL
        // ordinal, document, weight), and whether they came from several segments. A page's
        // documents normally sit in one segment (the build adds each page's as one batch);
        // `serve` replaces only the documents that changed, so a page can straddle two.
        const NONE: u32 = u32::MAX;
        let mut slots = vec![NONE; self.pages.count];
        let mut groups: Vec<(u32, u32, Vec<Section>, bool)> = Vec::new();
        for (s, (dense, touched)) in scores.scores.iter().zip(&scores.touched).enumerate() {
            let s = s as u32;
            for &doc in touched {
                let ord = self.ord(s, doc, 0);
                let Some(&page) = self.pages.by_segment[s as usize].get(ord as usize) else {
                    continue;
                };
                let section = (
                    self.ord(s, doc, 2),
                    DocAddress::new(s, doc),
                    rank::tenths(dense[doc as usize]),
                );
                let slot = &mut slots[page as usize];
                if *slot == NONE {
                    *slot = groups.len() as u32;
                    groups.push((page, s, vec![section], false));
                } else {
                    let (_, first, sections, merged) = &mut groups[*slot as usize];
                    *merged |= *first != s;
                    sections.push(section);
                }
            }
        }
        let mut hits = Vec::with_capacity(groups.len());
        for (page, _, mut sections, merged) in groups {
            if merged {
                let mut keyed: Vec<(Arc<str>, Section)> = sections
                    .into_iter()
                    .map(|x| (self.url(x.1.segment_ord, x.0), x))
                    .collect();
                keyed.sort_by(|a, b| a.0.cmp(&b.0));
                sections = keyed.into_iter().map(|(_, x)| x).collect();
            } else {
                sections.sort_unstable_by_key(|x| x.0);
            }
            let first = sections[0].1;
            let kind_ord = self.ord(first.segment_ord, first.doc_id, 1);
            let kinds = &self.segments[first.segment_ord as usize].kinds;
            let kind = kinds.get(kind_ord as usize).map_or("", |k| &**k);
            let weights: Vec<(DocAddress, u32)> =
                sections.iter().map(|&(_, a, w)| (a, w)).collect();
            if let Some((weight, section)) = rank::page_weight(kind, &weights) {
                hits.push(PageHit {
                    page,
                    weight,
                    section,
                });
            }
        }
        hits
    }

    /// The facets of a document, as (segment, ordinal) keys (see [`Self::facet_pair`]): counting
    /// them by key, and naming each key once, kept string hashing out of a search.
    pub fn facet_keys(&self, address: DocAddress, keys: &mut Vec<FacetKey>) {
        let s = address.segment_ord;
        let reader = &self.segments[s as usize].facets;
        keys.extend(reader.facet_ords(address.doc_id).map(|ord| (s, ord)));
    }

    /// The facet (`("kind", "guideline")`...) a key stands for; `None` for a facet that is not
    /// a (name, value) pair.
    pub fn facet_pair(&mut self, (s, ord): FacetKey) -> Result<Option<FacetPair>> {
        if let Some(pair) = self.facet_pairs.get(&(s, ord)) {
            return Ok(pair.clone());
        }
        let mut facet = Facet::root();
        self.segments[s as usize]
            .facets
            .facet_from_ord(ord, &mut facet)
            .map_err(index_error)?;
        let pair = match facet.to_path().as_slice() {
            [name, value] => Some((Arc::from(*name), Arc::from(*value))),
            _ => None,
        };
        self.facet_pairs.insert((s, ord), pair.clone());
        Ok(pair)
    }
}

impl Source for TantivySource<'_> {
    /// A page number (see [`PageNumbers`]): ordered as the pages' URLs.
    type Page = u32;
    type Section = DocAddress;

    fn id(&mut self, id: &str) -> Vec<PageHit<u32, DocAddress>> {
        if let Some(hits) = self.ids.get(id) {
            return hits.clone();
        }
        let mut scores = self.doc_scores();
        for (field, boost) in [
            (self.id, analysis::ID_BOOST),
            (self.mapped, analysis::MAPPED_BOOST),
        ] {
            let term = Term::from_field_text(field, id);
            let weight = boost * rank::idf(self.n, self.doc_freq(&term));
            // Identifier fields keep no lengths: every holder weighs the same.
            let _ = self.add_postings(&term, usize::MAX, &mut scores, |_, _| weight);
        }
        let hits = self.pages(scores);
        self.ids.insert(id.to_string(), hits.clone());
        hits
    }

    fn stem(&mut self, stem: &str) -> Vec<PageHit<u32, DocAddress>> {
        let mut scores = self.doc_scores();
        for i in 0..4 {
            let term = Term::from_field_text(self.prose.fields[i], stem);
            let df = self.doc_freq(&term);
            if df == 0.0 {
                continue;
            }
            let (boost, idf, average) = (
                self.prose.boosts[i],
                rank::idf(self.n, df),
                self.averages[i],
            );
            let _ = self.add_postings(&term, i, &mut scores, |tf, length| {
                rank::field_score(boost, idf, tf, rank::length_norm(length, average))
            });
        }
        self.pages(scores)
    }

    fn vocabulary(&mut self, first: char) -> Vec<String> {
        self.vocabulary.starting_with(first)
    }

    fn stem_of(&mut self, word: &str) -> String {
        analysis::stems(&mut self.analyzer, word)
            .into_iter()
            .next()
            .unwrap_or_default()
    }
}
