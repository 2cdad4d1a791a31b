//! XSS in a real browser: a book whose every author-controlled field and every Markdown syntax
//! that sets attributes or URLs carries a script vector, built, then opened page by page from
//! file:// in headless Chromium with the Content-Security-Policy meta tag removed, so that the
//! sanitizer alone is tested. No vector may run (each calls `alert(N)`), no element may carry an
//! event handler or a script URL, and no page may navigate away. The search box is used too, since
//! it shows titles and teasers from the index.

use std::fs;
use std::path::Path;
use std::time::Duration;

use crate::common::cdp::Browser;
use crate::common::{copy_tree, fixture};
use guidebook::pipeline::{self, BuildOptions};
use serde_json::json;

/// Markdown and raw HTML vectors; `{n}` becomes the vector's number.
const MARKDOWN: &[&str] = &[
    "<script>alert({n})</script>",
    "<img src=x onerror=alert({n})>",
    "<svg onload=alert({n})>",
    "<svg><script>alert({n})</script></svg>",
    "<svg><animate onbegin=alert({n}) attributeName=x dur=1s>",
    "<svg><a xlink:href=\"javascript:alert({n})\"><text y=20>x</text></a></svg>",
    "<iframe src=\"javascript:alert({n})\"></iframe>",
    "<iframe srcdoc=\"<script>parent.alert({n})</script>\"></iframe>",
    "<object data=\"javascript:alert({n})\"></object>",
    "<embed src=\"javascript:alert({n})\">",
    "<details open ontoggle=alert({n})>x</details>",
    "<body onload=alert({n})>",
    "<input autofocus onfocus=alert({n})>",
    "<select autofocus onfocus=alert({n})></select>",
    "<textarea autofocus onfocus=alert({n})></textarea>",
    "<video><source onerror=alert({n})></video>",
    "<audio src=x onerror=alert({n})></audio>",
    "<marquee onstart=alert({n})>x</marquee>",
    "<a href=\"javascript:alert({n})\">x</a>",
    "<a href=\"JaVaScRiPt:alert({n})\">x</a>",
    "<a href=\"&#106;avascript:alert({n})\">x</a>",
    "<a href=\"&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert({n})\">x</a>",
    "<a href=\"jav&#x09;ascript:alert({n})\">x</a>",
    "<a href=\"javascript&colon;alert({n})\">x</a>",
    "<a href=\" javascript:alert({n})\">x</a>",
    "<a href=\"data:text/html,<script>alert({n})</script>\">x</a>",
    "<a href=\"vbscript:alert({n})\">x</a>",
    "<img src=\"javascript:alert({n})\">",
    "<IMG SRC=JaVaScRiPt:alert({n})>",
    "<img src=x:alert(alt) onerror=eval(src) alt={n}>",
    "<form action=\"javascript:alert({n})\"><button>x</button></form>",
    "<form><button formaction=\"javascript:alert({n})\">x</button></form>",
    "<input type=image src=x onerror=alert({n})>",
    "<div style=\"background:url(javascript:alert({n}))\">x</div>",
    "<style>@import 'javascript:alert({n})';</style>",
    "<link rel=stylesheet href=\"javascript:alert({n})\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert({n})\">",
    "<base href=\"javascript:alert({n})//\">",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert({n})>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert({n})>\"></noscript>",
    "<template><script>alert({n})</script></template>",
    "<scr<script>ipt>alert({n})</script>",
    "<<script>script>alert({n})<</script>/script>",
    "<img \"\"\"><script>alert({n})</script>\">",
    "<a id=x tabindex=1 onfocus=alert({n}) autofocus>x</a>",
    "<div onmouseover=alert({n}) style=\"position:fixed;inset:0\">x</div>",
    "<p onclick=alert({n})>x</p>",
    "<img src=x onerror=\"&#97;lert({n})\">",
    "<svg><set attributeName=onmouseover to=alert({n})>",
    "<a href=\"javascript:/*--></title></style></textarea></script></xmp><svg/onload='+/\"/+/onmouseover=1/+/[*/[]/+alert({n})//'>\">x</a>",
    "[x](javascript:alert({n}))",
    "[x](JavaScript:alert({n}))",
    "[x](<java\tscript:alert({n})>)",
    "[x](&#x6A;avascript:alert({n}))",
    "[x](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert({n}))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:alert({n}))",
    "[x]( javascript:alert({n}) )",
    "[x](javascript:alert({n}) \"title\")",
    "[x](https://example.org \"\\\" onmouseover=alert({n}) x=\\\"\")",
    "<javascript:alert({n})>",
    "![x](javascript:alert({n}))",
    "![x](x \"\\\" onerror=alert({n}) x=\\\"\")",
    "![x\" onerror=\"alert({n})](x.png)",
    "[ref{n}]\n\n[ref{n}]: javascript:alert({n})",
    "[ref{n}][]\n\n[ref{n}]: <javascript:alert({n})> \"t\"",
    "## Heading {n} {{#h{n} onclick=alert({n})}}",
    "## Heading {n} {{.c{n} onmouseover=alert({n}) style=x}}",
    "## Heading {n} {{#a\" onclick=\"alert({n})}}",
    "```python\" onmouseover=\"alert({n})\ncode\n```",
    "```<img src=x onerror=alert({n})>\ncode\n```",
    "| a | b |\n|---|---|\n| <img src=x onerror=alert({n})> | x |",
    "Note.[^f{n}]\n\n[^f{n}]: <img src=x onerror=alert({n})>",
    "- [x] <img src=x onerror=alert({n})>",
    "> <img src=x onerror=alert({n})>",
    "*<img src=x onerror=alert({n})>*",
    "`<img src=x onerror=alert({n})>`",
    "<!-- --><img src=x onerror=alert({n})><!-- -->",
    "<![CDATA[<img src=x onerror=alert({n})>]]>",
    "<?xml version=\"1.0\"?><img src=x onerror=alert({n})>",
    "<img src=x onerror=alert({n})//",
    "<a href=\"#\" onclick=\"alert({n})\">x</a>",
    "<a href=\"https://example.org\" target=\"_blank\" onclick=\"alert({n})\">x</a>",
    "<area href=\"javascript:alert({n})\">",
];

/// Values for front-matter, catalog and book.toml text fields; `{n}` as above.
const FIELD: &[&str] = &[
    "<img src=x onerror=alert({n})>",
    "\"><script>alert({n})</script>",
    "' onmouseover='alert({n})",
    "</title><script>alert({n})</script>",
    "</script><script>alert({n})</script>",
];

fn vector(template: &str, n: usize) -> String {
    template.replace("{n}", &n.to_string())
}

/// A YAML double-quoted string holding `text`.
fn quoted(text: &str) -> String {
    serde_json::to_string(text).expect("json string")
}

/// Writes the hostile book; returns how many vectors it carries.
fn hostile_book(root: &Path) -> usize {
    copy_tree(&fixture("valid"), root);
    let mut n = 0;
    let mut next = |template: &str| {
        n += 1;
        vector(template, n)
    };
    // Markdown bodies: ten vectors a page.
    for (p, chunk) in MARKDOWN.chunks(10).enumerate() {
        let body: Vec<String> = chunk.iter().map(|t| next(t)).collect();
        let page = format!(
            "---\ntitle: {}\nsummary: {}\n---\n\nhostile vectors {p}\n\n{}\n",
            quoted(&next(FIELD[p % FIELD.len()])),
            quoted(&next(FIELD[(p + 1) % FIELD.len()])),
            body.join("\n\n")
        );
        fs::write(root.join(format!("content/pages/xss-{p}.md")), page).expect("page");
    }
    // Every text field of a guideline, a mapping, a relation, a reference, an example, a
    // domain and a catalog (whose control id is hostile too).
    let mut field = |i: usize| quoted(&next(FIELD[i % FIELD.len()]));
    let control = field(0);
    let catalog = format!(
        "id: xcat\nname: {}\nversion: {}\nlicense: {}\ndescription: {}\ngroups:\n  - id: g\n    title: {}\n    description: {}\n    controls:\n      - id: {control}\n        title: {}\n        description: {}\n",
        field(1),
        field(2),
        field(3),
        field(4),
        field(0),
        field(1),
        field(2),
        field(3)
    );
    fs::write(root.join("content/frameworks/xcat.yaml"), catalog).expect("catalog");
    let guideline = format!(
        "---\nid: X-1\ntitle: {}\nsummary: {}\ntags: [{}, {}]\nroles: [{}]\ncontrols:\n  - framework: demo\n    control: AC-3\n    relationship: intersects-with\n    rationale: {}\n  - framework: xcat\n    control: {control}\n    relationship: subset-of\nrelated:\n  - id: A-1\n    note: {}\nreferences:\n  - title: {}\n    url: https://example.org/x\n---\n\nhostile guideline body\n",
        field(4),
        field(0),
        field(1),
        field(2),
        field(3),
        field(4),
        field(0),
        field(1)
    );
    fs::write(root.join("content/guidelines/design/x-1.md"), guideline).expect("guideline");
    let example = format!(
        "---\nid: x-example\ntitle: {}\nguidelines: [X-1]\ntags: [{}]\n---\n\nhostile example\n",
        field(2),
        field(3)
    );
    fs::write(root.join("content/examples/x-example.md"), example).expect("example");
    let domain = format!(
        "---\nid: x-domain\ntitle: {}\nsummary: {}\n---\n\nhostile domain\n",
        field(4),
        field(0)
    );
    fs::create_dir_all(root.join("content/guidelines/xdomain")).expect("mkdir");
    fs::write(root.join("content/guidelines/xdomain/_domain.md"), domain).expect("domain");
    let config = root.join("book.toml");
    let text = fs::read_to_string(&config).expect("read");
    let text = text
        .replace(
            "title = \"Fixture Guide\"",
            &format!("title = {}", quoted(&next(FIELD[1]))),
        )
        .replace(
            "description = \"A small knowledge base for integration tests.\"",
            &format!("description = {}", quoted(&next(FIELD[2]))),
        )
        .replace(
            "authors = [\"Tests\"]",
            &format!("authors = [{}]", quoted(&next(FIELD[0]))),
        );
    fs::write(&config, text).expect("write");
    n
}

/// What the page shows of any vector that got through: calls to the dialog functions, elements
/// with event handlers, attributes holding script URLs, and where the page is now.
const INSPECT: &str = r#"(() => {
  const handlers = [], urls = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (a.name.toLowerCase().startsWith('on')) handlers.push(el.tagName + ' ' + a.name);
      const v = a.value.replace(/[\u0000-\u0020]/g, '').toLowerCase();
      if (/^(javascript|vbscript|data:text|data:application)/.test(v)) urls.push(el.tagName + ' ' + a.name + '=' + a.value);
    }
  }
  const banned = [...document.querySelectorAll('iframe,object,embed,base,form,meta[http-equiv=refresh]')].map(e => e.tagName);
  const scripts = [...document.scripts].filter(s => !s.src).map(s => s.textContent.slice(0, 40));
  return { xss: window.__xss || [], handlers, urls, banned, scripts, href: location.href };
})()"#;

#[test]
fn no_vector_runs_in_chromium_with_the_csp_removed() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path().join("kb");
    let vectors = hostile_book(&root);
    assert!(vectors >= 100, "{vectors} vectors");
    let dest = tmp.path().join("site");
    let options = BuildOptions {
        dest: Some(dest.clone()),
        ..BuildOptions::default()
    };
    if let Err(err) = pipeline::build(&root, &options) {
        panic!("the hostile book must build: {err}: {err:#?}");
    }
    // The sanitizer alone is under test: remove the policy from every page.
    let mut pages = Vec::new();
    for entry in walkdir::WalkDir::new(&dest) {
        let entry = entry.expect("walk");
        if entry.path().extension().is_some_and(|e| e == "html") {
            let text = fs::read_to_string(entry.path()).expect("read");
            let start = text
                .find("<meta http-equiv=\"Content-Security-Policy\"")
                .expect("every page has the policy");
            let end = start + text[start..].find('>').expect("tag end") + 1;
            let stripped = format!("{}{}", &text[..start], &text[end..]);
            fs::write(entry.path(), stripped).expect("write");
            pages.push(entry.path().to_path_buf());
        }
    }
    pages.sort();
    let mut browser = Browser::launch();
    browser.page("Page.enable", json!({}));
    browser.page(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": "window.__xss = []; for (const f of ['alert','confirm','prompt']) window[f] = (...a) => window.__xss.push(f + '(' + a.join(',') + ')');" }),
    );
    let mut problems = Vec::new();
    for page in pages.iter().filter(|p| !p.ends_with("old/sd-one.html")) {
        let url = format!("file://{}", page.display());
        browser.navigate(&url);
        std::thread::sleep(Duration::from_millis(100));
        let seen = browser.eval(INSPECT);
        check(&seen, &url, &mut problems);
    }
    // Search results show titles and teasers of the hostile pages.
    let home = format!("file://{}", dest.join("index.html").display());
    browser.navigate(&home);
    browser.eval("document.getElementById('search-input').focus()");
    browser.type_text("hostile");
    browser.wait_for(
        "document.querySelectorAll('#search-results li').length > 3",
        Duration::from_secs(10),
    );
    std::thread::sleep(Duration::from_millis(200));
    let seen = browser.eval(INSPECT);
    check(&seen, &home, &mut problems);
    println!("{vectors} vectors, {} pages opened", pages.len());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn check(seen: &serde_json::Value, url: &str, problems: &mut Vec<String>) {
    for key in ["xss", "handlers", "urls", "banned", "scripts"] {
        let found = seen[key].as_array().cloned().unwrap_or_default();
        if !found.is_empty() {
            problems.push(format!("{url}: {key}: {found:?}"));
        }
    }
    if seen["href"] != url {
        problems.push(format!("{url}: navigated to {}", seen["href"]));
    }
}
