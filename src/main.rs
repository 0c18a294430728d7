//! The `mitchell` binary: parse, run, exit. Everything else lives in the library so tests reach it.

use std::process::ExitCode;

fn main() -> ExitCode {
    let status = mitchell::run(std::env::args_os());
    ExitCode::from(status.code())
}
