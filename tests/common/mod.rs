//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod cdp;
pub mod edits;
pub mod judged;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared` beside the repository; tests that need it fail loudly when it is missing.
pub fn shared(relative: &str) -> PathBuf {
    let path = repo_root().join("../shared").join(relative);
    assert!(
        path.exists(),
        "MISSING TEST DATA: {} does not exist. These tests read the real corpora from ../shared \
         (see README); they cannot run without it.",
        path.display()
    );
    path
}

/// Copies a fixture into a fresh temporary folder so a test may change it.
pub fn copy_fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_tree(&fixture(name), dir.path());
    dir
}

/// Copies the sources under `from`, leaving out what a build writes there.
pub fn copy_tree(from: &Path, to: &Path) {
    let built = |e: &walkdir::DirEntry| {
        e.depth() == 1 && [".guidebook", "book"].contains(&e.file_name().to_str().unwrap_or(""))
    };
    for entry in walkdir::WalkDir::new(from)
        .into_iter()
        .filter_entry(|e| !built(e))
    {
        let entry = entry.expect("walk fixture");
        let target = to.join(entry.path().strip_prefix(from).expect("inside fixture"));
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).expect("mkdir");
        } else {
            fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

pub fn guidebook(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_guidebook"))
        .args(args)
        .output()
        .expect("run guidebook")
}

/// Which of guidebook's output streams [`guidebook_into_closed_pipe`] closes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// Runs guidebook with `args`, `stream` piped to a reader that goes away at once (before the
/// command has loaded anything, so before any output) and the other stream discarded; its
/// exit status.
pub fn guidebook_into_closed_pipe(args: &[&str], stream: Stream) -> std::process::ExitStatus {
    use std::process::Stdio;
    let piped = |s| {
        if s == stream {
            Stdio::piped()
        } else {
            Stdio::null()
        }
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_guidebook"))
        .args(args)
        .stdout(piped(Stream::Stdout))
        .stderr(piped(Stream::Stderr))
        .spawn()
        .expect("spawn guidebook");
    drop(child.stdout.take());
    drop(child.stderr.take());
    child.wait().expect("wait")
}

pub fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// Every file below `dir` with its bytes, keyed by relative path.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<(PathBuf, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.expect("walk"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let bytes = fs::read(e.path()).expect("read");
            (
                e.path().strip_prefix(dir).expect("inside").to_path_buf(),
                bytes,
            )
        })
        .collect();
    files.sort();
    files
}

/// The judged queries of the shipped content.
pub fn judged() -> Vec<judged::Judged> {
    judged::read(&repo_root().join("tests/data/judged-queries.txt"))
}

/// A book in a temporary folder that a test changes file by file, builds and inspects (in the
/// manner of mdBook's `BookTest` and ripgrep's `Dir`): start from a fixture, change one file,
/// build, assert on a page or on the diagnostics.
pub struct Book {
    dir: tempfile::TempDir,
}

impl Book {
    /// A copy of `tests/fixtures/<name>`.
    pub fn fixture(name: &str) -> Self {
        Self {
            dir: copy_fixture(name),
        }
    }

    /// A copy of the shipped knowledge base (book.toml, content, theme).
    pub fn shipped() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        for part in ["book.toml", "content", "themes"] {
            let from = repo_root().join(part);
            if from.is_dir() {
                copy_tree(&from, &dir.path().join(part));
            } else {
                fs::copy(&from, dir.path().join(part)).expect("copy book.toml");
            }
        }
        Self { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.root().join(relative)
    }

    pub fn read(&self, relative: &str) -> String {
        read(&self.path(relative))
    }

    /// Writes `text` to `relative`, creating folders on the way.
    pub fn write(&self, relative: &str, text: &str) -> &Self {
        let path = self.path(relative);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).expect("mkdir");
        }
        fs::write(&path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        self
    }

    /// Replaces `from` by `to` in `relative`; `from` must be there (a fixture that changed
    /// under a test fails it instead of leaving it testing nothing).
    pub fn edit(&self, relative: &str, from: &str, to: &str) -> &Self {
        let text = self.read(relative);
        assert!(
            text.contains(from),
            "{relative} does not contain {from:?}: the fixture changed"
        );
        self.write(relative, &text.replacen(from, to, 1))
    }

    pub fn remove(&self, relative: &str) -> &Self {
        fs::remove_file(self.path(relative)).expect("remove");
        self
    }

    /// The site built in memory (with its static search index and exports).
    pub fn build(&self) -> guidebook::pipeline::Built {
        guidebook::pipeline::render_site(self.root(), &Default::default())
            .unwrap_or_else(|e| panic!("build failed: {e}\n{e:#?}"))
    }

    /// The diagnostics of a `check` that must fail on content errors.
    pub fn errors(&self) -> Vec<guidebook::diagnostic::Diagnostic> {
        match guidebook::pipeline::check(self.root(), &Default::default()) {
            Err(guidebook::error::Error::Content(diagnostics)) => diagnostics,
            Err(other) => panic!("expected content errors, got {other}"),
            Ok(_) => panic!("expected content errors, the check passed"),
        }
    }
}

/// The text of one file of a site built in memory.
pub fn page(built: &guidebook::pipeline::Built, path: &str) -> String {
    let bytes = built
        .output
        .read(path)
        .unwrap_or_else(|| panic!("{path} was not built"));
    String::from_utf8(bytes.to_vec()).expect("UTF-8")
}
