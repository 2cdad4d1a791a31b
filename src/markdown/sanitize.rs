//! The one place where HTML and URLs from content are made safe: ammonia with a small allow-list
//! on top of its defaults (ids and classes for anchors and highlighting, disabled task-list
//! checkboxes) for HTML, and [`is_safe_url`] for every URL that reaches an attribute from
//! book.toml, front matter or a catalog.

use std::sync::OnceLock;

fn cleaner() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut builder = ammonia::Builder::default();
        builder
            .add_generic_attributes(["id", "class", "aria-hidden"])
            .add_tags(["input"])
            .add_tag_attributes("input", ["type", "checked", "disabled"])
            .link_rel(Some("noopener noreferrer"));
        builder
    })
}

/// Removes scripts, event handlers, `javascript:` URLs and anything else not on the allow-list.
pub fn sanitize(html: &str) -> String {
    cleaner().clean(html).to_string()
}

/// Whether `url` may become an `href`: http, https and mailto URLs, or relative ones. Anything
/// with a control character is refused outright, since browsers drop tabs and newlines before
/// reading the scheme (`java\tscript:`).
pub fn is_safe_url(url: &str) -> bool {
    if url.chars().any(char::is_control) {
        return false;
    }
    let url = url.trim();
    match url.find([':', '/', '?', '#']) {
        Some(i) if url[i..].starts_with(':') => ["http", "https", "mailto"]
            .iter()
            .any(|scheme| scheme.eq_ignore_ascii_case(&url[..i])),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::is_safe_url;

    #[test]
    fn only_web_mail_and_relative_urls_are_safe() {
        for url in [
            "https://x.org/a",
            "http://x",
            "mailto:a@b",
            "../a.html",
            "a/b:c",
            "#top",
            " https://x.org ",
        ] {
            assert!(is_safe_url(url), "{url}");
        }
        for url in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "\u{1}javascript:alert(1)",
            "data:text/html,x",
            "vbscript:x",
            "file:///etc/passwd",
        ] {
            assert!(!is_safe_url(url), "{url:?}");
        }
    }
}
