//! `book.toml`: mdBook's `[book]`, `[build]` and `[output.html]` keys where they mean the same
//! here, plus our own `[guidebook]` table. Unknown keys are errors that point at their line and
//! suggest the nearest valid key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::diagnostic::{Diagnostic, Position, did_you_mean};

/// The default of `[guidebook] print-part-bytes`: 8 MB of Markdown (a 100 MB page is unusable
/// in a browser, and no file of the site should pass 20 MB).
pub const PART_BYTES: u64 = 8_000_000;

pub const CONFIG_FILE: &str = "book.toml";

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct BookConfig {
    pub book: BookSection,
    pub build: BuildSection,
    pub output: OutputSection,
    pub guidebook: GuidebookSection,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct BookSection {
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub description: Option<String>,
    pub language: String,
    pub text_direction: Option<TextDirection>,
    /// The content root, relative to the book root.
    pub src: PathBuf,
    /// mdBook 0.4 accepted this key; it has never meant anything, so we accept and ignore it.
    #[serde(skip_serializing)]
    pub multilingual: Option<bool>,
}

impl Default for BookSection {
    fn default() -> Self {
        Self {
            title: None,
            authors: Vec::new(),
            description: None,
            language: "en".into(),
            text_direction: None,
            src: PathBuf::from("content"),
            multilingual: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TextDirection {
    Ltr,
    Rtl,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct BuildSection {
    pub build_dir: PathBuf,
    pub extra_watch_dirs: Vec<PathBuf>,
}

impl Default for BuildSection {
    fn default() -> Self {
        Self {
            build_dir: PathBuf::from("book"),
            extra_watch_dirs: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct OutputSection {
    pub html: HtmlOutput,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct HtmlOutput {
    /// A theme folder (relative to the book root) whose files override the built-in theme by name.
    pub theme: Option<PathBuf>,
    pub site_url: Option<String>,
    pub default_theme: Option<ColorTheme>,
    pub preferred_dark_theme: Option<ColorTheme>,
    pub git_repository_url: Option<String>,
    /// `{path}` is replaced with the source file's path relative to the book root.
    pub edit_url_template: Option<String>,
    /// Old path (relative to the site root) -> new URL: a redirect page is written at the old path.
    pub redirect: BTreeMap<String, String>,
    pub search: SearchConfig,
}

/// mdBook's theme names are accepted; each maps to the light or the dark palette.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ColorTheme {
    Light,
    Dark,
    Rust,
    Coal,
    Navy,
    Ayu,
}

impl ColorTheme {
    pub fn is_dark(self) -> bool {
        matches!(self, Self::Dark | Self::Coal | Self::Navy | Self::Ayu)
    }

    pub fn palette(self) -> &'static str {
        if self.is_dark() { "dark" } else { "light" }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct SearchConfig {
    pub enable: bool,
    pub limit_results: usize,
    pub teaser_word_count: usize,
    pub boost_title: f32,
}

impl Default for SearchConfig {
    fn default() -> Self {
        Self {
            enable: true,
            limit_results: 30,
            teaser_word_count: 30,
            boost_title: 2.0,
        }
    }
}

/// Settings of our own, which mdBook does not have.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct GuidebookSection {
    /// Treat warnings as errors, as `--deny-warnings` does.
    pub deny_warnings: bool,
    /// Write `print.html`, the whole knowledge base on one page.
    pub print: bool,
    /// Highlight fenced code at build time.
    pub highlight_code: bool,
    /// Past this many bytes of Markdown, print.html becomes an index of parts (one per domain,
    /// split further where a domain is larger), each at most about this size, and the site
    /// publishes `model.json` and the OSCAL catalog of the guidelines in parts the same way.
    /// Default [`PART_BYTES`].
    pub print_part_bytes: Option<u64>,
    /// The `last-modified` date-time of the exported OSCAL documents (RFC 3339, with a time
    /// zone). Exports must not depend on the clock, so builds stay byte-identical; without it,
    /// `SOURCE_DATE_EPOCH` is used if set, else the Unix epoch.
    pub last_modified: Option<String>,
}

impl Default for GuidebookSection {
    fn default() -> Self {
        Self {
            deny_warnings: false,
            print: true,
            highlight_code: true,
            print_part_bytes: None,
            last_modified: None,
        }
    }
}

impl BookConfig {
    /// Parses and validates `text` (the content of `file`, a path relative to the book root),
    /// returning every problem at once.
    pub fn parse(text: &str, file: &Path) -> Result<Self, Vec<Diagnostic>> {
        let config: Self =
            toml::from_str(text).map_err(|err| vec![toml_diagnostic(&err, text, file)])?;
        let problems = config.problems(text, file);
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems)
        }
    }

    /// What serde cannot check: paths that must stay inside the book, URLs that end up in
    /// attributes, redirect keys that become output paths, and the export date.
    fn problems(&self, text: &str, file: &Path) -> Vec<Diagnostic> {
        let at = |key: &str| key_position(text, key);
        let mut problems = Vec::new();
        let mut inside_book = |key: &str, path: Option<&Path>| {
            if let Some(path) = path.filter(|p| !is_inside(p)) {
                problems.push(
                    Diagnostic::error(
                        "config",
                        file,
                        at(key),
                        format!(
                            "`{key}` must be a folder inside the book: {}",
                            path.display()
                        ),
                    )
                    .with_help("use a relative path without `..`, such as \"content\""),
                );
            }
        };
        inside_book("src", Some(&self.book.src));
        inside_book("theme", self.output.html.theme.as_deref());
        let html = &self.output.html;
        let urls = [
            ("git-repository-url", html.git_repository_url.as_deref()),
            ("edit-url-template", html.edit_url_template.as_deref()),
        ];
        for (key, url) in urls {
            if let Some(url) = url.filter(|u| !crate::markdown::is_safe_url(u)) {
                problems.push(unsafe_url(file, at(key), key, url));
            }
        }
        if let Some(url) = html.site_url.as_deref().filter(|u| !is_site_url(u)) {
            problems.push(
                unsafe_url(file, at("site-url"), "site-url", url)
                    .with_help("use an https:// URL or a path that starts with one `/`"),
            );
        }
        for (from, to) in &html.redirect {
            let key = format!("\"{from}\"");
            if let Some(why) = redirect_key_problem(from) {
                problems.push(
                    Diagnostic::error(
                        "config",
                        file,
                        at(&key),
                        format!("redirect `{from}` cannot be a page of the site: {why}"),
                    )
                    .with_help(
                        "name the old page by its path in the site, such as \"/old/page.html\"",
                    ),
                );
            }
            if !crate::markdown::is_safe_url(to) {
                problems.push(unsafe_url(file, at(&key), "redirect", to));
            }
        }
        if let Some(date) = &self.guidebook.last_modified
            && time::OffsetDateTime::parse(date, &time::format_description::well_known::Rfc3339)
                .is_err()
        {
            problems.push(
                Diagnostic::error(
                    "config",
                    file,
                    at("last-modified"),
                    format!("`last-modified` is not an RFC 3339 date-time: {date}"),
                )
                .with_help("write it like \"2026-12-01T00:00:00Z\""),
            );
        }
        problems
    }

    pub fn title(&self) -> &str {
        self.book.title.as_deref().unwrap_or("Guidelines")
    }
}

/// Where `key = ...` is written in `text` (the first line that assigns it; `1:1` if none does):
/// a plain search would find the key inside another value first (`src` in a description).
fn key_position(text: &str, key: &str) -> Position {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let assigns = trimmed
            .strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with('='));
        if assigns {
            return Position::of_offset(text, offset + line.len() - trimmed.len(), 0);
        }
        offset += line.len();
    }
    Position::new(1, 1)
}

fn unsafe_url(file: &Path, position: Position, key: &str, url: &str) -> Diagnostic {
    Diagnostic::error(
        "unsafe-url",
        file,
        position,
        format!("`{key}` is not an http, https, mailto or relative URL: {url}"),
    )
    .with_help("links on every page come from here: use an https:// URL")
}

/// A relative path that names something inside its base folder (no root, no `..`).
fn is_inside(path: &Path) -> bool {
    path.components().all(|c| {
        matches!(
            c,
            std::path::Component::Normal(_) | std::path::Component::CurDir
        )
    })
}

/// The site's public address: an http(s) URL, or a path from the host's root (`/docs/`), which
/// the 404 page uses to find the stylesheet; `//host` would load it from elsewhere.
fn is_site_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let path_ok =
        |path: &str| !path.starts_with("//") && !path.contains(['"', '\'', '<', '>', '\\']);
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return false;
    }
    match ["https://", "http://"]
        .iter()
        .find(|s| lower.starts_with(*s))
    {
        Some(scheme) => {
            let rest = &url[scheme.len()..];
            let path = rest.find('/').map_or("", |i| &rest[i..]);
            !rest.is_empty() && path_ok(path)
        }
        None => url.starts_with('/') && path_ok(url),
    }
}

/// Why a redirect key (`"/old/page.html"`) cannot be written as a page, if it cannot.
fn redirect_key_problem(from: &str) -> Option<&'static str> {
    let relative = from.strip_prefix('/').unwrap_or(from);
    if let Err(e) = crate::safe_path::check(relative) {
        return Some(e.why);
    }
    relative
        .split('/')
        .any(|segment| !crate::model::is_valid_id(segment))
        .then_some("each segment must start with a letter or digit and hold only letters, digits, `.`, `_` and `-`")
}

fn toml_diagnostic(err: &toml::de::Error, text: &str, file: &Path) -> Diagnostic {
    let position = err.span().map_or(Position::new(1, 1), |span| {
        Position::of_offset(text, span.start, 0)
    });
    let message = err.message().trim().to_string();
    let diagnostic = Diagnostic::error("config", file, position, message.clone());
    match unknown_key_hint(&message) {
        Some(help) => diagnostic.with_help(help),
        None => diagnostic,
    }
}

/// For serde's "unknown field `x`, expected one of `a`, `b`", suggests the nearest valid key.
pub(crate) fn unknown_key_hint(message: &str) -> Option<String> {
    let rest = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("unknown variant `"))?;
    let (wrong, expected) = rest.split_once('`')?;
    let candidates: Vec<&str> = expected
        .split(|c: char| c == '`' || c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty() && *s != "expected" && *s != "one" && *s != "of" && *s != "or")
        .collect();
    if candidates.is_empty() {
        return None;
    }
    let valid = || format!("valid values: {}", candidates.join(", "));
    Some(did_you_mean(wrong, candidates.iter().copied(), valid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_mdbook() {
        let config = BookConfig::parse(
            "[book]\ntitle = \"T\"\nmultilingual = false\n",
            Path::new("book.toml"),
        )
        .expect("valid config");
        assert_eq!(config.book.src, PathBuf::from("content"));
        assert_eq!(config.build.build_dir, PathBuf::from("book"));
        assert!(config.output.html.search.enable);
    }

    #[test]
    fn unknown_key_points_at_its_line_and_suggests() {
        let text = "[book]\ntitle = \"T\"\n\n[output.html]\nsite-ulr = \"x\"\n";
        let diagnostic = BookConfig::parse(text, Path::new("book.toml"))
            .expect_err("unknown key")
            .remove(0);
        assert_eq!(diagnostic.position.line, 5);
        assert!(
            diagnostic.message.contains("site-ulr"),
            "{}",
            diagnostic.message
        );
        assert_eq!(diagnostic.help.as_deref(), Some("did you mean `site-url`?"));
    }
}

#[cfg(test)]
mod hostile {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        match BookConfig::parse(text, Path::new("book.toml")) {
            Ok(_) => Vec::new(),
            Err(all) => all
                .into_iter()
                .map(|d| format!("{}: {}", d.position.line, d.message))
                .collect(),
        }
    }

    #[test]
    fn values_that_would_escape_the_book_or_run_script_are_located_errors() {
        for (text, line) in [
            (
                "[output.html.redirect]\n\"/../../victim.txt\" = \"https://example.org/\"\n",
                2,
            ),
            (
                "[output.html.redirect]\n\"/a/%2e%2e/x.html\" = \"../b.html\"\n",
                2,
            ),
            ("[output.html.redirect]\n\"/con.html\" = \"b.html\"\n", 2),
            (
                "[output.html.redirect]\n\"/old.html\" = \"javascript:alert(1)\"\n",
                2,
            ),
            (
                "[output.html]\ngit-repository-url = \"javascript:alert(4)\"\n",
                2,
            ),
            (
                "[output.html]\nedit-url-template = \"data:text/html,{path}\"\n",
                2,
            ),
            ("[output.html]\nsite-url = \"//evil.example/\"\n", 2),
            (
                "[output.html]\nsite-url = \"https://x.org/\\\"><script>\"\n",
                2,
            ),
            ("[book]\nsrc = \"/etc\"\n", 2),
            ("[book]\nsrc = \"../elsewhere\"\n", 2),
            ("[output.html]\ntheme = \"../../t\"\n", 2),
            ("[guidebook]\nlast-modified = \"yesterday\"\n", 2),
        ] {
            let found = problems(text);
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert!(
                found[0].starts_with(&format!("{line}: ")),
                "{text}: {found:?}"
            );
        }
        // Located at the assignment, not at an earlier mention of the key's name.
        let src = problems("[book]\ndescription = \"our src folder\"\nsrc = \"../x\"\n");
        assert!(src[0].starts_with("3: "), "{src:?}");
        assert!(problems("[output.html]\nsite-url = \"https://x.org/docs/\"\ngit-repository-url = \"https://git.example/r\"\n[output.html.redirect]\n\"/old/a.html\" = \"../b.html\"\n[guidebook]\nlast-modified = \"2026-12-01T10:00:00+01:00\"\n").is_empty());
    }
}
