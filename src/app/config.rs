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

fn row<T: std::fmt::Display>(text: &mut String, key: &str, value: &Sourced<Option<T>>) {
    let shown = value
        .value
        .as_ref()
        .map_or_else(|| "(unset)".to_owned(), ToString::to_string);
    let _ = writeln!(text, "{key:<24} {shown:<40} # {}", value.source);
}

/// Every effective value and its layer, secrets redacted.
pub fn show(s: &Settings) -> String {
    let mut t = String::new();
    let some = |v: &Sourced<String>| Sourced::new(Some(v.value.clone()), v.source.clone());
    let num = |v: &Sourced<u64>| Sourced::new(Some(v.value), v.source.clone());
    let file = match &s.config_file {
        Some(path) => path.display().to_string(),
        None => "(none)".to_owned(),
    };
    let _ = writeln!(t, "{:<24} {file}", "config_file");
    row(&mut t, "persona", &some(&s.persona));
    row(&mut t, "provider", &s.provider);
    row(&mut t, "model", &s.model);
    row(&mut t, "base_url", &s.base_url);
    row(&mut t, "detail", &s.detail);
    row(&mut t, "temperature", &s.temperature);
    row(&mut t, "max_tokens", &s.max_tokens);
    row(&mut t, "idle_timeout", &num(&s.idle_timeout));
    row(&mut t, "connect_timeout", &num(&s.connect_timeout));
    row(&mut t, "total_timeout", &s.total_timeout);
    let tries = Sourced::new(Some(s.max_tries.value), s.max_tries.source.clone());
    row(&mut t, "max_tries", &tries);
    row(&mut t, "max_input", &num(&s.max_input));
    let playbook = Sourced::new(Some(s.playbook.value), s.playbook.source.clone());
    row(&mut t, "playbook", &playbook);
    let budget = Sourced::new(
        Some(s.playbook_budget.value),
        s.playbook_budget.source.clone(),
    );
    row(&mut t, "playbook_budget", &budget);
    row(&mut t, "local.model", &s.local_model);
    row(&mut t, "local.threads", &s.threads);
    row(&mut t, "local.max_context", &s.max_context);
    row(&mut t, "local.chat_template", &s.chat_template);
    for (var, _) in &s.env_keys {
        let _ = writeln!(t, "{:<24} {:<40} # env {var}", "api_key", "<redacted>");
    }
    for (name, p) in &s.providers {
        let src = s
            .config_file
            .as_ref()
            .map_or(Source::Default, |p| Source::File(p.clone()));
        let mut field = |key: &str, v: Option<String>| {
            if let Some(v) = v {
                let _ = writeln!(
                    t,
                    "{:<24} {v:<40} # {src}",
                    format!("providers.{name}.{key}")
                );
            }
        };
        field("base_url", p.base_url.clone());
        field("model", p.model.clone());
        field("api_key_env", p.api_key_env.clone());
        field("api_key_command", p.api_key_command.clone());
        for key in p.headers.keys() {
            field(&format!("headers.{key}"), Some("<redacted>".to_owned()));
        }
    }
    let backend = match s.backend() {
        Ok(Backend::Local(_)) => "local (embedded model)".to_owned(),
        Ok(Backend::Http(h)) => {
            let key = match &h.key {
                Some(KeySource::Env { var, .. }) => format!("key from {var}"),
                Some(KeySource::MissingEnv { var }) => format!("{var} is not set"),
                Some(KeySource::Command { .. }) => "key from api_key_command".to_owned(),
                None => "no key".to_owned(),
            };
            format!("{} at {} ({key})", h.name, h.base_url)
        }
        Err(err) => format!("error: {err}"),
    };
    let _ = writeln!(t, "{:<24} {backend}", "backend");
    let _ = writeln!(t, "{:<24} {}", "data_dir", s.paths.data_dir.display());
    let _ = writeln!(t, "{:<24} {}", "cache_dir", s.paths.cache_dir.display());
    t
}
