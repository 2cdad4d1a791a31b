//! The hostile-content catalogue: what an author could put in a pull request (book.toml, front
//! matter, catalogs, file names, symbolic links, odd destinations, malformed or enormous files),
//! each with its expected outcome: a located error, a refusal, or a safe build. After every case
//! the previous site must be intact (when the build failed), nothing may have been written
//! beside the book, and no staging folder may be left behind.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::{copy_tree, fixture, snapshot};
use guidebook::error::Error;
use guidebook::pipeline::{self, BuildOptions};

/// What a case must produce.
enum Expect {
    /// A content error of this code, located in a file whose path contains the fragment.
    Located(&'static str, &'static str),
    /// A refusal (not a content error) whose message contains the fragment.
    Refused(&'static str),
    /// A build that succeeds; the check looks at the site written.
    Safe(fn(&Path)),
}

struct Case {
    name: &'static str,
    /// Changes the book at the given root; returns a `--dest` to build into, if any.
    setup: fn(&Path) -> Option<PathBuf>,
    expect: Expect,
}

const SECRET: &str = "TOP-SECRET-BESIDE-THE-BOOK";

fn write(root: &Path, relative: &str, text: &str) {
    let path = root.join(relative);
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(path, text).expect("write");
}

fn edit(root: &Path, relative: &str, from: &str, to: &str) {
    let path = root.join(relative);
    let text = fs::read_to_string(&path).expect("read");
    assert!(text.contains(from), "{relative} lacks {from:?}");
    fs::write(path, text.replacen(from, to, 1)).expect("write");
}

fn toml(root: &Path, text: &str) {
    let path = root.join("book.toml");
    let mut config = fs::read_to_string(&path).expect("read");
    config.push_str(text);
    fs::write(path, config).expect("write");
}

fn redirect(root: &Path, from: &str, to: &str) {
    edit(
        root,
        "book.toml",
        "[output.html.redirect]\n",
        &format!("[output.html.redirect]\n{from:?} = {to:?}\n"),
    );
}

fn html_key(root: &Path, line: &str) {
    edit(
        root,
        "book.toml",
        "[output.html]\n",
        &format!("[output.html]\n{line}\n"),
    );
}

fn guideline(id: &str, extra: &str, body: &str) -> String {
    format!(
        "---\nid: {id}\ntitle: Hostile {id}\nsummary: A test.\n{extra}controls:\n  - framework: demo\n    control: AC-3\n    relationship: intersects-with\n---\n\n{body}\n"
    )
}

fn catalog_id(root: &Path, id: &str) {
    edit(
        root,
        "content/frameworks/demo.yaml",
        "id: demo\n",
        &format!("id: {id:?}\n"),
    );
}

fn symlink(target: &Path, link: &Path) {
    fs::create_dir_all(link.parent().expect("parent")).expect("mkdir");
    std::os::unix::fs::symlink(target, link).expect("symlink");
}

fn secret(root: &Path) -> PathBuf {
    root.parent().expect("parent").join("secret.txt")
}

fn page_with(root: &Path, body: &str) {
    write(
        root,
        "content/pages/hostile.md",
        &format!("---\ntitle: Hostile\n---\n\n{body}\n"),
    );
}

fn html(dest: &Path, relative: &str) -> String {
    fs::read_to_string(dest.join(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

fn cases() -> Vec<Case> {
    use Expect::{Located, Refused, Safe};
    vec![
        // 1. Writes outside the build folder.
        Case {
            name: "redirect key climbing out",
            setup: |r| {
                redirect(r, "/../../victim.txt", "https://example.org/");
                None
            },
            expect: Located("config", "book.toml"),
        },
        Case {
            name: "redirect key with .. inside",
            setup: |r| {
                redirect(r, "/a/../../../x.html", "../b.html");
                None
            },
            expect: Located("config", "book.toml"),
        },
        Case {
            name: "redirect key with backslashes",
            setup: |r| {
                redirect(r, "/..\\..\\x.html", "../b.html");
                None
            },
            expect: Located("config", "book.toml"),
        },
        Case {
            name: "redirect key percent-encoded ..",
            setup: |r| {
                redirect(r, "/%2e%2e/x.html", "../b.html");
                None
            },
            expect: Located("config", "book.toml"),
        },
        Case {
            name: "redirect key a reserved name",
            setup: |r| {
                redirect(r, "/con.html", "../b.html");
                None
            },
            expect: Located("config", "book.toml"),
        },
        Case {
            name: "redirect key with a NUL",
            setup: |r| {
                redirect(r, "/a\u{0}.html", "../b.html");
                None
            },
            expect: Located("config", "book.toml"),
        },
        Case {
            name: "catalog id ..",
            setup: |r| {
                catalog_id(r, "..");
                None
            },
            expect: Located("invalid-id", "demo.yaml"),
        },
        Case {
            name: "catalog id climbing out",
            setup: |r| {
                catalog_id(r, "../../victim");
                None
            },
            expect: Located("invalid-id", "demo.yaml"),
        },
        Case {
            name: "catalog id with a slash",
            setup: |r| {
                catalog_id(r, "a/b");
                None
            },
            expect: Located("invalid-id", "demo.yaml"),
        },
        Case {
            name: "catalog id a reserved name",
            setup: |r| {
                catalog_id(r, "nul");
                None
            },
            expect: Located("invalid-id", "demo.yaml"),
        },
        Case {
            name: "OSCAL catalog file named like a device",
            setup: |r| {
                write(
                    r,
                    "content/frameworks/con.json",
                    "{\"catalog\": {\"uuid\": \"x\", \"metadata\": {\"title\": \"T\"}}}",
                );
                None
            },
            expect: Located("unsafe-name", "con.json"),
        },
        Case {
            name: "guideline file named con",
            setup: |r| {
                write(
                    r,
                    "content/guidelines/design/con.md",
                    &guideline("H-1", "", "x"),
                );
                None
            },
            expect: Located("unsafe-name", "con.md"),
        },
        Case {
            name: "domain folder named nul",
            setup: |r| {
                write(
                    r,
                    "content/guidelines/nul/_domain.md",
                    "---\nid: nul-domain\ntitle: N\n---\n",
                );
                None
            },
            expect: Located("unsafe-name", "_domain.md"),
        },
        Case {
            name: "example file name with a colon",
            setup: |r| {
                write(
                    r,
                    "content/examples/a:b.md",
                    "---\nid: ex-colon\ntitle: E\nguidelines: [A-1]\n---\nx\n",
                );
                None
            },
            expect: Located("unsafe-name", "a:b.md"),
        },
        Case {
            name: "page file named aux",
            setup: |r| {
                write(r, "content/pages/aux.md", "---\ntitle: Aux\n---\nx\n");
                None
            },
            expect: Located("unsafe-name", "aux.md"),
        },
        Case {
            name: "asset name with a newline",
            setup: |r| {
                write(r, "content/img/a\nb.png", "png");
                None
            },
            expect: Located("unsafe-name", "img/a"),
        },
        Case {
            name: "asset name with a backslash",
            setup: |r| {
                write(r, "content/img/a\\..\\x.png", "png");
                None
            },
            expect: Located("unsafe-name", "img/"),
        },
        Case {
            name: "tag 日本 gets a working page",
            setup: |r| {
                edit(
                    r,
                    "content/guidelines/design/a-1.md",
                    "tags: [threat-modelling]",
                    "tags: [threat-modelling, 日本]",
                );
                None
            },
            expect: Safe(|d| {
                assert!(html(d, "tags/日本.html").contains("A-1"));
                assert!(html(d, "guidelines/a-1.html").contains("href=\"../tags/日本.html\""));
            }),
        },
        Case {
            name: "tag of symbols only gets a digest page",
            setup: |r| {
                edit(
                    r,
                    "content/guidelines/design/a-1.md",
                    "tags: [threat-modelling]",
                    "tags: [threat-modelling, \"🔥🔥\"]",
                );
                None
            },
            expect: Safe(|d| {
                let tags: Vec<String> = fs::read_dir(d.join("tags"))
                    .expect("tags")
                    .flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect();
                assert!(
                    tags.iter()
                        .any(|t| t.starts_with("tag-") && t.ends_with(".html")),
                    "{tags:?}"
                );
            }),
        },
        Case {
            name: "tag that looks like a path",
            setup: |r| {
                edit(
                    r,
                    "content/guidelines/design/a-1.md",
                    "tags: [threat-modelling]",
                    "tags: [threat-modelling, \"../../victim\"]",
                );
                None
            },
            expect: Safe(|d| {
                assert!(html(d, "tags/victim.html").contains("A-1"));
            }),
        },
        Case {
            name: "tag named like a device",
            setup: |r| {
                edit(
                    r,
                    "content/guidelines/design/a-1.md",
                    "tags: [threat-modelling]",
                    "tags: [threat-modelling, CON]",
                );
                None
            },
            expect: Safe(|d| {
                assert!(!d.join("tags/con.html").exists());
                assert!(
                    fs::read_dir(d.join("tags"))
                        .expect("tags")
                        .flatten()
                        .any(|e| e.file_name().to_string_lossy().starts_with("con-"))
                );
            }),
        },
        Case {
            name: "control id that slugs to a device name",
            setup: |r| {
                edit(
                    r,
                    "content/frameworks/demo.yaml",
                    "      - id: AC-3\n",
                    "      - id: CON\n        title: Con\n      - id: AC-3\n",
                );
                edit(
                    r,
                    "content/guidelines/design/a-1.md",
                    "    control: AC-2\n",
                    "    control: CON\n",
                );
                None
            },
            expect: Safe(|d| {
                assert!(!d.join("frameworks/demo/con.html").exists());
            }),
        },
        Case {
            name: "tag index collides with the tags listing",
            setup: |r| {
                edit(
                    r,
                    "content/guidelines/design/a-1.md",
                    "tags: [threat-modelling]",
                    "tags: [threat-modelling, index]",
                );
                None
            },
            expect: Located("url-collision", "a-1.md"),
        },
        Case {
            name: "two tags that differ in case",
            setup: |r| {
                edit(
                    r,
                    "content/guidelines/design/a-1.md",
                    "tags: [threat-modelling]",
                    "tags: [threat-modelling, Threat-Modelling]",
                );
                None
            },
            expect: Located("url-collision", "a-1.md"),
        },
        Case {
            name: "example file index collides with the examples listing",
            setup: |r| {
                write(
                    r,
                    "content/examples/index.md",
                    "---\nid: ex-index\ntitle: E\nguidelines: [A-1]\n---\nx\n",
                );
                None
            },
            expect: Located("url-collision", "examples/index.md"),
        },
        Case {
            name: "redirect onto the home page",
            setup: |r| {
                redirect(r, "/index.html", "https://example.org/");
                None
            },
            expect: Located("url-collision", "book.toml"),
        },
        Case {
            name: "redirect onto a guideline page",
            setup: |r| {
                redirect(r, "/guidelines/a-1.html", "https://example.org/");
                None
            },
            expect: Located("url-collision", "book.toml"),
        },
        Case {
            name: "asset named like the home page",
            setup: |r| {
                write(r, "content/index.html", "<p>shadow</p>");
                None
            },
            expect: Located("url-collision", "content/index.html"),
        },
        Case {
            name: "asset named like a theme file",
            setup: |r| {
                write(r, "content/assets/guidebook.css", "body{}");
                None
            },
            expect: Located("url-collision", "guidebook.css"),
        },
        // 2. Script in static pages.
        Case {
            name: "git-repository-url javascript:",
            setup: |r| {
                edit(
                    r,
                    "book.toml",
                    "git-repository-url = \"https://git.example.org/guide\"",
                    "git-repository-url = \"javascript:alert(4)\"",
                );
                None
            },
            expect: Located("unsafe-url", "book.toml"),
        },
        Case {
            name: "edit-url-template data:",
            setup: |r| {
                edit(
                    r,
                    "book.toml",
                    "edit-url-template = \"https://git.example.org/guide/edit/main/{path}\"",
                    "edit-url-template = \"data:text/html,{path}\"",
                );
                None
            },
            expect: Located("unsafe-url", "book.toml"),
        },
        Case {
            name: "site-url protocol-relative",
            setup: |r| {
                edit(
                    r,
                    "book.toml",
                    "site-url = \"https://example.org/guide/\"",
                    "site-url = \"//evil.example/\"",
                );
                None
            },
            expect: Located("unsafe-url", "book.toml"),
        },
        Case {
            name: "site-url breaking out of its attribute",
            setup: |r| {
                edit(
                    r,
                    "book.toml",
                    "site-url = \"https://example.org/guide/\"",
                    "site-url = \"https://example.org/\\\"><script>alert(1)</script>\"",
                );
                None
            },
            expect: Located("unsafe-url", "book.toml"),
        },
        Case {
            name: "redirect target javascript:",
            setup: |r| {
                redirect(r, "/old/x.html", "javascript:alert(1)");
                None
            },
            expect: Located("unsafe-url", "book.toml"),
        },
        Case {
            name: "redirect target with a tab in the scheme",
            setup: |r| {
                redirect(r, "/old/x.html", "java\tscript:alert(1)");
                None
            },
            expect: Located("unsafe-url", "book.toml"),
        },
        Case {
            name: "reference URL javascript:",
            setup: |r| {
                edit(
                    r,
                    "content/guidelines/design/a-1.md",
                    "url: https://example.org/ref",
                    "url: \"javascript:alert(1)\"",
                );
                None
            },
            expect: Located("unsafe-url", "a-1.md"),
        },
        Case {
            name: "catalog control URL vbscript:",
            setup: |r| {
                edit(
                    r,
                    "content/frameworks/demo.yaml",
                    "        title: Account Management\n",
                    "        title: Account Management\n        url: \"vbscript:msgbox(1)\"\n",
                );
                None
            },
            expect: Located("unsafe-url", "demo.yaml"),
        },
        Case {
            name: "catalog URL data:",
            setup: |r| {
                edit(
                    r,
                    "content/frameworks/demo.yaml",
                    "url: https://example.org/demo",
                    "url: \"data:text/html,x\"",
                );
                None
            },
            expect: Located("unsafe-url", "demo.yaml"),
        },
        Case {
            name: "heading attributes with handlers",
            setup: |r| {
                page_with(r, "## Hi {#hi onclick=alert(1) .c onmouseover=x()}");
                None
            },
            expect: Safe(|d| {
                let page = html(d, "pages/hostile.html");
                assert!(
                    page.contains("id=\"hi\"")
                        && !page.contains("onclick")
                        && !page.contains("onmouseover"),
                    "{page}"
                );
            }),
        },
        Case {
            name: "raw script, handlers and iframes",
            setup: |r| {
                page_with(
                    r,
                    "<script>alert(1)</script><img src=x onerror=alert(2)><iframe src=//evil.example></iframe><svg onload=alert(3)>",
                );
                None
            },
            expect: Safe(|d| {
                let page = html(d, "pages/hostile.html").to_lowercase();
                for banned in ["<script>alert", "onerror", "<iframe", "onload"] {
                    assert!(!page.contains(banned), "{banned}");
                }
            }),
        },
        Case {
            name: "theme template without the policy",
            setup: |r| {
                write(r, "theme/templates/404.html", "<p>no policy</p>");
                html_key(r, "theme = \"theme\"");
                None
            },
            expect: Refused("leaves out the Content-Security-Policy"),
        },
        // 3. Files from outside the content root.
        Case {
            name: "asset symlinked to a secret",
            setup: |r| {
                symlink(&secret(r), &r.join("content/img/leak.txt"));
                None
            },
            expect: Located("symlink", "leak.txt"),
        },
        Case {
            name: "guideline symlinked to a secret",
            setup: |r| {
                symlink(&secret(r), &r.join("content/guidelines/design/leak.md"));
                None
            },
            expect: Located("symlink", "leak.md"),
        },
        Case {
            name: "folder symlinked out of the content",
            setup: |r| {
                symlink(r.parent().expect("parent"), &r.join("content/img/outside"));
                None
            },
            expect: Located("symlink", "outside"),
        },
        Case {
            name: "dangling symlink",
            setup: |r| {
                symlink(&r.join("nowhere.md"), &r.join("content/pages/dangling.md"));
                None
            },
            expect: Located("symlink", "dangling.md"),
        },
        Case {
            name: "symlink loop",
            setup: |r| {
                symlink(&r.join("content/img"), &r.join("content/img/loop"));
                None
            },
            expect: Located("symlink", "loop"),
        },
        Case {
            name: "symlink that stays inside is followed",
            setup: |r| {
                symlink(
                    &r.join("content/img/logo.png"),
                    &r.join("content/img/alias.png"),
                );
                None
            },
            expect: Safe(|d| {
                assert_eq!(
                    fs::read(d.join("img/alias.png")).expect("alias"),
                    fs::read(d.join("img/logo.png")).expect("logo")
                );
            }),
        },
        Case {
            name: "content root outside the book",
            setup: |r| {
                edit(r, "book.toml", "[book]\n", "[book]\nsrc = \"../\"\n");
                None
            },
            expect: Located("config", "book.toml"),
        },
        // 4. Destinations that hold the book.
        Case {
            name: "dest is the book root",
            setup: |r| Some(r.to_path_buf()),
            expect: Refused("refusing to build into"),
        },
        Case {
            name: "dest is the book root, marked as a build",
            setup: |r| {
                write(r, ".guidebook-build", "");
                Some(r.to_path_buf())
            },
            expect: Refused("refusing to build into"),
        },
        Case {
            name: "dest is the content folder",
            setup: |r| Some(r.join("content")),
            expect: Refused("refusing to build into"),
        },
        Case {
            name: "dest inside the content folder",
            setup: |r| Some(r.join("content/site")),
            expect: Refused("refusing to build into"),
        },
        Case {
            name: "dest is the folder above the book",
            setup: |r| Some(r.parent().expect("parent").to_path_buf()),
            expect: Refused("refusing to build into"),
        },
        Case {
            name: "dest spelled with ..",
            setup: |r| Some(r.join("book/../content/..")),
            expect: Refused("refusing to build into"),
        },
        Case {
            name: "dest is a symlink to the book",
            setup: |r| {
                let link = r.parent().expect("parent").join("alias");
                symlink(r, &link);
                Some(link)
            },
            expect: Refused("refusing to build into"),
        },
        // 7. Bounds.
        Case {
            name: "100,000 nested divs",
            setup: |r| {
                page_with(
                    r,
                    &format!("{}x{}", "<div>".repeat(100_000), "</div>".repeat(100_000)),
                );
                None
            },
            expect: Located("limit", "hostile.md"),
        },
        Case {
            name: "100,000 self-closed divs, which browsers leave open",
            setup: |r| {
                page_with(r, &"<div/>".repeat(100_000));
                None
            },
            expect: Located("limit", "hostile.md"),
        },
        Case {
            name: "100,000 divs behind stray closing tags",
            setup: |r| {
                page_with(r, &"<div></i>".repeat(100_000));
                None
            },
            expect: Located("limit", "hostile.md"),
        },
        Case {
            name: "a content folder named like a script URL, placed first in edit links",
            setup: |r| {
                fs::rename(r.join("content"), r.join("javascript:alert(1)")).expect("rename");
                edit(
                    r,
                    "book.toml",
                    "[book]\n",
                    "[book]\nsrc = \"javascript:alert(1)\"\n",
                );
                edit(
                    r,
                    "book.toml",
                    "edit-url-template = \"https://git.example.org/guide/edit/main/{path}\"",
                    "edit-url-template = \"{path}\"",
                );
                None
            },
            expect: Safe(|d| {
                let page = html(d, "guidelines/a-1.html");
                assert!(!page.contains("href=\"javascript:"), "{page}");
            }),
        },
        Case {
            name: "100,000 nested quotes",
            setup: |r| {
                page_with(r, &format!("{}x", "> ".repeat(100_000)));
                None
            },
            expect: Located("limit", "hostile.md"),
        },
        Case {
            name: "a file above the size limit",
            setup: |r| {
                page_with(r, &"word ".repeat(4 * 1024 * 1024));
                None
            },
            expect: Located("limit", "hostile.md"),
        },
        // 8. Errors that hide errors.
        Case {
            name: "invalid UTF-8 is located",
            setup: |r| {
                fs::write(
                    r.join("content/pages/latin1.md"),
                    b"---\ntitle: caf\xe9\n---\n",
                )
                .expect("write");
                None
            },
            expect: Located("encoding", "latin1.md"),
        },
        Case {
            name: "a broken guideline is the one error",
            setup: |r| {
                edit(
                    r,
                    "content/guidelines/design/a-1.md",
                    "title: Model the threats\n",
                    "title: Model the threats\ntitle: again\n",
                );
                None
            },
            expect: Located("yaml", "a-1.md"),
        },
        Case {
            name: "a broken domain is the one error",
            setup: |r| {
                edit(
                    r,
                    "content/guidelines/design/_domain.md",
                    "id:",
                    "id: [unclosed\nx:",
                );
                None
            },
            expect: Located("yaml", "_domain.md"),
        },
        Case {
            name: "a broken catalog is the one error",
            setup: |r| {
                edit(
                    r,
                    "content/frameworks/demo.yaml",
                    "controls:\n",
                    "controls:\n  - {\n",
                );
                None
            },
            expect: Located("yaml", "demo.yaml"),
        },
        Case {
            name: "last-modified that is not RFC 3339",
            setup: |r| {
                toml(r, "\n[guidebook]\nlast-modified = \"last tuesday\"\n");
                None
            },
            expect: Located("config", "book.toml"),
        },
    ]
}

/// Every file name directly in `dir` and its bytes, to see that nothing appeared beside the book.
fn beside(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut entries: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .expect("ls")
        .flatten()
        .map(|e| {
            let bytes = fs::read(e.path()).unwrap_or_default();
            (e.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect();
    entries.sort();
    entries
}

fn leftovers(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .expect("ls")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".book.") || n.starts_with(".search-index."))
        .collect()
}

/// Runs one case; `Err` says what went wrong.
fn run(case: &Case) -> Result<(), String> {
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let root = tmp.path().join("kb");
    copy_tree(&fixture("valid"), &root);
    fs::write(tmp.path().join("victim.txt"), "untouched").map_err(|e| e.to_string())?;
    fs::write(secret(&root), SECRET).map_err(|e| e.to_string())?;
    pipeline::build(&root, &BuildOptions::default()).map_err(|e| format!("first build: {e}"))?;
    let site = root.join("book");
    let before = snapshot(&site);
    let setup = case.setup;
    let dest = setup(&root);
    let around = beside(tmp.path());
    let options = BuildOptions {
        dest: dest.clone(),
        ..BuildOptions::default()
    };
    let result = pipeline::build(&root, &options);
    match (&case.expect, result) {
        (Expect::Located(code, file), Err(Error::Content(diagnostics))) => {
            let found = diagnostics.iter().find(|d| d.code == *code);
            let Some(found) = found else {
                return Err(format!("no `{code}` error in {diagnostics:#?}"));
            };
            if !found.file.to_string_lossy().contains(file) || found.position.line == 0 {
                return Err(format!("`{code}` not located in {file}: {found:?}"));
            }
            let errors: Vec<_> = diagnostics
                .iter()
                .filter(|d| d.severity == guidebook::diagnostic::Severity::Error)
                .collect();
            if case.name.ends_with("is the one error") && errors.len() != 1 {
                return Err(format!("expected only the cause, got {errors:#?}"));
            }
            if diagnostics.iter().any(|d| d.message.contains("Options")) {
                return Err(format!("library advice in {diagnostics:#?}"));
            }
        }
        (Expect::Refused(fragment), Err(err)) if !matches!(err, Error::Content(_)) => {
            if !err.to_string().contains(fragment) {
                return Err(format!("refused for another reason: {err}"));
            }
        }
        (Expect::Safe(check), Ok(report)) => {
            let dest = report.dest.unwrap_or(site.clone());
            check(&dest);
            for (path, bytes) in snapshot(&dest) {
                if String::from_utf8_lossy(&bytes).contains(SECRET) {
                    return Err(format!("{} publishes the secret", path.display()));
                }
            }
        }
        (_, outcome) => return Err(format!("unexpected outcome: {outcome:?}")),
    }
    if !matches!(case.expect, Expect::Safe(_)) && snapshot(&site) != before {
        return Err("the previous site changed".into());
    }
    if beside(tmp.path()) != around {
        return Err("something was written beside the book".into());
    }
    for dir in [tmp.path(), root.as_path()] {
        let left = leftovers(dir);
        if !left.is_empty() {
            return Err(format!("staging left behind: {left:?}"));
        }
    }
    Ok(())
}

#[test]
fn hostile_content_is_refused_or_built_safely() {
    let cases = cases();
    assert!(cases.len() >= 60, "{} cases", cases.len());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| run(case).err().map(|why| format!("{}: {why}", case.name)))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
