//! sitemap.xml: every HTML page of the site but the 404 page and redirects, as absolute URLs
//! when book.toml gives a `site-url`.

use super::{Job, jobs, template_and_path};
use crate::resolve::Site;

/// Every HTML page of the site, sorted, under the site URL.
pub fn urls(site: &Site) -> Vec<String> {
    let base = site
        .config
        .output
        .html
        .site_url
        .as_deref()
        .unwrap_or_default();
    let separator = if base.is_empty() || base.ends_with('/') {
        ""
    } else {
        "/"
    };
    let mut paths: Vec<String> = jobs(site)
        .iter()
        .filter(|job| {
            !matches!(
                job,
                Job::NotFound | Job::Redirect(..) | Job::Sitemap | Job::NavPart(_)
            )
        })
        .map(|job| template_and_path(site, job).1)
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| format!("{base}{separator}{path}"))
        .collect()
}
