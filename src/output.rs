//! Stage 4: the rendered site, held in memory, written to disk atomically.
//!
//! The build writes every file into a temporary sibling folder, then swaps it in place of the old
//! site with two renames. A failed build never touches the previous site, and a reader never
//! sees a half-written one.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Marks a folder as written by guidebook, so a later build may replace it.
pub const MARKER: &str = ".guidebook-build";

/// Every output file, by its path relative to the site root (`/`-separated), in sorted order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Output {
    files: BTreeMap<String, Vec<u8>>,
}

impl Output {
    pub fn insert(&mut self, path: String, bytes: Vec<u8>) {
        self.files.insert(path, bytes);
    }

    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn total_bytes(&self) -> usize {
        self.files.values().map(Vec::len).sum()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().map(|(p, b)| (p.as_str(), b.as_slice()))
    }

    /// Replaces `dest` with this output, atomically as seen by readers of `dest`.
    pub fn write_atomically(&self, dest: &Path) -> Result<()> {
        check_replaceable(dest)?;
        let parent = dest
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(parent).map_err(|e| Error::write(parent, e))?;
        let name = dest
            .file_name()
            .map_or_else(|| "site".into(), |n| n.to_string_lossy().into_owned());
        let staging = scratch_path(parent, &name, "new");
        let retired = scratch_path(parent, &name, "old");
        let written = self.write_tree(&staging);
        if let Err(err) = written {
            let _ = fs::remove_dir_all(&staging);
            return Err(err);
        }
        if dest.exists() {
            fs::rename(dest, &retired).map_err(|e| Error::write(dest, e))?;
        }
        if let Err(e) = fs::rename(&staging, dest) {
            // Put the previous site back before reporting.
            let _ = fs::rename(&retired, dest);
            return Err(Error::write(dest, e));
        }
        let _ = fs::remove_dir_all(&retired);
        Ok(())
    }

    fn write_tree(&self, root: &Path) -> Result<()> {
        fs::create_dir_all(root).map_err(|e| Error::write(root, e))?;
        for (path, bytes) in self
            .files
            .iter()
            .chain([(&MARKER.to_string(), &Vec::new())])
        {
            let target: PathBuf = root.join(path);
            if let Some(dir) = target.parent() {
                fs::create_dir_all(dir).map_err(|e| Error::write(dir, e))?;
            }
            fs::write(&target, bytes).map_err(|e| Error::write(&target, e))?;
        }
        Ok(())
    }
}

/// A path beside `name` in `parent`, unique to this process and this call, so that two builds
/// running at once (two threads of one process included) never share a staging folder.
pub fn scratch_path(parent: &Path, name: &str, purpose: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    parent.join(format!(".{name}.{purpose}-{}-{n}", std::process::id()))
}

/// Only an absent or empty folder, or one that guidebook wrote, may be replaced.
fn check_replaceable(dest: &Path) -> Result<()> {
    if !dest.exists() {
        return Ok(());
    }
    if !dest.is_dir() {
        return Err(Error::UnsafeDestination(dest.to_path_buf()));
    }
    let mut entries = fs::read_dir(dest).map_err(|e| Error::read(dest, e))?;
    if entries.next().is_none() || dest.join(MARKER).is_file() {
        return Ok(());
    }
    Err(Error::UnsafeDestination(dest.to_path_buf()))
}
