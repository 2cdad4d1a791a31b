//! One pass of the prose analysis over every search document, for what the build computes from
//! the words of all of them at once: the static index's term frequencies and field lengths, and
//! the vocabulary (each plain word with the number of documents holding it).
//!
//! Words are cut as the prose analyzer cuts them ([`words`], [`lowercase`]; the tests compare
//! with it), and each is looked up once per chunk of documents, as written: its stem (the same
//! as [`analysis::prose_analyzer`]'s) and whether it is a vocabulary word
//! ([`analysis::vocabulary_words`]'s rule) are remembered with it. Chunks are analysed in
//! parallel with numbers of their own, then renumbered in order, so the result does not depend
//! on how the work was split. Tokenizing the documents once instead of twice, and numbering the
//! distinct words of a chunk instead of those of each document, took a build at 10,000
//! guidelines from 11.8 to 10.2 CPU-s of user time (alternated runs, medians).

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::SearchDoc;
use super::analysis;
use super::vocabulary::Vocabulary;

/// Documents analysed by one task.
const CHUNK: usize = 512;

/// The prose fields, in this order: title, summary, body, tags.
pub const FIELDS: usize = 4;

/// One prose field of one document: (stem number, frequency) pairs sorted by stem number, and
/// the field's length in tokens.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldTerms {
    pub terms: Vec<(u32, u32)>,
    pub length: u32,
}

/// The stems of every document, numbered.
#[derive(Debug, Default)]
pub struct Terms {
    /// Stem number -> stem.
    pub stems: Vec<Box<str>>,
    /// In document order: the prose fields of each.
    pub docs: Vec<[FieldTerms; FIELDS]>,
}

/// The stems of `docs` and their vocabulary, in one pass.
pub fn analyze(docs: &[SearchDoc]) -> (Terms, Vocabulary) {
    let chunks: Vec<Chunk> = docs
        .par_chunks(CHUNK)
        .map(|chunk| {
            let mut analysis = Chunk::default();
            for doc in chunk {
                analysis.add(doc);
            }
            analysis
        })
        .collect();
    let mut terms = Terms {
        stems: Vec::new(),
        docs: Vec::with_capacity(docs.len()),
    };
    let mut numbers: FxHashMap<Box<str>, u32> = FxHashMap::default();
    let mut vocabulary = Vocabulary::default();
    for chunk in chunks {
        let renumbered: Vec<u32> = (chunk.stems.into_iter())
            .map(|stem| {
                let next = terms.stems.len() as u32;
                *numbers.entry(stem).or_insert_with_key(|stem| {
                    terms.stems.push(stem.clone());
                    next
                })
            })
            .collect();
        for mut fields in chunk.docs {
            for field in &mut fields {
                for (stem, _) in &mut field.terms {
                    *stem = renumbered[*stem as usize];
                }
                field.terms.sort_unstable();
            }
            terms.docs.push(fields);
        }
        for (word, documents) in chunk.words {
            vocabulary.add_count(word, documents);
        }
    }
    (terms, vocabulary)
}

/// The words of `text` as the prose analyzer cuts them before lowercasing: tantivy's
/// `SimpleTokenizer` (runs of alphanumeric characters) and `RemoveLongFilter` (under 40 bytes).
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty() && word.len() < 40)
}

/// `word` lowercased as tantivy's `LowerCaser` does it (per character, so no final-sigma rule).
fn lowercase(word: &str) -> String {
    if word.is_ascii() {
        word.to_ascii_lowercase()
    } else {
        word.chars().flat_map(char::to_lowercase).collect()
    }
}

/// What one word of the chunk stands for.
#[derive(Clone, Copy)]
struct Word {
    stem: u32,
    /// Its number among the chunk's vocabulary words, if it is one.
    plain: Option<u32>,
}

/// One chunk's documents, numbered on their own.
#[derive(Default)]
struct Chunk {
    /// Each word seen, as written (its lowercased form does not tell whether it is plain).
    words_seen: FxHashMap<Box<str>, Word>,
    stem_numbers: FxHashMap<Box<str>, u32>,
    stems: Vec<Box<str>>,
    /// Vocabulary words with the number of the chunk's documents holding each.
    words: Vec<(Box<str>, u32)>,
    word_numbers: FxHashMap<Box<str>, u32>,
    /// For each vocabulary word, the last document (counted from 1) it was counted for.
    last_counted: Vec<u32>,
    docs: Vec<[FieldTerms; FIELDS]>,
}

impl Chunk {
    fn add(&mut self, doc: &SearchDoc) {
        let number = self.docs.len() as u32 + 1;
        let tags = doc.tags.join(" ");
        let texts = [&doc.title, &doc.summary, &doc.body, &tags];
        let fields = texts.map(|text| {
            let mut stems = Vec::new();
            for original in words(text) {
                let word = self.word(original);
                stems.push(word.stem);
                if let Some(plain) = word.plain
                    && self.last_counted[plain as usize] != number
                {
                    self.last_counted[plain as usize] = number;
                    self.words[plain as usize].1 += 1;
                }
            }
            count_runs(stems)
        });
        self.docs.push(fields);
    }

    /// What `original`, a word as written, stands for.
    fn word(&mut self, original: &str) -> Word {
        if let Some(&known) = self.words_seen.get(original) {
            return known;
        }
        let word = lowercase(original);
        let stem: Box<str> = analysis::stem(&word).into();
        let next = self.stems.len() as u32;
        let stem = *self.stem_numbers.entry(stem).or_insert_with_key(|stem| {
            self.stems.push(stem.clone());
            next
        });
        let plain = is_plain(original).then(|| {
            let next = self.words.len() as u32;
            *self
                .word_numbers
                .entry(word.into())
                .or_insert_with_key(|word| {
                    self.words.push((word.clone(), 0));
                    self.last_counted.push(0);
                    next
                })
        });
        let known = Word { stem, plain };
        self.words_seen.insert(original.into(), known);
        known
    }
}

/// [`analysis::vocabulary_words`]' rule, on a word as written (the lowercased form of a word that
/// is not ASCII can be: the Kelvin sign lowercases to `k`).
fn is_plain(original: &str) -> bool {
    original.len() >= 2 && original.bytes().all(|b| b.is_ascii_alphabetic())
}

/// The stems as (stem, count) pairs, sorted by stem, and their number.
fn count_runs(mut stems: Vec<u32>) -> FieldTerms {
    let length = stems.len() as u32;
    stems.sort_unstable();
    let terms = stems
        .chunk_by(|a, b| a == b)
        .map(|run| (run[0], run.len() as u32))
        .collect();
    FieldTerms { terms, length }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn doc(title: &str, body: &str, tags: &[&str]) -> SearchDoc {
        SearchDoc {
            title: title.into(),
            summary: "A summary, of sorts.".into(),
            body: body.into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            ..SearchDoc::default()
        }
    }

    /// Each field as the prose analyzer sees it: stems and their counts, sorted, and the length.
    fn analyzed_directly(doc: &SearchDoc) -> Vec<(Vec<(String, u32)>, u32)> {
        let mut analyzer = analysis::prose_analyzer();
        let tags = doc.tags.join(" ");
        [&doc.title, &doc.summary, &doc.body, &tags]
            .into_iter()
            .map(|text| {
                let stems = analysis::stems(&mut analyzer, text);
                let length = stems.len() as u32;
                let mut counts: std::collections::BTreeMap<String, u32> = Default::default();
                for stem in stems {
                    *counts.entry(stem).or_default() += 1;
                }
                (counts.into_iter().collect(), length)
            })
            .collect()
    }

    fn assert_same_as_separate_passes(docs: &[SearchDoc]) {
        let (terms, vocabulary) = analyze(docs);
        assert_eq!(vocabulary.to_text(), Vocabulary::of(docs).to_text());
        assert_eq!(terms.docs.len(), docs.len());
        for (doc, fields) in docs.iter().zip(&terms.docs) {
            let mut named: Vec<(Vec<(String, u32)>, u32)> = fields
                .iter()
                .map(|field| {
                    let mut terms: Vec<(String, u32)> = (field.terms.iter())
                        .map(|&(stem, count)| (terms.stems[stem as usize].to_string(), count))
                        .collect();
                    terms.sort();
                    (terms, field.length)
                })
                .collect();
            named.truncate(FIELDS);
            assert_eq!(named, analyzed_directly(doc), "{doc:?}");
        }
        let mut distinct = terms.stems.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), terms.stems.len(), "each stem numbered once");
    }

    #[test]
    fn one_pass_gives_what_the_analyzer_and_the_vocabulary_give() {
        let docs = vec![
            doc(
                "Model Poisoning",
                "poisoning of the model, model again",
                &["supply"],
            ),
            doc("Prompt injection", "the model reads a prompt", &[]),
            doc(
                "Logging",
                "logs 42 x2 café mode \u{212A}ey KEY",
                &["model", "Two words"],
            ),
            doc("", "", &[]),
        ];
        assert_same_as_separate_passes(&docs);
    }

    /// The shipped content's documents, split across several chunks.
    #[test]
    fn shipped_documents_across_chunks() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let built = crate::pipeline::render_site(root, &Default::default()).expect("builds");
        let mut docs = built.search_docs;
        while docs.len() < 3 * CHUNK {
            docs.extend_from_within(..);
        }
        assert_same_as_separate_passes(&docs);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn any_text(
            texts in proptest::collection::vec(
                "([a-zA-Z]{1,6}|[ .,'-]|[0-9]{1,3}|é|\u{212A}|İ|ß|ΟΔΟΣ|[A-Z]{2,}|[a-z]{38,41}|é{19,21}){0,30}",
                1..40,
            )
        ) {
            let docs: Vec<SearchDoc> = texts
                .iter()
                .map(|t| doc(t, &t.repeat(2), &[t.as_str()]))
                .collect();
            assert_same_as_separate_passes(&docs);
        }
    }
}
