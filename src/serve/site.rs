//! A built site as the server holds it: every file in memory with its content type and ETag,
//! the tantivy index, and the errors of the last build (if it failed).

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::pipeline::{self, BuildOptions};
use crate::search::index::SearchIndex;

use super::fast::{Deferred, LiveState};

#[derive(Clone)]
pub struct Asset {
    pub bytes: axum::body::Bytes,
    pub etag: String,
    pub content_type: String,
    /// The build that made this file (an open page is stale when its file is newer).
    pub generation: u64,
}

pub struct Snapshot {
    pub files: Arc<HashMap<String, Asset>>,
    /// Files made on their first request (after a fast rebuild; see `fast`).
    pub deferred: Arc<HashMap<String, Arc<Deferred>>>,
    pub index: Option<Arc<SearchIndex>>,
    pub title_boost: f32,
    pub default_limit: usize,
    /// The errors of the latest build; empty when it succeeded.
    pub errors: Arc<Vec<Diagnostic>>,
    pub generation: u64,
    /// What a fast rebuild needs (only after a full build without diagnostics).
    pub live: Option<Arc<LiveState>>,
}

/// Past this many segments (one per rebuild), the live index is rebuilt whole.
pub(super) const MAX_SEGMENTS: usize = 40;

/// The live-reload client, added to every HTML page when watching.
pub const LIVE_SCRIPT: &str = "/__guidebook/live.js";

impl Snapshot {
    /// A site with no pages yet (before the first build).
    pub fn empty() -> Self {
        Self {
            files: Arc::new(HashMap::new()),
            deferred: Arc::default(),
            index: None,
            title_boost: 2.0,
            default_limit: 10,
            errors: Arc::new(Vec::new()),
            generation: 0,
            live: None,
        }
    }

    /// Builds the book at `root` in memory, adding the reload script to each page. The search
    /// index of `previous` is updated in place (only changed documents) when there is one.
    pub fn build(root: &Path, generation: u64, previous: &Snapshot) -> Result<Self> {
        let options = BuildOptions {
            skip_static_search: true,
            ..BuildOptions::default()
        };
        let rendered = pipeline::render_site(root, &options)?;
        let search = &rendered.site.config.output.html.search;
        let index = match (&previous.index, search.enable) {
            (_, false) => None,
            (Some(index), true) if index.segments() < MAX_SEGMENTS => {
                index.update(&rendered.search_docs)?;
                Some(index.clone())
            }
            (_, true) => Some(Arc::new(SearchIndex::in_memory(&rendered.search_docs)?)),
        };
        let files = rendered
            .output
            .iter()
            .map(|(path, bytes)| (path.to_string(), asset(path, bytes, Some(generation))))
            .collect();
        let mut snapshot = Self::complete(files, index, search, generation);
        if rendered.diagnostics.is_empty() {
            let state = LiveState::new(root, rendered.site, rendered.search_docs)?;
            snapshot.live = Some(Arc::new(state));
        }
        Ok(snapshot)
    }

    /// The file at `path`: made now if it is deferred.
    pub fn file(&self, path: &str) -> Option<&Asset> {
        self.files
            .get(path)
            .or_else(|| self.deferred.get(path).and_then(|d| d.get()))
    }

    pub fn has_file(&self, path: &str) -> bool {
        self.files.contains_key(path) || self.deferred.contains_key(path)
    }

    /// A snapshot of a successful build.
    fn complete(
        files: HashMap<String, Asset>,
        index: Option<Arc<SearchIndex>>,
        search: &crate::config::SearchConfig,
        generation: u64,
    ) -> Self {
        Self {
            files: Arc::new(files),
            deferred: Arc::default(),
            index,
            title_boost: search.boost_title,
            default_limit: search.limit_results,
            errors: Arc::new(Vec::new()),
            generation,
            live: None,
        }
    }

    /// Serves an existing build folder as it is (read-only, no reload script).
    pub fn from_build_dir(root: &Path) -> Result<Self> {
        let config = pipeline::load_config(root)?;
        let dir = root.join(&config.build.build_dir);
        if !dir.is_dir() {
            return Err(Error::Serve(format!(
                "{} does not exist: run `guidebook build` first, or serve without --no-watch",
                dir.display()
            )));
        }
        let real_root = dir.canonicalize().map_err(|e| Error::read(&dir, e))?;
        let mut files = HashMap::new();
        for entry in walkdir::WalkDir::new(&dir).follow_links(true) {
            let entry = entry.map_err(|e| Error::read(&dir, e.into()))?;
            if !entry.file_type().is_file() {
                continue;
            }
            // A symlink that leads out of the build folder is not served.
            let real = entry
                .path()
                .canonicalize()
                .map_err(|e| Error::read(entry.path(), e))?;
            if !real.starts_with(&real_root) {
                continue;
            }
            let relative = entry.path().strip_prefix(&dir).unwrap_or(entry.path());
            let path = relative
                .iter()
                .map(|p| p.to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            let bytes = std::fs::read(entry.path()).map_err(|e| Error::read(entry.path(), e))?;
            files.insert(path.clone(), asset(&path, &bytes, None));
        }
        let index = SearchIndex::open_any(&pipeline::search_index_dir(root))?.map(Arc::new);
        Ok(Self::complete(files, index, &config.output.html.search, 0))
    }

    /// The same files with the errors of a failed build.
    pub fn with_errors(&self, errors: Vec<Diagnostic>, generation: u64) -> Self {
        Self {
            files: self.files.clone(),
            deferred: self.deferred.clone(),
            index: self.index.clone(),
            title_boost: self.title_boost,
            default_limit: self.default_limit,
            errors: Arc::new(errors),
            generation,
            // A failed build is never patched: the next rebuild is a full one.
            live: None,
        }
    }

    pub fn file_count(&self) -> usize {
        self.files.len() + self.deferred.len()
    }
}

pub(super) fn asset(path: &str, bytes: &[u8], live_generation: Option<u64>) -> Asset {
    let content_type = content_type(path);
    let bytes = match live_generation {
        Some(generation) if content_type.starts_with("text/html") => {
            with_live_script(bytes, generation)
        }
        _ => bytes.to_vec(),
    };
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut hasher);
    Asset {
        etag: format!("\"{:016x}-{:x}\"", hasher.finish(), bytes.len()),
        bytes: bytes.into(),
        content_type,
        generation: live_generation.unwrap_or(0),
    }
}

fn content_type(path: &str) -> String {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    match mime.type_() {
        mime_guess::mime::TEXT | mime_guess::mime::JAVASCRIPT => format!("{mime}; charset=utf-8"),
        _ if mime.subtype() == mime_guess::mime::JAVASCRIPT || mime.subtype() == "xml" => {
            format!("{mime}; charset=utf-8")
        }
        _ => mime.to_string(),
    }
}

/// Adds the reload client before `</head>`, telling it which build the page came from.
fn with_live_script(html: &[u8], generation: u64) -> Vec<u8> {
    let text = String::from_utf8_lossy(html);
    let tag =
        format!("<script src=\"{LIVE_SCRIPT}\" data-generation=\"{generation}\" defer></script>");
    match text.find("</head>") {
        Some(i) => format!("{}{tag}{}", &text[..i], &text[i..]).into_bytes(),
        None => format!("{text}{tag}").into_bytes(),
    }
}
