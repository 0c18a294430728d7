//! Options of `ask`, `chat` and everything else that talks to a model.

use std::path::PathBuf;

use clap::Args;

use crate::persona::Detail;
use crate::persona::playbook::Playbook;

/// Which model answers, and how.
#[derive(Debug, Clone, Default, Args)]
pub struct ModelArgs {
    /// A provider from the config file, or `local` for the embedded model.
    #[arg(long, value_name = "NAME")]
    pub provider: Option<String>,
    /// Model name (HTTP) or GGUF path/name (local).
    #[arg(long, value_name = "NAME")]
    pub model: Option<String>,
    /// Talk to the OpenAI-compatible endpoint at this URL (e.g. http://localhost:11434/v1).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Seconds without data before a stream is abandoned [default: 60].
    #[arg(long, value_name = "SECS")]
    pub idle_timeout: Option<u64>,
    /// Inference threads for the local model [default: all cores].
    #[arg(long, value_name = "N")]
    pub threads: Option<u32>,
    /// Chat template for a local model that has none (e.g. chatml, gemma, llama3).
    #[arg(long, value_name = "NAME")]
    pub chat_template: Option<String>,
}

/// How the reply is shaped (shared by `ask` and `chat`).
#[derive(Debug, Clone, Default, Args)]
pub struct ReplyArgs {
    /// `full` or `compact` persona prompt [default: compact for small local models].
    #[arg(long, value_enum)]
    pub detail: Option<Detail>,
    /// Sampling temperature, from 0 to 2.
    #[arg(long, value_name = "T")]
    pub temperature: Option<f32>,
    /// Longest reply, in tokens.
    #[arg(long, value_name = "N")]
    pub max_tokens: Option<u32>,
    /// An extra instruction appended to the system prompt.
    #[arg(long, value_name = "TEXT")]
    pub system: Option<String>,
    /// Add the persona's positions that bear on each question [default: auto = local only].
    #[arg(long, value_enum, value_name = "WHEN")]
    pub playbook: Option<Playbook>,
    /// Tokens of positions added per question [default: 300].
    #[arg(long, value_name = "TOKENS")]
    pub playbook_budget: Option<u32>,
}

/// What the model may run on this machine (`ask` and `chat`).
#[derive(Debug, Clone, Default, Args)]
pub struct ToolArgs {
    /// Tools for the model: `off` offers none, `read-only` runs only read-only probes, `ask`
    /// also asks before anything else [default: ask].
    #[arg(long, value_enum, value_name = "MODE")]
    pub tools: Option<crate::config::ToolMode>,
    /// Run commands matching this glob without asking (repeatable; tools.deny still wins).
    #[arg(long = "allow", value_name = "PATTERN")]
    pub allow: Vec<String>,
    /// Model steps per turn before the agent stops [default: 10].
    #[arg(long, value_name = "N")]
    pub max_steps: Option<u32>,
}

/// `mitchell ask`.
#[derive(Debug, Clone, Default, Args)]
pub struct AskArgs {
    /// The question. With piped stdin, sent first, then a blank line, then stdin.
    #[arg(value_name = "TEXT")]
    pub text: Vec<String>,
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(flatten)]
    pub reply: ReplyArgs,
    #[command(flatten)]
    pub tools: ToolArgs,
    /// Largest stdin (and attached files) accepted, in bytes [default: 1048576].
    #[arg(long, value_name = "BYTES")]
    pub max_input: Option<u64>,
    /// Add a text file as context, before the question (repeatable).
    #[arg(short = 'f', long = "file", value_name = "PATH")]
    pub files: Vec<PathBuf>,
    /// Ask for the whole reply at once instead of a stream.
    #[arg(long)]
    pub no_stream: bool,
    /// Print one JSON object (text, reasoning, tool_calls, usage, finish_reason, model, provider).
    #[arg(long)]
    pub json: bool,
    /// Print the model's reasoning on stderr even when stderr is not a terminal.
    #[arg(long)]
    pub show_reasoning: bool,
    /// Print the request that would be sent (key redacted) and send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not route document requests (postmortem, overview, health check); always chat.
    #[arg(long)]
    pub no_route: bool,
    /// Keep nothing of this exchange (by default every exchange is saved as a new session).
    #[arg(long, conflicts_with_all = ["continue", "session"])]
    pub no_save: bool,
    /// Append this exchange to the latest session.
    #[arg(long, conflicts_with = "session")]
    pub r#continue: bool,
    /// Append this exchange to the named session (created if new).
    #[arg(long, value_name = "NAME")]
    pub session: Option<String>,
}

/// `mitchell chat`.
#[derive(Debug, Clone, Default, Args)]
pub struct ChatArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(flatten)]
    pub reply: ReplyArgs,
    #[command(flatten)]
    pub tools: ToolArgs,
    /// Resume the latest session.
    #[arg(long, conflicts_with = "session")]
    pub r#continue: bool,
    /// Resume a session by id or name (a new name creates it).
    #[arg(long, value_name = "ID|NAME")]
    pub session: Option<String>,
    /// Largest attached file (or files together) accepted, in bytes [default: 1048576].
    #[arg(long, value_name = "BYTES")]
    pub max_input: Option<u64>,
    /// Add a text file as context of the first message (repeatable; `/file` adds more later).
    #[arg(short = 'f', long = "file", value_name = "PATH")]
    pub files: Vec<PathBuf>,
    /// Do not route document requests; always chat.
    #[arg(long)]
    pub no_route: bool,
    /// Print the model's reasoning on stderr.
    #[arg(long)]
    pub show_reasoning: bool,
}
