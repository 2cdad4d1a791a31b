//! The stages in order, for every caller: load -> resolve -> render -> search documents ->
//! indexes and exports -> write, with the time each stage took. `build` writes a site, `check`
//! stops after rendering, `resolve_site` after resolving (`export`), and [`live`] keeps a site in
//! memory and rebuilds it incrementally (`serve`).

pub mod live;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::config::{BookConfig, CONFIG_FILE};
use crate::diagnostic::{Diagnostic, Diagnostics, Severity};
use crate::error::{Error, Result};
use crate::output::Output;
use crate::render::{self, MarkdownCache, Theme};
use crate::resolve::{self, Site};
use crate::search::SearchDoc;
use crate::search::index::SearchIndex;
use crate::search::vocabulary::Vocabulary;
use rayon::prelude::*;

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Where to write the site; `None` means `build-dir` from book.toml, relative to the root.
    pub dest: Option<PathBuf>,
    pub deny_warnings: bool,
    /// Leave out the static site's search index (`serve` answers searches with its API).
    pub skip_static_search: bool,
}

/// The result of a successful build or check.
#[derive(Debug)]
pub struct Report {
    pub dest: Option<PathBuf>,
    pub pages: usize,
    pub bytes: usize,
    /// Warnings (errors fail the build instead).
    pub diagnostics: Vec<Diagnostic>,
    pub timings: Vec<(&'static str, Duration)>,
}

/// Finds the book root: the nearest folder at or above `start` holding book.toml.
pub fn find_root(start: &Path) -> Result<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join(CONFIG_FILE).is_file())
        .map(Path::to_path_buf)
        .ok_or_else(|| Error::NoBookRoot(start.to_path_buf()))
}

pub fn load_config(root: &Path) -> Result<BookConfig> {
    let path = root.join(CONFIG_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| Error::read(&path, e))?;
    BookConfig::parse(&text, Path::new(CONFIG_FILE)).map_err(Error::Content)
}

/// A site rendered in memory, with what is needed to index and report it.
pub struct Built {
    pub site: Site,
    pub output: Output,
    /// Sorted by URL, so indexes built from them are deterministic.
    pub search_docs: Vec<SearchDoc>,
    /// Warnings (errors fail the build instead).
    pub diagnostics: Vec<Diagnostic>,
    pub timings: Timings,
}

/// Where `build` keeps the tantivy index: a cache beside the content, outside the published
/// site (tantivy's segment files carry random ids and would make builds differ byte for byte).
pub fn search_index_dir(root: &Path) -> PathBuf {
    root.join(".guidebook").join("search-index")
}

/// Loads, resolves and renders the book at `root` into memory, with its static search index
/// and exports. Fails with every content error.
pub fn render_site(root: &Path, options: &BuildOptions) -> Result<Built> {
    let config = load_config(root)?;
    let stages = Stages::ALL.without_static_search(options.skip_static_search);
    Run::new(root, options, stages).run(config, Output::default())
}

/// Loads and resolves the book at `root`, failing on any error: all `export` needs.
pub fn resolve_site(root: &Path) -> Result<(Site, Vec<Diagnostic>)> {
    let mut timings = Timings::default();
    let config = load_config(root)?;
    let (site, diagnostics) = load_and_resolve(root, config, &mut timings)?;
    let diagnostics = fail_on_errors(diagnostics, site.config.guidebook.deny_warnings)?;
    Ok((site, diagnostics))
}

/// Which stages after rendering a run makes.
#[derive(Clone, Copy)]
struct Stages {
    static_search: bool,
    exports: bool,
}

impl Stages {
    const ALL: Stages = Stages {
        static_search: true,
        exports: true,
    };
    /// `check`: every validation, nothing after rendering.
    const CHECK: Stages = Stages {
        static_search: false,
        exports: false,
    };

    fn without_static_search(self, skip: bool) -> Self {
        Self {
            static_search: self.static_search && !skip,
            ..self
        }
    }
}

/// Where `build` writes the tantivy index, and the content fingerprint it records.
struct IndexTarget {
    dir: PathBuf,
    fingerprint: String,
}

fn load_and_resolve(
    root: &Path,
    config: BookConfig,
    timings: &mut Timings,
) -> Result<(Site, Diagnostics)> {
    let content_dir = root.join(&config.book.src);
    let (content, mut diagnostics) =
        timings.time("load", || crate::load::load(root, &content_dir))?;
    let site = timings.time("resolve", || {
        resolve::resolve(config, &content_dir, content, &mut diagnostics)
    });
    Ok((site, diagnostics))
}

/// The problems of a run in order, or the error that fails it: any error, or any warning when
/// warnings are denied.
fn fail_on_errors(diagnostics: Diagnostics, deny_warnings: bool) -> Result<Vec<Diagnostic>> {
    let failed =
        diagnostics.has_errors() || (deny_warnings && diagnostics.count(Severity::Warning) > 0);
    let diagnostics = diagnostics.sorted();
    if failed {
        return Err(Error::Content(diagnostics));
    }
    Ok(diagnostics)
}

/// One run of the stages from loading to `stages`.
struct Run<'a> {
    root: &'a Path,
    options: &'a BuildOptions,
    stages: Stages,
    /// A cache kept across runs (`serve`); `None` gives the run a cache of its own, dropped once
    /// every page is rendered (a one-shot build has no more use for rendered Markdown: freeing
    /// it lowers the peak).
    cache: Option<&'a MarkdownCache>,
    /// The theme, when the caller has loaded it already.
    theme: Option<&'a Theme>,
    /// Where `build` writes the tantivy index.
    index: Option<&'a IndexTarget>,
}

impl<'a> Run<'a> {
    fn new(root: &'a Path, options: &'a BuildOptions, stages: Stages) -> Self {
        Self {
            root,
            options,
            stages,
            cache: None,
            theme: None,
            index: None,
        }
    }

    /// Runs the stages with `config`, rendering into `output` (empty; in memory or spooled).
    fn run(self, config: BookConfig, output: Output) -> Result<Built> {
        let mut timings = Timings::default();
        let theme_dir = config.output.html.theme.as_ref().map(|t| self.root.join(t));
        let (site, mut diagnostics) = load_and_resolve(self.root, config, &mut timings)?;
        let loaded_theme = match self.theme {
            Some(_) => None,
            None => Some(timings.time("theme", || Theme::load(theme_dir.as_deref()))?),
        };
        let theme = self
            .theme
            .or(loaded_theme.as_ref())
            .ok_or_else(|| Error::Theme("no theme".into()))?;
        let own_cache = MarkdownCache::default();
        let cache = self.cache.unwrap_or(&own_cache);
        let rendering = timings.time("render", || {
            render::render(&site, theme, cache, output, &mut diagnostics)
        })?;
        if self.cache.is_none() {
            drop_beside(own_cache);
        }
        // Nothing after rendering reports on content: fail now, before anything is indexed.
        let deny = self.options.deny_warnings || site.config.guidebook.deny_warnings;
        let diagnostics = fail_on_errors(diagnostics, deny)?;
        let search_docs = timings.time("search-docs", || {
            let texts = rendering.texts.into_iter();
            crate::search::documents::of_site(&site, texts.map(|t| (t.entity, t.path, t.sections)))
        });
        let mut output = rendering.output;
        let (stages, index) = (self.stages, self.index);
        index_and_export(
            &site,
            &search_docs,
            &mut output,
            stages,
            index,
            &mut timings,
        )?;
        Ok(Built {
            site,
            output,
            search_docs,
            diagnostics,
            timings,
        })
    }
}

/// The stages after rendering: the tantivy index (when `index` says where) on its own thread,
/// and beside it the static index and the exports, which are independent of each other. The
/// vocabulary both indexes keep is counted in the static index's pass over the words (or on
/// its own without one) and handed to the tantivy index once that is filled.
fn index_and_export(
    site: &Site,
    docs: &[SearchDoc],
    output: &mut Output,
    stages: Stages,
    index: Option<&IndexTarget>,
    timings: &mut Timings,
) -> Result<()> {
    let search = &site.config.output.html.search;
    let index = index.filter(|_| search.enable);
    let static_search = search.enable && stages.static_search;
    std::thread::scope(|scope| {
        let indexing = index.map(|target| {
            let staging = scope.spawn(move || SearchIndex::stage(&target.dir, docs));
            (target, staging)
        });
        let spool: &Output = output;
        let (stored, exported) = timings.time("client-index+exports", || {
            rayon::join(
                || {
                    if !static_search {
                        return Ok((Vec::new(), None));
                    }
                    let (terms, vocabulary) = crate::search::terms::analyze(docs);
                    let labels = crate::search::client::labels_for(site);
                    let files = crate::search::client::build(
                        docs,
                        terms,
                        &vocabulary,
                        search.boost_title,
                        search.teaser_word_count,
                        &labels,
                    );
                    // Thousands of small files at 10,000 guidelines, written in parallel: they
                    // come last, and one thread creating them left the other core idle.
                    let stored = files
                        .into_par_iter()
                        .map(|(path, text)| {
                            let stored = spool.prepare(&path, text.into_bytes())?;
                            Ok((path, stored))
                        })
                        .collect::<Result<Vec<_>>>()?;
                    Ok((stored, Some(vocabulary)))
                },
                || {
                    let mut exported = Vec::new();
                    if !stages.exports {
                        return Ok(exported);
                    }
                    let written = crate::export::each_file(
                        site,
                        &crate::export::ALL,
                        crate::export::Layout::Site,
                        |path, write| {
                            let path = format!("exports/{path}");
                            exported.push((path.clone(), spool.prepare_with(&path, write)?));
                            Ok(())
                        },
                    );
                    written.map(|()| exported)
                },
            )
        });
        let vocabulary = stored.map(|(files, vocabulary)| {
            for (path, file) in files {
                output.add(path, file);
            }
            vocabulary
        });
        let exported = exported.map(|files| {
            for (path, file) in files {
                output.add(path, file);
            }
        });
        let indexed = timings.time("index-wait", || {
            let Some((target, handle)) = indexing else {
                return Ok(());
            };
            let staged = handle
                .join()
                .unwrap_or_else(|_| Err(Error::Search("the indexing thread panicked".into())))?;
            let vocabulary = match &vocabulary {
                Ok(Some(counted)) => std::borrow::Cow::Borrowed(counted),
                Ok(None) => std::borrow::Cow::Owned(Vocabulary::of(docs)),
                // The build fails anyway: the staged index goes, the last one stays.
                Err(_) => return Ok(()),
            };
            staged.finish(&vocabulary, &target.fingerprint)
        });
        vocabulary.and(exported).and(indexed).map(|_| ())
    })
}

/// Builds the book at `root` and puts it in place atomically. Every file is written to a
/// staging folder as soon as it is rendered; the tantivy index is written alongside.
pub fn build(root: &Path, options: &BuildOptions) -> Result<Report> {
    let config = load_config(root)?;
    let dest = options
        .dest
        .clone()
        .unwrap_or_else(|| root.join(&config.build.build_dir));
    let index = IndexTarget {
        dir: search_index_dir(root),
        fingerprint: content_fingerprint(root, &config),
    };
    let output = Output::spooled(&dest, root, &root.join(&config.book.src))?;
    let stages = Stages::ALL.without_static_search(options.skip_static_search);
    let run = Run {
        index: Some(&index),
        ..Run::new(root, options, stages)
    };
    let Built {
        site,
        output,
        search_docs,
        diagnostics,
        mut timings,
    } = run.run(config, output)?;
    drop_beside((site, search_docs));
    timings.time("commit", || output.commit())?;
    Ok(Report {
        dest: Some(dest),
        pages: output.len(),
        bytes: output.total_bytes(),
        diagnostics,
        timings: timings.0,
    })
}

/// Drops `value` on a thread of its own. Freeing a large site or the rendered Markdown takes
/// about 50 ms each at 10,000 guidelines, which nothing needs to wait for (the main thread would
/// otherwise hold the next stage back; a one-shot build exits without waiting for it).
fn drop_beside<T: Send + 'static>(value: T) {
    // Should no thread start, the closure, and `value` with it, is dropped here.
    let _ = std::thread::Builder::new()
        .name("drop".into())
        .spawn(move || drop(value));
}

/// Opens the search index of the book at `root`, building the book first when the index is
/// missing or incomplete (no vocabulary file), of an older schema, or older than the content.
pub fn open_search_index(root: &Path) -> Result<SearchIndex> {
    let fingerprint = content_fingerprint(root, &load_config(root)?);
    if let Some(index) = SearchIndex::open_fresh(&search_index_dir(root), &fingerprint)? {
        return Ok(index);
    }
    build(root, &BuildOptions::default())?;
    SearchIndex::open_fresh(&search_index_dir(root), &fingerprint)?
        .ok_or_else(|| Error::Search("the index was built but cannot be opened".into()))
}

/// A digest of every input file's path, size and modification time (book.toml, content, theme).
pub fn content_fingerprint(root: &Path, config: &BookConfig) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    let mut inputs = vec![root.join(CONFIG_FILE), root.join(&config.book.src)];
    inputs.extend(config.output.html.theme.iter().map(|t| root.join(t)));
    for input in inputs {
        for entry in walkdir::WalkDir::new(&input)
            .sort_by_file_name()
            .into_iter()
            .flatten()
        {
            let Ok(meta) = entry.metadata() else { continue };
            entry.path().hash(&mut hasher);
            meta.len().hash(&mut hasher);
            meta.modified().ok().hash(&mut hasher);
        }
    }
    format!("{:016x}", hasher.finish())
}

/// Runs every validation of a build without writing anything.
pub fn check(root: &Path, options: &BuildOptions) -> Result<Report> {
    let config = load_config(root)?;
    let rendered = Run::new(root, options, Stages::CHECK).run(config, Output::default())?;
    Ok(Report {
        dest: None,
        pages: rendered.output.len(),
        bytes: rendered.output.total_bytes(),
        diagnostics: rendered.diagnostics,
        timings: rendered.timings.0,
    })
}

/// Wall time per pipeline stage, in the order they ran.
#[derive(Debug, Default)]
pub struct Timings(pub Vec<(&'static str, Duration)>);

impl Timings {
    fn time<T>(&mut self, stage: &'static str, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let value = f();
        self.0.push((stage, start.elapsed()));
        value
    }
}
