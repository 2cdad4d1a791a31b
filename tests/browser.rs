//! The built site in a real headless Chromium, opened from disk (file://): navigation, theme,
//! and the search box with the static engine.

use std::time::Duration;

use crate::common::cdp::Browser;
use crate::common::{fixture, repo_root};
use guidebook::pipeline::{self, BuildOptions};

const WAIT: Duration = Duration::from_secs(10);

fn build(root: &std::path::Path) -> tempfile::TempDir {
    let out = tempfile::tempdir().expect("temp dir");
    let rendered = pipeline::render_site(root, &BuildOptions::default()).expect("render");
    rendered
        .output
        .write_atomically(&out.path().join("site"))
        .expect("write");
    out
}

fn file_url(dir: &tempfile::TempDir, page: &str) -> String {
    format!("file://{}/site/{page}", dir.path().display())
}

#[test]
fn navigation_and_theme_work_from_file_urls() {
    let out = build(&fixture("valid"));
    let mut browser = Browser::launch();
    browser.navigate(&file_url(&out, "guidelines/a-2.html"));
    // The sidebar opens the page's own domain from its part (assets/nav/design.js), current
    // page marked; another domain's part loads only when the reader opens it.
    browser.wait_for(
        "document.querySelectorAll('#nav-tree .nav-id').length === 2",
        WAIT,
    );
    let current = browser
        .eval("document.querySelector('#nav-tree [aria-current=page]').getAttribute('href')");
    assert_eq!(current, "../guidelines/a-2.html");
    let loaded = "[...document.scripts].map(s => s.src.replace(/^.*\\//, '')).sort().join(' ')";
    assert_eq!(
        browser.eval(loaded),
        "design.js guidebook.js theme-init.js",
        "a page loads its own domain's part, and no search script until the box is used"
    );
    browser.eval(
        "document.querySelector('#nav-tree li[data-part$=\"operate.js\"] .nav-toggle').click()",
    );
    browser.wait_for(
        "document.querySelectorAll('#nav-tree .nav-id').length === 3",
        WAIT,
    );
    assert_eq!(
        browser.eval("document.querySelector('#nav-tree li[data-part$=\"operate.js\"] li a').getAttribute('href')"),
        "../guidelines/b-1.html"
    );
    browser.eval(
        "document.querySelector('#nav-tree li[data-part$=\"operate.js\"] .nav-toggle').click()",
    );
    assert_eq!(
        browser.eval("document.querySelector('#nav-tree li[data-part$=\"operate.js\"] ul').hidden"),
        true,
        "a second click folds the domain"
    );
    let theme = browser.eval("document.documentElement.dataset.theme");
    assert_eq!(theme, "light", "theme-init.js picked the light default");

    // The toggle switches to dark, and the choice survives a reload.
    browser.eval("document.querySelector('.theme-toggle').click()");
    assert_eq!(
        browser.eval("document.documentElement.dataset.theme"),
        "dark"
    );
    browser.navigate(&file_url(&out, "guidelines/a-1.html"));
    browser.wait_for("document.documentElement.dataset.theme === 'dark'", WAIT);
    assert_eq!(
        browser.eval("document.querySelector('.theme-toggle').getAttribute('aria-label')"),
        "Switch to light theme"
    );
}

#[test]
fn search_box_finds_results_from_file_urls() {
    let out = build(&repo_root());
    let mut browser = Browser::launch();
    browser.navigate(&file_url(&out, "guidelines/sd-1.html"));

    // "/" focuses the search box; typing shows results as you type.
    browser.press("/");
    browser.wait_for(
        "document.activeElement && document.activeElement.id === 'search-input'",
        WAIT,
    );
    browser.type_text("supply chain");
    browser.wait_for(
        "document.getElementById('search-results').dataset.query === 'supply chain' && document.querySelectorAll('#search-results li').length > 0",
        WAIT,
    );
    let hrefs = browser.eval(
        "[...document.querySelectorAll('#search-results li a')].map(a => a.getAttribute('href'))",
    );
    let hrefs: Vec<String> = serde_json::from_value(hrefs).expect("hrefs");
    let position = hrefs
        .iter()
        .position(|h| h == "../guidelines/dev-1.html")
        .unwrap_or_else(|| panic!("DEV-1 not among the results: {hrefs:?}"));
    assert!(position < 3, "DEV-1 in the top three: {hrefs:?}");
    let marked = browser.eval("document.querySelectorAll('#search-results mark').length");
    assert!(
        marked.as_u64().unwrap_or(0) > 0,
        "matched terms are highlighted"
    );

    // A kind filter narrows the results.
    browser.eval("[...document.querySelectorAll('.search-kinds button')].find(b => b.textContent.startsWith('Examples')).click()");
    browser.wait_for(
        "[...document.querySelectorAll('#search-results li a')].length > 0 && [...document.querySelectorAll('#search-results li a')].every(a => a.getAttribute('href').startsWith('../examples/'))",
        WAIT,
    );
    browser.eval("[...document.querySelectorAll('.search-kinds button')].find(b => b.textContent.startsWith('All')).click()");
    browser.wait_for("document.querySelectorAll('#search-results a[href=\"../guidelines/dev-1.html\"]').length === 1", WAIT);
    browser.eval("document.getElementById('search-input').focus()");

    // Keyboard navigation: arrow down to DEV-1 and open it with Enter.
    for _ in 0..=position {
        browser.press("ArrowDown");
    }
    browser.press("Enter");
    browser.wait_for("location.href.endsWith('/guidelines/dev-1.html')", WAIT);
}

/// The box shows a screenful of results; "More results" fetches the next ones.
#[test]
fn more_results_come_on_request() {
    let out = build(&repo_root());
    let mut browser = Browser::launch();
    first_result(&mut browser, &out, "model");
    let count = "document.querySelectorAll('#search-results li').length";
    assert_eq!(browser.eval(count), 8, "a screenful first");
    let chunks = "[...document.scripts].filter(s => /search\\/d\\d+\\.js$/.test(s.src)).length";
    let before = browser.eval(chunks).as_u64().expect("a count");
    browser.eval("document.querySelector('.search-more').click()");
    browser.wait_for(&format!("{count} === 16"), WAIT);
    let after = browser.eval(chunks).as_u64().expect("a count");
    assert!(
        after > before,
        "the next results' metadata loads on request ({before} -> {after})"
    );
    let shown = "getComputedStyle(document.querySelector('.search-more')).display !== 'none'";
    assert_eq!(browser.eval(shown), true, "more than 16 pages match");
    assert_eq!(
        browser.eval("document.activeElement.id"),
        "search-input",
        "focus is back in the box, on the first new result"
    );
    assert_eq!(
        browser.eval("document.getElementById('search-result-8').getAttribute('aria-selected')"),
        "true"
    );
    // A query with a screenful or less shows no button.
    browser
        .eval("const box = document.getElementById('search-input'); box.value = ''; box.focus()");
    browser.paste_text("LLM01:2025");
    browser.wait_for(
        "document.getElementById('search-results').dataset.query === 'LLM01:2025'",
        WAIT,
    );
    assert_eq!(browser.eval(shown), false, "nothing more to fetch");
}

/// Types `query` into the search box of the home page; the first result's link.
fn first_result(browser: &mut Browser, out: &tempfile::TempDir, query: &str) -> serde_json::Value {
    browser.navigate(&file_url(out, "index.html"));
    browser.eval("document.getElementById('search-input').focus()");
    browser.type_text(query);
    // The answer to the whole query (the box answers as it is typed).
    let answered = serde_json::to_string(query).expect("a string");
    browser.wait_for(&format!("document.getElementById('search-results').dataset.query === {answered} && document.querySelector('#search-results li a') && document.querySelector('#search-results li a').getAttribute('href')"), WAIT)
}

#[test]
fn identifiers_are_found_in_the_browser() {
    let out = build(&repo_root());
    let mut browser = Browser::launch();
    let first = first_result(&mut browser, &out, "LLM01:2025");
    assert_eq!(first, "frameworks/owasp-llm-2025/llm01-2025.html");
}

/// A misspelt query finds the page, the page offers the corrected query, and the kind chips
/// count pages.
#[test]
fn typos_are_forgiven_in_the_browser() {
    let out = build(&repo_root());
    let mut browser = Browser::launch();
    let first = first_result(&mut browser, &out, "suply chain");
    assert_eq!(first, "guidelines/dev-1.html");
    let offered = browser.wait_for(
        "document.querySelector('.search-suggestion') && document.querySelector('.search-suggestion').textContent",
        WAIT,
    );
    assert_eq!(offered, "supply chain");
    let guidelines = browser.wait_for(
        "[...document.querySelectorAll('.search-kinds button')].map(b => b.textContent).find(t => t.startsWith('Guidelines '))",
        WAIT,
    );
    let count: u32 = guidelines
        .as_str()
        .and_then(|t| t.trim_start_matches("Guidelines ").parse().ok())
        .unwrap_or_else(|| panic!("a page count on the Guidelines chip: {guidelines}"));
    assert!((1..=17).contains(&count), "pages, not sections: {count}");
    browser.eval("document.querySelector('.search-suggestion').click()");
    browser.wait_for(
        "document.getElementById('search-input').value === 'supply chain' && !document.querySelector('.search-suggestion')",
        WAIT,
    );
}

/// The self-assessment filtered by role, as a role page links to it (`?role=`).
#[test]
fn the_self_assessment_filters_by_role() {
    let out = build(&repo_root());
    let mut browser = Browser::launch();
    browser.navigate(&file_url(&out, "self-assessment.html?role=procurement"));
    browser.wait_for("!document.querySelector('.role-filter').hidden", WAIT);
    let visible = "[...document.querySelectorAll('.checked-guideline')].filter(s => !s.hidden).map(s => s.querySelector('.badge').textContent).join(' ')";
    let shown = browser.eval(visible);
    let shown = shown.as_str().unwrap_or_default().to_string();
    assert!(!shown.is_empty() && shown.contains("SD-3"), "{shown}");
    assert!(
        !shown.contains("OPS-1"),
        "OPS-1 does not name procurement: {shown}"
    );
    // Back to every role: every guideline with checks is shown.
    browser.eval("const s = document.getElementById('role-filter'); s.value = ''; s.dispatchEvent(new Event('change'))");
    let all =
        browser.eval("[...document.querySelectorAll('.checked-guideline')].every(s => !s.hidden)");
    assert_eq!(all, true);
}

/// On a phone (390 px): no page scrolls sideways, mapping tables become stacked cards, and the
/// menu reaches every section and closes from its backdrop.
#[test]
fn pages_fit_a_phone_and_the_menu_reaches_every_section() {
    let out = build(&repo_root());
    let mut browser = Browser::launch();
    browser.page(
        "Emulation.setDeviceMetricsOverride",
        serde_json::json!({ "width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": true }),
    );
    let fits = "document.documentElement.scrollWidth <= window.innerWidth";
    for page in [
        "guidelines/sd-2.html",
        "frameworks/nist-sp-800-53/ra-3.html",
        "coverage.html",
        "self-assessment.html",
        "frameworks/mitre-atlas-techniques/index.html",
    ] {
        browser.navigate(&file_url(&out, page));
        assert_eq!(
            browser.eval(fits),
            true,
            "{page} scrolls sideways at 390 px"
        );
    }
    browser.navigate(&file_url(&out, "guidelines/sd-2.html"));
    let tables = "[...document.querySelectorAll('table.mappings')].every(t => t.scrollWidth <= t.clientWidth + 1 && getComputedStyle(t).display === 'block')";
    assert_eq!(
        browser.eval(tables),
        true,
        "mapping tables are stacked cards"
    );
    let label = "getComputedStyle(document.querySelector('.facts dt')).height";
    let height: f64 = browser
        .eval(label)
        .as_str()
        .unwrap_or("0px")
        .trim_end_matches("px")
        .parse()
        .unwrap_or(0.0);
    assert!(
        height < 40.0,
        "a fact's label takes one line, not {height} px"
    );

    browser.eval("document.querySelector('.sidebar-toggle').click()");
    browser.wait_for("document.body.classList.contains('sidebar-open')", WAIT);
    let sections = browser.eval(
        "[...document.querySelectorAll('#sidebar .nav-sections a')].filter(a => a.offsetParent).map(a => a.textContent).join(',')",
    );
    assert_eq!(sections, "Home,Frameworks,Examples,Coverage,Roles,Tags");
    browser.wait_for("!document.querySelector('.sidebar-backdrop').hidden", WAIT);
    browser.eval("document.querySelector('.sidebar-backdrop').click()");
    browser.wait_for("!document.body.classList.contains('sidebar-open')", WAIT);
    assert_eq!(
        browser.eval("document.querySelector('.sidebar-toggle').getAttribute('aria-expanded')"),
        "false"
    );
}

/// A code block's copy button puts exactly the block's text on the clipboard.
#[test]
fn code_blocks_have_a_copy_button() {
    let out = build(&repo_root());
    let mut browser = Browser::launch();
    browser.navigate(&file_url(
        &out,
        "examples/dev-hash-pinned-ml-dependencies.html",
    ));
    browser.wait_for("document.querySelector('.code-wrap .copy-button')", WAIT);
    // The page's clipboard, observed: headless Chromium has no system clipboard to read back.
    browser.eval(
        "window.copied = null; navigator.clipboard.writeText = t => { window.copied = t; return Promise.resolve(); }",
    );
    browser.eval("document.querySelector('.copy-button').click()");
    let copied = browser.wait_for("window.copied", WAIT);
    let code = browser.eval("document.querySelector('pre.code').textContent");
    assert_eq!(copied, code);
    assert!(
        copied
            .as_str()
            .is_some_and(|t| t.len() > 20 && !t.contains("Copy"))
    );
    browser.wait_for(
        "document.querySelector('.copy-button').textContent === 'Copied'",
        WAIT,
    );
}
