//! Resolves typed Markdown links (`guideline:SD-1`, `control:fw/AC-2`...) against the site.

use crate::diagnostic::did_you_mean;
use crate::markdown::{LinkError, LinkResolver};
use crate::render::urls;
use crate::resolve::Site;

pub struct SiteLinks<'a>(pub &'a Site);

impl LinkResolver for SiteLinks<'_> {
    fn failed_to_load(&self, scheme: &str, target: &str) -> bool {
        let id = match scheme {
            "control" => target.split('/').next().unwrap_or(target),
            _ => target,
        };
        self.0.unloaded.covers(id)
    }

    fn resolve(&self, scheme: &str, target: &str) -> Result<String, LinkError> {
        let site = self.0;
        match scheme {
            "guideline" => site
                .guideline_by_id(target)
                .map(|g| urls::guideline(site, g))
                .ok_or_else(|| {
                    unknown(
                        scheme,
                        target,
                        site.guidelines
                            .iter()
                            .map(|g| g.guideline.meta.id.value.as_str()),
                    )
                }),
            "example" => site
                .example_by_id(target)
                .map(|e| urls::example(site, e))
                .ok_or_else(|| {
                    unknown(
                        scheme,
                        target,
                        site.examples
                            .iter()
                            .map(|e| e.example.meta.id.value.as_str()),
                    )
                }),
            "page" => site
                .page_by_slug(target)
                .map(|p| urls::page(site, p))
                .ok_or_else(|| unknown(scheme, target, site.pages.iter().map(|p| p.slug.as_str()))),
            "framework" => site
                .framework_by_id(target)
                .map(|f| urls::framework(site, f))
                .ok_or_else(|| {
                    unknown(
                        scheme,
                        target,
                        site.frameworks.iter().map(|f| f.id.as_str()),
                    )
                }),
            "control" => control(site, target),
            _ => Err(LinkError {
                message: format!("unknown link scheme `{scheme}`"),
                help: None,
            }),
        }
    }
}

fn control(site: &Site, target: &str) -> Result<String, LinkError> {
    let Some((fw, id)) = target.split_once('/') else {
        return Err(LinkError {
            message: format!("`control:{target}` names no framework"),
            help: Some(
                "write control:<framework id>/<control id>, e.g. control:nist-sp-800-53/AC-2"
                    .into(),
            ),
        });
    };
    let Some(f) = site.framework_by_id(fw) else {
        return Err(unknown(
            "framework",
            fw,
            site.frameworks.iter().map(|f| f.id.as_str()),
        ));
    };
    let framework = &site.frameworks[f];
    match framework.control(id) {
        // Only mapped (or addressed) controls have a page; others are listed on the framework page.
        Some(c) if !framework.controls[c].has_page() => Ok(format!(
            "{}#{}",
            urls::framework(site, f),
            framework.controls[c].slug
        )),
        Some(c) => Ok(urls::control(site, f, c)),
        None => Err(unknown(
            "control",
            id,
            framework.controls.iter().map(|c| c.id.as_str()),
        )),
    }
}

fn unknown<'a>(what: &str, target: &str, known: impl Iterator<Item = &'a str>) -> LinkError {
    LinkError {
        message: format!("link to unknown {what} `{target}`"),
        help: Some(did_you_mean(target, known, || {
            format!("no {what} has this id; check its spelling and case")
        })),
    }
}
