//! Asking the kernel to read the content's files ahead of the parsers. Loading reads thousands
//! of small files; when they are not in the page cache (the first build of the day, a CI
//! runner, or a system that reclaims idle cache), each parser thread waits for one read at a
//! time, and at 10,000 guidelines half of the load stage was spent waiting. One thread that
//! only hints (`posix_fadvise(WILLNEED)`, which starts the reads and returns) lets the disk
//! serve many reads at once while the parsers work. It reads nothing itself and changes no
//! result: a hint that fails is ignored.

use std::path::{Path, PathBuf};

/// Hints that every file of `files` (relative to `dir`) will be read soon, up to `limit` bytes
/// of each (files past the loader's size limit are refused unread).
pub(super) fn read_ahead(dir: &Path, files: &[PathBuf], limit: u64) {
    for relative in files {
        hint(&dir.join(relative), limit);
    }
}

#[cfg(target_os = "linux")]
fn hint(path: &Path, limit: u64) {
    use std::os::unix::fs::OpenOptionsExt;
    use std::os::unix::io::AsRawFd;
    // Non-blocking, so a file that became a FIFO since the walk cannot stall the build.
    let Ok(file) = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
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

    /// The hints return at once whatever they meet: a file, a folder, a missing path, and (on
    /// Linux) a FIFO, whose plain open would wait for a writer forever.
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
            read_ahead(&root, &files, 1024);
            let _ = done.send(());
        });
        assert!(
            finished
                .recv_timeout(std::time::Duration::from_secs(10))
                .is_ok(),
            "read_ahead did not return"
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a.md")).expect("read"),
            "# A\n"
        );
    }
}
