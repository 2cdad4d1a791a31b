/// mimalloc rather than the system allocator: rendering and indexing allocate many small strings
/// on every core, where it is faster and returns memory more readily.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    guidebook::cli::main()
}
