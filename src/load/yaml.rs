//! The single entry point for YAML: serde-saphyr, with every error turned into a [`Diagnostic`]
//! at its file, line and column.

use serde::de::DeserializeOwned;

use crate::config::unknown_key_hint;
use crate::diagnostic::{Diagnostic, Position};
use crate::model::Source;

pub fn parse<T: DeserializeOwned>(yaml: &str, source: &Source) -> Result<T, Diagnostic> {
    serde_saphyr::from_str::<T>(yaml).map_err(|err| to_diagnostic(&err, source))
}

fn to_diagnostic(err: &serde_saphyr::Error, source: &Source) -> Diagnostic {
    let position = err.location().filter(|l| l.line() > 0).map_or(
        Position::new(source.yaml_line_offset + 1, 1),
        |l| {
            Position::new(
                l.line() as usize + source.yaml_line_offset,
                l.column() as usize,
            )
        },
    );
    let rendered = err.without_snippet().render_with_options(
        serde_saphyr::render_options! { snippets: serde_saphyr::SnippetMode::Off },
    );
    let message = in_our_words(strip_location_suffix(&rendered));
    let help = unknown_key_hint(&message)
        .or_else(|| missing_key_hint(&message))
        .unwrap_or_else(|| general_hint(&message));
    Diagnostic::error("yaml", &source.path, position, message).with_help(help)
}

/// serde-saphyr's messages, without the advice it gives programmers that use it ("set
/// DuplicateKeyPolicy in Options"), which an author cannot act on.
fn in_our_words(message: &str) -> String {
    if let Some(key) = message.strip_prefix("duplicate mapping key: ") {
        let key = key.split(", set ").next().unwrap_or(key);
        return format!("the key `{key}` appears twice");
    }
    match message.find(" in Options") {
        Some(at) => message[..at]
            .rsplit_once(", ")
            .map_or(message, |(text, _)| text)
            .to_string(),
        None => message.to_string(),
    }
}

fn general_hint(message: &str) -> String {
    if message.starts_with("the key `") && message.ends_with("` appears twice") {
        "keep one of the two; a YAML mapping holds each key once".into()
    } else if message.starts_with("invalid date") {
        "write a real calendar date as YYYY-MM-DD, e.g. `last-reviewed: 2026-11-25`".into()
    } else if message.starts_with("invalid i64") || message.starts_with("invalid u64") {
        "write a whole number here, e.g. `order: 3`".into()
    } else {
        "check the YAML near here; quote text that contains `: `, ` #`, or starts with `[`, `{`, `*` or `&`".into()
    }
}

/// serde-saphyr appends " at line N, column M"; we report the position separately.
fn strip_location_suffix(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(i) if message[i..].contains(", column ") => &message[..i],
        _ => message,
    }
}

fn missing_key_hint(message: &str) -> Option<String> {
    let key = message.strip_prefix("missing field `")?.strip_suffix('`')?;
    Some(format!("add a `{key}:` line"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DomainMeta;

    fn source() -> Source {
        Source {
            path: "content/x.md".into(),
            yaml_line_offset: 1,
            body_line_offset: 0,
        }
    }

    #[test]
    fn unknown_key_has_line_and_suggestion() {
        let err = parse::<DomainMeta>("id: a\ntitel: b\n", &source()).expect_err("unknown key");
        assert_eq!(err.position, Position::new(3, 1));
        assert!(
            err.message.starts_with("unknown field `titel`"),
            "{}",
            err.message
        );
        assert_eq!(err.help.as_deref(), Some("did you mean `title`?"));
    }

    #[test]
    fn missing_key_is_named() {
        let err = parse::<DomainMeta>("id: a\n", &source()).expect_err("missing");
        assert_eq!(err.message, "missing field `title`");
        assert_eq!(err.help.as_deref(), Some("add a `title:` line"));
    }
}
