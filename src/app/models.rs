//! `mitchell models` (placeholder until the streaming issue lands).

use crate::cli::{GlobalArgs, ModelArgs};
use crate::config::Env;
use crate::error::ExitStatus;
use crate::output::Output;

pub fn run(
    _g: &GlobalArgs,
    _a: &ModelArgs,
    _e: &Env,
    _o: &mut Output,
) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("`mitchell models` is not available yet")
}
