//! Stage 3: the resolved site to HTML files in memory. Every page is an independent job, rendered
//! in parallel; Markdown problems found on the way (unknown link targets) come back as diagnostics.

pub mod cache;
mod claims;
mod context;
mod coverage;
mod links;
mod theme;
pub mod urls;

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Diagnostics, Position};
use crate::error::{Error, Result};
use crate::output::{Output, Stored};
use crate::resolve::Site;
use crate::search::SearchDoc;

use context::Renderer;

/// The Content-Security-Policy of every page: only the site's own scripts, styles, images and
/// fonts, no plugins, no `<base>`, forms only to the site. Static pages carry it as a
/// `<meta http-equiv>` tag (so file:// and plain static hosts enforce it too); `serve` also sends
/// it as a header, with `frame-ancestors`, which only a header can carry.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
     object-src 'none'; base-uri 'none'; form-action 'self'";
pub use theme::Theme;

/// One file of the output.
#[derive(Debug, Clone)]
enum Job {
    Home,
    Domain(usize),
    Guideline(usize),
    Example(usize),
    Examples,
    Page(usize),
    Framework(usize),
    Control(usize, usize),
    Frameworks,
    Tags,
    Tag(String),
    Coverage,
    Print,
    NotFound,
    Redirect(String, String),
    Sitemap,
    Nav,
}

/// What rendering one job produced.
struct Rendered {
    path: String,
    bytes: Vec<u8>,
    diagnostics: Vec<Diagnostic>,
    typed_links: Vec<String>,
    search_docs: Vec<SearchDoc>,
    anchor_links: Vec<crate::markdown::AnchorLink>,
}

/// Everything rendering produced: the files, and the documents to index for search.
pub struct Rendering {
    pub output: Output,
    /// Sorted by URL, so indexes built from them are deterministic.
    pub search_docs: Vec<SearchDoc>,
}

/// Renders every page of `site` with `theme` into `output` (empty; in memory or spooled).
pub fn render(
    site: &Site,
    theme: &Theme,
    mut output: Output,
    diagnostics: &mut Diagnostics,
) -> Result<Rendering> {
    let renderer = Renderer::new(site, theme);
    // print.html goes first: it is the longest job, and it renders no Markdown until it splices
    // the bodies in at its end, by which time the other jobs have cached most of them.
    let mut jobs =
        claims::unclaimed_jobs(site, jobs(site), theme.assets.keys().cloned(), diagnostics);
    if let Some(at) = jobs.iter().position(|j| matches!(j, Job::Print)) {
        let print = jobs.remove(at);
        jobs.insert(0, print);
    }
    // Each file is handed to the output as soon as it is rendered (a spooled output writes it
    // then), so the pages are not all held in memory at once.
    let store = |job: &Job| -> Result<(Rendered, Stored)> {
        let mut item = renderer.render(job)?;
        let stored = output.prepare(&item.path, std::mem::take(&mut item.bytes))?;
        Ok((item, stored))
    };
    let rendered: Vec<(Rendered, Stored)> = jobs.par_iter().map(store).collect::<Result<_>>()?;

    let mut linked = BTreeSet::new();
    let mut search_docs = Vec::new();
    let mut anchor_links = Vec::new();
    for (item, stored) in rendered {
        search_docs.extend(item.search_docs);
        for mut link in item.anchor_links {
            link.page.get_or_insert_with(|| item.path.clone());
            anchor_links.push(link);
        }
        for d in item.diagnostics {
            diagnostics.push(d);
        }
        linked.extend(item.typed_links);
        output.add(item.path, stored);
    }
    for (path, bytes) in &theme.assets {
        output.insert(path.clone(), bytes.clone())?;
    }
    copy_assets(site, &mut output)?;
    warn_unreachable_pages(site, &linked, diagnostics);
    check_anchors(&output, &anchor_links, diagnostics);
    search_docs.sort_by(|a, b| a.url.cmp(&b.url));
    Ok(Rendering {
        output,
        search_docs,
    })
}

/// One page rendered alone, with what the full render would have gathered from it (`serve`
/// re-renders only the page of a document whose Markdown body alone changed).
pub struct RenderedPage {
    pub path: String,
    pub bytes: Vec<u8>,
    pub diagnostics: Vec<Diagnostic>,
    pub typed_links: Vec<String>,
    pub anchor_links: Vec<crate::markdown::AnchorLink>,
    pub search_docs: Vec<SearchDoc>,
    /// The `id` attributes of the page, which anchor links elsewhere may point at.
    pub element_ids: BTreeSet<String>,
}

/// A document that has a page of its own, by its index in the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    Guideline(usize),
    Example(usize),
    Page(usize),
    Domain(usize),
}

/// The page of one document, exactly as [`render`] renders it.
pub fn document_page(site: &Site, theme: &Theme, document: Document) -> Result<RenderedPage> {
    let job = match document {
        Document::Guideline(g) => Job::Guideline(g),
        Document::Example(e) => Job::Example(e),
        Document::Page(p) => Job::Page(p),
        Document::Domain(d) => Job::Domain(d),
    };
    let item = Renderer::new(site, theme).render(&job)?;
    Ok(RenderedPage {
        element_ids: element_ids(&item.bytes),
        path: item.path,
        bytes: item.bytes,
        diagnostics: item.diagnostics,
        typed_links: item.typed_links,
        anchor_links: item.anchor_links,
        search_docs: item.search_docs,
    })
}

/// print.html, exactly as [`render`] renders it (`None` when the book has no print page).
pub fn print_page(site: &Site, theme: &Theme) -> Result<Option<Vec<u8>>> {
    if !site.config.guidebook.print {
        return Ok(None);
    }
    Ok(Some(Renderer::new(site, theme).render(&Job::Print)?.bytes))
}

fn jobs(site: &Site) -> Vec<Job> {
    let mut jobs = vec![
        Job::Home,
        Job::Examples,
        Job::Frameworks,
        Job::Tags,
        Job::Coverage,
        Job::NotFound,
        Job::Sitemap,
        Job::Nav,
    ];
    jobs.extend((0..site.domains.len()).map(Job::Domain));
    jobs.extend((0..site.guidelines.len()).map(Job::Guideline));
    jobs.extend((0..site.examples.len()).map(Job::Example));
    jobs.extend((0..site.pages.len()).map(Job::Page));
    for (f, framework) in site.frameworks.iter().enumerate() {
        jobs.push(Job::Framework(f));
        let mapped = framework
            .controls
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.mapped_by.is_empty());
        jobs.extend(mapped.map(|(c, _)| Job::Control(f, c)));
    }
    jobs.extend(site.tags.keys().cloned().map(Job::Tag));
    if site.config.guidebook.print {
        jobs.push(Job::Print);
    }
    let redirects = &site.config.output.html.redirect;
    jobs.extend(
        redirects
            .iter()
            .map(|(from, to)| Job::Redirect(from.clone(), to.clone())),
    );
    jobs
}

/// Images and other files under the content root are copied to the same path in the output.
fn copy_assets(site: &Site, output: &mut Output) -> Result<()> {
    for relative in &site.assets {
        let full = site.content_dir.join(relative);
        let bytes = std::fs::read(&full).map_err(|e| Error::read(&full, e))?;
        let path = relative
            .iter()
            .map(|p| p.to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        output.insert(path, bytes)?;
    }
    Ok(())
}

/// Every link that names an anchor must land on an element with that id in the rendered page.
fn check_anchors(
    output: &Output,
    links: &[crate::markdown::AnchorLink],
    diagnostics: &mut Diagnostics,
) {
    let mut ids: std::collections::HashMap<&str, BTreeSet<String>> =
        std::collections::HashMap::new();
    for link in links {
        let Some(page) = link.page.as_deref() else {
            continue;
        };
        let known = ids.entry(page).or_insert_with(|| {
            output
                .read(page)
                .map(|h| element_ids(&h))
                .unwrap_or_default()
        });
        if known.contains(&link.anchor) {
            continue;
        }
        let hint = crate::diagnostic::suggest(&link.anchor, known.iter().map(String::as_str))
            .map_or_else(
                || format!("{page} has no element with this id"),
                |s| format!("did you mean `#{s}`?"),
            );
        diagnostics.push(
            Diagnostic::error(
                "broken-anchor",
                &link.file,
                link.position,
                format!("`#{}` is not an anchor of {page}", link.anchor),
            )
            .with_help(hint),
        );
    }
}

/// The `id` attributes of an HTML page.
fn element_ids(html: &[u8]) -> BTreeSet<String> {
    let html = String::from_utf8_lossy(html);
    html.split(" id=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect()
}

/// A hidden page (left out of the navigation) that nothing links to cannot be reached.
fn warn_unreachable_pages(site: &Site, linked: &BTreeSet<String>, diagnostics: &mut Diagnostics) {
    for page in site.pages.iter().filter(|p| p.meta.hidden) {
        if !linked.contains(&format!("page:{}", page.slug)) {
            diagnostics.push(
                Diagnostic::warning(
                    "unreachable-page",
                    &page.source.path,
                    Position::new(1, 1),
                    format!(
                        "page `{}` is hidden from the navigation and no content links to it",
                        page.slug
                    ),
                )
                .with_help(format!(
                    "link it with [text](page:{}) or remove `hidden: true`",
                    page.slug
                )),
            );
        }
    }
}

/// Which tera template renders a job, and where its output goes.
fn template_and_path(site: &Site, job: &Job) -> (&'static str, String) {
    match job {
        Job::Home => ("index.html", urls::HOME.into()),
        Job::Domain(d) => ("domain.html", urls::domain(site, *d)),
        Job::Guideline(g) => ("guideline.html", urls::guideline(site, *g)),
        Job::Example(e) => ("example.html", urls::example(site, *e)),
        Job::Examples => ("examples.html", urls::EXAMPLES.into()),
        Job::Page(p) => ("page.html", urls::page(site, *p)),
        Job::Framework(f) => ("framework.html", urls::framework(site, *f)),
        Job::Control(f, c) => ("control.html", urls::control(site, *f, *c)),
        Job::Frameworks => ("frameworks.html", urls::FRAMEWORKS.into()),
        Job::Tags => ("tags.html", urls::TAGS.into()),
        Job::Tag(tag) => ("tag.html", urls::tag(&site.tags[tag].slug)),
        Job::Coverage => ("coverage.html", urls::COVERAGE.into()),
        Job::Print => ("print.html", urls::PRINT.into()),
        Job::NotFound => ("404.html", "404.html".into()),
        Job::Redirect(from, _) => ("redirect.html", from.trim_start_matches('/').to_string()),
        Job::Sitemap => ("sitemap.xml", "sitemap.xml".into()),
        Job::Nav => ("", "assets/nav.js".into()),
    }
}

/// Every HTML page of the site, for the sitemap (sorted, without 404 and redirects).
fn sitemap_paths(site: &Site) -> Vec<String> {
    let mut paths: Vec<String> = jobs(site)
        .iter()
        .filter(|job| {
            !matches!(
                job,
                Job::NotFound | Job::Redirect(..) | Job::Sitemap | Job::Nav
            )
        })
        .map(|job| template_and_path(site, job).1)
        .collect();
    paths.sort();
    paths
}

/// Tags index entries, sorted by name, for templates.
fn tag_names(site: &Site) -> BTreeMap<&str, &str> {
    site.tags
        .iter()
        .map(|(name, t)| (name.as_str(), t.slug.as_str()))
        .collect()
}
