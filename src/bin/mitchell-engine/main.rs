//! `mitchell-engine`: the embedded llama.cpp engine, which `mitchell` runs as a child process
//! for `--provider local` and talks to in JSON lines (`mitchell::llm::local::wire`). Not meant
//! to be run by hand. The only user of `llama-cpp-2`: `engine` runs one generation, `prompt`
//! renders chat templates and names the prefix cache, `tools` is the ChatML tool-call layout,
//! `server` is the loop. Being its own executable keeps llama.cpp out of `mitchell` entirely.

mod engine;
mod prompt;
mod server;
mod tools;
mod utf8;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut stderr = std::io::stderr();
    match args.as_slice() {
        [] if !std::io::stdin().is_terminal() => server::main(),
        [flag] if flag == "--version" || flag == "-V" => {
            let version = format!("mitchell-engine {}\n", env!("CARGO_PKG_VERSION"));
            let _ = std::io::stdout().write_all(version.as_bytes());
            ExitCode::SUCCESS
        }
        _ => {
            let _ = writeln!(
                stderr,
                "error: mitchell-engine is started by mitchell for the embedded model \
                 (`mitchell ask --provider local …`); it takes no arguments and speaks JSON \
                 lines on stdin, not a terminal"
            );
            ExitCode::from(2)
        }
    }
}
