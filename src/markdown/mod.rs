//! Markdown to safe HTML: pulldown-cmark with the GFM extensions, typed links resolved to site
//! URLs, stable heading anchors with a table of contents, build-time code highlighting, and
//! HTML that is always the sanitizer's (ammonia's) output, so content can never inject script:
//! written by ammonia, or for documents without raw HTML, directly in its form (`writer`).

mod highlight;
mod sanitize;
mod writer;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::diagnostic::{Diagnostic, Position};
use crate::model::{Source, slugify};

pub use highlight::Highlights;
pub use sanitize::{is_safe_url, relink_sanitized, sanitize, sanitize_relinked};

/// The typed-link schemes: `[text](guideline:SD-1)`, `(control:<framework>/<id>)`...
pub const LINK_SCHEMES: [&str; 5] = ["guideline", "example", "control", "framework", "page"];

/// Turns a typed link target into a URL relative to the site root, or explains why it can't.
pub trait LinkResolver {
    fn resolve(&self, scheme: &str, target: &str) -> Result<String, LinkError>;

    /// Whether a target that does not resolve names a document that failed to load (whose own
    /// error explains this one, so it is not reported).
    fn failed_to_load(&self, _scheme: &str, _target: &str) -> bool {
        false
    }
}

pub struct LinkError {
    pub message: String,
    pub help: Option<String>,
}

/// Rendering settings for one document.
pub struct Context<'a> {
    pub source: &'a Source,
    /// The body's first line within the file, for error positions.
    pub line_offset: usize,
    /// The path from the current page back to the site root (`""`, `"../"`, ...).
    pub root: &'a str,
    pub links: &'a dyn LinkResolver,
    /// Where highlighted code blocks are kept; `None` leaves code unhighlighted.
    pub highlight: Option<&'a Highlights>,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RenderedMarkdown {
    pub html: String,
    /// Headings of levels 2 and 3, for the on-page table of contents.
    pub toc: Vec<TocEntry>,
    /// Every typed link target, as `scheme:target` (used for reachability checks).
    #[serde(skip)]
    pub typed_links: Vec<String>,
    /// The plain text, cut at each level 2-3 heading, for the search index.
    #[serde(skip)]
    pub sections: Vec<TextSection>,
    /// Links that name an anchor, checked once every page is rendered.
    #[serde(skip)]
    pub anchor_links: Vec<AnchorLink>,
}

/// A link to `#anchor` on a page of the site (`page: None` is the page the link is on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorLink {
    pub page: Option<String>,
    pub anchor: String,
    pub file: std::path::PathBuf,
    pub position: Position,
}

/// Plain text of the part of a document under one heading (or before the first one).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextSection {
    /// The heading's anchor; `None` for the text before the first heading.
    pub anchor: Option<String>,
    pub heading: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION
}

/// Escapes text for HTML content and attribute values (`&`, `<`, `>`, `"`, `'`).
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    // Writing into a String cannot fail.
    let _ = pulldown_cmark_escape::escape_html(&mut out, text);
    out
}

/// `text` with every run of whitespace (as [`char::is_whitespace`] has it) made one space and
/// none at either end, built in place: for the words of every section of every page, where
/// collecting them into a vector to join was a measurable cost.
pub fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The plain text of each task-list item (`- [ ] ...`) of `markdown`, in order: a guideline's
/// checks for self-assessment. Nested lists belong to their own items; most documents have no
/// task list and are not parsed at all.
pub fn task_items(markdown: &str) -> Vec<String> {
    if !(markdown.contains("[ ]") || markdown.contains("[x]") || markdown.contains("[X]")) {
        return Vec::new();
    }
    let mut items = Vec::new();
    // The text of each open list item, innermost last; `None` for an item without a checkbox.
    let mut open: Vec<Option<String>> = Vec::new();
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Start(Tag::Item) => open.push(None),
            Event::TaskListMarker(_) => {
                if let Some(item) = open.last_mut() {
                    *item = Some(String::new());
                }
            }
            Event::End(TagEnd::Item) => {
                if let Some(Some(text)) = open.pop() {
                    let text = collapse_whitespace(&text);
                    if !text.is_empty() {
                        items.push(text);
                    }
                }
            }
            Event::Text(text) | Event::Code(text) => {
                if let Some(Some(item)) = open.last_mut() {
                    item.push_str(&text);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(Some(item)) = open.last_mut() {
                    item.push(' ');
                }
            }
            _ => {}
        }
    }
    items
}

/// Renders `markdown`; problems (unknown link targets) are returned beside the output.
pub fn render(markdown: &str, cx: &Context<'_>) -> (RenderedMarkdown, Vec<Diagnostic>) {
    let capacity = markdown.len() * 3 / 2;
    match parse(markdown, cx) {
        Ok(Parsed {
            events,
            no_raw_html,
            rendered,
            diagnostics,
        }) => {
            let html = to_safe_html(&events, no_raw_html, capacity);
            (RenderedMarkdown { html, ..rendered }, diagnostics)
        }
        Err(diagnostics) => (RenderedMarkdown::default(), diagnostics),
    }
}

/// A document read into the events its HTML is written from, with everything else it gives.
struct Parsed<'a> {
    events: Vec<Event<'a>>,
    /// No raw HTML, nor characters the HTML parser rewrites: the direct writer may take it.
    no_raw_html: bool,
    /// All but the HTML.
    rendered: RenderedMarkdown,
    diagnostics: Vec<Diagnostic>,
}

/// Reads `markdown` into events (typed links resolved, code highlighted, headings anchored);
/// the diagnostics alone when the document is nested too deeply to render.
fn parse<'a>(markdown: &'a str, cx: &Context<'_>) -> Result<Parsed<'a>, Vec<Diagnostic>> {
    let mut diagnostics = Vec::new();
    let mut typed_links = Vec::new();
    let mut anchor_links = Vec::new();
    let mut events: Vec<Event<'_>> = Vec::new();
    // Plain text of each highlighted code block, by the index of the HTML event that replaced it.
    let mut code_text: std::collections::HashMap<usize, String> = std::collections::HashMap::new();
    let mut parser = Parser::new_ext(markdown, options()).into_offset_iter();
    let mut nesting = Nesting::default();
    let mut raw_html = false;
    let mut positions = crate::diagnostic::Positions::new(markdown, cx.line_offset);
    while let Some((event, range)) = parser.next() {
        if nesting.exceeded_by(&event) {
            let position = Position::of_offset(markdown, range.start, cx.line_offset);
            diagnostics.push(too_deep(cx, position));
            return Err(diagnostics);
        }
        match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let position = positions.of(range.start);
                let dest_url = match typed_link(&dest_url) {
                    Some((scheme, target)) => {
                        typed_links.push(format!("{scheme}:{target}"));
                        let (url, anchor) =
                            resolve_link(scheme, target, cx, position, &mut diagnostics);
                        if let Some((page, anchor)) = anchor {
                            anchor_links.push(AnchorLink {
                                page: Some(page),
                                anchor,
                                file: cx.source.path.clone(),
                                position,
                            });
                        }
                        url
                    }
                    None => {
                        if let Some(anchor) = dest_url.strip_prefix('#').filter(|a| !a.is_empty()) {
                            anchor_links.push(AnchorLink {
                                page: None,
                                anchor: anchor.to_string(),
                                file: cx.source.path.clone(),
                                position,
                            });
                        }
                        dest_url
                    }
                };
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match &kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                let mut code = String::new();
                for (inner, _) in parser.by_ref() {
                    match inner {
                        Event::End(TagEnd::CodeBlock) => break,
                        Event::Text(text) => code.push_str(&text),
                        _ => {}
                    }
                }
                // Its end was read here, not at the top of the loop.
                nesting.exceeded_by(&Event::End(TagEnd::CodeBlock));
                events.push(Event::Html(
                    highlight::code_block(&code, &lang, cx.highlight).into(),
                ));
                code_text.insert(events.len() - 1, code);
            }
            // A wide table scrolls inside a wrapper that a keyboard can focus (axe:
            // scrollable-region-focusable).
            Event::Start(Tag::Table(alignments)) => {
                events.push(Event::Html(
                    r#"<div class="table-wrap" tabindex="0">"#.into(),
                ));
                events.push(Event::Start(Tag::Table(alignments)));
            }
            Event::End(TagEnd::Table) => {
                events.push(Event::End(TagEnd::Table));
                events.push(Event::Html("</div>\n".into()));
            }
            // A disabled checkbox still needs a name (axe: label): its state, read before the item.
            Event::TaskListMarker(done) => events.push(Event::InlineHtml(
                match done {
                    true => r#"<input type="checkbox" disabled="" checked="" aria-label="done"> "#,
                    false => r#"<input type="checkbox" disabled="" aria-label="to do"> "#,
                }
                .into(),
            )),
            Event::Html(_) | Event::InlineHtml(_) => {
                raw_html = true;
                events.push(event);
            }
            other => events.push(other),
        }
    }
    let toc = anchor_headings(&mut events);
    let sections = text_sections(&events, &code_text);
    Ok(Parsed {
        events,
        no_raw_html: !raw_html && !writer::parser_normalizes(markdown),
        rendered: RenderedMarkdown {
            html: String::new(),
            toc,
            typed_links,
            sections,
            anchor_links,
        },
        diagnostics,
    })
}

/// The HTML of `events`, sanitized. Documents without raw HTML (nor characters the HTML parser
/// rewrites) are written in the sanitizer's form directly where [`writer`] can; all others are
/// written by pulldown-cmark and go through the sanitizer.
fn to_safe_html(events: &[Event<'_>], no_raw_html: bool, capacity: usize) -> String {
    if no_raw_html && let Some(html) = writer::sanitized_html(events, capacity) {
        return html;
    }
    let mut html = String::with_capacity(capacity);
    pulldown_cmark::html::push_html(&mut html, events.iter().cloned());
    sanitize(&html)
}

/// The deepest nesting of elements a document may have, counted separately for Markdown
/// containers and for raw HTML tags. Real documents stay below 20; the HTML sanitizer's time
/// grows with the square of the depth (100,000 nested `<div>` took 30 s), so deeper documents are
/// refused, not rendered.
pub const MAX_NESTING: usize = 256;

fn too_deep(cx: &Context<'_>, position: Position) -> Diagnostic {
    Diagnostic::error(
        "limit",
        &cx.source.path,
        position,
        format!("elements are nested more than {MAX_NESTING} deep here"),
    )
    .with_help("flatten the structure: close blocks, quotes, lists or HTML tags sooner")
}

/// How deeply a document's elements are nested so far: Markdown containers by their events, raw
/// HTML by a small tag reader that errs towards counting too deep (unknown closing tags close
/// nothing, `<div/>` opens a div, quoted `>` and comments are skipped, as browsers do).
#[derive(Default)]
struct Nesting {
    markdown: usize,
    html: Vec<String>,
    /// Inside `<!-- ... -->`, or the raw text of `<script>`, `<style>`... (its closing tag name).
    skipping: Option<String>,
}

impl Nesting {
    /// Counts `event` in; true once either depth passes [`MAX_NESTING`].
    fn exceeded_by(&mut self, event: &Event<'_>) -> bool {
        match event {
            Event::Start(_) => self.markdown += 1,
            Event::End(_) => self.markdown = self.markdown.saturating_sub(1),
            Event::Html(html) | Event::InlineHtml(html) => return self.read_html(html),
            _ => {}
        }
        self.markdown > MAX_NESTING
    }

    /// Reads the tags of one piece of raw HTML; true once the depth passes [`MAX_NESTING`].
    fn read_html(&mut self, html: &str) -> bool {
        const VOID: [&str; 15] = [
            "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
            "source", "track", "wbr", "keygen",
        ];
        const RAW_TEXT: [&str; 8] = [
            "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
        ];
        // Elements a browser closes when the next one of the same kind opens.
        const IMPLIED: [&str; 8] = ["li", "p", "dt", "dd", "option", "tr", "td", "th"];
        let mut rest = html;
        loop {
            if let Some(until) = self.skipping.take() {
                match find_ignoring_case(rest, &until) {
                    Some(end) => rest = &rest[end + until.len()..],
                    None => {
                        self.skipping = Some(until);
                        return false;
                    }
                }
            }
            let Some(open) = rest.find('<') else {
                return false;
            };
            rest = &rest[open..];
            if rest.starts_with("<!--") {
                self.skipping = Some("-->".into());
                rest = &rest[4..];
                continue;
            }
            let closing = rest.starts_with("</");
            let name_at = if closing { 2 } else { 1 };
            let name: String = rest[name_at..]
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_ascii_lowercase();
            if name.is_empty() {
                rest = &rest[1..];
                continue;
            }
            let end = end_of_tag(&rest[name_at + name.len()..]) + name_at + name.len();
            let self_closing = rest[..end].ends_with("/>");
            rest = &rest[end..];
            if closing {
                if let Some(at) = self.html.iter().rposition(|open| *open == name) {
                    self.html.truncate(at);
                }
                continue;
            }
            if VOID.contains(&name.as_str()) {
                continue;
            }
            let foreign = self.html.iter().any(|open| open == "svg" || open == "math");
            if self_closing && foreign {
                continue;
            }
            if IMPLIED.contains(&name.as_str()) && self.html.last() == Some(&name) {
                self.html.pop();
            }
            if RAW_TEXT.contains(&name.as_str()) {
                self.skipping = Some(format!("</{name}"));
                continue;
            }
            self.html.push(name);
            if self.html.len() > MAX_NESTING {
                return true;
            }
        }
    }
}

/// The length of a tag's remainder up to and including its `>` (outside quoted values), or all
/// of `text` when the tag does not end in it.
fn end_of_tag(text: &str) -> usize {
    let mut quote = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return i + 1,
            _ => {}
        }
    }
    text.len()
}

/// Where `needle` (ASCII) first occurs in `haystack`, ignoring ASCII case.
fn find_ignoring_case(haystack: &str, needle: &str) -> Option<usize> {
    let (hay, needle) = (haystack.as_bytes(), needle.as_bytes());
    hay.windows(needle.len())
        .position(|window| window.eq_ignore_ascii_case(needle))
}

/// Splits `guideline:SD-1` into its scheme and target (percent-decoding `%20`).
fn typed_link(dest: &str) -> Option<(&'static str, String)> {
    let (scheme, target) = dest.split_once(':')?;
    let scheme = LINK_SCHEMES.into_iter().find(|s| *s == scheme)?;
    Some((scheme, target.replace("%20", " ")))
}

/// The link's URL (relative to the page), and the (site-relative page, anchor) it names, if any.
fn resolve_link<'a>(
    scheme: &str,
    target: String,
    cx: &Context<'_>,
    position: Position,
    diagnostics: &mut Vec<Diagnostic>,
) -> (CowStr<'a>, Option<(String, String)>) {
    let (target, anchor) = match target.split_once('#') {
        Some((t, a)) => (t.to_string(), Some(a.to_string())),
        None => (target, None),
    };
    match cx.links.resolve(scheme, &target) {
        Ok(url) => {
            let href = match &anchor {
                Some(a) => format!("{}{}#{a}", cx.root, url.split('#').next().unwrap_or(&url)),
                None => format!("{}{url}", cx.root),
            };
            let named = anchor.map(|a| (url.split('#').next().unwrap_or(&url).to_string(), a));
            (href.into(), named)
        }
        Err(_) if cx.links.failed_to_load(scheme, &target) => ("#".into(), None),
        Err(err) => {
            let diagnostic = Diagnostic::error(
                "unknown-link-target",
                &cx.source.path,
                position,
                err.message,
            );
            diagnostics.push(match err.help {
                Some(help) => diagnostic.with_help(help),
                None => diagnostic,
            });
            ("#".into(), None)
        }
    }
}

/// Splits the document's plain text at each level 2-3 heading.
fn text_sections(
    events: &[Event<'_>],
    code_text: &std::collections::HashMap<usize, String>,
) -> Vec<TextSection> {
    let mut sections = vec![TextSection::default()];
    let mut in_heading = false;
    for (i, event) in events.iter().enumerate() {
        let Some(current) = sections.last_mut() else {
            break;
        };
        match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H2 | HeadingLevel::H3,
                id,
                ..
            }) => {
                sections.push(TextSection {
                    anchor: id.as_ref().map(|id| id.to_string()),
                    heading: Some(String::new()),
                    text: String::new(),
                });
                in_heading = true;
            }
            Event::End(TagEnd::Heading(_)) => in_heading = false,
            Event::Text(text) | Event::Code(text) if in_heading => {
                current
                    .heading
                    .get_or_insert_with(String::new)
                    .push_str(text);
            }
            Event::Text(text) | Event::Code(text) => {
                current.text.push_str(text);
            }
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::BlockQuote(_)
                | TagEnd::List(_)
                | TagEnd::FootnoteDefinition,
            ) => current.text.push(' '),
            Event::Html(_) => {
                if let Some(code) = code_text.get(&i) {
                    current.text.push_str(code);
                    current.text.push(' ');
                }
            }
            _ => {}
        }
    }
    for section in &mut sections {
        section.text = collapse_whitespace(&section.text);
    }
    sections.retain(|s| s.heading.is_some() || !s.text.is_empty());
    sections
}

/// Gives every heading a stable, unique id and returns the level 2-3 entries.
fn anchor_headings(events: &mut [Event<'_>]) -> Vec<TocEntry> {
    let mut toc = Vec::new();
    let mut used = crate::model::UniqueSlugs::default();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { level, id, .. }) = &events[i] {
            let level = *level;
            let end = events[i..]
                .iter()
                .position(|e| matches!(e, Event::End(TagEnd::Heading(_))))
                .map_or(events.len(), |p| i + p);
            let title: String = events[i + 1..end]
                .iter()
                .filter_map(|e| match e {
                    Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                    _ => None,
                })
                .collect();
            let base = id
                .as_ref()
                .map_or_else(|| slugify(&title), |id| id.to_string());
            let base = if base.is_empty() {
                "section".to_string()
            } else {
                base
            };
            let unique = used.claim(base);
            if let Event::Start(Tag::Heading { id, attrs, .. }) = &mut events[i] {
                *id = Some(unique.clone().into());
                // `{#x onclick=...}`: only the id and classes of heading attributes are kept.
                attrs.clear();
            }
            if matches!(level, HeadingLevel::H2 | HeadingLevel::H3) {
                toc.push(TocEntry {
                    level: level as u8,
                    id: unique,
                    title,
                });
            }
            i = end;
        }
        i += 1;
    }
    toc
}

#[cfg(test)]
mod tests;
