//! The one merge: built-in defaults → config file → environment → flags. Each layer is a struct
//! of `Option<Sourced<…>>`; `Settings::resolve` takes the last value set for every key and keeps
//! the layer it came from, for `mitchell config show`.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use super::file::{FileConfig, ProviderConfig};
use super::{Env, Paths};
use crate::output::RenderChoice;
use crate::persona::Detail;
use crate::persona::playbook::{self, Playbook};

/// Where an effective value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Default,
    File(PathBuf),
    Env(&'static str),
    Flag(&'static str),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Default => f.write_str("default"),
            Source::File(path) => write!(f, "file {}", path.display()),
            Source::Env(var) => write!(f, "env {var}"),
            Source::Flag(flag) => write!(f, "flag {flag}"),
        }
    }
}

impl Source {
    /// The setting as the user wrote it, for errors: `--temperature`, `MITCHELL_TEMPERATURE`,
    /// `temperature in /path/config.yaml`, or the bare file `key` for a default.
    pub fn setting(&self, key: &str) -> String {
        match self {
            Source::Flag(flag) => (*flag).to_owned(),
            Source::Env(var) => (*var).to_owned(),
            Source::File(path) => format!("{key} in {}", path.display()),
            Source::Default => key.to_owned(),
        }
    }
}

/// A value and the layer that set it.
#[derive(Debug, Clone, PartialEq)]
pub struct Sourced<T> {
    pub value: T,
    pub source: Source,
}

impl<T> Sourced<T> {
    pub fn new(value: T, source: Source) -> Self {
        Sourced { value, source }
    }
}

/// One layer of settings; every key optional.
#[derive(Debug, Clone, Default)]
pub struct Layer {
    pub provider: Option<Sourced<String>>,
    pub persona: Option<Sourced<String>>,
    pub model: Option<Sourced<String>>,
    pub base_url: Option<Sourced<String>>,
    pub detail: Option<Sourced<Detail>>,
    pub temperature: Option<Sourced<f32>>,
    pub max_tokens: Option<Sourced<u32>>,
    pub idle_timeout: Option<Sourced<u64>>,
    pub connect_timeout: Option<Sourced<u64>>,
    pub total_timeout: Option<Sourced<u64>>,
    pub max_tries: Option<Sourced<u32>>,
    pub max_input: Option<Sourced<u64>>,
    pub threads: Option<Sourced<u32>>,
    pub max_context: Option<Sourced<u32>>,
    pub chat_template: Option<Sourced<String>>,
    pub save: Option<Sourced<bool>>,
    /// The tool flags (`--tools`, `--allow`, `--max-steps`); only the flag layer sets them.
    pub tools: super::ToolFlags,
    pub render: Option<Sourced<RenderChoice>>,
    pub playbook: Option<Sourced<Playbook>>,
    pub playbook_budget: Option<Sourced<u32>>,
}

/// An API key read from the environment; its `Debug` never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    /// The key itself; only the HTTP client calls this.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Every effective setting, merged once.
#[derive(Debug, Clone)]
pub struct Settings {
    pub paths: Paths,
    /// The config file that was read, if any.
    pub config_file: Option<PathBuf>,
    pub provider: Sourced<Option<String>>,
    pub persona: Sourced<String>,
    pub model: Sourced<Option<String>>,
    pub base_url: Sourced<Option<String>>,
    pub detail: Sourced<Option<Detail>>,
    pub temperature: Sourced<Option<f32>>,
    pub max_tokens: Sourced<Option<u32>>,
    pub idle_timeout: Sourced<u64>,
    pub connect_timeout: Sourced<u64>,
    pub total_timeout: Sourced<Option<u64>>,
    pub max_tries: Sourced<u32>,
    pub max_input: Sourced<u64>,
    pub threads: Sourced<Option<u32>>,
    pub max_context: Sourced<Option<u32>>,
    pub chat_template: Sourced<Option<String>>,
    /// Save every `ask` exchange (`save`, `MITCHELL_SAVE`, `--no-save`).
    pub save: Sourced<bool>,
    /// The agent's tools.
    pub tools: super::ToolSettings,
    /// `--render`, `MITCHELL_RENDER` or the file's `render`.
    pub render: Sourced<RenderChoice>,
    /// When the persona's positions are recalled per question (`auto`: local provider only).
    pub playbook: Sourced<Playbook>,
    /// Tokens of recalled positions per question.
    pub playbook_budget: Sourced<u32>,
    /// The default local model from the file's `local.model`.
    pub local_model: Sourced<Option<String>>,
    /// The file's `mcp_servers`, checked and `${VAR}`-expanded.
    pub mcp_servers: Vec<super::McpServer>,
    /// Named endpoints from the file.
    pub providers: BTreeMap<String, ProviderConfig>,
    /// `MITCHELL_API_KEY`, then `OPENAI_API_KEY`: (variable, value).
    pub env_keys: Vec<(&'static str, Secret)>,
    /// Values of the variables named by providers' `api_key_env`.
    pub provider_keys: BTreeMap<String, Secret>,
    /// `--var key=value` pairs for persona templates.
    pub vars: BTreeMap<String, String>,
}

pub const DEFAULT_PERSONA: &str = "mitchell";
pub const DEFAULT_IDLE_TIMEOUT: u64 = 60;
pub const DEFAULT_CONNECT_TIMEOUT: u64 = 10;
pub const DEFAULT_MAX_TRIES: u32 = 3;
pub const DEFAULT_MAX_INPUT: u64 = 1024 * 1024;

fn last<T>(candidates: [Option<Sourced<T>>; 3]) -> Option<Sourced<T>> {
    candidates.into_iter().flatten().last()
}

fn or_default<T>(candidates: [Option<Sourced<T>>; 3], default: T) -> Sourced<T> {
    last(candidates).unwrap_or(Sourced::new(default, Source::Default))
}

fn optional<T>(candidates: [Option<Sourced<T>>; 3]) -> Sourced<Option<T>> {
    match last(candidates) {
        Some(s) => Sourced::new(Some(s.value), s.source),
        None => Sourced::new(None, Source::Default),
    }
}

impl Settings {
    /// Merges the layers. `file` is the parsed config file and its path, if one was read.
    pub fn resolve(
        paths: Paths,
        file: Option<(PathBuf, FileConfig)>,
        env: &Env,
        flags: Layer,
        vars: BTreeMap<String, String>,
    ) -> Result<Settings, crate::config::ConfigError> {
        let (config_file, file_layer, file_cfg) = match file {
            Some((path, cfg)) => (Some(path.clone()), file_layer(&path, &cfg), cfg),
            None => (None, Layer::default(), FileConfig::default()),
        };
        let env_layer = env_layer(env)?;
        let local_model = match (
            &config_file,
            file_cfg.local.as_ref().and_then(|l| l.model.clone()),
        ) {
            (Some(path), Some(model)) => Sourced::new(Some(model), Source::File(path.clone())),
            _ => Sourced::new(None, Source::Default),
        };
        let env_keys = ["MITCHELL_API_KEY", "OPENAI_API_KEY"]
            .into_iter()
            .filter_map(|var| env.non_empty(var).map(|v| (var, Secret::new(v.trim()))))
            .collect();
        let provider_keys = file_cfg
            .providers
            .values()
            .filter_map(|p| p.api_key_env.as_deref())
            .filter_map(|var| {
                env.non_empty(var)
                    .map(|v| (var.to_owned(), Secret::new(v.trim())))
            })
            .collect();
        let tools = super::ToolSettings::resolve(
            config_file.as_deref().zip(file_cfg.tools.as_ref()),
            env,
            &flags.tools,
        )?;
        let mcp_servers = super::mcp::resolve(&file_cfg.mcp_servers, config_file.as_deref(), env)?;
        let [f, e, g] = [file_layer, env_layer, flags];
        let settings = Settings {
            paths,
            config_file,
            provider: optional([f.provider, e.provider, g.provider]),
            persona: or_default(
                [f.persona, e.persona, g.persona],
                DEFAULT_PERSONA.to_owned(),
            ),
            model: optional([f.model, e.model, g.model]),
            base_url: optional([f.base_url, e.base_url, g.base_url]),
            detail: optional([f.detail, e.detail, g.detail]),
            temperature: optional([f.temperature, e.temperature, g.temperature]),
            max_tokens: optional([f.max_tokens, e.max_tokens, g.max_tokens]),
            idle_timeout: or_default(
                [f.idle_timeout, e.idle_timeout, g.idle_timeout],
                DEFAULT_IDLE_TIMEOUT,
            ),
            connect_timeout: or_default(
                [f.connect_timeout, e.connect_timeout, g.connect_timeout],
                DEFAULT_CONNECT_TIMEOUT,
            ),
            total_timeout: optional([f.total_timeout, e.total_timeout, g.total_timeout]),
            max_tries: or_default([f.max_tries, e.max_tries, g.max_tries], DEFAULT_MAX_TRIES),
            max_input: or_default([f.max_input, e.max_input, g.max_input], DEFAULT_MAX_INPUT),
            threads: optional([f.threads, e.threads, g.threads]),
            max_context: optional([f.max_context, e.max_context, g.max_context]),
            chat_template: optional([f.chat_template, e.chat_template, g.chat_template]),
            save: or_default([f.save, e.save, g.save], true),
            tools,
            render: or_default([f.render, e.render, g.render], RenderChoice::Auto),
            playbook: or_default([f.playbook, e.playbook, g.playbook], Playbook::Auto),
            playbook_budget: or_default(
                [f.playbook_budget, e.playbook_budget, g.playbook_budget],
                playbook::DEFAULT_BUDGET,
            ),
            local_model,
            mcp_servers,
            providers: file_cfg.providers,
            env_keys,
            provider_keys,
            vars,
        };
        settings.check_ranges()?;
        Ok(settings)
    }

    /// Rejects values no request can use: a temperature that is not a number from 0 to 2,
    /// and timeouts of 0 seconds (which would fail every request at once).
    fn check_ranges(&self) -> Result<(), crate::config::ConfigError> {
        let out_of_range = |source: &Source, key: &str, value: String, why| {
            Err(crate::config::ConfigError::OutOfRange {
                setting: source.setting(key),
                value,
                why,
            })
        };
        if let Some(t) = self.temperature.value
            && !(t.is_finite() && (0.0..=2.0).contains(&t))
        {
            let why = "the temperature is a number from 0 to 2";
            return out_of_range(&self.temperature.source, "temperature", t.to_string(), why);
        }
        let timeouts = [
            (
                "idle_timeout",
                &self.idle_timeout.source,
                Some(self.idle_timeout.value),
            ),
            (
                "connect_timeout",
                &self.connect_timeout.source,
                Some(self.connect_timeout.value),
            ),
            (
                "total_timeout",
                &self.total_timeout.source,
                self.total_timeout.value,
            ),
        ];
        for (key, source, value) in timeouts {
            if value == Some(0) {
                let why = "a timeout is at least 1 second (leave total_timeout unset for no limit)";
                return out_of_range(source, key, "0".to_owned(), why);
            }
        }
        Ok(())
    }
}

fn file_layer(path: &std::path::Path, cfg: &FileConfig) -> Layer {
    let src = || Source::File(path.to_owned());
    let s = |v: &Option<String>| v.clone().map(|v| Sourced::new(v, src()));
    let local = cfg.local.clone().unwrap_or_default();
    Layer {
        provider: s(&cfg.default_provider),
        persona: s(&cfg.persona),
        model: s(&cfg.model),
        base_url: None,
        detail: cfg.detail.map(|v| Sourced::new(v, src())),
        temperature: cfg.temperature.map(|v| Sourced::new(v, src())),
        max_tokens: cfg.max_tokens.map(|v| Sourced::new(v, src())),
        idle_timeout: cfg.idle_timeout.map(|v| Sourced::new(v, src())),
        connect_timeout: cfg.connect_timeout.map(|v| Sourced::new(v, src())),
        total_timeout: cfg.total_timeout.map(|v| Sourced::new(v, src())),
        max_tries: cfg.max_tries.map(|v| Sourced::new(v, src())),
        max_input: cfg.max_input.map(|v| Sourced::new(v, src())),
        threads: local.threads.map(|v| Sourced::new(v, src())),
        max_context: local.max_context.map(|v| Sourced::new(v, src())),
        chat_template: s(&local.chat_template),
        save: cfg.save.map(|v| Sourced::new(v, src())),
        tools: super::ToolFlags::default(),
        render: cfg.render.map(|v| Sourced::new(v, src())),
        playbook: cfg.playbook.map(|v| Sourced::new(v, src())),
        playbook_budget: cfg.playbook_budget.map(|v| Sourced::new(v, src())),
    }
}

fn env_layer(env: &Env) -> Result<Layer, crate::config::ConfigError> {
    fn text(env: &Env, var: &'static str) -> Option<Sourced<String>> {
        env.non_empty(var)
            .map(|v| Sourced::new(v.to_owned(), Source::Env(var)))
    }
    fn parsed<T: std::str::FromStr>(
        env: &Env,
        var: &'static str,
    ) -> Result<Option<Sourced<T>>, crate::config::ConfigError> {
        env.non_empty(var)
            .map(|v| {
                v.trim()
                    .parse::<T>()
                    .map(|p| Sourced::new(p, Source::Env(var)))
                    .map_err(|_| crate::config::ConfigError::BadEnv {
                        var,
                        value: v.to_owned(),
                    })
            })
            .transpose()
    }
    let detail = match env.non_empty("MITCHELL_DETAIL") {
        Some(v) => Some(Sourced::new(
            v.parse::<Detail>()
                .map_err(|_| crate::config::ConfigError::BadEnv {
                    var: "MITCHELL_DETAIL",
                    value: v.to_owned(),
                })?,
            Source::Env("MITCHELL_DETAIL"),
        )),
        None => None,
    };
    Ok(Layer {
        provider: text(env, "MITCHELL_PROVIDER"),
        persona: text(env, "MITCHELL_PERSONA"),
        model: text(env, "MITCHELL_MODEL"),
        base_url: text(env, "MITCHELL_BASE_URL").or_else(|| text(env, "OPENAI_BASE_URL")),
        detail,
        temperature: parsed(env, "MITCHELL_TEMPERATURE")?,
        max_tokens: parsed(env, "MITCHELL_MAX_TOKENS")?,
        idle_timeout: parsed(env, "MITCHELL_IDLE_TIMEOUT")?,
        connect_timeout: parsed(env, "MITCHELL_CONNECT_TIMEOUT")?,
        total_timeout: parsed(env, "MITCHELL_TOTAL_TIMEOUT")?,
        max_tries: parsed(env, "MITCHELL_MAX_TRIES")?,
        max_input: parsed(env, "MITCHELL_MAX_INPUT")?,
        threads: parsed(env, "MITCHELL_THREADS")?,
        max_context: parsed(env, "MITCHELL_MAX_CONTEXT")?,
        chat_template: text(env, "MITCHELL_CHAT_TEMPLATE"),
        save: parsed(env, "MITCHELL_SAVE")?,
        tools: super::ToolFlags::default(),
        render: parsed(env, "MITCHELL_RENDER")?,
        playbook: parsed(env, "MITCHELL_PLAYBOOK")?,
        playbook_budget: parsed(env, "MITCHELL_PLAYBOOK_BUDGET")?,
    })
}
