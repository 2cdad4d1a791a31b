//! Stage 1: walk the content root, read every file of the content contract and deserialize it.
//!
//! Files are parsed in parallel; each one yields an item or diagnostics. Nothing here looks
//! across files: ids, links and mappings are checked by `resolve`.

mod crosswalk;
mod csv_catalog;
mod frontmatter;
mod oscal;
mod profile;
mod read_ahead;
mod walk;
mod yaml;

pub use walk::is_ignored;
use walk::{Listing, Walked, leaves_folder, list_files};

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::de::DeserializeOwned;

use crate::diagnostic::{Diagnostic, Diagnostics, Position};
use crate::error::{Error, Result};
use crate::model::{
    Catalog, CatalogFile, Content, Domain, DomainMeta, Example, ExampleMeta, Guideline,
    GuidelineMeta, Page, PageMeta, RolesFile, Source, Unloaded,
};

/// One file of the content root, classified by where it sits.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    Landing,
    Domain {
        folder: String,
    },
    Guideline {
        folder: String,
        slug: String,
        yaml: bool,
    },
    Catalog,
    OscalCatalog,
    Roles,
    CatalogInput,
    Baseline,
    BaselineSidecar,
    Crosswalk,
    Example {
        slug: String,
    },
    Page {
        slug: String,
    },
    Asset,
    Misplaced(&'static str),
}

#[derive(Clone)]
enum Loaded {
    Landing(Page),
    Domain(Domain),
    Guideline(Arc<Guideline>),
    Catalog(Box<CatalogFile>),
    Roles(RolesFile),
    Baseline(Box<crate::model::BaselineFile>),
    BaselineSidecar(crate::model::BaselineSidecar),
    Crosswalk(Box<crate::model::CrosswalkFile>),
    Example(Arc<Example>),
    Page(Page),
    Asset(PathBuf),
    /// A document that failed to load (its diagnostic says why), and what it would have defined.
    Failed(Unloaded),
    Nothing,
}

/// Reads the content root `content_dir`; paths in diagnostics are relative to `book_root`.
pub fn load(book_root: &Path, content_dir: &Path) -> Result<(Content, Diagnostics)> {
    let Listing {
        files, diagnostics, ..
    } = list_files(book_root, content_dir)?;
    let results: Vec<(Loaded, Diagnostics)> =
        read_ahead::while_reading(content_dir, &files, || {
            files
                .par_iter()
                .map(|relative| load_file(book_root, content_dir, relative, Walked::Checked))
                .collect()
        });
    Ok(assemble(diagnostics, results))
}

/// The files an earlier load parsed, each with the size and modification time it had then, so
/// a reload parses only the files that changed (`serve`).
#[derive(Default)]
pub struct LoadCache {
    files: HashMap<PathBuf, (Stamp, FileLoad)>,
    /// The files of the last walk (or of the last listing updated without one).
    listing: Option<Listing>,
    /// The files the last load read again (new, changed, or named by the watcher), relative
    /// to the content folder: a file reached through a link changes without being named.
    reread: HashSet<PathBuf>,
}

impl LoadCache {
    /// Whether the last load read `relative` again rather than keeping what it had.
    pub fn reread(&self, relative: &Path) -> bool {
        self.reread.contains(relative)
    }
}

type Stamp = (u64, Option<std::time::SystemTime>);

/// What loading one file gave.
type FileLoad = (Loaded, Diagnostics);

fn stamp(full: &Path) -> Stamp {
    let meta = std::fs::metadata(full).ok();
    let len = meta.as_ref().map_or(0, std::fs::Metadata::len);
    (len, meta.and_then(|m| m.modified().ok()))
}

/// [`load`], parsing again only the files that are not in `cache` as they are now (same size
/// and modification time) or that are in `changed` (full paths; the watcher saw them change).
/// The folder is not walked again when the changed paths are files the listing holds, or new or
/// removed files it can follow (see [`walk::updated_listing`]), and the folder has no links;
/// then only the changed files are checked, so an event the watcher missed is missed here too.
/// The result is what [`load`] gives; `cache` then holds the files of this load.
pub fn load_cached(
    book_root: &Path,
    content_dir: &Path,
    cache: &mut LoadCache,
    changed: &HashSet<PathBuf>,
) -> Result<(Content, Diagnostics)> {
    // Edits of files already loaded keep the list of files as it was.
    let only_edits = !changed.is_empty()
        && changed.iter().all(|full| {
            full.is_file()
                && full
                    .strip_prefix(content_dir)
                    .is_ok_and(|relative| cache.files.contains_key(relative))
        });
    // Files created or removed (a new guideline, a rename, a deletion) update the listing
    // without a walk when they can (see `updated_listing`). A folder with links is always
    // walked (a change under one name can change a file listed under another), and so is a
    // listing that refused something or stopped at the limit.
    let last = cache
        .listing
        .as_ref()
        .filter(|l| !l.links && l.diagnostics.is_empty());
    // (The listing of edits alone is the last one, taken as it is: cloning ten thousand paths
    // twice was a measurable part of a live rebuild.)
    let updated = match (last, only_edits) {
        (Some(_), true) => cache.listing.take(),
        (Some(last), false) if !changed.is_empty() => {
            walk::updated_listing(content_dir, &last.files, changed).map(|files| Listing {
                files,
                ..Listing::default()
            })
        }
        _ => None,
    };
    let only_edits = updated.is_some();
    let listing = match updated {
        Some(listing) => listing,
        None => list_files(book_root, content_dir)?,
    };
    let listed = listing.diagnostics.clone();
    let mut previous = std::mem::take(&mut cache.files);
    // The named files by their path under the content folder, so the listing is compared
    // without joining every one of its paths.
    let named: HashSet<&Path> = (changed.iter())
        .filter_map(|full| full.strip_prefix(content_dir).ok())
        .collect();
    let mut fresh: Vec<(PathBuf, Stamp, Option<FileLoad>)> = (listing.files.iter())
        .map(|relative| {
            let (relative, cached) = match previous.remove_entry(relative) {
                Some((known, cached)) => (known, Some(cached)),
                None => (relative.clone(), None),
            };
            let is_named = named.contains(relative.as_path());
            // After a walk, every file's size and time are checked (a missed event costs only
            // time); after edits the watcher named, only theirs.
            let now = match (&cached, only_edits && !is_named) {
                (Some((then, _)), true) => *then,
                _ => stamp(&content_dir.join(&relative)),
            };
            let kept = cached
                .filter(|(then, _)| *then == now && !is_named)
                .map(|(_, load)| load);
            (relative, now, kept)
        })
        .collect();
    cache.listing = Some(listing);
    // A catalog reads the CSV it names, a crosswalk its collection: when such an input came,
    // changed or went, catalogs and crosswalks are read again.
    let is_input = |relative: &Path| matches!(classify(relative), Entry::CatalogInput);
    let inputs_changed = (fresh.iter())
        .any(|(relative, _, kept)| kept.is_none() && is_input(relative))
        || previous.keys().any(|relative| is_input(relative));
    if inputs_changed {
        for (relative, _, kept) in &mut fresh {
            if matches!(classify(relative), Entry::Catalog | Entry::Crosswalk) {
                *kept = None;
            }
        }
    }
    // Without a fresh walk, a file may have become a link that leaves the folder since the
    // last one: `load_file` checks each file it reads then.
    let walked = if only_edits {
        Walked::No
    } else {
        Walked::Checked
    };
    let unread: Vec<PathBuf> = (fresh.iter())
        .filter(|(_, _, kept)| kept.is_none())
        .map(|(relative, _, _)| relative.clone())
        .collect();
    cache.reread = unread.iter().cloned().collect();
    let loaded: Vec<(PathBuf, Stamp, FileLoad)> =
        read_ahead::while_reading(content_dir, &unread, || {
            fresh
                .into_par_iter()
                .map(|(relative, now, kept)| {
                    let result = kept
                        .unwrap_or_else(|| load_file(book_root, content_dir, &relative, walked));
                    (relative, now, result)
                })
                .collect()
        });
    // The cache keeps one copy and the site gets another: copying every document is most of
    // a live rebuild's load at 10,000 guidelines, so it is done in parallel.
    let results = loaded
        .par_iter()
        .map(|(_, _, result)| result.clone())
        .collect();
    cache.files = (loaded.into_iter())
        .map(|(relative, now, load)| (relative, (now, load)))
        .collect();
    Ok(assemble(listed, results))
}

/// The content of the loaded files, in the order listed, with every diagnostic.
fn assemble(listed: Diagnostics, results: Vec<(Loaded, Diagnostics)>) -> (Content, Diagnostics) {
    let mut content = Content::default();
    let mut diagnostics = listed;
    for (loaded, found) in results {
        diagnostics.extend(found);
        match loaded {
            Loaded::Landing(page) => content.landing = Some(page),
            Loaded::Domain(domain) => content.domains.push(domain),
            Loaded::Guideline(guideline) => content.guidelines.push(guideline),
            Loaded::Catalog(catalog) => content.catalogs.push(*catalog),
            Loaded::Roles(roles) => content.roles = Some(roles),
            Loaded::Baseline(baseline) => content.baselines.push(*baseline),
            Loaded::BaselineSidecar(sidecar) => content.baseline_sidecars.push(sidecar),
            Loaded::Crosswalk(crosswalk) => content.crosswalks.push(*crosswalk),
            Loaded::Example(example) => content.examples.push(example),
            Loaded::Page(page) => content.pages.push(page),
            Loaded::Asset(path) => content.assets.push(path),
            Loaded::Failed(unloaded) => content.unloaded.extend(unloaded),
            Loaded::Nothing => {}
        }
    }
    (content, diagnostics)
}

/// Parses `text` as the file `relative` (a path under the content root) would be parsed, with
/// no file system involved (fuzzing, tools). Returns the Markdown body of a document (none for a
/// catalog), or the diagnostic that refused the file.
pub fn parse_text(relative: &Path, text: &str) -> Result<Option<String>, Diagnostic> {
    let entry = classify(relative);
    if let Some(problem) = output_name_problem(&entry, relative) {
        return Err(problem.locate(relative));
    }
    let source = Source {
        path: relative.to_path_buf(),
        ..Source::default()
    };
    Ok(match parse_entry(entry, text, source)? {
        Loaded::Landing(page) | Loaded::Page(page) => Some(page.body),
        Loaded::Domain(domain) => Some(domain.body),
        Loaded::Guideline(guideline) => Some(guideline.body.clone()),
        Loaded::Example(example) => Some(example.body.clone()),
        _ => None,
    })
}

fn classify(relative: &Path) -> Entry {
    let parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    let stem = |name: &str| {
        Path::new(name)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
    };
    let ext = |name: &str| {
        Path::new(name)
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default()
    };
    let is_md = |name: &str| ext(name) == "md";
    let is_yaml = |name: &str| matches!(ext(name).as_str(), "yaml" | "yml");
    match parts.as_slice() {
        ["index.md"] => Entry::Landing,
        ["roles.yaml" | "roles.yml"] => Entry::Roles,
        ["guidelines", folder, "_domain.md"] => Entry::Domain {
            folder: (*folder).to_string(),
        },
        ["guidelines", folder, name] if is_md(name) || is_yaml(name) => Entry::Guideline {
            folder: (*folder).to_string(),
            slug: stem(name).unwrap_or_default(),
            yaml: is_yaml(name),
        },
        ["guidelines", name] if is_md(name) || is_yaml(name) => Entry::Misplaced(
            "a guideline must sit in a domain folder: guidelines/<domain>/<slug>.md",
        ),
        ["frameworks", name] if is_yaml(name) => Entry::Catalog,
        ["frameworks", name] if ext(name) == "json" => Entry::OscalCatalog,
        // The rows of a spreadsheet catalog: read by the catalog that names it, not published.
        ["frameworks", name] if ext(name) == "csv" => Entry::CatalogInput,
        ["baselines", name] if ext(name) == "json" => Entry::Baseline,
        ["crosswalks", name] if is_yaml(name) => Entry::Crosswalk,
        // A mapping-collection: read by the crosswalk that names it, not published.
        ["crosswalks", name] if ext(name) == "json" => Entry::CatalogInput,
        ["baselines", name] if is_yaml(name) => Entry::BaselineSidecar,
        ["examples", name] if is_md(name) => Entry::Example {
            slug: stem(name).unwrap_or_default(),
        },
        ["pages", name] if is_md(name) => Entry::Page {
            slug: stem(name).unwrap_or_default(),
        },
        [.., name] if is_md(name) || is_yaml(name) => Entry::Misplaced(
            "this file is not part of the content contract (index.md, roles.yaml, guidelines/, frameworks/, baselines/, crosswalks/, examples/, pages/)",
        ),
        _ => Entry::Asset,
    }
}

fn load_file(
    book_root: &Path,
    content_dir: &Path,
    relative: &Path,
    walked: Walked,
) -> (Loaded, Diagnostics) {
    let entry = classify(relative);
    let full = content_dir.join(relative);
    let source = Source {
        path: full.strip_prefix(book_root).unwrap_or(&full).to_path_buf(),
        ..Source::default()
    };
    // `list_files` refused links that leave the content folder; a file read alone (serve's fast
    // path) is checked here, so no way of loading reads through such a link.
    let refused = if walked == Walked::No && leaves_folder(content_dir, &full) {
        Some(symlink_outside(&source.path))
    } else {
        output_name_problem(&entry, relative).map(|problem| problem.locate(&source.path))
    };
    let mut diagnostics = Diagnostics::default();
    let loaded = match (&entry, refused) {
        (Entry::Asset, None) => Loaded::Asset(relative.to_path_buf()),
        (Entry::CatalogInput, None) => Loaded::Nothing,
        (Entry::Misplaced(why), None) => {
            diagnostics.push(Diagnostic::warning(
                "ignored-file",
                &source.path,
                Position::new(1, 1),
                *why,
            ));
            Loaded::Nothing
        }
        (Entry::Asset | Entry::Misplaced(_), Some(refusal)) => {
            diagnostics.push(refusal);
            Loaded::Nothing
        }
        (_, refused) => {
            let read = match refused {
                Some(refusal) => Err((Box::new(refusal), None)),
                None => read_and_parse(&full, entry.clone(), source).and_then(|loaded| {
                    let dir = full.parent().unwrap_or(content_dir);
                    with_inputs(loaded, dir, &mut diagnostics).map_err(|d| (Box::new(d), None))
                }),
            };
            read.unwrap_or_else(|(diagnostic, text)| {
                diagnostics.push(*diagnostic);
                Loaded::Failed(failed_names(&entry, relative, text.as_deref()))
            })
        }
    };
    (loaded, diagnostics)
}

fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A document with the input files it names (in `dir`) read in: a spreadsheet catalog's CSV,
/// a crosswalk's mapping-collection. Their problems go into `diagnostics`.
fn with_inputs(
    loaded: Loaded,
    dir: &Path,
    diagnostics: &mut Diagnostics,
) -> Result<Loaded, Diagnostic> {
    match loaded {
        Loaded::Catalog(mut file) if file.catalog.csv.is_some() => {
            match csv_catalog::expand(&mut file.catalog, dir, &file.source) {
                Ok(()) => Ok(Loaded::Catalog(file)),
                // The catalog's id is known: mappings to it follow from this error and are not
                // reported one by one.
                Err(error) => {
                    diagnostics.push(error);
                    let mut unloaded = Unloaded::default();
                    unloaded.names.insert(file.catalog.id.value.to_lowercase());
                    Ok(Loaded::Failed(unloaded))
                }
            }
        }
        Loaded::Crosswalk(mut crosswalk) => {
            crosswalk::read_maps(&mut crosswalk, dir, diagnostics)?;
            Ok(Loaded::Crosswalk(crosswalk))
        }
        other => Ok(other),
    }
}

/// A failure to load a document: the one diagnostic that says why, and the text if it was read.
type LoadFailure = (Box<Diagnostic>, Option<String>);

/// Reads and parses one document of the content contract (not an asset) at `full`.
fn read_and_parse(full: &Path, entry: Entry, source: Source) -> Result<Loaded, LoadFailure> {
    if std::fs::metadata(full).is_ok_and(|m| m.len() > MAX_FILE_BYTES) {
        return Err((Box::new(too_large(&source.path)), None));
    }
    let bytes = std::fs::read(full).map_err(|e| {
        let diagnostic = Diagnostic::error(
            "read",
            &source.path,
            Position::new(1, 1),
            format!("cannot read this file: {e}"),
        );
        (Box::new(diagnostic), None)
    })?;
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let lossy = String::from_utf8_lossy(err.as_bytes()).into_owned();
            // Everything before the first bad byte is valid, so it is the same in `lossy`.
            let position = Position::of_offset(&lossy, err.utf8_error().valid_up_to(), 0);
            let diagnostic = Diagnostic::error(
                "encoding",
                &source.path,
                position,
                "this file is not valid UTF-8",
            )
            .with_help("save the file as UTF-8 (the byte here belongs to another encoding)");
            return Err((Box::new(diagnostic), Some(lossy)));
        }
    };
    parse_entry(entry, &text, source).map_err(|d| (Box::new(d), Some(text)))
}

/// The most files a content folder may hold (ten times the largest corpus benchmarked).
pub const MAX_FILES: usize = 100_000;

/// The largest content file read, in bytes: far above any real guideline or catalog (NIST's
/// SP 800-53 catalog is 10 MB), and low enough that one page can never take a gigabyte to build.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

fn too_large(path: &Path) -> Diagnostic {
    Diagnostic::error(
        "limit",
        path,
        Position::new(1, 1),
        format!(
            "this file is larger than {} MiB, the most guidebook reads",
            MAX_FILE_BYTES / 1024 / 1024
        ),
    )
    .with_help("split it into several files")
}

fn symlink_outside(path: &Path) -> Diagnostic {
    Diagnostic::error(
        "symlink",
        path,
        Position::new(1, 1),
        "this symbolic link leads outside the content folder; its target is not published",
    )
    .with_help("copy the file into the content folder instead of linking to it")
}

/// What a file that failed to load would have defined: its domain folder, its file stem and,
/// when a line `id: X` can still be found in its text, that id. Errors that only follow from the
/// failure (an example naming that id) are then not reported beside its cause.
fn failed_names(entry: &Entry, relative: &Path, text: Option<&str>) -> Unloaded {
    let mut unloaded = Unloaded::default();
    if let Entry::Domain { folder } = entry {
        unloaded.domain_folders.insert(folder.clone());
    }
    if let Some(stem) = relative.file_stem() {
        unloaded.names.insert(stem.to_string_lossy().to_lowercase());
    }
    let id = text.and_then(|text| {
        text.lines().take(200).find_map(|line| {
            let value = line.strip_prefix("id:")?.split(" #").next()?.trim();
            let value = value.trim_matches(|c| c == '"' || c == '\'');
            (!value.is_empty()).then(|| value.to_lowercase())
        })
    });
    unloaded.names.extend(id);
    unloaded
}

/// A file or folder name that would become an unsafe part of an output path.
struct NameProblem {
    message: String,
    help: &'static str,
}

impl NameProblem {
    fn locate(self, file: &Path) -> Diagnostic {
        Diagnostic::error("unsafe-name", file, Position::new(1, 1), self.message)
            .with_help(self.help)
    }
}

/// The names of a file that end up in its output path (guidelines/<slug>.html,
/// domains/<folder>.html, an asset's own path) must be safe path segments; they are refused, never
/// rewritten, so two files cannot silently land on one page.
fn output_name_problem(entry: &Entry, relative: &Path) -> Option<NameProblem> {
    const HELP: &str = "rename it: start with a letter or digit and use only letters, digits, \
                        `.`, `_` and `-` (and not a name Windows reserves, such as `con`)";
    let names: Vec<(&str, &str)> = match entry {
        Entry::Domain { folder } => vec![("domain folder", folder)],
        Entry::Guideline { folder, slug, .. } => {
            vec![("domain folder", folder), ("file name", slug)]
        }
        Entry::Example { slug } | Entry::Page { slug } => vec![("file name", slug)],
        // An OSCAL catalog's id is its file name, as is a baseline's.
        Entry::OscalCatalog | Entry::Baseline => {
            let stem = relative.file_stem().map(|s| s.to_string_lossy());
            return stem
                .filter(|stem| !crate::model::is_safe_name(stem))
                .map(|stem| NameProblem {
                    message: format!(
                        "the file name `{stem}` cannot be a {} id",
                        if matches!(entry, Entry::Baseline) {
                            "baseline"
                        } else {
                            "framework"
                        }
                    ),
                    help: HELP,
                });
        }
        Entry::Asset => {
            return crate::safe_path::to_site_path(relative)
                .err()
                .map(|e| NameProblem {
                    message: format!("this file cannot be published under its name: {}", e.why),
                    help: "rename the file",
                });
        }
        _ => Vec::new(),
    };
    names
        .into_iter()
        .find(|(_, name)| !crate::model::is_safe_name(name))
        .map(|(what, name)| NameProblem {
            message: format!("the {what} `{name}` cannot be part of a page's path"),
            help: HELP,
        })
}

fn parse_entry(entry: Entry, text: &str, source: Source) -> Result<Loaded, Diagnostic> {
    Ok(match entry {
        Entry::Landing => {
            let (meta, body, source) = markdown_with::<PageMeta>(text, source)?;
            Loaded::Landing(page(meta, "index".into(), body, source))
        }
        Entry::Page { slug } => {
            let (meta, body, source) = markdown_with::<PageMeta>(text, source)?;
            Loaded::Page(page(meta, slug, body, source))
        }
        Entry::Domain { folder } => {
            let (meta, body, source) = markdown_required::<DomainMeta>(text, source)?;
            Loaded::Domain(Domain {
                meta,
                folder,
                body,
                source,
            })
        }
        Entry::Guideline { folder, slug, yaml } => {
            Loaded::Guideline(Arc::new(guideline(text, source, folder, slug, yaml)?))
        }
        Entry::Example { slug } => {
            let (meta, body, source) = markdown_required::<ExampleMeta>(text, source)?;
            Loaded::Example(Arc::new(Example {
                meta,
                slug,
                body,
                source,
            }))
        }
        Entry::Catalog => {
            let catalog: Catalog = yaml::parse(text, &source)?;
            Loaded::Catalog(Box::new(CatalogFile { catalog, source }))
        }
        Entry::Baseline => {
            let id = file_stem(&source.path);
            Loaded::Baseline(Box::new(profile::parse(text, &id, &source)?))
        }
        Entry::Crosswalk => Loaded::Crosswalk(Box::new(crate::model::CrosswalkFile {
            name: file_stem(&source.path),
            title: String::new(),
            meta: yaml::parse(text, &source)?,
            maps: Vec::new(),
            source,
        })),
        Entry::BaselineSidecar => Loaded::BaselineSidecar(crate::model::BaselineSidecar {
            id: file_stem(&source.path),
            meta: yaml::parse(text, &source)?,
            source,
        }),
        Entry::Roles => Loaded::Roles(RolesFile {
            meta: yaml::parse(text, &source)?,
            source,
        }),
        Entry::OscalCatalog => {
            let id = source
                .path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let catalog = oscal::parse(text, &id, &source)?;
            Loaded::Catalog(Box::new(CatalogFile { catalog, source }))
        }
        Entry::Asset | Entry::Misplaced(_) | Entry::CatalogInput => Loaded::Nothing,
    })
}

/// Splits and parses a Markdown file whose front matter (of type `T`) is optional.
fn markdown_with<T: DeserializeOwned>(
    text: &str,
    mut source: Source,
) -> Result<(Option<T>, String, Source), Diagnostic> {
    let split = frontmatter::split(text).map_err(|_| {
        Diagnostic::error(
            "front-matter",
            &source.path,
            Position::new(1, 1),
            "the front matter is not closed",
        )
        .with_help("end the YAML front matter with a line holding only `---`")
    })?;
    source.yaml_line_offset = 1;
    source.body_line_offset = split.body_line_offset;
    let meta = split
        .yaml
        .map(|yaml| yaml::parse::<T>(yaml, &source))
        .transpose()?;
    Ok((meta, split.body.to_string(), source))
}

/// Splits and parses a Markdown file that must have front matter of type `T`.
fn markdown_required<T: DeserializeOwned>(
    text: &str,
    source: Source,
) -> Result<(T, String, Source), Diagnostic> {
    match markdown_with::<T>(text, source)? {
        (Some(meta), body, source) => Ok((meta, body, source)),
        (None, _, source) => Err(Diagnostic::error(
            "front-matter",
            &source.path,
            Position::new(1, 1),
            "this file needs front matter",
        )
        .with_help("start the file with `---`, the YAML keys (id, title, ...), then `---`")),
    }
}

fn page(meta: Option<PageMeta>, slug: String, body: String, source: Source) -> Page {
    let mut meta = meta.unwrap_or_default();
    let mut body = body;
    if meta.title.is_none()
        && let Some((title, rest)) = frontmatter::take_leading_title(&body)
    {
        meta.title = Some(title);
        body = rest.to_string();
    }
    Page {
        meta,
        slug,
        body,
        source,
    }
}

fn guideline(
    text: &str,
    source: Source,
    domain: String,
    slug: String,
    yaml: bool,
) -> Result<Guideline, Diagnostic> {
    if yaml {
        let meta: GuidelineMeta = yaml::parse(text, &source)?;
        // The scalar's location is its first line of text (for `body: |`, the line after it).
        let body_source = meta
            .body
            .as_ref()
            .map_or(0, |b| source.at(b).line.saturating_sub(1));
        let body = meta
            .body
            .as_ref()
            .map(|b| b.value.clone())
            .unwrap_or_default();
        let source = Source {
            body_line_offset: body_source,
            ..source
        };
        return Ok(Guideline {
            meta,
            domain,
            slug,
            checks: crate::markdown::task_items(&body),
            body,
            source,
        });
    }
    let (meta, body, source) = markdown_required::<GuidelineMeta>(text, source)?;
    if let Some(extra) = &meta.body {
        return Err(Diagnostic::error(
            "yaml",
            &source.path,
            source.at(extra),
            "`body` belongs in .yaml guidelines; a .md guideline's body follows the front matter",
        )
        .with_help("move this text below the closing `---`"));
    }
    Ok(Guideline {
        meta,
        domain,
        slug,
        checks: crate::markdown::task_items(&body),
        body,
        source,
    })
}

#[cfg(test)]
mod tests;
