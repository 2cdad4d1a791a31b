//! `guidebook diff` in a temporary git repository whose book sits below the repository root:
//! guidelines retitled, added and moved, a mapping changed, a cross-reference removed, a
//! catalog control retitled, book.toml changed, as text, Markdown and JSON.

use std::path::Path;
use std::process::Command;

use crate::common::{copy_tree, fixture, guidebook};

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.org",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .status()
        .expect("MISSING git: the diff tests need git on the PATH");
    assert!(status.success(), "git {args:?}");
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

/// The valid fixture committed at docs/book of a new repository; the edits left in the work tree.
fn repository() -> (tempfile::TempDir, std::path::PathBuf) {
    let repo = tempfile::tempdir().expect("temp dir");
    let book = repo.path().join("docs/book");
    copy_tree(&fixture("valid"), &book);
    git(repo.path(), &["init", "-q", "-b", "main"]);
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", "first"]);
    let content = book.join("content");
    edit(
        &content.join("guidelines/design/a-1.md"),
        "title: Model the threats",
        "title: Model the threats early",
    );
    edit(
        &content.join("guidelines/design/a-1.md"),
        "    relationship: intersects-with\n    rationale: Both ask for accounts to be managed.\n    confidence: high",
        "    relationship: subset-of\n    rationale: Both ask for accounts to be managed.\n    confidence: medium",
    );
    edit(
        &content.join("guidelines/design/a-1.md"),
        "related:\n  - id: A-2\n    relationship: requires\n    note: design before build\n",
        "",
    );
    std::fs::rename(
        content.join("guidelines/operate/b-1.md"),
        content.join("guidelines/operate/b-1-moved.md"),
    )
    .expect("move");
    let new = std::fs::read_to_string(content.join("guidelines/operate/b-1-moved.md"))
        .expect("read")
        .replacen("id: B-1", "id: B-9", 1);
    std::fs::write(content.join("guidelines/operate/b-9.md"), new).expect("write");
    edit(
        &content.join("frameworks/demo.yaml"),
        "title: Account Management",
        "title: Account Management (renamed)",
    );
    edit(
        &book.join("book.toml"),
        "title = ",
        "title = \"Renamed book\"\n# was: ",
    );
    (repo, book)
}

#[test]
fn diff_against_the_work_tree_names_every_change_by_id() {
    let (_repo, book) = repository();
    let root = book.to_str().expect("utf-8 path");
    let out = guidebook(&["diff", "--root", root, "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let diff: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let has = |list: &str, test: &dyn Fn(&serde_json::Value) -> bool| {
        diff[list]
            .as_array()
            .is_some_and(|items| items.iter().any(test))
    };
    assert!(has("guidelines", &|g| g["id"] == "A-1"
        && g["change"] == "retitled"
        && g["after"] == "Model the threats early"));
    assert!(has("guidelines", &|g| g["id"] == "B-1"
        && g["change"] == "renamed"
        && g["after"] == "content/guidelines/operate/b-1-moved.md"));
    assert!(has("guidelines", &|g| g["id"] == "B-9"
        && g["change"] == "added"));
    assert!(has("mappings", &|m| m["guideline"] == "A-1"
        && m["control"] == "AC-2"
        && m["change"] == "changed"
        && m["before"]["relationship"] == "intersects-with"
        && m["after"]["relationship"] == "subset-of"
        && m["after"]["confidence"] == "medium"));
    assert!(has("mappings", &|m| m["guideline"] == "B-9"
        && m["change"] == "added"));
    assert!(has("cross_references", &|l| l["guideline"] == "A-1"
        && l["target"] == "A-2"
        && l["change"] == "removed"));
    assert!(has("controls", &|c| c["control"] == "AC-2"
        && c["change"] == "retitled"
        && c["after"] == "Account Management (renamed)"
        && c["mapped_by"]
            .as_array()
            .is_some_and(|g| g.iter().any(|id| id == "A-1"))));
    // Nothing else changed.
    assert!(diff["examples"].as_array().is_some_and(Vec::is_empty));
}

#[test]
fn diff_between_two_commits_as_markdown() {
    let (repo, book) = repository();
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", "second"]);
    let root = book.to_str().expect("utf-8 path");
    let out = guidebook(&[
        "diff", "HEAD~1", "HEAD", "--root", root, "--format", "markdown",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        text.starts_with("## Knowledge base changes: HEAD~1 → HEAD"),
        "{text}"
    );
    assert!(text.contains("### Mappings ("), "{text}");
    assert!(
        text.contains("- `A-1` → demo `AC-2` changed: intersects-with, high → subset-of, medium"),
        "{text}"
    );
    assert!(text.contains("- demo `AC-2` retitled: Account Management → Account Management (renamed) (mapped by A-1"), "{text}");

    // The same revision on both sides: no changes, said plainly.
    let same = guidebook(&["diff", "HEAD", "HEAD", "--root", root]);
    assert!(String::from_utf8_lossy(&same.stdout).contains("No changes"));
    // A revision that does not exist: a clear error, exit 2.
    let bad = guidebook(&["diff", "no-such-rev", "--root", root]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("`no-such-rev` is not a revision"));

    // A revision whose content does not load: named, with each error's file and line there.
    let a1 = book.join("content/guidelines/design/a-1.md");
    edit(&a1, "control: AC-2\n", "control: AC-22\n");
    git(repo.path(), &["commit", "-q", "-am", "broken"]);
    let broken = guidebook(&["diff", "HEAD", "--root", root]);
    assert_eq!(broken.status.code(), Some(2));
    let said = String::from_utf8_lossy(&broken.stderr);
    assert!(said.contains("HEAD does not load"), "{said}");
    assert!(said.contains("content/guidelines/design/a-1.md:"), "{said}");
}
