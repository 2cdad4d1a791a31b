//! Build-time highlighting of fenced code with syntect, as CSS classes (`hl-keyword`...), so the
//! theme's light and dark palettes both apply and no inline style is emitted.

use std::sync::{Mutex, OnceLock};

use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// A `<pre><code>` block, highlighted when the language is known and `highlight` is on.
pub fn code_block(code: &str, lang: &str, highlight: Option<&Highlights>) -> String {
    let lang_class = if lang.is_empty() {
        String::new()
    } else {
        format!(" class=\"language-{}\"", language_class(lang))
    };
    let body = match highlight {
        Some(cache) if !lang.is_empty() => cache
            .highlighted(code, lang)
            .unwrap_or_else(|| escape_code(code)),
        _ => escape_code(code),
    };
    // Focusable, so a keyboard can scroll a long line into view (axe: scrollable-region-focusable).
    format!("<pre class=\"code\" tabindex=\"0\"><code{lang_class}>{body}</code></pre>\n")
}

/// Highlighted code blocks by (language, code), `None` for a language without a grammar.
/// Highlighting is by far the costliest step of rendering, and the same blocks come back (an
/// edited body keeps most of its blocks): whoever renders keeps one of these for as long as
/// it is worth it (a build, or the life of `serve`).
#[derive(Default)]
pub struct Highlights {
    blocks: Mutex<rustc_hash::FxHashMap<(String, String), Option<String>>>,
}

impl Highlights {
    fn highlighted(&self, code: &str, lang: &str) -> Option<String> {
        let key = (lang.to_string(), code.to_string());
        if let Some(hit) = self.blocks.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return hit;
        }
        let html = highlight_uncached(code, lang);
        if let Ok(mut blocks) = self.blocks.lock() {
            blocks.insert(key, html.clone());
        }
        html
    }
}

fn highlight_uncached(code: &str, lang: &str) -> Option<String> {
    let set = syntaxes();
    let syntax = set.find_syntax_by_token(lang)?;
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, set, CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        generator
            .parse_html_for_line_which_includes_newline(line)
            .ok()?;
    }
    // In the sanitizer's form (see `writer`): syntect escapes quotes, which html5ever's
    // serializer writes as they are, and leaves no-break spaces, which it escapes. Classes hold
    // neither, so only text changes.
    let html = generator.finalize();
    let html = html.replace("&quot;", "\"").replace("&#39;", "'");
    Some(if html.contains('\u{a0}') {
        html.replace('\u{a0}', "&nbsp;")
    } else {
        html
    })
}

/// Code as text, escaped as the sanitizer writes text.
fn escape_code(code: &str) -> String {
    let mut out = String::with_capacity(code.len() + 16);
    super::writer::escape(code, false, &mut out);
    out
}

fn language_class(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+'))
        .collect()
}
