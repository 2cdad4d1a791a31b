use super::*;

struct Links;
impl LinkResolver for Links {
    fn resolve(&self, scheme: &str, target: &str) -> Result<String, LinkError> {
        match (scheme, target) {
            ("guideline", "SD-2") => Ok("guidelines/sd-2.html".into()),
            ("control", "nist-ai-rmf/GOVERN 1.1") => {
                Ok("frameworks/nist-ai-rmf/govern-1-1.html".into())
            }
            _ => Err(LinkError {
                message: format!("unknown {scheme} `{target}`"),
                help: None,
            }),
        }
    }
}

static HIGHLIGHTS: std::sync::LazyLock<Highlights> = std::sync::LazyLock::new(Highlights::default);

/// The settings of a page one folder down, its body starting on the file's fourth line.
fn test_context(source: &Source) -> Context<'_> {
    Context {
        source,
        line_offset: 4,
        root: "../",
        links: &Links,
        highlight: Some(&HIGHLIGHTS),
    }
}

fn render_str(md: &str) -> (RenderedMarkdown, Vec<Diagnostic>) {
    render(md, &test_context(&Source::default()))
}

/// Documents without raw HTML skip ammonia; a dangerous URL alone must still be caught.
#[test]
fn unsafe_urls_are_sanitized_even_without_raw_html() {
    for md in [
        "[x](javascript:alert(1))",
        "[x](JavaScript:alert(1))",
        "[x](<java\tscript:alert(1)>)",
        "[x](&#x6A;avascript:alert(1))",
        "<javascript:alert(1)>",
        "![x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x][r]\n\n[r]: vbscript:msgbox(1)",
    ] {
        let html = render_str(md).0.html.to_lowercase();
        // What a browser would read as the URL: tabs and newlines removed.
        let urls = html
            .split(" href=\"")
            .chain(html.split(" src=\""))
            .skip(1)
            .map(|rest| {
                rest.split('"')
                    .next()
                    .unwrap_or("")
                    .replace(['\t', '\n'], "")
            });
        for url in urls {
            assert!(
                !["javascript:", "vbscript:", "data:"]
                    .iter()
                    .any(|s| url.trim_start().starts_with(s)),
                "{md:?} -> {html}"
            );
        }
    }
}

#[test]
fn deep_nesting_is_refused_however_it_is_spelled() {
    let deep = |body: String| {
        let (_, diagnostics) = render_str(&body);
        diagnostics.iter().any(|d| d.code == "limit")
    };
    let n = MAX_NESTING + 10;
    assert!(deep(format!("{}x", "<div>".repeat(n))));
    assert!(deep("<div/>".repeat(n)));
    assert!(deep("<div></i>".repeat(n)));
    assert!(deep("<div title=\"</div>\">".repeat(n)));
    assert!(deep("<div><!-- </div> -->".repeat(n)));
    assert!(deep(format!("{}x", "> ".repeat(n))));
    // Ordinary documents with many blocks, unclosed list items or comments are not deep.
    assert!(!deep("```\ncode\n```\n\n".repeat(n)));
    assert!(!deep(format!("<ul>{}</ul>", "<li>x".repeat(n))));
    assert!(!deep("<p>x\n\n".repeat(n)));
    assert!(!deep("<br><img src=x><hr/>".repeat(n)));
    assert!(!deep(format!(
        "<svg>{}</svg>",
        "<path d=\"M0\"/>".repeat(n)
    )));
    assert!(!deep(
        "<script>if (a < b) { x = '<div>'; }</script>\n\n".repeat(n)
    ));
    assert!(!deep("<div>x</div>\n\n".repeat(n)));
}

#[test]
fn plain_urls_keep_their_form_through_the_sanitizer() {
    let (out, _) = render_str(
        "[a](https://example.org/x?a=1&b=2 \"T\") [b](other.html#s) [c](mailto:x@example.org)",
    );
    for expected in [
        r#"<a href="https://example.org/x?a=1&amp;b=2" title="T" rel="noopener noreferrer">a</a>"#,
        r#"<a href="other.html#s" rel="noopener noreferrer">b</a>"#,
        r#"<a href="mailto:x@example.org" rel="noopener noreferrer">c</a>"#,
    ] {
        assert!(out.html.contains(expected), "{}", out.html);
    }
}

/// Heading attributes (`{#id .class key=value}`) keep only the id and classes.
#[test]
fn heading_attributes_cannot_add_handlers() {
    let (out, _) = render_str(
        "## Hi {#hi onclick=alert(1)}\n\n## Two {.note onmouseover=\"x()\" style=color:red data-x=1}\n",
    );
    assert!(out.html.contains(r#"<h2 id="hi">Hi</h2>"#), "{}", out.html);
    assert!(
        out.html.contains(r#"<h2 id="two" class="note">"#),
        "{}",
        out.html
    );
    for banned in ["onclick", "onmouseover", "style", "data-x"] {
        assert!(!out.html.contains(banned), "{banned}: {}", out.html);
    }
}

#[test]
fn typed_links_resolve_relative_to_the_page() {
    let (out, diags) =
        render_str("See [SD-2](guideline:SD-2#why) and [G](<control:nist-ai-rmf/GOVERN 1.1>).");
    assert!(diags.is_empty());
    assert!(
        out.html.contains(r#"href="../guidelines/sd-2.html#why""#),
        "{}",
        out.html
    );
    assert!(
        out.html
            .contains(r#"href="../frameworks/nist-ai-rmf/govern-1-1.html""#),
        "{}",
        out.html
    );
}

#[test]
fn unknown_typed_link_is_an_error_at_its_line() {
    let (_, diags) = render_str("Intro.\n\nSee [x](guideline:SD-9).\n");
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].position, Position::new(7, 5));
    assert!(diags[0].message.contains("SD-9"));
}

#[test]
fn headings_get_unique_anchors_and_a_toc() {
    let (out, _) = render_str("## What to do\n\n## What to do\n\n### Custom {#mine}\n");
    let ids: Vec<&str> = out.toc.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["what-to-do", "what-to-do-1", "mine"]);
    assert!(
        out.html.contains(r#"<h2 id="what-to-do-1">"#),
        "{}",
        out.html
    );
}

#[test]
fn raw_html_cannot_inject_script() {
    let (out, _) = render_str(
        "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))\n\n<a href=\"javascript:alert(2)\">y</a>",
    );
    let html = out.html.to_lowercase();
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("onerror"), "{html}");
    assert!(!html.contains("javascript:"), "{html}");
}

#[test]
fn plain_text_is_cut_into_sections_at_headings() {
    let (out, _) = render_str(
        "Intro *text*.\n\n## First\n\nBody one.\n\n```bash\nsha256sum -c x\n```\n\n## Second\n\nBody two.\n",
    );
    let sections: Vec<(Option<&str>, &str)> = out
        .sections
        .iter()
        .map(|s| (s.anchor.as_deref(), s.text.as_str()))
        .collect();
    assert_eq!(
        sections,
        [
            (None, "Intro text."),
            (Some("first"), "Body one. sha256sum -c x"),
            (Some("second"), "Body two.")
        ]
    );
    assert_eq!(out.sections[1].heading.as_deref(), Some("First"));
}

#[test]
fn code_is_highlighted_with_classes() {
    let (out, _) = render_str("```python\ndef f():\n    return 1\n```\n");
    assert!(out.html.contains("class=\"hl-"), "{}", out.html);
    assert!(out.html.contains("language-python"), "{}", out.html);
}

#[test]
fn task_items_are_the_checks_of_a_document() {
    let markdown = "Intro [ ] not a task.\n\n- [ ] Keep a `model card` for\n  each model.\n- [x] Done [already](https://example.org).\n- plain item\n  - [ ] nested check\n\n```text\n- [ ] in code\n```\n";
    assert_eq!(
        super::task_items(markdown),
        [
            "Keep a model card for each model.",
            "Done already.",
            "nested check"
        ]
    );
    assert!(super::task_items("- plain\n- list\n").is_empty());
}

/// The HTML the direct writer gives (`None` when the document has raw HTML or the writer
/// declines it), and the HTML pulldown-cmark writes for the same events, sanitized.
fn both_ways(md: &str) -> (Option<String>, String) {
    let source = Source::default();
    let parsed = match parse(md, &test_context(&source)) {
        Ok(parsed) => parsed,
        Err(diagnostics) => panic!("{md:?} is not rendered: {diagnostics:?}"),
    };
    let direct = (parsed.no_raw_html)
        .then(|| writer::sanitized_html(&parsed.events, 0))
        .flatten();
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, parsed.events.iter().cloned());
    (direct, sanitize(&html))
}

/// Every construct the direct writer handles, in one document without raw HTML.
const EVERY_CONSTRUCT: &str = r#"Intro with *em*, **strong**, ~~del~~, `co<de>&"'`, "quotes" & 'apostrophes' -- ... a&nbsp;b c\<d>e.
A soft break, then a hard one\
and two spaces  
here. Entities: &amp; &copy; &#0; &#x6A; &lt;b&gt;. Not tags: a < b > c, 1<2.

# Top {#top .a .b}

## Links

[plain](https://example.org/x?a=1&b=2 "T \"q\" & t") [rel](other.html#s) [mail](mailto:x@example.org)
[js](javascript:alert(1)) [vb](VBScript:x) [data](data:text/html,x) [ftp](ftp://x.org) [tel](tel:123)
[bad](http://[bad) [sp](<a b.html>) [q](a'b"c.html) [amp](a&amp;b) [pct](a%20b) [uni](é.html)
<https://auto.example.org/x?a&b> <me@example.org> [typed](guideline:SD-2#why) [ref][r] [^1] [^note]

![alt *text* `c` "q"](img.png "Title") ![x](javascript:alert(1)) [![inner](i.png)](https://x.org)

[r]: https://ref.example.org "Ref"

### Lists

1. one
2. two
   - [ ] open task
   - [x] done task

5. five
6. six

- loose

- list

> quoted **text**
>
> > nested

---

| Left | Center | Right | None |
|:-----|:------:|------:|------|
| a    | *b*    | `c`   | [d](https://d.org) |

| Head only |
|---|

```python
def f(x):
    return "a" < 'b' & x  # comment
```

```toml
key = "value" # no grammar
```

```
plain <code> & "quotes"
```

    indented code

[^1]: First note with a [link](https://n.org).
[^note]: Second note.

Ends here."#;

#[test]
fn the_direct_writer_gives_the_sanitizers_bytes_for_every_construct() {
    let events: Vec<Event<'_>> = Parser::new_ext(EVERY_CONSTRUCT, options()).collect();
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, Event::Html(_) | Event::InlineHtml(_))),
        "the document holds no raw HTML"
    );
    let (direct, sanitized) = both_ways(EVERY_CONSTRUCT);
    assert_eq!(direct, Some(sanitized));
}

#[test]
fn the_shipped_content_renders_the_same_either_way() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let mut direct_documents = 0;
    for entry in walk_markdown(&root) {
        let text = std::fs::read_to_string(&entry).expect("shipped content reads");
        let (direct, sanitized) = both_ways(&text);
        if holds_raw_html(&text) {
            continue;
        }
        // Every shipped document without raw HTML is written directly, and as ammonia would.
        assert_eq!(direct, Some(sanitized), "{}", entry.display());
        direct_documents += 1;
    }
    assert!(
        direct_documents > 20,
        "{direct_documents} documents under content/ without raw HTML"
    );
}

fn holds_raw_html(md: &str) -> bool {
    Parser::new_ext(md, options()).any(|e| matches!(e, Event::Html(_) | Event::InlineHtml(_)))
}

fn walk_markdown(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("content folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk_markdown(&path));
        } else if path.extension().is_some_and(|e| e == "md") {
            found.push(path);
        }
    }
    found
}

mod direct_writer_properties {
    use super::*;
    use proptest::prelude::*;

    /// Inline pieces the direct writer must take: text the escaping must get right, every
    /// inline construct, URLs the sanitizer keeps and drops.
    const INLINE: &[&str] = &[
        "word",
        "b&c",
        "<",
        ">",
        "\"q\"",
        "'s",
        "\u{a0}",
        "&amp;",
        "&copy;",
        "&#0;",
        "&#xa0;",
        "&nbsp;",
        "*em*",
        "_em_",
        "**strong**",
        "***both***",
        "~~del~~",
        "`code`",
        "`` a`b ``",
        "*a **b *c* d** e*",
        "[t](http://x.y/a?b=1&c=2 \"ti\\\"tle\")",
        "[t](javascript:alert(1))",
        "[t](<a b>)",
        "[t](mailto:x@y.z)",
        "<http://auto.link/x?a&b>",
        "<me@example.com>",
        "![alt *x*](img.png \"t\")",
        "![a](javascript:x)",
        "![a ![b](c.png)](d.png)",
        "[^1]",
        "[^n]",
        "[r]",
        "[t][r]",
        "line\\\nbreak",
        "two  \nspaces",
        "--",
        "...",
        "'smart'",
        "[t](#frag)",
        "[t](guideline:SD-2)",
        "[t](guideline:NOPE)",
        "[x](http://[bad)",
        "[x](HTTP://X)",
        "[x](ftp://x)",
        "[x](tel:1)",
        "[x](data:text/html,x)",
        "[x](//proto.rel)",
        "[x](\\\\back)",
        "[x](a'b)",
        "é",
        "😀",
        "\t",
        "[![i](i.png)](https://x.org)",
        "[*a* `b`](c.html)",
        "\\*",
        "&#x27;",
        "%20",
        "a\u{c}b",
    ];

    /// Pieces that send the document to the sanitizer: raw HTML, a footnote inside a link,
    /// characters the HTML parser rewrites (in the source or from a character reference).
    const DECLINED: &[&str] = &[
        "<b>raw</b>",
        "<!-- c -->",
        "[a [^1]](http://x)",
        "a&#13;b",
        "&#xD;",
        "[t](x \"a&#13;b\")",
        "![a&#13;b](i.png)",
        "a\0b",
        "\u{feff}x",
        "a\r\nb",
    ];

    const BLOCK: &[&str] = &[
        "# ", "## ", "### ", "###### ", "- ", "1. ", "3. ", "> ", "- [ ] ", "- [x] ", "  - ",
        "    ", "", "", "",
    ];

    /// Blocks other than paragraphs, none of them raw HTML.
    const OTHER_BLOCKS: &[&str] = &[
        "---",
        "***",
        "| a | b |\n|:--|--:|\n| `x` | [y](z.html) |",
        "| h |\n|---|",
        "```python\nx = \"a\" < 'b'\n```",
        "```json\n{\"a\": \"<b>\"}\n```",
        "```\n<raw> & \"q\"\n```",
        "```toml\na = 1\n```",
        "[r]: https://r.org \"R\"",
        "[^1]: a note",
        "[^n]: *another* note",
    ];

    /// A block of `inline` pieces (a heading, list item, quote, code or paragraph), or one of
    /// `other` blocks.
    fn block(inline: Vec<&'static str>, other: Vec<&'static str>) -> impl Strategy<Value = String> {
        prop_oneof![
            8 => (
                prop::sample::select(BLOCK),
                prop::collection::vec(prop::sample::select(inline), 1..6),
                prop::sample::select(&["", " {#id .cls}", " {.a}", " {#x onclick=y}"][..]),
            )
                .prop_map(|(start, words, attrs)| {
                    let attrs = if start.starts_with('#') { attrs } else { "" };
                    format!("{start}{}{attrs}", words.join(" "))
                }),
            1 => prop::sample::select(other).prop_map(str::to_string),
        ]
    }

    fn document(blocks: &[String], separators: &[&str]) -> String {
        blocks
            .iter()
            .zip(separators.iter().cycle())
            .map(|(block, sep)| format!("{block}{sep}"))
            .collect()
    }

    const SEPARATORS: &[&str] = &["\n", "\n\n", "\n\n\n"];

    proptest! {
        #![proptest_config(ProptestConfig { cases: 384, ..ProptestConfig::default() })]

        /// The one-pass collapse gives what splitting on whitespace and joining gives, for
        /// every kind of space Unicode has and the ASCII controls around them.
        #[test]
        fn collapsed_whitespace_is_the_words_joined_by_one_space(
            text in "[ a\t\n\u{b}\u{c}\r\u{1c}\u{85}\u{a0}\u{2003}\u{3000}é€😀x]{0,40}",
        ) {
            let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
            prop_assert_eq!(super::super::collapse_whitespace(&text), joined);
        }

        /// A document without raw HTML is written directly, in the sanitizer's bytes.
        #[test]
        fn documents_without_raw_html_are_written_directly_as_the_sanitizer_would(
            blocks in prop::collection::vec(block(INLINE.to_vec(), OTHER_BLOCKS.to_vec()), 1..10),
            separators in prop::collection::vec(prop::sample::select(SEPARATORS), 10),
        ) {
            let md = document(&blocks, &separators);
            let (direct, sanitized) = both_ways(&md);
            prop_assert_eq!(direct, Some(sanitized), "markdown: {:?}", md);
        }

        /// Whatever the document, rendering gives the bytes the sanitizer gives (documents
        /// with a declined piece go through the sanitizer).
        #[test]
        fn direct_html_is_the_sanitizers_html(
            blocks in prop::collection::vec(
                block(
                    [INLINE, DECLINED].concat(),
                    [OTHER_BLOCKS, &["<div>raw block</div>"]].concat(),
                ),
                1..10,
            ),
            separators in prop::collection::vec(prop::sample::select(SEPARATORS), 10),
        ) {
            let md = document(&blocks, &separators);
            let (direct, sanitized) = both_ways(&md);
            prop_assert_eq!(
                to_safe_html_of(&md),
                sanitized.clone(),
                "markdown: {:?}", md
            );
            if let Some(direct) = direct {
                prop_assert_eq!(direct, sanitized, "markdown: {:?}", md);
            }
        }
    }

    /// What [`render`] itself gives.
    fn to_safe_html_of(md: &str) -> String {
        render(md, &test_context(&Source::default())).0.html
    }
}
