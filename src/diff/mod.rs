//! `guidebook diff`: what changed in a knowledge base between two git revisions (or a revision
//! and the work tree), for the reviewer of a pull request. Entities are matched by id, whatever
//! file holds them; each side is loaded and resolved with its own book.toml.

mod git;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::resolve::Site;

/// Every change between two resolved sites, in a stable order (the JSON output's schema).
#[derive(Debug, Default, Serialize)]
pub struct BookDiff {
    pub from: String,
    pub to: String,
    pub guidelines: Vec<GuidelineChange>,
    pub mappings: Vec<MappingChange>,
    pub examples: Vec<ExampleChange>,
    pub cross_references: Vec<LinkChange>,
    pub frameworks: Vec<FrameworkChange>,
    pub controls: Vec<ControlChange>,
}

#[derive(Debug, Serialize)]
pub struct GuidelineChange {
    pub id: String,
    /// added, removed, renamed (moved to another file) or retitled.
    pub change: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct MappingChange {
    pub guideline: String,
    pub framework: String,
    pub control: String,
    /// added, removed or changed.
    pub change: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<MappingState>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<MappingState>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MappingState {
    pub relationship: String,
    pub confidence: Option<String>,
    pub rationale: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ExampleChange {
    pub id: String,
    /// added, removed or retitled.
    pub change: &'static str,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct LinkChange {
    pub guideline: String,
    pub target: String,
    pub kind: String,
    /// added or removed.
    pub change: &'static str,
}

#[derive(Debug, Serialize)]
pub struct FrameworkChange {
    pub id: String,
    /// added or removed.
    pub change: &'static str,
    pub name: String,
}

#[derive(Debug, Serialize)]
pub struct ControlChange {
    pub framework: String,
    pub control: String,
    /// added, removed, retitled or withdrawn.
    pub change: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// The guidelines whose mappings this touches.
    pub mapped_by: Vec<String>,
}

/// The diff of the book at `root` between `from` (a revision) and `to` (a revision, or the
/// work tree when `None`).
pub fn between_revisions(root: &Path, from: &str, to: Option<&str>) -> Result<BookDiff> {
    let repo = git::Repo::of(root)?;
    let load = |revision: Option<&str>| -> Result<(Site, Option<tempfile::TempDir>)> {
        let Some(revision) = revision else {
            return Ok((resolve(root, "the work tree")?, None));
        };
        let scratch = tempfile::tempdir().map_err(|e| Error::write(std::env::temp_dir(), e))?;
        repo.checkout(revision, scratch.path())?;
        Ok((resolve(scratch.path(), revision)?, Some(scratch)))
    };
    let (old, _old_dir) = load(Some(from))?;
    let (new, _new_dir) = load(to)?;
    let mut diff = compare(&old, &new);
    diff.from = from.to_string();
    diff.to = to.unwrap_or("work tree").to_string();
    Ok(diff)
}

fn resolve(root: &Path, what: &str) -> Result<Site> {
    if !root.join(crate::config::CONFIG_FILE).is_file() {
        return Err(Error::Usage(format!(
            "{what} has no book here (no book.toml)"
        )));
    }
    // A revision's errors point into a scratch copy that is gone by the time they are shown:
    // say which revision fails, with each problem's file and line as the revision holds them.
    crate::pipeline::resolve_site(root)
        .map(|(site, _)| site)
        .map_err(|error| match error {
            Error::Content(diagnostics) => {
                let problems: Vec<String> = (diagnostics.iter())
                    .filter(|d| d.severity == crate::diagnostic::Severity::Error)
                    .map(|d| {
                        let (file, at) = (d.file.display(), &d.position);
                        format!("  {file}:{}:{}: {}", at.line, at.column, d.message)
                    })
                    .collect();
                Error::Usage(format!(
                    "{what} does not load, so it cannot be compared:\n{}",
                    problems.join("\n")
                ))
            }
            other => other,
        })
}

/// What changed from `old` to `new`, entity by entity.
pub fn compare(old: &Site, new: &Site) -> BookDiff {
    let mut diff = BookDiff::default();
    guidelines(old, new, &mut diff);
    mappings(old, new, &mut diff);
    examples(old, new, &mut diff);
    links(old, new, &mut diff);
    controls(old, new, &mut diff);
    diff
}

fn by_id<'a, T>(items: &'a [T], id: fn(&'a T) -> &'a str) -> BTreeMap<&'a str, &'a T> {
    items.iter().map(|item| (id(item), item)).collect()
}

fn guidelines(old: &Site, new: &Site, diff: &mut BookDiff) {
    use crate::resolve::ResolvedGuideline as G;
    fn id(g: &G) -> &str {
        &g.guideline.meta.id.value
    }
    let (a, b) = (by_id(&old.guidelines, id), by_id(&new.guidelines, id));
    let path = |g: &G| crate::safe_path::slash_path(&g.guideline.source.path);
    let change =
        |id: &str, change, before: Option<String>, after: Option<String>| GuidelineChange {
            id: id.to_string(),
            change,
            before,
            after,
        };
    for (id, g) in &a {
        match b.get(id) {
            None => diff.guidelines.push(change(
                id,
                "removed",
                Some(g.guideline.meta.title.clone()),
                None,
            )),
            Some(h) => {
                if path(g) != path(h) {
                    diff.guidelines
                        .push(change(id, "renamed", Some(path(g)), Some(path(h))));
                }
                if g.guideline.meta.title != h.guideline.meta.title {
                    let (x, y) = (&g.guideline.meta.title, &h.guideline.meta.title);
                    diff.guidelines
                        .push(change(id, "retitled", Some(x.clone()), Some(y.clone())));
                }
            }
        }
    }
    for (id, h) in &b {
        if !a.contains_key(id) {
            diff.guidelines.push(change(
                id,
                "added",
                None,
                Some(h.guideline.meta.title.clone()),
            ));
        }
    }
}

/// A guideline's mappings by (framework id, control id).
fn mapping_states(site: &Site) -> BTreeMap<(String, String, String), MappingState> {
    let mut states = BTreeMap::new();
    for g in &site.guidelines {
        for m in &g.mappings {
            let framework = &site.frameworks[m.framework];
            let key = (
                g.guideline.meta.id.value.clone(),
                framework.id.clone(),
                framework.controls[m.control].id.clone(),
            );
            states.insert(
                key,
                MappingState {
                    relationship: m.relationship.as_str().to_string(),
                    confidence: m.confidence.map(|c| format!("{c:?}").to_lowercase()),
                    rationale: m.rationale.clone(),
                },
            );
        }
    }
    states
}

fn mappings(old: &Site, new: &Site, diff: &mut BookDiff) {
    let (a, b) = (mapping_states(old), mapping_states(new));
    let keys: BTreeSet<&(String, String, String)> = a.keys().chain(b.keys()).collect();
    for key in keys {
        let (before, after) = (a.get(key).cloned(), b.get(key).cloned());
        let change = match (&before, &after) {
            (Some(x), Some(y)) if x == y => continue,
            (Some(_), Some(_)) => "changed",
            (Some(_), None) => "removed",
            _ => "added",
        };
        let (guideline, framework, control) = key.clone();
        diff.mappings.push(MappingChange {
            guideline,
            framework,
            control,
            change,
            before,
            after,
        });
    }
}

fn examples(old: &Site, new: &Site, diff: &mut BookDiff) {
    use crate::resolve::ResolvedExample as E;
    fn id(e: &E) -> &str {
        &e.example.meta.id.value
    }
    let (a, b) = (by_id(&old.examples, id), by_id(&new.examples, id));
    let title = |e: &E| e.example.meta.title.clone();
    for (id, e) in &a {
        let change = match b.get(id) {
            None => ExampleChange {
                id: id.to_string(),
                change: "removed",
                title: title(e),
                before: None,
            },
            Some(f) if title(e) != title(f) => ExampleChange {
                id: id.to_string(),
                change: "retitled",
                title: title(f),
                before: Some(title(e)),
            },
            Some(_) => continue,
        };
        diff.examples.push(change);
    }
    for (id, f) in &b {
        if !a.contains_key(id) {
            diff.examples.push(ExampleChange {
                id: id.to_string(),
                change: "added",
                title: title(f),
                before: None,
            });
        }
    }
}

fn links(old: &Site, new: &Site, diff: &mut BookDiff) {
    let all = |site: &Site| -> BTreeSet<(String, String, String)> {
        (site.guidelines.iter())
            .flat_map(|g| {
                g.related.iter().map(|l| {
                    (
                        g.guideline.meta.id.value.clone(),
                        site.guidelines[l.guideline].guideline.meta.id.value.clone(),
                        l.kind.as_str().to_string(),
                    )
                })
            })
            .collect()
    };
    let (a, b) = (all(old), all(new));
    let change = |(guideline, target, kind): &(String, String, String), change| LinkChange {
        guideline: guideline.clone(),
        target: target.clone(),
        kind: kind.clone(),
        change,
    };
    diff.cross_references
        .extend(a.difference(&b).map(|l| change(l, "removed")));
    diff.cross_references
        .extend(b.difference(&a).map(|l| change(l, "added")));
    diff.cross_references
        .sort_by(|x, y| (&x.guideline, &x.target).cmp(&(&y.guideline, &y.target)));
}

fn controls(old: &Site, new: &Site, diff: &mut BookDiff) {
    use crate::resolve::Framework as F;
    fn id(f: &F) -> &str {
        &f.id
    }
    let (a, b) = (by_id(&old.frameworks, id), by_id(&new.frameworks, id));
    let guidelines_of = |site: &Site, f: &F, c: usize| -> Vec<String> {
        (f.controls[c].mapped_by.iter())
            .map(|m| site.guidelines[m.guideline].guideline.meta.id.value.clone())
            .collect()
    };
    for (fid, f) in &a {
        let Some(g) = b.get(fid) else {
            diff.frameworks.push(FrameworkChange {
                id: fid.to_string(),
                change: "removed",
                name: f.name.clone(),
            });
            continue;
        };
        let change =
            |control: &str, change, before: Option<&String>, after: Option<&String>, mapped_by| {
                ControlChange {
                    framework: fid.to_string(),
                    control: control.to_string(),
                    change,
                    before: before.cloned(),
                    after: after.cloned(),
                    mapped_by,
                }
            };
        for (c, control) in f.controls.iter().enumerate() {
            match g.control(&control.id) {
                None => diff.controls.push(change(
                    &control.id,
                    "removed",
                    Some(&control.title),
                    None,
                    guidelines_of(old, f, c),
                )),
                Some(d) => {
                    let now = &g.controls[d];
                    if now.withdrawn && !control.withdrawn {
                        diff.controls.push(change(
                            &control.id,
                            "withdrawn",
                            None,
                            None,
                            guidelines_of(old, f, c),
                        ));
                    }
                    if now.title != control.title {
                        diff.controls.push(change(
                            &control.id,
                            "retitled",
                            Some(&control.title),
                            Some(&now.title),
                            guidelines_of(new, g, d),
                        ));
                    }
                }
            }
        }
        for control in g.controls.iter().filter(|c| f.control(&c.id).is_none()) {
            diff.controls.push(change(
                &control.id,
                "added",
                None,
                Some(&control.title),
                Vec::new(),
            ));
        }
    }
    for (fid, g) in &b {
        if !a.contains_key(fid) {
            diff.frameworks.push(FrameworkChange {
                id: fid.to_string(),
                change: "added",
                name: g.name.clone(),
            });
        }
    }
}

impl BookDiff {
    pub fn is_empty(&self) -> bool {
        self.guidelines.is_empty()
            && self.mappings.is_empty()
            && self.examples.is_empty()
            && self.cross_references.is_empty()
            && self.frameworks.is_empty()
            && self.controls.is_empty()
    }

    /// Plain text (`markdown: false`) or Markdown ready to paste into a pull request. Every
    /// line is one change: text from the content (titles, names) is put on one line, and in
    /// Markdown `@` mentions and HTML are defused.
    pub fn render(&self, markdown: bool) -> String {
        let text = self.one_line(markdown);
        text.render_lines(markdown)
    }

    /// A copy whose titles and names are single lines, safe to paste into Markdown.
    fn one_line(&self, markdown: bool) -> BookDiff {
        let clean = |s: &str| -> String {
            let line = s.split_whitespace().collect::<Vec<_>>().join(" ");
            match markdown {
                true => line.replace('@', "@\u{200b}").replace('<', "&lt;"),
                false => line,
            }
        };
        let opt = |s: &Option<String>| s.as_deref().map(clean);
        BookDiff {
            from: clean(&self.from),
            to: clean(&self.to),
            guidelines: (self.guidelines.iter())
                .map(|g| GuidelineChange {
                    id: clean(&g.id),
                    change: g.change,
                    before: opt(&g.before),
                    after: opt(&g.after),
                })
                .collect(),
            mappings: (self.mappings.iter())
                .map(|m| MappingChange {
                    guideline: clean(&m.guideline),
                    framework: clean(&m.framework),
                    control: clean(&m.control),
                    change: m.change,
                    before: m.before.clone(),
                    after: m.after.clone(),
                })
                .collect(),
            examples: (self.examples.iter())
                .map(|e| ExampleChange {
                    id: clean(&e.id),
                    change: e.change,
                    title: clean(&e.title),
                    before: opt(&e.before),
                })
                .collect(),
            cross_references: (self.cross_references.iter())
                .map(|l| LinkChange {
                    guideline: clean(&l.guideline),
                    target: clean(&l.target),
                    kind: l.kind.clone(),
                    change: l.change,
                })
                .collect(),
            frameworks: (self.frameworks.iter())
                .map(|f| FrameworkChange {
                    id: clean(&f.id),
                    change: f.change,
                    name: clean(&f.name),
                })
                .collect(),
            controls: (self.controls.iter())
                .map(|c| ControlChange {
                    framework: clean(&c.framework),
                    control: clean(&c.control),
                    change: c.change,
                    before: opt(&c.before),
                    after: opt(&c.after),
                    mapped_by: c.mapped_by.iter().map(|g| clean(g)).collect(),
                })
                .collect(),
        }
    }

    fn render_lines(&self, markdown: bool) -> String {
        let mut out = String::new();
        let heading = |out: &mut String, title: &str, count: usize| match markdown {
            true => out.push_str(&format!("\n### {title} ({count})\n\n")),
            false => out.push_str(&format!("\n{title} ({count})\n")),
        };
        let bullet = if markdown { "- " } else { "  " };
        let code = |s: &str| {
            if markdown {
                format!("`{s}`")
            } else {
                s.to_string()
            }
        };
        match markdown {
            true => out.push_str(&format!(
                "## Knowledge base changes: {} → {}\n",
                self.from, self.to
            )),
            false => out.push_str(&format!(
                "Knowledge base changes: {} -> {}\n",
                self.from, self.to
            )),
        }
        if self.is_empty() {
            out.push_str(
                "\nNo changes to guidelines, mappings, examples, cross-references or catalogs.\n",
            );
            return out;
        }
        if !self.guidelines.is_empty() {
            heading(&mut out, "Guidelines", self.guidelines.len());
            for g in &self.guidelines {
                let detail = match (g.change, &g.before, &g.after) {
                    ("added", _, Some(title)) => format!("added: {title}"),
                    ("removed", Some(title), _) => format!("removed: {title}"),
                    (change, Some(before), Some(after)) => format!("{change}: {before} → {after}"),
                    (change, _, _) => change.to_string(),
                };
                out.push_str(&format!("{bullet}{} {detail}\n", code(&g.id)));
            }
        }
        if !self.mappings.is_empty() {
            heading(&mut out, "Mappings", self.mappings.len());
            for m in &self.mappings {
                let state = |s: &MappingState| {
                    let confidence = s
                        .confidence
                        .as_deref()
                        .map(|c| format!(", {c}"))
                        .unwrap_or_default();
                    format!("{}{confidence}", s.relationship)
                };
                let detail = match (&m.before, &m.after) {
                    (None, Some(after)) => format!("added ({})", state(after)),
                    (Some(before), None) => format!("removed (was {})", state(before)),
                    (Some(before), Some(after)) => {
                        let mut what = format!("changed: {} → {}", state(before), state(after));
                        if before.rationale != after.rationale {
                            what.push_str("; rationale reworded");
                        }
                        what
                    }
                    (None, None) => String::new(),
                };
                out.push_str(&format!(
                    "{bullet}{} → {} {} {detail}\n",
                    code(&m.guideline),
                    m.framework,
                    code(&m.control)
                ));
            }
        }
        if !self.examples.is_empty() {
            heading(&mut out, "Examples", self.examples.len());
            for e in &self.examples {
                let before = e
                    .before
                    .as_deref()
                    .map(|b| format!("{b} → "))
                    .unwrap_or_default();
                out.push_str(&format!(
                    "{bullet}{} {}: {before}{}\n",
                    code(&e.id),
                    e.change,
                    e.title
                ));
            }
        }
        if !self.cross_references.is_empty() {
            heading(&mut out, "Cross-references", self.cross_references.len());
            for l in &self.cross_references {
                out.push_str(&format!(
                    "{bullet}{} {} → {} ({})\n",
                    code(&l.guideline),
                    l.change,
                    code(&l.target),
                    l.kind
                ));
            }
        }
        if !self.frameworks.is_empty() {
            heading(&mut out, "Frameworks", self.frameworks.len());
            for f in &self.frameworks {
                out.push_str(&format!(
                    "{bullet}{} {}: {}\n",
                    code(&f.id),
                    f.change,
                    f.name
                ));
            }
        }
        if !self.controls.is_empty() {
            heading(&mut out, "Catalog controls", self.controls.len());
            for c in &self.controls {
                let titles = match (&c.before, &c.after) {
                    (Some(b), Some(a)) => format!(": {b} → {a}"),
                    (None, Some(a)) => format!(": {a}"),
                    (Some(b), None) => format!(": {b}"),
                    (None, None) => String::new(),
                };
                let touches = match c.mapped_by.is_empty() {
                    true => String::new(),
                    false => format!(" (mapped by {})", c.mapped_by.join(", ")),
                };
                out.push_str(&format!(
                    "{bullet}{} {} {}{titles}{touches}\n",
                    c.framework,
                    code(&c.control),
                    c.change
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_puts_each_change_on_one_line_and_defuses_mentions() {
        let diff = BookDiff {
            from: "HEAD".into(),
            to: "work tree".into(),
            guidelines: vec![GuidelineChange {
                id: "SD-1".into(),
                change: "retitled",
                before: Some("Old".into()),
                after: Some("New\n- [x] @org/team <b>".into()),
            }],
            ..BookDiff::default()
        };
        let text = diff.render(true);
        let line = text.lines().find(|l| l.contains("SD-1")).expect("a line");
        assert!(
            line.ends_with("Old → New - [x] @\u{200b}org/team &lt;b>"),
            "{line}"
        );
        assert!(!text.contains("\n- [x]"));
    }
}
