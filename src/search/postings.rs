//! The ranking's view of a tantivy index: page weights computed from tantivy's postings, field
//! lengths and statistics by the formulas of [`rank`], exactly as the static index precomputes
//! them; the vocabulary from the `words` field's term dictionary.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use tantivy::columnar::StrColumn;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::Postings;
use tantivy::schema::{Facet, Field, IndexRecordOption};
use tantivy::{DocAddress, DocSet, Searcher, TERMINATED, Term};

use super::analysis;
use super::rank::{self, PageHit, Source};
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
    url: StrColumn,
    norms: Vec<FieldNormReader>,
}

/// A searcher seen through the ranking's [`Source`]: pages are page URLs, sections documents.
pub struct TantivySource<'s> {
    searcher: &'s Searcher,
    prose: ProseFields,
    id: Field,
    mapped: Field,
    words: Field,
    n: f32,
    averages: [f32; 4],
    segments: Vec<Segment>,
    strings: HashMap<(u32, u8, u64), Arc<str>>,
    ids: HashMap<String, Vec<PageHit<Arc<str>, DocAddress>>>,
    analyzer: tantivy::tokenizer::TextAnalyzer,
}

impl<'s> TantivySource<'s> {
    pub fn new(
        searcher: &'s Searcher,
        prose: ProseFields,
        [id, mapped, words]: [Field; 3],
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
            segments.push(Segment {
                page: column(segment, "page")?,
                kind: column(segment, "kind")?,
                url: column(segment, "url")?,
                norms,
            });
        }
        Ok(Self {
            searcher,
            prose,
            id,
            mapped,
            words,
            n,
            averages,
            segments,
            strings: HashMap::new(),
            ids: HashMap::new(),
            analyzer: analysis::prose_analyzer(),
        })
    }

    /// Whether the index holds a page with identifier `id` or mapped to it.
    pub fn knows_id(&mut self, id: &str) -> bool {
        !self.id(id).is_empty()
    }

    /// The string of a document in one of the three columns (0 page, 1 kind, 2 url).
    fn string(&mut self, address: DocAddress, column: u8) -> Arc<str> {
        let segment = &self.segments[address.segment_ord as usize];
        let col = match column {
            0 => &segment.page,
            1 => &segment.kind,
            _ => &segment.url,
        };
        let Some(ord) = col.term_ords(address.doc_id).next() else {
            return Arc::from("");
        };
        self.strings
            .entry((address.segment_ord, column, ord))
            .or_insert_with(|| {
                let mut text = String::new();
                let _ = col.ord_to_str(ord, &mut text);
                Arc::from(text)
            })
            .clone()
    }

    /// Adds `weight(tf, length)` of every live document holding `term` to `scores`.
    fn add_postings(
        &self,
        term: &Term,
        field: usize,
        scores: &mut BTreeMap<DocAddress, f32>,
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
            let mut doc = postings.doc();
            while doc != TERMINATED {
                if !segment.is_deleted(doc) {
                    let length = self.segments[s]
                        .norms
                        .get(field)
                        .map_or(0, |n| n.fieldnorm(doc));
                    *scores.entry(DocAddress::new(s as u32, doc)).or_insert(0.0) +=
                        weight(postings.term_freq(), length);
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
    fn pages(&mut self, scores: BTreeMap<DocAddress, f32>) -> Vec<PageHit<Arc<str>, DocAddress>> {
        // Page -> its kind and (URL, document, weight) of its sections.
        type Sections = (Arc<str>, Vec<(Arc<str>, DocAddress, u32)>);
        let mut by_page: BTreeMap<Arc<str>, Sections> = BTreeMap::new();
        for (address, score) in scores {
            let page = self.string(address, 0);
            let kind = self.string(address, 1);
            let url = self.string(address, 2);
            by_page
                .entry(page)
                .or_insert_with(|| (kind, Vec::new()))
                .1
                .push((url, address, rank::tenths(score)));
        }
        by_page
            .into_iter()
            .filter_map(|(page, (kind, mut sections))| {
                sections.sort_by(|a, b| a.0.cmp(&b.0));
                let weights: Vec<(DocAddress, u32)> =
                    sections.iter().map(|&(_, a, w)| (a, w)).collect();
                let (weight, section) = rank::page_weight(&kind, &weights)?;
                Some(PageHit {
                    page,
                    weight,
                    section,
                })
            })
            .collect()
    }

    /// The facets (`("kind", "guideline")`...) of a document.
    pub fn facets(&self, address: DocAddress) -> Result<Vec<(String, String)>> {
        let segment = self.searcher.segment_reader(address.segment_ord);
        let reader = segment.facet_reader("facets").map_err(index_error)?;
        let mut facets = Vec::new();
        let mut facet = Facet::root();
        for ord in reader.facet_ords(address.doc_id) {
            reader
                .facet_from_ord(ord, &mut facet)
                .map_err(index_error)?;
            if let [name, value] = facet.to_path().as_slice() {
                facets.push((name.to_string(), value.to_string()));
            }
        }
        Ok(facets)
    }
}

impl Source for TantivySource<'_> {
    type Page = Arc<str>;
    type Section = DocAddress;

    fn id(&mut self, id: &str) -> Vec<PageHit<Arc<str>, DocAddress>> {
        if let Some(hits) = self.ids.get(id) {
            return hits.clone();
        }
        let mut scores = BTreeMap::new();
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

    fn stem(&mut self, stem: &str) -> Vec<PageHit<Arc<str>, DocAddress>> {
        let mut scores = BTreeMap::new();
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
                rank::field_score(boost, idf, tf, length, average)
            });
        }
        self.pages(scores)
    }

    fn vocabulary(&mut self, first: char) -> Vec<String> {
        let mut from = [0u8; 4];
        let from = first.encode_utf8(&mut from).as_bytes().to_vec();
        let Some(next) = char::from_u32(first as u32 + 1) else {
            return Vec::new();
        };
        let mut to = [0u8; 4];
        let to = next.encode_utf8(&mut to).as_bytes().to_vec();
        let mut freq: BTreeMap<String, u32> = BTreeMap::new();
        for segment in self.searcher.segment_readers() {
            let Ok(inverted) = segment.inverted_index(self.words) else {
                continue;
            };
            let Ok(mut stream) = inverted.terms().range().ge(&from).lt(&to).into_stream() else {
                continue;
            };
            while stream.advance() {
                let word = String::from_utf8_lossy(stream.key()).into_owned();
                *freq.entry(word).or_default() += stream.value().doc_freq;
            }
        }
        let mut words: Vec<(u32, String)> = freq.into_iter().map(|(w, f)| (f, w)).collect();
        words.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        words.into_iter().map(|(_, w)| w).collect()
    }

    fn stem_of(&mut self, word: &str) -> String {
        analysis::stems(&mut self.analyzer, word)
            .into_iter()
            .next()
            .unwrap_or_default()
    }
}
