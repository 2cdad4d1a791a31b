//! Front matter + Markdown -> rendered HTML, as a guideline, an example and a page: never a
//! panic, and the HTML never carries an event handler or a `javascript:` URL.
#![no_main]

use std::path::Path;

use guidebook::markdown::{self, Context, LinkError, LinkResolver};
use guidebook::model::Source;
use libfuzzer_sys::fuzz_target;

struct Links;

/// Highlighted blocks, kept across runs as a build keeps them across pages.
static HIGHLIGHTS: std::sync::LazyLock<markdown::Highlights> =
    std::sync::LazyLock::new(markdown::Highlights::default);

impl LinkResolver for Links {
    fn resolve(&self, scheme: &str, target: &str) -> Result<String, LinkError> {
        match target.len() % 3 {
            0 => Err(LinkError {
                message: format!("unknown {scheme}"),
                help: None,
            }),
            _ => Ok(format!("{scheme}s/x.html")),
        }
    }
}

fuzz_target!(|text: &str| {
    for file in [
        "guidelines/d/g-1.md",
        "examples/e.md",
        "pages/p.md",
        "guidelines/d/g-2.yaml",
    ] {
        let Ok(Some(body)) = guidebook::load::parse_text(Path::new(file), text) else {
            continue;
        };
        let source = Source::default();
        let cx = Context {
            source: &source,
            line_offset: 3,
            root: "../",
            links: &Links,
            highlight: Some(&HIGHLIGHTS),
        };
        let html = markdown::render(&body, &cx).0.html.to_lowercase();
        for tag in html.split('<').skip(1) {
            let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
            assert!(
                !tag.contains(" on") || !tag.contains('='),
                "handler in <{tag}>"
            );
            assert!(!tag.contains("javascript:"), "script URL in <{tag}>");
        }
    }
});
