//! What a reader's browser downloads, guidebook beside Hugo + Pagefind on the same corpus:
//! prints figures, asserts nothing (`tests/reader_bytes.rs` holds the targets).
//!
//!     cargo bench --bench reader -- <guidebook site> [<Hugo site indexed by Pagefind>]
//!
//! Both sites are served over HTTP (`python3 -m http.server`: Pagefind needs HTTP) and opened
//! in headless Chromium with its cache off. A figure is the sum of the files the server was
//! asked for (from its log, so the requests of Pagefind's web worker count too: HTML, CSS, JS,
//! and Pagefind's wasm, index and fragments; images aside), as they lie on disk: the first view of a guideline page, and each judged topic query from a fresh
//! page, pasted into guidebook's box, or run through Pagefind's own API with the data of its
//! first 5 results loaded (what Pagefind's UI shows first).

use std::collections::BTreeSet;
use std::io::BufRead;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[allow(dead_code)]
#[path = "../tests/common/cdp.rs"]
mod cdp;
#[allow(dead_code)]
#[path = "../tests/common/judged.rs"]
mod judged;

const WAIT: Duration = Duration::from_secs(30);

/// The page the bench adds to the Pagefind site: Pagefind's API, loaded with the first query.
const PAGEFIND_PAGE: &str = "guidebook-reader-bench.html";
const PAGEFIND_HTML: &str = r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>bench</title></head><body>
<script type="module">
window.runQuery = async (query) => {
  const pagefind = await import("./pagefind/pagefind.js");
  const found = await pagefind.search(query);
  await Promise.all(found.results.slice(0, 5).map((r) => r.data()));
  window.answered = query;
};
window.benchReady = true;
</script></body></html>"#;

/// A static file server on a free loopback port, stopped on drop, with the paths it served.
struct Server {
    child: Child,
    port: u16,
    served: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start(dir: &Path) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let mut child = Command::new("python3")
            .args([
                "-m",
                "http.server",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
            ])
            .arg("--directory")
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start python3 -m http.server");
        let served = Arc::new(Mutex::new(Vec::new()));
        let log = child.stderr.take().expect("the server's log");
        let sink = Arc::clone(&served);
        // `127.0.0.1 - - [date] "GET /search/t1.js HTTP/1.1" 200 -`
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(log).lines().map_while(Result::ok) {
                let Some(request) = line.split('"').nth(1) else {
                    continue;
                };
                if let Some(path) = request.strip_prefix("GET /") {
                    let path = path.split(' ').next().unwrap_or_default();
                    sink.lock().expect("log").push(path.to_string());
                }
            }
        });
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(start.elapsed() < WAIT, "the file server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Server {
            child,
            port,
            served,
        }
    }

    /// The paths served since the last call (after a moment for the log to catch up).
    fn take_served(&self) -> Vec<String> {
        std::thread::sleep(Duration::from_millis(300));
        std::mem::take(&mut *self.served.lock().expect("log"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One served site in one browser.
struct Site {
    dir: PathBuf,
    server: Server,
    browser: cdp::Browser,
}

impl Site {
    fn open(dir: &Path) -> Site {
        let mut browser = cdp::Browser::launch();
        // The cache off: every page is a first visit.
        browser.record_requests();
        Site {
            dir: dir.to_path_buf(),
            server: Server::start(dir),
            browser,
        }
    }

    fn url(&self, page: &str) -> String {
        format!("http://127.0.0.1:{}/{page}", self.server.port)
    }

    /// Bytes and files of what the server served since the last call, each file counted once.
    fn cost(&self) -> (u64, usize) {
        let served = self.server.take_served();
        let files: BTreeSet<&str> = served
            .iter()
            .map(|path| path.split(['?', '#']).next().unwrap_or(path))
            .filter(|path| !is_image(path))
            .collect();
        let sizes = files.iter().filter_map(|path| {
            let path = if path.is_empty() || path.ends_with('/') {
                format!("{path}index.html")
            } else {
                (*path).to_string()
            };
            std::fs::metadata(self.dir.join(path)).ok().map(|m| m.len())
        });
        (sizes.sum(), files.len())
    }

    fn first_view(&mut self, page: &str) -> (u64, usize) {
        self.cost();
        self.browser.navigate(&self.url(page));
        self.browser.wait_for(
            "!document.querySelector('#nav-tree li[data-current]') || document.querySelector('#nav-tree li[data-current] ul')",
            WAIT,
        );
        self.cost()
    }

    fn guidebook_query(&mut self, page: &str, query: &str) -> u64 {
        self.browser.navigate(&self.url(page));
        self.cost();
        self.browser
            .eval("document.getElementById('search-input').focus()");
        self.browser.paste_text(query);
        let answered = serde_json::to_string(query).expect("a string");
        self.browser.wait_for(
            &format!("document.getElementById('search-results').dataset.query === {answered}"),
            WAIT,
        );
        self.cost().0
    }

    fn pagefind_query(&mut self, query: &str) -> u64 {
        self.browser.navigate(&self.url(PAGEFIND_PAGE));
        self.browser.wait_for("window.benchReady", WAIT);
        self.cost();
        let text = serde_json::to_string(query).expect("a string");
        self.browser.eval(&format!("window.runQuery({text})"));
        self.browser
            .wait_for(&format!("window.answered === {text}"), WAIT);
        self.cost().0
    }
}

fn is_image(path: &str) -> bool {
    [".png", ".svg", ".jpg", ".jpeg", ".gif", ".webp", ".ico"]
        .iter()
        .any(|e| path.ends_with(e))
}

fn first_page(dir: &Path, folder: &str, name: &str) -> Option<String> {
    let mut found: Vec<String> = std::fs::read_dir(dir.join(folder))
        .ok()?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(name) || name.is_empty())
        .collect();
    found.sort();
    found.into_iter().next().map(|n| format!("{folder}/{n}"))
}

fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}

fn summary(mut costs: Vec<u64>) -> String {
    costs.sort_unstable();
    let median = costs[costs.len() / 2];
    let max = costs.last().copied().unwrap_or(0);
    format!("median {}, max {}", kb(median), kb(max))
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let Some(guidebook_dir) = args.first().map(PathBuf::from) else {
        eprintln!("usage: cargo bench --bench reader -- <guidebook site> [<Hugo + Pagefind site>]");
        std::process::exit(2);
    };
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let queries: Vec<String> = judged::read(&repo.join("tests/data/judged-queries.txt"))
        .into_iter()
        .filter(|j| !j.first)
        .map(|j| j.query)
        .collect();

    let mut guidebook = Site::open(&guidebook_dir);
    let page = first_page(&guidebook_dir, "guidelines", ".html").expect("a guideline page");
    let (view, files) = guidebook.first_view(&page);
    let costs: Vec<u64> = (queries.iter())
        .map(|q| guidebook.guidebook_query(&page, q))
        .collect();
    println!("guidebook ({}):", guidebook_dir.display());
    println!("  first view of {page}: {} in {files} files", kb(view));
    println!(
        "  a query, pasted ({} judged topic queries): {}",
        queries.len(),
        summary(costs)
    );

    let Some(hugo_dir) = args.get(1).map(PathBuf::from) else {
        return;
    };
    assert!(
        hugo_dir.join("pagefind/pagefind.js").is_file(),
        "{} holds no Pagefind index (run pagefind --site on it first)",
        hugo_dir.display()
    );
    std::fs::write(hugo_dir.join(PAGEFIND_PAGE), PAGEFIND_HTML).expect("write the bench page");
    let mut hugo = Site::open(&hugo_dir);
    let page = first_page(&hugo_dir, "access-control", "")
        .map(|folder| format!("{folder}/"))
        .filter(|folder| hugo_dir.join(folder).join("index.html").is_file())
        .unwrap_or_else(|| "index.html".into());
    let (view, files) = hugo.first_view(&page);
    let costs: Vec<u64> = queries.iter().map(|q| hugo.pagefind_query(q)).collect();
    println!("Hugo + Pagefind ({}):", hugo_dir.display());
    println!(
        "  first view of {page} (no search UI): {} in {files} files",
        kb(view)
    );
    println!(
        "  a query through Pagefind's API, its first 5 results' data loaded: {}",
        summary(costs)
    );
}
