//! JSON Schemas for the files authors write, generated from the same types the loader reads,
//! so editors (VS Code's YAML extension, Even Better TOML) validate while authoring.

use crate::config::BookConfig;
use crate::model::{Catalog, DomainMeta, ExampleMeta, GuidelineMeta, PageMeta, RolesMeta};

/// (file name, schema) for every kind of file, in a stable order.
pub fn all() -> Vec<(&'static str, String)> {
    vec![
        (
            "guideline.schema.json",
            render(
                schemars::schema_for!(GuidelineMeta),
                "A guideline (front matter, or the whole .yaml file)",
            ),
        ),
        (
            "example.schema.json",
            render(
                schemars::schema_for!(ExampleMeta),
                "A worked example's front matter",
            ),
        ),
        (
            "domain.schema.json",
            render(
                schemars::schema_for!(DomainMeta),
                "A domain's _domain.md front matter",
            ),
        ),
        (
            "page.schema.json",
            render(
                schemars::schema_for!(PageMeta),
                "A free page's front matter",
            ),
        ),
        (
            "framework.schema.json",
            render(
                schemars::schema_for!(Catalog),
                "A control catalog (content/frameworks/<id>.yaml)",
            ),
        ),
        (
            "roles.schema.json",
            render(
                schemars::schema_for!(RolesMeta),
                "The roles guidelines may name (content/roles.yaml)",
            ),
        ),
        (
            "book.schema.json",
            render(schemars::schema_for!(BookConfig), "guidebook's book.toml"),
        ),
    ]
}

fn render(mut schema: schemars::Schema, title: &str) -> String {
    schema.insert("title".into(), title.into());
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
