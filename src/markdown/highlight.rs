//! Build-time highlighting of fenced code with syntect, as CSS classes (`hl-keyword`...), so the
//! theme's light and dark palettes both apply and no inline style is emitted.

use std::collections::HashMap;
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
pub fn code_block(code: &str, lang: &str, highlight: bool) -> String {
    let lang_class = if lang.is_empty() {
        String::new()
    } else {
        format!(" class=\"language-{}\"", language_class(lang))
    };
    let body = if highlight && !lang.is_empty() {
        highlighted(code, lang).unwrap_or_else(|| super::escape_html(code))
    } else {
        super::escape_html(code)
    };
    format!("<pre class=\"code\"><code{lang_class}>{body}</code></pre>\n")
}

/// (language, code) -> highlighted HTML, or `None` for a language we have no grammar for.
type HighlightCache = HashMap<(String, String), Option<String>>;

/// Highlighting is by far the costliest step of rendering, and the same blocks come back (the
/// print page, every rebuild in `serve`): results are kept for the life of the process.
fn highlighted(code: &str, lang: &str) -> Option<String> {
    let cache = highlight_cache();
    let key = (lang.to_string(), code.to_string());
    if let Some(hit) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return hit;
    }
    let html = highlight_uncached(code, lang);
    if let Ok(mut c) = cache.lock() {
        c.insert(key, html.clone());
    }
    html
}

fn highlight_cache() -> &'static Mutex<HighlightCache> {
    static CACHE: OnceLock<Mutex<HighlightCache>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// Forgets every highlighted block.
pub fn clear_cache() {
    if let Ok(mut cache) = highlight_cache().lock() {
        *cache = HashMap::new();
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
    Some(generator.finalize())
}

fn language_class(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+'))
        .collect()
}
