//! Properties over generated inputs: rendered HTML from arbitrary Markdown (mixed with raw HTML
//! and hostile fragments) never carries an event handler or a script URL, print.html's fast
//! folding of bodies equals a full parse, and no generated slug or checked path leaves its
//! output root.

use std::path::{Component, Path};

use guidebook::markdown::{self, Context, LinkError, LinkResolver};
use guidebook::model::{Source, is_safe_name, slug_or_digest};
use guidebook::safe_path;
use proptest::prelude::*;

struct AnyLink;

impl LinkResolver for AnyLink {
    fn resolve(&self, scheme: &str, target: &str) -> Result<String, LinkError> {
        if target.contains('x') {
            Err(LinkError {
                message: format!("unknown {scheme}"),
                help: None,
            })
        } else {
            Ok(format!("{scheme}s/{}.html", slug_or_digest(target, "t")))
        }
    }
}

/// Pieces of Markdown and HTML that set attributes or URLs, and hostile fragments.
fn fragment() -> impl Strategy<Value = String> {
    const PIECES: &[&str] = &[
        "# ",
        "## ",
        "> ",
        "- ",
        "1. ",
        "- [x] ",
        "```",
        "`",
        "*",
        "_",
        "~~",
        "|",
        "---",
        "\n",
        "\n\n",
        "[",
        "]",
        "(",
        ")",
        "![",
        "<",
        ">",
        "\"",
        "'",
        "{#",
        "}",
        "{.",
        "=",
        "&#x6A;",
        "&#106;",
        "&colon;",
        "\t",
        " ",
        "javascript:",
        "JaVaScRiPt:",
        "vbscript:",
        "data:text/html,",
        "alert(1)",
        "onclick=",
        "onerror=",
        " onmouseover=",
        "<script>",
        "</script>",
        "<img src=x ",
        "<svg ",
        "<a href=",
        "<iframe ",
        "<style>",
        "<math>",
        "<mglyph>",
        "<template>",
        "<noscript>",
        "<!--",
        "-->",
        "[^1]",
        "[^1]: ",
        "[r]: ",
        "guideline:",
        "control:d/",
        "page:",
        "#",
        "https://x.org/",
        "mailto:a@b",
        "<https://x.org>",
        "<javascript:alert(1)>",
        "\u{0}",
        "\u{1}",
        "\u{feff}",
    ];
    prop_oneof![
        4 => proptest::sample::select(PIECES).prop_map(str::to_string),
        1 => "[a-z ]{0,8}",
        1 => any::<String>().prop_map(|s| s.chars().take(6).collect()),
    ]
}

fn document() -> impl Strategy<Value = String> {
    proptest::collection::vec(fragment(), 0..60).prop_map(|parts| parts.concat())
}

/// Every `(tag, attribute name, attribute value)` of serialized HTML. The sanitizer's output is
/// serialized by html5ever: text `<` is always `&lt;` and attribute values are double-quoted with
/// `"` escaped, so this reading is exact for it.
fn attributes(html: &str) -> Vec<(String, String, String)> {
    let mut found = Vec::new();
    for tag in html.split('<').skip(1) {
        let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
        if tag.starts_with(['/', '!']) {
            continue;
        }
        let name: String = tag.chars().take_while(|c| !c.is_whitespace()).collect();
        let mut rest = &tag[name.len()..];
        loop {
            rest = rest.trim_start();
            if rest.is_empty() || rest == "/" {
                break;
            }
            let end = rest.find(['=', ' ']).unwrap_or(rest.len());
            let attribute = rest[..end].to_lowercase();
            rest = &rest[end..];
            let mut value = String::new();
            if let Some(quoted) = rest.strip_prefix("=\"") {
                let close = quoted.find('"').unwrap_or(quoted.len());
                value = quoted[..close].to_string();
                rest = quoted.get(close + 1..).unwrap_or("");
            }
            found.push((name.to_lowercase(), attribute, value));
        }
    }
    found
}

/// The URL a browser would act on: entities for `&` and `:` decoded, controls and spaces gone.
fn browser_url(value: &str) -> String {
    value
        .replace("&amp;", "&")
        .replace("&colon;", ":")
        .chars()
        .filter(|c| !c.is_control() && !c.is_whitespace())
        .collect::<String>()
        .to_lowercase()
}

fn render(markdown: &str) -> String {
    let source = Source::default();
    let highlights = markdown::Highlights::default();
    let cx = Context {
        source: &source,
        line_offset: 0,
        root: "../",
        links: &AnyLink,
        highlight: Some(&highlights),
    };
    markdown::render(markdown, &cx).0.html
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn rendered_markdown_carries_no_handler_and_no_script_url(doc in document()) {
        let html = render(&doc);
        for (tag, attribute, value) in attributes(&html) {
            prop_assert!(!attribute.starts_with("on"), "{tag} {attribute} in {html}");
            prop_assert!(attribute != "style" && attribute != "srcdoc" && attribute != "formaction",
                "{tag} {attribute} in {html}");
            if ["href", "src", "xlink:href", "action", "data", "poster"].contains(&attribute.as_str()) {
                let url = browser_url(&value);
                for scheme in ["javascript:", "vbscript:", "data:", "file:"] {
                    prop_assert!(!url.starts_with(scheme), "{tag} {attribute}={value} in {html}");
                }
            }
            prop_assert!(!["script", "iframe", "object", "embed", "style", "base", "form", "meta", "link"]
                .contains(&tag.as_str()), "<{tag}> in {html}");
        }
    }

    /// print.html folds bodies with a tag-level rewrite of sanitized HTML instead of a second
    /// html5ever pass: both must give the same bytes, for any document and any link target.
    #[test]
    fn folding_sanitized_html_matches_a_full_parse(doc in document(), prefix in "[a-z]{1,6}--") {
        let html = render(&doc);
        let relink = |url: &str| format!("#{}<&\"{url}", url.len());
        let fast = markdown::relink_sanitized(&html, &prefix, &relink);
        let parsed = markdown::sanitize_relinked(&html, &prefix, &relink);
        prop_assert_eq!(fast, parsed, "{}", html);
    }

    #[test]
    fn generated_slugs_are_safe_file_names(text in any::<String>()) {
        let slug = slug_or_digest(&text, "tag");
        prop_assert!(safe_path::check(&format!("tags/{slug}.html")).is_ok(), "{text:?} -> {slug:?}");
        prop_assert!(slug.len() <= 89);
    }

    #[test]
    fn checked_paths_stay_below_their_root(path in "[a-z./\\\\:\u{0}-\u{1f}]{0,12}|\\PC{0,12}") {
        let root = Path::new("/site/out");
        if let Ok(joined) = safe_path::join(root, &path) {
            prop_assert!(joined.starts_with(root), "{path:?} -> {}", joined.display());
            let below = joined.strip_prefix(root).expect("below");
            prop_assert!(below.components().all(|c| matches!(c, Component::Normal(_))), "{path:?}");
            prop_assert!(!path.split('/').any(|s| s == ".." || s == "." || s.is_empty()), "{path:?}");
        }
    }

    #[test]
    fn safe_names_make_safe_pages(name in "[A-Za-z0-9._-]{1,12}") {
        if is_safe_name(&name) {
            prop_assert!(safe_path::check(&format!("guidelines/{name}.html")).is_ok(), "{name}");
            prop_assert!(safe_path::check(&format!("frameworks/{name}/index.html")).is_ok(), "{name}");
        }
    }
}
