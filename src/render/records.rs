//! What each file of a build shows of the site ([`Records`]), and the incremental render that
//! uses it: [`rerender`] renders again only the files whose facts changed (see [`super::deps`]),
//! carries the others over, and runs the site-wide checks on the records.

use std::collections::{BTreeSet, HashMap, HashSet};

use rayon::prelude::*;

use super::deps::{Changes, Fact};
use super::{Job, JobOutput, MarkdownCache, PageText, Renderer, Theme};
use super::{checks, claims, jobs, template_and_path};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::error::Result;
use crate::markdown::AnchorLink;
use crate::resolve::Site;

/// What one rendered file showed and found.
#[derive(Clone)]
struct FileRecord {
    facts: Vec<Fact>,
    diagnostics: Vec<Diagnostic>,
    typed_links: Vec<String>,
    anchor_links: Vec<AnchorLink>,
    element_ids: BTreeSet<String>,
}

/// The record of every rendered file of a build, by its path.
#[derive(Default)]
pub struct Records {
    files: HashMap<String, FileRecord>,
}

impl Records {
    pub(super) fn insert(&mut self, job: &JobOutput, element_ids: BTreeSet<String>) {
        let record = FileRecord {
            facts: job.facts.clone(),
            diagnostics: job.diagnostics.clone(),
            typed_links: job.typed_links.clone(),
            anchor_links: job.anchor_links.clone(),
            element_ids,
        };
        self.files.insert(job.path.clone(), record);
    }

    /// Every typed link (`scheme:target`) the files hold.
    pub fn typed_links(&self) -> impl Iterator<Item = &str> {
        self.files
            .values()
            .flat_map(|r| r.typed_links.iter().map(String::as_str))
    }

    /// The record of `path` for the new build, if none of the facts it shows changed.
    fn carried(&self, path: &str, changes: &Changes) -> Option<FileRecord> {
        let record = self.files.get(path)?;
        if record.facts.iter().any(|fact| changes.changed(fact)) {
            return None;
        }
        let facts = record.facts.iter().map(|&fact| changes.remap(fact));
        Some(FileRecord {
            facts: facts.collect::<Option<_>>()?,
            ..record.clone()
        })
    }
}

/// What an incremental render made.
pub struct Rerendered {
    /// Files rendered again, new or changed: (site path, bytes).
    pub files: Vec<(String, Vec<u8>)>,
    /// Files of the old build the new one no longer has.
    pub removed: Vec<String>,
    /// Files out of date and left to be made on request (print.html).
    pub stale: Vec<String>,
    /// The text of every entity page rendered again, for its search documents.
    pub texts: Vec<PageText>,
    pub records: Records,
}

/// Renders the files of `site` whose facts changed since the build `previous` records (with
/// `changes` from [`Changes::between`]), and checks the whole site as [`super::render`] does.
/// print.html, which shows everything, is reported stale instead of rendered.
pub fn rerender(
    site: &Site,
    theme: &Theme,
    cache: &MarkdownCache,
    previous: &Records,
    changes: &Changes,
    diagnostics: &mut Diagnostics,
) -> Result<Rerendered> {
    let jobs = claims::unclaimed_jobs(site, jobs(site), theme.assets.keys().cloned(), diagnostics);
    let mut records = Records::default();
    let mut dirty = Vec::new();
    let mut stale = Vec::new();
    let mut wanted = HashSet::with_capacity(jobs.len());
    for job in jobs {
        let path = template_and_path(site, &job).1;
        wanted.insert(path.clone());
        if let Some(record) = previous.carried(&path, changes) {
            records.files.insert(path, record);
        } else if matches!(job, Job::Print) {
            let record = FileRecord {
                facts: vec![Fact::Site, Fact::Everything],
                diagnostics: Vec::new(),
                typed_links: Vec::new(),
                anchor_links: Vec::new(),
                element_ids: BTreeSet::new(),
            };
            records.files.insert(path.clone(), record);
            stale.push(path);
        } else {
            dirty.push(job);
        }
    }
    let renderer = Renderer::new(site, theme, cache);
    let rendered: Vec<(JobOutput, BTreeSet<String>)> = dirty
        .par_iter()
        .map(|job| {
            let mut item = renderer.render(job, true)?;
            item.fill_anchor_pages();
            let ids = match item.path.ends_with(".html") {
                true => checks::element_ids(&item.bytes),
                false => BTreeSet::new(),
            };
            Ok((item, ids))
        })
        .collect::<Result<_>>()?;
    let mut files = Vec::with_capacity(rendered.len());
    let mut texts = Vec::new();
    for (item, ids) in rendered {
        records.insert(&item, ids);
        texts.extend(item.text);
        files.push((item.path, item.bytes));
    }
    let removed = (previous.files.keys())
        .filter(|path| !wanted.contains(*path))
        .cloned()
        .collect();
    check(site, &records, diagnostics);
    Ok(Rerendered {
        files,
        removed,
        stale,
        texts,
        records,
    })
}

/// The problems [`super::render`] reports, from the records: each file's own, then the checks
/// across files.
fn check(site: &Site, records: &Records, diagnostics: &mut Diagnostics) {
    let mut linked = BTreeSet::new();
    let mut anchor_links = Vec::new();
    for record in records.files.values() {
        for d in &record.diagnostics {
            diagnostics.push(d.clone());
        }
        linked.extend(record.typed_links.iter().cloned());
        anchor_links.extend(record.anchor_links.iter().cloned());
    }
    checks::unreachable_pages(site, &linked, diagnostics);
    let ids_of = |page: &str| records.files.get(page).map(|r| r.element_ids.clone());
    checks::anchors(ids_of, &anchor_links, diagnostics);
}
