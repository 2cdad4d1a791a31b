//! The judged queries (`tests/data/judged-queries.txt`) and the measures of a ranking against
//! them. Shared by the search tests and `benches/search.rs` (included there by path).

use std::path::Path;

/// One judged query: the page that answers it and other good answers.
#[derive(Debug, Clone)]
pub struct Judged {
    pub query: String,
    pub primary: String,
    /// The primary page must come first (exact identifiers), not just in the top 3.
    pub first: bool,
    pub others: Vec<String>,
}

/// Reads the judged queries of the file at `path`.
pub fn read(path: &Path) -> Vec<Judged> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read the judged queries {}: {e}", path.display()));
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|line| {
            let parts: Vec<&str> = line.split(" | ").map(str::trim).collect();
            assert!(parts.len() >= 2, "judged query without a page: {line}");
            let first = parts[1].starts_with('=');
            Judged {
                query: parts[0].to_string(),
                primary: parts[1].trim_start_matches('=').to_string(),
                first,
                others: parts
                    .get(2)
                    .map(|o| o.split_whitespace().map(String::from).collect())
                    .unwrap_or_default(),
            }
        })
        .collect()
}

impl Judged {
    /// Whether `ranked` (pages, best first) answers the query: the primary page first for
    /// identifiers, in the top 3 otherwise.
    pub fn found(&self, ranked: &[String]) -> bool {
        let depth = if self.first { 1 } else { 3 };
        ranked.iter().take(depth).any(|p| *p == self.primary)
    }

    fn relevance(&self, page: &str) -> f64 {
        if page == self.primary {
            2.0
        } else if self.others.iter().any(|o| o == page) {
            1.0
        } else {
            0.0
        }
    }

    /// Normalized discounted cumulative gain of the top 5 (relevance 2 for the primary page,
    /// 1 for the others).
    pub fn ndcg5(&self, ranked: &[String]) -> f64 {
        let dcg = |gains: &mut dyn Iterator<Item = f64>| -> f64 {
            gains
                .take(5)
                .enumerate()
                .map(|(i, g)| (2f64.powf(g) - 1.0) / (i as f64 + 2.0).log2())
                .sum()
        };
        let actual = dcg(&mut ranked.iter().map(|p| self.relevance(p)));
        let ideal_gains = std::iter::once(2.0).chain(self.others.iter().map(|_| 1.0));
        actual / dcg(&mut ideal_gains.into_iter())
    }
}

/// Precision@3 (the share of queries answered, see [`Judged::found`]) and mean nDCG@5 of
/// `rankings` (one per judged query, in order), and the queries missed.
pub fn measure(judged: &[Judged], rankings: &[Vec<String>]) -> (f64, f64, Vec<String>) {
    let mut found = 0;
    let mut ndcg = 0.0;
    let mut misses = Vec::new();
    for (j, ranked) in judged.iter().zip(rankings) {
        if j.found(ranked) {
            found += 1;
        } else {
            misses.push(format!(
                "{:?}: wanted {}, got {ranked:?}",
                j.query, j.primary
            ));
        }
        ndcg += j.ndcg5(ranked);
    }
    let n = judged.len().max(1) as f64;
    (f64::from(found) / n, ndcg / n, misses)
}
