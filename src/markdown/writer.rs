//! The HTML of a Markdown event stream, written byte for byte as the sanitizer would give it
//! back: ammonia parses and re-serializes every document, which was a tenth of a
//! 10,000-guideline build, and nearly all documents hold nothing it would change.
//!
//! [`sanitized_html`] writes what pulldown-cmark's HTML writer writes (same elements, same
//! line breaks), with the sanitizer's changes made as it goes: html5ever's escaping, void
//! elements without a slash, no `style` on table cells, `rel` on every link, and `href`/`src`
//! kept only for the URLs ammonia keeps. It copies `Html` events as they are, so the caller
//! sends it only documents without raw HTML (whose `Html` events are ours: code blocks, table
//! wrappers, task-list boxes, already in the sanitizer's form). It declines (returns `None`)
//! what it does not know: a link inside a link (which the HTML parser restructures), a
//! carriage return (which the parser rewrites), and constructs the parser options leave out.
//! The caller then sanitizes.
//!
//! Unit tests (`tests.rs`) check that this gives the same bytes as ammonia over
//! pulldown-cmark's HTML for generated Markdown, for every shipped document and for a document
//! holding every construct.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use pulldown_cmark::{Event, LinkType, Tag, TagEnd};

/// Whether the source holds characters the HTML parser rewrites (so only the sanitizer's
/// output is the reference).
pub fn parser_normalizes(markdown: &str) -> bool {
    markdown.contains(['\r', '\0', '\u{feff}'])
}

/// The sanitized HTML of `events`, or `None` when only the sanitizer can say what it is.
/// Every `Html`/`InlineHtml` event must be one of ours, already in the sanitizer's form (the
/// caller sends documents with raw HTML to the sanitizer instead).
pub fn sanitized_html(events: &[Event<'_>], capacity: usize) -> Option<String> {
    let mut writer = Writer {
        out: String::with_capacity(capacity),
        end_newline: true,
        in_head: false,
        in_link: false,
        footnotes: HashMap::new(),
    };
    let mut events = events.iter();
    while let Some(event) = events.next() {
        writer.event(event, &mut events)?;
    }
    // A carriage return can reach the events without being in the source (`&#13;`); the parser
    // would turn it into a line feed.
    (!writer.out.contains('\r')).then_some(writer.out)
}

struct Writer<'a> {
    out: String,
    /// Whether the last write ended a line (pulldown-cmark's rule for where blocks break).
    end_newline: bool,
    /// In a table's head row (cells are `th`).
    in_head: bool,
    in_link: bool,
    /// Footnote name -> number, in order of first mention.
    footnotes: HashMap<&'a str, usize>,
}

impl<'a> Writer<'a> {
    fn write(&mut self, s: &str) {
        self.out.push_str(s);
        if !s.is_empty() {
            self.end_newline = s.ends_with('\n');
        }
    }

    /// `s`, on a line of its own.
    fn write_block(&mut self, s: &str) {
        if !self.end_newline {
            self.out.push('\n');
        }
        self.write(s);
    }

    fn text(&mut self, text: &str) {
        escape(text, false, &mut self.out);
        self.end_newline = text.ends_with('\n');
    }

    fn footnote_number(&mut self, name: &'a str) -> usize {
        let next = self.footnotes.len() + 1;
        *self.footnotes.entry(name).or_insert(next)
    }

    fn event(
        &mut self,
        event: &'a Event<'a>,
        rest: &mut std::slice::Iter<'a, Event<'a>>,
    ) -> Option<()> {
        match event {
            Event::Start(tag) => self.start(tag, rest)?,
            Event::End(tag) => self.end(*tag)?,
            Event::Text(text) => self.text(text),
            Event::Code(text) => {
                self.write("<code>");
                escape(text, false, &mut self.out);
                self.write("</code>");
            }
            // Ours (code blocks, table wrappers, task-list boxes), written in final form.
            Event::Html(html) | Event::InlineHtml(html) => self.write(html),
            Event::SoftBreak => self.write("\n"),
            Event::HardBreak => self.write("<br>\n"),
            Event::Rule => self.write_block("<hr>\n"),
            Event::FootnoteReference(name) => {
                if self.in_link {
                    return None;
                }
                self.write("<sup class=\"footnote-reference\"><a href=\"");
                attribute(&format!("#{name}"), &mut self.out);
                self.write("\" rel=\"noopener noreferrer\">");
                let number = self.footnote_number(name);
                self.write(&format!("{number}</a></sup>"));
            }
            // Task markers are replaced by ours before; math is not enabled.
            Event::TaskListMarker(_) | Event::InlineMath(_) | Event::DisplayMath(_) => {
                return None;
            }
        }
        Some(())
    }

    fn start(
        &mut self,
        tag: &'a Tag<'a>,
        rest: &mut std::slice::Iter<'a, Event<'a>>,
    ) -> Option<()> {
        match tag {
            Tag::Paragraph => self.write_block("<p>"),
            Tag::Heading {
                level,
                id,
                classes,
                attrs,
            } => {
                if !attrs.is_empty() {
                    return None;
                }
                self.write_block(&format!("<{level}"));
                if let Some(id) = id {
                    self.write(" id=\"");
                    attribute(id, &mut self.out);
                    self.write("\"");
                }
                if !classes.is_empty() {
                    self.write(" class=\"");
                    attribute(&classes.join(" "), &mut self.out);
                    self.write("\"");
                }
                self.write(">");
            }
            Tag::Table(_) => self.write("<table>"),
            Tag::TableHead => {
                self.in_head = true;
                self.write("<thead><tr>");
            }
            Tag::TableRow => self.write("<tr>"),
            // Alignment is a `style`, which the sanitizer removes (and the CSP would block).
            Tag::TableCell => self.write(if self.in_head { "<th>" } else { "<td>" }),
            Tag::BlockQuote(None) => self.write_block("<blockquote>\n"),
            Tag::List(Some(1)) => self.write_block("<ol>\n"),
            Tag::List(Some(start)) => self.write_block(&format!("<ol start=\"{start}\">\n")),
            Tag::List(None) => self.write_block("<ul>\n"),
            Tag::Item => self.write_block("<li>"),
            Tag::Emphasis => self.write("<em>"),
            Tag::Strong => self.write("<strong>"),
            Tag::Strikethrough => self.write("<del>"),
            Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            } => {
                if self.in_link {
                    return None;
                }
                self.in_link = true;
                let prefix = if *link_type == LinkType::Email {
                    "mailto:"
                } else {
                    ""
                };
                self.write("<a");
                self.url_attribute("href", prefix, dest_url);
                self.title(title);
                self.write(" rel=\"noopener noreferrer\">");
            }
            Tag::Image {
                dest_url, title, ..
            } => {
                self.write("<img");
                self.url_attribute("src", "", dest_url);
                self.write(" alt=\"");
                let alt = self.alt_text(rest);
                attribute(&alt, &mut self.out);
                self.write("\"");
                self.title(title);
                self.write(">");
            }
            Tag::FootnoteDefinition(name) => {
                self.write_block("<div class=\"footnote-definition\" id=\"");
                attribute(name, &mut self.out);
                let number = self.footnote_number(name);
                self.write(&format!(
                    "\"><sup class=\"footnote-definition-label\">{number}</sup>"
                ));
            }
            // Not enabled (alerts, definition lists, sub- and superscript, metadata); raw HTML
            // and code blocks never reach here (the caller sends the first to the sanitizer
            // and writes the second itself).
            Tag::BlockQuote(Some(_))
            | Tag::Superscript
            | Tag::Subscript
            | Tag::HtmlBlock
            | Tag::CodeBlock(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::MetadataBlock(_) => return None,
        }
        Some(())
    }

    fn end(&mut self, tag: TagEnd) -> Option<()> {
        let html = match tag {
            TagEnd::Paragraph => "</p>\n",
            TagEnd::Heading(level) => {
                self.write(&format!("</{level}>\n"));
                return Some(());
            }
            TagEnd::Table => "</tbody></table>\n",
            TagEnd::TableHead => {
                self.in_head = false;
                "</tr></thead><tbody>\n"
            }
            TagEnd::TableRow => "</tr>\n",
            TagEnd::TableCell if self.in_head => "</th>",
            TagEnd::TableCell => "</td>",
            TagEnd::BlockQuote(_) => "</blockquote>\n",
            TagEnd::List(true) => "</ol>\n",
            TagEnd::List(false) => "</ul>\n",
            TagEnd::Item => "</li>\n",
            TagEnd::Emphasis => "</em>",
            TagEnd::Strong => "</strong>",
            TagEnd::Strikethrough => "</del>",
            TagEnd::Link => {
                self.in_link = false;
                "</a>"
            }
            TagEnd::FootnoteDefinition => "</div>\n",
            // An image's end is read with its description; the rest are declined at their start.
            TagEnd::Image
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::HtmlBlock
            | TagEnd::CodeBlock
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::MetadataBlock(_) => return None,
        };
        self.write(html);
        Some(())
    }

    /// ` name="url"` when the sanitizer keeps the URL, else nothing (as it removes the
    /// attribute). The value is what the parser reads back from pulldown-cmark's `escape_href`.
    fn url_attribute(&mut self, name: &str, prefix: &str, url: &str) {
        let mut escaped = String::new();
        // Writing into a String cannot fail.
        let _ = pulldown_cmark_escape::escape_href(&mut escaped, url);
        let value = format!("{prefix}{}", unescape_href(&escaped));
        if kept_url(&value) {
            self.write(&format!(" {name}=\""));
            attribute(&value, &mut self.out);
            self.write("\"");
        }
    }

    fn title(&mut self, title: &str) {
        if !title.is_empty() {
            self.write(" title=\"");
            attribute(title, &mut self.out);
            self.write("\"");
        }
    }

    /// An image's description as pulldown-cmark writes it into `alt` (its events consumed up
    /// to the image's end).
    fn alt_text(&mut self, rest: &mut std::slice::Iter<'a, Event<'a>>) -> String {
        let mut alt = String::new();
        let mut nest = 0;
        for event in rest.by_ref() {
            match event {
                Event::Start(_) => nest += 1,
                Event::End(_) if nest == 0 => break,
                Event::End(_) => nest -= 1,
                Event::Html(_) => {}
                Event::InlineHtml(text) | Event::Code(text) | Event::Text(text) => {
                    alt.push_str(text);
                }
                Event::InlineMath(text) => alt.push_str(&format!("${text}$")),
                Event::DisplayMath(text) => alt.push_str(&format!("$${text}$$")),
                Event::SoftBreak | Event::HardBreak | Event::Rule => alt.push(' '),
                Event::FootnoteReference(name) => {
                    let number = self.footnote_number(name);
                    alt.push_str(&format!("[{number}]"));
                }
                Event::TaskListMarker(true) => alt.push_str("[x]"),
                Event::TaskListMarker(false) => alt.push_str("[ ]"),
            }
        }
        alt
    }
}

/// `escape_href`'s output read back as an attribute value: it writes `&` and `'` as
/// entities and percent-encodes the rest it changes.
fn unescape_href(escaped: &str) -> String {
    let mut value = String::with_capacity(escaped.len());
    let mut rest = escaped;
    while let Some(amp) = rest.find('&') {
        value.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let (text, len) = if rest.starts_with("&amp;") {
            ("&", 5)
        } else if rest.starts_with("&#x27;") {
            ("'", 6)
        } else {
            ("&", 1)
        };
        value.push_str(text);
        rest = &rest[len..];
    }
    value.push_str(rest);
    value
}

/// The sanitizer's rule for `href` and `src`: a URL with an allowed scheme, or a relative one.
fn kept_url(url: &str) -> bool {
    static SCHEMES: OnceLock<HashSet<&'static str>> = OnceLock::new();
    let schemes = SCHEMES.get_or_init(super::sanitize::url_schemes);
    match url::Url::parse(url) {
        Ok(parsed) => schemes.contains(parsed.scheme()),
        Err(url::ParseError::RelativeUrlWithoutBase) => true,
        Err(_) => false,
    }
}

/// Escapes as html5ever's serializer does: `&`, `<`, `>` and no-break spaces, and in attribute
/// values `"` too (not `'`, which it leaves as is).
pub fn escape(text: &str, in_attribute: bool, out: &mut String) {
    let bytes = text.as_bytes();
    let mut start = 0;
    for (i, &byte) in bytes.iter().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' if in_attribute => "&quot;",
            // U+00A0 is C2 A0 in UTF-8 (and A0 never starts a character).
            0xA0 if i > 0 && bytes[i - 1] == 0xC2 => {
                out.push_str(&text[start..i - 1]);
                out.push_str("&nbsp;");
                start = i + 1;
                continue;
            }
            _ => continue,
        };
        out.push_str(&text[start..i]);
        out.push_str(entity);
        start = i + 1;
    }
    out.push_str(&text[start..]);
}

fn attribute(value: &str, out: &mut String) {
    escape(value, true, out);
}
