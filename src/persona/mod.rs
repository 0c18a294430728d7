//! Personas: the typed spec (`spec`), discovery of built-in and user personas (`load`), and
//! rendering into a system prompt (`render`, the only minijinja user).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How much of a persona goes into the system prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Detail {
    /// Everything, for large remote models.
    Full,
    /// At most 600 tokens, for small local models.
    Compact,
}

impl fmt::Display for Detail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Detail::Full => "full",
            Detail::Compact => "compact",
        })
    }
}

impl FromStr for Detail {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "full" => Ok(Detail::Full),
            "compact" => Ok(Detail::Compact),
            other => Err(format!(
                "unknown detail '{other}' (expected full or compact)"
            )),
        }
    }
}

/// Renders the configured persona (`settings.persona`: a name or a path) into a system prompt,
/// with today's date and `settings.vars`. Persona and template problems are usage errors (exit 2).
///
/// Placeholder until the persona work lands: the contract is the signature.
pub fn system_prompt(settings: &crate::config::Settings, detail: Detail) -> anyhow::Result<String> {
    let _ = detail;
    Ok(format!(
        "You are {}, an infrastructure engineer.",
        settings.persona.value
    ))
}
