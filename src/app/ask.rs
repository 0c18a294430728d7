//! `mitchell ask` (placeholder until the streaming issue lands).

use crate::cli::{AskArgs, GlobalArgs};
use crate::config::Env;
use crate::error::ExitStatus;
use crate::output::Output;

pub fn run(_g: &GlobalArgs, _a: AskArgs, _e: &Env, _o: &mut Output) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("`mitchell ask` is not available yet")
}
