//! `mitchell eval`: options only.

use std::path::PathBuf;

use clap::Args;

use super::{ModelArgs, ReplyArgs};

/// `mitchell eval`.
#[derive(Debug, Clone, Default, Args)]
pub struct EvalArgs {
    /// A YAML suite (name, questions: id, ask, expect_any, expect_all, reject) [default: the
    /// built-in suite for the mitchell persona].
    #[arg(long, value_name = "FILE")]
    pub suite: Option<PathBuf>,
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(flatten)]
    pub reply: ReplyArgs,
    /// Print one JSON object (suite, provider, model, passed, total, results) instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Exit 1 when fewer than N questions pass.
    #[arg(long, value_name = "N")]
    pub min: Option<usize>,
}
