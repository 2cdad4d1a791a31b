//! Helpers shared by the integration tests.
#![allow(dead_code)]

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

pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
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
