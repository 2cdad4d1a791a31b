//! What each file of a build shows of the site ([`Records`]), and the incremental render that
//! uses it: [`rerender`] renders again only the files whose facts changed (see [`super::deps`]),
//! carries the others over, and runs the site-wide checks on the records.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use rayon::prelude::*;

use super::deps::{Changes, Fact};
use super::{JobOutput, MarkdownCache, PageText, Renderer, Theme};
use super::{checks, claims, jobs};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::error::Result;
use crate::markdown::AnchorLink;
use crate::resolve::Site;

/// What one rendered file showed and found.
struct FileRecord {
    facts: Vec<Fact>,
    /// Shared by the records of every build until the file is rendered again.
    found: Arc<FoundInFile>,
}

/// What rendering a file found: its problems, its links and its element ids.
struct FoundInFile {
    diagnostics: Vec<Diagnostic>,
    typed_links: Vec<String>,
    anchor_links: Vec<AnchorLink>,
    element_ids: BTreeSet<String>,
}

/// The record of every rendered file of a build, by its path.
#[derive(Default)]
pub struct Records {
    files: rustc_hash::FxHashMap<String, Arc<FileRecord>>,
}

impl Records {
    pub(super) fn insert(&mut self, job: &JobOutput, element_ids: BTreeSet<String>) {
        let found = FoundInFile {
            diagnostics: job.diagnostics.clone(),
            typed_links: job.typed_links.clone(),
            anchor_links: job.anchor_links.clone(),
            element_ids,
        };
        let record = FileRecord {
            facts: job.facts.clone(),
            found: Arc::new(found),
        };
        self.files.insert(job.path.clone(), Arc::new(record));
    }

    /// Every typed link (`scheme:target`) the files hold.
    pub fn typed_links(&self) -> impl Iterator<Item = &str> {
        self.files
            .values()
            .flat_map(|r| r.found.typed_links.iter().map(String::as_str))
    }

    /// The record of `path` for the new build, if none of the facts it shows changed.
    fn carried(&self, path: &str, changes: &Changes) -> Option<Arc<FileRecord>> {
        let record = self.files.get(path)?;
        if record.facts.iter().any(|fact| changes.changed(fact)) {
            return None;
        }
        if changes.keeps_indices() {
            return Some(record.clone());
        }
        let facts = record.facts.iter().map(|&fact| changes.remap(fact));
        Some(Arc::new(FileRecord {
            facts: facts.collect::<Option<_>>()?,
            found: record.found.clone(),
        }))
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
    // Which files the change leaves as they were: judged in parallel (tens of thousands of
    // records at 10,000 guidelines), gathered in order.
    let carried: Vec<Option<Arc<FileRecord>>> = jobs
        .par_iter()
        .map(|(_, path)| previous.carried(path, changes))
        .collect();
    let mut records = Records::default();
    let mut dirty = Vec::new();
    let mut stale = Vec::new();
    let mut wanted = HashSet::with_capacity(jobs.len());
    for ((job, path), carried) in jobs.into_iter().zip(carried) {
        wanted.insert(path.clone());
        if let Some(record) = carried {
            records.files.insert(path, record);
        } else if super::shows_whole_site(&job) {
            // Made on request; shows everything, so any change makes it stale again (and
            // made now if a link names one of its anchors, below).
            let found = FoundInFile {
                diagnostics: Vec::new(),
                typed_links: Vec::new(),
                anchor_links: Vec::new(),
                element_ids: BTreeSet::new(),
            };
            let record = FileRecord {
                facts: vec![Fact::Site, Fact::Everything],
                found: Arc::new(found),
            };
            records.files.insert(path.clone(), Arc::new(record));
            stale.push((path, job));
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
    // A page made on request that a link names an anchor of is made now: the anchor check
    // needs its ids.
    let anchored: HashSet<&str> = (records.files.values())
        .flat_map(|r| {
            r.found
                .anchor_links
                .iter()
                .filter_map(|l| l.page.as_deref())
        })
        .collect();
    let (needed, stale): (Vec<_>, Vec<_>) = stale
        .into_iter()
        .partition(|(path, _)| anchored.contains(path.as_str()));
    for (_, job) in needed {
        let item = renderer.render(&job, true)?;
        records.insert(&item, checks::element_ids(&item.bytes));
        files.push((item.path, item.bytes));
    }
    let stale = stale.into_iter().map(|(path, _)| path).collect();
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
    for record in records.files.values() {
        for d in &record.found.diagnostics {
            diagnostics.push(d.clone());
        }
    }
    let found = || records.files.values().map(|r| &r.found);
    let linked = found().flat_map(|f| f.typed_links.iter().map(String::as_str));
    checks::unreachable_pages(site, linked, diagnostics);
    let ids_of = |page: &str| {
        let record = records.files.get(page)?;
        Some(std::borrow::Cow::Borrowed(&record.found.element_ids))
    };
    checks::anchors(
        ids_of,
        found().flat_map(|f| f.anchor_links.iter()),
        diagnostics,
    );
}
