//! Rendered Markdown kept for the life of the process, so `serve` re-renders only the documents
//! whose text changed. The key holds everything a rendering depends on: the text, where it
//! comes from (for diagnostics), the page's way back to the root, the highlight setting, and a
//! fingerprint of every link target in the site (a new id or slug changes how links resolve).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use super::context::Body;

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

fn cache() -> &'static Mutex<HashMap<Key, Arc<Body>>> {
    static CACHE: OnceLock<Mutex<HashMap<Key, Arc<Body>>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// The cached rendering for `key`, or `render()`'s, which is then kept.
pub(super) fn get_or_render(key: Key, render: impl FnOnce() -> Body) -> Arc<Body> {
    if let Some(body) = cache().lock().ok().and_then(|c| c.get(&key).cloned()) {
        return body;
    }
    let body = Arc::new(render());
    if let Ok(mut entries) = cache().lock() {
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(key, body.clone());
    }
    body
}

/// Forgets every rendering, highlighted code included (tests use it to compare cached and
/// fresh builds; a one-shot build, to free the memory once it has rendered every page).
pub fn clear() {
    if let Ok(mut entries) = cache().lock() {
        *entries = HashMap::new();
    }
    crate::markdown::clear_highlight_cache();
}
