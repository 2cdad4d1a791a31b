//! The fast rebuild: when the only change is the Markdown body of guidelines (the edit authors
//! make most), re-render just those pages and update the search index in place, instead of
//! rebuilding the whole site. At 10,000 guidelines this takes a rebuild from seconds to tens of
//! milliseconds.
//!
//! Anything else, or anything this path cannot prove equal to a full build, falls back to the
//! full rebuild: a change of front matter (metadata, mappings, links), a new, renamed or deleted
//! file, book.toml, the theme, any diagnostic, or a body edit that changes the page's typed
//! links, anchor links or element ids (which other pages' checks depend on). print.html and the
//! exports that carry bodies are then made again on their first request (see [`Deferred`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, RwLock};

use super::site::{Asset, Snapshot, asset};
use crate::error::Result;
use crate::render::{self, Theme};
use crate::resolve::Site;
use crate::search::SearchDoc;

/// What a fast rebuild needs from the last full one, kept beside its snapshot. Behind a lock:
/// a fast rebuild patches it in place, and deferred files read it when first requested.
pub struct LiveState {
    inner: RwLock<Inner>,
}

struct Inner {
    root: PathBuf,
    site: Site,
    theme: Theme,
    /// Every search document of the site, as the live index holds them.
    docs: Vec<SearchDoc>,
    /// Markdown guideline files (full path) -> guideline index.
    guidelines: HashMap<PathBuf, usize>,
}

impl LiveState {
    /// The state of a full build that reported no diagnostic at all (only such builds can be
    /// patched: warnings may depend on any page).
    pub fn new(root: &Path, site: Site, docs: Vec<SearchDoc>) -> Result<Self> {
        let theme_dir = site.config.output.html.theme.as_ref().map(|t| root.join(t));
        let theme = Theme::load(theme_dir.as_deref())?;
        let guidelines = site
            .guidelines
            .iter()
            .enumerate()
            .filter(|(_, g)| {
                g.guideline
                    .source
                    .path
                    .extension()
                    .is_some_and(|e| e == "md")
            })
            .map(|(g, resolved)| (root.join(&resolved.guideline.source.path), g))
            .collect();
        Ok(Self {
            inner: RwLock::new(Inner {
                root: root.to_path_buf(),
                site,
                theme,
                docs,
                guidelines,
            }),
        })
    }
}

/// A file made on its first request (then kept): print.html and the body-carrying exports
/// after a fast rebuild, which at 10,000 guidelines take longer than the rebuild itself.
pub struct Deferred {
    state: Arc<LiveState>,
    path: String,
    generation: u64,
    made: OnceLock<Option<Asset>>,
}

impl Deferred {
    pub fn get(&self) -> Option<&Asset> {
        self.made.get_or_init(|| self.make()).as_ref()
    }

    fn make(&self) -> Option<Asset> {
        let inner = self.state.inner.read().ok()?;
        let bytes = if self.path == crate::render::urls::PRINT {
            render::print_page(&inner.site, &inner.theme).ok()??
        } else {
            let name = self.path.strip_prefix("exports/")?;
            let (_, text) = crate::export::files(&inner.site, &crate::export::ALL)
                .into_iter()
                .find(|(path, _)| path == name)?;
            text.into_bytes()
        };
        Some(asset(&self.path, &bytes, Some(self.generation)))
    }
}

/// The files a guideline's body appears in besides its own page.
const BODY_EXPORTS: [&str; 2] = ["exports/model.json", "exports/guidelines.oscal.json"];

/// Rebuilds `previous` for a change of `changed` files, if only guideline bodies changed;
/// `None` means the full rebuild is needed.
pub fn rebuild(previous: &Snapshot, changed: &[PathBuf], generation: u64) -> Option<Snapshot> {
    let state = previous.live.as_ref()?;
    if changed.is_empty() || !previous.errors.is_empty() {
        return None;
    }
    // Each patch adds a segment to the live index; past the limit, the full rebuild remakes it.
    if previous
        .index
        .as_ref()
        .is_some_and(|index| index.segments() >= super::site::MAX_SEGMENTS)
    {
        return None;
    }
    let mut inner = state.inner.write().ok()?;
    let mut files = (*previous.files).clone();
    let mut replaced_docs: Vec<(String, Vec<SearchDoc>)> = Vec::new();
    let mut patched: Vec<(usize, String)> = Vec::new();
    for path in changed {
        let patch = inner
            .guidelines
            .get(path)
            .copied()
            .and_then(|g| patch_guideline(&mut inner, g, path).map(|p| (g, p)));
        let Some((g, (page, docs, old_body))) = patch else {
            // Put back the bodies patched so far: the full rebuild takes over from the last build.
            for (g, body) in patched {
                inner.site.guidelines[g].guideline.body = body;
            }
            return None;
        };
        patched.push((g, old_body));
        files.insert(
            page.path.clone(),
            asset(&page.path, &page.bytes, Some(generation)),
        );
        replaced_docs.push((page.path, docs));
    }
    // Only now is the fast path certain: update the index and the document list.
    if let Some(index) = &previous.index {
        for (page, docs) in &replaced_docs {
            let old: Vec<SearchDoc> = inner
                .docs
                .iter()
                .filter(|d| &d.page == page)
                .cloned()
                .collect();
            index.replace(&old, docs).ok()?;
        }
    }
    for (page, docs) in replaced_docs {
        inner.docs.retain(|d| d.page != page);
        inner.docs.extend(docs);
    }
    inner.docs.sort_by(|a, b| a.url.cmp(&b.url));
    drop(inner);

    let deferred = defer_body_files(previous, &mut files, state, generation);
    Some(Snapshot {
        files: Arc::new(files),
        deferred: Arc::new(deferred),
        index: previous.index.clone(),
        title_boost: previous.title_boost,
        default_limit: previous.default_limit,
        errors: previous.errors.clone(),
        generation,
        live: Some(state.clone()),
    })
}

/// The deferred files of the patched snapshot: print.html and the body-carrying exports move
/// out of `files` (or are renewed, if already deferred), to be made from the patched state.
fn defer_body_files(
    previous: &Snapshot,
    files: &mut HashMap<String, Asset>,
    state: &Arc<LiveState>,
    generation: u64,
) -> HashMap<String, Arc<Deferred>> {
    let mut deferred = (*previous.deferred).clone();
    let print = crate::render::urls::PRINT.to_string();
    for path in std::iter::once(print).chain(BODY_EXPORTS.map(String::from)) {
        if files.remove(&path).is_some() || deferred.contains_key(&path) {
            let made = OnceLock::new();
            deferred.insert(
                path.clone(),
                Arc::new(Deferred {
                    state: state.clone(),
                    path,
                    generation,
                    made,
                }),
            );
        }
    }
    deferred
}

/// Re-reads guideline `g` from `path` and, if only its body changed in a way no other page can
/// notice, puts the new body in the site and returns its new page and search documents.
fn patch_guideline(
    inner: &mut Inner,
    g: usize,
    path: &Path,
) -> Option<(render::RenderedPage, Vec<SearchDoc>, String)> {
    let content_dir = inner.site.content_dir.clone();
    let relative = path.strip_prefix(&content_dir).ok()?;
    let fresh = crate::load::guideline_file(&inner.root, &content_dir, relative)?;
    let current = &inner.site.guidelines[g].guideline;
    if fresh.meta != current.meta
        || fresh.source != current.source
        || fresh.domain != current.domain
        || fresh.slug != current.slug
    {
        return None;
    }
    let before = render::guideline_page(&inner.site, &inner.theme, g).ok()?;
    let old_body = std::mem::replace(&mut inner.site.guidelines[g].guideline.body, fresh.body);
    let after = render::guideline_page(&inner.site, &inner.theme, g).ok();
    let same_links = after.as_ref().is_some_and(|after| {
        after.diagnostics.is_empty()
            && after.typed_links == before.typed_links
            && after.anchor_links == before.anchor_links
            && after.element_ids == before.element_ids
    });
    if !same_links {
        // Leave the state as the last full build made it; the full rebuild takes over.
        inner.site.guidelines[g].guideline.body = old_body;
        return None;
    }
    let page = after?;
    let docs = page.search_docs.clone();
    Some((page, docs, old_body))
}
