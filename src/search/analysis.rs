//! The tokenization rules both search engines apply, so the terminal, the server and the static
//! site rank alike.
//!
//! - Identifiers (`AC-2`, `AC-2(1)`, `LLM01:2025`, `AML.M0015`, `GOVERN 1.1`, `A.6.2.4`) are kept
//!   whole: lowercased, inner whitespace collapsed to one space.
//! - Prose is tantivy's `en_stem`: split on non-alphanumerics, drop tokens of 40 bytes or more,
//!   lowercase, Snowball English stemmer. The client engine (`assets/search.js`) mirrors it.

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
