//! Options of the document commands (`postmortem`, `overview`, `health-check`) and `route`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::ModelArgs;

/// Output format of a document.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum DocumentFormat {
    #[default]
    Markdown,
    Json,
}

/// `mitchell postmortem` / `mitchell overview`.
#[derive(Debug, Clone, Default, Args)]
pub struct DocumentArgs {
    /// Free text to draft from (notes, a log summary). Piped stdin is used too.
    #[arg(value_name = "TEXT")]
    pub text: Vec<String>,
    /// Render this YAML or JSON file instead of drafting; no model is involved.
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DocumentFormat::Markdown)]
    pub format: DocumentFormat,
    /// Write the document to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Print the document's JSON Schema and exit.
    #[arg(long)]
    pub print_schema: bool,
    /// Largest stdin (and attached files) accepted, in bytes [default: 1048576].
    #[arg(long, value_name = "BYTES")]
    pub max_input: Option<u64>,
    /// Add a text file to draft from, before the notes (repeatable).
    #[arg(short = 'f', long = "file", value_name = "PATH")]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Sampling temperature for the draft, from 0 to 2 [default: 0.2].
    #[arg(long, value_name = "T")]
    pub temperature: Option<f32>,
    /// Longest draft, in tokens.
    #[arg(long, value_name = "N")]
    pub max_tokens: Option<u32>,
    /// Continue in the latest session (the document is stored there).
    #[arg(long, conflicts_with = "session")]
    pub r#continue: bool,
    /// Store the document in the named session.
    #[arg(long, value_name = "NAME")]
    pub session: Option<String>,
}

/// `mitchell health-check`.
#[derive(Debug, Clone, Default, Args)]
pub struct HealthCheckArgs {
    #[command(flatten)]
    pub doc: DocumentArgs,
    /// Measure backup ages against this RFC 3339 time [default: now].
    #[arg(long, value_name = "TIMESTAMP")]
    pub now: Option<String>,
}

/// `mitchell route`.
#[derive(Debug, Clone, Default, Args)]
pub struct RouteArgs {
    /// The request to classify.
    #[arg(value_name = "TEXT", required = true)]
    pub text: Vec<String>,
    /// Print the route and every score as JSON.
    #[arg(long)]
    pub json: bool,
}
