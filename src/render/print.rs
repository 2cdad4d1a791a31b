//! print.html: the whole knowledge base as one document. The template is rendered with a marker
//! in place of each document's body, and the bodies are spliced in afterwards, one at a time,
//! so the whole knowledge base is never copied into a template context (hundreds of megabytes at
//! 10,000 guidelines). Each body is the rendering made for the document's own page (cached).

use serde::Serialize;

use super::context::{Found, Renderer};
use super::ser::{GuidelineCard, MappingGroup, PageData};
use crate::model::Source;

/// A document print.html repeats whole.
#[derive(Debug, Clone, Copy)]
pub enum PrintDoc {
    Domain(usize),
    Guideline(usize),
    Example(usize),
    Page(usize),
}

#[derive(Serialize)]
pub struct PrintData<'a> {
    domains: Vec<PrintDomain<'a>>,
    examples: Vec<PrintExample<'a>>,
    pages: Vec<PrintPage>,
}

#[derive(Serialize)]
struct PrintDomain<'a> {
    title: &'a str,
    body: String,
    guidelines: Vec<PrintGuideline<'a>>,
}

#[derive(Serialize)]
struct PrintGuideline<'a> {
    #[serde(flatten)]
    card: GuidelineCard<'a>,
    body: String,
    mappings: Vec<MappingGroup<'a>>,
}

#[derive(Serialize)]
struct PrintExample<'a> {
    id: &'a str,
    title: &'a str,
    kind: &'static str,
    body: String,
}

#[derive(Serialize)]
struct PrintPage {
    title: String,
    body: String,
}

/// Brackets the number of a body in the rendered print template (private-use characters, which
/// tera leaves alone whether or not a template marks the body `safe`).
const MARK_OPEN: char = '\u{E000}';
const MARK_CLOSE: char = '\u{E001}';

/// A secret of this process inside every print marker, so text an author types (the same
/// private-use characters and a number) can never be taken for a marker and have a body spliced
/// into it. It never reaches the output, which stays deterministic.
fn mark_prefix() -> &'static str {
    static PREFIX: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PREFIX.get_or_init(|| {
        use std::hash::{BuildHasher, Hasher};
        let secret = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        format!("{MARK_OPEN}{secret:016x}:")
    })
}

impl<'a> Renderer<'a> {
    /// The print template's data, with a marker for each body.
    pub(super) fn print(&self, root: &str, found: &mut Found) -> (String, PageData<'a>) {
        let site = self.site;
        let mut mark = |doc: PrintDoc| {
            found.print_bodies.push(doc);
            let n = found.print_bodies.len() - 1;
            format!("{}{n}{MARK_CLOSE}", mark_prefix())
        };
        let mut domains = Vec::with_capacity(site.domains.len());
        for (d, domain) in site.domains.iter().enumerate() {
            let body = mark(PrintDoc::Domain(d));
            let guidelines = site.guidelines_of(d).map(|g| PrintGuideline {
                body: mark(PrintDoc::Guideline(g)),
                card: self.guideline_card(g, root),
                mappings: self.mapping_groups(g, root),
            });
            domains.push(PrintDomain {
                title: &domain.meta.title,
                body,
                guidelines: guidelines.collect(),
            });
        }
        let examples = site.examples.iter().enumerate().map(|(e, resolved)| {
            let meta = &resolved.example.meta;
            PrintExample {
                id: &meta.id.value,
                title: &meta.title,
                kind: meta.kind.as_str(),
                body: mark(PrintDoc::Example(e)),
            }
        });
        let examples = examples.collect();
        let pages = site.pages.iter().enumerate().map(|(p, page)| PrintPage {
            title: page.title(),
            body: mark(PrintDoc::Page(p)),
        });
        let data = PrintData {
            domains,
            examples,
            pages: pages.collect(),
        };
        (site.config.title().to_string(), PageData::Print(data))
    }

    fn print_source(&self, doc: PrintDoc) -> (&'a str, &'a Source) {
        let site = self.site;
        match doc {
            PrintDoc::Domain(d) => (&site.domains[d].body, &site.domains[d].source),
            PrintDoc::Guideline(g) => {
                let guideline = &site.guidelines[g].guideline;
                (&guideline.body, &guideline.source)
            }
            PrintDoc::Example(e) => {
                let example = &site.examples[e].example;
                (&example.body, &example.source)
            }
            PrintDoc::Page(p) => (&site.pages[p].body, &site.pages[p].source),
        }
    }

    /// The rendered print template with each body marker replaced by that body: the rendering
    /// made for the document's own page one folder down (cached), with that `../` removed.
    pub(super) fn splice_print(&self, template: &str, bodies: &[PrintDoc]) -> Vec<u8> {
        let mut out = Vec::with_capacity(template.len() * 2);
        let mut rest = template;
        let prefix = mark_prefix();
        while let Some(start) = rest.find(prefix) {
            out.extend_from_slice(&rest.as_bytes()[..start]);
            let after = &rest[start + prefix.len()..];
            let Some(end) = after.find(MARK_CLOSE) else {
                break;
            };
            let number: Option<usize> = after[..end].parse().ok();
            if let Some(&doc) = number.and_then(|n| bodies.get(n)) {
                let (text, source) = self.print_source(doc);
                let body = self.markdown(text, source, "../", source.body_line_offset);
                push_rerooted(&mut out, &body.html);
            }
            rest = &after[end + MARK_CLOSE.len_utf8()..];
        }
        out.extend_from_slice(rest.as_bytes());
        out
    }
}

/// Appends `html`, rendered for a page one folder down, as seen from the root: `href="../` and
/// `src="../` lose their `../`.
fn push_rerooted(out: &mut Vec<u8>, html: &str) {
    let mut rest = html;
    while let Some(at) = rest.find("=\"../") {
        let attribute_end = at + 2;
        let keep = rest[..at].ends_with("href") || rest[..at].ends_with("src");
        out.extend_from_slice(&rest.as_bytes()[..attribute_end]);
        if !keep {
            out.extend_from_slice(b"../");
        }
        rest = &rest[attribute_end + 3..];
    }
    out.extend_from_slice(rest.as_bytes());
}
