//! The one owner of the output swap: scratch folders beside a destination, the swap that puts a
//! complete folder in its place, and the clean-up of what a killed run left behind.
//!
//! - A scratch folder `.<name>.<purpose>-<pid>-<n>` is created only after its lock file
//!   (`<folder>.lock`) is locked, and the lock is held until the folder is gone. A scratch folder
//!   whose lock can be taken (or that has no lock file) belongs to no running build: the next
//!   build removes it. The lock, not the process id, tells: a process id may be reused, a lock
//!   dies with its process.
//! - The swap is one `renameat2(RENAME_EXCHANGE)` on Linux, so `dest` is a complete site at every
//!   instant. Where the kernel or file system refuses it, two renames are used; a run killed
//!   between them leaves `dest` missing and the old site in a retired folder, which the next run
//!   puts back before anything else.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A scratch folder beside a destination, locked for as long as this value lives.
#[derive(Debug)]
pub struct Scratch {
    dir: PathBuf,
    lock_path: PathBuf,
    /// Held open: the lock is released when the file is closed.
    _lock: File,
}

impl Scratch {
    /// Creates and locks `.<name>.<purpose>-<pid>-<n>` in `parent` (the folder is created too
    /// when `create_dir` is set; a retired site is renamed into place instead).
    pub fn new(parent: &Path, name: &str, purpose: &str, create_dir: bool) -> Result<Self> {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = parent.join(format!(".{name}.{purpose}-{}-{n}", std::process::id()));
        let lock_path = lock_path_of(&dir);
        let lock = locked_file(&lock_path)?;
        let scratch = Self {
            dir,
            lock_path,
            _lock: lock,
        };
        if create_dir {
            let _ = fs::remove_dir_all(&scratch.dir);
            fs::create_dir_all(&scratch.dir).map_err(|e| Error::write(&scratch.dir, e))?;
        }
        Ok(scratch)
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Scratch {
    /// The folder goes first, then its lock file: a folder is never left without its lock.
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
        let _ = fs::remove_file(&self.lock_path);
    }
}

/// Creates and locks `path`, making sure the lock is on the file that is at `path` now: a
/// concurrent [`recover`] may remove a lock file in the instant between its creation and its
/// locking.
fn locked_file(path: &Path) -> Result<File> {
    for _ in 0..5 {
        let file = File::create(path).map_err(|e| Error::write(path, e))?;
        file.lock().map_err(|e| Error::write(path, e))?;
        if same_file(&file, path) {
            return Ok(file);
        }
    }
    Err(Error::write(
        path,
        std::io::Error::other("another build keeps removing this lock file"),
    ))
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &File, path: &Path) -> bool {
    path.exists()
}

fn lock_path_of(dir: &Path) -> PathBuf {
    let mut name = dir.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// Puts the complete folder `staging` in place of `dest`, atomically where the system allows.
/// The old site (if any) ends up in `staging`'s place and is removed with it.
pub fn swap_in(staging: &Scratch, dest: &Path) -> Result<()> {
    if fs::symlink_metadata(dest).is_err() {
        return fs::rename(&staging.dir, dest).map_err(|e| Error::write(dest, e));
    }
    match exchange(&staging.dir, dest) {
        Ok(()) => Ok(()),
        Err(_) => swap_with_two_renames(staging, dest),
    }
}

/// The fallback swap: the old site is set aside (in a locked, retired scratch folder) and removed
/// last, and put back if the second rename fails.
fn swap_with_two_renames(staging: &Scratch, dest: &Path) -> Result<()> {
    let parent = parent_of(dest);
    let retired = Scratch::new(parent, &name_of(dest), "old", false)?;
    fs::rename(dest, &retired.dir).map_err(|e| Error::write(dest, e))?;
    if let Err(e) = fs::rename(&staging.dir, dest) {
        if fs::rename(&retired.dir, dest).is_err() {
            // The retired folder is the only copy of the site now: keep it (and its lock, until
            // this process ends) for the next run's `recover` to put back.
            std::mem::forget(retired);
        }
        return Err(Error::write(dest, e));
    }
    Ok(())
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))
    };
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: both paths are valid NUL-terminated strings that outlive the call.
    let done = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if done == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// Before a build of `dest`: puts back a site a killed swap left retired (when `dest` is
/// missing), then removes every scratch folder of `dest` that no running build holds. Only names
/// of exactly the form [`Scratch::new`] makes are touched (`.book.bak` is someone else's).
pub fn recover(dest: &Path) {
    let parent = parent_of(dest);
    let name = name_of(dest);
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    // A scratch folder, or a lock file left alone (a run killed between making its lock and
    // its folder, or between removing them).
    let stale: std::collections::BTreeSet<(PathBuf, bool)> = entries
        .flatten()
        .filter_map(|e| {
            let file_name = e.file_name().to_string_lossy().into_owned();
            let folder = file_name.strip_suffix(".lock").unwrap_or(&file_name);
            let retired = scratch_kind(folder, &name)?;
            Some((parent.join(folder), retired))
        })
        .collect();
    for (dir, retired) in stale {
        let lock_path = lock_path_of(&dir);
        let lock = match File::options().read(true).open(&lock_path) {
            Ok(file) => match file.try_lock() {
                Ok(()) => Some(file),
                Err(_) => continue, // a running build's
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None, // nobody's
            Err(_) => continue, // not ours to judge (another user's lock)
        };
        if retired && fs::symlink_metadata(dest).is_err() && fs::rename(&dir, dest).is_ok() {
            let _ = fs::remove_file(&lock_path);
            continue;
        }
        let _ = fs::remove_dir_all(&dir);
        // The lock file goes before the lock is released, as in `Scratch::drop`.
        let _ = fs::remove_file(&lock_path);
        drop(lock);
    }
}

/// For a scratch folder of `name` (`.<name>.new-<pid>-<n>` or `.<name>.old-<pid>-<n>`), whether
/// it holds a retired site; `None` for any other name.
fn scratch_kind(file_name: &str, name: &str) -> Option<bool> {
    let rest = file_name
        .strip_prefix('.')?
        .strip_prefix(name)?
        .strip_prefix('.')?;
    let (retired, numbers) = match rest.split_at_checked(4)? {
        ("new-", numbers) => (false, numbers),
        ("old-", numbers) => (true, numbers),
        _ => return None,
    };
    let (pid, n) = numbers.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (digits(pid) && digits(n)).then_some(retired)
}

pub fn parent_of(dest: &Path) -> &Path {
    dest.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

pub fn name_of(dest: &Path) -> String {
    dest.file_name()
        .map_or_else(|| "site".into(), |n| n.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_swap_exchanges_and_stale_scratch_is_removed() {
        let tmp = tempfile::tempdir().expect("tmp");
        let dest = tmp.path().join("book");
        fs::create_dir(&dest).expect("mkdir");
        fs::write(dest.join("old.txt"), "old").expect("write");
        let staging = Scratch::new(tmp.path(), "book", "new", true).expect("scratch");
        fs::write(staging.path().join("new.txt"), "new").expect("write");
        swap_in(&staging, &dest).expect("swap");
        assert!(dest.join("new.txt").is_file() && !dest.join("old.txt").exists());
        drop(staging);
        let left: Vec<_> = fs::read_dir(tmp.path()).expect("ls").flatten().collect();
        assert_eq!(left.len(), 1, "{left:?}");

        // A scratch folder of a dead run (no lock held) goes; a live one stays.
        let dead = tmp.path().join(".book.new-1-1");
        fs::create_dir(&dead).expect("mkdir");
        fs::write(lock_path_of(&dead), "").expect("lock file");
        // A lock file whose folder is gone (a run killed between removing the two) goes too.
        let orphan = lock_path_of(&tmp.path().join(".book.new-1-2"));
        fs::write(&orphan, "").expect("lock file");
        let live = Scratch::new(tmp.path(), "book", "new", true).expect("scratch");
        recover(&dest);
        assert!(!dead.exists() && !lock_path_of(&dead).exists());
        assert!(!orphan.exists());
        assert!(live.path().is_dir() && lock_path_of(live.path()).exists());
    }

    #[test]
    fn only_scratch_names_of_this_destination_are_touched() {
        assert_eq!(scratch_kind(".book.new-12-0", "book"), Some(false));
        assert_eq!(scratch_kind(".book.old-7-3", "book"), Some(true));
        for other in [
            ".book.bak",
            ".book.v2.new-1-0",
            ".book.new-1",
            ".book.new-x-1",
            ".books.new-1-0",
        ] {
            assert_eq!(scratch_kind(other, "book"), None, "{other}");
        }
        let tmp = tempfile::tempdir().expect("tmp");
        let backup = tmp.path().join(".book.bak");
        fs::create_dir(&backup).expect("mkdir");
        recover(&tmp.path().join("book"));
        assert!(backup.is_dir(), "a user's folder is not ours");
    }

    #[test]
    fn a_site_retired_by_a_killed_swap_is_put_back() {
        let tmp = tempfile::tempdir().expect("tmp");
        let dest = tmp.path().join("book");
        let retired = tmp.path().join(".book.old-7-0");
        fs::create_dir(&retired).expect("mkdir");
        fs::write(retired.join("index.html"), "old site").expect("write");
        fs::write(lock_path_of(&retired), "").expect("lock file");
        recover(&dest);
        assert_eq!(
            fs::read_to_string(dest.join("index.html")).expect("back"),
            "old site"
        );
        assert_eq!(fs::read_dir(tmp.path()).expect("ls").count(), 1);
    }
}
