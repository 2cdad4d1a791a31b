//! The tokenization rules both search engines apply, so the terminal, the server and the static
//! site rank alike.
//!
//! - Identifiers (`AC-2`, `AC-2(1)`, `LLM01:2025`, `AML.M0015`, `GOVERN 1.1`, `A.6.2.4`) are kept
//!   whole: lowercased, inner whitespace collapsed to one space.
//! - Prose is tantivy's `en_stem`: split on non-alphanumerics, drop tokens of 40 bytes or more,
//!   lowercase, Snowball English stemmer. The client engine (`assets/search.js`) mirrors it.

use std::borrow::Cow;
use std::cell::RefCell;

use rustc_hash::FxHashMap;

use tantivy::tokenizer::{
    LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer, Token, TokenFilter, TokenStream,
    Tokenizer,
};

/// The name both indexes know the prose analyzer by (tantivy's own name for the same rules, so
/// an index written by an older guidebook reads the same).
pub const PROSE_TOKENIZER: &str = "en_stem";

/// Words stemmed per thread before the memo starts over (bounds its memory on huge vocabularies).
const MEMO_LIMIT: usize = 200_000;

/// tantivy's `en_stem` (simple tokenizer, tokens under 40 bytes, lowercase, Snowball English),
/// with each thread remembering the stems it computed: a knowledge base repeats its words, and
/// stemming was the largest cost of indexing.
pub fn prose_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(MemoStemmer)
        .build()
}

#[derive(Clone, Copy)]
struct MemoStemmer;

impl TokenFilter for MemoStemmer {
    type Tokenizer<T: Tokenizer> = MemoStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> MemoStemmerFilter<T> {
        MemoStemmerFilter(tokenizer)
    }
}

#[derive(Clone)]
struct MemoStemmerFilter<T>(T);

impl<T: Tokenizer> Tokenizer for MemoStemmerFilter<T> {
    type TokenStream<'a> = MemoStemmerStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        MemoStemmerStream(self.0.token_stream(text), String::new())
    }
}

/// The stream, and a buffer the stems are copied into (swapped with the token's text).
struct MemoStemmerStream<S>(S, String);

thread_local! {
    static STEMS: RefCell<(frostem::Stemmer, FxHashMap<String, String>)> =
        RefCell::new((frostem::Stemmer::new(frostem::Algorithm::English), FxHashMap::default()));
}

impl<S: TokenStream> TokenStream for MemoStemmerStream<S> {
    fn advance(&mut self) -> bool {
        if !self.0.advance() {
            return false;
        }
        let MemoStemmerStream(inner, stemmed) = self;
        let token = inner.token_mut();
        with_stem(&token.text, |stem| {
            stemmed.clear();
            stemmed.push_str(stem);
        });
        std::mem::swap(&mut token.text, stemmed);
        true
    }

    fn token(&self) -> &Token {
        self.0.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.0.token_mut()
    }
}

/// The stem of the lowercased `word`, as [`prose_analyzer`] gives it (from the same memo).
pub fn stem(word: &str) -> String {
    with_stem(word, str::to_string)
}

/// Calls `then` with the stem of the lowercased `word`, from this thread's memo (stemmed and
/// remembered the first time).
fn with_stem<T>(word: &str, then: impl FnOnce(&str) -> T) -> T {
    STEMS.with_borrow_mut(|(stemmer, memo)| {
        if let Some(stem) = memo.get(word) {
            return then(stem);
        }
        if memo.len() >= MEMO_LIMIT {
            memo.clear();
        }
        let stem = stemmer.stem(word).into_owned();
        let result = then(&stem);
        memo.insert(word.to_string(), stem);
        result
    })
}

/// Field weights: an exact id beats everything, then titles, then summaries and tags, then bodies.
/// (The title boost is the book's `[output.html.search] boost-title`.)
pub const ID_BOOST: f32 = 12.0;
pub const MAPPED_BOOST: f32 = 1.5;
pub const SUMMARY_BOOST: f32 = 1.5;
pub const TAGS_BOOST: f32 = 1.5;
pub const BODY_BOOST: f32 = 1.0;

/// The canonical form of an identifier: lowercase, single spaces.
pub fn normalize_id(id: &str) -> String {
    crate::markdown::collapse_whitespace(id).to_lowercase()
}

/// The words of a query: split on whitespace, a "quoted phrase" kept as one word, without
/// surrounding quotes and punctuation.
pub fn query_words(query: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut rest = query.trim_start();
    while !rest.is_empty() {
        let phrase = rest.strip_prefix('"').and_then(|inner| {
            inner
                .find('"')
                .map(|end| (&inner[..end], &inner[end + 1..]))
        });
        let (word, after) = phrase.unwrap_or_else(|| {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            (&rest[..end], &rest[end..])
        });
        words.push(word.trim_matches(|c: char| matches!(c, '"' | '\'' | ',' | ';' | '?' | '!')));
        rest = after.trim_start();
    }
    words.retain(|w| !w.is_empty());
    words
}

/// An identifier-like part of a query: normalized, and which of the query's words it spans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdCandidate {
    pub id: String,
    /// Index of its first word in [`query_words`].
    pub first: usize,
    /// How many words it spans (1 or 2).
    pub words: usize,
}

/// Identifier-like parts of a query, normalized: single words holding a digit (`ac-2`,
/// `llm01:2025`, `a.6.2.4`, a quoted `"govern 1.1"`) and a word, perhaps abbreviated, followed
/// by a number (`govern 1.1`, `Art. 15`, `Principle 3`).
pub fn id_candidates(query: &str) -> Vec<IdCandidate> {
    let words = query_words(query);
    let mut candidates: Vec<IdCandidate> = Vec::new();
    for (i, word) in words.iter().enumerate() {
        if word.chars().any(|c| c.is_ascii_digit())
            && word.chars().next().is_some_and(char::is_alphanumeric)
        {
            candidates.push(IdCandidate {
                id: normalize_id(word),
                first: i,
                words: 1,
            });
        }
        if let Some(next) = words.get(i + 1)
            && is_label(word)
            && next.chars().next().is_some_and(|c| c.is_ascii_digit())
        {
            candidates.push(IdCandidate {
                id: format!("{} {}", word.to_lowercase(), next.to_lowercase()),
                first: i,
                words: 2,
            });
        }
    }
    candidates
}

/// A word that can name a numbered item: letters, perhaps abbreviated (`GOVERN`, `Art.`).
fn is_label(word: &str) -> bool {
    let letters = word.strip_suffix('.').unwrap_or(word);
    !letters.is_empty() && letters.chars().all(char::is_alphabetic)
}

/// The prose stems of `text`, in order.
pub fn stems(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stems = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        stems.push(stream.token().text.clone());
    }
    stems
}

/// The plain words of `text` that typo tolerance may correct a query to: lowercased tokens of
/// ASCII letters only, unstemmed (borrowed when already lowercase: this runs over every word).
pub fn vocabulary_words(text: &str) -> impl Iterator<Item = Cow<'_, str>> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 2 && w.len() < 40 && w.bytes().all(|b| b.is_ascii_alphabetic()))
        .map(|w| {
            if w.bytes().any(|b| b.is_ascii_uppercase()) {
                Cow::Owned(w.to_ascii_lowercase())
            } else {
                Cow::Borrowed(w)
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The memo changes the speed, never the tokens: same output as tantivy's `en_stem`.
    #[test]
    fn prose_analyzer_is_tantivys_en_stem() {
        let text = "Running runners ran; generalizations GENERALIZE the organisation's \
                    policies, policy and policing. Model weights, weighted: WEIGHTING! \
                    aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa ünïcödé naïve café";
        let tokens = |mut analyzer: TextAnalyzer| {
            let mut out = Vec::new();
            // Twice, so the second pass reads the memo.
            for _ in 0..2 {
                let mut stream = analyzer.token_stream(text);
                while stream.advance() {
                    let t = stream.token();
                    out.push((t.text.clone(), t.offset_from, t.offset_to, t.position));
                }
            }
            out
        };
        let tantivy = tantivy::tokenizer::TokenizerManager::default()
            .get("en_stem")
            .expect("en_stem");
        assert_eq!(tokens(prose_analyzer()), tokens(tantivy));
    }

    #[test]
    fn identifiers_stay_whole() {
        let ids = |q: &str| -> Vec<String> { id_candidates(q).into_iter().map(|c| c.id).collect() };
        assert_eq!(ids("AC-2(1)"), ["ac-2(1)"]);
        assert_eq!(ids("GOVERN 1.1"), ["govern 1.1", "1.1"]);
        assert_eq!(id_candidates("GOVERN 1.1")[0].words, 2);
        assert_eq!(ids("LLM01:2025 prompt"), ["llm01:2025"]);
        assert_eq!(ids("\"AML.M0015\","), ["aml.m0015"]);
        assert!(id_candidates("supply chain").is_empty());
        assert_eq!(ids("Art. 15 risk"), ["art. 15", "15"]);
        assert_eq!(ids("\"GOVERN  1.1\""), ["govern 1.1"]);
        assert_eq!(
            query_words("\"prompt injection\" now, \"open"),
            ["prompt injection", "now", "open"]
        );
        assert_eq!(normalize_id(" GOVERN   1.1 "), "govern 1.1");
    }
}
