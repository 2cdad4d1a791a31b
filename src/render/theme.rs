//! The theme: tera templates and static assets. The default theme is embedded in the binary so
//! `guidebook build` needs no files besides the content; a theme folder named in book.toml
//! (`[output.html] theme`) overrides any template (`templates/<name>`) or asset (`static/<path>`)
//! by name.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Error, Result};

macro_rules! embed {
    ($kind:literal: $($name:literal),* $(,)?) => {
        &[$(($name, include_bytes!(concat!("../../themes/default/", $kind, "/", $name)))),*]
    };
}

const TEMPLATES: &[(&str, &[u8])] = embed!("templates":
    "base.html", "macros.html", "index.html", "domain.html", "guideline.html", "example.html",
    "examples.html", "page.html", "framework.html", "frameworks.html", "control.html", "tags.html",
    "tag.html", "coverage.html", "print.html", "404.html", "redirect.html", "sitemap.xml",
    "roles.html", "role.html", "self-assessment.html", "baseline.html",
);

const ASSETS: &[(&str, &[u8])] = embed!("static":
    "assets/guidebook.css", "assets/guidebook.js", "assets/theme-init.js", "assets/favicon.svg",
    "assets/search.js", "assets/stemmer.js",
);

pub struct Theme {
    pub tera: tera::Tera,
    /// Output path (relative to the site root) -> bytes.
    pub assets: BTreeMap<String, Vec<u8>>,
}

impl Theme {
    /// The default theme, with the files of `override_dir` (if any) taking precedence.
    pub fn load(override_dir: Option<&Path>) -> Result<Self> {
        let mut templates: BTreeMap<String, String> = TEMPLATES
            .iter()
            .map(|(name, bytes)| {
                (
                    (*name).to_string(),
                    String::from_utf8_lossy(bytes).into_owned(),
                )
            })
            .collect();
        let mut assets: BTreeMap<String, Vec<u8>> = ASSETS
            .iter()
            .map(|(name, bytes)| ((*name).to_string(), bytes.to_vec()))
            .collect();
        if let Some(dir) = override_dir {
            for (name, bytes) in read_tree(&dir.join("templates"))? {
                templates.insert(name, String::from_utf8_lossy(&bytes).into_owned());
            }
            assets.extend(read_tree(&dir.join("static"))?);
        }
        let mut tera = tera::Tera::default();
        tera.autoescape_on(vec![".html", ".xml"]);
        // Tera's default escaper also escapes `/`, which garbles every URL without making it safer.
        tera.set_escape_fn(crate::markdown::escape_html);
        tera.add_raw_templates(templates.iter().map(|(n, t)| (n.as_str(), t.as_str())))
            .map_err(|source| Error::Template {
                what: "the templates do not parse".into(),
                source,
            })?;
        Ok(Self { tera, assets })
    }

    pub fn render(&self, template: &str, context: &tera::Context) -> Result<String> {
        self.tera
            .render(template, context)
            .map_err(|source| Error::Template {
                what: format!("template {template}"),
                source,
            })
    }
}

/// Files below `dir` (absent is fine), keyed by their path relative to it with `/` separators.
fn read_tree(dir: &Path) -> Result<Vec<(String, Vec<u8>)>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| Error::read(dir, e.into()))?;
        if entry.file_type().is_file() {
            let relative = entry.path().strip_prefix(dir).unwrap_or(entry.path());
            let name = crate::safe_path::slash_path(relative);
            let bytes = std::fs::read(entry.path()).map_err(|e| Error::read(entry.path(), e))?;
            files.push((name, bytes));
        }
    }
    Ok(files)
}
