//! Search: one set of documents (every page, and every heading section of it), indexed twice.
//! `index` builds and queries a tantivy index for the terminal and the server; `client` writes a
//! compact, sharded index for the static site, searched by a small engine of our own in the page.
//! Both tokenize by the rules in `analysis` (identifiers whole, prose case-folded and stemmed)
//! and rank by the rules in `rank` (pages, not sections; the site's guidelines first; typos
//! tolerated), so they return the same pages in the same order.

pub mod analysis;
pub mod client;
pub mod documents;
pub mod index;
mod postings;
pub mod rank;
pub mod terms;
pub mod vocabulary;

use serde::Serialize;

/// One searchable unit: a page, or one heading section of a page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct SearchDoc {
    /// Site-relative URL, with `#anchor` for a section.
    pub url: String,
    /// Site-relative URL of the page it belongs to (results are grouped by page).
    pub page: String,
    pub kind: &'static str,
    /// The item's own identifier (guideline, example, control, framework id); `None` for sections.
    pub id: Option<String>,
    /// The page title; for a section, the heading.
    pub title: String,
    /// The page title, for sections (shown as "page › heading").
    pub page_title: String,
    pub summary: String,
    pub body: String,
    pub tags: Vec<String>,
    pub domain: Option<String>,
    pub frameworks: Vec<String>,
    /// Identifiers of the controls a guideline maps to: searching a control id finds them too.
    pub mapped: Vec<String>,
}

impl SearchDoc {
    /// Facet paths (`/kind/guideline`, `/domain/secure-design`, ...) for filters and counts.
    pub fn facets(&self) -> Vec<(&'static str, String)> {
        let mut facets = vec![("kind", self.kind.to_string())];
        facets.extend(self.domain.iter().map(|d| ("domain", d.clone())));
        facets.extend(self.frameworks.iter().map(|f| ("framework", f.clone())));
        facets.extend(self.tags.iter().map(|t| ("tag", t.clone())));
        facets
    }
}

/// Filters and limits of one search, shared by the CLI, the HTTP API and tests.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct SearchRequest {
    #[serde(default)]
    pub q: String,
    pub domain: Option<String>,
    pub framework: Option<String>,
    pub tag: Option<String>,
    pub kind: Option<String>,
    pub limit: Option<usize>,
}

impl SearchRequest {
    pub fn new(q: impl Into<String>) -> Self {
        Self {
            q: q.into(),
            ..Self::default()
        }
    }

    pub fn filters(&self) -> Vec<(&'static str, &str)> {
        [
            ("domain", &self.domain),
            ("framework", &self.framework),
            ("tag", &self.tag),
            ("kind", &self.kind),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.as_deref().map(|v| (name, v)))
        .collect()
    }
}

/// The answer to a search: ranked hits (one per page) and facet counts over all matches.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SearchResponse {
    pub query: String,
    /// How many pages match (the filters applied); `results` holds the best `limit` of them.
    pub total: usize,
    pub results: Vec<Hit>,
    /// Matching pages per facet value (each page counted once).
    pub facets: Facets,
    /// The query with misspelt words replaced by the words they were matched to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Facets {
    pub domain: std::collections::BTreeMap<String, u64>,
    pub framework: std::collections::BTreeMap<String, u64>,
    pub kind: std::collections::BTreeMap<String, u64>,
    pub tag: std::collections::BTreeMap<String, u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// Site-relative URL of the best-matching section (or the page).
    pub url: String,
    pub page: String,
    pub kind: String,
    pub id: Option<String>,
    pub title: String,
    /// The heading of the matched section, when the hit is a section.
    pub section: Option<String>,
    pub score: f32,
    /// A short extract with matched terms wrapped in `<mark>`; HTML-escaped otherwise.
    pub snippet: String,
}
