//! Live-reload latency: prints figures, asserts nothing.
//!
//!     cargo bench --bench live -- <book root> [edits]
//!
//! Serves a copy of the book, then edits one guideline `edits` times and measures, for each
//! edit, the time from the file write to the reload event on the live-reload stream.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use guidebook::serve::{ServeEvent, ServeOptions, serve};

const DEBOUNCE: Duration = Duration::from_millis(50);

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let Some(source) = args.first().map(PathBuf::from) else {
        eprintln!("usage: cargo bench --bench live -- <book root> [edits]");
        std::process::exit(2);
    };
    let edits: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(20);
    let copy = tempfile::tempdir().expect("temp dir");
    copy_tree(&source, copy.path());
    let target =
        first_guideline(&copy.path().join("content/guidelines")).expect("a guideline to edit");

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
    let mut first_build = None;
    let address = loop {
        match receiver.recv().expect("server events") {
            ServeEvent::Built { took, .. } => first_build = Some(took),
            ServeEvent::Listening(address) => break address,
            _ => {}
        }
    };
    let mut stream = TcpStream::connect(address).expect("connect");
    stream
        .write_all(b"GET /__guidebook/events HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .expect("send");
    let mut reader = BufReader::new(stream);
    wait_for(&mut reader, "event: hello");

    let original = std::fs::read_to_string(&target).expect("read");
    let mut latencies = Vec::with_capacity(edits);
    let mut rebuilds = Vec::with_capacity(edits);
    let mut patched_count = 0;
    for n in 0..edits {
        std::thread::sleep(Duration::from_millis(150));
        let edited = format!("{original}\nEdit number {n}.\n");
        let start = Instant::now();
        std::fs::write(&target, edited).expect("edit");
        wait_for(&mut reader, "event: reload");
        latencies.push(start.elapsed());
        // The server reports how long the rebuild itself took (from the debounced change).
        loop {
            match receiver.recv().expect("server events") {
                ServeEvent::Built { took, patched, .. } => {
                    patched_count += usize::from(patched);
                    break rebuilds.push(took);
                }
                ServeEvent::Failed { diagnostics, .. } => {
                    panic!("edit broke the build: {diagnostics:?}")
                }
                _ => {}
            }
        }
    }
    latencies.sort();
    rebuilds.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    println!("book: {} (edited {})", source.display(), target.display());
    println!(
        "first build in memory: {:.0} ms",
        first_build.map_or(0.0, ms)
    );
    println!(
        "write -> reload event over {} edits (debounce {} ms): median {:.0} ms, p90 {:.0} ms, max {:.0} ms; beyond the debounce: median {:.0} ms",
        latencies.len(),
        DEBOUNCE.as_millis(),
        ms(pct(0.5)),
        ms(pct(0.9)),
        ms(*latencies.last().expect("edits")),
        ms(pct(0.5)) - ms(DEBOUNCE)
    );
    let rebuild = |p: f64| rebuilds[((rebuilds.len() as f64 * p) as usize).min(rebuilds.len() - 1)];
    println!(
        "one-file rebuild: median {:.1} ms, p90 {:.1} ms, max {:.1} ms ({patched_count} of {} patched into the last build)",
        ms(rebuild(0.5)),
        ms(rebuild(0.9)),
        ms(*rebuilds.last().expect("edits")),
        rebuilds.len()
    );
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

fn first_guideline(dir: &Path) -> Option<PathBuf> {
    let mut domains: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    domains.sort();
    let mut files: Vec<PathBuf> = std::fs::read_dir(domains.first()?)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md") && !p.ends_with("_domain.md"))
        .collect();
    files.sort();
    files.into_iter().next()
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
