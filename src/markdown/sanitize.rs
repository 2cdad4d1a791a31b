//! The one place where HTML from content is made safe: ammonia with a small allow-list on top of
//! its defaults (ids and classes for anchors and highlighting, disabled task-list checkboxes).

use std::sync::OnceLock;

fn cleaner() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut builder = ammonia::Builder::default();
        builder
            .add_generic_attributes(["id", "class", "aria-hidden"])
            .add_tags(["input"])
            .add_tag_attributes("input", ["type", "checked", "disabled"])
            .link_rel(Some("noopener noreferrer"));
        builder
    })
}

/// Removes scripts, event handlers, `javascript:` URLs and anything else not on the allow-list.
pub fn sanitize(html: &str) -> String {
    cleaner().clean(html).to_string()
}
