//! The command line, as clap types only: no filesystem, network or environment access here.
//! Doc comments are the help text; `tests/it/snapshots` holds every subcommand's `--help`.

mod ask;
mod documents;
mod eval;
mod mcp;
mod model;
mod persona;
mod sessions;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use crate::config::ColorChoice;

pub use crate::output::RenderChoice;

pub use ask::{AskArgs, ChatArgs, ModelArgs, ReplyArgs, ToolArgs};
pub use documents::{DocumentArgs, DocumentFormat, HealthCheckArgs, RouteArgs};
pub use eval::EvalArgs;
pub use mcp::McpCommand;
pub use model::{CacheCommand, ModelCommand, ModelFetchArgs, ModelPullArgs};
pub use persona::PersonaCommand;
pub use sessions::{ExportFormat, SessionsCommand};

/// Mitchell, an infrastructure engineer in your terminal: Terraform/Vault pragmatism, the
/// reliability ladder, DR tiers and postmortems. Runs offline on an embedded model by default,
/// or against any OpenAI-compatible endpoint.
#[derive(Debug, Parser)]
#[command(
    name = "mitchell",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options every subcommand accepts.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Persona to speak as: a built-in or user persona name, or a path to a YAML spec.
    #[arg(long, global = true, value_name = "NAME|PATH")]
    pub persona: Option<String>,
    /// Config file to read instead of $MITCHELL_CONFIG or $XDG_CONFIG_HOME/mitchell/config.yaml.
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// A persona template variable (repeatable).
    #[arg(long = "var", global = true, value_name = "KEY=VALUE")]
    pub vars: Vec<String>,
    /// When to colour output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// When to render answers as markdown [default: auto, i.e. when stdout is a terminal].
    #[arg(long, global = true, value_enum, value_name = "WHEN")]
    pub render: Option<RenderChoice>,
    /// More logging on stderr: -v debug, -vv trace (MITCHELL_LOG overrides).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// No notices, warnings or spinner on stderr; only errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Ask Mitchell one question; piped stdin is sent too. stdout carries only the answer.
    Ask(AskArgs),
    /// Talk to Mitchell in an interactive session (also: `mitchell` on a terminal).
    Chat(ChatArgs),
    /// Draft or render an incident postmortem.
    Postmortem(DocumentArgs),
    /// Draft or render an infrastructure overview with its architecture diagram.
    Overview(DocumentArgs),
    /// Score the weekly infrastructure health check.
    HealthCheck(HealthCheckArgs),
    /// Show which document (or plain chat) a request would be routed to.
    Route(RouteArgs),
    /// List the models an endpoint serves (GET /models).
    Models(ModelArgs),
    /// Manage local GGUF models and the persona prompt cache.
    #[command(subcommand)]
    Model(ModelCommand),
    /// List, show, render, recall and check personas.
    #[command(subcommand)]
    Persona(PersonaCommand),
    /// Measure persona fidelity: ask a suite of questions, check each answer, print `fidelity N/M`.
    Eval(EvalArgs),
    /// List, show, export, search and remove saved sessions.
    #[command(subcommand)]
    Sessions(SessionsCommand),
    /// List the MCP servers' tools (and which run without asking), or call one.
    #[command(subcommand)]
    Mcp(McpCommand),
    /// Show the effective configuration and where it is read from.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print a shell completion script (e.g. `source <(mitchell completions bash)`).
    Completions {
        /// The shell to complete in.
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Print the man page (roff): `mitchell man | man -l -`.
    Man,
}

/// Shells `mitchell completions` writes a script for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Elvish,
    Powershell,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print every effective setting and the layer it came from (secrets redacted).
    Show,
    /// Print where the config file is looked for.
    Path,
}
