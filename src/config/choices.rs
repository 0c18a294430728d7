//! The small choice types a setting can hold (`--color`, `--render`, `--detail`,
//! `--playbook`): parsed from flags (clap), the config file (serde) and the environment
//! (`FromStr`), and printed by `config show` (`Display`). They live here, below every module
//! that reads them, so the configuration does not depend on the modules it configures.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// `--color` choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal, NO_COLOR is unset and TERM is not dumb.
    Auto,
    Always,
    Never,
}

/// `--render` (config `render`): whether answers are rendered as markdown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RenderChoice {
    /// Render when stdout is a terminal.
    #[default]
    Auto,
    Always,
    Never,
}

impl FromStr for RenderChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        <Self as clap::ValueEnum>::from_str(s, true)
    }
}

impl fmt::Display for RenderChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RenderChoice::Auto => "auto",
            RenderChoice::Always => "always",
            RenderChoice::Never => "never",
        })
    }
}

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

/// When the playbook is added.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Playbook {
    /// For the local provider only (small models drop stances from a long prompt).
    #[default]
    Auto,
    /// For every provider.
    On,
    /// Never.
    Off,
}

impl Playbook {
    /// Whether it applies to a request for the local provider (`local`) or an HTTP one.
    pub fn applies(self, local: bool) -> bool {
        match self {
            Playbook::Auto => local,
            Playbook::On => true,
            Playbook::Off => false,
        }
    }
}

impl fmt::Display for Playbook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Playbook::Auto => "auto",
            Playbook::On => "on",
            Playbook::Off => "off",
        })
    }
}

impl FromStr for Playbook {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(Playbook::Auto),
            "on" => Ok(Playbook::On),
            "off" => Ok(Playbook::Off),
            other => Err(format!(
                "unknown playbook '{other}' (expected auto, on or off)"
            )),
        }
    }
}

/// Tokens of positions added per question unless `playbook_budget` says otherwise.
pub const PLAYBOOK_BUDGET: u32 = 300;
