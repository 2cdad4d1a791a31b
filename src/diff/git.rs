//! The book as a git revision holds it: its files written into a scratch folder with git's
//! plumbing (`ls-tree`, `cat-file --batch`), never touching the work tree or the index.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::{Error, Result};

/// Where a book sits in its repository.
pub struct Repo {
    /// The repository's top folder.
    pub top: PathBuf,
    /// The book root relative to it (empty when the book is the repository).
    pub prefix: PathBuf,
}

impl Repo {
    pub fn of(book_root: &Path) -> Result<Repo> {
        let top = git(book_root, &["rev-parse", "--show-toplevel"])?;
        let top = PathBuf::from(String::from_utf8_lossy(&top).trim());
        let book = book_root
            .canonicalize()
            .map_err(|e| Error::read(book_root, e))?;
        let top = top.canonicalize().map_err(|e| Error::read(&top, e))?;
        let prefix = book
            .strip_prefix(&top)
            .unwrap_or(Path::new(""))
            .to_path_buf();
        Ok(Repo { top, prefix })
    }

    /// Writes the book as `revision` holds it into `into` (which becomes the book root).
    pub fn checkout(&self, revision: &str, into: &Path) -> Result<()> {
        let commit = format!("{revision}^{{commit}}");
        // The hash git verified is what gets read: a revision is never passed on as an argument
        // that could be taken for an option, nor read twice while a ref moves.
        let hash =
            git(&self.top, &["rev-parse", "--verify", "--quiet", &commit]).map_err(|_| {
                Error::Git(format!("`{revision}` is not a revision of this repository"))
            })?;
        let hash = String::from_utf8_lossy(&hash).trim().to_string();
        let prefix = self.prefix.to_string_lossy().replace('\\', "/");
        let mut args = vec!["ls-tree", "-r", "-z", "--full-tree", hash.as_str()];
        if !prefix.is_empty() {
            args.extend(["--", prefix.as_str()]);
        }
        let listing = git(&self.top, &args)?;
        let mut blobs = Vec::new();
        for entry in listing.split(|&b| b == 0).filter(|e| !e.is_empty()) {
            let entry = String::from_utf8_lossy(entry);
            let Some((meta, path)) = entry.split_once('\t') else {
                continue;
            };
            let fields: Vec<&str> = meta.split(' ').collect();
            // Files only (mode 100644/100755); links and submodules are not content.
            if let [mode, "blob", hash] = fields.as_slice()
                && mode.starts_with("100")
            {
                let relative = Path::new(path)
                    .strip_prefix(&self.prefix)
                    .unwrap_or(Path::new(path));
                blobs.push((relative.to_path_buf(), hash.to_string()));
            }
        }
        self.write_blobs(&blobs, into)
    }

    /// Reads the blobs through one `git cat-file --batch` and writes each under `into`.
    fn write_blobs(&self, blobs: &[(PathBuf, String)], into: &Path) -> Result<()> {
        let mut child = Command::new("git")
            .args(["cat-file", "--batch"])
            .current_dir(&self.top)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| Error::Git(format!("cannot run git: {e}")))?;
        let mut stdin = child
            .stdin
            .take()
            .ok_or_else(|| Error::Git("no stdin".into()))?;
        let hashes: String = blobs.iter().map(|(_, h)| format!("{h}\n")).collect();
        let writer = std::thread::spawn(move || stdin.write_all(hashes.as_bytes()));
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| Error::Git("no stdout".into()))?;
        let mut reader = BufReader::new(stdout);
        for (relative, _) in blobs {
            let mut header = String::new();
            reader
                .read_line(&mut header)
                .map_err(|e| Error::Git(e.to_string()))?;
            let size: usize = (header.split_whitespace().nth(2))
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| Error::Git(format!("unexpected cat-file output: {header}")))?;
            let mut bytes = vec![0; size + 1]; // the content and its newline
            reader
                .read_exact(&mut bytes)
                .map_err(|e| Error::Git(e.to_string()))?;
            bytes.pop();
            crate::safe_path::write(into, &crate::safe_path::slash_path(relative), &bytes)?;
        }
        let _ = writer.join();
        let _ = child.wait();
        Ok(())
    }
}

fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>> {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| Error::Git(format!("cannot run git: {e}")))?;
    if !output.status.success() {
        let said = String::from_utf8_lossy(&output.stderr);
        return Err(Error::Git(format!(
            "git {}: {}",
            args.join(" "),
            said.trim()
        )));
    }
    Ok(output.stdout)
}
