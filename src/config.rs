//! `book.toml`: mdBook's `[book]`, `[build]` and `[output.html]` keys where they mean the same
//! here, plus our own `[guidebook]` table. Unknown keys are errors that point at their line and
//! suggest the nearest valid key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::diagnostic::{Diagnostic, Position, suggest};

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
            last_modified: None,
        }
    }
}

impl BookConfig {
    /// Parses `text` (the content of `file`, a path relative to the book root).
    pub fn parse(text: &str, file: &Path) -> Result<Self, Diagnostic> {
        toml::from_str(text).map_err(|err| toml_diagnostic(&err, text, file))
    }

    pub fn title(&self) -> &str {
        self.book.title.as_deref().unwrap_or("Guidelines")
    }
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
    match suggest(wrong, candidates.iter().copied()) {
        Some(best) => Some(format!("did you mean `{best}`?")),
        None if !candidates.is_empty() => Some(format!("valid values: {}", candidates.join(", "))),
        None => None,
    }
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
        let diagnostic = BookConfig::parse(text, Path::new("book.toml")).expect_err("unknown key");
        assert_eq!(diagnostic.position.line, 5);
        assert!(
            diagnostic.message.contains("site-ulr"),
            "{}",
            diagnostic.message
        );
        assert_eq!(diagnostic.help.as_deref(), Some("did you mean `site-url`?"));
    }
}
