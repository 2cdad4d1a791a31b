//! Every output path has one owner. Two sources that would write the same file (an example or a
//! tag whose slug is `index`, a redirect onto a page, an asset named like a page) are an error
//! that names both, instead of a race in which one silently overwrites the other.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{Job, template_and_path};
use crate::config::CONFIG_FILE;
use crate::diagnostic::{Diagnostic, Diagnostics, Position};
use crate::resolve::{Entity, Site};

/// Who writes a file: a description for people, and the file to point the error at.
struct Claim {
    what: String,
    file: PathBuf,
}

/// Folders written whole by later stages (the exports, the static search index), which no page,
/// redirect or asset may enter. Claimed by prefix, so the exports need not be made to be named.
const GENERATED_FOLDERS: [(&str, &str); 2] = [
    ("exports/", "inside the exports folder"),
    ("search/", "inside the static search index's folder"),
];

/// The jobs whose output path is not already claimed (by an earlier job, a theme asset or a
/// generated folder); every job left out, and every asset whose path is taken, is reported.
/// Generated pages come first in `jobs`, so when an author's item collides with a listing page,
/// the author's item is the one refused.
pub(super) fn unclaimed_jobs(
    site: &Site,
    jobs: Vec<Job>,
    theme_assets: impl Iterator<Item = String>,
    diagnostics: &mut Diagnostics,
) -> Vec<(Job, String)> {
    // Paths made in parallel; a claim's description only when it collides.
    let paths: Vec<String> = jobs
        .par_iter()
        .map(|job| template_and_path(site, job).1)
        .collect();
    let mut taken = vec![false; jobs.len()];
    let mut claims = Claims::default();
    for path in theme_assets {
        claims.claim(&path, || book("a file of the theme"));
    }
    for ((job, path), taken) in jobs.iter().zip(&paths).zip(&mut taken) {
        if let Some(collision) = claims.claim(path, || claim_of(site, job)) {
            diagnostics.push(collision);
            *taken = true;
        }
    }
    for asset in &site.assets {
        let Ok(path) = crate::safe_path::to_site_path(asset) else {
            continue;
        };
        let claim = || Claim {
            what: "this file".into(),
            file: content_file(site, asset),
        };
        if let Some(collision) = claims.claim(&path, claim) {
            diagnostics.push(collision);
        }
    }
    drop(claims);
    (jobs.into_iter().zip(paths).zip(taken))
        .filter(|(_, taken)| !taken)
        .map(|(pair, _)| pair)
        .collect()
}

/// Output paths by owner, compared without case (a case-insensitive disk would merge them).
/// An owner is described only when someone else claims its path.
#[derive(Default)]
struct Claims<'a>(HashMap<String, Box<dyn Fn() -> Claim + 'a>>);

impl<'a> Claims<'a> {
    /// Records the claim `claim` describes for `path`, or returns the collision with whoever
    /// holds it already.
    fn claim(&mut self, path: &str, claim: impl Fn() -> Claim + 'a) -> Option<Diagnostic> {
        let key = path.to_lowercase();
        if let Some((_, what)) = GENERATED_FOLDERS.iter().find(|(f, _)| key.starts_with(f)) {
            return Some(collision(path, &book(what), &claim()));
        }
        match self.0.entry(key) {
            Entry::Occupied(first) => Some(collision(path, &first.get()(), &claim())),
            Entry::Vacant(slot) => {
                slot.insert(Box::new(claim));
                None
            }
        }
    }
}

fn book(what: &str) -> Claim {
    Claim {
        what: what.to_string(),
        file: PathBuf::from(CONFIG_FILE),
    }
}

fn collision(path: &str, first: &Claim, second: &Claim) -> Diagnostic {
    Diagnostic::error(
        "url-collision",
        &second.file,
        Position::new(1, 1),
        format!(
            "{} would be written to `{path}`, which is already {} ({})",
            second.what,
            first.what,
            first.file.display()
        ),
    )
    .with_help(
        "rename one of them (a file, an id, a tag or a redirect) so each page has its own URL",
    )
}

/// An asset's path as diagnostics give it: relative to the book root.
fn content_file(site: &Site, relative: &Path) -> PathBuf {
    site.config.book.src.join(relative)
}

fn claim_of(site: &Site, job: &Job) -> Claim {
    let at = |what: String, file: &Path| Claim {
        what,
        file: file.to_path_buf(),
    };
    match job {
        Job::Entity(Entity::Domain(d)) => {
            at("the domain page".into(), &site.domains[*d].source.path)
        }
        Job::Entity(Entity::Guideline(g)) => at(
            "the guideline page".into(),
            &site.guidelines[*g].guideline.source.path,
        ),
        Job::Entity(Entity::Example(e)) => at(
            "the example page".into(),
            &site.examples[*e].example.source.path,
        ),
        Job::Entity(Entity::Page(p)) => at("the page".into(), &site.pages[*p].source.path),
        Job::Entity(Entity::Framework(f)) => at(
            "the framework page".into(),
            &site.frameworks[*f].source.path,
        ),
        Job::Entity(Entity::Control {
            framework: f,
            control: c,
        }) => at(
            format!(
                "the page of control `{}`",
                site.frameworks[*f].controls[*c].id
            ),
            &site.frameworks[*f].source.path,
        ),
        Job::Tag(tag) => {
            let tagged = &site.tags[tag];
            let file = tagged
                .guidelines
                .first()
                .map(|&g| &site.guidelines[g].guideline.source.path)
                .or_else(|| {
                    let e = *tagged.examples.first()?;
                    Some(&site.examples[e].example.source.path)
                });
            match file {
                Some(file) => at(format!("the page of tag `{tag}`"), file),
                None => book(&format!("the page of tag `{tag}`")),
            }
        }
        Job::Redirect(from, _) => book(&format!("the redirect `{from}`")),
        Job::Home => book("the home page"),
        Job::Examples => book("the examples listing"),
        Job::Frameworks => book("the frameworks listing"),
        Job::Tags => book("the tags listing"),
        Job::Coverage => book("the coverage page"),
        Job::Roles => book("the roles listing"),
        Job::SelfAssessment => book("the self-assessment checklist"),
        Job::Baseline(b) => at(
            format!("the page of baseline `{}`", site.baselines[*b].id),
            &site.baselines[*b].source.path,
        ),
        Job::Role(r) => at(
            format!("the page of role `{}`", site.roles[*r].id),
            &site.roles[*r].source.path,
        ),
        Job::Print => book("the print page"),
        Job::PrintPart(..) => book("a part of the print page"),
        Job::NotFound => book("the 404 page"),
        Job::Sitemap => book("the sitemap"),
        Job::NavPart(_) => book("a part of the navigation script"),
    }
}
