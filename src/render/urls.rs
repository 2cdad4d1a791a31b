//! Where each item of the site is written, as paths relative to the site root. Pages link to each
//! other with these paths prefixed by the way back to the root, so the output works from disk
//! (file://) and under any site URL.

use crate::resolve::Site;

pub fn guideline(site: &Site, g: usize) -> String {
    let slug = &site.guidelines[g].guideline.slug;
    match slug.chars().any(char::is_uppercase) {
        true => format!("guidelines/{}.html", slug.to_lowercase()),
        false => format!("guidelines/{slug}.html"),
    }
}

pub fn domain(site: &Site, d: usize) -> String {
    format!("domains/{}.html", site.domains[d].folder)
}

pub fn example(site: &Site, e: usize) -> String {
    format!("examples/{}.html", site.examples[e].example.slug)
}

pub fn page(site: &Site, p: usize) -> String {
    format!("pages/{}.html", site.pages[p].slug)
}

pub fn framework(site: &Site, f: usize) -> String {
    format!("frameworks/{}/index.html", site.frameworks[f].id)
}

pub fn control(site: &Site, f: usize, c: usize) -> String {
    let framework = &site.frameworks[f];
    format!(
        "frameworks/{}/{}.html",
        framework.id, framework.controls[c].slug
    )
}

pub fn tag(slug: &str) -> String {
    format!("tags/{slug}.html")
}

pub fn baseline(id: &str) -> String {
    format!("baselines/{id}.html")
}

pub fn role(id: &str) -> String {
    format!("roles/{id}.html")
}

pub const ROLES: &str = "roles/index.html";
pub const SELF_ASSESSMENT: &str = "self-assessment.html";
pub const TAGS: &str = "tags/index.html";
pub const EXAMPLES: &str = "examples/index.html";
pub const FRAMEWORKS: &str = "frameworks/index.html";
pub const PRINT: &str = "print.html";
pub const COVERAGE: &str = "coverage.html";
pub const HOME: &str = "index.html";

/// The way back from `path` to the site root: `""` at the top, `"../"` one folder down...
pub fn root_of(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}
