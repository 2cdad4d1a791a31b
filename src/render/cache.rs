//! Rendered Markdown, kept by whoever renders: a one-off build drops it with the build, `serve`
//! keeps one across rebuilds so only documents whose text changed are rendered again. The key
//! holds everything a rendering depends on: the text, where it comes from (for diagnostics), the
//! page's way back to the root, the highlight setting, and a fingerprint of every link target in
//! the site (a new id or slug changes how links resolve). Highlighted code blocks are kept too:
//! highlighting is the costliest step of rendering, and an edited body keeps most of its blocks.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::markdown::{self, Highlights};

/// Markdown rendered for one page, with what it found.
pub struct Body {
    pub html: String,
    pub toc: Vec<markdown::TocEntry>,
    pub diagnostics: Vec<crate::diagnostic::Diagnostic>,
    pub typed_links: Vec<String>,
    pub sections: Vec<markdown::TextSection>,
    pub anchor_links: Vec<markdown::AnchorLink>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct Key {
    pub text: String,
    pub file: PathBuf,
    pub line_offset: usize,
    pub root: String,
    pub highlight: bool,
    pub links: u64,
}

/// Past this many entries the cache starts afresh (it only grows while serving and editing).
const MAX_ENTRIES: usize = 200_000;

/// Rendered bodies and highlighted code, shared by the threads of a render.
#[derive(Default)]
pub struct MarkdownCache {
    /// Fx-hashed: a key holds a whole document, which SipHash took 1% of a build to hash (keys
    /// are compared whole, so a collision costs time, never a wrong body).
    bodies: Mutex<rustc_hash::FxHashMap<Key, Arc<Body>>>,
    highlights: Highlights,
}

impl MarkdownCache {
    /// The cached rendering for `key`, or `render()`'s, which is then kept.
    pub(super) fn get_or_render(
        &self,
        key: Key,
        render: impl FnOnce(&Highlights) -> Body,
    ) -> Arc<Body> {
        if let Some(body) = self.bodies.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return body;
        }
        let body = Arc::new(render(&self.highlights));
        if let Ok(mut entries) = self.bodies.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(key, body.clone());
        }
        body
    }
}
