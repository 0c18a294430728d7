//! `mitchell config show` and `mitchell config path`.

use std::fmt::Write as _;

use crate::cli::{ConfigCommand, GlobalArgs};
use crate::config::{self, Backend, Env, KeySource, Settings, Source, Sourced};
use crate::error::ExitStatus;
use crate::output::Output;

pub fn run(
    global: &GlobalArgs,
    cmd: &ConfigCommand,
    env: &Env,
    out: &mut Output,
) -> anyhow::Result<ExitStatus> {
    match cmd {
        ConfigCommand::Path => {
            let paths = config::Paths::from_env(env);
            let (path, source) = config::config_location(global.config.as_ref(), env, &paths);
            let state = if path.exists() { "" } else { "  (not present)" };
            out.println(&format!("{}{state}", path.display()))?;
            if !matches!(source, Source::Default) {
                out.notice(&format!("from {source}"));
            }
        }
        ConfigCommand::Show => {
            let settings = super::settings(global, env, super::global_flags(global))?;
            out.print(&show(&settings))?;
        }
    }
    Ok(ExitStatus::Success)
}

/// The rows of `config show`: key, shown value, where it came from.
struct Rows(Vec<(String, String, String)>);

impl Rows {
    fn push(&mut self, key: impl Into<String>, value: impl Into<String>, source: &impl ToString) {
        self.0.push((key.into(), value.into(), source.to_string()));
    }

    fn sourced<T: std::fmt::Display>(&mut self, key: &str, value: &Sourced<Option<T>>) {
        let shown = value
            .value
            .as_ref()
            .map_or_else(|| "(unset)".to_owned(), ToString::to_string);
        self.push(key, shown, &value.source);
    }

    fn set<T: std::fmt::Display>(&mut self, key: &str, value: &Sourced<T>) {
        self.push(key, value.value.to_string(), &value.source);
    }

    /// Aligned columns as wide as the longest key and value (within reason).
    fn render(&self) -> String {
        let key_width = self
            .0
            .iter()
            .map(|(k, _, _)| k.chars().count())
            .max()
            .unwrap_or(0);
        let value_width = self
            .0
            .iter()
            .map(|(_, v, _)| v.chars().count())
            .filter(|w| *w <= 60)
            .max()
            .unwrap_or(0);
        let mut t = String::new();
        for (key, value, source) in &self.0 {
            let line = if source.is_empty() {
                format!("{key:<key_width$} {value}")
            } else {
                format!("{key:<key_width$} {value:<value_width$} # {source}")
            };
            let _ = writeln!(t, "{}", line.trim_end());
        }
        t
    }
}

/// A value as the file spells it (`max_completion_tokens`, `json_schema`, `azure`).
fn spelled(value: &impl serde::Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Every effective value and its layer; only secrets are redacted (the key, and headers whose
/// names say they carry one: the same rule `--dry-run` uses).
pub fn show(s: &Settings) -> String {
    let mut r = Rows(Vec::new());
    let file = match &s.config_file {
        Some(path) => path.display().to_string(),
        None => "(none)".to_owned(),
    };
    r.push("config_file", file, &"");
    for (key, value, source) in s.plain.rows() {
        r.push(key, value, &source);
    }
    r.set("tools.mode", &s.tools.mode);
    r.sourced("local.model", &s.local_model);
    for (var, _) in &s.env_keys {
        r.push("api_key", "<redacted>", &format!("env {var}"));
    }
    let src = s
        .config_file
        .as_ref()
        .map_or(Source::Default, |p| Source::File(p.clone()));
    for (name, p) in &s.providers {
        let mut field = |key: &str, v: Option<String>| {
            if let Some(v) = v {
                r.push(format!("providers.{name}.{key}"), v, &src);
            }
        };
        field("kind", Some(spelled(&p.kind)));
        field("base_url", p.base_url.clone());
        field("model", p.model.clone());
        field("api_key_env", p.api_key_env.clone());
        field("api_key_command", p.api_key_command.clone());
        field("token_param", p.token_param.as_ref().map(spelled));
        field("include_usage", p.include_usage.map(|v| v.to_string()));
        field("json_mode", p.json_mode.as_ref().map(spelled));
        field("api_version", p.api_version.clone());
        field("deployment", p.deployment.clone());
        field(
            "ca_cert",
            p.ca_cert.as_ref().map(|c| c.display().to_string()),
        );
        for (key, value) in &p.headers {
            let shown = if config::is_secret_header(key) {
                "<redacted>".to_owned()
            } else {
                value.clone()
            };
            field(&format!("headers.{key}"), Some(shown));
        }
    }
    let backend = match s.backend() {
        Ok(Backend::Local(_)) => "local (embedded model)".to_owned(),
        Ok(Backend::Http(h)) => {
            let unset_env = s
                .providers
                .get(&h.name)
                .and_then(|p| p.api_key_env.as_deref());
            let key = match &h.key {
                Some(KeySource::Env { var, .. }) => format!("key from {var}"),
                Some(KeySource::MissingEnv { var }) => format!("{var} is not set: no key"),
                Some(KeySource::Command { .. }) => match unset_env {
                    Some(var) => format!("{var} is not set: key from api_key_command"),
                    None => "key from api_key_command".to_owned(),
                },
                None => "no key".to_owned(),
            };
            let token_param = spelled(&h.token_param);
            format!(
                "{} at {} ({key}; {token_param}, include_usage {}, json_mode {})",
                h.name,
                h.base_url,
                h.include_usage,
                spelled(&h.json_mode)
            )
        }
        Err(err) => format!("error: {err}"),
    };
    r.push("backend", backend, &"");
    r.push("data_dir", s.paths.data_dir.display().to_string(), &"");
    r.push("cache_dir", s.paths.cache_dir.display().to_string(), &"");
    r.render()
}
