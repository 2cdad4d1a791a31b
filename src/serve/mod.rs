//! `guidebook serve`: build into memory, serve over HTTP, rebuild on every change and tell open
//! pages to reload once the new site is complete.
//!
//! - `site`: an immutable snapshot of a built site (files with ETags, search index, errors).
//! - `http`: the axum router: files, `/api/search`, the live-reload event stream.
//! - `watch`: notify with a debouncer; decides which changes matter.
//!
//! Rebuilds are the pipeline's ([`crate::pipeline::live`]): serve asks for the next build,
//! incremental when it can be, and swaps in the snapshot made from it.
//!
//! A request always reads one complete snapshot; a rebuild makes a new one and swaps it in whole,
//! then broadcasts the reload. A failed rebuild keeps the last good files and publishes its
//! errors, which every open page shows in an overlay.

mod conn;
mod http;
mod site;
mod watch;

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use tokio::sync::broadcast;

use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
pub use site::Snapshot;

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub bind: IpAddr,
    pub port: u16,
    /// Watch the inputs and rebuild; `false` serves an existing build folder read-only.
    pub watch: bool,
    /// Poll the file system instead of relying on native events (network mounts, WSL).
    pub poll: bool,
    pub debounce: Duration,
    /// Host names requests may be addressed to besides localhost and the bound address.
    pub allowed_hosts: Vec<String>,
}

/// What the server tells the caller (the CLI prints it).
#[derive(Debug, Clone)]
pub enum ServeEvent {
    Listening(SocketAddr),
    Built {
        generation: u64,
        files: usize,
        /// Rebuilt incrementally: only what the change touched was rendered again.
        patched: bool,
        took: Duration,
    },
    Failed {
        diagnostics: Vec<Diagnostic>,
        took: Duration,
    },
    WatchError(String),
}

/// What open pages are told over the event stream.
#[derive(Debug, Clone)]
pub enum LiveEvent {
    Reload(u64),
    Errors(Arc<Vec<Diagnostic>>),
}

/// The state shared by the HTTP handlers and the rebuild loop.
pub struct Live {
    snapshot: RwLock<Arc<Snapshot>>,
    events: broadcast::Sender<LiveEvent>,
    /// Rendered Markdown kept across rebuilds: unchanged bodies are not rendered again.
    cache: Arc<crate::render::MarkdownCache>,
}

impl Live {
    pub fn new(snapshot: Snapshot) -> Arc<Self> {
        let (events, _) = broadcast::channel(64);
        Arc::new(Self {
            snapshot: RwLock::new(Arc::new(snapshot)),
            events,
            cache: Arc::default(),
        })
    }

    pub fn current(&self) -> Arc<Snapshot> {
        match self.snapshot.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Replaces the snapshot, then tells every open page.
    fn publish(&self, snapshot: Snapshot) {
        let event = if snapshot.errors.is_empty() {
            LiveEvent::Reload(snapshot.generation)
        } else {
            LiveEvent::Errors(snapshot.errors.clone())
        };
        match self.snapshot.write() {
            Ok(mut guard) => *guard = Arc::new(snapshot),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(snapshot),
        }
        let _ = self.events.send(event);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.events.subscribe()
    }
}

/// Builds the book at `root` and serves it until interrupted.
pub fn serve(
    root: &Path,
    options: &ServeOptions,
    report: Arc<dyn Fn(ServeEvent) + Send + Sync>,
) -> Result<()> {
    // Absolute, so the watcher's absolute event paths compare with the root's (`--root kb`).
    let root = root.canonicalize().map_err(|e| Error::read(root, e))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::serve("cannot start the runtime", e))?;
    runtime.block_on(run(root, options.clone(), report))
}

async fn run(
    root: PathBuf,
    options: ServeOptions,
    report: Arc<dyn Fn(ServeEvent) + Send + Sync>,
) -> Result<()> {
    // When watching, the first build runs on the rebuild thread: the server answers at once,
    // with a page that says the site is being built until it is in.
    let live = if options.watch {
        Live::new(Snapshot::empty())
    } else {
        Live::new(Snapshot::from_build_dir(&root)?)
    };
    let _watcher = if options.watch {
        Some(watch::spawn(
            root.clone(),
            live.clone(),
            options.clone(),
            report.clone(),
        )?)
    } else {
        None
    };
    let address = SocketAddr::new(options.bind, options.port);
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|e| Error::serve(format!("cannot listen on {address}"), e))?;
    let local = listener
        .local_addr()
        .map_err(|e| Error::serve("cannot read the bound address", e))?;
    report(ServeEvent::Listening(local));
    let hosts = Arc::new(http::AllowedHosts::new(
        options.bind,
        &options.allowed_hosts,
    ));
    conn::serve(listener, http::router(live, hosts), async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await;
    Ok(())
}

/// One rebuild for a change of `changed` files: incremental when the pipeline can make it so,
/// else rendered whole in memory; then the new snapshot is swapped in (or the errors are
/// published).
fn rebuild(
    root: &Path,
    live: &Live,
    generation: u64,
    changed: &[PathBuf],
    report: &(dyn Fn(ServeEvent) + Send + Sync),
) {
    let start = Instant::now();
    let previous = live.current();
    let (built, patched) = match previous.rebuild(changed, generation) {
        Some(snapshot) => (snapshot, true),
        None => (
            Snapshot::build(root, generation, &previous, live.cache.clone()),
            false,
        ),
    };
    match built {
        Ok(snapshot) => {
            let files = snapshot.file_count();
            live.publish(snapshot);
            report(ServeEvent::Built {
                generation,
                files,
                patched,
                took: start.elapsed(),
            });
        }
        Err(err) => {
            let diagnostics = match err {
                Error::Content(diagnostics) => diagnostics,
                other => vec![Diagnostic::error(
                    "build",
                    Path::new(crate::config::CONFIG_FILE),
                    crate::diagnostic::Position::new(1, 1),
                    other.to_string(),
                )],
            };
            live.publish(previous.with_errors(diagnostics.clone(), generation));
            report(ServeEvent::Failed {
                diagnostics,
                took: start.elapsed(),
            });
        }
    }
}
