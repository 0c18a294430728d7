//! `mitchell chat` (placeholder until the REPL issue lands).

use crate::cli::{ChatArgs, GlobalArgs};
use crate::config::Env;
use crate::error::ExitStatus;
use crate::output::Output;

pub fn run(_g: &GlobalArgs, _a: ChatArgs, _e: &Env, _o: &mut Output) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("`mitchell chat` is not available yet")
}
