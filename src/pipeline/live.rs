//! Incremental rebuilds of a site kept in memory: the pipeline's one API for `serve` (compare
//! Zola's `Site::add_and_render_page`). A [`LiveSite`] is one complete build, never changed once
//! made; [`LiveSite::rebuild`] makes the next one from it and says which files changed, or
//! returns `None` when the change needs the full build ([`LiveSite::build`]).
//!
//! A rebuild runs every stage, each on only what changed: only changed files are parsed, and
//! the content is walked again only when the change needs it ([`crate::load::load_cached`]); the site is resolved whole (tens of
//! milliseconds at 10,000 guidelines); [`crate::render::deps::Changes`] compares it with the last
//! build fact by fact, and only the files that show a changed fact are rendered again
//! ([`crate::render::rerender`]); the checks across files run on the records of every file.
//! print.html and the exports, which show everything, are left to be made when first asked for
//! ([`LiveSite::make`]). Changes to book.toml, the theme or the sidebar (a domain's or a page's
//! title) reach every page and take the full build.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::{Stages, Timings, fail_on_errors};
use crate::config::CONFIG_FILE;
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::load::LoadCache;
use crate::output::Output;
use crate::render::deps::Changes;
use crate::render::{self, MarkdownCache, Records, Theme};
use crate::resolve::{self, Site};
use crate::search::SearchDoc;

type DocsByPage = HashMap<String, Arc<Vec<SearchDoc>>>;

/// Search documents grouped by the file of their page (unmapped controls are documents of
/// their framework's page, under an anchor).
fn by_page(docs: Vec<SearchDoc>) -> DocsByPage {
    let mut pages: HashMap<String, Vec<SearchDoc>> = HashMap::new();
    for doc in docs {
        let page = doc.page.split('#').next().unwrap_or(&doc.page).to_string();
        pages.entry(page).or_default().push(doc);
    }
    pages
        .into_iter()
        .map(|(page, docs)| (page, Arc::new(docs)))
        .collect()
}

/// One complete build held in memory, with what the next incremental rebuild needs.
pub struct LiveSite {
    root: PathBuf,
    site: Site,
    theme: Arc<Theme>,
    /// Shared by every build of a session: unchanged bodies are not rendered again.
    cache: Arc<MarkdownCache>,
    /// The parsed files; taken by the next rebuild.
    loads: Mutex<LoadCache>,
    /// What each rendered file shows of the site.
    records: Records,
    /// Every search document of the site, by the file of the page it belongs to.
    docs: DocsByPage,
    /// Warnings of this build.
    warnings: Vec<Diagnostic>,
}

/// What an incremental rebuild changed.
pub struct Rebuilt {
    pub site: Arc<LiveSite>,
    /// Files made again, new or changed: (site path, bytes).
    pub files: Vec<(String, Vec<u8>)>,
    /// Files the new build no longer has.
    pub removed: Vec<String>,
    /// Files now out of date, to be made by [`LiveSite::make`] of the new site when asked for.
    pub stale: Vec<String>,
    /// The search documents to take out of the index, and those to put in.
    pub removed_docs: Vec<SearchDoc>,
    pub added_docs: Vec<SearchDoc>,
}

impl LiveSite {
    /// The full build of the book at `root` in memory (no static search index: `serve` answers
    /// searches itself), rendering Markdown through `cache`.
    pub fn build(root: &Path, cache: Arc<MarkdownCache>) -> Result<(Arc<LiveSite>, Output)> {
        let (live, output, ()) = Self::build_beside(root, cache, |_, _| ())?;
        Ok((live, output))
    }

    /// [`LiveSite::build`], handing the site and its search documents to `beside` as soon as
    /// they exist, before the exports are made (`serve` starts filling its index there).
    pub fn build_beside<R>(
        root: &Path,
        cache: Arc<MarkdownCache>,
        beside: impl FnOnce(&Site, &[SearchDoc]) -> R,
    ) -> Result<(Arc<LiveSite>, Output, R)> {
        let config = super::load_config(root)?;
        let theme_dir = config.output.html.theme.as_ref().map(|t| root.join(t));
        let theme = Arc::new(Theme::load(theme_dir.as_deref())?);
        let deny = config.guidebook.deny_warnings;
        let content_dir = root.join(&config.book.src);
        let mut loads = LoadCache::default();
        let (content, mut diagnostics) =
            crate::load::load_cached(root, &content_dir, &mut loads, &HashSet::new())?;
        let site = resolve::resolve(config, &content_dir, content, &mut diagnostics);
        let (rendering, records) =
            render::render_tracked(&site, &theme, &cache, Output::default(), &mut diagnostics)?;
        let warnings = fail_on_errors(diagnostics, deny)?;
        let texts = rendering.texts.into_iter();
        let docs =
            crate::search::documents::of_site(&site, texts.map(|t| (t.entity, t.path, t.sections)));
        let started = beside(&site, &docs);
        let mut output = rendering.output;
        let exports = Stages {
            static_search: false,
            exports: true,
        };
        super::index_and_export(
            &site,
            &docs,
            &mut output,
            exports,
            None,
            &mut Timings::default(),
        )?;
        let live = LiveSite {
            root: root.to_path_buf(),
            site,
            theme,
            cache,
            loads: Mutex::new(loads),
            records,
            docs: by_page(docs),
            warnings,
        };
        Ok((Arc::new(live), output, started))
    }

    pub fn site(&self) -> &Site {
        &self.site
    }

    /// Every search document, sorted by URL.
    pub fn search_docs(&self) -> Vec<SearchDoc> {
        let mut docs: Vec<SearchDoc> = self.docs.values().flat_map(|d| d.iter().cloned()).collect();
        docs.sort_by(|a, b| a.url.cmp(&b.url));
        docs
    }

    /// The warnings of this build.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The next build for a change of `changed` files (full paths; see
    /// [`crate::load::load_cached`] for when the content is walked again). `Ok(None)` when the
    /// change needs the full build; an error when the new content has errors.
    pub fn rebuild(&self, changed: &[PathBuf]) -> Result<Option<Rebuilt>> {
        if changed.iter().any(|path| self.reaches_every_page(path)) {
            return Ok(None);
        }
        let changed: HashSet<PathBuf> = changed.iter().cloned().collect();
        // A rebuild that panicked left no parsed files: parse them all again.
        let mut loads = (self.loads.lock())
            .map(|mut loads| std::mem::take(&mut *loads))
            .unwrap_or_default();
        let config = self.site.config.clone();
        let deny = config.guidebook.deny_warnings;
        let content_dir = self.site.content_dir.clone();
        let (content, mut diagnostics) =
            crate::load::load_cached(&self.root, &content_dir, &mut loads, &changed)?;
        let site = resolve::resolve(config, &content_dir, content, &mut diagnostics);
        if diagnostics.has_errors() {
            return Err(Error::Content(diagnostics.sorted()));
        }
        let changes = Changes::between(&self.site, &site, self.records.typed_links());
        if changes.site_wide() {
            return Ok(None);
        }
        let rerendered = render::rerender(
            &site,
            &self.theme,
            &self.cache,
            &self.records,
            &changes,
            &mut diagnostics,
        )?;
        let warnings = fail_on_errors(diagnostics, deny)?;
        let mut files = rerendered.files;
        let mut removed = rerendered.removed;
        let mut stale = rerendered.stale;
        self.changed_assets(&site, &loads, &mut files, &mut removed)?;
        self.changed_exports(&site, changes.anything(), &mut stale, &mut removed);
        let (docs, removed_docs, added_docs) =
            self.next_docs(&site, &files, &removed, rerendered.texts);
        let next = LiveSite {
            root: self.root.clone(),
            site,
            theme: self.theme.clone(),
            cache: self.cache.clone(),
            loads: Mutex::new(loads),
            records: rerendered.records,
            docs,
            warnings,
        };
        Ok(Some(Rebuilt {
            site: Arc::new(next),
            files,
            removed,
            stale,
            removed_docs,
            added_docs,
        }))
    }

    /// Whether a change of `path` reaches every page: book.toml, the theme, the extra watched
    /// folders (whatever they feed).
    fn reaches_every_page(&self, path: &Path) -> bool {
        let config = &self.site.config;
        let theme = config.output.html.theme.iter();
        let extra = config.build.extra_watch_dirs.iter();
        path == self.root.join(CONFIG_FILE)
            || theme
                .chain(extra)
                .any(|dir| path.starts_with(self.root.join(dir)))
    }

    /// Content assets (images...) that are new or changed (read again by the load), and those
    /// that are gone.
    fn changed_assets(
        &self,
        site: &Site,
        loads: &LoadCache,
        files: &mut Vec<(String, Vec<u8>)>,
        removed: &mut Vec<String>,
    ) -> Result<()> {
        let before: HashSet<&PathBuf> = self.site.assets.iter().collect();
        let now: HashSet<&PathBuf> = site.assets.iter().collect();
        for relative in &site.assets {
            let full = site.content_dir.join(relative);
            if !before.contains(relative) || loads.reread(relative) {
                let bytes = std::fs::read(&full).map_err(|e| Error::read(&full, e))?;
                files.push((crate::safe_path::to_site_path(relative)?, bytes));
            }
        }
        for gone in self.site.assets.iter().filter(|a| !now.contains(a)) {
            removed.push(crate::safe_path::to_site_path(gone)?);
        }
        Ok(())
    }

    /// After any change, every export is stale (each shows the whole site); exports the new
    /// site no longer has are removed.
    fn changed_exports(
        &self,
        site: &Site,
        anything: bool,
        stale: &mut Vec<String>,
        removed: &mut Vec<String>,
    ) {
        if !anything {
            return;
        }
        let exports = |site: &Site| -> Vec<String> {
            let paths = crate::export::paths(site, &crate::export::ALL).into_iter();
            paths.map(|name| format!("exports/{name}")).collect()
        };
        let now = exports(site);
        let kept: HashSet<&String> = now.iter().collect();
        removed.extend(
            exports(&self.site)
                .into_iter()
                .filter(|p| !kept.contains(p)),
        );
        stale.extend(now);
    }

    /// The search documents after a rebuild: those of re-rendered and removed pages out, those
    /// of re-rendered entity pages in.
    fn next_docs(
        &self,
        site: &Site,
        files: &[(String, Vec<u8>)],
        removed: &[String],
        texts: Vec<render::PageText>,
    ) -> (DocsByPage, Vec<SearchDoc>, Vec<SearchDoc>) {
        let mut docs = self.docs.clone();
        let replaced = (files.iter().map(|(path, _)| path)).chain(removed);
        let removed_docs: Vec<SearchDoc> = replaced
            .filter_map(|path| docs.remove(path))
            .flat_map(|old| old.iter().cloned().collect::<Vec<_>>())
            .collect();
        let added_docs = crate::search::documents::of_site(
            site,
            texts.into_iter().map(|t| (t.entity, t.path, t.sections)),
        );
        for (page, new) in by_page(added_docs.clone()) {
            docs.insert(page, new);
        }
        (docs, removed_docs, added_docs)
    }

    /// A file of this build that a rebuild left stale ([`Rebuilt::stale`]): print.html,
    /// coverage.html or an export. `None` when the site has no such file.
    pub fn make(&self, path: &str) -> Result<Option<Vec<u8>>> {
        if let Some(page) = render::whole_site_page(&self.site, &self.theme, &self.cache, path)? {
            return Ok(Some(page));
        }
        let Some(name) = path.strip_prefix("exports/") else {
            return Ok(None);
        };
        // Only the requested export is serialized: the others' writers are never called.
        let mut bytes = None;
        crate::export::each_file(
            &self.site,
            &crate::export::ALL,
            crate::export::Layout::Site,
            |path, write| {
                if path == name {
                    let mut written = Vec::new();
                    write(&mut written)?;
                    bytes = Some(written);
                }
                std::io::Result::Ok(())
            },
        )
        .map_err(|e| Error::write(path, e))?;
        Ok(bytes)
    }
}
