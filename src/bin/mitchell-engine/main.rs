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

fn main() -> std::process::ExitCode {
    server::main()
}
