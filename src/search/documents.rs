//! The search documents of the site: one per page (its intro text as body) and one per heading
//! section, made from the resolved site and the plain text of each rendered page. Both indexes
//! (tantivy and the static one) are built from them.

use crate::markdown::TextSection;
use crate::resolve::{Entity, Site};
use rayon::prelude::*;

use super::SearchDoc;

/// The search documents of every page, sorted by URL (so indexes built from them are
/// deterministic). `pages` gives each page's entity, path and text sections.
pub fn of_site(
    site: &Site,
    pages: impl IntoIterator<Item = (Entity, String, Vec<TextSection>)>,
) -> Vec<SearchDoc> {
    let pages: Vec<_> = pages.into_iter().collect();
    let mut docs: Vec<SearchDoc> = pages
        .into_par_iter()
        .flat_map_iter(|(entity, path, sections)| of_page(site, entity, &path, sections))
        .collect();
    docs.par_sort_by(|a, b| a.url.cmp(&b.url));
    docs
}

pub fn of_page(
    site: &Site,
    entity: Entity,
    path: &str,
    sections: Vec<TextSection>,
) -> Vec<SearchDoc> {
    let base = match entity {
        Entity::Guideline(g) => {
            let resolved = &site.guidelines[g];
            let meta = &resolved.guideline.meta;
            let mut frameworks: Vec<String> = resolved
                .mappings
                .iter()
                .map(|m| site.frameworks[m.framework].id.clone())
                .collect();
            frameworks.sort();
            frameworks.dedup();
            SearchDoc {
                kind: "guideline",
                id: Some(meta.id.value.clone()),
                title: meta.title.clone(),
                page_title: format!("{} {}", meta.id.value, meta.title),
                summary: meta.summary.clone(),
                tags: meta.tags.clone(),
                domain: Some(site.domains[resolved.domain].meta.id.value.clone()),
                frameworks,
                mapped: resolved
                    .mappings
                    .iter()
                    .map(|m| site.frameworks[m.framework].controls[m.control].id.clone())
                    .collect(),
                ..SearchDoc::default()
            }
        }
        Entity::Example(e) => {
            let meta = &site.examples[e].example.meta;
            SearchDoc {
                kind: "example",
                id: Some(meta.id.value.clone()),
                title: meta.title.clone(),
                tags: meta.tags.clone(),
                ..SearchDoc::default()
            }
        }
        Entity::Page(p) => {
            let page = &site.pages[p];
            SearchDoc {
                kind: "page",
                title: page.title(),
                summary: page.meta.summary.clone().unwrap_or_default(),
                ..SearchDoc::default()
            }
        }
        Entity::Domain(d) => {
            let meta = &site.domains[d].meta;
            SearchDoc {
                kind: "domain",
                id: Some(meta.id.value.clone()),
                title: meta.title.clone(),
                summary: meta.summary.clone().unwrap_or_default(),
                domain: Some(meta.id.value.clone()),
                ..SearchDoc::default()
            }
        }
        Entity::Framework(f) => return framework_docs(site, f, path),
        Entity::Control { framework, control } => {
            return vec![control_doc(site, framework, control, path.to_string())];
        }
    };
    let page_title = if base.page_title.is_empty() {
        base.title.clone()
    } else {
        base.page_title.clone()
    };
    let mut docs = Vec::with_capacity(sections.len() + 1);
    let mut sections = sections.into_iter().peekable();
    let intro = sections
        .next_if(|s| s.anchor.is_none())
        .map(|s| s.text)
        .unwrap_or_default();
    docs.push(SearchDoc {
        url: path.to_string(),
        page: path.to_string(),
        page_title: page_title.clone(),
        body: intro,
        ..base.clone()
    });
    for section in sections {
        docs.push(SearchDoc {
            url: format!("{path}#{}", section.anchor.unwrap_or_default()),
            page: path.to_string(),
            id: None,
            title: section.heading.unwrap_or_default(),
            page_title: page_title.clone(),
            summary: String::new(),
            body: section.text,
            mapped: Vec::new(),
            ..base.clone()
        });
    }
    docs
}

fn framework_docs(site: &Site, f: usize, path: &str) -> Vec<SearchDoc> {
    let framework = &site.frameworks[f];
    let mut docs = vec![SearchDoc {
        url: path.to_string(),
        page: path.to_string(),
        kind: "framework",
        id: Some(framework.id.clone()),
        title: framework.name.clone(),
        page_title: framework.name.clone(),
        summary: framework.description.clone().unwrap_or_default(),
        frameworks: vec![framework.id.clone()],
        ..SearchDoc::default()
    }];
    for (c, control) in framework.controls.iter().enumerate() {
        if !control.has_page() {
            docs.push(control_doc(site, f, c, format!("{path}#{}", control.slug)));
        }
    }
    docs
}

fn control_doc(site: &Site, f: usize, c: usize, url: String) -> SearchDoc {
    let framework = &site.frameworks[f];
    let control = &framework.controls[c];
    SearchDoc {
        page: url.clone(),
        url,
        kind: "control",
        id: Some(control.id.clone()),
        title: control.title.clone(),
        page_title: format!("{} {}", control.id, control.title),
        summary: control.description.clone().unwrap_or_default(),
        frameworks: vec![framework.id.clone()],
        ..SearchDoc::default()
    }
}
