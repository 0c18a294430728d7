//! `mitchell sessions …`.

use clap::{Subcommand, ValueEnum};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Md,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum SessionsCommand {
    /// List sessions, newest first.
    List {
        /// Print a JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Print a session's messages [default: the latest session].
    Show {
        /// Session id or name.
        session: Option<String>,
    },
    /// Export a session as markdown or JSON.
    Export {
        /// Session id or name.
        session: String,
        #[arg(long, value_enum, default_value_t = ExportFormat::Md)]
        format: ExportFormat,
    },
    /// Delete sessions.
    Rm {
        /// Session ids or names.
        #[arg(required = true)]
        sessions: Vec<String>,
    },
    /// Full-text search over every message.
    Search {
        /// Words to look for.
        #[arg(required = true)]
        text: Vec<String>,
    },
}
