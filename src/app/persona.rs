//! `mitchell persona …` (placeholder until the persona work lands).

use crate::cli::{GlobalArgs, PersonaCommand};
use crate::config::Env;
use crate::error::ExitStatus;
use crate::output::Output;

pub fn run(
    _g: &GlobalArgs,
    _c: PersonaCommand,
    _e: &Env,
    _o: &mut Output,
) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("`mitchell persona` is not available yet")
}
