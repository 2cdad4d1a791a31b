//! A built site as the server holds it: every file in memory with its content type and ETag,
//! the tantivy index, and the errors of the last build (if it failed).

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use std::sync::OnceLock;

use rayon::prelude::*;

use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::pipeline::{self, live::LiveSite};
use crate::render::MarkdownCache;
use crate::search::SearchDoc;
use crate::search::index::SearchIndex;

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
    /// Files made on their first request (left stale by an incremental rebuild).
    pub deferred: Arc<HashMap<String, Arc<Deferred>>>,
    pub index: Option<Arc<SearchIndex>>,
    pub title_boost: f32,
    pub default_limit: usize,
    /// The errors of the latest build; empty when it succeeded.
    pub errors: Arc<Vec<Diagnostic>>,
    pub generation: u64,
    /// The build these files came from, which the next incremental rebuild starts from
    /// (`None` after a failed build, and when serving a build folder).
    pub live: Option<Arc<LiveSite>>,
}

/// A file made on its first request (then kept), from the build it belongs to: print.html and
/// the exports carrying bodies after an incremental rebuild, which at 10,000 guidelines take
/// longer than the rebuild itself.
pub struct Deferred {
    site: Arc<LiveSite>,
    path: String,
    generation: u64,
    made: OnceLock<std::result::Result<Asset, String>>,
}

impl Deferred {
    /// The file, or why it could not be made.
    pub fn get(&self) -> std::result::Result<&Asset, &str> {
        let made = self.made.get_or_init(|| match self.site.make(&self.path) {
            Ok(Some(bytes)) => Ok(asset(&self.path, bytes, Some(self.generation))),
            Ok(None) => Err(format!("{} is not part of this site", self.path)),
            Err(err) => Err(format!("cannot make {}: {err}", self.path)),
        });
        made.as_ref().map_err(String::as_str)
    }
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
    pub fn build(
        root: &Path,
        generation: u64,
        previous: &Snapshot,
        cache: Arc<MarkdownCache>,
    ) -> Result<Self> {
        // A new index fills on threads of its own from the moment the search documents exist,
        // while the exports are made and the files become assets (at 10,000 guidelines each
        // takes seconds). An index already served is only updated once this build succeeded.
        let fresh = previous.index.is_none();
        let (live, output, early) = LiveSite::build_beside(root, cache, |site, docs| {
            let enable = site.config.output.html.search.enable;
            (fresh && enable).then(|| {
                let docs = docs.to_vec();
                std::thread::Builder::new()
                    .name("guidebook-index".into())
                    .spawn(move || index_of(None, &docs))
            })
        })?;
        let search = &live.site().config.output.html.search;
        let (index, files) = std::thread::scope(|scope| {
            let indexing = scope.spawn(|| match early {
                Some(started) => started
                    .map_err(|e| Error::Search(format!("cannot start the indexing thread: {e}")))?
                    .join()
                    .unwrap_or_else(|_| Err(Error::Search("the indexing thread panicked".into()))),
                None if !search.enable => Ok(None),
                None => index_of(previous.index.clone(), &live.search_docs()),
            });
            let files: HashMap<String, Asset> = (output.into_memory().into_par_iter())
                .map(|(path, bytes)| {
                    let asset = asset(&path, bytes, Some(generation));
                    (path, asset)
                })
                .collect();
            let index = indexing
                .join()
                .unwrap_or_else(|_| Err(Error::Search("the indexing thread panicked".into())));
            (index, files)
        });
        let index = index?;
        let mut snapshot = Self::complete(files, index, search, generation);
        snapshot.live = Some(live);
        Ok(snapshot)
    }

    /// The next snapshot for a change of `changed` files, rebuilt incrementally from this
    /// one's build; `None` when the full build is needed, an error when the content has errors.
    pub fn rebuild(&self, changed: &[PathBuf], generation: u64) -> Option<Result<Self>> {
        let live = self.live.as_ref()?;
        // Each rebuild adds a segment to the live index; past the limit, the full build remakes it.
        if (self.index.as_ref()).is_some_and(|index| index.segments() >= MAX_SEGMENTS) {
            return None;
        }
        let rebuilt = match live.rebuild(changed) {
            Ok(Some(rebuilt)) => rebuilt,
            Ok(None) => return None,
            Err(err) => return Some(Err(err)),
        };
        if let Some(index) = &self.index {
            // A failed update leaves the index to the full build, which makes it whole again.
            index
                .replace(&rebuilt.removed_docs, &rebuilt.added_docs)
                .ok()?;
        }
        let mut files = (*self.files).clone();
        let mut deferred = (*self.deferred).clone();
        for path in &rebuilt.removed {
            files.remove(path);
            deferred.remove(path);
        }
        for (path, bytes) in rebuilt.files {
            deferred.remove(&path);
            let asset = asset(&path, bytes, Some(generation));
            files.insert(path, asset);
        }
        for path in rebuilt.stale {
            files.remove(&path);
            let file = Deferred {
                site: rebuilt.site.clone(),
                path: path.clone(),
                generation,
                made: OnceLock::new(),
            };
            deferred.insert(path, Arc::new(file));
        }
        Some(Ok(Self {
            files: Arc::new(files),
            deferred: Arc::new(deferred),
            index: self.index.clone(),
            title_boost: self.title_boost,
            default_limit: self.default_limit,
            errors: self.errors.clone(),
            generation,
            live: Some(rebuilt.site),
        }))
    }

    /// Whether no build has succeeded yet (`serve` answers with a "building" page meanwhile).
    pub fn before_first_build(&self) -> bool {
        self.files.is_empty() && self.live.is_none()
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
            return Err(Error::NoBuildFolder(dir));
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
            let path = crate::safe_path::slash_path(relative);
            let bytes = std::fs::read(entry.path()).map_err(|e| Error::read(entry.path(), e))?;
            files.insert(path.clone(), asset(&path, bytes, None));
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
            // A failed build is never rebuilt incrementally: the next rebuild is a full one.
            live: None,
        }
    }

    pub fn file_count(&self) -> usize {
        self.files.len() + self.deferred.len()
    }
}

/// The search index of a full build: `previous` brought up to date in place, or a new one.
fn index_of(
    previous: Option<Arc<SearchIndex>>,
    docs: &[SearchDoc],
) -> Result<Option<Arc<SearchIndex>>> {
    match previous {
        // A failed update (a poisoned or broken writer) leaves that index behind.
        Some(index) if index.segments() < MAX_SEGMENTS && index.update(docs).is_ok() => {
            Ok(Some(index))
        }
        _ => SearchIndex::in_memory(docs).map(|index| Some(Arc::new(index))),
    }
}

pub(super) fn asset(path: &str, bytes: Vec<u8>, live_generation: Option<u64>) -> Asset {
    let content_type = content_type(path);
    let bytes = match live_generation {
        Some(generation) if content_type.starts_with("text/html") => {
            with_live_script(bytes, generation)
        }
        _ => bytes,
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
fn with_live_script(html: Vec<u8>, generation: u64) -> Vec<u8> {
    let mut text = String::from_utf8(html)
        .unwrap_or_else(|invalid| String::from_utf8_lossy(invalid.as_bytes()).into_owned());
    let tag =
        format!("<script src=\"{LIVE_SCRIPT}\" data-generation=\"{generation}\" defer></script>");
    let at = text.find("</head>").unwrap_or(text.len());
    text.insert_str(at, &tag);
    text.into_bytes()
}
