//! The one ranking of guidebook search. Both engines apply it: the tantivy side (terminal and
//! server) walks tantivy's postings with it, and the static side precomputes its page weights
//! at build time for `assets/search.js`, which combines them by the same rules. Weights are
//! integers from the point they leave [`tenths`], so the two engines add up exactly the same
//! numbers and return the same pages in the same order.
//!
//! 1. **Section weights.** A key (a prose stem, or an identifier) weighs in a search document
//!    (a page's intro or one heading section) its BM25 score, summed over the fields in the
//!    order title, summary, body, tags, each with its boost; lengths are quantized the way
//!    tantivy stores them (its fieldnorm table), then the sum is kept in tenths.
//! 2. **Page weights.** Results are pages: a key weighs in a page its best section's weight, plus
//!    a quarter of its other sections' weights (at most half the best again: a page that treats
//!    a topic at length beats one that names it once), times the page kind's prior (the site's
//!    own guidelines first, catalog stubs last). The best section is the hit's sub-result.
//! 3. **Queries.** Identifiers (`AC-2`, `GOVERN 1.1`) that the index knows match as wholes and
//!    take their words out of the prose query (so `AC-2` never matches "AC:L" text). Every other
//!    word adds its stem's page weights; a word of several stems (`security.txt`, a "quoted
//!    phrase") needs them all. Common function words (`how`, `of`, `the`) are left out unless
//!    the query has nothing else. A page's score is the sum, times the square of the share
//!    of the query's words and identifiers it matched (pages that match them all come first).
//! 4. **Typos.** A plain word of 4 letters or more whose stem the index does not know is matched
//!    to the closest words of the vocabulary that start with the same letter: one edit (Damerau,
//!    adjacent swaps count one) for up to 7 letters, two from 8; the 3 closest, the commonest
//!    first; they count a half (one edit) or a quarter (two) of their weight, so exact matches
//!    rank first. The corrected query is offered as a suggestion.
//! 5. **Order.** Score, highest first; ties by page URL.

use rustc_hash::FxHashMap as HashMap;
use std::hash::Hash;

use super::analysis::{self, IdCandidate};

pub const K1: f32 = 1.2;
pub const B: f32 = 0.75;
/// Weights are integers, in tenths of a BM25 point.
pub const WEIGHT_SCALE: f32 = 10.0;
/// How many vocabulary words a misspelt word may stand for.
pub const FUZZY_CANDIDATES: usize = 3;

/// BM25's inverse document frequency, as tantivy computes it.
pub fn idf(n: f32, doc_freq: f32) -> f32 {
    (1.0 + (n - doc_freq + 0.5) / (doc_freq + 0.5)).ln()
}

/// The average length of a field over `n` documents, as BM25 uses it.
pub fn average_length(total_tokens: u64, n: f32) -> f32 {
    (total_tokens as f32 / n.max(1.0)).max(1.0)
}

/// A field length as tantivy stores it: rounded down to its one-byte fieldnorm scale.
pub fn quantized_length(length: u32) -> u32 {
    use std::sync::OnceLock;
    use tantivy::fieldnorm::FieldNormReader;
    static TABLE: OnceLock<Vec<u32>> = OnceLock::new();
    let table = TABLE.get_or_init(|| (0..=255u8).map(FieldNormReader::id_to_fieldnorm).collect());
    match table.binary_search(&length) {
        Ok(i) => table[i],
        Err(i) => table[i.saturating_sub(1)],
    }
}

/// BM25's length normalisation of a field of `length` tokens (computed once per field of a
/// document, then shared by all its terms).
pub fn length_norm(length: u32, average: f32) -> f32 {
    K1 * (1.0 - B + B * quantized_length(length) as f32 / average)
}

/// One field's BM25 score for a term seen `tf` times in a field whose [`length_norm`] is `norm`.
pub fn field_score(boost: f32, idf: f32, tf: u32, norm: f32) -> f32 {
    boost * idf * (1.0 + K1) * tf as f32 / (tf as f32 + norm)
}

/// A section's summed score as an integer weight (at least 1).
pub fn tenths(score: f32) -> u32 {
    (score * WEIGHT_SCALE).round().max(1.0) as u32
}

/// The weight of a page kind, in quarters.
fn kind_prior(kind: &str) -> u64 {
    match kind {
        "guideline" => 6,
        "control" => 3,
        _ => 4,
    }
}

/// The weight of a page for one key, from the weights of its sections that hold the key
/// (`(section, weight)`, sections in page order), and its best section (the first of the
/// heaviest). `None` when no section holds it.
pub fn page_weight<S: Copy>(kind: &str, sections: &[(S, u32)]) -> Option<(u32, S)> {
    let (mut best, mut best_weight) = (sections.first()?.0, 0u32);
    let mut sum = 0u64;
    for &(section, weight) in sections {
        if weight > best_weight {
            (best, best_weight) = (section, weight);
        }
        sum += u64::from(weight);
    }
    let max = u64::from(best_weight);
    let rest = (sum - max).min(2 * max);
    let weight = (4 * max + rest) * kind_prior(kind) / 16;
    Some((u32::try_from(weight).unwrap_or(u32::MAX).max(1), best))
}

/// A typo's share of the weight of the word it stands for.
pub fn fuzzy_weight(weight: u32, edits: usize) -> u32 {
    if edits <= 1 { weight / 2 } else { weight / 4 }
}

/// The edits a misspelt `word` may be away from the word meant; `None` for words too short
/// or not plain ASCII letters (identifiers, numbers, other scripts are never guessed at).
pub fn edit_budget(word: &str) -> Option<usize> {
    if !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    match word.len() {
        0..=3 => None,
        4..=7 => Some(1),
        _ => Some(2),
    }
}

/// The words of the vocabulary a misspelt `word` may stand for, closest first, with their
/// edit distances. `vocabulary` holds the words starting with `word`'s first letter, commonest
/// first.
pub fn fuzzy_candidates<'v>(word: &str, vocabulary: &'v [String]) -> Vec<(&'v str, usize)> {
    let Some(budget) = edit_budget(word) else {
        return Vec::new();
    };
    let mut found: Vec<(usize, usize, &str)> = vocabulary
        .iter()
        .enumerate()
        .filter(|(_, v)| v.len().abs_diff(word.len()) <= budget && v.as_str() != word)
        .filter_map(|(rank, v)| {
            let edits = strsim::osa_distance(word, v);
            (edits <= budget).then_some((edits, rank, v.as_str()))
        })
        .collect();
    found.sort_unstable();
    found.truncate(FUZZY_CANDIDATES);
    found.into_iter().map(|(edits, _, v)| (v, edits)).collect()
}

/// Words too common to help a ranking; a query keeps them only when it has nothing else.
pub const STOP_WORDS: [&str; 44] = [
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from", "has",
    "have", "how", "i", "if", "in", "into", "is", "it", "its", "my", "of", "on", "or", "our",
    "should", "so", "that", "the", "their", "this", "to", "was", "we", "what", "when", "which",
    "who", "why", "with", "you",
];

/// One word of a query, as the ranking reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The word as typed, lowercased, without surrounding punctuation.
    pub text: String,
    /// Its stems (several for `security.txt`, none for punctuation).
    pub stems: Vec<String>,
}

/// A query cut into the identifiers the index knows and the words left for prose.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub ids: Vec<String>,
    pub words: Vec<Word>,
}

impl Plan {
    /// Reads `query`: `known(id)` says whether the index holds an identifier.
    pub fn new(query: &str, mut known: impl FnMut(&str) -> bool) -> Plan {
        let words = analysis::query_words(query);
        let mut taken = vec![false; words.len()];
        let mut ids = Vec::new();
        for IdCandidate {
            id,
            first,
            words: n,
        } in analysis::id_candidates(query)
        {
            if !ids.contains(&id) && known(&id) {
                taken[first..first + n].iter_mut().for_each(|t| *t = true);
                ids.push(id);
            }
        }
        let mut analyzer = analysis::prose_analyzer();
        let words = words
            .into_iter()
            .zip(taken)
            .filter(|(_, taken)| !taken)
            .map(|(word, _)| {
                let mut stems = analysis::stems(&mut analyzer, word);
                let mut seen = std::collections::HashSet::new();
                stems.retain(|s| seen.insert(s.clone()));
                Word {
                    text: word.to_lowercase(),
                    stems,
                }
            })
            .filter(|w| !w.stems.is_empty())
            .collect::<Vec<Word>>();
        let telling = |w: &Word| !STOP_WORDS.contains(&w.text.as_str());
        let words = if ids.is_empty() && !words.iter().any(telling) {
            words
        } else {
            words.into_iter().filter(telling).collect()
        };
        Plan { ids, words }
    }
}

/// A page a key weighs in: its weight there and its best section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageHit<P, S> {
    pub page: P,
    pub weight: u32,
    pub section: S,
}

/// What an index answers the ranking with.
pub trait Source {
    /// A page's identity; pages tie in this order.
    type Page: Ord + Hash + Clone;
    /// A section of a page.
    type Section: Clone;
    /// Page weights of an identifier (normalized, as [`analysis::normalize_id`]).
    fn id(&mut self, id: &str) -> Vec<PageHit<Self::Page, Self::Section>>;
    /// Page weights of a prose stem.
    fn stem(&mut self, stem: &str) -> Vec<PageHit<Self::Page, Self::Section>>;
    /// The vocabulary's words starting with `first`, commonest first (ties alphabetical).
    fn vocabulary(&mut self, first: char) -> Vec<String>;
    /// The stem of a vocabulary word.
    fn stem_of(&mut self, word: &str) -> String;
}

/// A matched page: its score and the section that contributed most.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked<P, S> {
    pub page: P,
    pub score: u64,
    pub section: S,
    /// The largest single contribution, which chose `section`.
    best: u32,
    /// How many of the query's words and identifiers it matched.
    matched: u64,
}

/// Every page `plan` matches, best first, and the query with its typos corrected (when one was).
pub fn rank<S: Source>(source: &mut S, plan: &Plan) -> Ranking<S::Page, S::Section> {
    let mut pages: HashMap<S::Page, Ranked<S::Page, S::Section>> = HashMap::default();
    let mut add = |hits: Vec<PageHit<S::Page, S::Section>>| {
        pages.reserve(hits.len().saturating_sub(pages.len()));
        for hit in hits {
            let Some(entry) = pages.get_mut(&hit.page) else {
                let ranked = Ranked {
                    page: hit.page.clone(),
                    score: u64::from(hit.weight),
                    section: hit.section,
                    best: hit.weight,
                    matched: 1,
                };
                pages.insert(hit.page, ranked);
                continue;
            };
            entry.score += u64::from(hit.weight);
            entry.matched += 1;
            if hit.weight > entry.best {
                entry.best = hit.weight;
                entry.section = hit.section;
            }
        }
    };
    for id in &plan.ids {
        add(source.id(id));
    }
    let mut corrections = Vec::new();
    for word in &plan.words {
        let lists: Vec<_> = word.stems.iter().map(|s| source.stem(s)).collect();
        if lists.len() == 1 && lists[0].is_empty() {
            let (hits, correction) = fuzzy(source, &word.text);
            corrections.extend(correction.map(|c| (word.text.clone(), c)));
            add(hits);
        } else {
            add(all_of(lists));
        }
    }
    let parts = (plan.ids.len() + plan.words.len()).max(1) as u64;
    let mut ranked: Vec<_> = pages.into_values().collect();
    for page in &mut ranked {
        let share = u128::from(page.matched) * u128::from(page.matched);
        let scaled = u128::from(page.score) * share / (u128::from(parts) * u128::from(parts));
        page.score = u64::try_from(scaled).unwrap_or(u64::MAX);
    }
    // Pages are distinct, so the order is total and an unstable sort gives the same one.
    ranked.sort_unstable_by(|a, b| b.score.cmp(&a.score).then_with(|| a.page.cmp(&b.page)));
    Ranking {
        pages: ranked,
        corrections,
    }
}

/// The pages that every list holds, one hit each: the weights summed, at the section of the
/// heaviest (the first of them on ties).
fn all_of<P: Ord + Hash + Clone, S: Clone>(
    mut lists: Vec<Vec<PageHit<P, S>>>,
) -> Vec<PageHit<P, S>> {
    if lists.len() <= 1 {
        return lists.pop().unwrap_or_default();
    }
    let needed = lists.len();
    let mut merged: HashMap<P, (usize, u32, PageHit<P, S>)> = HashMap::default();
    for hit in lists.into_iter().flatten() {
        let (count, heaviest, sum) = merged.entry(hit.page.clone()).or_insert_with(|| {
            let empty = PageHit {
                weight: 0,
                ..hit.clone()
            };
            (0, 0, empty)
        });
        *count += 1;
        sum.weight = sum.weight.saturating_add(hit.weight);
        if hit.weight > *heaviest {
            *heaviest = hit.weight;
            sum.section = hit.section;
        }
    }
    merged
        .into_values()
        .filter(|(count, _, _)| *count == needed)
        .map(|(_, _, hit)| hit)
        .collect()
}

type Hits<S> = Vec<PageHit<<S as Source>::Page, <S as Source>::Section>>;

/// The hits of a word the index does not know, through the words it may be a typo of (each
/// page by its best candidate), and the closest of those words.
fn fuzzy<S: Source>(source: &mut S, word: &str) -> (Hits<S>, Option<String>) {
    let Some(first) = word.chars().next().filter(|_| edit_budget(word).is_some()) else {
        return (Vec::new(), None);
    };
    let vocabulary = source.vocabulary(first);
    let candidates = fuzzy_candidates(word, &vocabulary);
    let mut best: HashMap<S::Page, PageHit<S::Page, S::Section>> = HashMap::default();
    for &(candidate, edits) in &candidates {
        let stem = source.stem_of(candidate);
        for mut hit in source.stem(&stem) {
            hit.weight = fuzzy_weight(hit.weight, edits);
            match best.get(&hit.page) {
                Some(kept) if kept.weight >= hit.weight => {}
                _ => {
                    best.insert(hit.page.clone(), hit);
                }
            }
        }
    }
    let correction = candidates.first().map(|(c, _)| c.to_string());
    (best.into_values().collect(), correction)
}

/// The pages a query matched, best first, and its corrections (typed word, word meant).
pub struct Ranking<P, S> {
    pub pages: Vec<Ranked<P, S>>,
    pub corrections: Vec<(String, String)>,
}

impl<P, S> Ranking<P, S> {
    /// `query` with each corrected word replaced, or `None` when nothing was corrected.
    pub fn suggestion(&self, query: &str) -> Option<String> {
        if self.corrections.is_empty() {
            return None;
        }
        let words: Vec<String> = analysis::query_words(query)
            .into_iter()
            .map(|w| {
                let lower = w.to_lowercase();
                self.corrections
                    .iter()
                    .find(|(typed, _)| *typed == lower)
                    .map_or(w.to_string(), |(_, meant)| meant.clone())
            })
            .collect();
        Some(words.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_weight_rewards_depth_but_bounds_it() {
        assert_eq!(page_weight("example", &[(0, 40)]), Some((40, 0)));
        // The best section, plus a quarter of the rest, at most half the best again.
        assert_eq!(
            page_weight("example", &[(0, 10), (1, 40), (2, 30)]),
            Some((50, 1))
        );
        assert_eq!(
            page_weight("example", &[(0, 40), (1, 40), (2, 40)]),
            Some((60, 0))
        );
        assert_eq!(page_weight("guideline", &[(0, 40)]), Some((60, 0)));
        assert_eq!(page_weight("control", &[(0, 40)]), Some((30, 0)));
        assert_eq!(page_weight::<usize>("page", &[]), None);
    }

    #[test]
    fn typos_find_the_words_meant() {
        let vocabulary: Vec<String> = [
            "supply", "supplier", "support", "threat", "three", "incident",
        ]
        .map(String::from)
        .to_vec();
        let s: Vec<String> = vocabulary
            .iter()
            .filter(|w| w.starts_with('s'))
            .cloned()
            .collect();
        assert_eq!(fuzzy_candidates("suply", &s), [("supply", 1)]);
        let t: Vec<String> = vocabulary
            .iter()
            .filter(|w| w.starts_with('t'))
            .cloned()
            .collect();
        assert_eq!(fuzzy_candidates("thret", &t), [("threat", 1), ("three", 1)]);
        let i = vec!["incident".to_string()];
        assert_eq!(fuzzy_candidates("incidnet", &i), [("incident", 1)]);
        assert_eq!(fuzzy_candidates("inicdnet", &i), [("incident", 2)]);
        assert!(fuzzy_candidates("inc", &i).is_empty(), "too short to guess");
        assert!(
            fuzzy_candidates("ac-2", &i).is_empty(),
            "identifiers are never guessed"
        );
        assert_eq!(edit_budget("model"), Some(1));
        assert_eq!(edit_budget("modelling"), Some(2));
    }

    #[test]
    fn known_identifiers_take_their_words() {
        let plan = Plan::new("GOVERN 1.1", |id| id == "govern 1.1");
        assert_eq!(plan.ids, ["govern 1.1"]);
        assert!(plan.words.is_empty());
        let plan = Plan::new("AC-2 accounts", |id| id == "ac-2");
        assert_eq!(plan.ids, ["ac-2"]);
        assert_eq!(plan.words.len(), 1);
        assert_eq!(plan.words[0].stems, ["account"]);
        // Unknown identifiers are read as prose.
        let plan = Plan::new("XY-9", |_| false);
        assert_eq!(plan.words[0].stems, ["xy", "9"]);
        // Function words go, unless they are all there is.
        let plan = Plan::new("how do I protect weights", |_| false);
        assert_eq!(plan.words.len(), 2);
        assert_eq!(Plan::new("how to", |_| false).words.len(), 2);
    }

    #[test]
    fn quantized_lengths_follow_tantivys_table() {
        assert_eq!(quantized_length(0), 0);
        assert_eq!(quantized_length(30), 30);
        assert!(quantized_length(1000) <= 1000 && quantized_length(1000) > 900);
    }
}
