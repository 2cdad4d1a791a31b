//! The tokenization rules both search engines apply, so the terminal, the server and the static
//! site rank alike.
//!
//! - Identifiers (`AC-2`, `AC-2(1)`, `LLM01:2025`, `AML.M0015`, `GOVERN 1.1`, `A.6.2.4`) are kept
//!   whole: lowercased, inner whitespace collapsed to one space.
//! - Prose is tantivy's `en_stem`: split on non-alphanumerics, drop tokens of 40 bytes or more,
//!   lowercase, Snowball English stemmer. The client engine (`assets/search.js`) mirrors it.

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
        MemoStemmerStream(self.0.token_stream(text))
    }
}

struct MemoStemmerStream<S>(S);

thread_local! {
    static STEMS: RefCell<(frostem::Stemmer, FxHashMap<String, String>)> =
        RefCell::new((frostem::Stemmer::new(frostem::Algorithm::English), FxHashMap::default()));
}

impl<S: TokenStream> TokenStream for MemoStemmerStream<S> {
    fn advance(&mut self) -> bool {
        if !self.0.advance() {
            return false;
        }
        let token = self.0.token_mut();
        STEMS.with_borrow_mut(|(stemmer, memo)| {
            if let Some(stem) = memo.get(&token.text) {
                token.text.clone_from(stem);
                return;
            }
            if memo.len() >= MEMO_LIMIT {
                memo.clear();
            }
            let stem = stemmer.stem(&token.text).into_owned();
            memo.insert(std::mem::replace(&mut token.text, stem.clone()), stem);
        });
        true
    }

    fn token(&self) -> &Token {
        self.0.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.0.token_mut()
    }
}

/// Field weights: an exact id beats everything, then titles, then summaries and tags, then bodies.
pub const ID_BOOST: f32 = 12.0;
pub const MAPPED_BOOST: f32 = 1.5;
pub const SUMMARY_BOOST: f32 = 1.5;
pub const TAGS_BOOST: f32 = 1.5;
pub const BODY_BOOST: f32 = 1.0;

/// The canonical form of an identifier: lowercase, single spaces.
pub fn normalize_id(id: &str) -> String {
    id.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Identifier-like parts of a query, normalized: single tokens holding a digit (`ac-2`,
/// `llm01:2025`, `a.6.2.4`) and a word followed by a dotted number (`govern 1.1`).
pub fn id_candidates(query: &str) -> Vec<String> {
    let words: Vec<&str> = query
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| matches!(c, '"' | '\'' | ',' | ';' | '?' | '!')))
        .filter(|w| !w.is_empty())
        .collect();
    let mut candidates = Vec::new();
    for (i, word) in words.iter().enumerate() {
        if word.chars().any(|c| c.is_ascii_digit())
            && word.chars().next().is_some_and(char::is_alphanumeric)
        {
            candidates.push(word.to_lowercase());
        }
        if let Some(next) = words.get(i + 1)
            && word.chars().all(char::is_alphabetic)
            && next.chars().next().is_some_and(|c| c.is_ascii_digit())
        {
            candidates.push(format!("{} {}", word.to_lowercase(), next.to_lowercase()));
        }
    }
    candidates.dedup();
    candidates
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
        assert_eq!(id_candidates("AC-2(1)"), ["ac-2(1)"]);
        assert_eq!(id_candidates("GOVERN 1.1"), ["govern 1.1", "1.1"]);
        assert_eq!(id_candidates("LLM01:2025 prompt"), ["llm01:2025"]);
        assert_eq!(id_candidates("\"AML.M0015\","), ["aml.m0015"]);
        assert!(id_candidates("supply chain").is_empty());
        assert_eq!(normalize_id(" GOVERN   1.1 "), "govern 1.1");
    }
}
