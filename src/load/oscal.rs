//! OSCAL catalog import: `frameworks/<id>.json` holding an OSCAL catalog becomes a framework.
//!
//! Groups, controls and nested enhancements keep their structure; the human label (`AC-2(1)`,
//! from the `label` prop) becomes the control id and the OSCAL id (`ac-2.1`) an alias; the
//! statement and guidance parts become Markdown, with parameter placeholders shown the way NIST
//! prints them (`[Assignment: ...]`, `[Selection (one or more): ...]`). Withdrawn controls are
//! kept, marked, with the controls that took them over. A malformed file gets an error naming
//! the JSON path of the problem, with its line and column.

use std::collections::HashMap;

use serde::Deserialize;

use crate::diagnostic::{Diagnostic, Position};
use crate::model::{Catalog, Control, Group, Source, Spanned};

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct OscalFile {
    catalog: OscalCatalog,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct OscalCatalog {
    metadata: Metadata,
    #[serde(default)]
    groups: Vec<OscalGroup>,
    #[serde(default)]
    controls: Vec<OscalControl>,
    #[serde(default)]
    back_matter: Option<BackMatter>,
}

#[derive(Deserialize)]
struct BackMatter {
    #[serde(default)]
    resources: Vec<Resource>,
}

/// A cited document; prose links to it as `[text](#uuid)`.
#[derive(Deserialize)]
struct Resource {
    uuid: String,
    #[serde(default)]
    rlinks: Vec<Link>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Metadata {
    title: String,
    version: String,
    #[serde(default)]
    links: Vec<Link>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct OscalGroup {
    #[serde(default)]
    id: Option<String>,
    title: String,
    #[serde(default)]
    parts: Vec<Part>,
    #[serde(default)]
    groups: Vec<OscalGroup>,
    #[serde(default)]
    controls: Vec<OscalControl>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct OscalControl {
    id: String,
    title: String,
    #[serde(default)]
    props: Vec<Prop>,
    #[serde(default)]
    links: Vec<Link>,
    #[serde(default)]
    params: Vec<Param>,
    #[serde(default)]
    parts: Vec<Part>,
    #[serde(default)]
    controls: Vec<OscalControl>,
}

#[derive(Deserialize)]
struct Prop {
    name: String,
    value: String,
    #[serde(default)]
    class: Option<String>,
}

#[derive(Deserialize)]
struct Link {
    href: String,
    #[serde(default)]
    rel: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Param {
    id: String,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    select: Option<Select>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Select {
    #[serde(default)]
    how_many: Option<String>,
    #[serde(default)]
    choice: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Part {
    name: String,
    #[serde(default)]
    props: Vec<Prop>,
    #[serde(default)]
    prose: Option<String>,
    #[serde(default)]
    parts: Vec<Part>,
}

/// Reads an OSCAL catalog; `id` (the file stem) becomes the framework id.
pub fn parse(text: &str, id: &str, source: &Source) -> Result<Catalog, Diagnostic> {
    let document: OscalFile = from_json(text, source, |path| oscal_help(path, text))?;
    let catalog = document.catalog;
    let mut converter = Converter::default();
    converter.index_labels(&catalog.groups, &catalog.controls);
    for resource in catalog.back_matter.iter().flat_map(|b| &b.resources) {
        let href = resource
            .rlinks
            .iter()
            .map(|l| l.href.clone())
            .find(|h| h.starts_with("http"));
        converter.resources.insert(resource.uuid.clone(), href);
    }
    let url = catalog
        .metadata
        .links
        .iter()
        .find(|l| l.href.starts_with("http"))
        .map(|l| l.href.clone());
    Ok(Catalog {
        id: spanned(id.to_string()),
        name: catalog.metadata.title.trim().to_string(),
        kind: Default::default(),
        mitigations: None,
        version: Some(catalog.metadata.version),
        url,
        license: None,
        description: None,
        csv: None,
        groups: catalog.groups.iter().map(|g| converter.group(g)).collect(),
        controls: catalog
            .controls
            .iter()
            .map(|c| converter.control(c))
            .collect(),
    })
}

/// `text` as JSON of type `T`, or an `oscal` error naming the JSON path of the problem, at its
/// line and column, with the help `help` gives for that path.
pub(super) fn from_json<T: serde::de::DeserializeOwned>(
    text: &str,
    source: &Source,
    help: impl FnOnce(&str) -> String,
) -> Result<T, Diagnostic> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let position = Position::new(inner.line().max(1), inner.column().max(1));
        let message = strip_serde_position(&format!("at JSON path `{path}`: {inner}"));
        Diagnostic::error("oscal", &source.path, position, message).with_help(help(&path))
    })
}

/// serde_json appends "at line N column M"; the diagnostic carries the position itself.
fn strip_serde_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

fn oscal_help(path: &str, text: &str) -> String {
    if path == "." && text.contains("\"mapping-collection\"") {
        "this is an OSCAL mapping-collection, not a catalog; frameworks/ takes catalogs".into()
    } else if path == "." && text.contains("\"profile\"") {
        "this is an OSCAL profile (a baseline), not a catalog; frameworks/ takes catalogs, such as \
         the resolved catalog of a baseline"
            .into()
    } else if path == "." {
        "an OSCAL catalog file has a top-level \"catalog\" object".into()
    } else {
        "fix the value at that path (see the OSCAL 1.x catalog model)".into()
    }
}

fn spanned(value: String) -> Spanned<String> {
    Spanned {
        value,
        referenced: serde_saphyr::Location::UNKNOWN,
        defined: serde_saphyr::Location::UNKNOWN,
    }
}

/// A control's id as people write it: its canonical `label` (NIST's resolved catalogs carry
/// several: `AC-02` with class `zero-padded`, `AC-02` for `sp800-53a`, and the plain `AC-2`
/// without a class, which is the one), else its first label, else the OSCAL id.
fn label(control: &OscalControl) -> &str {
    let labels = || control.props.iter().filter(|p| p.name == "label");
    (labels().find(|p| p.class.is_none()))
        .or_else(|| labels().next())
        .map_or(control.id.as_str(), |p| p.value.as_str())
}

/// The other spellings mappings may use: the OSCAL id and every other label.
fn aliases(control: &OscalControl, label: &str) -> Vec<String> {
    let labels = control.props.iter().filter(|p| p.name == "label");
    let mut aliases: Vec<String> = std::iter::once(control.id.as_str())
        .chain(labels.map(|p| p.value.as_str()))
        .filter(|a| *a != label)
        .map(str::to_string)
        .collect();
    aliases.dedup();
    aliases.sort();
    aliases.dedup();
    aliases
}

fn prop<'a>(props: &'a [Prop], name: &str) -> Option<&'a str> {
    props
        .iter()
        .find(|p| p.name == name)
        .map(|p| p.value.as_str())
}

#[derive(Default)]
struct Converter {
    /// OSCAL control id -> human label, for "incorporated into" links.
    labels: HashMap<String, String>,
    /// Back-matter resource uuid -> its web address, if it has one.
    resources: HashMap<String, Option<String>>,
}

impl Converter {
    fn index_labels(&mut self, groups: &[OscalGroup], controls: &[OscalControl]) {
        for control in controls {
            self.labels
                .insert(control.id.clone(), label(control).to_string());
            self.index_labels(&[], &control.controls);
        }
        for group in groups {
            self.index_labels(&group.groups, &group.controls);
        }
    }

    fn group(&self, group: &OscalGroup) -> Group {
        let overview: Vec<String> = group.parts.iter().filter_map(|p| p.prose.clone()).collect();
        Group {
            id: spanned(
                group
                    .id
                    .clone()
                    .unwrap_or_else(|| crate::model::slugify(&group.title)),
            ),
            title: group.title.trim().to_string(),
            description: (!overview.is_empty())
                .then(|| self.resolve_citations(&overview.join("\n\n"))),
            groups: group.groups.iter().map(|g| self.group(g)).collect(),
            controls: group.controls.iter().map(|c| self.control(c)).collect(),
        }
    }

    fn control(&self, control: &OscalControl) -> Control {
        let label = label(control).to_string();
        let withdrawn =
            prop(&control.props, "status").is_some_and(|s| s.eq_ignore_ascii_case("withdrawn"));
        let replaced_by = control
            .links
            .iter()
            .filter(|l| matches!(l.rel.as_deref(), Some("incorporated-into" | "moved-to")))
            .filter_map(|l| self.label_of_fragment(&l.href))
            .collect();
        let aliases = aliases(control, &label);
        Control {
            id: spanned(label),
            title: control.title.trim().to_string(),
            url: None,
            description: self.description(control),
            aliases,
            withdrawn,
            replaced_by,
            properties: Default::default(),
            mitigated_by: Vec::new(),
            controls: control.controls.iter().map(|c| self.control(c)).collect(),
        }
    }

    /// `#ac-2_smt.k` -> `AC-2`: the control whose id the fragment starts with.
    fn label_of_fragment(&self, href: &str) -> Option<String> {
        let id = href.trim_start_matches('#');
        let control = id.split('_').next().unwrap_or(id);
        self.labels.get(control).cloned()
    }

    /// The statement as a nested list and the guidance as a paragraph, in Markdown.
    fn description(&self, control: &OscalControl) -> Option<String> {
        let params: HashMap<&str, &Param> =
            control.params.iter().map(|p| (p.id.as_str(), p)).collect();
        let mut text = String::new();
        for part in &control.parts {
            match part.name.as_str() {
                "statement" => statement(part, 0, &params, &mut text),
                "guidance" => {
                    if let Some(prose) = &part.prose {
                        text.push_str("\n**Discussion.** ");
                        text.push_str(&with_params(prose, &params));
                        text.push('\n');
                    }
                }
                _ => {}
            }
        }
        let text = self.resolve_citations(text.trim());
        (!text.is_empty()).then_some(text)
    }

    /// `[text](#uuid)` points into the back-matter, which is not rendered: link to the cited
    /// document's web address instead, or keep the text alone.
    fn resolve_citations(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("](#") {
            let Some(end) = rest[start..].find(')') else {
                break;
            };
            let uuid = &rest[start + 3..start + end];
            let open = rest[..start].rfind('[');
            match (self.resources.get(uuid), open) {
                (Some(Some(href)), _) => {
                    out.push_str(&rest[..start]);
                    out.push_str(&format!("]({href})"));
                }
                (_, Some(open)) => {
                    out.push_str(&rest[..open]);
                    out.push_str(&rest[open + 1..start]);
                }
                (_, None) => out.push_str(&rest[..start + end + 1]),
            }
            rest = &rest[start + end + 1..];
        }
        out.push_str(rest);
        out
    }
}

fn statement(part: &Part, depth: usize, params: &HashMap<&str, &Param>, out: &mut String) {
    let label = prop(&part.props, "label").unwrap_or("");
    if let Some(prose) = &part.prose {
        let prose = with_params(prose.trim(), params);
        if depth == 0 {
            out.push_str(&prose);
            out.push_str("\n\n");
        } else {
            out.push_str(&"  ".repeat(depth - 1));
            out.push_str("- ");
            if !label.is_empty() {
                out.push_str(&format!("**{label}** "));
            }
            out.push_str(&prose);
            out.push('\n');
        }
    }
    for child in &part.parts {
        statement(child, depth + 1, params, out);
    }
}

/// Replaces `{{ insert: param, id }}` with NIST's bracketed reading of the parameter.
fn with_params(prose: &str, params: &HashMap<&str, &Param>) -> String {
    let mut out = String::with_capacity(prose.len());
    let mut rest = prose;
    while let Some(start) = rest.find("{{") {
        let Some(end) = rest[start..].find("}}") else {
            break;
        };
        out.push_str(&rest[..start]);
        let inner = rest[start + 2..start + end].trim();
        let id = inner
            .strip_prefix("insert:")
            .map(|s| s.trim())
            .and_then(|s| s.strip_prefix("param,"))
            .map(str::trim);
        out.push_str(&match id.and_then(|id| params.get(id)) {
            Some(param) => describe_param(param),
            None => format!("[{}]", id.unwrap_or(inner)),
        });
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    out
}

fn describe_param(param: &Param) -> String {
    if let Some(select) = &param.select {
        let how = match select.how_many.as_deref() {
            Some("one-or-more") => "Selection (one or more)",
            _ => "Selection",
        };
        return format!("[{how}: {}]", select.choice.join("; "));
    }
    match &param.label {
        Some(label) => format!("[Assignment: {label}]"),
        None => format!("[Assignment: {}]", param.id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source() -> Source {
        Source {
            path: "content/frameworks/x.json".into(),
            ..Source::default()
        }
    }

    #[test]
    fn labels_params_enhancements_and_withdrawn_controls() {
        let text = r##"{"catalog": {"uuid": "u", "metadata": {"title": "T", "version": "1"}, "groups": [
          {"id": "ac", "title": "Access Control", "controls": [
            {"id": "ac-2", "title": "Account Management",
             "props": [{"name": "label", "value": "AC-2"}],
             "params": [{"id": "p1", "label": "organization-defined roles"},
                        {"id": "p2", "select": {"how-many": "one-or-more", "choice": ["a", "b"]}}],
             "parts": [{"id": "ac-2_smt", "name": "statement", "parts": [
                 {"id": "ac-2_smt.a", "name": "item", "props": [{"name": "label", "value": "a."}],
                  "prose": "Notify {{ insert: param, p1 }} using {{ insert: param, p2 }};"}]},
               {"id": "ac-2_gdn", "name": "guidance", "prose": "Why: see [SP 800-12](#r1) and [a draft](#r2)."}],
             "controls": [{"id": "ac-2.10", "title": "Old", "props": [
                 {"name": "label", "value": "AC-2(10)"}, {"name": "status", "value": "withdrawn"}],
                 "links": [{"href": "#ac-2_smt.k", "rel": "incorporated-into"}]}]}]}],
          "back-matter": {"resources": [{"uuid": "r1", "rlinks": [{"href": "https://doi.org/x"}]}, {"uuid": "r2"}]}}}"##;
        let catalog = parse(text, "sp", &source()).expect("valid catalog");
        let control = &catalog.groups[0].controls[0];
        assert_eq!(control.id.value, "AC-2");
        assert_eq!(control.aliases, ["ac-2"]);
        let description = control.description.as_deref().expect("statement");
        assert!(description.contains("- **a.** Notify [Assignment: organization-defined roles] using [Selection (one or more): a; b];"), "{description}");
        assert!(
            description
                .contains("**Discussion.** Why: see [SP 800-12](https://doi.org/x) and a draft."),
            "{description}"
        );
        let enhancement = &control.controls[0];
        assert_eq!(enhancement.id.value, "AC-2(10)");
        assert!(enhancement.withdrawn);
        assert_eq!(enhancement.replaced_by, ["AC-2"]);
    }

    #[test]
    fn errors_name_the_json_path() {
        let text = "{\"catalog\": {\"uuid\": \"u\", \"metadata\": {\"title\": \"T\", \"version\": \"1\"},\n \"groups\": [{\"title\": \"G\", \"controls\": [{\"id\": \"x\"}]}]}}";
        let err = parse(text, "sp", &source()).expect_err("control without title");
        assert!(
            err.message.contains("catalog.groups[0].controls[0]"),
            "{}",
            err.message
        );
        assert!(err.message.contains("title"), "{}", err.message);
        assert_eq!(err.position.line, 2);
        let mapping =
            parse("{\"mapping-collection\": {}}", "m", &source()).expect_err("not a catalog");
        assert!(
            mapping
                .help
                .as_deref()
                .is_some_and(|h| h.contains("mapping-collection"))
        );
    }
}
