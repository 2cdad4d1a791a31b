//! The fast rebuild: when the only change is the Markdown body of guidelines, examples, pages or
//! domains (the edit authors make most), re-render just those pages and update the search index
//! in place, instead of rebuilding the whole site. At 10,000 guidelines this takes a rebuild
//! from seconds to tens of milliseconds. (The landing page and YAML guidelines always take the
//! full rebuild.)
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
use crate::load::Document as Loaded;
use crate::render::{self, Document, Theme};
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
    /// The Markdown file (full path) of each document with a page of its own.
    documents: HashMap<PathBuf, Document>,
}

impl LiveState {
    /// The state of a full build that reported no diagnostic at all (only such builds can be
    /// patched: warnings may depend on any page).
    pub fn new(root: &Path, site: Site, docs: Vec<SearchDoc>) -> Result<Self> {
        let theme_dir = site.config.output.html.theme.as_ref().map(|t| root.join(t));
        let theme = Theme::load(theme_dir.as_deref())?;
        let documents = documents_by_file(root, &site);
        Ok(Self {
            inner: RwLock::new(Inner {
                root: root.to_path_buf(),
                site,
                theme,
                docs,
                documents,
            }),
        })
    }
}

/// The Markdown file (full path) of each document with a page of its own.
fn documents_by_file(root: &Path, site: &Site) -> HashMap<PathBuf, Document> {
    let guidelines = (site.guidelines.iter().enumerate())
        .map(|(g, resolved)| (&resolved.guideline.source, Document::Guideline(g)));
    let examples = (site.examples.iter().enumerate())
        .map(|(e, resolved)| (&resolved.example.source, Document::Example(e)));
    let pages = (site.pages.iter().enumerate()).map(|(p, page)| (&page.source, Document::Page(p)));
    let domains =
        (site.domains.iter().enumerate()).map(|(d, domain)| (&domain.source, Document::Domain(d)));
    guidelines
        .chain(examples)
        .chain(pages)
        .chain(domains)
        // A YAML guideline's body is inside its YAML: an edit may change more than the body.
        .filter(|(source, _)| source.path.extension().is_some_and(|e| e == "md"))
        .map(|(source, document)| (root.join(&source.path), document))
        .collect()
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
            // Only the requested export is serialized: the others' writers are never called.
            let name = self.path.strip_prefix("exports/")?;
            let mut bytes = None;
            crate::export::each_file(&inner.site, &crate::export::ALL, |path, write| {
                if path == name {
                    let mut written = Vec::new();
                    write(&mut written)?;
                    bytes = Some(written);
                }
                std::io::Result::Ok(())
            })
            .ok()?;
            bytes?
        };
        Some(asset(&self.path, &bytes, Some(self.generation)))
    }
}

/// The files besides its own page that carry a document's body.
fn body_files(document: Document) -> &'static [&'static str] {
    match document {
        Document::Guideline(_) => &[
            crate::render::urls::PRINT,
            "exports/model.json",
            "exports/guidelines.oscal.json",
        ],
        Document::Example(_) => &[crate::render::urls::PRINT, "exports/model.json"],
        Document::Page(_) | Document::Domain(_) => &[crate::render::urls::PRINT],
    }
}

/// Rebuilds `previous` for a change of `changed` files, if only document bodies changed;
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
    let mut patched: Vec<(Document, String)> = Vec::new();
    for path in changed {
        let patch =
            inner.documents.get(path).copied().and_then(|document| {
                patch_document(&mut inner, document, path).map(|p| (document, p))
            });
        let Some((document, (page, docs, old_body))) = patch else {
            // Put back the bodies patched so far: the full rebuild takes over from the last build.
            for (document, body) in patched {
                *body_of(&mut inner.site, document) = body;
            }
            return None;
        };
        patched.push((document, old_body));
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

    let mut stale: Vec<&str> = patched
        .iter()
        .flat_map(|(d, _)| body_files(*d))
        .copied()
        .collect();
    stale.sort_unstable();
    stale.dedup();
    let deferred = defer_body_files(previous, &mut files, &stale, state, generation);
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
    stale: &[&str],
    state: &Arc<LiveState>,
    generation: u64,
) -> HashMap<String, Arc<Deferred>> {
    let mut deferred = (*previous.deferred).clone();
    for path in stale.iter().map(|p| p.to_string()) {
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

/// Re-reads `document` from `path` and, if only its body changed in a way no other page can
/// notice, puts the new body in the site and returns its new page, search documents and old
/// body.
fn patch_document(
    inner: &mut Inner,
    document: Document,
    path: &Path,
) -> Option<(render::RenderedPage, Vec<SearchDoc>, String)> {
    let content_dir = inner.site.content_dir.clone();
    let relative = path.strip_prefix(&content_dir).ok()?;
    let fresh = crate::load::document_file(&inner.root, &content_dir, relative)?;
    let body = only_body_changed(&inner.site, document, fresh)?;
    let before = render::document_page(&inner.site, &inner.theme, document).ok()?;
    let old_body = std::mem::replace(body_of(&mut inner.site, document), body);
    let after = render::document_page(&inner.site, &inner.theme, document).ok();
    let same_links = after.as_ref().is_some_and(|after| {
        after.diagnostics.is_empty()
            && after.typed_links == before.typed_links
            && after.anchor_links == before.anchor_links
            && after.element_ids == before.element_ids
    });
    if !same_links {
        // Leave the state as the last full build made it; the full rebuild takes over.
        *body_of(&mut inner.site, document) = old_body;
        return None;
    }
    let page = after?;
    let docs = page.search_docs.clone();
    Some((page, docs, old_body))
}

/// The new body of `document`, if everything but its body is as the site has it.
fn only_body_changed(site: &Site, document: Document, fresh: Loaded) -> Option<String> {
    let same = match (document, &fresh) {
        (Document::Guideline(g), Loaded::Guideline(new)) => {
            let old = &site.guidelines[g].guideline;
            (&new.meta, &new.source, &new.domain, &new.slug)
                == (&old.meta, &old.source, &old.domain, &old.slug)
        }
        (Document::Example(e), Loaded::Example(new)) => {
            let old = &site.examples[e].example;
            (&new.meta, &new.source, &new.slug) == (&old.meta, &old.source, &old.slug)
        }
        (Document::Page(p), Loaded::Page(new)) => {
            let old = &site.pages[p];
            (&new.meta, &new.source, &new.slug) == (&old.meta, &old.source, &old.slug)
        }
        (Document::Domain(d), Loaded::Domain(new)) => {
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

/// Where the site keeps the body of `document`.
fn body_of(site: &mut Site, document: Document) -> &mut String {
    match document {
        Document::Guideline(g) => &mut site.guidelines[g].guideline.body,
        Document::Example(e) => &mut site.examples[e].example.body,
        Document::Page(p) => &mut site.pages[p].body,
        Document::Domain(d) => &mut site.domains[d].body,
    }
}
