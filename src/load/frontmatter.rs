//! Splits a Markdown file into its YAML front matter and its body.

/// A Markdown file cut in two. Line numbers are 0-based offsets into the file.
#[derive(Debug, PartialEq, Eq)]
pub struct Split<'a> {
    /// The YAML between the `---` fences, if the file has front matter.
    pub yaml: Option<&'a str>,
    pub body: &'a str,
    /// Lines of the file before the body.
    pub body_line_offset: usize,
}

/// The file starts with a `---` line but no closing `---` line follows.
#[derive(Debug, PartialEq, Eq)]
pub struct Unclosed;

pub fn split(text: &str) -> Result<Split<'_>, Unclosed> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(after_open) = strip_fence(text) else {
        return Ok(Split {
            yaml: None,
            body: text,
            body_line_offset: 0,
        });
    };
    let mut offset = 0;
    for line in after_open.split_inclusive('\n') {
        if line.trim_end() == "---" {
            let yaml = &after_open[..offset];
            let body = &after_open[offset + line.len()..];
            let body_line_offset = 2 + yaml.matches('\n').count();
            return Ok(Split {
                yaml: Some(yaml),
                body,
                body_line_offset,
            });
        }
        offset += line.len();
    }
    Err(Unclosed)
}

fn strip_fence(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("---")?;
    let rest = rest.trim_start_matches([' ', '\t']);
    rest.strip_prefix("\r\n")
        .or_else(|| rest.strip_prefix('\n'))
}

/// If `body` opens with a `# Title` line, returns the title and the body without that line.
pub fn take_leading_title(body: &str) -> Option<(String, &str)> {
    let trimmed = body.trim_start_matches(['\n', '\r']);
    let first_line_end = trimmed.find('\n').unwrap_or(trimmed.len());
    let title = trimmed[..first_line_end].trim_end().strip_prefix("# ")?;
    Some((title.trim().to_string(), &trimmed[first_line_end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter_and_counts_lines() {
        let split = split("---\nid: A\ntitle: T\n---\n\nBody\n").expect("closed");
        assert_eq!(split.yaml, Some("id: A\ntitle: T\n"));
        assert_eq!(split.body, "\nBody\n");
        assert_eq!(split.body_line_offset, 4);
    }

    #[test]
    fn no_front_matter_and_unclosed() {
        assert_eq!(split("# Hi\n").expect("plain").yaml, None);
        assert_eq!(split("---\nid: A\n"), Err(Unclosed));
    }

    #[test]
    fn leading_title() {
        assert_eq!(
            take_leading_title("\n# Hello\n\ntext"),
            Some(("Hello".into(), "\n\ntext"))
        );
        assert_eq!(take_leading_title("text"), None);
    }
}
