/// mimalloc rather than the system allocator: rendering and indexing allocate many small strings
/// on every core, where it is faster and returns memory more readily.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    guidebook::cli::no_transparent_huge_pages();
    guidebook::cli::main_with(keep_freed_memory)
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
