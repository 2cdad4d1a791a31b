//! `guidebook serve`: HTTP behaviour (traversal, headers, conditional GET, 404, search API) and
//! live rebuilds (reload events, the error overlay, editor saves), in-process on loopback.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::common::cdp::Browser;
use crate::common::copy_fixture;
use guidebook::serve::{ServeEvent, ServeOptions, serve};

const DEBOUNCE: Duration = Duration::from_millis(50);

/// Starts a server for the book at `root` on a free loopback port; returns its address and the
/// stream of its events.
fn start(root: &Path, watch: bool) -> (SocketAddr, mpsc::Receiver<ServeEvent>) {
    let (sender, receiver) = mpsc::channel();
    let options = ServeOptions {
        bind: "127.0.0.1".parse().expect("ip"),
        port: 0,
        watch,
        poll: false,
        debounce: DEBOUNCE,
        allowed_hosts: Vec::new(),
    };
    let root = root.to_path_buf();
    let sender = std::sync::Mutex::new(sender);
    std::thread::spawn(move || {
        let report = move |event: ServeEvent| {
            let _ = sender.lock().map(|s| s.send(event));
        };
        serve(&root, &options, Arc::new(report)).expect("serve");
    });
    // The server listens at once; when watching, its first build follows on the rebuild thread.
    let deadline = Instant::now() + Duration::from_secs(30);
    let (mut address, mut built) = (None, !watch);
    loop {
        let timeout = deadline.saturating_duration_since(Instant::now());
        match receiver.recv_timeout(timeout).expect("server starts") {
            ServeEvent::Listening(at) => address = Some(at),
            ServeEvent::Built { .. } | ServeEvent::Failed { .. } => built = true,
            _ => {}
        }
        if let (Some(address), true) = (address, built) {
            return (address, receiver);
        }
    }
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A raw HTTP/1.1 request, so the test controls the exact path bytes sent.
fn request(address: SocketAddr, method: &str, path: &str, extra: &[(&str, &str)]) -> Reply {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut head = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
    if !extra
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("host"))
    {
        head.push_str("Host: localhost\r\n");
    }
    for (name, value) in extra {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).expect("send");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("header end");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Reply {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

fn get(address: SocketAddr, path: &str) -> Reply {
    request(address, "GET", path, &[])
}

/// Reads server-sent events from the live-reload stream.
struct Events {
    reader: BufReader<TcpStream>,
}

impl Events {
    fn connect(address: SocketAddr) -> Events {
        let mut stream = TcpStream::connect(address).expect("connect");
        stream
            .write_all(b"GET /__guidebook/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n")
            .expect("send");
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .expect("timeout");
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        while reader.read_line(&mut line).expect("headers") > 2 {
            line.clear();
        }
        Events { reader }
    }

    /// The next event's (name, data), skipping keep-alives; the chunked framing lines are ignored.
    fn next(&mut self) -> (String, String) {
        let (mut name, mut data) = (String::new(), String::new());
        // Keep-alive comments arrive every 15 s, so the socket timeout alone would never fire.
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            assert!(Instant::now() < deadline, "no event within 30 s");
            let mut line = String::new();
            assert!(
                self.reader.read_line(&mut line).expect("event stream") > 0,
                "stream closed"
            );
            let line = line.trim_end();
            if let Some(n) = line
                .strip_prefix("event: ")
                .or_else(|| line.strip_prefix("event:"))
            {
                name = n.trim().to_string();
            } else if let Some(d) = line
                .strip_prefix("data: ")
                .or_else(|| line.strip_prefix("data:"))
            {
                data.push_str(d.trim());
            } else if line.is_empty() && !name.is_empty() {
                return (name, data);
            }
        }
    }
}

#[test]
fn refuses_path_traversal() {
    let book = copy_fixture("valid");
    let (address, _events) = start(book.path(), true);
    for path in [
        "/../book.toml",
        "/%2e%2e/book.toml",
        "/%2e%2e%2fbook.toml",
        "/%252e%252e/book.toml",
        "/..%5cbook.toml",
        "/guidelines/..%2f..%2fbook.toml",
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/content/guidelines/design/a-1.md",
    ] {
        let reply = get(address, path);
        assert!(
            reply.status == 404 || reply.status == 400,
            "{path}: {}",
            reply.status
        );
        assert!(
            !reply.text().contains("[book]") && !reply.text().contains("root:"),
            "{path} leaked a file"
        );
    }
}

/// DNS rebinding: a page of another origin whose name now points at loopback gets nothing.
#[test]
fn foreign_hosts_limits_and_off_site_redirects_are_refused_with_the_security_headers() {
    let book = copy_fixture("valid");
    let (address, _events) = start(book.path(), true);
    let port = address.port();
    for host in [
        "localhost".to_string(),
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("preview.localhost:{port}"),
    ] {
        let reply = request(address, "GET", "/", &[("Host", &host)]);
        assert_eq!(reply.status, 200, "{host}");
    }
    for host in [
        format!("evil.example:{port}"),
        "evil.example".to_string(),
        format!("localhost.evil.example:{port}"),
        format!("10.0.0.7:{port}"),
        format!("[::1]:{port}"),
    ] {
        for path in ["/", "/api/search?q=model", "/__guidebook/events"] {
            let reply = request(address, "GET", path, &[("Host", &host)]);
            assert_eq!(reply.status, 421, "{host}{path}");
            assert!(!reply.text().contains("<html"), "{host}{path}");
            assert!(reply.header("content-security-policy").is_some());
        }
    }
    let long = format!("/{}", "a".repeat(9000));
    let too_long = get(address, &long);
    assert_eq!(too_long.status, 414);
    let big = "b".repeat(40_000);
    let too_large = request(address, "GET", "/", &[("X-Big", &big)]);
    assert_eq!(too_large.status, 431);
    // Refused by hyper before the router runs: above its own limits, or unparseable.
    let huge = format!("/{}", "a".repeat(70_000));
    let hyper_414 = get(address, &huge);
    assert_eq!(hyper_414.status, 414);
    let many: Vec<(String, String)> = (0..120).map(|i| (format!("X-H{i}"), "v".into())).collect();
    let many: Vec<(&str, &str)> = many.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let hyper_431 = request(address, "GET", "/", &many);
    assert_eq!(hyper_431.status, 431);
    let hyper_400 = request(address, "GET", "/ two spaces", &[]);
    assert_eq!(hyper_400.status, 400);
    for reply in [&too_long, &too_large, &hyper_414, &hyper_431, &hyper_400] {
        for name in [
            "content-security-policy",
            "x-content-type-options",
            "x-frame-options",
        ] {
            assert!(reply.header(name).is_some(), "{name} on {}", reply.status);
        }
    }
    // `//host/x` is a path here, and a redirect to its folder stays on this site.
    let redirect = get(address, "//frameworks/demo");
    assert_eq!(redirect.status, 301);
    assert_eq!(redirect.header("location"), Some("/frameworks/demo/"));
}

/// `guidebook --root kb serve`, run from the folder above the book: edits rebuild.
#[test]
fn a_relative_root_rebuilds_on_edits() {
    let book = copy_fixture("valid");
    let parent = book.path().parent().expect("parent");
    let name = book.path().file_name().expect("name");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_guidebook"))
        .current_dir(parent)
        .arg("--root")
        .arg(name)
        .args(["serve", "--port", "0"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("serve");
    let stderr = child.stderr.take().expect("stderr");
    let (lines_to, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = lines_to.send(line);
        }
    });
    let address: SocketAddr = loop {
        let line = lines
            .recv_timeout(Duration::from_secs(60))
            .expect("serve prints its address");
        if let Some(url) = line.split("http://").nth(1) {
            break url
                .split('/')
                .next()
                .expect("address")
                .parse()
                .expect("socket address");
        }
    };
    let file = book.path().join("content/guidelines/design/a-1.md");
    let original = std::fs::read_to_string(&file).expect("read");
    std::fs::write(
        &file,
        original.replace("Know what can go wrong", "Relative roots rebuild"),
    )
    .expect("edit");
    eventually("the edit is served", || {
        get(address, "/guidelines/a-1.html")
            .text()
            .contains("Relative roots rebuild")
    });
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn no_watch_serves_the_build_folder_without_following_symlinks_out() {
    let book = copy_fixture("valid");
    guidebook::pipeline::build(book.path(), &Default::default()).expect("build");
    let secret = book.path().join("secret.txt");
    std::fs::write(&secret, "top secret").expect("write");
    std::os::unix::fs::symlink(&secret, book.path().join("book/leak.txt")).expect("symlink");
    let (address, _events) = start(book.path(), false);
    assert_eq!(get(address, "/guidelines/a-1.html").status, 200);
    let leak = get(address, "/leak.txt");
    assert_eq!(leak.status, 404);
    assert!(!leak.text().contains("top secret"));
    assert!(
        !get(address, "/index.html")
            .text()
            .contains("__guidebook/live.js"),
        "read-only: no reload script"
    );
    let search = get(address, "/api/search?q=A-1");
    assert_eq!(search.status, 200, "{}", search.text());
}

#[test]
fn security_headers_content_types_404_head_and_etags() {
    let book = copy_fixture("valid");
    let (address, _events) = start(book.path(), true);
    let page = get(address, "/guidelines/a-1.html");
    assert_eq!(page.status, 200);
    let csp = page.header("content-security-policy").expect("CSP");
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(page.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    for (path, expected) in [
        ("/assets/guidebook.css", "text/css"),
        ("/assets/search.js", "javascript"),
        ("/assets/favicon.svg", "image/svg+xml"),
        ("/sitemap.xml", "xml"),
        ("/img/logo.png", "image/png"),
    ] {
        let reply = get(address, path);
        assert_eq!(reply.status, 200, "{path}");
        assert!(
            reply
                .header("content-type")
                .is_some_and(|t| t.contains(expected)),
            "{path}: {:?}",
            reply.header("content-type")
        );
    }
    assert_eq!(get(address, "/").status, 200);
    let moved = get(address, "/frameworks/demo");
    assert_eq!(moved.status, 301);
    assert_eq!(moved.header("location"), Some("/frameworks/demo/"));

    let missing = get(address, "/no/such/page.html");
    assert_eq!(missing.status, 404);
    assert!(
        missing.text().contains("Page not found"),
        "the site's own 404 page"
    );

    let head = request(address, "HEAD", "/guidelines/a-1.html", &[]);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    let etag = page.header("etag").expect("etag").to_string();
    assert_eq!(head.header("etag"), Some(etag.as_str()));
    let again = request(
        address,
        "GET",
        "/guidelines/a-1.html",
        &[("If-None-Match", &etag)],
    );
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(request(address, "POST", "/index.html", &[]).status, 405);
}

#[test]
fn search_api_answers_with_ranked_results_and_facets() {
    let book = copy_fixture("valid");
    let (address, _events) = start(book.path(), true);
    let reply = get(address, "/api/search?q=A-2&limit=3");
    assert_eq!(reply.status, 200);
    assert!(
        reply
            .header("content-type")
            .is_some_and(|t| t.starts_with("application/json"))
    );
    let value: serde_json::Value = serde_json::from_slice(&reply.body).expect("json");
    assert_eq!(value["results"][0]["page"], "guidelines/a-2.html");
    assert!(value["facets"]["kind"]["guideline"].as_u64().is_some());
    let filtered: serde_json::Value =
        serde_json::from_slice(&get(address, "/api/search?q=model&kind=example").body)
            .expect("json");
    assert!(
        filtered["results"]
            .as_array()
            .is_some_and(|r| !r.is_empty() && r.iter().all(|h| h["kind"] == "example"))
    );
    let empty: serde_json::Value =
        serde_json::from_slice(&get(address, "/api/search?q=").body).expect("json");
    assert_eq!(empty["results"].as_array().map(Vec::len), Some(0));
    let lenient = get(address, "/api/search?q=%22unclosed%20AND%20(");
    assert_eq!(lenient.status, 200);
}

#[test]
fn edits_rebuild_and_reload_and_errors_show_until_fixed() {
    let book = copy_fixture("valid");
    let file = book.path().join("content/guidelines/design/a-1.md");
    let (address, _events) = start(book.path(), true);
    let mut events = Events::connect(address);
    assert_eq!(events.next().0, "hello");

    // An edit: the reload event comes once the new site is complete, and the page has changed.
    let original = std::fs::read_to_string(&file).expect("read");
    let written = Instant::now();
    std::fs::write(
        &file,
        original.replace("Know what can go wrong", "Know first what can go wrong"),
    )
    .expect("edit");
    let (name, _) = events.next();
    let latency = written.elapsed();
    assert_eq!(name, "reload");
    println!(
        "edit to reload event: {:.0} ms (debounce {} ms)",
        latency.as_secs_f64() * 1000.0,
        DEBOUNCE.as_millis()
    );
    assert!(
        get(address, "/guidelines/a-1.html")
            .text()
            .contains("Know first what can go wrong")
    );

    // A broken file: an errors event with file and line; the last good page is still served.
    std::fs::write(&file, "---\nid: A-1\ntitle: [broken\n---\n").expect("break");
    let (name, data) = events.next();
    assert_eq!(name, "errors");
    let errors: serde_json::Value = serde_json::from_str(&data).expect("errors json");
    let first = errors
        .as_array()
        .and_then(|e| {
            e.iter()
                .find(|d| d["file"] == "content/guidelines/design/a-1.md")
        })
        .expect("error in a-1.md");
    assert_eq!(first["line"], 3);
    let status: serde_json::Value =
        serde_json::from_slice(&get(address, "/__guidebook/status").body).expect("status");
    assert!(status["errors"].as_array().is_some_and(|e| !e.is_empty()));
    assert!(
        get(address, "/guidelines/a-1.html")
            .text()
            .contains("Know first what can go wrong")
    );

    // Fixed: a reload, and the errors are gone.
    std::fs::write(&file, &original).expect("fix");
    assert_eq!(events.next().0, "reload");
    let status: serde_json::Value =
        serde_json::from_slice(&get(address, "/__guidebook/status").body).expect("status");
    assert_eq!(status["errors"].as_array().map(Vec::len), Some(0));
}

#[test]
fn atomic_editor_saves_count_and_temporary_files_do_not() {
    let book = copy_fixture("valid");
    let dir = book.path().join("content/guidelines/design");
    let (address, _events) = start(book.path(), true);
    let mut events = Events::connect(address);
    assert_eq!(events.next().0, "hello");

    // Editor temporary files alone trigger nothing...
    for name in [
        ".a-1.md.swp",
        "a-1.md~",
        "#a-1.md#",
        "4913",
        "a-1.md___jb_tmp___",
    ] {
        std::fs::write(dir.join(name), "scratch").expect("temp file");
    }
    // ...while a save by write-to-temp-then-rename does.
    let text = std::fs::read_to_string(dir.join("a-1.md"))
        .expect("read")
        .replace("Draw the data flows.", "Draw every data flow.");
    std::fs::write(dir.join(".a-1.md.tmp~"), &text).expect("temp");
    std::thread::sleep(Duration::from_millis(300));
    let (before, _) = (get(address, "/__guidebook/status"), ());
    let generation_before: serde_json::Value =
        serde_json::from_slice(&before.body).expect("status");
    assert_eq!(
        generation_before["generation"], 1,
        "temporary files alone must not rebuild (the first build is build 1)"
    );
    std::fs::rename(dir.join(".a-1.md.tmp~"), dir.join("a-1.md")).expect("rename");
    assert_eq!(events.next().0, "reload");
    assert!(
        get(address, "/guidelines/a-1.html")
            .text()
            .contains("Draw every data flow.")
    );
}

#[test]
fn an_open_page_reloads_itself_and_shows_the_overlay_in_chromium() {
    let book = copy_fixture("valid");
    let file = book.path().join("content/guidelines/design/a-1.md");
    let (address, _events) = start(book.path(), true);
    let mut browser = Browser::launch();
    browser.navigate(&format!("http://{address}/guidelines/a-1.html"));
    browser.wait_for(
        "window.EventSource && document.querySelector('script[src=\"/__guidebook/live.js\"]')",
        Duration::from_secs(10),
    );
    // Let the page's event stream connect, then mark this page load.
    std::thread::sleep(Duration::from_millis(500));
    browser.eval("window.__beforeEdit = true");

    let original = std::fs::read_to_string(&file).expect("read");
    std::fs::write(
        &file,
        original.replace("Model the threats", "Model all the threats"),
    )
    .expect("edit");
    browser.wait_for(
        "!window.__beforeEdit && document.querySelector('h1').textContent.includes('Model all the threats')",
        Duration::from_secs(15),
    );

    std::fs::write(&file, "---\nid: A-1\ntitle: [broken\n---\n").expect("break");
    let overlay = browser.wait_for(
        "document.querySelector('.guidebook-overlay') && document.querySelector('.guidebook-overlay').textContent",
        Duration::from_secs(15),
    );
    let overlay = overlay.as_str().unwrap_or_default().to_string();
    assert!(
        overlay.contains("content/guidelines/design/a-1.md:3"),
        "{overlay}"
    );
    std::fs::write(&file, &original).expect("fix");
    browser.wait_for(
        "!document.querySelector('.guidebook-overlay') && document.querySelector('h1').textContent.includes('Model the threats')",
        Duration::from_secs(15),
    );
}

#[test]
fn incremental_rebuild_equals_a_full_build() {
    use guidebook::pipeline::{BuildOptions, render_site};
    use guidebook::search::SearchRequest;
    use guidebook::search::index::SearchIndex;

    let book = copy_fixture("valid");
    let options = BuildOptions::default();
    let before = render_site(book.path(), &options).expect("first build");
    let index = SearchIndex::in_memory(&before.search_docs).expect("index");

    // One body edit, one new cross-reference (changes backlinks elsewhere), one new page.
    let a1 = book.path().join("content/guidelines/design/a-1.md");
    let text = std::fs::read_to_string(&a1)
        .expect("read")
        .replace("Draw the data flows.", "Draw every data flow twice.");
    std::fs::write(&a1, text).expect("edit");
    let b1 = book.path().join("content/guidelines/operate/b-1.md");
    let text = std::fs::read_to_string(&b1)
        .expect("read")
        .replace("  - id: A-1\n", "  - id: A-1\n  - id: A-2\n");
    std::fs::write(&b1, text).expect("edit");
    std::fs::write(
        book.path().join("content/pages/glossary.md"),
        "---\ntitle: Glossary\n---\n\nSee [A-2](guideline:A-2).\n",
    )
    .expect("new page");

    let incremental = render_site(book.path(), &options).expect("cached build");
    index
        .update(&incremental.search_docs)
        .expect("incremental index");
    let full = render_site(book.path(), &options).expect("fresh build");
    let full_index = SearchIndex::in_memory(&full.search_docs).expect("full index");

    assert!(
        incremental.output == full.output,
        "cached rendering differs from a fresh one"
    );
    assert_eq!(incremental.search_docs, full.search_docs);
    for query in [
        "data flow twice",
        "glossary",
        "A-2",
        "model",
        "Watch the system",
        "threat",
    ] {
        let a = index
            .search(&SearchRequest::new(query), 2.0, 10)
            .expect("search");
        let b = full_index
            .search(&SearchRequest::new(query), 2.0, 10)
            .expect("search");
        let pages = |r: &guidebook::search::SearchResponse| {
            r.results.iter().map(|h| h.url.clone()).collect::<Vec<_>>()
        };
        assert_eq!(pages(&a), pages(&b), "{query}");
        assert_eq!(a.total, b.total, "{query}");
    }
}

/// Polls `ready` every 50 ms until it holds; panics with `what` after 15 s.
fn eventually(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !ready() {
        assert!(Instant::now() < deadline, "timed out: {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn folders_created_renamed_and_deleted_while_serving() {
    let book = copy_fixture("valid");
    let guidelines = book.path().join("content/guidelines");
    let (address, _events) = start(book.path(), true);

    // A new domain folder with a guideline in it.
    let fresh = guidelines.join("review");
    std::fs::create_dir(&fresh).expect("mkdir");
    std::fs::write(
        fresh.join("_domain.md"),
        "---\nid: review\ntitle: Review\norder: 3\n---\n\nReview things.\n",
    )
    .expect("domain");
    std::fs::write(
        fresh.join("c-1.md"),
        "---\nid: C-1\ntitle: Review the threats\nsummary: Look again.\ncontrols:\n  - framework: demo\n    control: AC-3\n    relationship: intersects-with\n---\n\nLook again.\n",
    )
    .expect("guideline");
    eventually("the new folder's guideline appears", || {
        get(address, "/guidelines/c-1.html").status == 200
    });

    // Renamed: edits inside the renamed folder are still seen.
    let renamed = guidelines.join("reviews");
    std::fs::rename(&fresh, &renamed).expect("rename");
    std::thread::sleep(Duration::from_millis(200));
    let text = std::fs::read_to_string(renamed.join("c-1.md"))
        .expect("read")
        .replace("\nLook again.\n", "\nLook twice.\n");
    std::fs::write(renamed.join("c-1.md"), text).expect("edit after rename");
    eventually("an edit inside the renamed folder shows", || {
        get(address, "/guidelines/c-1.html")
            .text()
            .contains("Look twice.")
    });

    // Deleted: the page goes away with the next build.
    std::fs::remove_dir_all(&renamed).expect("delete");
    eventually("the deleted guideline disappears", || {
        get(address, "/guidelines/c-1.html").status == 404
    });
}

/// The next build report of a server (skipping other events): whether it was patched in.
fn next_build(events: &mpsc::Receiver<ServeEvent>) -> bool {
    loop {
        match events
            .recv_timeout(Duration::from_secs(30))
            .expect("a build within 30 s")
        {
            ServeEvent::Built { patched, .. } => return patched,
            ServeEvent::Failed { diagnostics, .. } => panic!("build failed: {diagnostics:?}"),
            _ => continue,
        }
    }
}

/// A served page without the reload script the server adds to it.
fn without_live_script(body: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(body);
    match (
        text.find("<script src=\"/__guidebook/live.js\""),
        text.find("</head>"),
    ) {
        (Some(start), Some(end)) if start < end => {
            format!("{}{}", &text[..start], &text[end..]).into_bytes()
        }
        _ => body.to_vec(),
    }
}

/// Content edits are rebuilt incrementally (only the files that show what changed are rendered
/// again; print.html and the exports are made on request), and everything served afterwards is
/// byte for byte what a full build of the edited book makes. book.toml takes the full build.
#[test]
fn content_edits_are_rebuilt_incrementally_and_equal_a_full_build() {
    let book = copy_fixture("valid");
    let (address, events) = start(book.path(), true);
    let a1 = book.path().join("content/guidelines/design/a-1.md");
    let original = std::fs::read_to_string(&a1).expect("read");

    // A body edit: patched.
    let edited = original.replace("Draw the data flows.", "Draw every data flow twice.");
    std::fs::write(&a1, &edited).expect("edit");
    assert!(next_build(&events), "a body edit is patched in");
    assert_served_as_built(
        address,
        book.path(),
        &[
            "guidelines/a-1.html",
            "guidelines/a-2.html",
            "domains/design.html",
            "print.html",
            "exports/model.json",
            "exports/guidelines.oscal.json",
            "exports/mappings.csv",
        ],
    );
    let hits: serde_json::Value =
        serde_json::from_slice(&get(address, "/api/search?q=twice").body).expect("json");
    assert_eq!(hits["results"][0]["page"], "guidelines/a-1.html", "{hits}");

    // Bodies of an example, a page and a domain: patched too, and equal to a full build.
    let content = book.path().join("content");
    for (file, from, to) in [
        (
            "examples/verify-digest.md",
            "sha256sum -c model.sha256",
            "sha256sum --check model.sha256",
        ),
        ("pages/about.md", "Everything.", "Everything we know."),
        (
            "guidelines/design/_domain.md",
            "The design domain.",
            "The design domain, first.",
        ),
    ] {
        let path = content.join(file);
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.contains(from), "{file}");
        std::fs::write(&path, text.replace(from, to)).expect("edit");
        assert!(next_build(&events), "a body edit of {file} is patched in");
    }
    assert_served_as_built(
        address,
        book.path(),
        &[
            "examples/verify-digest.html",
            "pages/about.html",
            "domains/design.html",
            "print.html",
            "exports/model.json",
        ],
    );

    // A new heading changes the page's anchors, which other pages' links may use: rebuilt
    // incrementally all the same (the files that show them are found by what they show).
    std::fs::write(&a1, format!("{edited}\n## A new section\n\nText.\n")).expect("edit");
    assert!(next_build(&events), "new anchors are rebuilt incrementally");
    // A front matter edit: incremental too, and every page that shows the title follows.
    let retitled = edited.replace("title: ", "title: Carefully ");
    assert_ne!(retitled, edited);
    std::fs::write(&a1, &retitled).expect("edit");
    assert!(
        next_build(&events),
        "a front matter edit is rebuilt incrementally"
    );
    assert!(
        get(address, "/guidelines/a-2.html")
            .text()
            .contains("Carefully ")
    );
    assert_served_as_built(
        address,
        book.path(),
        &[
            "guidelines/a-1.html",
            "guidelines/a-2.html",
            "index.html",
            "assets/nav/design.js",
        ],
    );
    // book.toml reaches every page: the full build.
    let config = book.path().join("book.toml");
    let text = std::fs::read_to_string(&config).expect("read");
    std::fs::write(&config, text.replace("title = \"", "title = \"The ")).expect("edit");
    assert!(
        !next_build(&events),
        "a book.toml edit takes the full build"
    );
    // Back to a body edit after a full build: incremental again, and equal again.
    std::fs::write(&a1, retitled.replace("twice", "three times")).expect("edit");
    assert!(next_build(&events), "patched again");
    assert_served_as_built(
        address,
        book.path(),
        &["guidelines/a-1.html", "print.html", "exports/model.json"],
    );
}

/// Each of `paths`, as served (without the reload script), is what a fresh full build of the
/// book at `root` makes, byte for byte.
fn assert_served_as_built(address: SocketAddr, root: &Path, paths: &[&str]) {
    use guidebook::pipeline::{BuildOptions, render_site};
    let options = BuildOptions {
        skip_static_search: true,
        ..BuildOptions::default()
    };
    let full = render_site(root, &options).expect("full build");
    for path in paths {
        let expected = full
            .output
            .get(path)
            .unwrap_or_else(|| panic!("{path} is built"));
        let served = get(address, &format!("/{path}"));
        assert_eq!(served.status, 200, "{path}");
        assert!(
            without_live_script(&served.body) == expected,
            "{path} as served differs from a full build"
        );
    }
}

/// An open page learns on connecting whether its own file was rebuilt since it was loaded
/// (a patch leaves the other pages, and their build numbers, as they were).
#[test]
fn the_event_stream_says_whether_the_open_page_is_stale() {
    let book = copy_fixture("valid");
    let (address, events) = start(book.path(), true);
    let generation_of = |path: &str| {
        let text = get(address, path).text();
        let start = text.find("data-generation=\"").expect("live script") + 17;
        text[start..].split('"').next().expect("number").to_string()
    };
    let a2 = generation_of("/guidelines/a-2.html");
    let a1 = book.path().join("content/guidelines/design/a-1.md");
    let text = std::fs::read_to_string(&a1).expect("read");
    std::fs::write(&a1, text.replace("Draw the data flows.", "Draw them.")).expect("edit");
    assert!(next_build(&events));
    let hello = |path: &str, generation: &str| {
        let mut stream = TcpStream::connect(address).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        let request = format!(
            "GET /__guidebook/events?path={path}&generation={generation} HTTP/1.1\r\nHost: localhost\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).expect("send");
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        while !line.starts_with("data:") {
            line.clear();
            reader.read_line(&mut line).expect("event");
        }
        let data: serde_json::Value =
            serde_json::from_str(line.trim_start_matches("data:").trim()).expect("hello json");
        data["stale"].as_bool().expect("stale flag")
    };
    assert!(
        !hello("%2Fguidelines%2Fa-2.html", &a2),
        "a-2 was not rebuilt"
    );
    assert!(hello("%2Fguidelines%2Fa-1.html", &a2), "a-1 was");
    let a1_now = generation_of("/guidelines/a-1.html");
    assert!(
        !hello("%2Fguidelines%2Fa-1.html", &a1_now),
        "a reloaded a-1 is current"
    );
}
