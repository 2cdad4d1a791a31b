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

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Where to write the site; `None` means `build-dir` from book.toml, relative to the root.
    pub dest: Option<PathBuf>,
    pub deny_warnings: bool,
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
    BookConfig::parse(&text, Path::new(CONFIG_FILE)).map_err(|d| Error::Content(vec![d]))
}

/// Loads, resolves and renders the book at `root` into memory. Fails with every content error.
pub fn render_site(
    root: &Path,
    options: &BuildOptions,
) -> Result<(Site, Output, Vec<Diagnostic>, Timings)> {
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
    let output = timings.time("render", || render::render(&site, &theme, &mut diagnostics))?;
    let deny = options.deny_warnings || site.config.guidebook.deny_warnings;
    let failed = diagnostics.has_errors() || (deny && diagnostics.count(Severity::Warning) > 0);
    let diagnostics = diagnostics_in_order(diagnostics);
    if failed {
        return Err(Error::Content(diagnostics));
    }
    Ok((site, output, diagnostics, timings))
}

/// Builds the book at `root` and writes it atomically.
pub fn build(root: &Path, options: &BuildOptions) -> Result<Report> {
    let (site, output, diagnostics, mut timings) = render_site(root, options)?;
    let dest = options
        .dest
        .clone()
        .unwrap_or_else(|| root.join(&site.config.build.build_dir));
    timings.time("write", || output.write_atomically(&dest))?;
    Ok(Report {
        dest: Some(dest),
        pages: output.len(),
        bytes: output.total_bytes(),
        diagnostics,
        timings: timings.0,
    })
}

/// Runs every validation of a build without writing anything.
pub fn check(root: &Path, options: &BuildOptions) -> Result<Report> {
    let (_, output, diagnostics, timings) = render_site(root, options)?;
    Ok(Report {
        dest: None,
        pages: output.len(),
        bytes: output.total_bytes(),
        diagnostics,
        timings: timings.0,
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
