//! The one checked join: every file guidebook writes (the site, its exports, the search index,
//! `init`, `schema --out`, `export --out`) is named by a `/`-separated path relative to a root,
//! and this module proves that path stays under that root before anything is written.
//!
//! Validation is by segment, so a name that reaches a path from content (an id, a slug, a tag, a
//! redirect key, an asset's file name) is refused whole, never "cleaned" into something else:
//! the author gets a located error from the stage that knows where the name came from, and this
//! join is the backstop that holds even if such a check is forgotten.

use std::path::{Path, PathBuf};

/// Why a path may not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{path}` is not a safe output path: {why}")]
pub struct UnsafePath {
    pub path: String,
    pub why: &'static str,
}

/// Names Windows reserves in every folder, with or without an extension.
const RESERVED: [&str; 22] = [
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// The longest file name most file systems accept, in bytes.
const MAX_SEGMENT: usize = 255;

/// Why `segment` cannot be one file or folder name of an output path, if it cannot.
pub fn segment_problem(segment: &str) -> Option<&'static str> {
    if segment.is_empty() {
        return Some("it has an empty segment (`//`, or a leading or trailing `/`)");
    }
    if segment == "." || segment == ".." {
        return Some("`.` and `..` segments would leave the folder");
    }
    if segment.len() > MAX_SEGMENT {
        return Some("a segment is longer than 255 bytes");
    }
    if segment
        .chars()
        .any(|c| c.is_control() || matches!(c, '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|'))
    {
        return Some("it holds a control character or one of \\ : * ? \" < > |");
    }
    if segment.ends_with(['.', ' ']) || segment.starts_with(' ') {
        return Some("a segment starts with a space or ends with a dot or a space");
    }
    let stem = segment.split('.').next().unwrap_or(segment);
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(stem)) {
        return Some("a segment is a name Windows reserves (CON, NUL, COM1...)");
    }
    None
}

/// Checks a `/`-separated path relative to an output root.
pub fn check(relative: &str) -> Result<(), UnsafePath> {
    let fail = |why| {
        Err(UnsafePath {
            path: relative.to_string(),
            why,
        })
    };
    if relative.starts_with('/') {
        return fail("it is absolute");
    }
    match relative.split('/').find_map(segment_problem) {
        Some(why) => fail(why),
        None => Ok(()),
    }
}

/// `root` joined with the checked `relative` path: the result is always below `root`.
pub fn join(root: &Path, relative: &str) -> Result<PathBuf, UnsafePath> {
    check(relative)?;
    Ok(relative
        .split('/')
        .fold(root.to_path_buf(), |p, s| p.join(s)))
}

/// Writes `bytes` to the checked `relative` path under `root`, creating folders on the way
/// (for the one-off writers: `init`, `schema --out`, `export --out`).
pub fn write(root: &Path, relative: &str, bytes: &[u8]) -> crate::error::Result<PathBuf> {
    use crate::error::Error;
    let target = join(root, relative)?;
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::write(dir, e))?;
    }
    std::fs::write(&target, bytes).map_err(|e| Error::write(&target, e))?;
    Ok(target)
}

/// The `/`-separated form of a relative path, for display and for URLs of files already
/// checked at load (edit links, export source fields, files of a build folder). Not a check:
/// writes go through [`to_site_path`] or [`join`].
pub fn slash_path(relative: &Path) -> String {
    let parts: Vec<_> = relative.iter().map(|p| p.to_string_lossy()).collect();
    parts.join("/")
}

/// The `/`-separated form of a relative file-system path (assets found under the content root).
pub fn to_site_path(relative: &Path) -> Result<String, UnsafePath> {
    let mut parts = Vec::new();
    for component in relative.components() {
        match component {
            std::path::Component::Normal(part) => match part.to_str() {
                Some(part) => parts.push(part),
                None => {
                    return Err(UnsafePath {
                        path: relative.to_string_lossy().into_owned(),
                        why: "it is not valid UTF-8",
                    });
                }
            },
            _ => {
                return Err(UnsafePath {
                    path: relative.to_string_lossy().into_owned(),
                    why: "it is absolute or holds `.` or `..`",
                });
            }
        }
    }
    let joined = parts.join("/");
    check(&joined)?;
    Ok(joined)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_paths_join_below_the_root() {
        for ok in [
            "index.html",
            "tags/日本.html",
            "frameworks/nist-800-53/ac-2.html",
            "img/My Diagram (v2).png",
            ".guidebook-build",
        ] {
            let joined = join(Path::new("/site"), ok).expect(ok);
            assert!(joined.starts_with("/site"), "{ok}");
        }
    }

    #[test]
    fn escaping_or_odd_paths_are_refused() {
        for bad in [
            "",
            "/etc/passwd",
            "../victim.txt",
            "a/../../victim.txt",
            "a/./b",
            "a//b",
            "a/",
            "tags/.html/..",
            "a\\..\\b",
            "c:/x",
            "con.html",
            "tags/NUL",
            "a\0b",
            "a\nb",
            "trailing.",
            "x/ y",
        ] {
            assert!(check(bad).is_err(), "{bad:?}");
            assert!(join(Path::new("/site"), bad).is_err(), "{bad:?}");
        }
        assert!(check(&"a".repeat(256)).is_err());
    }

    #[test]
    fn file_system_paths_convert_or_fail() {
        assert_eq!(
            to_site_path(Path::new("img/a.png")).as_deref(),
            Ok("img/a.png")
        );
        assert!(to_site_path(Path::new("../a.png")).is_err());
        assert!(to_site_path(Path::new("/a.png")).is_err());
    }
}
