//! `mitchell persona …`.

use std::path::PathBuf;

use clap::Subcommand;

use crate::persona::Detail;

#[derive(Debug, Subcommand)]
pub enum PersonaCommand {
    /// List built-in and user personas with their source.
    List,
    /// Print a persona's YAML spec.
    Show {
        /// Persona name or path [default: the configured persona].
        name: Option<String>,
    },
    /// Print the system prompt a persona renders to.
    Render {
        /// Persona name or path [default: the configured persona].
        name: Option<String>,
        /// How much of the persona to include.
        #[arg(long, value_enum, default_value_t = Detail::Full)]
        detail: Detail,
    },
    /// Print the positions the playbook would add for a question, with scores and sections.
    Recall {
        /// The question.
        #[arg(required = true, value_name = "QUESTION")]
        question: Vec<String>,
        /// Tokens of positions to pick [default: the configured playbook_budget, 300].
        #[arg(long, value_name = "TOKENS")]
        budget: Option<u32>,
        /// Print one JSON object (question, budget, picked: section, text, score, tokens, matched).
        #[arg(long)]
        json: bool,
    },
    /// Validate a persona spec file and its templates.
    Check {
        /// The YAML file to check.
        file: PathBuf,
    },
}
