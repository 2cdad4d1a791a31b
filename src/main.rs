/// mimalloc rather than the system allocator: rendering and indexing allocate many small strings
/// on every core, where it is faster and returns memory more readily.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    no_transparent_huge_pages();
    guidebook::cli::main_with(keep_freed_memory)
}

/// Every command, first thing: no transparent huge pages for this process. mimalloc asks for
/// them on its arenas (`madvise(MADV_HUGEPAGE)`, done before `main`, so its `allow_thp` option
/// comes too late), and where the kernel's THP defrag setting is `madvise` (Debian's default)
/// each first touch of a 2 MiB page may stall on memory compaction. On the 2-core bench machine
/// that was more system time than the whole build's user time (1,000 guidelines: 1.6-2.2 s
/// against 1.2 s with THP off); the TLB gain of huge pages is small for a process this size.
fn no_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: a process-wide flag; the call takes integers only and cannot fail in a way that
    // matters (on error the process simply keeps THP).
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// mimalloc's `mi_option_purge_delay` (its options are numbered, not named, in the Rust
/// bindings; see `mi_option_e` in mimalloc.h).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// For one-shot commands (`build`, `check`, `export`), called before any other thread starts:
/// freed memory stays with the process instead of going back to the system. A build frees
/// and allocates gigabytes in passing at 10,000 guidelines, and each page handed back was
/// faulted in and zeroed again (7% of its time); it exits soon after its peak anyway. `serve`
/// keeps the default, so a long-running server hands back what a rebuild no longer needs.
fn keep_freed_memory() {
    // SAFETY: sets a plain integer option, before the command starts any thread (the call is
    // not thread-safe).
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, -1) }
}

#[cfg(test)]
mod tests {
    #[cfg(target_os = "linux")]
    #[test]
    fn transparent_huge_pages_are_off_after_the_call() {
        super::no_transparent_huge_pages();
        // SAFETY: reads a process flag.
        let disabled = unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) };
        assert_eq!(disabled, 1);
    }

    /// The option number still names the purge delay: its default in mimalloc 3 is 1000 ms
    /// (options.c; the header says 10, from mimalloc 2).
    #[test]
    fn the_purge_delay_option_is_the_one_set() {
        // SAFETY: reads a plain integer option.
        let delay = unsafe { libmimalloc_sys::mi_option_get(super::PURGE_DELAY) };
        assert_eq!(
            delay, 1000,
            "mimalloc's option numbers changed: see mimalloc.h"
        );
    }
}
