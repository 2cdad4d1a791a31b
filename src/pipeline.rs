//! The one entry point the CLI (and later `serve`) calls: load -> resolve -> render -> write,
//! with the time each stage took.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::config::{BookConfig, CONFIG_FILE};
use crate::diagnostic::{Diagnostic, Diagnostics, Severity};
use crate::error::{Error, Result};
use crate::output::Output;
use crate::render::{self, Theme};
use crate::resolve::{self, Site};
use crate::search::SearchDoc;
use crate::search::index::SearchIndex;

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
pub struct Rendered {
    pub site: Site,
    pub output: Output,
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

/// Loads, resolves and renders the book at `root` into memory. Fails with every content error.
pub fn render_site(root: &Path, options: &BuildOptions) -> Result<Rendered> {
    render_into(root, options, Output::default(), None)
}

/// Where `build` writes the tantivy index, and the content fingerprint it records.
struct IndexTarget {
    dir: PathBuf,
    fingerprint: String,
}

/// [`render_site`] into a given (empty) output: in memory, or spooled to disk by `build`, which
/// also has the tantivy index written (on its own thread, beside the static index and exports).
fn render_into(
    root: &Path,
    options: &BuildOptions,
    output: Output,
    index: Option<&IndexTarget>,
) -> Result<Rendered> {
    let mut timings = Timings::default();
    let config = timings.time("config", || load_config(root))?;
    let content_dir = root.join(&config.book.src);
    let theme_dir = config.output.html.theme.as_ref().map(|t| root.join(t));
    let (content, mut diagnostics) =
        timings.time("load", || crate::load::load(root, &content_dir))?;
    let site = timings.time("resolve", || {
        resolve::resolve(config, &content_dir, content, &mut diagnostics)
    });
    let theme = timings.time("theme", || Theme::load(theme_dir.as_deref()))?;
    let mut rendering = timings.time("render", || {
        render::render(&site, &theme, output, &mut diagnostics)
    })?;
    // Nothing after rendering reports on content: fail now, before anything is indexed.
    let deny = options.deny_warnings || site.config.guidebook.deny_warnings;
    let failed = diagnostics.has_errors() || (deny && diagnostics.count(Severity::Warning) > 0);
    let diagnostics = diagnostics_in_order(diagnostics);
    if failed {
        return Err(Error::Content(diagnostics));
    }
    if index.is_some() {
        // A one-shot build has no more use for rendered Markdown: freeing it lowers the peak.
        render::cache::clear();
    }
    index_and_export(&site, &mut rendering, options, index, &mut timings)?;
    Ok(Rendered {
        site,
        output: rendering.output,
        search_docs: rendering.search_docs,
        diagnostics,
        timings,
    })
}

/// The stages after rendering: the tantivy index (when `index` says where) on its own thread,
/// and beside it the static index and the exports, which are independent of each other.
fn index_and_export(
    site: &Site,
    rendering: &mut render::Rendering,
    options: &BuildOptions,
    index: Option<&IndexTarget>,
    timings: &mut Timings,
) -> Result<()> {
    let search = &site.config.output.html.search;
    let index = index.filter(|_| search.enable);
    let output = &mut rendering.output;
    std::thread::scope(|scope| {
        let docs = &rendering.search_docs;
        let indexing = index.map(|target| {
            scope.spawn(move || SearchIndex::write(&target.dir, docs, &target.fingerprint))
        });
        let (files, exported) = timings.time("client-index+exports", || {
            rayon::join(
                || {
                    (search.enable && !options.skip_static_search).then(|| {
                        let labels = crate::search::client::labels_for(site);
                        crate::search::client::build(
                            docs,
                            search.boost_title,
                            search.teaser_word_count,
                            &labels,
                        )
                    })
                },
                || {
                    let mut exported = Vec::new();
                    let written =
                        crate::export::each_file(site, &crate::export::ALL, |path, write| {
                            let path = format!("exports/{path}");
                            exported.push((path.clone(), output.prepare_with(&path, write)?));
                            Ok(())
                        });
                    written.map(|()| exported)
                },
            )
        });
        let stored = files
            .unwrap_or_default()
            .into_iter()
            .try_for_each(|(path, text)| output.insert(path, text.into_bytes()));
        let exported = exported.map(|files| {
            for (path, file) in files {
                output.add(path, file);
            }
        });
        let indexed = timings.time("index-wait", || {
            indexing.map_or(Ok(()), |handle| {
                handle
                    .join()
                    .unwrap_or_else(|_| Err(Error::Search("the indexing thread panicked".into())))
            })
        });
        stored.and(exported).and(indexed)
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
        fingerprint: content_fingerprint(root)?,
    };
    let Rendered {
        output,
        diagnostics,
        mut timings,
        ..
    } = {
        let content = root.join(&config.book.src);
        let output = Output::spooled(&dest, root, &content)?;
        render_into(root, options, output, Some(&index))?
    };
    timings.time("commit", || output.commit())?;
    Ok(Report {
        dest: Some(dest),
        pages: output.len(),
        bytes: output.total_bytes(),
        diagnostics,
        timings: timings.0,
    })
}

/// Opens the search index of the book at `root`, building the book first when the index is
/// missing, of an older schema, or older than the content.
pub fn open_search_index(root: &Path) -> Result<SearchIndex> {
    let fingerprint = content_fingerprint(root)?;
    if let Some(index) = SearchIndex::open_fresh(&search_index_dir(root), &fingerprint)? {
        return Ok(index);
    }
    build(root, &BuildOptions::default())?;
    SearchIndex::open_fresh(&search_index_dir(root), &fingerprint)?
        .ok_or_else(|| Error::Search("the index was built but cannot be opened".into()))
}

/// A digest of every input file's path, size and modification time (book.toml, content, theme).
pub fn content_fingerprint(root: &Path) -> Result<String> {
    use std::hash::{Hash, Hasher};
    let config = load_config(root)?;
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
    Ok(format!("{:016x}", hasher.finish()))
}

/// Runs every validation of a build without writing anything.
pub fn check(root: &Path, options: &BuildOptions) -> Result<Report> {
    let rendered = render_site(root, options)?;
    Ok(Report {
        dest: None,
        pages: rendered.output.len(),
        bytes: rendered.output.total_bytes(),
        diagnostics: rendered.diagnostics,
        timings: rendered.timings.0,
    })
}

fn diagnostics_in_order(diagnostics: Diagnostics) -> Vec<Diagnostic> {
    diagnostics.sorted()
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
