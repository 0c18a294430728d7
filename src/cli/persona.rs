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
    /// Validate a persona spec file and its templates.
    Check {
        /// The YAML file to check.
        file: PathBuf,
    },
}
