//! Edits a test or a benchmark makes to content files the way an author would. Shared by the
//! incremental tests and `benches/live.rs` (included there by path).

/// A guideline's text without its first mapping (its `  - framework:` line and the indented
/// lines under it); `None` when it has none.
pub fn without_first_mapping(text: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().position(|l| l.starts_with("  - framework:"))?;
    let len = 1 + lines[start + 1..]
        .iter()
        .take_while(|l| l.starts_with("    "))
        .count();
    let kept: Vec<&str> = (lines.iter().enumerate())
        .filter(|(i, _)| !(start..start + len).contains(i))
        .map(|(_, l)| *l)
        .collect();
    Some(kept.join("\n") + "\n")
}
