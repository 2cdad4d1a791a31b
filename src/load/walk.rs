//! Walking the content root: every file, sorted, without hidden and temporary files, and
//! symbolic links that leave the folder refused with a located error.

use super::*;

/// What a walk of the content folder found.
#[derive(Debug, Clone, Default)]
pub(super) struct Listing {
    /// Every file, relative to the folder, in the walk's order.
    pub files: Vec<PathBuf>,
    /// The links refused and the limit reached.
    pub diagnostics: Diagnostics,
    /// Whether the walk met a symbolic link (followed or refused): a file may then be listed
    /// under two names, or read through a link whose target changes under another name, so
    /// only a walk can tell what a change did.
    pub links: bool,
}

/// Every file below `dir`, relative to it, sorted, skipping hidden and editor temporary files;
/// with a located error for each symbolic link that leads outside `dir`, dangles or loops
/// (paths in diagnostics relative to `book_root`). Links that stay inside are followed.
pub(super) fn list_files(book_root: &Path, dir: &Path) -> Result<Listing> {
    if !dir.is_dir() {
        return Err(Error::read(
            dir,
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "the content folder does not exist",
            ),
        ));
    }
    let real_root = dir.canonicalize().map_err(|e| Error::read(dir, e))?;
    let shown = |path: &Path| path.strip_prefix(book_root).unwrap_or(path).to_path_buf();
    let refuse = |path: &Path, message: String, help: &str| {
        Diagnostic::error("symlink", &shown(path), Position::new(1, 1), message).with_help(help)
    };
    let mut files = Vec::new();
    let mut diagnostics = Diagnostics::default();
    let mut links = false;
    let mut walker = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored(e.file_name().to_string_lossy().as_ref()));
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                links = true;
                let path = err.path().unwrap_or(dir).to_path_buf();
                let message = match err.loop_ancestor() {
                    Some(_) => "this symbolic link leads back into a folder that holds it (a loop)"
                        .to_string(),
                    None if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_symlink()) => {
                        "this symbolic link leads nowhere (its target does not exist)".to_string()
                    }
                    None => format!("cannot read this: {err}"),
                };
                diagnostics.push(refuse(
                    &path,
                    message,
                    "remove the link, or replace it with the file itself",
                ));
                continue;
            }
        };
        if entry.path_is_symlink() {
            links = true;
            let inside = entry
                .path()
                .canonicalize()
                .is_ok_and(|target| target.starts_with(&real_root));
            if !inside {
                diagnostics.push(refuse(
                    entry.path(),
                    "this symbolic link leads outside the content folder; its target is not published".into(),
                    "copy the file into the content folder instead of linking to it",
                ));
                if entry.file_type().is_dir() {
                    walker.skip_current_dir();
                }
                continue;
            }
        }
        if entry.file_type().is_file() {
            if files.len() == MAX_FILES {
                diagnostics.push(
                    Diagnostic::error(
                        "limit",
                        &shown(dir),
                        Position::new(1, 1),
                        format!("the content folder holds more than {MAX_FILES} files"),
                    )
                    .with_help("split the knowledge base into several books"),
                );
                break;
            }
            let relative = entry.path().strip_prefix(dir).unwrap_or(entry.path());
            files.push(relative.to_path_buf());
        }
    }
    Ok(Listing {
        files,
        diagnostics,
        links,
    })
}

/// The listing after files the watcher named were created or removed, without walking the
/// folder again: `None` whenever only a walk can tell. That is: a path outside the content
/// folder, a link, a folder, a new file in a folder no listed file is in, a name a walk ignores,
/// or a missing path that was not listed (a folder gone, say). The files keep a walk's order:
/// paths sorted component by component are the walk's depth-first order by file name. A new
/// file is read as an edit is (`Walked::No`), checking that no link on its way leaves the
/// folder.
pub(super) fn updated_listing(
    dir: &Path,
    files: &[PathBuf],
    changed: &std::collections::HashSet<PathBuf>,
) -> Option<Vec<PathBuf>> {
    use std::collections::HashSet;
    let known: HashSet<&Path> = files.iter().map(PathBuf::as_path).collect();
    // On a case-insensitive disk, `Foo.md` renamed `foo.md` is both an old and a new name.
    let folded = |p: &Path| p.to_string_lossy().to_lowercase();
    let known_folded: HashSet<String> = files.iter().map(|f| folded(f)).collect();
    let folders: HashSet<&Path> = files.iter().filter_map(|f| f.parent()).collect();
    let mut added: Vec<PathBuf> = Vec::new();
    let mut gone: HashSet<&Path> = HashSet::new();
    for full in changed {
        let relative = full.strip_prefix(dir).ok()?;
        match std::fs::symlink_metadata(full) {
            Ok(meta) if meta.is_file() => {
                let named =
                    |c: std::path::Component<'_>| c.as_os_str().to_string_lossy().into_owned();
                let ignored = relative.components().map(named).any(|n| is_ignored(&n));
                let folder = relative.parent().filter(|p| folders.contains(p));
                let twin = known_folded.contains(&folded(relative));
                match (known.contains(relative), folder, ignored || twin) {
                    (true, _, _) => {}
                    (false, Some(_), false) => added.push(relative.to_path_buf()),
                    _ => return None,
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && known.contains(relative) => {
                gone.insert(relative);
            }
            _ => return None,
        }
    }
    if files.len() + added.len() > MAX_FILES {
        return None;
    }
    let kept = files
        .iter()
        .filter(|f| !gone.contains(f.as_path()))
        .cloned();
    let mut files: Vec<PathBuf> = kept.chain(added).collect();
    files.sort();
    files.dedup();
    Some(files)
}

/// Whether a file's path was checked by [`list_files`] (no link on the way leaves the folder).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Walked {
    Checked,
    /// Read again without a fresh walk (an edit `serve` saw): the file or any folder on the
    /// way may have become a link since.
    No,
}

/// Whether `path`, with every link on the way resolved, is not inside `folder` (or is missing).
pub(super) fn leaves_folder(folder: &Path, path: &Path) -> bool {
    match (folder.canonicalize(), path.canonicalize()) {
        (Ok(folder), Ok(target)) => !target.starts_with(folder),
        _ => true,
    }
}

/// Hidden files and the temporary files editors leave beside the ones they save.
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with("___jb_tmp___")
        || name.ends_with("___jb_old___")
        || name == "4913"
}
