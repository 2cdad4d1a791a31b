//! The vocabulary typo tolerance corrects to: every plain word of the prose
//! ([`analysis::vocabulary_words`]) with the number of documents that hold it. Both indexes
//! read it, commonest words first: the static index writes it as `search/w-<letter>.js`, the
//! tantivy index keeps it in a file beside its segments (indexed as a tantivy field it cost
//! about a tenth of a build's CPU at 10,000 guidelines), and an in-memory index keeps it
//! counted as `serve` replaces documents.

use std::borrow::Cow;
use std::collections::BTreeMap;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::SearchDoc;
use super::analysis;

/// Words with the number of documents holding each.
#[derive(Debug, Default, Clone)]
pub struct Vocabulary {
    /// Word -> its place in `words`.
    ids: FxHashMap<Box<str>, u32>,
    /// Each word ever counted, with how many documents hold it now (0 after they all left).
    words: Vec<(Box<str>, u32)>,
}

/// The distinct vocabulary words of one document.
fn words_of(doc: &SearchDoc) -> FxHashSet<Cow<'_, str>> {
    let texts = [&doc.title, &doc.summary, &doc.body]
        .into_iter()
        .chain(&doc.tags);
    texts.flat_map(|t| analysis::vocabulary_words(t)).collect()
}

impl Vocabulary {
    /// The vocabulary of `docs`, counted in parallel.
    pub fn of(docs: &[SearchDoc]) -> Self {
        let counts = docs
            .par_iter()
            .fold(FxHashMap::<String, u32>::default, |mut counts, doc| {
                for word in words_of(doc) {
                    match counts.get_mut(&*word) {
                        Some(count) => *count += 1,
                        None => {
                            counts.insert(word.into_owned(), 1);
                        }
                    }
                }
                counts
            })
            .reduce(FxHashMap::default, |mut a, mut b| {
                if a.len() < b.len() {
                    std::mem::swap(&mut a, &mut b);
                }
                for (word, count) in b {
                    *a.entry(word).or_default() += count;
                }
                a
            });
        let mut vocabulary = Self::default();
        for (word, count) in counts {
            vocabulary.add_count(word.into(), count);
        }
        vocabulary
    }

    /// Counts `word` in `count` more documents; returns its number.
    pub(super) fn add_count(&mut self, word: Box<str>, count: u32) -> u32 {
        if let Some(&id) = self.ids.get(&word) {
            self.words[id as usize].1 += count;
            return id;
        }
        let id = self.words.len() as u32;
        self.ids.insert(word.clone(), id);
        self.words.push((word, count));
        id
    }

    /// Counts `doc` in, returning its words for [`Vocabulary::remove`].
    pub fn add(&mut self, doc: &SearchDoc) -> Box<[u32]> {
        words_of(doc)
            .into_iter()
            .map(|word| self.add_count(word.into(), 1))
            .collect()
    }

    /// Counts out a document that [`Vocabulary::add`] counted in.
    pub fn remove(&mut self, words: &[u32]) {
        for &id in words {
            if let Some((_, count)) = self.words.get_mut(id as usize) {
                *count = count.saturating_sub(1);
            }
        }
    }

    /// The words some document holds that `keep` keeps, with their counts, commonest first
    /// (ties alphabetical).
    fn ranked(&self, keep: impl Fn(&str) -> bool) -> Vec<(u32, &str)> {
        let mut ranked: Vec<(u32, &str)> = self
            .words
            .iter()
            .filter(|(word, count)| *count > 0 && keep(word))
            .map(|(word, count)| (*count, &**word))
            .collect();
        ranked.sort_unstable_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        ranked
    }

    /// The words starting with `first`, commonest first (ties alphabetical).
    pub fn starting_with(&self, first: char) -> Vec<String> {
        let ranked = self.ranked(|word| word.starts_with(first));
        ranked.into_iter().map(|(_, word)| word.into()).collect()
    }

    /// [`Vocabulary::starting_with`] for every first letter there is.
    pub fn by_letter(&self) -> BTreeMap<char, Vec<String>> {
        let mut by_letter: BTreeMap<char, Vec<String>> = BTreeMap::new();
        for (_, word) in self.ranked(|_| true) {
            if let Some(first) = word.chars().next() {
                by_letter.entry(first).or_default().push(word.into());
            }
        }
        by_letter
    }

    /// As a file: `word count` lines, commonest first.
    pub fn to_text(&self) -> String {
        use std::fmt::Write as _;
        let mut text = String::new();
        for (count, word) in self.ranked(|_| true) {
            let _ = writeln!(text, "{word} {count}");
        }
        text
    }

    /// Reads what [`Vocabulary::to_text`] wrote; `None` if it is not that.
    pub fn from_text(text: &str) -> Option<Self> {
        let mut vocabulary = Self::default();
        for line in text.lines() {
            let (word, count) = line.split_once(' ')?;
            let count: u32 = count.parse().ok()?;
            let plain = analysis::vocabulary_words(word).next();
            if plain.as_deref() != Some(word) || vocabulary.ids.contains_key(word) {
                return None;
            }
            vocabulary.add_count(word.into(), count);
        }
        Some(vocabulary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(url: &str, title: &str, body: &str, tags: &[&str]) -> SearchDoc {
        SearchDoc {
            url: url.into(),
            title: title.into(),
            body: body.into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            ..SearchDoc::default()
        }
    }

    fn docs() -> Vec<SearchDoc> {
        vec![
            doc(
                "a",
                "Model Poisoning",
                "poisoning of the model, model again",
                &["supply"],
            ),
            doc("b", "Prompt injection", "the model reads a prompt", &[]),
            doc("c", "Logging", "logs 42 x2 café mode", &["model"]),
        ]
    }

    #[test]
    fn counts_documents_not_occurrences() {
        let vocabulary = Vocabulary::of(&docs());
        // "model": a (title, body twice), b, c (tag) -> 3 documents.
        assert_eq!(
            vocabulary.starting_with('m'),
            ["model", "mode"],
            "commonest first, and only words of ASCII letters"
        );
        assert_eq!(vocabulary.starting_with('p'), ["poisoning", "prompt"]);
        assert_eq!(vocabulary.starting_with('x'), Vec::<String>::new());
        let by_letter = vocabulary.by_letter();
        assert_eq!(by_letter[&'t'], ["the"]);
        assert_eq!(by_letter[&'m'], vocabulary.starting_with('m'));
    }

    #[test]
    fn adding_and_removing_documents_matches_counting_afresh() {
        let all = docs();
        let mut vocabulary = Vocabulary::default();
        let added: Vec<Box<[u32]>> = all.iter().map(|d| vocabulary.add(d)).collect();
        assert_eq!(vocabulary.by_letter(), Vocabulary::of(&all).by_letter());
        vocabulary.remove(&added[0]);
        let rest = Vocabulary::of(&all[1..]);
        assert_eq!(vocabulary.by_letter(), rest.by_letter());
        assert_eq!(vocabulary.starting_with('p'), ["prompt"]);
        assert_eq!(vocabulary.to_text(), rest.to_text());
    }

    #[test]
    fn reads_back_what_it_writes_and_refuses_anything_else() {
        let vocabulary = Vocabulary::of(&docs());
        let text = vocabulary.to_text();
        assert!(text.starts_with("model 3\n"), "{text}");
        let read = Vocabulary::from_text(&text).expect("reads its own file");
        assert_eq!(read.by_letter(), vocabulary.by_letter());
        for bad in [
            "model\n",
            "model x\n",
            "Model 3\n",
            "a1 2\n",
            "model 3\nmodel 1\n",
        ] {
            assert!(Vocabulary::from_text(bad).is_none(), "{bad:?} was accepted");
        }
    }
}
