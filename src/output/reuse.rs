//! Unchanged files of the site being replaced are linked into the new one, not written again.
//!
//! A build writes every file into a fresh staging folder, and most files of a rebuild come out
//! byte for byte as the last build left them. Creating thousands of files is a large part of a
//! build's cost (on some file systems, each creation after a mass delete is slow), so a file
//! whose bytes equal the previous site's copy becomes a second name of that copy (a hard link);
//! when the old site is removed after the swap, the copy simply lives on under its new name. A
//! reused file also keeps its modification time, so a deploy that syncs by time and size sends
//! only what changed.
//!
//! The previous site is only ever read, never written: a failed build that removes its staging
//! folder removes a name, and the old site keeps its files. A copy is reused only when it is a
//! plain file with no other name (`nlink == 1`), reached through folders of the old site that
//! are not links, so the new site never shares a file with anything outside the old one.
//! Otherwise, or when linking fails (another file system, a file system without links), the
//! file is written as usual. A reused file keeps the old copy's permissions (guidebook's own).
//!
//! Not defended: someone who can write into the old site *while* a build runs (swapping a
//! checked folder for a link, adding a name to a file, editing a copy after it was compared)
//! can make the new site share or show what they wrote; they could as well write into the new
//! site once it is in place. A read error on an old copy fails the build (the bytes already
//! compared are not kept to fall back on).

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, BufReader, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The site a spooled build replaces, as a source of files to reuse.
#[derive(Debug)]
pub(super) struct Previous {
    root: PathBuf,
    /// Whether each folder of the old site (by relative path) is a real folder all the way down.
    folders: Mutex<HashMap<String, bool>>,
}

impl Previous {
    /// The previous site at `dest`, when there is one guidebook wrote (it holds `marker`).
    pub(super) fn at(dest: &Path, marker: &str) -> Option<Self> {
        // The destination itself a link (`book -> /srv/site`): the swap replaces the link and
        // the folder it led to stays, so its files must not become the new site's.
        let is_folder = fs::symlink_metadata(dest).is_ok_and(|m| m.file_type().is_dir());
        if !cfg!(target_os = "linux") || !is_folder || !dest.join(marker).is_file() {
            return None;
        }
        Some(Self {
            root: dest.to_path_buf(),
            folders: Mutex::new(HashMap::new()),
        })
    }

    /// Makes `target` hold what `write` produces, as a link to the previous site's copy of
    /// `relative` when the bytes are the same. `expected_len` (when known) skips the comparison
    /// of a file whose size differs. Returns the file's length.
    pub(super) fn write(
        &self,
        relative: &str,
        target: &Path,
        expected_len: Option<u64>,
        write: &dyn Fn(&mut dyn Write) -> io::Result<()>,
    ) -> io::Result<u64> {
        let Some(old) = self.reusable(relative, expected_len) else {
            return write_new(target, write);
        };
        let mut sink = Compare::new(old.file, target);
        write(&mut sink)?;
        sink.finish(&old.path, old.identity)
    }

    /// The previous copy of `relative`, opened, if it may be reused.
    fn reusable(&self, relative: &str, expected_len: Option<u64>) -> Option<OldFile> {
        let path = crate::safe_path::join(&self.root, relative).ok()?;
        if !self.folders_are_real(relative) {
            return None;
        }
        let meta = fs::symlink_metadata(&path).ok()?;
        if !meta.file_type().is_file() || links(&meta) != 1 {
            return None;
        }
        if expected_len.is_some_and(|len| len != meta.len()) {
            return None;
        }
        let file = open_no_follow(&path).ok()?;
        let identity = identity_of(&file.metadata().ok()?);
        (identity == identity_of(&meta)).then_some(OldFile {
            path,
            file,
            identity,
        })
    }

    /// Whether every folder on the way to `relative` is a folder of the old site, not a link
    /// (which could lead to files that belong elsewhere).
    fn folders_are_real(&self, relative: &str) -> bool {
        let Some((folders, _)) = relative.rsplit_once('/') else {
            return true;
        };
        let mut known = self.folders.lock().unwrap_or_else(|e| e.into_inner());
        let mut path = String::new();
        for segment in folders.split('/') {
            if !path.is_empty() {
                path.push('/');
            }
            path.push_str(segment);
            let real = *known.entry(path.clone()).or_insert_with(|| {
                crate::safe_path::join(&self.root, &path)
                    .ok()
                    .and_then(|p| fs::symlink_metadata(p).ok())
                    .is_some_and(|m| m.file_type().is_dir())
            });
            if !real {
                return false;
            }
        }
        true
    }
}

struct OldFile {
    path: PathBuf,
    file: File,
    identity: (u64, u64),
}

pub(super) fn write_new(
    target: &Path,
    write: &dyn Fn(&mut dyn Write) -> io::Result<()>,
) -> io::Result<u64> {
    let mut file = Counted {
        file: create_fresh(target)?,
        written: 0,
    };
    write(&mut file)?;
    Ok(file.written)
}

/// A new file and the bytes written into it (counted, not asked of the file system after).
struct Counted {
    file: File,
    written: u64,
}

impl Write for Counted {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// A new file at `path`, never an existing one opened for writing: a staging folder may hold
/// a link to the old site's copy there (a path written twice), and writing through it would
/// change the site being replaced. What is at `path` is unlinked first.
pub(super) fn create_fresh(path: &Path) -> io::Result<File> {
    let create = || {
        fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
    };
    match create() {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            fs::remove_file(path)?;
            create()
        }
        other => other,
    }
}

/// A writer that compares what it is given with the old copy, and starts writing the new file
/// (the matched prefix first) only at the first difference.
struct Compare<'a> {
    old: BufReader<File>,
    target: &'a Path,
    /// Bytes given so far that matched the old copy.
    matched: u64,
    /// The new file, once the bytes differ.
    new: Option<File>,
    scratch: Vec<u8>,
}

impl<'a> Compare<'a> {
    fn new(old: File, target: &'a Path) -> Self {
        Self {
            old: BufReader::with_capacity(64 * 1024, old),
            target,
            matched: 0,
            new: None,
            scratch: Vec::new(),
        }
    }

    /// Stops comparing: creates the new file and copies the matched prefix into it.
    fn diverge(&mut self) -> io::Result<&mut File> {
        if self.new.is_none() {
            let mut new = create_fresh(self.target)?;
            let old = self.old.get_mut();
            old.rewind()?;
            let copied = io::copy(&mut old.take(self.matched), &mut new)?;
            if copied != self.matched {
                return Err(io::Error::other(
                    "the previous copy changed while it was read",
                ));
            }
            self.new = Some(new);
        }
        Ok(self.new.as_mut().expect("set above"))
    }

    /// Ends the file: a link to the old copy if every byte matched and the old copy has no
    /// more, else the new file completed. Returns the file's length.
    fn finish(mut self, old_path: &Path, identity: (u64, u64)) -> io::Result<u64> {
        if self.new.is_none() {
            let mut probe = [0u8; 1];
            if self.old.read(&mut probe)? == 0 && link_to(old_path, self.target, identity) {
                return Ok(self.matched);
            }
        }
        Ok(self.diverge()?.metadata()?.len())
    }
}

impl Write for Compare<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.new.is_none() {
            self.scratch.resize(data.len(), 0);
            let got = read_up_to(&mut self.old, &mut self.scratch)?;
            if got == data.len() && self.scratch == data {
                self.matched += data.len() as u64;
                return Ok(data.len());
            }
        }
        self.diverge()?.write_all(data)?;
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.new {
            Some(new) => new.flush(),
            None => Ok(()),
        }
    }
}

/// Reads until `buf` is full or the file ends; returns how much was read.
fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match reader.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// Links `target` to `old`, and checks the link names the very file that was compared (not one
/// put in its place meanwhile); on any failure nothing is left at `target`.
fn link_to(old: &Path, target: &Path, identity: (u64, u64)) -> bool {
    if fs::hard_link(old, target).is_err() {
        return false;
    }
    let same = fs::symlink_metadata(target).is_ok_and(|m| identity_of(&m) == identity);
    if !same {
        let _ = fs::remove_file(target);
    }
    same
}

#[cfg(target_os = "linux")]
fn open_no_follow(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    // Not following a link, and not waiting on a FIFO someone left in the old site.
    fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(target_os = "linux"))]
fn open_no_follow(_: &Path) -> io::Result<File> {
    Err(io::Error::other("files are reused only on Linux"))
}

#[cfg(unix)]
fn links(meta: &fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::nlink(meta)
}

#[cfg(not(unix))]
fn links(_: &fs::Metadata) -> u64 {
    0
}

/// A file's device and inode: the same pair, the same file.
#[cfg(unix)]
fn identity_of(meta: &fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn identity_of(_: &fs::Metadata) -> (u64, u64) {
    (0, 0)
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn inode(path: &Path) -> u64 {
        identity_of(&fs::symlink_metadata(path).expect("stat")).1
    }

    /// A previous site holding `file.html` with `old`, and an empty staging folder.
    fn sites(old: &[u8]) -> (tempfile::TempDir, Previous, PathBuf) {
        let dir = tempfile::tempdir().expect("temp dir");
        let dest = dir.path().join("site");
        fs::create_dir_all(dest.join("guidelines")).expect("mkdir");
        fs::write(dest.join(".marker"), b"").expect("marker");
        fs::write(dest.join("guidelines/file.html"), old).expect("old file");
        fs::create_dir(dir.path().join("staging")).expect("mkdir");
        let previous = Previous::at(&dest, ".marker").expect("a previous site");
        let target = dir.path().join("staging/file.html");
        (dir, previous, target)
    }

    /// Writes `new` in the given chunk sizes, as a streaming writer would.
    fn write_chunked(previous: &Previous, target: &Path, new: &[u8], chunks: &[usize]) -> u64 {
        let write = |w: &mut dyn Write| {
            let mut rest = new;
            for &size in chunks.iter().cycle() {
                if rest.is_empty() {
                    break;
                }
                let (now, later) = rest.split_at(size.min(rest.len()));
                w.write_all(now)?;
                rest = later;
            }
            Ok(())
        };
        previous
            .write("guidelines/file.html", target, None, &write)
            .expect("written")
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// Whatever the old copy holds and however the new bytes arrive, the new file holds
        /// exactly the new bytes, and it is the old copy itself only when the bytes are equal.
        #[test]
        fn the_new_file_always_holds_the_new_bytes(
            old in proptest::collection::vec(0u8..4, 0..300),
            other in proptest::collection::vec(0u8..4, 0..300),
            relation in 0u8..4,
            chunks in proptest::collection::vec(1usize..70, 1..5),
        ) {
            // The same bytes, a prefix of them, more of them, or others.
            let new = match relation {
                0 => old.clone(),
                1 => old[..old.len() / 2].to_vec(),
                2 => [old.as_slice(), other.as_slice()].concat(),
                _ => other,
            };
            let (dir, previous, target) = sites(&old);
            let old_path = dir.path().join("site/guidelines/file.html");
            let len = write_chunked(&previous, &target, &new, &chunks);
            prop_assert_eq!(fs::read(&target).expect("read"), new.clone());
            prop_assert_eq!(len, new.len() as u64);
            prop_assert_eq!(inode(&target) == inode(&old_path), old == new);
            prop_assert_eq!(fs::read(&old_path).expect("read"), old);
        }
    }

    /// A path written twice (an error the build reports later) never writes through the link
    /// the first write made into the old site.
    #[test]
    fn writing_a_linked_path_again_leaves_the_old_copy_alone() {
        let (dir, previous, target) = sites(b"old bytes");
        let old_path = dir.path().join("site/guidelines/file.html");
        write_chunked(&previous, &target, b"old bytes", &[3]);
        assert_eq!(inode(&target), inode(&old_path), "linked");
        write_chunked(&previous, &target, b"new bytes", &[3]);
        write_new(&target, &|w| w.write_all(b"other")).expect("written");
        assert_eq!(fs::read(&old_path).expect("read"), b"old bytes");
        assert_eq!(fs::read(&target).expect("read"), b"other");
        create_fresh(&target).expect("created");
        assert_eq!(fs::read(&old_path).expect("read"), b"old bytes");
    }

    #[test]
    fn a_file_with_another_name_is_not_shared() {
        let (dir, previous, target) = sites(b"same");
        let elsewhere = dir.path().join("elsewhere.html");
        fs::hard_link(dir.path().join("site/guidelines/file.html"), &elsewhere).expect("link");
        write_chunked(&previous, &target, b"same", &[4]);
        assert_ne!(inode(&target), inode(&elsewhere));
        assert_eq!(fs::read(&target).expect("read"), b"same");
    }

    #[test]
    fn links_in_the_old_site_are_not_followed() {
        let (dir, previous, target) = sites(b"unused");
        let outside = dir.path().join("outside.html");
        fs::write(&outside, b"same").expect("write");
        let old = dir.path().join("site/guidelines/file.html");
        fs::remove_file(&old).expect("remove");
        std::os::unix::fs::symlink(&outside, &old).expect("symlink");
        write_chunked(&previous, &target, b"same", &[2]);
        assert!(fs::symlink_metadata(&target).expect("stat").is_file());
        assert_ne!(inode(&target), inode(&outside));

        // A linked folder: the files it leads to belong elsewhere.
        let dir = tempfile::tempdir().expect("temp dir");
        let dest = dir.path().join("site");
        let real = dir.path().join("real");
        fs::create_dir_all(&real).expect("mkdir");
        fs::create_dir_all(&dest).expect("mkdir");
        fs::write(dest.join(".marker"), b"").expect("marker");
        fs::write(real.join("file.html"), b"same").expect("write");
        std::os::unix::fs::symlink(&real, dest.join("guidelines")).expect("symlink");
        let previous = Previous::at(&dest, ".marker").expect("a previous site");
        let target = dir.path().join("file.html");
        write_chunked(&previous, &target, b"same", &[4]);
        assert_ne!(inode(&target), inode(&real.join("file.html")));
    }

    /// A destination that is itself a link: the folder it leads to outlives the swap, so none
    /// of its files are reused.
    #[test]
    fn a_linked_destination_is_not_reused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let real = dir.path().join("real");
        fs::create_dir_all(&real).expect("mkdir");
        fs::write(real.join(".marker"), b"").expect("marker");
        let dest = dir.path().join("site");
        std::os::unix::fs::symlink(&real, &dest).expect("symlink");
        assert!(Previous::at(&dest, ".marker").is_none());
    }

    #[test]
    fn a_fifo_in_the_old_site_does_not_block_the_build() {
        let (dir, previous, target) = sites(b"unused");
        let old = dir.path().join("site/guidelines/file.html");
        fs::remove_file(&old).expect("remove");
        let status = std::process::Command::new("mkfifo").arg(&old).status();
        if !status.is_ok_and(|s| s.success()) {
            panic!("mkfifo is needed for this test");
        }
        write_chunked(&previous, &target, b"same", &[4]);
        assert_eq!(fs::read(&target).expect("read"), b"same");
    }
}
