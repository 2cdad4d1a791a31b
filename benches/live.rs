//! Live-reload latency for every kind of content edit: prints figures, asserts nothing.
//!
//!     cargo bench --bench live -- <book root> [rounds]
//!
//! Serves a copy of the book, then makes each kind of edit `rounds` times (a body, a title, a
//! summary, tags, a mapping added and removed, a new, renamed and deleted file, a catalog
//! control's title), each on another guideline, the kinds taking turns, and measures the time
//! from the file write to the reload event on the live-reload stream (what an open page waits
//! for).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use guidebook::serve::{ServeEvent, ServeOptions, serve};

#[path = "../tests/common/edits.rs"]
mod edits;

// The allocator the `guidebook` binary uses, set up as it does (see `main`), so the figures are
// those of `guidebook serve`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const DEBOUNCE: Duration = Duration::from_millis(50);

const KINDS: [&str; 10] = [
    "body",
    "title",
    "summary",
    "tags",
    "mapping added",
    "mapping removed",
    "new file",
    "renamed file",
    "deleted file",
    "control title",
];

fn main() {
    guidebook::cli::no_transparent_huge_pages();
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let Some(source) = args.first().map(PathBuf::from) else {
        eprintln!("usage: cargo bench --bench live -- <book root> [rounds]");
        std::process::exit(2);
    };
    let rounds: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(5);
    let copy = tempfile::tempdir().expect("temp dir");
    copy_tree(&source, copy.path());
    let guidelines = guideline_files(&copy.path().join("content/guidelines"));
    assert!(
        guidelines.len() > KINDS.len() * rounds,
        "enough guidelines to edit"
    );

    let (sender, receiver) = mpsc::channel();
    let sender = Mutex::new(sender);
    let root = copy.path().to_path_buf();
    std::thread::spawn(move || {
        let options = ServeOptions {
            bind: "127.0.0.1".parse().expect("ip"),
            port: 0,
            watch: true,
            poll: false,
            debounce: DEBOUNCE,
            allowed_hosts: Vec::new(),
        };
        let report = move |event: ServeEvent| {
            let _ = sender.lock().map(|s| s.send(event));
        };
        serve(&root, &options, Arc::new(report)).expect("serve");
    });
    // The server listens at once and builds on its rebuild thread: time its first answer to
    // a page request (whatever it says), then wait for the first build.
    let started = Instant::now();
    let (mut first_build, mut first_answer, mut address) = (None, None, None);
    while first_build.is_none() || address.is_none() {
        match receiver.recv().expect("server events") {
            ServeEvent::Built { took, .. } => first_build = Some(took),
            ServeEvent::Listening(at) => {
                let status = first_status(at);
                first_answer = Some((started.elapsed(), status));
                address = Some(at);
            }
            ServeEvent::Failed { diagnostics, .. } => {
                panic!("the first build failed: {diagnostics:?}")
            }
            _ => {}
        }
    }
    let address = address.expect("listening");
    let mut stream = TcpStream::connect(address).expect("connect");
    stream
        .write_all(b"GET /__guidebook/events HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .expect("send");
    let mut reader = BufReader::new(stream);
    wait_for(&mut reader, "event: hello");

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "book: {} ({} guidelines)",
        source.display(),
        guidelines.len()
    );
    let (answered, status) = first_answer.expect("answered");
    println!(
        "first answer (HTTP {status} for /) after {:.0} ms; first build in memory: {:.0} ms",
        ms(answered),
        first_build.map_or(0.0, ms)
    );
    println!(
        "{:<16} {:>10} {:>10} {:>10} {:>12}",
        "edit", "median ms", "max ms", "rebuild ms", "incremental"
    );
    // Kinds take turns, round by round, so the first edits after the first build (which meet
    // memory the process has not touched yet) do not all fall on one kind.
    let mut latencies = vec![Vec::new(); KINDS.len()];
    let mut rebuilds = vec![Vec::new(); KINDS.len()];
    let mut incremental = [0usize; KINDS.len()];
    let mut next = 0;
    for round in 0..rounds {
        for (k, kind) in KINDS.into_iter().enumerate() {
            std::thread::sleep(Duration::from_millis(200));
            let target = &guidelines[next % guidelines.len()];
            next += 1;
            let edit = Edit::prepare(kind, copy.path(), target, round);
            let start = Instant::now();
            edit.apply();
            wait_for(&mut reader, "event: reload");
            latencies[k].push(start.elapsed());
            loop {
                match receiver.recv().expect("server events") {
                    ServeEvent::Built { took, patched, .. } => {
                        incremental[k] += usize::from(patched);
                        break rebuilds[k].push(took);
                    }
                    ServeEvent::Failed { diagnostics, .. } => {
                        panic!("{kind} broke the build: {diagnostics:?}")
                    }
                    _ => {}
                }
            }
        }
    }
    let mut all = Vec::new();
    for (k, kind) in KINDS.into_iter().enumerate() {
        let (latencies, rebuilds) = (&mut latencies[k], &mut rebuilds[k]);
        latencies.sort();
        rebuilds.sort();
        all.extend(latencies.iter().copied());
        println!(
            "{kind:<16} {:>10.0} {:>10.0} {:>10.0} {:>9} of {}",
            ms(latencies[latencies.len() / 2]),
            ms(*latencies.last().expect("rounds")),
            ms(rebuilds[rebuilds.len() / 2]),
            incremental[k],
            rounds
        );
    }
    all.sort();
    println!(
        "all edits: median {:.0} ms write -> reload (debounce {} ms included), max {:.0} ms",
        ms(all[all.len() / 2]),
        DEBOUNCE.as_millis(),
        ms(*all.last().expect("edits"))
    );
}

/// One prepared edit: the file to write (or remove, or rename) and its new text.
enum Edit {
    Write(PathBuf, String),
    Remove(PathBuf),
    Rename(PathBuf, PathBuf),
}

impl Edit {
    fn prepare(kind: &str, root: &Path, target: &Path, round: usize) -> Self {
        let text = std::fs::read_to_string(target).expect("read");
        let line = |key: &str, value: String| {
            let old = text
                .lines()
                .find(|l| l.starts_with(key))
                .expect("a line")
                .to_string();
            Edit::Write(
                target.to_path_buf(),
                text.replacen(&old, &format!("{key}{value}"), 1),
            )
        };
        let new_file = root.join(format!("content/guidelines/network/bench-new-{round}.md"));
        match kind {
            "body" => Edit::Write(
                target.to_path_buf(),
                format!("{text}\nEdit number {round}.\n"),
            ),
            "title" => line("title: ", format!("\"Retitled in round {round}\"")),
            "summary" => line("summary: ", format!("\"Summarised in round {round}.\"")),
            "tags" => Edit::Write(
                target.to_path_buf(),
                text.replacen(
                    "controls:\n",
                    &format!("tags: [bench-{round}]\ncontrols:\n"),
                    1,
                ),
            ),
            "mapping added" => {
                let control = (1..17)
                    .map(|n| format!("AC-{n}"))
                    .find(|id| !text.contains(&format!("control: {id}\n")))
                    .expect("an unmapped control");
                let mapping = format!(
                    "controls:\n  - framework: synthetic-controls\n    control: {control}\n    relationship: intersects-with\n"
                );
                Edit::Write(
                    target.to_path_buf(),
                    text.replacen("controls:\n", &mapping, 1),
                )
            }
            "mapping removed" => Edit::Write(
                target.to_path_buf(),
                edits::without_first_mapping(&text).expect("a mapping"),
            ),
            "new file" => Edit::Write(
                new_file,
                format!(
                    "---\nid: BENCH-{round}\ntitle: \"A new guideline\"\nsummary: \"Written by the bench.\"\ncontrols:\n  - framework: synthetic-controls\n    control: AC-1\n    relationship: intersects-with\n---\n\nBody.\n"
                ),
            ),
            "renamed file" => Edit::Rename(
                new_file.clone(),
                new_file.with_file_name(format!("bench-moved-{round}.md")),
            ),
            "deleted file" => {
                Edit::Remove(new_file.with_file_name(format!("bench-moved-{round}.md")))
            }
            "control title" => {
                let catalog = root.join("content/frameworks/synthetic-controls.yaml");
                let text = std::fs::read_to_string(&catalog).expect("catalog");
                let old = format!("title: \"Synthetic control AC-1{round}\"");
                Edit::Write(
                    catalog,
                    text.replacen(&old, &format!("title: \"Renamed control {round}\""), 1),
                )
            }
            other => panic!("unknown edit {other}"),
        }
    }

    fn apply(self) {
        match self {
            Edit::Write(path, text) => std::fs::write(path, text).expect("write"),
            Edit::Remove(path) => std::fs::remove_file(path).expect("remove"),
            Edit::Rename(from, to) => std::fs::rename(from, to).expect("rename"),
        }
    }
}

/// The status code of `GET /`.
fn first_status(address: std::net::SocketAddr) -> String {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .expect("send");
    let mut line = String::new();
    BufReader::new(stream)
        .read_line(&mut line)
        .expect("status line");
    line.split(' ').nth(1).unwrap_or("?").to_string()
}

fn wait_for(reader: &mut BufReader<TcpStream>, wanted: &str) {
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            reader.read_line(&mut line).expect("event stream") > 0,
            "stream closed"
        );
        if line.trim_end() == wanted {
            return;
        }
    }
}

/// Every guideline file, interleaving the domains so consecutive edits touch different ones.
fn guideline_files(dir: &Path) -> Vec<PathBuf> {
    let mut domains: Vec<Vec<PathBuf>> = Vec::new();
    let mut folders: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("guidelines folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    for folder in folders {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
            .expect("domain folder")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "md") && !p.ends_with("_domain.md"))
            .collect();
        files.sort();
        domains.push(files);
    }
    let longest = domains.iter().map(Vec::len).max().unwrap_or(0);
    (0..longest)
        .flat_map(|i| domains.iter().filter_map(move |d| d.get(i).cloned()))
        .collect()
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).into_iter().flatten() {
        let relative = entry.path().strip_prefix(from).expect("inside");
        if relative.starts_with("book")
            || relative.starts_with(".guidebook")
            || relative.starts_with("target")
            || relative.starts_with(".git")
        {
            continue;
        }
        let target = to.join(relative);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}
