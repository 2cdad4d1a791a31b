//! Stage 4: the rendered site, held in memory or spooled to a staging folder, put in place
//! atomically.
//!
//! The build writes every file into a temporary sibling folder, then swaps it in place of the old
//! site with two renames. A failed build never touches the previous site, and a reader never
//! sees a half-written one.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::error::{Error, Result};
use crate::staging::{self, Scratch, name_of, parent_of};

mod reuse;

/// Marks a folder as written by guidebook, so a later build may replace it.
pub const MARKER: &str = ".guidebook-build";

/// Every output file, by its path relative to the site root (`/`-separated), in sorted order.
///
/// An output lives in memory (for `serve`, `check` and tests), or, for `build`, is spooled: each
/// file goes to a staging folder beside the destination as soon as it is rendered, so the site
/// is never held whole in memory and writing overlaps rendering; [`Output::commit`] then swaps
/// the staging folder in. A spooled output dropped without a commit removes its staging folder.
#[derive(Debug, Default, Clone)]
pub struct Output {
    files: BTreeMap<String, Stored>,
    spool: Option<Arc<Spool>>,
}

/// One file: its bytes, or, when spooled, only its size (the bytes are on disk).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    Memory(Vec<u8>),
    Spooled(usize),
}

impl Stored {
    fn len(&self) -> usize {
        match self {
            Stored::Memory(bytes) => bytes.len(),
            Stored::Spooled(len) => *len,
        }
    }
}

/// The staging folder of a spooled output (removed on drop: after a commit it holds the
/// previous site, before one it holds a build that failed), and where it goes.
#[derive(Debug)]
struct Spool {
    staging: Scratch,
    dest: PathBuf,
    /// The site being replaced, whose unchanged files are linked, not written (see [`reuse`]).
    previous: Option<reuse::Previous>,
    /// Folders of the staging folder made so far: a site has thousands of files in a few
    /// dozen folders, and asking the file system for each folder again cost two calls a file.
    made: Mutex<HashSet<PathBuf>>,
}

impl Spool {
    /// Writes `path` into the staging folder (or links the previous site's identical copy
    /// there).
    fn file(
        &self,
        path: &str,
        len: Option<u64>,
        write: &dyn Fn(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<Stored> {
        let target = crate::safe_path::join(self.staging.path(), path)?;
        if let Some(dir) = target.parent() {
            self.make_folder(dir)?;
        }
        let written = match &self.previous {
            Some(previous) => previous.write(path, &target, len, write),
            None => reuse::write_new(&target, write),
        };
        let len = written.map_err(|e| Error::write(&target, e))?;
        Ok(Stored::Spooled(len as usize))
    }

    fn make_folder(&self, dir: &Path) -> Result<()> {
        let mut made = self.made.lock().unwrap_or_else(|e| e.into_inner());
        if !made.contains(dir) {
            fs::create_dir_all(dir).map_err(|e| Error::write(dir, e))?;
            made.insert(dir.to_path_buf());
        }
        Ok(())
    }
}

impl PartialEq for Output {
    fn eq(&self, other: &Self) -> bool {
        self.files == other.files
    }
}

impl Output {
    /// An output that writes each file into a staging folder beside `dest` as it arrives.
    /// Fails at once, before anything is removed, if `dest` is a folder guidebook may not
    /// replace, or is, holds or lies inside `book` (the book root) or `content` (the content
    /// root): see [`check_not_the_book`].
    pub fn spooled(dest: &Path, book: &Path, content: &Path) -> Result<Self> {
        check_not_the_book(dest, book, content)?;
        check_replaceable(dest)?;
        let parent = parent_of(dest);
        fs::create_dir_all(parent).map_err(|e| Error::write(parent, e))?;
        staging::recover(dest);
        let staging = Scratch::new(parent, &name_of(dest), "new", true)?;
        let spool = Spool {
            staging,
            dest: dest.to_path_buf(),
            previous: reuse::Previous::at(dest, MARKER),
            made: Mutex::default(),
        };
        Ok(Self {
            files: BTreeMap::new(),
            spool: Some(Arc::new(spool)),
        })
    }

    /// Stores `bytes` as the file `path`: writes it now when spooled. Callable from many
    /// threads at once; [`Output::add`] then records the result.
    pub fn prepare(&self, path: &str, bytes: Vec<u8>) -> Result<Stored> {
        crate::safe_path::check(path)?;
        match &self.spool {
            None => Ok(Stored::Memory(bytes)),
            Some(spool) => spool.file(path, Some(bytes.len() as u64), &|w| w.write_all(&bytes)),
        }
    }

    /// Like [`Output::prepare`] for a file produced by a writer: when spooled, it is written
    /// straight into its file, never held whole in memory.
    pub fn prepare_with(
        &self,
        path: &str,
        write: &dyn Fn(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<Stored> {
        crate::safe_path::check(path)?;
        let Some(spool) = &self.spool else {
            let mut bytes = Vec::new();
            write(&mut bytes).map_err(|e| Error::write(Path::new(path), e))?;
            return Ok(Stored::Memory(bytes));
        };
        spool.file(path, None, write)
    }

    pub fn add(&mut self, path: String, stored: Stored) {
        self.files.insert(path, stored);
    }

    pub fn insert(&mut self, path: String, bytes: Vec<u8>) -> Result<()> {
        let stored = self.prepare(&path, bytes)?;
        self.add(path, stored);
        Ok(())
    }

    /// The bytes of an in-memory file (`None` for a spooled one: see [`Output::read`]).
    pub fn get(&self, path: &str) -> Option<&[u8]> {
        match self.files.get(path)? {
            Stored::Memory(bytes) => Some(bytes),
            Stored::Spooled(_) => None,
        }
    }

    /// The bytes of any file, read back from the staging folder when spooled.
    pub fn read(&self, path: &str) -> Option<std::borrow::Cow<'_, [u8]>> {
        match (self.files.get(path)?, &self.spool) {
            (Stored::Memory(bytes), _) => Some(bytes.as_slice().into()),
            (Stored::Spooled(_), Some(spool)) => {
                let file = crate::safe_path::join(spool.staging.path(), path).ok()?;
                fs::read(file).ok().map(Into::into)
            }
            (Stored::Spooled(_), None) => None,
        }
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn total_bytes(&self) -> usize {
        self.files.values().map(Stored::len).sum()
    }

    /// The in-memory files (spooled ones are left out).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().filter_map(|(p, stored)| match stored {
            Stored::Memory(bytes) => Some((p.as_str(), bytes.as_slice())),
            Stored::Spooled(_) => None,
        })
    }

    /// The in-memory files, taken out (spooled ones are left out).
    pub fn into_memory(self) -> Vec<(String, Vec<u8>)> {
        (self.files.into_iter())
            .filter_map(|(path, stored)| match stored {
                Stored::Memory(bytes) => Some((path, bytes)),
                Stored::Spooled(_) => None,
            })
            .collect()
    }

    /// Swaps a spooled output's staging folder in place of its destination (see
    /// [`Output::write_atomically`] for an in-memory one).
    pub fn commit(&self) -> Result<()> {
        let Some(spool) = &self.spool else {
            return Err(Error::Usage(
                "only a spooled output can be committed".into(),
            ));
        };
        let marker = spool.staging.path().join(MARKER);
        reuse::create_fresh(&marker).map_err(|e| Error::write(&marker, e))?;
        staging::swap_in(&spool.staging, &spool.dest)
    }

    /// Replaces `dest` with this in-memory output, atomically as seen by readers of `dest`.
    pub fn write_atomically(&self, dest: &Path) -> Result<()> {
        check_replaceable(dest)?;
        let parent = parent_of(dest);
        fs::create_dir_all(parent).map_err(|e| Error::write(parent, e))?;
        staging::recover(dest);
        let staging = Scratch::new(parent, &name_of(dest), "new", true)?;
        self.write_tree(staging.path())?;
        staging::swap_in(&staging, dest)
    }

    fn write_tree(&self, root: &Path) -> Result<()> {
        fs::create_dir_all(root).map_err(|e| Error::write(root, e))?;
        for (path, bytes) in self.iter().chain([(MARKER, &[][..])]) {
            let target: PathBuf = crate::safe_path::join(root, path)?;
            if let Some(dir) = target.parent() {
                fs::create_dir_all(dir).map_err(|e| Error::write(dir, e))?;
            }
            fs::write(&target, bytes).map_err(|e| Error::write(&target, e))?;
        }
        Ok(())
    }
}

/// A build replaces its destination whole, so the destination may not be (or hold) the book or
/// its content, whatever marker files they carry; nor lie inside the content, where the next
/// build would read the site back in as content.
pub fn check_not_the_book(dest: &Path, book: &Path, content: &Path) -> Result<()> {
    let dest_real = real_path(dest);
    let content_real = real_path(content);
    if real_path(book).starts_with(&dest_real)
        || content_real.starts_with(&dest_real)
        || dest_real.starts_with(&content_real)
    {
        return Err(Error::DestinationHoldsBook(dest.to_path_buf()));
    }
    Ok(())
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

/// `path` made absolute with every symbolic link resolved, as far as it exists (the rest is
/// appended as written), so `book/..`, `./` and links compare as the folders they are.
fn real_path(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            return rest.iter().rev().fold(real, |p: PathBuf, part| match part {
                std::path::Component::ParentDir => p.parent().map(Path::to_path_buf).unwrap_or(p),
                std::path::Component::CurDir => p,
                other => p.join(other),
            });
        }
        match (existing.parent(), existing.components().next_back()) {
            (Some(parent), Some(last)) => {
                rest.push(last);
                existing = parent;
            }
            _ => return absolute,
        }
    }
}
