//! Incremental rebuilds of a site kept in memory: the pipeline's one API for `serve` (compare
//! Zola's `Site::add_and_render_page`). A [`LiveSite`] is one complete build, never changed once
//! made; [`LiveSite::rebuild`] makes the next one from it and says which files changed, or
//! returns `None` when the change needs the full build ([`LiveSite::build`]).
//!
//! Today the incremental path covers the edit authors make most: the Markdown body of
//! guidelines, examples, pages and domains. It re-renders those pages alone and leaves
//! print.html and the exports that carry bodies to be made when first asked for
//! ([`LiveSite::make`]), since at 10,000 guidelines they take longer than the rebuild. Anything
//! else, or anything this path cannot prove equal to a full build, takes the full build: a
//! change of front matter, a new, renamed or deleted file, book.toml, the theme, a build that had
//! diagnostics, or a body edit that changes the page's typed links, anchor links or element ids
//! (which other pages' checks depend on).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{BuildOptions, Built, Stages};
use crate::error::{Error, Result};
use crate::load::Document as Loaded;
use crate::output::Output;
use crate::render::{self, MarkdownCache, Theme};
use crate::resolve::{Entity, Site};
use crate::search::SearchDoc;

/// One complete build held in memory, with what the next incremental rebuild needs.
pub struct LiveSite {
    root: PathBuf,
    site: Site,
    theme: Arc<Theme>,
    /// Shared by every build of a session: unchanged bodies are not rendered again.
    cache: Arc<MarkdownCache>,
    /// Every search document of the site, sorted by URL.
    docs: Vec<SearchDoc>,
    /// The Markdown file (full path) of each document whose page a body edit can patch.
    documents: Arc<HashMap<PathBuf, Entity>>,
    /// Only a build without a single diagnostic can be patched: warnings may depend on any page.
    patchable: bool,
}

/// What an incremental rebuild changed.
pub struct Rebuilt {
    pub site: Arc<LiveSite>,
    /// Files rendered again: (site path, bytes).
    pub files: Vec<(String, Vec<u8>)>,
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
        let config = super::load_config(root)?;
        let theme_dir = config.output.html.theme.as_ref().map(|t| root.join(t));
        let theme = Arc::new(Theme::load(theme_dir.as_deref())?);
        let options = BuildOptions::default();
        let run = super::Run {
            cache: Some(&cache),
            theme: Some(&theme),
            ..super::Run::new(root, &options, Stages::ALL.without_static_search(true))
        };
        let built = run.run(config, Output::default())?;
        let Built {
            site,
            output,
            search_docs,
            diagnostics,
            ..
        } = built;
        let live = LiveSite {
            root: root.to_path_buf(),
            documents: Arc::new(documents_by_file(root, &site)),
            site,
            theme,
            cache,
            docs: search_docs,
            patchable: diagnostics.is_empty(),
        };
        Ok((Arc::new(live), output))
    }

    pub fn site(&self) -> &Site {
        &self.site
    }

    /// Every search document, sorted by URL.
    pub fn search_docs(&self) -> &[SearchDoc] {
        &self.docs
    }

    /// The next build for a change of `changed` files (full paths), if only document bodies
    /// changed and nothing else can notice; `None` when the full build is needed.
    pub fn rebuild(&self, changed: &[PathBuf]) -> Option<Rebuilt> {
        if changed.is_empty() || !self.patchable {
            return None;
        }
        let mut site = self.site.clone();
        let mut pages = Vec::with_capacity(changed.len());
        for path in changed {
            let entity = *self.documents.get(path)?;
            let body = self.new_body(entity, path)?;
            let before = self.page(&site, entity)?;
            *body_of(&mut site, entity)? = body;
            let after = self.page(&site, entity)?;
            let same_links = after.diagnostics.is_empty()
                && after.typed_links == before.typed_links
                && after.anchor_links == before.anchor_links
                && after.element_ids == before.element_ids;
            if !same_links {
                return None;
            }
            pages.push((entity, after));
        }
        Some(self.patched(site, pages))
    }

    /// The site after the edits: the new pages, their search documents in place of the old.
    fn patched(&self, site: Site, pages: Vec<(Entity, render::EntityPage)>) -> Rebuilt {
        let mut docs = self.docs.clone();
        let mut removed_docs = Vec::new();
        let mut added_docs = Vec::new();
        let mut files = Vec::with_capacity(pages.len());
        let mut stale: Vec<String> = Vec::new();
        for (entity, page) in pages {
            let (old, kept): (Vec<SearchDoc>, Vec<SearchDoc>) =
                docs.into_iter().partition(|d| d.page == page.path);
            docs = kept;
            removed_docs.extend(old);
            if let Some(text) = page.text {
                let new =
                    crate::search::documents::of_page(&site, entity, &text.path, text.sections);
                added_docs.extend(new.iter().cloned());
                docs.extend(new);
            }
            stale.extend(body_files(&site, entity));
            files.push((page.path, page.bytes));
        }
        docs.sort_by(|a, b| a.url.cmp(&b.url));
        stale.sort_unstable();
        stale.dedup();
        let site = Arc::new(LiveSite {
            root: self.root.clone(),
            site,
            theme: self.theme.clone(),
            cache: self.cache.clone(),
            docs,
            documents: self.documents.clone(),
            patchable: true,
        });
        Rebuilt {
            site,
            files,
            stale,
            removed_docs,
            added_docs,
        }
    }

    /// A file of this build that a rebuild left stale ([`Rebuilt::stale`]): print.html or an
    /// export. `None` when the site has no such file.
    pub fn make(&self, path: &str) -> Result<Option<Vec<u8>>> {
        if path == render::urls::PRINT {
            return render::print_page(&self.site, &self.theme, &self.cache);
        }
        let Some(name) = path.strip_prefix("exports/") else {
            return Ok(None);
        };
        // Only the requested export is serialized: the others' writers are never called.
        let mut bytes = None;
        crate::export::each_file(&self.site, &crate::export::ALL, |path, write| {
            if path == name {
                let mut written = Vec::new();
                write(&mut written)?;
                bytes = Some(written);
            }
            std::io::Result::Ok(())
        })
        .map_err(|e| Error::write(path, e))?;
        Ok(bytes)
    }

    /// The body of `entity` as its file now holds it, if everything else in the file is as
    /// this build has it.
    fn new_body(&self, entity: Entity, path: &Path) -> Option<String> {
        let content_dir = &self.site.content_dir;
        let relative = path.strip_prefix(content_dir).ok()?;
        let fresh = crate::load::document_file(&self.root, content_dir, relative)?;
        only_body_changed(&self.site, entity, fresh)
    }

    fn page(&self, site: &Site, entity: Entity) -> Option<render::EntityPage> {
        render::entity_page(site, &self.theme, &self.cache, entity).ok()
    }
}

/// The files besides its own page that carry the body of `entity`.
fn body_files(site: &Site, entity: Entity) -> Vec<String> {
    let print = site
        .config
        .guidebook
        .print
        .then(|| render::urls::PRINT.to_string());
    let exports = crate::export::files_with_body_of(entity);
    print
        .into_iter()
        .chain(exports.iter().map(|name| format!("exports/{name}")))
        .collect()
}

/// The Markdown file (full path) of each document with a page of its own.
fn documents_by_file(root: &Path, site: &Site) -> HashMap<PathBuf, Entity> {
    let guidelines = (site.guidelines.iter().enumerate())
        .map(|(g, resolved)| (&resolved.guideline.source, Entity::Guideline(g)));
    let examples = (site.examples.iter().enumerate())
        .map(|(e, resolved)| (&resolved.example.source, Entity::Example(e)));
    let pages = (site.pages.iter().enumerate()).map(|(p, page)| (&page.source, Entity::Page(p)));
    let domains =
        (site.domains.iter().enumerate()).map(|(d, domain)| (&domain.source, Entity::Domain(d)));
    guidelines
        .chain(examples)
        .chain(pages)
        .chain(domains)
        // A YAML guideline's body is inside its YAML: an edit may change more than the body.
        .filter(|(source, _)| source.path.extension().is_some_and(|e| e == "md"))
        .map(|(source, entity)| (root.join(&source.path), entity))
        .collect()
}

/// The new body of `entity`, if everything but its body is as the site has it.
fn only_body_changed(site: &Site, entity: Entity, fresh: Loaded) -> Option<String> {
    let same = match (entity, &fresh) {
        (Entity::Guideline(g), Loaded::Guideline(new)) => {
            let old = &site.guidelines[g].guideline;
            (&new.meta, &new.source, &new.domain, &new.slug)
                == (&old.meta, &old.source, &old.domain, &old.slug)
        }
        (Entity::Example(e), Loaded::Example(new)) => {
            let old = &site.examples[e].example;
            (&new.meta, &new.source, &new.slug) == (&old.meta, &old.source, &old.slug)
        }
        (Entity::Page(p), Loaded::Page(new)) => {
            let old = &site.pages[p];
            (&new.meta, &new.source, &new.slug) == (&old.meta, &old.source, &old.slug)
        }
        (Entity::Domain(d), Loaded::Domain(new)) => {
            let old = &site.domains[d];
            (&new.meta, &new.source, &new.folder) == (&old.meta, &old.source, &old.folder)
        }
        _ => false,
    };
    let body = match fresh {
        Loaded::Guideline(new) => new.body,
        Loaded::Example(new) => new.body,
        Loaded::Page(new) => new.body,
        Loaded::Domain(new) => new.body,
    };
    same.then_some(body)
}

/// Where the site keeps the body of `entity` (`None` for entities without a Markdown body).
fn body_of(site: &mut Site, entity: Entity) -> Option<&mut String> {
    Some(match entity {
        Entity::Guideline(g) => &mut site.guidelines[g].guideline.body,
        Entity::Example(e) => &mut site.examples[e].example.body,
        Entity::Page(p) => &mut site.pages[p].body,
        Entity::Domain(d) => &mut site.domains[d].body,
        Entity::Framework(_) | Entity::Control { .. } => return None,
    })
}
