//! Document commands (placeholder until the documents issue lands).

use crate::cli::{DocumentArgs, GlobalArgs, RouteArgs};
use crate::config::Env;
use crate::error::ExitStatus;
use crate::output::Output;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Postmortem,
    Overview,
    HealthCheck,
}

pub fn run(
    _g: &GlobalArgs,
    _k: Kind,
    _a: DocumentArgs,
    _now: Option<String>,
    _e: &Env,
    _o: &mut Output,
) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("documents are not available yet")
}

pub fn route(_a: &RouteArgs, _o: &mut Output) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("`mitchell route` is not available yet")
}
