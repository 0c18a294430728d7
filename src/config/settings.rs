//! The one merge: built-in defaults → config file → environment → flags. Each layer is a struct
//! of `Option<Sourced<…>>`; `Settings::resolve` takes the last value set for every key and keeps
//! the layer it came from, for `mitchell config show`.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use super::file::{FileConfig, ProviderConfig};
use super::{Detail, PLAYBOOK_BUDGET, Playbook, RenderChoice};
use super::{Env, Paths};

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

super::keys::settings_table! {
    provider: String = none shown "local, or OpenAI with a key",
        key "provider", env ["MITCHELL_PROVIDER"], file [|c, _l| c.default_provider.clone()],
        flag "--provider", about "the provider: `local` or a configured endpoint";
    persona: String = (DEFAULT_PERSONA.to_owned()) shown "mitchell",
        key "persona", env ["MITCHELL_PERSONA"], file [|c, _l| c.persona.clone()],
        flag "--persona", about "persona name or path";
    model: String = none shown "the provider's",
        key "model", env ["MITCHELL_MODEL"], file [|c, _l| c.model.clone()],
        flag "--model", about "model name (HTTP) or GGUF path/name (local)";
    base_url: String = none shown "none",
        key "base_url", env ["MITCHELL_BASE_URL", "OPENAI_BASE_URL"], file [none],
        flag "--base-url", about "endpoint base URL, with its version segment (`…/v1`)";
    detail: Detail = none shown "compact local, full HTTP",
        key "detail", env ["MITCHELL_DETAIL"], file [|c, _l| c.detail],
        flag "--detail", about "`full` or `compact` persona prompt";
    temperature: f32 = none shown "the model's",
        key "temperature", env ["MITCHELL_TEMPERATURE"], file [|c, _l| c.temperature],
        flag "--temperature", about "sampling temperature, 0 to 2";
    max_tokens: u32 = none shown "1024 local, unset HTTP",
        key "max_tokens", env ["MITCHELL_MAX_TOKENS"], file [|c, _l| c.max_tokens],
        flag "--max-tokens", about "new tokens per reply";
    idle_timeout: u64 = DEFAULT_IDLE_TIMEOUT shown "60",
        key "idle_timeout", env ["MITCHELL_IDLE_TIMEOUT"], file [|c, _l| c.idle_timeout],
        flag "--idle-timeout", about "seconds without a byte before a stream is abandoned";
    connect_timeout: u64 = DEFAULT_CONNECT_TIMEOUT shown "10",
        key "connect_timeout", env ["MITCHELL_CONNECT_TIMEOUT"], file [|c, _l| c.connect_timeout],
        flag none, about "seconds to wait for a connection";
    total_timeout: u64 = none shown "no limit",
        key "total_timeout", env ["MITCHELL_TOTAL_TIMEOUT"], file [|c, _l| c.total_timeout],
        flag none, about "seconds for a whole request";
    max_tries: u32 = DEFAULT_MAX_TRIES shown "3",
        key "max_tries", env ["MITCHELL_MAX_TRIES"], file [|c, _l| c.max_tries],
        flag none, about "tries for a request that fails before any output";
    max_input: u64 = DEFAULT_MAX_INPUT shown "1048576",
        key "max_input", env ["MITCHELL_MAX_INPUT"], file [|c, _l| c.max_input],
        flag "--max-input", about "largest stdin or attached file, in bytes";
    render: RenderChoice = (RenderChoice::Auto) shown "auto",
        key "render", env ["MITCHELL_RENDER"], file [|c, _l| c.render],
        flag "--render", about "markdown rendering of answers: `auto`, `always`, `never`";
    save: bool = true shown "true",
        key "save", env ["MITCHELL_SAVE"], file [|c, _l| c.save],
        flag "--no-save", about "save every `ask` exchange as a session";
    playbook: Playbook = (Playbook::Auto) shown "auto",
        key "playbook", env ["MITCHELL_PLAYBOOK"], file [|c, _l| c.playbook],
        flag "--playbook", about "recall the persona's positions: `auto` (local only), `on`, `off`";
    playbook_budget: u32 = PLAYBOOK_BUDGET shown "300",
        key "playbook_budget", env ["MITCHELL_PLAYBOOK_BUDGET"], file [|c, _l| c.playbook_budget],
        flag "--playbook-budget", about "tokens of recalled positions per question";
    threads: u32 = none shown "all cores",
        key "local.threads", env ["MITCHELL_THREADS"], file [|_c, l| l.threads],
        flag "--threads", about "inference threads of the embedded engine";
    max_context: u32 = none shown "8192",
        key "local.max_context", env ["MITCHELL_MAX_CONTEXT"], file [|_c, l| l.max_context],
        flag none, about "upper bound on the embedded engine's context";
    chat_template: String = none shown "the model's",
        key "local.chat_template", env ["MITCHELL_CHAT_TEMPLATE"],
        file [|_c, l| l.chat_template.clone()], flag "--chat-template",
        about "chat template for a model without one";
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
    /// The plain settings of the table above (read through `Deref`: `settings.model`).
    pub plain: Plain,
    /// The agent's tools.
    pub tools: super::ToolSettings,
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

pub(super) fn last<T>(candidates: [Option<Sourced<T>>; 3]) -> Option<Sourced<T>> {
    candidates.into_iter().flatten().last()
}

pub(super) fn or_default<T>(candidates: [Option<Sourced<T>>; 3], default: T) -> Sourced<T> {
    last(candidates).unwrap_or(Sourced::new(default, Source::Default))
}

pub(super) fn optional<T>(candidates: [Option<Sourced<T>>; 3]) -> Sourced<Option<T>> {
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
            Some((path, cfg)) => (Some(path.clone()), Layer::from_file(&path, &cfg), cfg),
            None => (None, Layer::default(), FileConfig::default()),
        };
        let env_layer = Layer::from_env(env)?;
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
        let settings = Settings {
            paths,
            config_file,
            plain: Plain::merge(file_layer, env_layer, flags),
            tools,
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

/// The value of the first of `vars` that is set, parsed.
pub(super) fn from_env<T: std::str::FromStr>(
    env: &Env,
    vars: &[&'static str],
) -> Result<Option<Sourced<T>>, crate::config::ConfigError> {
    let Some((var, raw)) = vars
        .iter()
        .find_map(|var| env.non_empty(var).map(|v| (*var, v)))
    else {
        return Ok(None);
    };
    raw.trim()
        .parse::<T>()
        .map(|v| Some(Sourced::new(v, Source::Env(var))))
        .map_err(|_| crate::config::ConfigError::BadEnv {
            var,
            value: raw.to_owned(),
        })
}

impl std::ops::Deref for Settings {
    type Target = Plain;
    fn deref(&self) -> &Plain {
        &self.plain
    }
}

impl std::ops::DerefMut for Settings {
    fn deref_mut(&mut self) -> &mut Plain {
        &mut self.plain
    }
}
