//! Builds the tera context of each page kind. Templates receive plain data: titles, URLs already
//! relative to the page, and Markdown already rendered to sanitized HTML.

use std::sync::Arc;

use serde::Serialize;
use serde_json::{Value, json};

use super::cache;
use super::links::SiteLinks;
use super::{Job, Rendered, Theme, sitemap_paths, tag_names, template_and_path, urls};
use crate::diagnostic::Diagnostic;
use crate::error::Result;
use crate::markdown::{self, Context as MarkdownContext, TextSection};
use crate::model::Source;
use crate::resolve::Site;
use crate::search::SearchDoc;

pub struct Renderer<'a> {
    site: &'a Site,
    theme: &'a Theme,
    /// Domain pages and guidelines in reading order, and each one's place in it.
    order: Vec<Position>,
    place: std::collections::HashMap<Position, usize>,
    /// Changes whenever any typed link could resolve differently (see `cache`).
    links_fingerprint: u64,
    /// Site-wide values every template sees as `site`.
    site_info: Value,
}

/// Markdown rendered for one page, with what it found.
#[derive(Clone)]
pub(super) struct Body {
    html: String,
    toc: Vec<markdown::TocEntry>,
    diagnostics: Vec<Diagnostic>,
    typed_links: Vec<String>,
    sections: Vec<TextSection>,
    anchor_links: Vec<markdown::AnchorLink>,
}

/// Accumulates Markdown results while a page's context is built.
#[derive(Default)]
struct Found {
    diagnostics: Vec<Diagnostic>,
    typed_links: Vec<String>,
    anchor_links: Vec<markdown::AnchorLink>,
    /// Plain-text sections of the first (main) Markdown body rendered for the page.
    main_sections: Option<Vec<TextSection>>,
    /// The documents whose bodies print.html splices in, by marker number.
    print_bodies: Vec<PrintDoc>,
}

/// A document print.html repeats whole.
#[derive(Debug, Clone, Copy)]
enum PrintDoc {
    Domain(usize),
    Guideline(usize),
    Example(usize),
    Page(usize),
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

/// What every HTML page must carry in its `<head>` (see `render::CONTENT_SECURITY_POLICY`).
const CSP_META: &str = "<meta http-equiv=\"Content-Security-Policy\" content=\"";

/// Brackets the number of a body in the rendered print template (private-use characters, which
/// tera leaves alone whether or not a template marks the body `safe`).
const PRINT_MARK_OPEN: char = '\u{E000}';
const PRINT_MARK_CLOSE: char = '\u{E001}';

/// A secret of this process inside every print marker, so text an author types (the same
/// private-use characters and a number) can never be taken for a marker and have a body spliced
/// into it. It never reaches the output, which stays deterministic.
fn print_mark_prefix() -> &'static str {
    static PREFIX: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PREFIX.get_or_init(|| {
        use std::hash::{BuildHasher, Hasher};
        let secret = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        format!("{PRINT_MARK_OPEN}{secret:016x}:")
    })
}

impl Found {
    fn take(&mut self, body: Arc<Body>) -> (String, Vec<markdown::TocEntry>) {
        self.diagnostics.extend(body.diagnostics.iter().cloned());
        self.typed_links.extend(body.typed_links.iter().cloned());
        self.anchor_links.extend(body.anchor_links.iter().cloned());
        self.main_sections
            .get_or_insert_with(|| body.sections.clone());
        (body.html.clone(), body.toc.clone())
    }
}

impl<'a> Renderer<'a> {
    pub fn new(site: &'a Site, theme: &'a Theme) -> Self {
        let config = &site.config;
        let html = &config.output.html;
        let site_info = json!({
            "title": config.title(),
            "description": config.book.description,
            "authors": config.book.authors,
            "language": config.book.language,
            "dir": config.book.text_direction.map_or("ltr", |d| match d {
                crate::config::TextDirection::Ltr => "ltr",
                crate::config::TextDirection::Rtl => "rtl",
            }),
            "git_repository_url": html.git_repository_url,
            "default_theme": html.default_theme.map_or("light", |t| t.palette()),
            "dark_theme": html.preferred_dark_theme.map_or("dark", |t| t.palette()),
            "print": config.guidebook.print,
            "content_security_policy": super::CONTENT_SECURITY_POLICY,
            "search": {
                "enable": html.search.enable,
                "limit": html.search.limit_results.clamp(1, 50),
            },
            "domains": site.domains.iter().enumerate().map(|(d, domain)| json!({
                "title": domain.meta.title, "path": urls::domain(site, d),
            })).collect::<Vec<_>>(),
            "pages": site.pages.iter().enumerate().filter(|(_, p)| !p.meta.hidden).map(|(p, page)| json!({
                "title": page_title(page), "path": urls::page(site, p),
            })).collect::<Vec<_>>(),
            "counts": {
                "guidelines": site.guidelines.len(),
                "examples": site.examples.len(),
                "frameworks": site.frameworks.len(),
            },
        });
        let order = reading_order(site);
        let place = order.iter().enumerate().map(|(i, p)| (*p, i)).collect();
        Self {
            site,
            theme,
            order,
            place,
            links_fingerprint: links_fingerprint(site),
            site_info,
        }
    }

    pub fn render(&self, job: &Job) -> Result<Rendered> {
        let (template, path) = template_and_path(self.site, job);
        let root = match job {
            // Served for missing paths at any depth: relative links would break, so use the site's path.
            Job::NotFound => site_path(self.site.config.output.html.site_url.as_deref()),
            _ => urls::root_of(&path),
        };
        let mut found = Found::default();
        if let Job::Nav = job {
            return Ok(Rendered {
                path,
                bytes: self.nav_js().into_bytes(),
                diagnostics: Vec::new(),
                typed_links: Vec::new(),
                search_docs: Vec::new(),
                anchor_links: Vec::new(),
            });
        }
        let (title, data) = self.page_data(job, &root, &mut found);
        let search_docs =
            self.search_docs(job, &path, found.main_sections.take().unwrap_or_default());
        let mut cx = tera::Context::new();
        cx.insert("site", &self.site_info);
        cx.insert("root", &root);
        cx.insert("path", &path);
        cx.insert("title", &title);
        cx.insert("page", &data);
        let html = self.theme.render(template, &cx)?;
        if template.ends_with(".html") && !html.contains(CSP_META) {
            return Err(crate::error::Error::Theme(format!(
                "template {template} leaves out the Content-Security-Policy: its <head> must hold \
                 <meta http-equiv=\"Content-Security-Policy\" content=\"{{{{ site.content_security_policy | safe }}}}\">"
            )));
        }
        let bytes = if found.print_bodies.is_empty() {
            html.into_bytes()
        } else {
            self.splice_print(&html, &found.print_bodies)
        };
        Ok(Rendered {
            path,
            bytes,
            diagnostics: found.diagnostics,
            typed_links: found.typed_links,
            search_docs,
            // The print page repeats every document; their links are checked where they live.
            anchor_links: if matches!(job, Job::Print) {
                Vec::new()
            } else {
                found.anchor_links
            },
        })
    }

    fn markdown(&self, text: &str, source: &Source, root: &str, line_offset: usize) -> Arc<Body> {
        let highlight = self.site.config.guidebook.highlight_code;
        let key = cache::Key {
            text: text.to_string(),
            file: source.path.clone(),
            line_offset,
            root: root.to_string(),
            highlight,
            links: self.links_fingerprint,
        };
        cache::get_or_render(key, || {
            let links = SiteLinks(self.site);
            let cx = MarkdownContext {
                source,
                line_offset,
                root,
                links: &links,
                highlight,
            };
            let (rendered, diagnostics) = markdown::render(text, &cx);
            Body {
                html: rendered.html,
                toc: rendered.toc,
                diagnostics,
                typed_links: rendered.typed_links,
                sections: rendered.sections,
                anchor_links: rendered.anchor_links,
            }
        })
    }

    /// Markdown from a YAML field (catalog descriptions): positions point at the file's start.
    fn inline_markdown(
        &self,
        text: Option<&str>,
        source: &Source,
        root: &str,
        found: &mut Found,
    ) -> Option<String> {
        let text = text?;
        Some(found.take(self.markdown(text, source, root, 0)).0)
    }

    fn page_data(&self, job: &Job, root: &str, found: &mut Found) -> (String, Value) {
        let site = self.site;
        match job {
            Job::Home => self.home(root, found),
            Job::Domain(d) => self.domain(*d, root, found),
            Job::Guideline(g) => self.guideline(*g, root, found),
            Job::Example(e) => self.example(*e, root, found),
            Job::Examples => (
                "Worked examples".into(),
                json!({ "examples": self.example_cards(root, 0..site.examples.len()) }),
            ),
            Job::Page(p) => {
                let page = &site.pages[p.to_owned()];
                let (html, toc) = found.take(self.markdown(
                    &page.body,
                    &page.source,
                    root,
                    page.source.body_line_offset,
                ));
                (
                    page_title(page),
                    json!({ "summary": page.meta.summary, "body": html, "toc": toc,
                    "edit_url": self.edit_url(&page.source) }),
                )
            }
            Job::Framework(f) => self.framework(*f, root, found),
            Job::Control(f, c) => self.control(*f, *c, root, found),
            Job::Frameworks => (
                "Frameworks".into(),
                json!({ "frameworks": site.frameworks.iter().enumerate().map(|(f, fw)| json!({
                "id": fw.id, "name": fw.name, "version": fw.version, "url": format!("{root}{}", urls::framework(site, f)),
                "controls": fw.controls.len(),
                "mapped": fw.controls.iter().filter(|c| !c.mapped_by.is_empty()).count(),
            })).collect::<Vec<_>>() }),
            ),
            Job::Tags => (
                "Tags".into(),
                json!({ "tags": tag_names(site).iter().map(|(name, slug)| json!({
                "name": name, "url": format!("{root}{}", urls::tag(slug)),
                "count": site.tags[*name].guidelines.len() + site.tags[*name].examples.len(),
            })).collect::<Vec<_>>() }),
            ),
            Job::Tag(tag) => {
                let tagged = &site.tags[tag];
                (
                    format!("Tag: {tag}"),
                    json!({
                        "tag": tag,
                        "guidelines": tagged.guidelines.iter().map(|&g| self.guideline_card(g, root)).collect::<Vec<_>>(),
                        "examples": self.example_cards(root, tagged.examples.iter().copied()),
                    }),
                )
            }
            Job::Print => self.print(root, found),
            Job::Coverage => ("Coverage".into(), super::coverage::data(site, root)),
            Job::NotFound => ("Page not found".into(), json!({})),
            Job::Redirect(_, to) => ("Redirecting".into(), json!({ "target": to })),
            Job::Sitemap => {
                let base = site.config.output.html.site_url.clone().unwrap_or_default();
                let base = if base.is_empty() || base.ends_with('/') {
                    base
                } else {
                    format!("{base}/")
                };
                (
                    "sitemap".into(),
                    json!({ "urls": sitemap_paths(site).iter().map(|p| format!("{base}{p}")).collect::<Vec<_>>() }),
                )
            }
            Job::Nav => (String::new(), Value::Null),
        }
    }

    fn home(&self, root: &str, found: &mut Found) -> (String, Value) {
        let site = self.site;
        let (title, body) = match &site.landing {
            Some(page) => {
                let (html, _) = found.take(self.markdown(
                    &page.body,
                    &page.source,
                    root,
                    page.source.body_line_offset,
                ));
                (
                    page.meta
                        .title
                        .clone()
                        .unwrap_or_else(|| site.config.title().to_string()),
                    Some(html),
                )
            }
            None => (site.config.title().to_string(), None),
        };
        let domains: Vec<Value> = (0..site.domains.len())
            .map(|d| self.domain_card(d, root))
            .collect();
        (title, json!({ "body": body, "domains": domains }))
    }

    fn domain_card(&self, d: usize, root: &str) -> Value {
        let site = self.site;
        let domain = &site.domains[d];
        json!({
            "id": domain.meta.id.value,
            "title": domain.meta.title,
            "summary": domain.meta.summary,
            "url": format!("{root}{}", urls::domain(site, d)),
            "guidelines": site.guidelines_of(d).map(|g| self.guideline_card(g, root)).collect::<Vec<_>>(),
        })
    }

    fn domain(&self, d: usize, root: &str, found: &mut Found) -> (String, Value) {
        let domain = &self.site.domains[d];
        let (html, toc) = found.take(self.markdown(
            &domain.body,
            &domain.source,
            root,
            domain.source.body_line_offset,
        ));
        let card = self.domain_card(d, root);
        let toc = with_sections(toc, &[("guidelines", "Guidelines in this domain", true)]);
        let (prev, next) = self.neighbours(Position::Domain(d), root);
        (
            domain.meta.title.clone(),
            json!({
                "domain": card, "body": html, "toc": toc, "prev": prev, "next": next,
                "edit_url": self.edit_url(&domain.source),
            }),
        )
    }

    fn guideline_card(&self, g: usize, root: &str) -> Value {
        let guideline = &self.site.guidelines[g].guideline;
        json!({
            "id": guideline.meta.id.value,
            "title": guideline.meta.title,
            "summary": guideline.meta.summary,
            "url": format!("{root}{}", urls::guideline(self.site, g)),
        })
    }

    fn example_cards(&self, root: &str, examples: impl Iterator<Item = usize>) -> Vec<Value> {
        examples
            .map(|e| {
                let example = &self.site.examples[e].example;
                json!({
                    "id": example.meta.id.value,
                    "title": example.meta.title,
                    "kind": example.meta.kind.as_str(),
                    "url": format!("{root}{}", urls::example(self.site, e)),
                    "guidelines": self.site.examples[e].guidelines.iter().map(|&g| self.guideline_card(g, root)).collect::<Vec<_>>(),
                })
            })
            .collect()
    }

    fn tag_links(&self, tags: &[String], root: &str) -> Vec<Value> {
        tags.iter()
            .filter_map(|t| self.site.tags.get(t))
            .zip(tags)
            .map(|(tagged, name)| json!({ "name": name, "url": format!("{root}{}", urls::tag(&tagged.slug)) }))
            .collect()
    }

    fn guideline(&self, g: usize, root: &str, found: &mut Found) -> (String, Value) {
        let site = self.site;
        let resolved = &site.guidelines[g];
        let guideline = &resolved.guideline;
        let (html, toc) = found.take(self.markdown(
            &guideline.body,
            &guideline.source,
            root,
            guideline.source.body_line_offset,
        ));
        let links = |list: &[crate::resolve::Link]| -> Vec<Value> {
            list.iter()
                .map(|l| {
                    let mut card = self.guideline_card(l.guideline, root);
                    card["kind"] = json!(l.kind.as_str());
                    card["note"] = json!(l.note);
                    card
                })
                .collect()
        };
        let (prev, next) = self.neighbours(Position::Guideline(g), root);
        let meta = &guideline.meta;
        let toc = with_sections(
            toc,
            &[
                (
                    "mappings",
                    "Control mappings",
                    !resolved.mappings.is_empty(),
                ),
                ("examples", "Worked examples", !resolved.examples.is_empty()),
                (
                    "related",
                    "Related guidelines",
                    !resolved.related.is_empty() || !resolved.backlinks.is_empty(),
                ),
                ("references", "References", !meta.references.is_empty()),
            ],
        );
        (
            format!("{} {}", meta.id.value, meta.title),
            json!({
                "id": meta.id.value,
                "title": meta.title,
                "summary": meta.summary,
                "body": html,
                "toc": toc,
                "domain": { "title": site.domains[resolved.domain].meta.title, "url": format!("{root}{}", urls::domain(site, resolved.domain)) },
                "roles": meta.roles,
                "tags": self.tag_links(&meta.tags, root),
                "references": meta.references,
                "mappings": self.mapping_groups(g, root),
                "examples": self.example_cards(root, resolved.examples.iter().copied()),
                "related": links(&resolved.related),
                "backlinks": links(&resolved.backlinks),
                "prev": prev,
                "next": next,
                "edit_url": self.edit_url(&guideline.source),
            }),
        )
    }

    /// A guideline's mappings, grouped by framework in catalog order.
    fn mapping_groups(&self, g: usize, root: &str) -> Vec<Value> {
        let site = self.site;
        let mappings = &site.guidelines[g].mappings;
        let mut frameworks: Vec<usize> = mappings.iter().map(|m| m.framework).collect();
        frameworks.sort_unstable();
        frameworks.dedup();
        frameworks
            .into_iter()
            .map(|f| {
                let framework = &site.frameworks[f];
                let rows: Vec<Value> = mappings
                    .iter()
                    .filter(|m| m.framework == f)
                    .map(|m| {
                        let control = &framework.controls[m.control];
                        json!({
                            "id": control.id, "title": control.title,
                            "url": format!("{root}{}", urls::control(site, f, m.control)),
                            "relationship": m.relationship.as_str(),
                            "confidence": m.confidence,
                            "rationale": m.rationale,
                        })
                    })
                    .collect();
                json!({ "framework": self.framework_ref(f, root), "rows": rows })
            })
            .collect()
    }

    fn framework_ref(&self, f: usize, root: &str) -> Value {
        let framework = &self.site.frameworks[f];
        json!({
            "id": framework.id, "name": framework.name, "version": framework.version,
            "url": format!("{root}{}", urls::framework(self.site, f)),
        })
    }

    fn example(&self, e: usize, root: &str, found: &mut Found) -> (String, Value) {
        let resolved = &self.site.examples[e];
        let example = &resolved.example;
        let (html, toc) = found.take(self.markdown(
            &example.body,
            &example.source,
            root,
            example.source.body_line_offset,
        ));
        (
            example.meta.title.clone(),
            json!({
                "id": example.meta.id.value,
                "kind": example.meta.kind.as_str(),
                "body": html,
                "toc": toc,
                "tags": self.tag_links(&example.meta.tags, root),
                "guidelines": resolved.guidelines.iter().map(|&g| self.guideline_card(g, root)).collect::<Vec<_>>(),
                "edit_url": self.edit_url(&example.source),
            }),
        )
    }

    fn framework(&self, f: usize, root: &str, found: &mut Found) -> (String, Value) {
        let site = self.site;
        let framework = &site.frameworks[f];
        let control = |c: &usize| -> Value {
            let control = &framework.controls[*c];
            let url = (!control.mapped_by.is_empty())
                .then(|| format!("{root}{}", urls::control(site, f, *c)));
            json!({
                "id": control.id, "title": control.title, "slug": control.slug, "url": url,
                "external_url": control.url, "mapped": control.mapped_by.len(),
                "depth": control.depth, "withdrawn": control.withdrawn, "replaced_by": control.replaced_by,
            })
        };
        let mut sections = Vec::new();
        if !framework.loose_controls.is_empty() {
            sections.push(json!({ "title": null, "depth": 0, "controls": framework.loose_controls.iter().map(control).collect::<Vec<_>>() }));
        }
        for section in &framework.sections {
            let description = self.inline_markdown(
                section.description.as_deref(),
                &framework.source,
                root,
                found,
            );
            sections.push(json!({
                "id": section.id, "title": section.title, "depth": section.depth, "description": description,
                "controls": section.controls.iter().map(control).collect::<Vec<_>>(),
            }));
        }
        let description = self.inline_markdown(
            framework.description.as_deref(),
            &framework.source,
            root,
            found,
        );
        (
            framework.name.clone(),
            json!({
                "framework": self.framework_ref(f, root),
                "source_url": framework.url,
                "license": framework.license,
                "description": description,
                "sections": sections,
                "controls": framework.controls.len(),
                "mapped": framework.controls.iter().filter(|c| !c.mapped_by.is_empty()).count(),
                "edit_url": self.edit_url(&framework.source),
            }),
        )
    }

    fn control(&self, f: usize, c: usize, root: &str, found: &mut Found) -> (String, Value) {
        let site = self.site;
        let framework = &site.frameworks[f];
        let control = &framework.controls[c];
        let description = self.inline_markdown(
            control.description.as_deref(),
            &framework.source,
            root,
            found,
        );
        let mapped_by: Vec<Value> = control
            .mapped_by
            .iter()
            .map(|&(g, m)| {
                let mapping = &site.guidelines[g].mappings[m];
                let mut card = self.guideline_card(g, root);
                card["relationship"] = json!(mapping.relationship.as_str());
                card["confidence"] = json!(mapping.confidence);
                card["rationale"] = json!(mapping.rationale);
                card
            })
            .collect();
        (
            format!("{} {}", control.id, control.title),
            json!({
                "id": control.id, "title": control.title, "description": description,
                "external_url": control.url, "framework": self.framework_ref(f, root),
                "anchor": control.slug, "mapped_by": mapped_by,
            }),
        )
    }

    fn print(&self, root: &str, found: &mut Found) -> (String, Value) {
        let site = self.site;
        let mut sections = Vec::new();
        for d in 0..site.domains.len() {
            let domain = &site.domains[d];
            let html = self.print_body(PrintDoc::Domain(d), found);
            let guidelines: Vec<Value> = site
                .guidelines_of(d)
                .map(|g| {
                    let body = self.print_body(PrintDoc::Guideline(g), found);
                    let mut card = self.guideline_card(g, root);
                    card["body"] = json!(body);
                    card["mappings"] = json!(self.mapping_groups(g, root));
                    card
                })
                .collect();
            sections.push(
                json!({ "title": domain.meta.title, "body": html, "guidelines": guidelines }),
            );
        }
        let examples: Vec<Value> = site
            .examples
            .iter()
            .enumerate()
            .map(|(e, resolved)| {
                let example = &resolved.example;
                let body = self.print_body(PrintDoc::Example(e), found);
                json!({ "id": example.meta.id.value, "title": example.meta.title, "kind": example.meta.kind.as_str(), "body": body })
            })
            .collect();
        let pages: Vec<Value> = site
            .pages
            .iter()
            .enumerate()
            .map(|(p, page)| {
                let body = self.print_body(PrintDoc::Page(p), found);
                json!({ "title": page_title(page), "body": body })
            })
            .collect();
        (
            site.config.title().to_string(),
            json!({ "domains": sections, "examples": examples, "pages": pages }),
        )
    }

    /// A marker for a document's body in print.html: the template is rendered with markers, and
    /// [`Renderer::splice_print`] puts the bodies in, one at a time, so the whole knowledge base
    /// is not copied into the template's context (hundreds of megabytes at 10,000 guidelines).
    /// (Each body's diagnostics and links are those of the document's own page, reported there.)
    fn print_body(&self, doc: PrintDoc, found: &mut Found) -> String {
        found.print_bodies.push(doc);
        format!(
            "{}{}{PRINT_MARK_CLOSE}",
            print_mark_prefix(),
            found.print_bodies.len() - 1
        )
    }

    fn print_source(&self, doc: PrintDoc) -> (&'a str, &'a Source, usize) {
        let site = self.site;
        let (text, source) = match doc {
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
        };
        (text, source, source.body_line_offset)
    }

    /// The rendered print template with each body marker replaced by that body: the rendering
    /// made for the document's own page one folder down (cached), with that `../` removed.
    fn splice_print(&self, template: &str, bodies: &[PrintDoc]) -> Vec<u8> {
        let mut out = Vec::with_capacity(template.len() * 2);
        let mut rest = template;
        let prefix = print_mark_prefix();
        while let Some(start) = rest.find(prefix) {
            out.extend_from_slice(&rest.as_bytes()[..start]);
            let after = &rest[start + prefix.len()..];
            let Some(end) = after.find(PRINT_MARK_CLOSE) else {
                break;
            };
            let number: Option<usize> = after[..end].parse().ok();
            if let Some(&doc) = number.and_then(|n| bodies.get(n)) {
                let (text, source, line_offset) = self.print_source(doc);
                let body = self.markdown(text, source, "../", line_offset);
                push_rerooted(&mut out, &body.html);
            }
            rest = &after[end + PRINT_MARK_CLOSE.len_utf8()..];
        }
        out.extend_from_slice(rest.as_bytes());
        out
    }

    /// The search documents of a page: the page itself (its intro text as body), then one per
    /// heading section. Framework pages also carry their unmapped controls, which have no page.
    fn search_docs(&self, job: &Job, path: &str, sections: Vec<TextSection>) -> Vec<SearchDoc> {
        let site = self.site;
        let base = match job {
            Job::Guideline(g) => {
                let resolved = &site.guidelines[*g];
                let meta = &resolved.guideline.meta;
                let mut frameworks: Vec<String> = resolved
                    .mappings
                    .iter()
                    .map(|m| site.frameworks[m.framework].id.clone())
                    .collect();
                frameworks.sort();
                frameworks.dedup();
                SearchDoc {
                    kind: "guideline",
                    id: Some(meta.id.value.clone()),
                    title: meta.title.clone(),
                    page_title: format!("{} {}", meta.id.value, meta.title),
                    summary: meta.summary.clone(),
                    tags: meta.tags.clone(),
                    domain: Some(site.domains[resolved.domain].meta.id.value.clone()),
                    frameworks,
                    mapped: resolved
                        .mappings
                        .iter()
                        .map(|m| site.frameworks[m.framework].controls[m.control].id.clone())
                        .collect(),
                    ..SearchDoc::default()
                }
            }
            Job::Example(e) => {
                let meta = &site.examples[*e].example.meta;
                SearchDoc {
                    kind: "example",
                    id: Some(meta.id.value.clone()),
                    title: meta.title.clone(),
                    tags: meta.tags.clone(),
                    ..SearchDoc::default()
                }
            }
            Job::Page(p) => {
                let page = &site.pages[*p];
                SearchDoc {
                    kind: "page",
                    title: page_title(page),
                    summary: page.meta.summary.clone().unwrap_or_default(),
                    ..SearchDoc::default()
                }
            }
            Job::Domain(d) => {
                let meta = &site.domains[*d].meta;
                SearchDoc {
                    kind: "domain",
                    id: Some(meta.id.value.clone()),
                    title: meta.title.clone(),
                    summary: meta.summary.clone().unwrap_or_default(),
                    domain: Some(meta.id.value.clone()),
                    ..SearchDoc::default()
                }
            }
            Job::Framework(f) => return self.framework_docs(*f, path),
            Job::Control(f, c) => return vec![self.control_doc(*f, *c, path.to_string())],
            _ => return Vec::new(),
        };
        let page_title = if base.page_title.is_empty() {
            base.title.clone()
        } else {
            base.page_title.clone()
        };
        let mut docs = Vec::with_capacity(sections.len() + 1);
        let mut sections = sections.into_iter().peekable();
        let intro = sections
            .next_if(|s| s.anchor.is_none())
            .map(|s| s.text)
            .unwrap_or_default();
        docs.push(SearchDoc {
            url: path.to_string(),
            page: path.to_string(),
            page_title: page_title.clone(),
            body: intro,
            ..base.clone()
        });
        for section in sections {
            docs.push(SearchDoc {
                url: format!("{path}#{}", section.anchor.unwrap_or_default()),
                page: path.to_string(),
                id: None,
                title: section.heading.unwrap_or_default(),
                page_title: page_title.clone(),
                summary: String::new(),
                body: section.text,
                mapped: Vec::new(),
                ..base.clone()
            });
        }
        docs
    }

    fn framework_docs(&self, f: usize, path: &str) -> Vec<SearchDoc> {
        let framework = &self.site.frameworks[f];
        let mut docs = vec![SearchDoc {
            url: path.to_string(),
            page: path.to_string(),
            kind: "framework",
            id: Some(framework.id.clone()),
            title: framework.name.clone(),
            page_title: framework.name.clone(),
            summary: framework.description.clone().unwrap_or_default(),
            frameworks: vec![framework.id.clone()],
            ..SearchDoc::default()
        }];
        for (c, control) in framework.controls.iter().enumerate() {
            if control.mapped_by.is_empty() {
                docs.push(self.control_doc(f, c, format!("{path}#{}", control.slug)));
            }
        }
        docs
    }

    fn control_doc(&self, f: usize, c: usize, url: String) -> SearchDoc {
        let framework = &self.site.frameworks[f];
        let control = &framework.controls[c];
        SearchDoc {
            page: url.clone(),
            url,
            kind: "control",
            id: Some(control.id.clone()),
            title: control.title.clone(),
            page_title: format!("{} {}", control.id, control.title),
            summary: control.description.clone().unwrap_or_default(),
            frameworks: vec![framework.id.clone()],
            ..SearchDoc::default()
        }
    }

    /// Previous and next page in reading order: each domain page, then its guidelines.
    fn neighbours(&self, at: Position, root: &str) -> (Option<Value>, Option<Value>) {
        let Some(&i) = self.place.get(&at) else {
            return (None, None);
        };
        let link = |p: &Position| -> Value {
            match *p {
                Position::Domain(d) => json!({
                    "title": self.site.domains[d].meta.title,
                    "url": format!("{root}{}", urls::domain(self.site, d)),
                }),
                Position::Guideline(g) => self.guideline_card(g, root),
            }
        };
        let prev = i.checked_sub(1).and_then(|j| self.order.get(j)).map(link);
        (prev, self.order.get(i + 1).map(link))
    }

    fn edit_url(&self, source: &Source) -> Option<String> {
        let template = self.site.config.output.html.edit_url_template.as_ref()?;
        let path = source
            .path
            .iter()
            .map(|p| p.to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        // Checked again once filled in: `{path}` at the start of the template would let a
        // folder name choose the scheme.
        Some(template.replace("{path}", &path)).filter(|url| crate::markdown::is_safe_url(url))
    }

    /// The navigation tree as one shared script, so pages do not each repeat the whole tree.
    fn nav_js(&self) -> String {
        let site = self.site;
        #[derive(Serialize)]
        struct Node {
            t: String,
            u: String,
            #[serde(skip_serializing_if = "Vec::is_empty")]
            c: Vec<Node>,
        }
        let tree: Vec<Node> = (0..site.domains.len())
            .map(|d| Node {
                t: site.domains[d].meta.title.clone(),
                u: urls::domain(site, d),
                c: site
                    .guidelines_of(d)
                    .map(|g| {
                        let meta = &site.guidelines[g].guideline.meta;
                        Node {
                            t: format!("{} {}", meta.id.value, meta.title),
                            u: urls::guideline(site, g),
                            c: Vec::new(),
                        }
                    })
                    .collect(),
            })
            .collect();
        let json = serde_json::to_string(&tree).unwrap_or_else(|_| "[]".into());
        format!("window.guidebookNav = {json};\n")
    }
}

/// A digest of every typed-link target and the URL it resolves to.
fn links_fingerprint(site: &Site) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for (g, guideline) in site.guidelines.iter().enumerate() {
        (&guideline.guideline.meta.id.value, urls::guideline(site, g)).hash(&mut hasher);
    }
    for (e, example) in site.examples.iter().enumerate() {
        (&example.example.meta.id.value, urls::example(site, e)).hash(&mut hasher);
    }
    for page in &site.pages {
        page.slug.hash(&mut hasher);
    }
    for framework in &site.frameworks {
        framework.id.hash(&mut hasher);
        for control in &framework.controls {
            (&control.id, &control.slug, control.mapped_by.is_empty()).hash(&mut hasher);
        }
    }
    hasher.finish()
}

/// Each domain page, then its guidelines.
fn reading_order(site: &Site) -> Vec<Position> {
    let mut order = Vec::with_capacity(site.domains.len() + site.guidelines.len());
    for d in 0..site.domains.len() {
        order.push(Position::Domain(d));
        order.extend(site.guidelines_of(d).map(Position::Guideline));
    }
    order
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Position {
    Domain(usize),
    Guideline(usize),
}

/// The table of contents followed by the sections the template adds after the body.
fn with_sections(
    mut toc: Vec<markdown::TocEntry>,
    sections: &[(&str, &str, bool)],
) -> Vec<markdown::TocEntry> {
    let present = sections.iter().filter(|(_, _, present)| *present);
    toc.extend(present.map(|(id, title, _)| markdown::TocEntry {
        level: 2,
        id: (*id).into(),
        title: (*title).into(),
    }));
    toc
}

/// The path part of the site URL, with a trailing slash: `https://x.org/docs` -> `/docs/`.
fn site_path(site_url: Option<&str>) -> String {
    let url = site_url.unwrap_or("/");
    let path = match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => url,
    };
    let path = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    };
    if path.ends_with('/') {
        path
    } else {
        format!("{path}/")
    }
}

fn page_title(page: &crate::model::Page) -> String {
    page.meta
        .title
        .clone()
        .unwrap_or_else(|| page.slug.replace('-', " "))
}
