//! Crash safety: `guidebook build` killed (SIGKILL) at points spread over a whole build, many of
//! them in its last tenth where the swap happens. After every kill the destination is the complete
//! previous site, byte for byte; the next build removes every scratch folder and lock the killed
//! ones left, of the site and of the search index.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{repo_root, snapshot};

fn build(root: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_guidebook"))
        .arg("--root")
        .arg(root)
        .args(["build", "-q"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start a build")
}

/// Scratch folders and locks beside `dest` (the site) and the index.
fn leftovers(root: &Path) -> Vec<String> {
    let mut names = Vec::new();
    for dir in [root.to_path_buf(), root.join(".guidebook")] {
        for entry in fs::read_dir(&dir).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(".book.") || name.starts_with(".search-index.") {
                names.push(name);
            }
        }
    }
    names.sort();
    names
}

#[test]
fn killed_builds_never_leave_a_partial_site_and_the_next_build_cleans_up() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path();
    fs::copy(repo_root().join("book.toml"), root.join("book.toml")).expect("book.toml");
    crate::common::copy_tree(&repo_root().join("content"), &root.join("content"));
    let start = Instant::now();
    assert!(build(root).wait().expect("build").success());
    let took = start.elapsed();
    let site = root.join("book");
    let complete = snapshot(&site);
    assert!(complete.len() > 100, "{} files", complete.len());

    // Kills spread over the build, then a dense run over its last fifth (the swap).
    let mut delays: Vec<Duration> = (0..10).map(|i| took * (2 * i + 1) / 20).collect();
    delays.extend((0..8).map(|i| took * (80 + i * 5 / 2) / 100));
    let mut finished = 0;
    for delay in &delays {
        let mut child = build(root);
        std::thread::sleep(*delay);
        if child.try_wait().expect("poll").is_some() {
            finished += 1;
        }
        let _ = child.kill();
        let _ = child.wait();
        assert!(
            snapshot(&site) == complete,
            "after a kill at {delay:?} the site is not the complete previous one"
        );
    }
    let left = leftovers(root);
    println!(
        "{} kills over a {took:?} build ({finished} had finished); {} scratch entries left",
        delays.len(),
        left.len()
    );
    assert!(build(root).wait().expect("build").success());
    assert_eq!(
        leftovers(root),
        Vec::<String>::new(),
        "the next build cleans up"
    );
    assert!(snapshot(&site) == complete);
    let search = Command::new(env!("CARGO_BIN_EXE_guidebook"))
        .arg("--root")
        .arg(root)
        .args(["search", "supply chain"])
        .output()
        .expect("search");
    assert!(search.status.success(), "the index is whole");
}
