//! `mitchell`: a persona-driven LLM agent for infrastructure work.
//!
//! The flow is clap types (`cli`) → resolved `config::Settings` → one command function in `app` →
//! writes through `output::Output`. Errors travel up as `anyhow::Error` and are printed in one
//! place (`report::report`). This file holds the module list and `run`; nothing else.

#![deny(clippy::print_stdout, clippy::print_stderr)]

mod app;
pub mod cli;
pub mod config;
mod conversation;
pub mod documents;
mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod llm;
pub mod output;
pub mod persona;
pub mod report;
pub mod store;
pub mod tools;
pub mod yaml;

use std::ffi::OsString;

pub use error::ExitStatus;

/// Parses `args`, runs the chosen command and returns the process status. Never panics on bad
/// input; every error is printed once, here.
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitStatus {
    let args: Vec<OsString> = args.into_iter().collect();
    if let Some(status) = app::completions::respond(&args) {
        return status;
    }
    let cli = match <cli::Cli as clap::Parser>::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => return report::report_clap(&err),
    };
    let env = config::Env::from_process();
    let mut out = output::Output::new(cli.global.color, cli.global.verbose, &env);
    out.set_quiet(cli.global.quiet);
    out.set_render(cli.global.render.unwrap_or_default());
    output::logging::init(cli.global.verbose, out.terminal().stderr_color, &env);
    match app::dispatch(cli, &env, &mut out) {
        Ok(status) => status,
        Err(err) => report::report(&err, &mut out),
    }
}
