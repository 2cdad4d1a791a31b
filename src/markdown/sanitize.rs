//! The one place where HTML and URLs from content are made safe: ammonia with a small allow-list
//! on top of its defaults (ids and classes for anchors and highlighting, disabled task-list
//! checkboxes with their label, focusable code blocks and table wrappers) for HTML, and [`is_safe_url`] for every URL that reaches an attribute from
//! book.toml, front matter or a catalog.

use std::borrow::Cow;
use std::sync::OnceLock;

/// Ammonia's defaults plus our allow-list.
fn allow_list<'a>() -> ammonia::Builder<'a> {
    let mut builder = ammonia::Builder::default();
    builder
        .add_generic_attributes(["id", "class", "aria-hidden"])
        .add_tags(["input"])
        .add_tag_attributes("input", ["type", "checked", "disabled", "aria-label"])
        .add_tag_attributes("pre", ["tabindex"])
        .add_tag_attributes("div", ["tabindex"])
        .link_rel(Some("noopener noreferrer"));
    builder
}

fn cleaner() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(allow_list)
}

/// The URL schemes the sanitizer keeps in `href` and `src` (ammonia's defaults).
pub(super) fn url_schemes() -> std::collections::HashSet<&'static str> {
    cleaner().clone_url_schemes()
}

/// Removes scripts, event handlers, `javascript:` URLs and anything else not on the allow-list.
pub fn sanitize(html: &str) -> String {
    cleaner().clean(html).to_string()
}

/// [`sanitize`], also giving every `id` the prefix `id_prefix` and every relative URL (`href`,
/// `src`) the value `relink` gives it: how print.html folds many pages into one document whose
/// ids stay unique and whose links point inside it. Works on the parsed document, so raw HTML
/// in the Markdown is treated exactly like the HTML pulldown-cmark wrote. The reference for
/// [`relink_sanitized`], which the build uses on HTML already sanitized.
pub fn sanitize_relinked(
    html: &str,
    id_prefix: &str,
    relink: &(dyn Fn(&str) -> String + Sync),
) -> String {
    let mut builder = allow_list();
    builder
        .id_prefix(Some(id_prefix))
        .url_relative(ammonia::UrlRelative::Custom(Box::new(Relink(relink))));
    builder.clean(html).to_string()
}

/// What [`sanitize_relinked`] does to HTML that [`sanitize`] already made, without parsing it
/// again: print.html folds every body of the site, and a second html5ever pass over each cost
/// seconds at 10,000 guidelines. It relies on what ammonia's serializer (html5ever's)
/// guarantees: every `<` outside a tag is written `&lt;`, attribute values are double-quoted
/// with `&`, `"`, `<`, `>` and no-break spaces written as entities, and no comments, scripts or
/// styles are left. So each `<` opens a tag whose
/// attributes can be read exactly. `tests/properties.rs` checks that both give the same bytes.
pub fn relink_sanitized(
    html: &str,
    id_prefix: &str,
    relink: &(dyn Fn(&str) -> String + Sync),
) -> String {
    // An HTML parser drops a byte-order mark at the start of its input, as the full pass does.
    let html = html.strip_prefix('\u{feff}').unwrap_or(html);
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        rest = &rest[open..];
        let end = tag_end(rest);
        rewrite_tag(&rest[..end], id_prefix, relink, &mut out);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The length of the tag at the start of `html` (quoted `>` do not end it).
fn tag_end(html: &str) -> usize {
    let mut quoted = false;
    for (i, byte) in html.bytes().enumerate() {
        match byte {
            b'"' => quoted = !quoted,
            b'>' if !quoted => return i + 1,
            _ => {}
        }
    }
    html.len()
}

/// Copies one tag, prefixing its `id` and relinking its relative `href` and `src`.
fn rewrite_tag(
    tag: &str,
    id_prefix: &str,
    relink: &(dyn Fn(&str) -> String + Sync),
    out: &mut String,
) {
    if tag.starts_with("</") || !tag.contains('"') {
        out.push_str(tag);
        return;
    }
    let mut rest = tag;
    while let Some(quote) = rest.find("=\"") {
        let name_start = rest[..quote].rfind(' ').map_or(0, |i| i + 1);
        let name = &rest[name_start..quote];
        let value_start = quote + 2;
        let value_len = rest[value_start..]
            .find('"')
            .unwrap_or(rest.len() - value_start);
        let raw = &rest[value_start..value_start + value_len];
        out.push_str(&rest[..value_start]);
        let value = unescape_attribute(raw);
        match name {
            "id" if !value.starts_with(id_prefix) => {
                escape_attribute(&format!("{id_prefix}{value}"), out);
            }
            "href" | "src" if is_relative(&value) => escape_attribute(&relink(&value), out),
            _ => out.push_str(raw),
        }
        rest = &rest[value_start + value_len..];
    }
    out.push_str(rest);
}

/// Relative in ammonia's sense: no scheme of its own.
fn is_relative(url: &str) -> bool {
    matches!(
        url::Url::parse(url),
        Err(url::ParseError::RelativeUrlWithoutBase)
    )
}

/// The value of an attribute as html5ever writes it, read back.
fn unescape_attribute(raw: &str) -> Cow<'_, str> {
    if !raw.contains('&') {
        return Cow::Borrowed(raw);
    }
    let mut value = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        value.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let entities = [
            ("&amp;", "&"),
            ("&quot;", "\""),
            ("&lt;", "<"),
            ("&gt;", ">"),
            ("&nbsp;", "\u{a0}"),
        ];
        let (text, len) = entities
            .into_iter()
            .find(|(entity, _)| rest.starts_with(entity))
            .map_or(("&", 1), |(entity, text)| (text, entity.len()));
        value.push_str(text);
        rest = &rest[len..];
    }
    value.push_str(rest);
    Cow::Owned(value)
}

/// An attribute value escaped as html5ever escapes it.
fn escape_attribute(value: &str, out: &mut String) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\u{a0}' => out.push_str("&nbsp;"),
            c => out.push(c),
        }
    }
}

/// The relative-URL policy of [`sanitize_relinked`].
struct Relink<'r>(&'r (dyn Fn(&str) -> String + Sync));

impl<'r> ammonia::UrlRelativeEvaluate<'r> for Relink<'r> {
    fn evaluate<'url>(&self, url: &'url str) -> Option<Cow<'url, str>> {
        Some(Cow::Owned((self.0)(url)))
    }
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
