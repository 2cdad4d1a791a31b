//! `guidebook init`: a new knowledge base that builds and checks clean, with the JSON Schemas
//! written next to it and wired into the YAML files and VS Code's settings.

use std::path::Path;

use crate::error::{Error, Result};

const BOOK_TOML: &str = r#"#:schema ./schemas/book.schema.json
[book]
title = "My guidelines"
authors = ["Your team"]
description = "Guidance for the teams who build and run our systems."
language = "en"
src = "content"

[build]
build-dir = "book"

[guidebook]
last-modified = "2026-01-01T00:00:00Z"
"#;

const INDEX: &str = "---\ntitle: My guidelines\n---\n\nStart with [the first guideline](guideline:GS-1). \
Read [about this site](page:about) for who maintains it.\n";

const DOMAIN: &str = "---\nid: getting-started\ntitle: Getting started\norder: 1\nsummary: The first guidelines of this knowledge base.\n---\n\n\
A domain groups guidelines. Its introduction is this Markdown body.\n";

const GUIDELINE: &str = r#"# yaml-language-server: $schema=../../../schemas/guideline.schema.json
id: GS-1
title: Keep an inventory of your systems
summary: Know what you run, who owns it and what it depends on.
order: 1
tags: [inventory]
roles: [system-owner]
last-reviewed: 2026-01-15
controls:
  - framework: example-framework
    control: EX-1
    relationship: intersects-with
    rationale: Both ask for an owned, current list of systems.
    confidence: high
references:
  - title: guidebook's README
    url: https://example.org/guidebook
body: |
  ## What to do

  List every system with its owner and its dependencies, and review the list every quarter.
  The [worked example](example:gs-1-inventory-file) shows one way.

  ## How to tell it is done

  - [ ] Every production system is in the list, with an owner.
"#;

const FRAMEWORK: &str = r#"# yaml-language-server: $schema=../../schemas/framework.schema.json
id: example-framework
name: Example framework
version: "1.0"
url: https://example.org/framework
license: Replace with the catalog's licence note.
description: A control catalog. Replace it with the frameworks your organisation uses.
controls:
  - id: EX-1
    title: System inventory
    description: Keep an inventory of systems and their owners.
"#;

const EXAMPLE: &str = "---\nid: gs-1-inventory-file\ntitle: An inventory kept as a YAML file in the repository\n\
guidelines: [GS-1]\nkind: practice\ntags: [inventory]\n---\n\n```yaml\nsystems:\n  - name: payments-api\n    owner: team-payments\n    depends-on: [postgres, kafka]\n```\n";

const ABOUT: &str = "---\ntitle: About this site\nsummary: Who maintains these guidelines.\norder: 1\n---\n\n\
Say here who maintains this knowledge base and how to propose a change.\n";

const VSCODE: &str = r#"{
  "yaml.schemas": {
    "./schemas/guideline.schema.json": "content/guidelines/**/*.yaml",
    "./schemas/framework.schema.json": "content/frameworks/*.yaml",
    "./schemas/roles.schema.json": "content/roles.yaml"
  }
}
"#;

/// Writes a new knowledge base into `dir` (created if needed); refuses to overwrite a book.
pub fn scaffold(dir: &Path) -> Result<Vec<String>> {
    if dir.join(crate::config::CONFIG_FILE).exists() {
        return Err(Error::Usage(format!(
            "{} already holds a book.toml: choose an empty folder",
            dir.display()
        )));
    }
    let mut files: Vec<(String, String)> = vec![
        ("book.toml".into(), BOOK_TOML.into()),
        // What builds write beside the sources: the site and the search-index cache.
        (".gitignore".into(), "/book/\n/.guidebook/\n".into()),
        ("content/index.md".into(), INDEX.into()),
        (
            "content/guidelines/getting-started/_domain.md".into(),
            DOMAIN.into(),
        ),
        (
            "content/guidelines/getting-started/gs-1.yaml".into(),
            GUIDELINE.into(),
        ),
        (
            "content/frameworks/example-framework.yaml".into(),
            FRAMEWORK.into(),
        ),
        (
            "content/examples/gs-1-inventory-file.md".into(),
            EXAMPLE.into(),
        ),
        ("content/pages/about.md".into(), ABOUT.into()),
        (".vscode/settings.json".into(), VSCODE.into()),
    ];
    files.extend(
        crate::schema::all()
            .into_iter()
            .map(|(name, text)| (format!("schemas/{name}"), text)),
    );
    for (path, text) in &files {
        crate::safe_path::write(dir, path, text.as_bytes())?;
    }
    Ok(files.into_iter().map(|(path, _)| path).collect())
}
