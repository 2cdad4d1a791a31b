//! Content diagnostics: every problem found in a knowledge base, with the file, line and column it
//! comes from and a hint on how to fix it.
//!
//! The pipeline never stops at the first content problem: each stage pushes into a [`Diagnostics`]
//! collection and the build fails only once all stages that can run have run. Rendering for a
//! terminal happens at the CLI edge (see `cli.rs`); the library only records facts.

use std::path::{Path, PathBuf};

use serde::Serialize;

/// How bad a diagnostic is. Errors fail the build; warnings fail it only with `--deny-warnings`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A 1-based position in a source file. Column counts characters, not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Default)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl Position {
    pub const fn new(line: usize, column: usize) -> Self {
        Self { line, column }
    }

    /// The position of byte `offset` in `text`, shifted down by `line_offset` lines.
    pub fn of_offset(text: &str, offset: usize, line_offset: usize) -> Self {
        let before = &text[..offset.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Self::new(line + line_offset, column)
    }
}

/// Positions of offsets in one text, each counted on from the one before: a document's links
/// come in order, and counting every line from the start again for each made long documents
/// quadratic. The same answers as [`Position::of_offset`].
pub struct Positions<'a> {
    text: &'a str,
    line_offset: usize,
    /// The last offset asked for (on a character boundary), its 1-based line, and its
    /// 1-based column.
    offset: usize,
    line: usize,
    column: usize,
}

impl<'a> Positions<'a> {
    pub fn new(text: &'a str, line_offset: usize) -> Self {
        Self {
            text,
            line_offset,
            offset: 0,
            line: 1,
            column: 1,
        }
    }

    /// The position of byte `offset` (a character boundary, as [`Position::of_offset`] needs).
    pub fn of(&mut self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        if offset < self.offset {
            *self = Self::new(self.text, self.line_offset);
        }
        let skipped = &self.text[self.offset..offset];
        match skipped.rfind('\n') {
            Some(last) => {
                self.line += skipped.matches('\n').count();
                self.column = skipped[last + 1..].chars().count() + 1;
            }
            None => self.column += skipped.chars().count(),
        }
        self.offset = offset;
        Position::new(self.line + self.line_offset, self.column)
    }
}

/// One problem in the content, tied to a place in a file (relative to the book root).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable kebab-case name for the class of problem (`unknown-control`, `duplicate-id`...).
    pub code: &'static str,
    pub file: PathBuf,
    #[serde(flatten)]
    pub position: Position,
    pub message: String,
    /// How to fix it, when we can say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(
        code: &'static str,
        file: &Path,
        position: Position,
        message: impl Into<String>,
    ) -> Self {
        Self {
            severity: Severity::Error,
            code,
            file: file.to_path_buf(),
            position,
            message: message.into(),
            help: None,
        }
    }

    pub fn warning(
        code: &'static str,
        file: &Path,
        position: Position,
        message: impl Into<String>,
    ) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(code, file, position, message)
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{}:{}:{}: {kind}[{}]: {}",
            self.file.display(),
            self.position.line,
            self.position.column,
            self.code,
            self.message
        )?;
        if let Some(help) = &self.help {
            write!(f, " (help: {help})")?;
        }
        Ok(())
    }
}

/// All diagnostics of one run, in a stable order once [`Diagnostics::sorted`] is called.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.items.iter().filter(|d| d.severity == severity).count()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Sorted by file, then position, then message: the same input always reports the same way.
    pub fn sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by(|a, b| {
            (&a.file, a.position, a.severity, &a.message)
                .cmp(&(&b.file, b.position, b.severity, &b.message))
        });
        self.items.dedup();
        self.items
    }
}

/// The closest of `candidates` to `wrong`, if it is close enough to be a plausible typo.
pub fn suggest<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wrong_lower = wrong.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&wrong_lower, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// The help for an unknown name: "did you mean `x`?" for a plausible typo of one of
/// `candidates`, else `otherwise()`. Every "unknown X" diagnostic words its help this way.
pub fn did_you_mean<'a>(
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    otherwise: impl FnOnce() -> String,
) -> String {
    match suggest(wrong, candidates) {
        Some(near) => format!("did you mean `{near}`?"),
        None => otherwise(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_to_position_counts_lines_and_chars() {
        let text = "ab\ncé d\n";
        assert_eq!(Position::of_offset(text, 0, 0), Position::new(1, 1));
        assert_eq!(Position::of_offset(text, 3, 0), Position::new(2, 1));
        // 'é' is two bytes but one column.
        assert_eq!(Position::of_offset(text, 6, 10), Position::new(12, 3));
    }

    proptest::proptest! {
        /// Counting on from the last offset gives what counting from the start gives, in any
        /// order of offsets.
        #[test]
        fn positions_count_on_like_of_offset(
            text in "(a|é|\n|\r\n| |字){0,40}",
            picks in proptest::collection::vec(0usize..200, 0..12),
            line_offset in 0usize..5,
        ) {
            let boundaries: Vec<usize> = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect();
            let mut positions = Positions::new(&text, line_offset);
            for pick in picks {
                let offset = boundaries[pick % boundaries.len()];
                proptest::prop_assert_eq!(
                    positions.of(offset),
                    Position::of_offset(&text, offset, line_offset)
                );
            }
        }
    }

    #[test]
    fn suggestions_pick_near_typos_only() {
        assert_eq!(suggest("titel", ["title", "summary"]), Some("title"));
        assert_eq!(suggest("zzzz", ["title", "summary"]), None);
    }
}
