//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod cdp;

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

/// Queries with the page a reader expects among the first three results. Identifier queries
/// (marked `true`) must put their item first.
pub const JUDGED: &[(&str, &str, bool)] = &[
    ("SD-1", "guidelines/sd-1.html", true),
    ("DEP-3", "guidelines/dep-3.html", true),
    ("OPS-4", "guidelines/ops-4.html", true),
    ("AC-6", "frameworks/nist-sp-800-53/ac-6.html", true),
    ("SA-8(23)", "frameworks/nist-sp-800-53/sa-8-23.html", true),
    ("RA-5(11)", "frameworks/nist-sp-800-53/ra-5-11.html", true),
    (
        "LLM01:2025",
        "frameworks/owasp-llm-2025/llm01-2025.html",
        true,
    ),
    (
        "LLM10:2025",
        "frameworks/owasp-llm-2025/llm10-2025.html",
        true,
    ),
    ("AML.M0015", "frameworks/mitre-atlas/aml-m0015.html", true),
    (
        "GOVERN 1.1",
        "frameworks/nist-ai-rmf/index.html#govern-1-1",
        true,
    ),
    ("govern 2.2", "frameworks/nist-ai-rmf/govern-2-2.html", true),
    ("A.6.2.4", "frameworks/iso-42001/a-6-2-4.html", true),
    ("supply chain", "guidelines/dev-1.html", false),
    ("technical debt", "guidelines/dev-4.html", false),
    ("threat model", "guidelines/sd-2.html", false),
    ("lessons learned", "guidelines/ops-4.html", false),
    ("monitoring inputs", "guidelines/ops-2.html", false),
    ("staff awareness training", "guidelines/sd-1.html", false),
    (
        "incident runbook",
        "examples/dep-incident-runbook-model-compromise.html",
        false,
    ),
    (
        "security.txt",
        "examples/ops-security-txt-ai-vdp.html",
        false,
    ),
    (
        "canary rollout",
        "examples/ops-canary-model-rollout.html",
        false,
    ),
    (
        "rate limit inference API",
        "examples/dep-inference-rate-limit-output-filter.html",
        false,
    ),
    (
        "NetworkPolicy",
        "examples/dep-k8s-networkpolicy-model-serving.html",
        false,
    ),
    (
        "tabletop exercise",
        "examples/dep-tabletop-exercise-case-study.html",
        false,
    ),
    (
        "torch.load pickle checkpoint",
        "examples/dev-anti-pattern-torch-load-untrusted-checkpoint.html",
        false,
    ),
    (
        "model card",
        "examples/dev-model-card-security-fields.html",
        false,
    ),
    ("Open Government Licence", "pages/about.html", false),
    ("critical risk", "pages/responsibility.html", false),
    (
        "prompt injection",
        "frameworks/owasp-llm-2025/llm01-2025.html",
        false,
    ),
    (
        "least privilege",
        "frameworks/nist-sp-800-53/ac-6.html",
        false,
    ),
];
