//! Asking the kernel to read the content's documents ahead of the parsers. Loading reads
//! thousands of small files; when they are not in the page cache (the first build of the day,
//! a CI runner, or a system that reclaims idle cache), each parser thread waits for one read
//! at a time, and at 10,000 guidelines half of the load stage was spent waiting. One thread
//! that only hints (`posix_fadvise(WILLNEED)`, which starts the reads and returns) lets the
//! disk serve many reads at once while the parsers work. It reads nothing itself and changes
//! no result: it opens only regular files (never following a link, never a terminal, never
//! waiting), and a hint that fails is ignored.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use super::{Entry, MAX_FILE_BYTES, classify};

/// Loads of fewer files than this are not worth a thread (an edit under `serve`).
const READ_AHEAD_FROM: usize = 64;

/// Runs `load` (which reads `files`, relative to `dir`) while another thread hints the kernel
/// to read the documents among them ahead, stopping when `load` returns.
pub(super) fn while_reading<R: Send>(
    dir: &Path,
    files: &[PathBuf],
    load: impl FnOnce() -> R + Send,
) -> R {
    if files.len() < READ_AHEAD_FROM {
        return load();
    }
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| read_ahead(dir, files, &done));
        let result = load();
        done.store(true, Ordering::Relaxed);
        result
    })
}

/// Hints that the documents of `files` (not assets, which the loader does not read) will be
/// read soon, up to the loader's size limit, until `done`.
fn read_ahead(dir: &Path, files: &[PathBuf], done: &AtomicBool) {
    for relative in files {
        if done.load(Ordering::Relaxed) {
            return;
        }
        if !matches!(classify(relative), Entry::Asset | Entry::Misplaced(_)) {
            hint(&dir.join(relative), MAX_FILE_BYTES);
        }
    }
}

#[cfg(target_os = "linux")]
fn hint(path: &Path, limit: u64) {
    use std::os::unix::fs::OpenOptionsExt;
    use std::os::unix::io::AsRawFd;
    // The walk listed regular files; one replaced since (by a link, a FIFO, a device) is left
    // to the loader, which reports it.
    if !std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file()) {
        return;
    }
    let Ok(file) = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW | libc::O_NOCTTY)
        .open(path)
    else {
        return;
    };
    let len = libc::off_t::try_from(limit).unwrap_or(libc::off_t::MAX);
    // SAFETY: the descriptor is open for the duration of the call; the call only reads its
    // integer arguments, and its result (advice taken or not) does not matter.
    unsafe {
        libc::posix_fadvise(file.as_raw_fd(), 0, len, libc::POSIX_FADV_WILLNEED);
    }
}

#[cfg(not(target_os = "linux"))]
fn hint(_path: &Path, _limit: u64) {}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hints return at once whatever they meet: a document, a folder, a missing path, and
    /// (on Linux) a FIFO, whose plain open would wait for a writer forever.
    #[test]
    fn read_ahead_never_waits_and_never_fails() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("a.md"), "# A\n").expect("write");
        std::fs::create_dir(dir.path().join("folder")).expect("mkdir");
        let mut files: Vec<PathBuf> = ["a.md", "folder", "missing.md"]
            .into_iter()
            .map(PathBuf::from)
            .collect();
        #[cfg(target_os = "linux")]
        {
            let fifo = dir.path().join("pipe.md");
            let name = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).expect("path");
            // SAFETY: a valid NUL-terminated path and a mode.
            assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0, "mkfifo");
            files.push(PathBuf::from("pipe.md"));
        }
        let (done, finished) = std::sync::mpsc::channel();
        let root = dir.path().to_path_buf();
        std::thread::spawn(move || {
            read_ahead(&root, &files, &AtomicBool::new(false));
            let _ = done.send(());
        });
        assert!(
            finished
                .recv_timeout(std::time::Duration::from_secs(10))
                .is_ok(),
            "read_ahead did not return"
        );
    }
}
