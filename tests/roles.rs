//! Roles and self-assessment: `roles.yaml` declares the roles, guidelines' `roles` are checked
//! against it, each role has a page with its guidelines and their checks (the task-list items
//! of their bodies), and every check is one checklist and one CSV.

use std::collections::BTreeMap;

use crate::common::{Book, page, repo_root};

const SD1: &str = "content/guidelines/secure-design/sd-1.md";

/// Each shipped guideline's checks, counted here from the Markdown: list items that start
/// with `[ ]` or `[x]`, outside fenced code.
fn count_checks() -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    let guidelines = walkdir::WalkDir::new(repo_root().join("content/guidelines"));
    for entry in guidelines.into_iter().flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "md") || path.ends_with("_domain.md") {
            continue;
        }
        let text = crate::common::read(path);
        let id = text
            .lines()
            .find_map(|l| l.strip_prefix("id: "))
            .expect("id")
            .to_string();
        let mut fenced = false;
        let mut checks = 0;
        for line in text.lines() {
            let trimmed = line.trim_start();
            if trimmed.starts_with("```") {
                fenced = !fenced;
            }
            let item = trimmed
                .strip_prefix("- ")
                .or_else(|| trimmed.strip_prefix("* "));
            if !fenced && item.is_some_and(|i| i.starts_with("[ ] ") || i.starts_with("[x] ")) {
                checks += 1;
            }
        }
        counts.insert(id, checks);
    }
    counts
}

/// The page's own content (the chrome's lists aside).
fn article(html: &str) -> &str {
    let start = html.find("<article").expect("article");
    let end = html.find("</article>").expect("article end");
    &html[start..end]
}

#[test]
fn each_role_has_a_page_with_its_guidelines_and_their_checks() {
    let book = Book::shipped();
    let built = book.build();
    let role = page(&built, "roles/procurement.html");
    assert!(role.contains("<h1>Procurement</h1>"));
    assert!(role.contains(r#"<h2 id="owns">What this role owns</h2>"#));
    let named: Vec<String> = built
        .site
        .guidelines
        .iter()
        .filter(|g| {
            g.guideline
                .meta
                .roles
                .iter()
                .any(|r| r.value == "procurement")
        })
        .map(|g| g.guideline.meta.id.value.clone())
        .collect();
    assert!(
        named.len() >= 2,
        "the shipped content names procurement: {named:?}"
    );
    let checks = count_checks();
    for id in &named {
        assert!(
            role.contains(&format!(r#"<span class="badge id">{id}</span>"#)),
            "{id}"
        );
    }
    let listed = article(&role).matches("<li>").count();
    let expected: usize = named.iter().map(|id| checks[id]).sum::<usize>();
    let owns = built.site.roles[built.site.role_by_id("procurement").expect("role")]
        .owns
        .len();
    assert_eq!(
        listed,
        expected + owns,
        "every check of every guideline, and what it owns"
    );

    // The guideline page's chips lead to the role pages.
    let guideline = page(&built, "guidelines/sd-3.html");
    assert!(
        guideline.contains(r#"<a class="chip" href="../roles/procurement.html">Procurement</a>"#)
    );
    let index = page(&built, "roles/index.html");
    assert_eq!(index.matches(r#"<li class="card">"#).count(), 11);
}

#[test]
fn the_self_assessment_lists_every_check_once_and_as_csv() {
    let book = Book::shipped();
    let built = book.build();
    let checks = count_checks();
    let total: usize = checks.values().sum();
    assert!(
        total >= 17 * 3,
        "the shipped guidelines have checks: {total}"
    );
    let checklist = page(&built, "self-assessment.html");
    assert_eq!(article(&checklist).matches("<li>").count(), total);
    assert!(checklist.contains(r#"<select id="role-filter" name="role">"#));

    let csv = page(&built, "exports/self-assessment.csv");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    assert_eq!(
        header,
        [
            "guideline_id",
            "guideline_title",
            "check",
            "roles",
            "status",
            "owner",
            "evidence"
        ]
    );
    let mut per_guideline: BTreeMap<String, usize> = BTreeMap::new();
    for row in reader.records() {
        let row = row.expect("row");
        *per_guideline.entry(row[0].to_string()).or_default() += 1;
        assert!(!row[2].is_empty() && !row[3].is_empty());
        assert!(row[4].is_empty() && row[5].is_empty() && row[6].is_empty());
    }
    per_guideline.retain(|_, n| *n > 0);
    let mut expected = checks.clone();
    expected.retain(|_, n| *n > 0);
    assert_eq!(per_guideline, expected);
}

#[test]
fn an_undeclared_role_is_an_error_at_its_line_with_a_suggestion() {
    let book = Book::shipped();
    book.edit(SD1, "roles: [", "roles: [risk-ownr, ");
    let errors = book.errors();
    let error = errors
        .iter()
        .find(|d| d.code == "unknown-role")
        .expect("unknown-role");
    assert_eq!(error.file, std::path::Path::new(SD1));
    let line = book
        .read(SD1)
        .lines()
        .position(|l| l.starts_with("roles:"))
        .expect("line");
    assert_eq!((error.position.line, error.position.column), (line + 1, 9));
    assert!(
        error
            .help
            .as_deref()
            .is_some_and(|h| h.contains("risk-owner"))
    );
}

#[test]
fn without_a_roles_file_roles_are_free_text() {
    let book = Book::shipped();
    book.remove("content/roles.yaml");
    book.edit(SD1, "roles: [", "roles: [anyone-at-all, ");
    let built = book.build();
    assert!(built.output.get("roles/index.html").is_none());
    assert!(built.output.get("self-assessment.html").is_none());
    let guideline = page(&built, "guidelines/sd-1.html");
    assert!(guideline.contains(r#"<span class="chip">anyone at all</span>"#));
    assert!(
        !guideline.contains("roles/index.html"),
        "no Roles link without roles"
    );
}
