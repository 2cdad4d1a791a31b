//! Stage 3: the resolved site to HTML files. Every page is an independent job, rendered in
//! parallel; Markdown problems found on the way (unknown link targets) come back as diagnostics,
//! and each page's plain text comes back for the search documents.

pub mod cache;
mod catalog;
mod checks;
mod claims;
mod context;
mod coverage;
pub mod deps;
mod links;
mod nav;
mod print;
mod records;
mod roles;
mod ser;
mod sitemap;
mod theme;
pub mod urls;

use std::collections::BTreeSet;

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::error::{Error, Result};
use crate::markdown::TextSection;
use crate::output::{Output, Stored};
use crate::resolve::{Entity, Site};

pub use cache::MarkdownCache;
use context::{Found, Renderer};
pub use records::{Records, Rerendered, rerender};

/// The Content-Security-Policy of every page: only the site's own scripts, styles, images and
/// fonts, no plugins, no `<base>`, forms only to the site. Static pages carry it as a
/// `<meta http-equiv>` tag (so file:// and plain static hosts enforce it too); `serve` also sends
/// it as a header, with `frame-ancestors`, which only a header can carry.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
     object-src 'none'; base-uri 'none'; form-action 'self'";
pub use theme::Theme;

/// What every HTML page must carry in its `<head>` (see [`CONTENT_SECURITY_POLICY`]).
const CSP_META: &str = "<meta http-equiv=\"Content-Security-Policy\" content=\"";

/// One file of the output.
#[derive(Debug, Clone)]
enum Job {
    /// The page of a domain, guideline, example, page, framework or control.
    Entity(Entity),
    Home,
    Examples,
    Frameworks,
    Tags,
    Tag(String),
    /// The roles listing, a role's page (`roles.yaml`), and every check as one checklist.
    Roles,
    Role(usize),
    SelfAssessment,
    /// A baseline (an OSCAL profile's selection of a framework's controls).
    Baseline(usize),
    Coverage,
    Print,
    /// A part of print.html, when the knowledge base is too large for one page, and its path
    /// (computed once: the parts are cut from the whole site's text).
    PrintPart(usize, String),
    NotFound,
    Redirect(String, String),
    Sitemap,
    /// The sidebar's guidelines of one domain (`assets/nav/<domain>.js`).
    NavPart(usize),
}

/// What rendering one job produced.
struct JobOutput {
    path: String,
    bytes: Vec<u8>,
    diagnostics: Vec<Diagnostic>,
    typed_links: Vec<String>,
    anchor_links: Vec<crate::markdown::AnchorLink>,
    text: Option<PageText>,
    /// What the file shows of the site (only when rendering for incremental rebuilds).
    facts: Vec<deps::Fact>,
}

/// The plain text of a page with its own entity, cut at its headings, for the search documents.
pub struct PageText {
    pub entity: Entity,
    /// The page's site-relative path.
    pub path: String,
    /// Empty for framework and control pages, whose search documents come from the catalog.
    pub sections: Vec<TextSection>,
}

/// Everything rendering produced: the files, and the text of each page to index for search.
pub struct Rendering {
    pub output: Output,
    pub texts: Vec<PageText>,
}

/// Renders every page of `site` with `theme` into `output` (empty; in memory or spooled),
/// reusing and filling `cache`.
pub fn render(
    site: &Site,
    theme: &Theme,
    cache: &MarkdownCache,
    output: Output,
    diagnostics: &mut Diagnostics,
) -> Result<Rendering> {
    render_all(site, theme, cache, output, diagnostics, false).map(|(rendering, _)| rendering)
}

/// [`render`], also keeping what each file shows of the site ([`Records`]), from which
/// [`rerender`] makes the next build incrementally.
pub fn render_tracked(
    site: &Site,
    theme: &Theme,
    cache: &MarkdownCache,
    output: Output,
    diagnostics: &mut Diagnostics,
) -> Result<(Rendering, Records)> {
    render_all(site, theme, cache, output, diagnostics, true)
}

fn render_all(
    site: &Site,
    theme: &Theme,
    cache: &MarkdownCache,
    mut output: Output,
    diagnostics: &mut Diagnostics,
    track: bool,
) -> Result<(Rendering, Records)> {
    let renderer = Renderer::new(site, theme, cache);
    // print.html goes first: it is the longest job, and it renders no Markdown until it splices
    // the bodies in at its end, by which time the other jobs have cached most of them.
    let claimed =
        claims::unclaimed_jobs(site, jobs(site), theme.assets.keys().cloned(), diagnostics);
    let mut jobs: Vec<Job> = claimed.into_iter().map(|(job, _)| job).collect();
    // (Its parts likewise.)
    jobs.sort_by_key(|job| !matches!(job, Job::Print | Job::PrintPart(..)));
    // Each file is handed to the output as soon as it is rendered (a spooled output writes it
    // then), so the pages are not all held in memory at once.
    let store = |job: &Job| -> Result<(JobOutput, Stored, Option<BTreeSet<String>>)> {
        let mut item = renderer.render(job, track)?;
        let ids = (track && item.path.ends_with(".html")).then(|| checks::element_ids(&item.bytes));
        let stored = output.prepare(&item.path, std::mem::take(&mut item.bytes))?;
        Ok((item, stored, ids))
    };
    let rendered: Vec<_> = jobs.par_iter().map(store).collect::<Result<_>>()?;

    let mut records = Records::default();
    let mut linked = BTreeSet::new();
    let mut texts = Vec::new();
    let mut anchor_links = Vec::new();
    for (mut item, stored, ids) in rendered {
        item.fill_anchor_pages();
        if track {
            records.insert(&item, ids.unwrap_or_default());
        }
        texts.extend(item.text);
        anchor_links.extend(item.anchor_links);
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
    checks::unreachable_pages(site, linked.iter().map(String::as_str), diagnostics);
    let ids_of = |page: &str| {
        let html = output.read(page)?;
        Some(std::borrow::Cow::Owned(checks::element_ids(&html)))
    };
    checks::anchors(ids_of, &anchor_links, diagnostics);
    texts.sort_by(|a, b| a.path.cmp(&b.path));
    Ok((Rendering { output, texts }, records))
}

impl JobOutput {
    /// Anchor links within the page itself name it, so checks can find its ids.
    fn fill_anchor_pages(&mut self) {
        for link in &mut self.anchor_links {
            link.page.get_or_insert_with(|| self.path.clone());
        }
    }
}

impl Renderer<'_> {
    /// One output file; with `track`, with the facts of the site it shows.
    fn render(&self, job: &Job, track: bool) -> Result<JobOutput> {
        if !track {
            return self.render_job(job);
        }
        let (output, mut facts) = deps::recording(|| self.render_job(job));
        let mut output = output?;
        // Every page's chrome shows book.toml's settings and the sidebar; every typed link
        // depends on where its target is.
        facts.push(deps::Fact::Site);
        let links = output.typed_links.iter();
        facts.extend(links.map(|link| deps::Fact::Link(deps::hash_of(link.as_str()))));
        facts.sort_unstable_by_key(deps::hash_of);
        facts.dedup();
        output.facts = facts;
        Ok(output)
    }

    fn render_job(&self, job: &Job) -> Result<JobOutput> {
        let (template, path) = template_and_path(self.site, job);
        if let Job::NavPart(d) = job {
            return Ok(JobOutput {
                path,
                bytes: nav::part(self.site, *d).into_bytes(),
                diagnostics: Vec::new(),
                typed_links: Vec::new(),
                anchor_links: Vec::new(),
                text: None,
                facts: Vec::new(),
            });
        }
        let root = match job {
            // Served for missing paths at any depth: relative links would break, so use the site's path.
            Job::NotFound => site_path(self.site.config.output.html.site_url.as_deref()),
            _ => urls::root_of(&path),
        };
        let mut found = Found::default();
        let (title, data) = self.page_data(job, &root, &mut found);
        let mut cx = tera::Context::new();
        cx.insert("site", &self.site_info);
        cx.insert("root", &root);
        cx.insert("path", &path);
        cx.insert("nav_part", &self.nav_part(job));
        cx.insert("title", &title);
        cx.insert("page", &data);
        drop(data);
        let html = self.theme.render(template, &cx)?;
        if template.ends_with(".html") && !html.contains(CSP_META) {
            return Err(Error::Theme(format!(
                "template {template} leaves out the Content-Security-Policy: its <head> must hold \
                 <meta http-equiv=\"Content-Security-Policy\" content=\"{{{{ site.content_security_policy | safe }}}}\">"
            )));
        }
        let bytes = if found.print_bodies.is_empty() {
            html.into_bytes()
        } else {
            self.splice_print(&html, &found.print_bodies, &path)
        };
        let text = job.entity().map(|entity| PageText {
            entity,
            path: path.clone(),
            sections: found.main_sections.take().unwrap_or_default(),
        });
        Ok(JobOutput {
            path,
            bytes,
            diagnostics: found.diagnostics,
            typed_links: found.typed_links,
            // The print page repeats every document; their links are checked where they live.
            anchor_links: if matches!(job, Job::Print | Job::PrintPart(..)) {
                Vec::new()
            } else {
                found.anchor_links
            },
            text,
            facts: Vec::new(),
        })
    }
}

/// The pages that show the whole site (print.html, coverage.html) and that an incremental
/// rebuild leaves stale instead of rendering: at 10,000 guidelines each takes longer than the
/// rest of the rebuild. [`rerender`] lists them; [`whole_site_page`] makes one on request.
fn shows_whole_site(job: &Job) -> bool {
    matches!(
        job,
        Job::Print | Job::PrintPart(..) | Job::Coverage | Job::SelfAssessment
    )
}

/// One of the pages that show the whole site, exactly as [`render`] renders it (`None` when
/// the site has no such page).
pub fn whole_site_page(
    site: &Site,
    theme: &Theme,
    cache: &MarkdownCache,
    path: &str,
) -> Result<Option<Vec<u8>>> {
    let job = jobs(site)
        .into_iter()
        .filter(shows_whole_site)
        .find(|job| template_and_path(site, job).1 == path);
    let Some(job) = job else {
        return Ok(None);
    };
    Ok(Some(
        Renderer::new(site, theme, cache).render(&job, false)?.bytes,
    ))
}

impl Renderer<'_> {
    /// The sidebar part a page opens: its own domain's (empty for pages outside a domain).
    fn nav_part(&self, job: &Job) -> String {
        let domain = match job {
            Job::Entity(Entity::Domain(d)) => *d,
            Job::Entity(Entity::Guideline(g)) => self.site.guidelines[*g].domain,
            _ => return String::new(),
        };
        nav::part_path(self.site, domain)
    }
}

impl Job {
    /// The entity whose page this job renders, if any.
    fn entity(&self) -> Option<Entity> {
        match self {
            Job::Entity(entity) => Some(*entity),
            _ => None,
        }
    }
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
    ];
    jobs.extend((0..site.domains.len()).map(Job::NavPart));
    let entities = ((0..site.domains.len()).map(Entity::Domain))
        .chain((0..site.guidelines.len()).map(Entity::Guideline))
        .chain((0..site.examples.len()).map(Entity::Example))
        .chain((0..site.pages.len()).map(Entity::Page));
    jobs.extend(entities.map(Job::Entity));
    for (f, framework) in site.frameworks.iter().enumerate() {
        jobs.push(Job::Entity(Entity::Framework(f)));
        let mapped = framework
            .controls
            .iter()
            .enumerate()
            .filter(|(_, c)| c.has_page());
        jobs.extend(mapped.map(|(control, _)| {
            Job::Entity(Entity::Control {
                framework: f,
                control,
            })
        }));
    }
    jobs.extend(site.tags.keys().cloned().map(Job::Tag));
    jobs.extend((0..site.baselines.len()).map(Job::Baseline));
    if !site.roles.is_empty() {
        jobs.extend([Job::Roles, Job::SelfAssessment]);
        jobs.extend((0..site.roles.len()).map(Job::Role));
    }
    if site.config.guidebook.print {
        jobs.push(Job::Print);
        let parts = print::parts(site).unwrap_or_default();
        let paths = parts.into_iter().map(|part| part.path);
        jobs.extend(paths.enumerate().map(|(i, path)| Job::PrintPart(i, path)));
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
        output.insert(crate::safe_path::slash_path(relative), bytes)?;
    }
    Ok(())
}

/// Which tera template renders a job, and where its output goes.
fn template_and_path(site: &Site, job: &Job) -> (&'static str, String) {
    match job {
        Job::Home => ("index.html", urls::HOME.into()),
        Job::Entity(Entity::Domain(d)) => ("domain.html", urls::domain(site, *d)),
        Job::Entity(Entity::Guideline(g)) => ("guideline.html", urls::guideline(site, *g)),
        Job::Entity(Entity::Example(e)) => ("example.html", urls::example(site, *e)),
        Job::Examples => ("examples.html", urls::EXAMPLES.into()),
        Job::Entity(Entity::Page(p)) => ("page.html", urls::page(site, *p)),
        Job::Entity(Entity::Framework(f)) => ("framework.html", urls::framework(site, *f)),
        Job::Entity(Entity::Control { framework, control }) => {
            ("control.html", urls::control(site, *framework, *control))
        }
        Job::Frameworks => ("frameworks.html", urls::FRAMEWORKS.into()),
        Job::Tags => ("tags.html", urls::TAGS.into()),
        Job::Tag(tag) => ("tag.html", urls::tag(&site.tags[tag].slug)),
        Job::Coverage => ("coverage.html", urls::COVERAGE.into()),
        Job::Roles => ("roles.html", urls::ROLES.into()),
        Job::Role(r) => ("role.html", urls::role(&site.roles[*r].id)),
        Job::SelfAssessment => ("self-assessment.html", urls::SELF_ASSESSMENT.into()),
        Job::Baseline(b) => ("baseline.html", urls::baseline(&site.baselines[*b].id)),
        Job::Print => ("print.html", urls::PRINT.into()),
        Job::PrintPart(_, path) => ("print.html", path.clone()),
        Job::NotFound => ("404.html", "404.html".into()),
        Job::Redirect(from, _) => ("redirect.html", from.trim_start_matches('/').to_string()),
        Job::Sitemap => ("sitemap.xml", "sitemap.xml".into()),
        Job::NavPart(d) => ("", nav::part_path(site, *d)),
    }
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
