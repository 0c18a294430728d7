//! `mitchell model …` (placeholder until the embedded-model issue lands).

use crate::cli::{GlobalArgs, ModelCommand};
use crate::config::Env;
use crate::error::ExitStatus;
use crate::output::Output;

pub fn run(
    _g: &GlobalArgs,
    _c: ModelCommand,
    _e: &Env,
    _o: &mut Output,
) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("`mitchell model` is not available yet")
}
