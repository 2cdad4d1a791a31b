//! print.html: the whole knowledge base as one document. The template is rendered with a marker
//! in place of each document's body, and the bodies are spliced in afterwards, one at a time,
//! so the whole knowledge base is never copied into a template context (hundreds of megabytes at
//! 10,000 guidelines). Each body is the rendering made for the document's own page (cached),
//! folded into the document: every printed page has an anchor (`guidelines/sd-2.html` ->
//! `#guidelines-sd-2`), every id of its body takes that anchor as a prefix (`#guidelines-sd-2--
//! what-to-do`), so ids stay unique, and every link to a printed page points at its anchor, so
//! a printed PDF can follow it. Links to pages print.html does not hold stay links to the site.

use std::collections::HashSet;

use rayon::prelude::*;
use serde::Serialize;

use super::context::{Found, Renderer};
use super::ser::{GuidelineCard, MappingGroup, PageData};
use super::urls;
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
    anchor: String,
    title: &'a str,
    body: String,
    guidelines: Vec<PrintGuideline<'a>>,
}

#[derive(Serialize)]
struct PrintGuideline<'a> {
    anchor: String,
    #[serde(flatten)]
    card: GuidelineCard<'a>,
    body: String,
    mappings: Vec<MappingGroup<'a>>,
}

#[derive(Serialize)]
struct PrintExample<'a> {
    anchor: String,
    id: &'a str,
    title: &'a str,
    kind: &'static str,
    body: String,
}

#[derive(Serialize)]
struct PrintPage {
    anchor: String,
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
        super::deps::record(super::deps::Fact::Everything);
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
                anchor: anchor_of(&urls::guideline(site, g)),
                body: mark(PrintDoc::Guideline(g)),
                card: self.guideline_card(g, root),
                mappings: self.mapping_groups(g, root),
            });
            domains.push(PrintDomain {
                anchor: anchor_of(&urls::domain(site, d)),
                title: &domain.meta.title,
                body,
                guidelines: guidelines.collect(),
            });
        }
        let examples = site.examples.iter().enumerate().map(|(e, resolved)| {
            let meta = &resolved.example.meta;
            PrintExample {
                anchor: anchor_of(&urls::example(site, e)),
                id: &meta.id.value,
                title: &meta.title,
                kind: meta.kind.as_str(),
                body: mark(PrintDoc::Example(e)),
            }
        });
        let examples = examples.collect();
        let pages = site.pages.iter().enumerate().map(|(p, page)| PrintPage {
            anchor: anchor_of(&urls::page(site, p)),
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

    /// The body of `doc`, its Markdown source and the path of its own page.
    fn print_source(&self, doc: PrintDoc) -> (&'a str, &'a Source, String) {
        let site = self.site;
        match doc {
            PrintDoc::Domain(d) => {
                let domain = &site.domains[d];
                (&domain.body, &domain.source, urls::domain(site, d))
            }
            PrintDoc::Guideline(g) => {
                let guideline = &site.guidelines[g].guideline;
                (&guideline.body, &guideline.source, urls::guideline(site, g))
            }
            PrintDoc::Example(e) => {
                let example = &site.examples[e].example;
                (&example.body, &example.source, urls::example(site, e))
            }
            PrintDoc::Page(p) => {
                let page = &site.pages[p];
                (&page.body, &page.source, urls::page(site, p))
            }
        }
    }

    /// The rendered print template with each body marker replaced by that body, folded into
    /// the document (see the module's documentation). Bodies are folded in parallel, a batch
    /// at a time, so only a batch of them is held beside the output.
    pub(super) fn splice_print(&self, template: &str, bodies: &[PrintDoc]) -> Vec<u8> {
        const BATCH: usize = 64;
        let printed: HashSet<String> = bodies.iter().map(|&doc| self.print_source(doc).2).collect();
        let pieces = marked_pieces(template, bodies.len());
        let mut out = Vec::with_capacity(template.len() * 2);
        for batch in pieces.chunks(BATCH) {
            let folded: Vec<Option<String>> = batch
                .par_iter()
                .map(|(_, body)| body.map(|n| self.folded_body(bodies[n], &printed)))
                .collect();
            for ((text, _), body) in batch.iter().zip(folded) {
                out.extend_from_slice(text.as_bytes());
                out.extend_from_slice(body.unwrap_or_default().as_bytes());
            }
        }
        out
    }

    /// A document's body as print.html holds it.
    fn folded_body(&self, doc: PrintDoc, printed: &HashSet<String>) -> String {
        let (text, source, page) = self.print_source(doc);
        let root = urls::root_of(&page);
        let body = self.markdown(text, source, &root, source.body_line_offset);
        let id_prefix = format!("{}--", anchor_of(&page));
        let relink = |url: &str| relink(printed, &page, url);
        crate::markdown::relink_sanitized(&body.html, &id_prefix, &relink)
    }
}

/// The rendered template cut at its body markers: each piece of text, followed by the number of
/// the body that comes after it (none after the last piece).
fn marked_pieces(template: &str, bodies: usize) -> Vec<(&str, Option<usize>)> {
    let prefix = mark_prefix();
    let mut pieces = Vec::with_capacity(bodies + 1);
    let mut rest = template;
    while let Some(start) = rest.find(prefix) {
        let after = &rest[start + prefix.len()..];
        let Some(end) = after.find(MARK_CLOSE) else {
            break;
        };
        let number = after[..end].parse().ok().filter(|&n| n < bodies);
        pieces.push((&rest[..start], number));
        rest = &after[end + MARK_CLOSE.len_utf8()..];
    }
    pieces.push((rest, None));
    pieces
}

/// The anchor of a printed page in print.html: `guidelines/sd-2.html` -> `guidelines-sd-2`.
fn anchor_of(page: &str) -> String {
    page.trim_end_matches(".html").replace('/', "-")
}

/// Where the relative `url`, written on the page at `page`, points from print.html: the anchor
/// of a printed page (and of the heading it names), else the same file seen from the root.
fn relink(printed: &HashSet<String>, page: &str, url: &str) -> String {
    // Root-relative and protocol-relative URLs read the same from any page.
    if url.starts_with('/') {
        return url.to_string();
    }
    let (target, fragment) = match url.split_once('#') {
        Some((target, fragment)) => (target, Some(fragment)),
        None => (url, None),
    };
    let resolved = if target.is_empty() {
        page.to_string()
    } else {
        resolve_relative(page, target)
    };
    if printed.contains(&resolved) {
        let anchor = anchor_of(&resolved);
        return match fragment.filter(|f| !f.is_empty()) {
            Some(fragment) => format!("#{anchor}--{fragment}"),
            None => format!("#{anchor}"),
        };
    }
    let resolved = if resolved.is_empty() {
        "./".to_string()
    } else {
        resolved
    };
    match fragment {
        Some(fragment) => format!("{resolved}#{fragment}"),
        None => resolved,
    }
}

/// `target` (a relative path) resolved against the folder of the site path `page`.
fn resolve_relative(page: &str, target: &str) -> String {
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for segment in target.split('/') {
        match segment {
            "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            _ => parts.push(segment),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_fold_into_the_document_or_stay_site_links() {
        let printed: HashSet<String> = ["guidelines/sd-1.html", "guidelines/sd-2.html"]
            .map(String::from)
            .into();
        let page = "guidelines/sd-1.html";
        let cases = [
            ("../guidelines/sd-2.html", "#guidelines-sd-2"),
            ("sd-2.html#what-to-do", "#guidelines-sd-2--what-to-do"),
            ("#why", "#guidelines-sd-1--why"),
            ("../frameworks/nist/ac-2.html", "frameworks/nist/ac-2.html"),
            ("../images/a.png", "images/a.png"),
            (
                "../frameworks/nist/index.html#ac-1",
                "frameworks/nist/index.html#ac-1",
            ),
            ("../../outside.html", "../outside.html"),
            ("../", "./"),
            ("/docs/x.html", "/docs/x.html"),
        ];
        for (url, expected) in cases {
            assert_eq!(relink(&printed, page, url), expected, "{url}");
        }
    }
}
