//! The `hardcover-sync` command: a thin wrapper so the whole CLI stays testable as a library.

fn main() -> std::process::ExitCode {
    hardcover_sync_cli::main()
}
