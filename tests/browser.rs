//! The built site in a real headless Chromium, opened from disk (file://): the theme's scripts
//! run under file://, build the navigation from the shared nav.js and pick the colour theme.

mod common;

use std::path::Path;
use std::process::Command;

use common::fixture;
use guidebook::pipeline::{self, BuildOptions};

fn chromium() -> String {
    let binary = std::env::var("GUIDEBOOK_CHROMIUM").unwrap_or_else(|_| "chromium".into());
    let found = Command::new(&binary)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "MISSING BROWSER: `{binary}` did not run. Browser tests need Debian's chromium \
         (apt-get install -y chromium), which .ci/run installs; or set GUIDEBOOK_CHROMIUM."
    );
    binary
}

/// The DOM after the page's scripts ran.
fn dump_dom(page: &Path, dark: bool) -> String {
    let profile = tempfile::tempdir().expect("profile dir");
    let scheme = if dark { "dark" } else { "light" };
    let output = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
            "--virtual-time-budget=3000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--force-prefers-color-scheme={scheme}"))
        .arg(format!(
            "--blink-settings=preferredColorScheme={}",
            if dark { 0 } else { 1 }
        ))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn navigation_and_theme_work_from_file_urls() {
    let out = tempfile::tempdir().expect("temp dir");
    let dest = out.path().join("site");
    let options = BuildOptions {
        dest: Some(dest.clone()),
        deny_warnings: false,
    };
    pipeline::build(&fixture("valid"), &options).expect("build");
    let page = dest.join("guidelines/a-2.html");

    let light = dump_dom(&page, false);
    assert!(
        light.contains(r#"data-theme="light""#),
        "theme-init.js ran: {light}"
    );
    // The full tree comes from assets/nav.js: guidelines of every domain, current one marked.
    assert!(
        light.contains(r#"<span class="nav-id">B-1</span>"#),
        "nav.js tree rendered"
    );
    assert!(
        light.contains(r#"<a href="../guidelines/a-2.html" aria-current="page"><span class="nav-id">A-2</span>"#),
        "current guideline marked in the navigation"
    );
    assert!(
        light.contains(r#"aria-label="Switch to dark theme""#),
        "theme toggle labelled"
    );

    let dark = dump_dom(&page, true);
    assert!(
        dark.contains(r#"data-theme="dark""#),
        "dark preference followed"
    );
}
