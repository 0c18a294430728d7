//! The agent's settings: `tools:` in config.yaml, `MITCHELL_TOOLS`, and the `--tools`,
//! `--allow` and `--max-steps` flags, merged like every other setting (the last layer that
//! sets a value wins; `allow` and `deny` rules of every layer add up).

use serde::{Deserialize, Serialize};

use super::{Env, Source, Sourced};

/// Steps per turn when nothing else is configured.
pub const DEFAULT_MAX_STEPS: u32 = 10;

/// What the model may do with tools.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum ToolMode {
    /// No tools are offered.
    Off,
    /// Read-only commands run; everything else is refused without asking.
    ReadOnly,
    /// Read-only commands run; anything else is asked on a terminal (refused without one).
    #[default]
    Ask,
}

impl ToolMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ToolMode::Off => "off",
            ToolMode::ReadOnly => "read-only",
            ToolMode::Ask => "ask",
        }
    }
}

impl std::fmt::Display for ToolMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `tools:` in config.yaml.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ToolsConfig {
    pub mode: Option<ToolMode>,
    /// Glob rules over a command line that run without asking.
    #[serde(default)]
    pub allow: Vec<String>,
    /// Glob rules that never run (deny wins over allow and over approval).
    #[serde(default)]
    pub deny: Vec<String>,
    /// Seconds a command may run (default 30).
    pub timeout: Option<u64>,
    /// Model steps per turn (default 10).
    pub max_steps: Option<u32>,
    /// Scrub secrets from tool results for the embedded model too (default true).
    pub redact_local: Option<bool>,
}

/// The flag layer of the tool settings.
#[derive(Debug, Clone, Default)]
pub struct ToolFlags {
    pub mode: Option<ToolMode>,
    pub allow: Vec<String>,
    pub max_steps: Option<u32>,
}

/// The effective tool settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolSettings {
    pub mode: Sourced<ToolMode>,
    pub allow: Vec<String>,
    pub deny: Vec<String>,
    pub timeout_secs: u64,
    pub max_steps: u32,
    pub redact_local: bool,
}

pub const DEFAULT_TOOL_TIMEOUT: u64 = 30;

impl ToolSettings {
    /// Merges file, environment (`MITCHELL_TOOLS`) and flags.
    pub fn resolve(
        file: Option<(&std::path::Path, &ToolsConfig)>,
        env: &Env,
        flags: &ToolFlags,
    ) -> Result<ToolSettings, super::ConfigError> {
        let mut mode = Sourced::new(ToolMode::default(), Source::Default);
        let empty = ToolsConfig::default();
        let (cfg, path) = match file {
            Some((path, cfg)) => (cfg, Some(path)),
            None => (&empty, None),
        };
        if let (Some(m), Some(path)) = (cfg.mode, path) {
            mode = Sourced::new(m, Source::File(path.to_owned()));
        }
        if let Some(v) = env.non_empty("MITCHELL_TOOLS") {
            let m = <ToolMode as clap::ValueEnum>::from_str(v.trim(), true).map_err(|_| {
                super::ConfigError::BadEnv {
                    var: "MITCHELL_TOOLS",
                    value: v.to_owned(),
                }
            })?;
            mode = Sourced::new(m, Source::Env("MITCHELL_TOOLS"));
        }
        if let Some(m) = flags.mode {
            mode = Sourced::new(m, Source::Flag("--tools"));
        }
        let mut allow = cfg.allow.clone();
        allow.extend(flags.allow.iter().cloned());
        Ok(ToolSettings {
            mode,
            allow,
            deny: cfg.deny.clone(),
            timeout_secs: cfg.timeout.unwrap_or(DEFAULT_TOOL_TIMEOUT).max(1),
            max_steps: flags
                .max_steps
                .or(cfg.max_steps)
                .unwrap_or(DEFAULT_MAX_STEPS)
                .max(1),
            redact_local: cfg.redact_local.unwrap_or(true),
        })
    }
}
