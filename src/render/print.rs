//! print.html: the whole knowledge base as one document. The template is rendered with a marker
//! in place of each document's body, and the bodies are spliced in afterwards, one at a time,
//! so the whole knowledge base is never copied into a template context (hundreds of megabytes at
//! 10,000 guidelines). Each body is the rendering made for the document's own page (cached),
//! folded into the document: every printed page has an anchor (`guidelines/sd-2.html` ->
//! `#guidelines-sd-2`), every id of its body takes that anchor as a prefix (`#guidelines-sd-2--
//! what-to-do`), so ids stay unique, and every link to a printed page points at its anchor, so
//! a printed PDF can follow it. Links to pages print.html does not hold stay links to the site.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::Serialize;

use super::context::{Found, Renderer};
use super::ser::{GuidelineCard, MappingGroup, PageData};
use super::urls;
use crate::model::Source;
use crate::resolve::Site;

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
    /// When the knowledge base is printed in parts: print.html lists them.
    parts: Vec<PartLink>,
}

#[derive(Serialize)]
struct PartLink {
    title: String,
    url: String,
}

/// One file of a printed knowledge base too large for one page: a domain (or a run of its
/// guidelines), the examples or the pages.
#[derive(Debug, Clone)]
pub struct PrintPart {
    pub path: String,
    pub title: String,
    /// The domain (by index), the examples or the pages.
    group: PrintGroup,
    docs: Vec<PrintDoc>,
}

/// What a print part holds: one domain's documents, the examples or the pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PrintGroup {
    Domain(usize),
    Examples,
    Pages,
}

/// Every document print.html holds, in reading order.
fn all_docs(site: &Site) -> Vec<PrintDoc> {
    let mut docs = Vec::with_capacity(site.domains.len() + site.guidelines.len());
    for d in 0..site.domains.len() {
        docs.push(PrintDoc::Domain(d));
        docs.extend(site.guidelines_of(d).map(PrintDoc::Guideline));
    }
    docs.extend((0..site.examples.len()).map(PrintDoc::Example));
    docs.extend((0..site.pages.len()).map(PrintDoc::Page));
    docs
}

/// The parts of the printed knowledge base, or `None` when print.html holds it whole.
pub fn parts(site: &Site) -> Option<Vec<PrintPart>> {
    let limit = site
        .config
        .guidebook
        .print_part_bytes
        .unwrap_or(crate::config::PART_BYTES);
    let size = |doc: PrintDoc| text_of(site, doc).len() as u64;
    let docs = all_docs(site);
    if docs.iter().map(|&doc| size(doc)).sum::<u64>() <= limit {
        return None;
    }
    let mut parts: Vec<PrintPart> = Vec::new();
    let mut bytes = 0;
    for doc in docs {
        let group = match doc {
            PrintDoc::Domain(d) => PrintGroup::Domain(d),
            PrintDoc::Guideline(g) => PrintGroup::Domain(site.guidelines[g].domain),
            PrintDoc::Example(_) => PrintGroup::Examples,
            PrintDoc::Page(_) => PrintGroup::Pages,
        };
        let (name, title) = match group {
            PrintGroup::Domain(d) => (
                site.domains[d].folder.as_str(),
                site.domains[d].meta.title.as_str(),
            ),
            PrintGroup::Examples => ("examples", "Worked examples"),
            PrintGroup::Pages => ("pages", "Pages"),
        };
        let same_group = parts.last().is_some_and(|p| p.group == group);
        if !same_group || (bytes + size(doc) > limit && bytes > 0) {
            let n = parts.iter().filter(|p| p.group == group).count();
            // Numbered, so no two parts share a file whatever the folders are called (a
            // domain folder `design-2` beside a split `design`, or one called `examples`).
            let path = format!("print/{:02}-{name}.html", parts.len() + 1);
            let title = match n {
                0 => title.to_string(),
                n => format!("{title} ({})", n + 1),
            };
            parts.push(PrintPart {
                path,
                title,
                group,
                docs: Vec::new(),
            });
            bytes = 0;
        }
        bytes += size(doc);
        if let Some(part) = parts.last_mut() {
            part.docs.push(doc);
        }
    }
    Some(parts)
}

/// The Markdown body of a printed document.
fn text_of(site: &Site, doc: PrintDoc) -> &str {
    match doc {
        PrintDoc::Domain(d) => &site.domains[d].body,
        PrintDoc::Guideline(g) => &site.guidelines[g].guideline.body,
        PrintDoc::Example(e) => &site.examples[e].example.body,
        PrintDoc::Page(p) => &site.pages[p].body,
    }
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
    /// The print template's data for print.html (`part` `None`) or one of its parts, with a
    /// marker for each body.
    pub(super) fn print(
        &self,
        part: Option<usize>,
        root: &str,
        found: &mut Found,
    ) -> (String, PageData<'a>) {
        super::deps::record(super::deps::Fact::Everything);
        let site = self.site;
        let title = site.config.title().to_string();
        let (docs, parts) = match (parts(site), part) {
            (None, _) => (all_docs(site), Vec::new()),
            (Some(parts), None) => {
                let links = parts.into_iter().map(|p| PartLink {
                    url: format!("{root}{}", p.path),
                    title: p.title,
                });
                (Vec::new(), links.collect())
            }
            (Some(mut parts), Some(i)) if i < parts.len() => {
                let part = parts.swap_remove(i);
                let title = format!("{title}: {}", part.title);
                return (
                    title,
                    PageData::Print(self.print_data(&part.docs, root, found)),
                );
            }
            (Some(_), Some(_)) => (Vec::new(), Vec::new()),
        };
        let mut data = self.print_data(&docs, root, found);
        data.parts = parts;
        (title, PageData::Print(data))
    }

    /// The data of a print page holding `docs`.
    fn print_data(&self, docs: &[PrintDoc], root: &str, found: &mut Found) -> PrintData<'a> {
        let site = self.site;
        let mut mark = |doc: PrintDoc| {
            found.print_bodies.push(doc);
            let n = found.print_bodies.len() - 1;
            format!("{}{n}{MARK_CLOSE}", mark_prefix())
        };
        let mut data = PrintData {
            domains: Vec::new(),
            examples: Vec::new(),
            pages: Vec::new(),
            parts: Vec::new(),
        };
        for &doc in docs {
            match doc {
                PrintDoc::Domain(d) => data.domains.push(PrintDomain {
                    anchor: anchor_of(&urls::domain(site, d)),
                    title: &site.domains[d].meta.title,
                    body: mark(doc),
                    guidelines: Vec::new(),
                }),
                PrintDoc::Guideline(g) => {
                    let d = site.guidelines[g].domain;
                    let anchor = anchor_of(&urls::domain(site, d));
                    // A part that goes on with a domain begun in the part before.
                    if !data
                        .domains
                        .last()
                        .is_some_and(|last| last.anchor.starts_with(&anchor))
                    {
                        data.domains.push(PrintDomain {
                            anchor: format!("{anchor}-continued"),
                            title: &site.domains[d].meta.title,
                            body: String::new(),
                            guidelines: Vec::new(),
                        });
                    }
                    let guideline = PrintGuideline {
                        anchor: anchor_of(&urls::guideline(site, g)),
                        body: mark(doc),
                        card: self.guideline_card(g, root),
                        mappings: self.mapping_groups(g, root),
                    };
                    if let Some(domain) = data.domains.last_mut() {
                        domain.guidelines.push(guideline);
                    }
                }
                PrintDoc::Example(e) => {
                    let meta = &site.examples[e].example.meta;
                    data.examples.push(PrintExample {
                        anchor: anchor_of(&urls::example(site, e)),
                        id: &meta.id.value,
                        title: &meta.title,
                        kind: meta.kind.as_str(),
                        body: mark(doc),
                    });
                }
                PrintDoc::Page(p) => data.pages.push(PrintPage {
                    anchor: anchor_of(&urls::page(site, p)),
                    title: site.pages[p].title(),
                    body: mark(doc),
                }),
            }
        }
        data
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
    pub(super) fn splice_print(&self, template: &str, bodies: &[PrintDoc], file: &str) -> Vec<u8> {
        const BATCH: usize = 64;
        let printed = Printed::of(self.site, file);
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
    fn folded_body(&self, doc: PrintDoc, printed: &Printed) -> String {
        let (text, source, page) = self.print_source(doc);
        let root = urls::root_of(&page);
        let body = self.markdown(text, source, &root, source.body_line_offset);
        let id_prefix = format!("{}--", anchor_of(&page));
        let relink = |url: &str| printed.relink(&page, url);
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

/// Where each printed page is printed, seen from one print file.
struct Printed {
    /// The print file being made.
    file: String,
    /// Each printed page's site path -> the print file that holds it.
    files: HashMap<String, String>,
}

impl Printed {
    fn of(site: &Site, file: &str) -> Self {
        let page = |doc: PrintDoc| match doc {
            PrintDoc::Domain(d) => urls::domain(site, d),
            PrintDoc::Guideline(g) => urls::guideline(site, g),
            PrintDoc::Example(e) => urls::example(site, e),
            PrintDoc::Page(p) => urls::page(site, p),
        };
        let files = match parts(site) {
            None => (all_docs(site).into_iter())
                .map(|doc| (page(doc), urls::PRINT.to_string()))
                .collect(),
            Some(parts) => (parts.into_iter())
                .flat_map(|part| {
                    part.docs
                        .into_iter()
                        .map(move |doc| (doc, part.path.clone()))
                })
                .map(|(doc, path)| (page(doc), path))
                .collect(),
        };
        Self {
            file: file.to_string(),
            files,
        }
    }

    /// Where the relative `url`, written on the page at `page`, points from this print file:
    /// the anchor of a printed page (and of the heading it names), in this file or another
    /// part, else the same file of the site.
    fn relink(&self, page: &str, url: &str) -> String {
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
        let root = urls::root_of(&self.file);
        if let Some(file) = self.files.get(&resolved) {
            let anchor = anchor_of(&resolved);
            let anchor = match fragment.filter(|f| !f.is_empty()) {
                Some(fragment) => format!("{anchor}--{fragment}"),
                None => anchor,
            };
            return match *file == self.file {
                true => format!("#{anchor}"),
                false => format!("{root}{file}#{anchor}"),
            };
        }
        let resolved = match (resolved.is_empty(), root.is_empty()) {
            (true, true) => "./".to_string(),
            _ => format!("{root}{resolved}"),
        };
        match fragment {
            Some(fragment) => format!("{resolved}#{fragment}"),
            None => resolved,
        }
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
        let files = ["guidelines/sd-1.html", "guidelines/sd-2.html"]
            .map(|page| (page.to_string(), "print.html".to_string()));
        let printed = Printed {
            file: "print.html".into(),
            files: files.into(),
        };
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
            assert_eq!(printed.relink(page, url), expected, "{url}");
        }
    }

    #[test]
    fn links_between_parts_name_the_other_part() {
        let printed = Printed {
            file: "print/design.html".into(),
            files: [
                (
                    "guidelines/sd-1.html".to_string(),
                    "print/design.html".to_string(),
                ),
                (
                    "guidelines/ops-1.html".to_string(),
                    "print/operate.html".to_string(),
                ),
            ]
            .into(),
        };
        let page = "guidelines/sd-1.html";
        let cases = [
            ("ops-1.html#x", "../print/operate.html#guidelines-ops-1--x"),
            ("#why", "#guidelines-sd-1--why"),
            (
                "../frameworks/nist/ac-2.html",
                "../frameworks/nist/ac-2.html",
            ),
            ("../", "../"),
        ];
        for (url, expected) in cases {
            assert_eq!(printed.relink(page, url), expected, "{url}");
        }
    }
}
