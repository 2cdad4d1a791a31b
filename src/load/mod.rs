//! Stage 1: walk the content root, read every file of the content contract and deserialize it.
//!
//! Files are parsed in parallel; each one yields an item or diagnostics. Nothing here looks
//! across files: ids, links and mappings are checked by `resolve`.

mod frontmatter;
mod oscal;
mod yaml;

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::de::DeserializeOwned;

use crate::diagnostic::{Diagnostic, Diagnostics, Position};
use crate::error::{Error, Result};
use crate::model::{
    Catalog, CatalogFile, Content, Domain, DomainMeta, Example, ExampleMeta, Guideline,
    GuidelineMeta, Page, PageMeta, Source,
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
    Example {
        slug: String,
    },
    Page {
        slug: String,
    },
    Asset,
    Misplaced(&'static str),
}

enum Loaded {
    Landing(Page),
    Domain(Domain),
    Guideline(Guideline),
    Catalog(CatalogFile),
    Example(Example),
    Page(Page),
    Asset(PathBuf),
    Nothing,
}

/// Reads the content root `content_dir`; paths in diagnostics are relative to `book_root`.
pub fn load(book_root: &Path, content_dir: &Path) -> Result<(Content, Diagnostics)> {
    let files = list_files(content_dir)?;
    let results: Vec<(Loaded, Diagnostics)> = files
        .par_iter()
        .map(|relative| load_file(book_root, content_dir, relative))
        .collect::<Result<_>>()?;

    let mut content = Content::default();
    let mut diagnostics = Diagnostics::default();
    for (loaded, found) in results {
        diagnostics.extend(found);
        match loaded {
            Loaded::Landing(page) => content.landing = Some(page),
            Loaded::Domain(domain) => content.domains.push(domain),
            Loaded::Guideline(guideline) => content.guidelines.push(guideline),
            Loaded::Catalog(catalog) => content.catalogs.push(catalog),
            Loaded::Example(example) => content.examples.push(example),
            Loaded::Page(page) => content.pages.push(page),
            Loaded::Asset(path) => content.assets.push(path),
            Loaded::Nothing => {}
        }
    }
    Ok((content, diagnostics))
}

/// A Markdown document of the content, parsed alone (see [`document_file`]).
pub enum Document {
    Guideline(Box<Guideline>),
    Example(Example),
    Page(Page),
    Domain(Domain),
}

/// One file parsed alone (serve's fast path); `None` unless it is a guideline, example, page or
/// domain that parses without a single diagnostic.
pub fn document_file(book_root: &Path, content_dir: &Path, relative: &Path) -> Option<Document> {
    match load_file(book_root, content_dir, relative) {
        Ok((loaded, found)) if found.is_empty() => match loaded {
            Loaded::Guideline(guideline) => Some(Document::Guideline(Box::new(guideline))),
            Loaded::Example(example) => Some(Document::Example(example)),
            Loaded::Page(page) => Some(Document::Page(page)),
            Loaded::Domain(domain) => Some(Document::Domain(domain)),
            _ => None,
        },
        _ => None,
    }
}

/// Every file below `dir`, relative to it, sorted, skipping hidden and editor temporary files.
fn list_files(dir: &Path) -> Result<Vec<PathBuf>> {
    if !dir.is_dir() {
        return Err(Error::read(
            dir,
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "the content folder does not exist",
            ),
        ));
    }
    let mut files = Vec::new();
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored(e.file_name().to_string_lossy().as_ref()));
    for entry in walker {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(dir).to_path_buf();
            Error::read(path, e.into())
        })?;
        if entry.file_type().is_file() {
            let relative = entry.path().strip_prefix(dir).unwrap_or(entry.path());
            files.push(relative.to_path_buf());
        }
    }
    Ok(files)
}

/// Hidden files and the temporary files editors leave beside the ones they save.
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with("___jb_tmp___")
        || name.ends_with("___jb_old___")
        || name == "4913"
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
        ["examples", name] if is_md(name) => Entry::Example {
            slug: stem(name).unwrap_or_default(),
        },
        ["pages", name] if is_md(name) => Entry::Page {
            slug: stem(name).unwrap_or_default(),
        },
        [.., name] if is_md(name) || is_yaml(name) => Entry::Misplaced(
            "this file is not part of the content contract (index.md, guidelines/, frameworks/, examples/, pages/)",
        ),
        _ => Entry::Asset,
    }
}

fn load_file(
    book_root: &Path,
    content_dir: &Path,
    relative: &Path,
) -> Result<(Loaded, Diagnostics)> {
    let entry = classify(relative);
    let full = content_dir.join(relative);
    let source = Source {
        path: full.strip_prefix(book_root).unwrap_or(&full).to_path_buf(),
        ..Source::default()
    };
    let mut diagnostics = Diagnostics::default();
    if let Some(problem) = output_name_problem(&entry, relative) {
        diagnostics.push(problem.locate(&source.path));
        return Ok((Loaded::Nothing, diagnostics));
    }
    let text = match entry {
        Entry::Asset => return Ok((Loaded::Asset(relative.to_path_buf()), diagnostics)),
        Entry::Misplaced(why) => {
            diagnostics.push(Diagnostic::warning(
                "ignored-file",
                &source.path,
                Position::new(1, 1),
                why,
            ));
            return Ok((Loaded::Nothing, diagnostics));
        }
        _ => std::fs::read_to_string(&full).map_err(|e| Error::read(&full, e))?,
    };
    let loaded = match parse_entry(entry, &text, source) {
        Ok(loaded) => loaded,
        Err(diagnostic) => {
            diagnostics.push(diagnostic);
            Loaded::Nothing
        }
    };
    Ok((loaded, diagnostics))
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
            Loaded::Guideline(guideline(text, source, folder, slug, yaml)?)
        }
        Entry::Example { slug } => {
            let (meta, body, source) = markdown_required::<ExampleMeta>(text, source)?;
            Loaded::Example(Example {
                meta,
                slug,
                body,
                source,
            })
        }
        Entry::Catalog => {
            let catalog: Catalog = yaml::parse(text, &source)?;
            Loaded::Catalog(CatalogFile { catalog, source })
        }
        Entry::OscalCatalog => {
            let id = source
                .path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let catalog = oscal::parse(text, &id, &source)?;
            Loaded::Catalog(CatalogFile { catalog, source })
        }
        Entry::Asset | Entry::Misplaced(_) => Loaded::Nothing,
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
        body,
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_the_content_contract() {
        assert_eq!(classify(Path::new("index.md")), Entry::Landing);
        assert_eq!(
            classify(Path::new("guidelines/design/_domain.md")),
            Entry::Domain {
                folder: "design".into()
            }
        );
        assert_eq!(
            classify(Path::new("guidelines/design/sd-1.yaml")),
            Entry::Guideline {
                folder: "design".into(),
                slug: "sd-1".into(),
                yaml: true
            }
        );
        assert_eq!(
            classify(Path::new("frameworks/x.json")),
            Entry::OscalCatalog
        );
        assert_eq!(classify(Path::new("img/logo.png")), Entry::Asset);
        assert!(matches!(
            classify(Path::new("guidelines/sd-1.md")),
            Entry::Misplaced(_)
        ));
    }

    #[test]
    fn editor_temporary_files_are_ignored() {
        for name in [
            ".sd-1.md.swp",
            "sd-1.md~",
            "#sd-1.md#",
            ".#sd-1.md",
            "4913",
            "x___jb_tmp___",
            ".DS_Store",
        ] {
            assert!(is_ignored(name), "{name}");
        }
        assert!(!is_ignored("sd-1.md"));
    }
}
