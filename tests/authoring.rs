//! `guidebook init` and `guidebook schema`: a new knowledge base checks clean, and the schemas
//! validate what authors write (and reject what the loader rejects).

use crate::common::{guidebook, read, repo_root};

fn schema(dir: &std::path::Path, name: &str) -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(&read(&dir.join(name))).expect("schema json");
    jsonschema::validator_for(&schema).expect("schema compiles")
}

fn yaml(text: &str) -> serde_json::Value {
    serde_saphyr::from_str(text).expect("yaml")
}

fn front_matter(text: &str) -> serde_json::Value {
    yaml(text.split("---").nth(1).expect("front matter"))
}

#[test]
fn init_creates_a_book_that_checks_clean_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().expect("temp dir");
    let book = dir.path().join("kb");
    let path = book.to_str().expect("utf-8");
    let init = guidebook(&["init", path]);
    assert_eq!(
        init.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    assert!(String::from_utf8_lossy(&init.stderr).contains("Next steps"));
    let check = guidebook(&["check", "--deny-warnings", "--root", path]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let build = guidebook(&["build", "--root", path]);
    assert_eq!(
        build.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
    assert!(book.join("book/guidelines/gs-1.html").is_file());

    // The scaffold's own files validate against the schemas it wrote, which its YAML names.
    let schemas = book.join("schemas");
    let guideline = read(&book.join("content/guidelines/getting-started/gs-1.yaml"));
    assert!(
        guideline
            .starts_with("# yaml-language-server: $schema=../../../schemas/guideline.schema.json")
    );
    assert!(schema(&schemas, "guideline.schema.json").is_valid(&yaml(&guideline)));
    let framework = read(&book.join("content/frameworks/example-framework.yaml"));
    assert!(schema(&schemas, "framework.schema.json").is_valid(&yaml(&framework)));
    let roles = read(&crate::common::repo_root().join("content/roles.yaml"));
    assert!(schema(&schemas, "roles.schema.json").is_valid(&yaml(&roles)));
    assert!(read(&book.join(".vscode/settings.json")).contains("roles.schema.json"));
    // What builds write stays out of version control.
    assert_eq!(read(&book.join(".gitignore")), "/book/\n/.guidebook/\n");

    let again = guidebook(&["init", path]);
    assert_eq!(
        again.status.code(),
        Some(2),
        "refuses to overwrite an existing book"
    );
}

#[test]
fn schemas_accept_the_shipped_content_and_reject_unknown_keys() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = guidebook(&["schema", "--out", dir.path().to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0));
    let guideline = schema(dir.path(), "guideline.schema.json");
    let example = schema(dir.path(), "example.schema.json");
    let domain = schema(dir.path(), "domain.schema.json");
    let framework = schema(dir.path(), "framework.schema.json");
    let content = repo_root().join("content");
    let mut checked = 0;
    for entry in walkdir::WalkDir::new(&content)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
    {
        let path = entry.path();
        let relative = path
            .strip_prefix(&content)
            .expect("inside")
            .to_string_lossy()
            .into_owned();
        let text = read(path);
        let (validator, instance) = if relative.starts_with("frameworks/") {
            (&framework, yaml(&text))
        } else if relative.ends_with("_domain.md") {
            (&domain, front_matter(&text))
        } else if relative.starts_with("guidelines/") {
            (&guideline, front_matter(&text))
        } else if relative.starts_with("examples/") {
            (&example, front_matter(&text))
        } else {
            continue;
        };
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| e.to_string())
            .take(3)
            .collect();
        assert!(errors.is_empty(), "{relative}: {errors:?}");
        checked += 1;
    }
    assert!(checked > 60, "checked {checked} files");
    let typo = yaml("id: X-1\ntitle: t\nsummary: s\ntitel: typo\n");
    assert!(
        !guideline.is_valid(&typo),
        "unknown keys are rejected, as the loader does"
    );
    let missing = yaml("id: X-1\ntitle: t\n");
    assert!(!guideline.is_valid(&missing), "required keys are required");
    let book: serde_json::Value = toml_to_json(&read(&repo_root().join("book.toml")));
    assert!(schema(dir.path(), "book.schema.json").is_valid(&book));
}

fn toml_to_json(text: &str) -> serde_json::Value {
    let value: toml::Value = toml::from_str(text).expect("toml");
    serde_json::to_value(value).expect("json")
}

/// Help names `--deny-warnings` only where the command takes it.
#[test]
fn help_mentions_deny_warnings_only_where_it_applies() {
    for (command, takes_it) in [
        ("build", true),
        ("check", true),
        ("serve", false),
        ("search", false),
        ("export", false),
        ("schema", false),
        ("init", false),
    ] {
        let help = guidebook(&[command, "--help"]);
        let text = String::from_utf8_lossy(&help.stdout);
        assert_eq!(
            text.contains("--deny-warnings"),
            takes_it,
            "{command}: {text}"
        );
    }
}
