//! Accessibility: axe-core (from npm, pinned by `.ci/run`; a test dependency, never part of the
//! theme) injected over CDP into every kind of page of the shipped site, at desktop and phone
//! widths, in the light and dark themes, with the search results open too. Serious and critical
//! findings fail the test, each named with the page, the rule and the elements.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::cdp::Browser;
use crate::common::repo_root;
use guidebook::pipeline::{self, BuildOptions};

const WAIT: Duration = Duration::from_secs(10);
const AXE_VERSION: &str = "4.14.1";

/// One page of each kind the site makes.
const PAGES: [&str; 20] = [
    "index.html",
    "domains/secure-design.html",
    "guidelines/sd-2.html",
    "examples/dev-hash-pinned-ml-dependencies.html",
    "examples/index.html",
    "frameworks/index.html",
    "frameworks/nist-sp-800-53/index.html",
    "frameworks/nist-sp-800-53/ra-3.html",
    "frameworks/mitre-atlas-techniques/index.html",
    "frameworks/mitre-atlas-techniques/aml-t0051.html",
    "tags/index.html",
    "tags/threat-modelling.html",
    "coverage.html",
    "print.html",
    "404.html",
    "roles/index.html",
    "roles/system-owner.html",
    "self-assessment.html",
    "pages/changelog.html",
    "baselines/ai-priority.html",
];

fn axe_source() -> String {
    let path = std::env::var_os("GUIDEBOOK_AXE").map_or_else(
        || repo_root().join("target/axe/node_modules/axe-core/axe.min.js"),
        PathBuf::from,
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "MISSING axe-core: {} ({e}). Install it as .ci/run does: npm install --no-save \
             --prefix target/axe axe-core@{AXE_VERSION} (or set GUIDEBOOK_AXE to axe.min.js)",
            path.display()
        )
    })
}

/// The serious and critical violations of the page open in `browser`, as readable lines.
fn violations(browser: &mut Browser, axe: &str, label: &str) -> Vec<String> {
    if browser.eval("typeof window.axe") != "object" {
        browser.eval(axe);
    }
    let version = browser.eval("axe.version");
    assert_eq!(version, AXE_VERSION, "the pinned axe-core");
    let found = browser.eval(
        "axe.run(document, { resultTypes: ['violations'] }).then(r => r.violations \
         .filter(v => v.impact === 'serious' || v.impact === 'critical') \
         .map(v => ({ id: v.id, impact: v.impact, help: v.help, \
                      nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')), count: v.nodes.length })))",
    );
    found
        .as_array()
        .into_iter()
        .flatten()
        .map(|v: &Value| {
            format!(
                "{label}: {} ({}) {} x{}: {}",
                v["id"].as_str().unwrap_or_default(),
                v["impact"].as_str().unwrap_or_default(),
                v["help"].as_str().unwrap_or_default(),
                v["count"],
                v["nodes"]
            )
        })
        .collect()
}

fn set_width(browser: &mut Browser, width: u32) {
    browser.page(
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600 }),
    );
}

#[test]
fn every_page_kind_has_no_serious_accessibility_finding() {
    let axe = axe_source();
    let out = tempfile::tempdir().expect("temp dir");
    let site = out.path().join("site");
    let rendered = pipeline::render_site(&repo_root(), &BuildOptions::default()).expect("render");
    rendered.output.write_atomically(&site).expect("write");
    let mut browser = Browser::launch();
    let mut found = Vec::new();
    let mut runs = 0;
    for width in [1280, 390] {
        set_width(&mut browser, width);
        for theme in ["light", "dark"] {
            for page in PAGES {
                browser.navigate(&format!("file://{}/{page}", site.display()));
                browser.eval(&format!(
                    "document.documentElement.dataset.theme = '{theme}'"
                ));
                let label = format!("{page} at {width} px, {theme}");
                found.extend(violations(&mut browser, &axe, &label));
                runs += 1;
            }
            // The search box with its results open.
            browser.navigate(&format!("file://{}/guidelines/sd-1.html", site.display()));
            browser.eval(&format!(
                "document.documentElement.dataset.theme = '{theme}'"
            ));
            browser.eval("document.getElementById('search-input').focus()");
            browser.type_text("model");
            browser.wait_for(
                "document.querySelectorAll('#search-results li a').length > 3",
                WAIT,
            );
            let label = format!("search results at {width} px, {theme}");
            found.extend(violations(&mut browser, &axe, &label));
            runs += 1;
        }
    }
    println!(
        "axe-core {AXE_VERSION}: {runs} pages checked, {} serious or critical findings",
        found.len()
    );
    assert!(found.is_empty(), "axe-core found:\n{}", found.join("\n"));
}
