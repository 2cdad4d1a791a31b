//! Watching the inputs: the content root, the theme folder, `extra-watch-dirs` and book.toml,
//! never the build folder. Bursts are coalesced by a debouncer; editor temporary files are
//! ignored; a rename onto a watched file (an atomic save) counts as a change.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use notify::{PollWatcher, RecommendedWatcher, RecursiveMode, Watcher};
use notify_debouncer_full::{DebounceEventResult, Debouncer, FileIdCache, new_debouncer_opt};

use super::{Live, ServeEvent, ServeOptions, rebuild};
use crate::error::{Error, Result};
use crate::load::is_ignored;
use crate::pipeline;

/// Keeps the watcher alive; dropping it stops watching.
pub struct WatchHandle {
    _native: Option<Debouncer<RecommendedWatcher, notify_debouncer_full::RecommendedCache>>,
    _poll: Option<Debouncer<PollWatcher, notify_debouncer_full::NoCache>>,
}

/// The folders and files whose changes trigger a rebuild.
struct Inputs {
    root: PathBuf,
    dirs: Vec<PathBuf>,
    config: PathBuf,
    build_dir: PathBuf,
}

impl Inputs {
    fn of(root: &Path) -> Result<Self> {
        let config = pipeline::load_config(root)?;
        let mut dirs = vec![root.join(&config.book.src)];
        dirs.extend(config.output.html.theme.iter().map(|t| root.join(t)));
        dirs.extend(config.build.extra_watch_dirs.iter().map(|d| root.join(d)));
        Ok(Self {
            root: root.to_path_buf(),
            dirs,
            config: root.join(crate::config::CONFIG_FILE),
            build_dir: root.join(&config.build.build_dir),
        })
    }

    /// Whether a change at `path` should trigger a rebuild.
    fn matters(&self, path: &Path) -> bool {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if is_ignored(&name) || path.starts_with(&self.build_dir) {
            return false;
        }
        path == self.config || self.dirs.iter().any(|d| path.starts_with(d))
    }
}

pub fn spawn(
    root: PathBuf,
    live: Arc<Live>,
    options: ServeOptions,
    report: Arc<dyn Fn(ServeEvent) + Send + Sync>,
) -> Result<WatchHandle> {
    let inputs = Inputs::of(&root)?;
    let (sender, receiver) = mpsc::channel::<DebounceEventResult>();
    let handle = if options.poll {
        let config = notify::Config::default().with_poll_interval(Duration::from_millis(100));
        let debouncer = new_debouncer_opt::<_, PollWatcher, _>(
            options.debounce,
            None,
            sender,
            notify_debouncer_full::NoCache,
            config,
        )
        .map_err(watch_error)?;
        WatchHandle {
            _native: None,
            _poll: Some(watch_inputs(debouncer, &inputs)?),
        }
    } else {
        let debouncer = notify_debouncer_full::new_debouncer(options.debounce, None, sender)
            .map_err(watch_error)?;
        WatchHandle {
            _native: Some(watch_inputs(debouncer, &inputs)?),
            _poll: None,
        }
    };
    std::thread::Builder::new()
        .name("guidebook-rebuild".into())
        .spawn(move || rebuild_loop(&inputs, &live, &receiver, report.as_ref()))
        .map_err(|e| Error::serve("cannot start the rebuild thread", e))?;
    Ok(handle)
}

fn watch_error(err: notify::Error) -> Error {
    Error::Watch(err)
}

fn watch_inputs<W: Watcher, C: FileIdCache>(
    mut debouncer: Debouncer<W, C>,
    inputs: &Inputs,
) -> Result<Debouncer<W, C>> {
    // The root non-recursively, for book.toml (editors replace it, so its inode changes).
    debouncer
        .watch(&inputs.root, RecursiveMode::NonRecursive)
        .map_err(watch_error)?;
    for dir in inputs.dirs.iter().filter(|d| d.is_dir()) {
        debouncer
            .watch(dir, RecursiveMode::Recursive)
            .map_err(watch_error)?;
    }
    Ok(debouncer)
}

/// Rebuilds once per batch of relevant changes; changes that arrive during a rebuild are
/// drained and answered with one more rebuild.
fn rebuild_loop(
    inputs: &Inputs,
    live: &Live,
    receiver: &mpsc::Receiver<DebounceEventResult>,
    report: &(dyn Fn(ServeEvent) + Send + Sync),
) {
    // The first build, then one per batch of changes.
    let mut generation = live.current().generation + 1;
    rebuild(&inputs.root, live, generation, &[], report);
    while let Ok(batch) = receiver.recv() {
        let mut changed = Changed::new();
        changed.add(inputs, batch, report);
        while let Ok(more) = receiver.try_recv() {
            changed.add(inputs, more, report);
        }
        if changed.relevant {
            generation += 1;
            // After lost events, naming no file makes the rebuild walk the content and check
            // every file's size and time.
            let paths: Vec<PathBuf> = match changed.rescan {
                true => Vec::new(),
                false => changed.paths.into_iter().collect(),
            };
            rebuild(&inputs.root, live, generation, &paths, report);
        }
    }
}

/// The relevant changes of one or more batches of events: every path created, written,
/// renamed or removed (the rebuild reads those again; see `load::load_cached`).
struct Changed {
    relevant: bool,
    /// The watcher lost events (an error, or a queue that overflowed).
    rescan: bool,
    paths: std::collections::BTreeSet<PathBuf>,
}

impl Changed {
    fn new() -> Self {
        Self {
            relevant: false,
            rescan: false,
            paths: std::collections::BTreeSet::new(),
        }
    }

    fn add(
        &mut self,
        inputs: &Inputs,
        batch: DebounceEventResult,
        report: &(dyn Fn(ServeEvent) + Send + Sync),
    ) {
        use notify::EventKind;
        let events = match batch {
            Ok(events) => events,
            Err(errors) => {
                for err in errors {
                    report(ServeEvent::WatchError(err.to_string()));
                }
                (self.relevant, self.rescan) = (true, true);
                return;
            }
        };
        for event in events.iter() {
            if event.need_rescan() {
                (self.relevant, self.rescan) = (true, true);
            }
            if matches!(event.kind, EventKind::Access(_)) {
                continue;
            }
            let paths: Vec<&PathBuf> = event.paths.iter().filter(|p| inputs.matters(p)).collect();
            if paths.is_empty() {
                continue;
            }
            self.relevant = true;
            self.paths.extend(paths.into_iter().cloned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{Event, EventKind, Flag, ModifyKind};
    use notify_debouncer_full::DebouncedEvent;

    fn inputs() -> Inputs {
        Inputs {
            root: PathBuf::from("/book"),
            dirs: vec![PathBuf::from("/book/content")],
            config: PathBuf::from("/book/book.toml"),
            build_dir: PathBuf::from("/book/build"),
        }
    }

    fn modified(path: &str) -> DebouncedEvent {
        let event = Event::new(EventKind::Modify(ModifyKind::Any)).add_path(PathBuf::from(path));
        DebouncedEvent::new(event, std::time::Instant::now())
    }

    /// Named files are read again; after lost events (an error, or a rescan flag) the rebuild
    /// names no file, so the content is walked and every file checked.
    #[test]
    fn lost_events_make_the_rebuild_check_everything() {
        let report = |_: ServeEvent| {};
        let mut changed = Changed::new();
        changed.add(&inputs(), Ok(vec![modified("/book/content/a.md")]), &report);
        assert!(changed.relevant && !changed.rescan);
        assert_eq!(changed.paths.len(), 1);

        let mut changed = Changed::new();
        changed.add(
            &inputs(),
            Err(vec![notify::Error::generic("overflow")]),
            &report,
        );
        assert!(changed.relevant && changed.rescan);

        let mut changed = Changed::new();
        let mut flagged = Event::new(EventKind::Other).set_flag(Flag::Rescan);
        flagged.paths.clear();
        let flagged = DebouncedEvent::new(flagged, std::time::Instant::now());
        changed.add(&inputs(), Ok(vec![flagged]), &report);
        assert!(changed.relevant && changed.rescan);
    }
}
