//! `mitchell sessions …` (placeholder until the sessions issue lands).

use crate::cli::{GlobalArgs, SessionsCommand};
use crate::config::Env;
use crate::error::ExitStatus;
use crate::output::Output;

pub fn run(
    _g: &GlobalArgs,
    _c: SessionsCommand,
    _e: &Env,
    _o: &mut Output,
) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("`mitchell sessions` is not available yet")
}
