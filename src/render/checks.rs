//! Checks that need the rendered site: every anchor link lands on an element of its page, and
//! every hidden page is linked from somewhere.

use std::collections::{BTreeSet, HashMap};

use crate::diagnostic::{Diagnostic, Diagnostics, Position};
use crate::markdown::AnchorLink;
use crate::resolve::Site;

/// Every link that names an anchor must land on an element with that id in the rendered page.
pub fn anchors<'a>(
    ids_of: impl Fn(&str) -> Option<std::borrow::Cow<'a, BTreeSet<String>>>,
    links: impl IntoIterator<Item = &'a AnchorLink>,
    diagnostics: &mut Diagnostics,
) {
    let mut ids: HashMap<&str, std::borrow::Cow<'a, BTreeSet<String>>> = HashMap::new();
    for link in links {
        let Some(page) = link.page.as_deref() else {
            continue;
        };
        let known = ids
            .entry(page)
            .or_insert_with(|| ids_of(page).unwrap_or_default());
        if known.contains(&link.anchor) {
            continue;
        }
        let anchors: Vec<String> = known.iter().map(|id| format!("#{id}")).collect();
        let hint = crate::diagnostic::did_you_mean(
            &format!("#{}", link.anchor),
            anchors.iter().map(String::as_str),
            || format!("{page} has no element with this id"),
        );
        diagnostics.push(
            Diagnostic::error(
                "broken-anchor",
                &link.file,
                link.position,
                format!("`#{}` is not an anchor of {page}", link.anchor),
            )
            .with_help(hint),
        );
    }
}

/// The `id` attributes of an HTML page.
pub fn element_ids(html: &[u8]) -> BTreeSet<String> {
    let html = String::from_utf8_lossy(html);
    html.split(" id=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect()
}

/// A hidden page (left out of the navigation) that nothing links to cannot be reached.
pub fn unreachable_pages<'a>(
    site: &Site,
    linked: impl IntoIterator<Item = &'a str>,
    diagnostics: &mut Diagnostics,
) {
    let hidden: Vec<&crate::model::Page> = site.pages.iter().filter(|p| p.meta.hidden).collect();
    if hidden.is_empty() {
        return;
    }
    let linked: std::collections::HashSet<&str> = linked.into_iter().collect();
    for page in hidden {
        if !linked.contains(format!("page:{}", page.slug).as_str()) {
            diagnostics.push(
                Diagnostic::warning(
                    "unreachable-page",
                    &page.source.path,
                    Position::new(1, 1),
                    format!(
                        "page `{}` is hidden from the navigation and no content links to it",
                        page.slug
                    ),
                )
                .with_help(format!(
                    "link it with [text](page:{}) or remove `hidden: true`",
                    page.slug
                )),
            );
        }
    }
}
