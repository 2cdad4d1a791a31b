//! The command-line edge: parse arguments, call the pipeline, render diagnostics with miette,
//! map the outcome to an exit code. No build logic lives here.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use miette::{LabeledSpan, MietteDiagnostic, NamedSource, Report};

use crate::diagnostic::{Diagnostic, Severity};
use crate::error::Error;
use crate::pipeline::{self, BuildOptions};
use crate::search::SearchRequest;
use crate::serve::{ServeEvent, ServeOptions};

/// The two streams the CLI writes to.
#[derive(Clone, Copy)]
enum Stream {
    Out,
    Err,
}

/// Set, per stream, once its reader has gone away: what is left to print there is dropped.
static CLOSED: [std::sync::atomic::AtomicBool; 2] = [
    std::sync::atomic::AtomicBool::new(false),
    std::sync::atomic::AtomicBool::new(false),
];

/// Writes to stdout or stderr. A reader that went away (`guidebook search model | head -1`,
/// `guidebook check 2>&1 | head -1`) is not an error, nor a panic as with `println!`: the rest
/// of that stream's output is dropped and the command ends with its own exit code. Failing to
/// write results to stdout otherwise fails the command; failing to write to stderr cannot be
/// reported anywhere, so it only stops the messages.
fn emit(stream: Stream, args: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    use std::sync::atomic::Ordering;
    let closed = &CLOSED[stream as usize];
    if closed.load(Ordering::Relaxed) {
        return;
    }
    let written = match stream {
        Stream::Out => std::io::stdout().lock().write_fmt(args),
        Stream::Err => std::io::stderr().lock().write_fmt(args),
    };
    let Err(err) = written else { return };
    if err.kind() == std::io::ErrorKind::BrokenPipe || matches!(stream, Stream::Err) {
        closed.store(true, Ordering::Relaxed);
        return;
    }
    emit(
        Stream::Err,
        format_args!("error: writing to stdout: {err}\n"),
    );
    std::process::exit(2);
}

macro_rules! out {
    ($($arg:tt)*) => { emit(Stream::Out, format_args!($($arg)*)) };
}

macro_rules! outln {
    ($($arg:tt)*) => { emit(Stream::Out, format_args!("{}\n", format_args!($($arg)*))) };
}

macro_rules! errln {
    ($($arg:tt)*) => { emit(Stream::Err, format_args!("{}\n", format_args!($($arg)*))) };
}

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  the content has errors
  2  usage error, or a file could not be read or written";

/// For the commands that take `--deny-warnings`.
const EXIT_CODES_DENY: &str = "\
Exit codes:
  0  success
  1  the content has errors (or warnings, with --deny-warnings)
  2  usage error, or a file could not be read or written";

#[derive(Debug, Parser)]
#[command(name = "guidebook", version, about = "Turns a guidelines knowledge base into a fast, searchable website", after_help = EXIT_CODES_DENY)]
pub struct Cli {
    /// The book root (the folder holding book.toml); default: the nearest such folder upward.
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more detail (stage timings).
    #[arg(short, long, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the build folder (atomically: a failed build keeps the previous site).
    #[command(after_help = EXIT_CODES_DENY)]
    Build {
        /// Write the site here instead of `build-dir` from book.toml.
        #[arg(long, value_name = "DIR")]
        dest: Option<PathBuf>,
        /// Fail on warnings too.
        #[arg(long)]
        deny_warnings: bool,
        /// Print where the time went, stage by stage.
        #[arg(long)]
        timings: bool,
    },
    /// Run every validation of a build without writing anything.
    #[command(after_help = EXIT_CODES_DENY)]
    Check {
        /// Fail on warnings too.
        #[arg(long)]
        deny_warnings: bool,
        /// Output format for the diagnostics.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Serve the site on loopback, rebuild on every change and reload open pages.
    #[command(after_help = EXIT_CODES)]
    Serve(ServeArgs),
    /// Write OSCAL, CSV or JSON exports of the knowledge base (also in the build folder's exports/).
    #[command(after_help = EXIT_CODES)]
    Export {
        /// What to export.
        #[arg(long, value_enum, default_value_t = ExportFormat::All)]
        format: ExportFormat,
        /// Where to write the files.
        #[arg(long, value_name = "DIR", default_value = "exports")]
        out: PathBuf,
    },
    /// Write JSON Schemas for guideline, example, domain, page and framework files and book.toml.
    #[command(after_help = EXIT_CODES)]
    Schema {
        /// Where to write the schemas.
        #[arg(long, value_name = "DIR", default_value = "schemas")]
        out: PathBuf,
    },
    /// Create a new knowledge base that builds and checks clean.
    #[command(after_help = EXIT_CODES)]
    Init {
        /// The folder to create it in.
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Search the built site from the terminal (builds it first if the index is missing or stale).
    #[command(after_help = EXIT_CODES)]
    Search(SearchArgs),
    /// What changed between two git revisions of the knowledge base, for a reviewer: guidelines,
    /// mappings, examples, cross-references, catalog controls.
    #[command(after_help = EXIT_CODES)]
    Diff {
        /// The revision to compare from.
        #[arg(default_value = "HEAD")]
        from: String,
        /// The revision to compare to (default: the work tree).
        to: Option<String>,
        /// text, markdown (for a pull-request comment) or json (stable, for CI).
        #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
        format: DiffFormat,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    Text,
    Markdown,
    Json,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// The port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 3000)]
    pub port: u16,
    /// The address to listen on. Anything but loopback exposes your drafts to the network.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Also answer requests addressed to this host name (repeatable); localhost and the bound
    /// address are always answered, other names are refused (DNS rebinding).
    #[arg(long, value_name = "NAME")]
    pub allow_host: Vec<String>,
    /// Open the site in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Poll for changes instead of using native file events (network mounts, WSL).
    #[arg(long)]
    pub poll: bool,
    /// Serve the existing build folder read-only: no watching, no rebuilds, no reload script.
    #[arg(long)]
    pub no_watch: bool,
    /// How long to wait for a burst of changes to settle, in milliseconds.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(0..=100))]
    pub debounce_ms: u64,
}

#[derive(Debug, Clone, clap::Args)]
pub struct SearchArgs {
    /// The query: words, phrases in quotes, or identifiers such as AC-2, LLM01:2025, GOVERN 1.1.
    #[arg(required = true, num_args = 1..)]
    pub query: Vec<String>,
    /// Only results in this domain (its id, e.g. secure-design).
    #[arg(long)]
    pub domain: Option<String>,
    /// Only results mapped to or belonging to this framework (its id).
    #[arg(long)]
    pub framework: Option<String>,
    /// Only results with this tag.
    #[arg(long)]
    pub tag: Option<String>,
    /// Only results of this kind: guideline, example, page, domain, control, framework.
    #[arg(long)]
    pub kind: Option<String>,
    /// How many results (default: `limit-results` from book.toml).
    #[arg(long)]
    pub limit: Option<usize>,
    /// Print the results and facet counts as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Oscal,
    Csv,
    Json,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

pub fn main() -> ExitCode {
    main_with(|| {})
}

/// For a binary, first thing: no transparent huge pages for this process. mimalloc asks for
/// them on its arenas (`madvise(MADV_HUGEPAGE)`, done before `main`, so its `allow_thp` option
/// comes too late), and where the kernel's THP defrag setting is `madvise` (Debian's default)
/// each first touch of a 2 MiB page may stall on memory compaction. On the 2-core bench machine
/// that was more system time than a whole build's user time (1,000 guidelines: 1.6-2.2 s
/// against 1.2 s with THP off); the TLB gain of huge pages is small for a process this size.
/// Processes it starts (`git` for `diff`, the browser for `serve --open`) inherit the setting,
/// which does them no harm.
pub fn no_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: a process-wide flag; the call takes integers only, and on error the process
    // simply keeps THP.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// Like [`main`]; `one_shot` is called first when the command runs once and exits (`build`,
/// `check`, `export`), not for `serve` or `search`: a binary tunes its allocator there.
pub fn main_with(one_shot: fn()) -> ExitCode {
    let cli = Cli::parse();
    if matches!(
        cli.command,
        Command::Build { .. } | Command::Check { .. } | Command::Export { .. }
    ) {
        one_shot();
    }
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => ExitCode::from(code),
    }
}

/// Runs the command; `Err` carries the exit code after the problem has been printed.
fn run(cli: &Cli) -> Result<(), u8> {
    // These two need no existing book.
    match &cli.command {
        Command::Schema { out } => {
            return write_schemas(out, cli.quiet).map_err(|e| fail(&e, None, Format::Human));
        }
        Command::Init { dir } => {
            return init(dir, cli.quiet).map_err(|e| fail(&e, None, Format::Human));
        }
        _ => {}
    }
    let root = locate_root(cli.root.as_deref()).map_err(|e| fail(&e, None, Format::Human))?;
    match &cli.command {
        Command::Build {
            dest,
            deny_warnings,
            timings,
        } => {
            let options = BuildOptions {
                dest: dest.clone(),
                deny_warnings: *deny_warnings,
                ..BuildOptions::default()
            };
            let report = pipeline::build(&root, &options)
                .map_err(|e| fail(&e, Some(&root), Format::Human))?;
            print_diagnostics(&report.diagnostics, &root, cli.quiet);
            if !cli.quiet {
                let dest = report.dest.as_deref().unwrap_or(Path::new("?"));
                errln!(
                    "built {} files ({} KiB) into {}",
                    report.pages,
                    report.bytes / 1024,
                    dest.display()
                );
            }
            if *timings || cli.verbose {
                print_timings(&report.timings);
            }
            Ok(())
        }
        Command::Check {
            deny_warnings,
            format,
        } => {
            let options = BuildOptions {
                dest: None,
                deny_warnings: *deny_warnings,
                ..BuildOptions::default()
            };
            let report =
                pipeline::check(&root, &options).map_err(|e| fail(&e, Some(&root), *format))?;
            match format {
                Format::Json => outln!("{}", diagnostics_json(&report.diagnostics, true)),
                Format::Human => {
                    print_diagnostics(&report.diagnostics, &root, cli.quiet);
                    if !cli.quiet {
                        errln!("check passed: {} warning(s)", report.diagnostics.len());
                    }
                }
            }
            Ok(())
        }
        Command::Search(args) => {
            search(&root, args).map_err(|e| fail(&e, Some(&root), Format::Human))
        }
        Command::Diff { from, to, format } => {
            let diff = crate::diff::between_revisions(&root, from, to.as_deref())
                .map_err(|e| fail(&e, Some(&root), Format::Human))?;
            match format {
                DiffFormat::Json => outln!(
                    "{}",
                    serde_json::to_string_pretty(&diff).unwrap_or_default()
                ),
                DiffFormat::Markdown => out!("{}", diff.render(true)),
                DiffFormat::Text => out!("{}", diff.render(false)),
            }
            Ok(())
        }
        Command::Schema { .. } | Command::Init { .. } => Ok(()),
        Command::Export { format, out } => {
            export(&root, *format, out, cli.quiet).map_err(|e| fail(&e, Some(&root), Format::Human))
        }
        Command::Serve(args) => {
            serve(&root, args, cli.quiet).map_err(|e| fail(&e, Some(&root), Format::Human))
        }
    }
}

fn write_schemas(out: &Path, quiet: bool) -> Result<(), Error> {
    for (name, text) in crate::schema::all() {
        let target = crate::safe_path::write(out, name, text.as_bytes())?;
        if !quiet {
            errln!("wrote {}", target.display());
        }
    }
    Ok(())
}

fn init(dir: &Path, quiet: bool) -> Result<(), Error> {
    let files = crate::init::scaffold(dir)?;
    if !quiet {
        for file in &files {
            errln!("created {}", dir.join(file).display());
        }
        let cd = if dir == Path::new(".") {
            String::new()
        } else {
            format!("cd {} && ", dir.display())
        };
        errln!("\nNext steps:");
        errln!("  {cd}guidebook serve    preview at http://127.0.0.1:3000/ while you edit");
        errln!("  {cd}guidebook check    validate everything (add --deny-warnings in CI)");
        errln!("  {cd}guidebook build    write the static site into book/");
        errln!(
            "Add guidelines under content/guidelines/<domain>/ and catalogs under content/frameworks/."
        );
        errln!(
            "In VS Code, install the YAML extension: .vscode/settings.json already wires the schemas."
        );
    }
    Ok(())
}

fn export(root: &Path, format: ExportFormat, out: &Path, quiet: bool) -> Result<(), Error> {
    use crate::export::Format as F;
    let formats: Vec<F> = match format {
        ExportFormat::Oscal => vec![F::Oscal],
        ExportFormat::Csv => vec![F::Csv],
        ExportFormat::Json => vec![F::Json],
        ExportFormat::All => crate::export::ALL.to_vec(),
    };
    let (site, diagnostics) = pipeline::resolve_site(root)?;
    print_diagnostics(&diagnostics, root, quiet);
    for (path, text) in crate::export::files(&site, &formats) {
        let target = crate::safe_path::write(out, &path, text.as_bytes())?;
        if !quiet {
            errln!("wrote {}", target.display());
        }
    }
    Ok(())
}

fn serve(root: &Path, args: &ServeArgs, quiet: bool) -> Result<(), Error> {
    if !args.bind.is_loopback() {
        errln!(
            "warning: listening on {}: anyone who can reach this machine can read the site and its drafts",
            args.bind
        );
    }
    let options = ServeOptions {
        bind: args.bind,
        port: args.port,
        watch: !args.no_watch,
        poll: args.poll,
        debounce: std::time::Duration::from_millis(args.debounce_ms),
        allowed_hosts: args.allow_host.clone(),
    };
    let root_for_report = root.to_path_buf();
    let open = args.open;
    let report = move |event: ServeEvent| match event {
        ServeEvent::Listening(address) => {
            let url = format!("http://{address}/");
            errln!(
                "serving {} at {url} (Ctrl-C to stop)",
                root_for_report.display()
            );
            if open {
                open_browser(&url);
            }
        }
        ServeEvent::Built {
            generation,
            files,
            patched,
            took,
        } if !quiet => {
            let how = if patched { " (incremental)" } else { "" };
            errln!(
                "build {generation}: {files} files in {:.0} ms{how}",
                took.as_secs_f64() * 1000.0
            );
        }
        ServeEvent::Built { .. } => {}
        ServeEvent::Failed { diagnostics, took } => {
            print_diagnostics(&diagnostics, &root_for_report, false);
            errln!(
                "build failed in {:.0} ms: still serving the last good site; the errors show on every page",
                took.as_secs_f64() * 1000.0
            );
        }
        ServeEvent::WatchError(message) => errln!("warning: watching: {message}"),
    };
    crate::serve::serve(root, &options, std::sync::Arc::new(report))
}

/// Best effort: the platform's opener, silently skipped where there is none.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let _ = std::process::Command::new(opener)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}

fn search(root: &Path, args: &SearchArgs) -> Result<(), Error> {
    let config = pipeline::load_config(root)?;
    if !config.output.html.search.enable {
        return Err(Error::Usage(
            "search is disabled for this book: set `enable = true` under [output.html.search] in book.toml".into(),
        ));
    }
    let index = pipeline::open_search_index(root)?;
    let request = SearchRequest {
        q: args.query.join(" "),
        domain: args.domain.clone(),
        framework: args.framework.clone(),
        tag: args.tag.clone(),
        kind: args.kind.clone(),
        limit: args.limit,
    };
    let search = &config.output.html.search;
    let response = index.search(&request, search.boost_title, search.limit_results)?;
    if args.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&response).unwrap_or_default()
        );
        return Ok(());
    }
    let color = std::io::stdout().is_terminal();
    if response.results.is_empty() {
        outln!("no results for \"{}\"", response.query);
    }
    for (rank, hit) in response.results.iter().enumerate() {
        let id = hit
            .id
            .as_deref()
            .map(|id| format!("{id}  "))
            .unwrap_or_default();
        let title = match &hit.section {
            Some(section) => format!("{} › {section}", hit.title),
            None => hit.title.clone(),
        };
        outln!("{:>2}. {id}{title}  [{}]", rank + 1, hit.kind);
        outln!("    {}", hit.url);
        outln!("    {}", terminal_snippet(&hit.snippet, color));
    }
    Ok(())
}

/// The snippet's `<mark>`s as bold (on a terminal) or `*...*`, with HTML entities decoded.
fn terminal_snippet(html: &str, color: bool) -> String {
    let (open, close) = if color {
        ("\x1b[1;33m", "\x1b[0m")
    } else {
        ("*", "*")
    };
    html.replace("<mark>", open)
        .replace("</mark>", close)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn locate_root(explicit: Option<&Path>) -> Result<PathBuf, Error> {
    match explicit {
        Some(root) if root.join(crate::config::CONFIG_FILE).is_file() => Ok(root.to_path_buf()),
        Some(root) => Err(Error::NoBookRoot(root.to_path_buf())),
        None => {
            let cwd = std::env::current_dir().map_err(|e| Error::read(".", e))?;
            pipeline::find_root(&cwd)
        }
    }
}

/// Prints `err` and returns its exit code.
fn fail(err: &Error, root: Option<&Path>, format: Format) -> u8 {
    match err {
        Error::Content(diagnostics) => {
            if format == Format::Json {
                outln!("{}", diagnostics_json(diagnostics, false));
            } else {
                print_diagnostics(diagnostics, root.unwrap_or(Path::new(".")), false);
                let errors = diagnostics
                    .iter()
                    .filter(|d| d.severity == Severity::Error)
                    .count();
                let warnings = diagnostics.len() - errors;
                errln!("error: build failed: {errors} error(s), {warnings} warning(s)");
            }
            1
        }
        _ => {
            if format == Format::Json {
                let value =
                    serde_json::json!({ "ok": false, "error": err.to_string(), "diagnostics": [] });
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&value).unwrap_or_default()
                );
            }
            errln!("error: {err}");
            if matches!(err, Error::Theme(_) | Error::Template { .. }) {
                1
            } else {
                2
            }
        }
    }
}

fn diagnostics_json(diagnostics: &[Diagnostic], ok: bool) -> String {
    let value = serde_json::json!({ "ok": ok, "diagnostics": diagnostics });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

fn print_diagnostics(diagnostics: &[Diagnostic], root: &Path, quiet: bool) {
    for diagnostic in diagnostics {
        if quiet && diagnostic.severity == Severity::Warning {
            continue;
        }
        errln!("{:?}", to_report(diagnostic, root));
    }
}

fn print_timings(timings: &[(&'static str, std::time::Duration)]) {
    let total: std::time::Duration = timings.iter().map(|(_, d)| *d).sum();
    // Wide enough for the longest stage name (`client-index+exports`).
    let width = timings
        .iter()
        .map(|(stage, _)| stage.len())
        .chain([11])
        .max()
        .unwrap_or(11);
    for (stage, duration) in timings {
        errln!(
            "  {stage:<width$} {:>9.1} ms",
            duration.as_secs_f64() * 1000.0
        );
    }
    errln!(
        "  {:<width$} {:>9.1} ms",
        "total",
        total.as_secs_f64() * 1000.0
    );
    // The process's peak resident memory so far, where the system reports it (Linux).
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    if let Some(kib) = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
    {
        errln!("  {:<width$} {:>9.1} MiB", "peak memory", kib / 1024.0);
    }
}

/// A miette report quoting the offending line, with `file:line:column` in its header.
fn to_report(diagnostic: &Diagnostic, root: &Path) -> Report {
    let severity = match diagnostic.severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
    };
    let mut report = MietteDiagnostic::new(diagnostic.message.clone())
        .with_code(diagnostic.code)
        .with_severity(severity);
    if let Some(help) = &diagnostic.help {
        report = report.with_help(help.clone());
    }
    let name = diagnostic.file.display().to_string();
    // Lossy, so a file that is not UTF-8 is still quoted (at the byte that is wrong).
    let text = std::fs::read(root.join(&diagnostic.file))
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default();
    // A line too long to read in a terminal (a minified file, a hostile one) is not quoted.
    let quotable = text
        .lines()
        .nth(diagnostic.position.line.saturating_sub(1))
        .is_some_and(|line| line.len() <= 400);
    match byte_span(&text, diagnostic.position.line, diagnostic.position.column)
        .filter(|_| quotable)
    {
        Some(span) => Report::new(report.with_label(LabeledSpan::at(span, "here")))
            .with_source_code(NamedSource::new(name, text)),
        None => {
            let at = format!(
                "at {name}:{}:{}",
                diagnostic.position.line, diagnostic.position.column
            );
            let help = match &diagnostic.help {
                Some(help) => format!("{help}\n{at}"),
                None => at,
            };
            Report::new(report.with_help(help))
        }
    }
}

/// The byte range of the token at 1-based `line` and `column` (character-based) in `text`.
fn byte_span(text: &str, line: usize, column: usize) -> Option<std::ops::Range<usize>> {
    let line_start = if line <= 1 {
        0
    } else {
        text.match_indices('\n').nth(line - 2).map(|(i, _)| i + 1)?
    };
    let line_text = text[line_start..].split('\n').next().unwrap_or("");
    let col_offset = line_text
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line_text.len(), |(i, _)| i);
    let token_len = line_text[col_offset..]
        .find(char::is_whitespace)
        .unwrap_or(line_text.len() - col_offset)
        .max(1)
        .min(line_text.len().saturating_sub(col_offset).max(1));
    let start = line_start + col_offset;
    Some(start..(start + token_len).min(text.len().max(start)))
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn transparent_huge_pages_are_off_after_the_call() {
        // SAFETY: reads a process flag.
        let flag = || unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) };
        // SAFETY: clears it first (a child inherits it from whoever ran the tests).
        unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 0, 0, 0, 0) };
        assert_eq!(flag(), 0);
        super::no_transparent_huge_pages();
        assert_eq!(flag(), 1);
    }
}
