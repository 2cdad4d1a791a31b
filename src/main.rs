fn main() -> std::process::ExitCode {
    guidebook::cli::main()
}
