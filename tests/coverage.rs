//! The coverage page: matrix and gap numbers checked against a count made here, independently,
//! from the YAML of the shipped content.

use std::collections::{BTreeMap, BTreeSet};

use crate::common::{read, repo_root};
use guidebook::pipeline::{self, BuildOptions};

/// The front matter of every shipped guideline, read straight from its file.
fn front_matters() -> Vec<serde_json::Value> {
    let guidelines = walkdir::WalkDir::new(repo_root().join("content/guidelines"));
    (guidelines.into_iter().flatten())
        .map(|entry| entry.into_path())
        .filter(|path| path.extension().is_some_and(|e| e == "md") && !path.ends_with("_domain.md"))
        .map(|path| {
            let text = read(&path);
            let yaml = text.split("---").nth(1).expect("front matter").to_string();
            serde_saphyr::from_str(&yaml).expect("yaml")
        })
        .collect()
}

/// (guideline id -> framework -> number of mappings), read straight from the front matter;
/// the threats a guideline addresses count in the column of the shipped threat catalog.
fn count_mappings() -> BTreeMap<String, BTreeMap<String, usize>> {
    let mut counts = BTreeMap::new();
    for meta in front_matters() {
        let mut per_framework: BTreeMap<String, usize> = BTreeMap::new();
        for mapping in meta["controls"].as_array().into_iter().flatten() {
            *per_framework
                .entry(
                    mapping["framework"]
                        .as_str()
                        .expect("framework")
                        .to_string(),
                )
                .or_default() += 1;
        }
        let threats = meta["threats"].as_array().map_or(0, Vec::len);
        if threats > 0 {
            per_framework.insert("mitre-atlas-techniques".to_string(), threats);
        }
        counts.insert(meta["id"].as_str().expect("id").to_string(), per_framework);
    }
    counts
}

/// (guideline id -> mappings to the controls the shipped baseline selects), read here from the
/// profile's OSCAL ids (`ra-3.1` is `RA-3(1)`) and the guidelines' front matter.
fn count_baseline_mappings() -> BTreeMap<String, usize> {
    let profile: serde_json::Value = serde_json::from_str(&read(
        &repo_root().join("content/baselines/ai-priority.json"),
    ))
    .expect("profile");
    let selected: BTreeSet<String> =
        profile["profile"]["imports"][0]["include-controls"][0]["with-ids"]
            .as_array()
            .expect("with-ids")
            .iter()
            .filter_map(|id| id.as_str())
            .map(|id| match id.split_once('.') {
                Some((base, enhancement)) => format!("{}({enhancement})", base.to_uppercase()),
                None => id.to_uppercase(),
            })
            .collect();
    let mut counts = BTreeMap::new();
    for meta in front_matters() {
        let n = (meta["controls"].as_array().into_iter().flatten())
            .filter(|m| m["framework"] == "nist-sp-800-53")
            .filter(|m| m["control"].as_str().is_some_and(|c| selected.contains(c)))
            .count();
        counts.insert(meta["id"].as_str().expect("id").to_string(), n);
    }
    counts
}

/// Control ids of a YAML catalog (recursively), and whether each is mapped by any guideline.
fn catalog_controls(framework: &str) -> Vec<String> {
    let text = read(&repo_root().join(format!("content/frameworks/{framework}.yaml")));
    let catalog: serde_json::Value = serde_saphyr::from_str(&text).expect("catalog yaml");
    fn walk(value: &serde_json::Value, out: &mut Vec<String>) {
        for control in value["controls"].as_array().into_iter().flatten() {
            out.push(control["id"].as_str().expect("id").to_string());
            walk(control, out);
        }
        for group in value["groups"].as_array().into_iter().flatten() {
            walk(group, out);
        }
    }
    let mut out = Vec::new();
    walk(&catalog, &mut out);
    out
}

/// The counts of the matrix table's row whose heading links `label`.
fn row_counts(table: &str, label: &str) -> Vec<usize> {
    let start = table
        .find(&format!(">{label}</a>"))
        .unwrap_or_else(|| panic!("row for {label}"));
    let row = &table[start..];
    let row = &row[..row.find("</tr>").expect("row end")];
    row.split("data-count=\"")
        .skip(1)
        .map(|s| s[..s.find('"').expect("quote")].parse().expect("number"))
        .collect()
}

#[test]
fn matrix_and_gap_numbers_match_an_independent_count() {
    let rendered = pipeline::render_site(&repo_root(), &BuildOptions::default()).expect("render");
    let page = String::from_utf8(
        rendered
            .output
            .get("coverage.html")
            .expect("coverage page")
            .to_vec(),
    )
    .expect("utf-8");
    let expected = count_mappings();
    assert_eq!(expected.len(), 17);
    let baselines = count_baseline_mappings();

    // The matrix table: one row per guideline, cells in framework order (sorted ids).
    let frameworks: Vec<String> = rendered
        .site
        .frameworks
        .iter()
        .map(|f| f.id.clone())
        .collect();
    let table = &page[page.find("id=\"matrix-table\"").expect("matrix table")..];
    let table = &table[..table.find("</table>").expect("table end")];
    for (id, per_framework) in &expected {
        let cells = row_counts(table, id);
        let mut wanted: Vec<usize> = frameworks
            .iter()
            .map(|f| per_framework.get(f).copied().unwrap_or(0))
            .collect();
        // Then the column of the shipped baseline.
        wanted.push(baselines[id]);
        assert_eq!(cells, wanted, "matrix row {id}");
    }

    // The gap view: for each framework, mapped = catalog controls some guideline maps to.
    let mapped_targets: BTreeSet<(String, String)> = rendered
        .site
        .guidelines
        .iter()
        .flat_map(|g| {
            let site = &rendered.site;
            let mapped = g.mappings.iter().map(|m| (m.framework, m.control));
            let addressed = g.threats.iter().map(|t| (t.framework, t.control));
            mapped.chain(addressed).map(move |(f, c)| {
                (
                    site.frameworks[f].id.clone(),
                    site.frameworks[f].controls[c].id.clone(),
                )
            })
        })
        .collect();
    for framework in &frameworks {
        let controls = catalog_controls(framework);
        let mapped = controls
            .iter()
            .filter(|c| mapped_targets.contains(&(framework.clone(), (*c).clone())))
            .count();
        let marker = format!(
            "data-framework=\"{framework}\" data-total=\"{}\" data-mapped=\"{mapped}\"",
            controls.len()
        );
        assert!(
            page.contains(&marker),
            "gap numbers for {framework}: expected {marker}"
        );
    }
    assert!(page.contains("<svg class=\"coverage-matrix\""));
    assert!(page.contains("<svg class=\"coverage-graph\""));
    assert!(!page.contains("<script>"), "the views need no script");
}

/// Past 200 guidelines the matrix has a row per domain (the sum of its guidelines' mappings)
/// and the cross-references are counted between domains, so the page stays small.
#[test]
fn a_large_site_gets_coverage_by_domain() {
    let book = crate::common::Book::fixture("valid");
    for n in 0..240 {
        let (folder, related) = if n % 3 == 0 {
            ("operate", "A-1")
        } else {
            ("design", "B-1")
        };
        book.write(
            &format!("content/guidelines/{folder}/g-{n}.md"),
            &format!(
                "---\nid: G-{n}\ntitle: Generated {n}\nsummary: One of many.\nrelated:\n  - id: {related}\ncontrols:\n  - framework: demo\n    control: AC-2(1)\n    relationship: intersects-with\n---\n\nBody {n}.\n"
            ),
        );
    }
    let built = book.build();
    let page = crate::common::page(&built, "coverage.html");
    assert!(page.contains("Domains × frameworks"), "summarised");
    assert!(page.len() < 100_000, "{} bytes", page.len());
    let table = &page[page.find("id=\"matrix-table\"").expect("matrix table")..];
    let table = &table[..table.find("</table>").expect("table end")];
    assert!(!table.contains(">G-1</a>"), "no row per guideline");
    let demo = built
        .site
        .frameworks
        .iter()
        .position(|f| f.id == "demo")
        .expect("demo framework");
    for (d, domain) in built.site.domains.iter().enumerate() {
        let expected: usize = (built.site.guidelines.iter())
            .filter(|g| g.domain == d)
            .map(|g| g.mappings.iter().filter(|m| m.framework == demo).count())
            .sum();
        let cells = row_counts(table, &domain.folder);
        assert_eq!(cells[demo], expected, "{}", domain.folder);
    }
    // Citations from `operate` to `design`: the 80 generated ones to A-1, and the fixture's.
    let site = &built.site;
    let domain_of = |name: &str| site.domains.iter().position(|d| d.folder == name);
    let (operate, design) = (domain_of("operate"), domain_of("design"));
    let cited: usize = (site.guidelines.iter())
        .filter(|g| Some(g.domain) == operate)
        .flat_map(|g| &g.related)
        .filter(|l| Some(site.guidelines[l.guideline].domain) == design)
        .count();
    assert!(cited >= 80);
    assert!(
        page.contains(&format!("design ({cited})")),
        "cross-references counted by domain"
    );
}
