//! The `crossarb` binary: parses arguments and maps errors to exit codes (0 ok, 1 runtime
//! failure, 2 bad input or config). Everything else lives in the library.

fn main() -> std::process::ExitCode {
    crossarb::cli::main()
}
