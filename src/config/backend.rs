//! Which backend serves a request: the embedded model or an HTTP endpoint, and everything the
//! HTTP client needs to talk to it. Pure: reads `Settings`, runs nothing (an `api_key_command`
//! is only run by `KeySource::resolve`, when a request is really sent).

use std::collections::BTreeMap;
use std::time::Duration;

use super::file::{JsonMode, ProviderConfig, ProviderKind, TokenParam};
use super::{ConfigError, Secret, Settings, Source};

pub const OPENAI_BASE_URL: &str = "https://api.openai.com/v1";
const OPENAI_DEFAULT_MODEL: &str = "gpt-4o-mini";

/// Where the API key comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// An environment variable that is set.
    Env { var: String, value: Secret },
    /// A provider's `api_key_env` that is not set: requests go without a key, and an auth error
    /// names the variable.
    MissingEnv { var: String },
    /// A command whose stdout is the key.
    Command { command: String },
}

impl KeySource {
    /// A label for errors: the variable or the command.
    pub fn label(&self) -> String {
        match self {
            KeySource::Env { var, .. } | KeySource::MissingEnv { var } => var.clone(),
            KeySource::Command { command } => format!("api_key_command `{command}`"),
        }
    }
}

/// Everything needed to call one OpenAI-compatible endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpTarget {
    /// Provider name for messages (`openai`, `groq`, `http` for a bare `--base-url`).
    pub name: String,
    pub kind: ProviderKind,
    /// Base URL including its version segment; no trailing slash.
    pub base_url: String,
    pub model: Option<String>,
    pub key: Option<KeySource>,
    pub token_param: TokenParam,
    pub include_usage: bool,
    pub json_mode: JsonMode,
    pub headers: BTreeMap<String, String>,
    pub api_version: Option<String>,
    pub deployment: Option<String>,
    pub connect_timeout: Duration,
    /// Extra CA certificates (PEM) to trust, from the provider's `ca_cert`.
    pub ca_cert: Option<std::path::PathBuf>,
    pub idle_timeout: Duration,
    pub total_timeout: Option<Duration>,
    pub max_tries: u32,
}

/// Everything needed to run the embedded engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalTarget {
    /// `--model PATH|NAME`, `MITCHELL_MODEL`, or the file's `local.model`; `None` means the
    /// default model in the cache.
    pub model: Option<String>,
    pub threads: Option<u32>,
    pub max_context: Option<u32>,
    pub chat_template: Option<String>,
}

/// The backend a request goes to.
#[derive(Debug, Clone, PartialEq)]
pub enum Backend {
    Local(LocalTarget),
    Http(Box<HttpTarget>),
}

impl Settings {
    /// Decides the backend: `--provider local` forces the engine; `--base-url`, a named or
    /// default provider, or an API key in the environment mean HTTP; otherwise the engine.
    pub fn backend(&self) -> Result<Backend, ConfigError> {
        let named = self.provider.value.as_deref();
        if named == Some("local") {
            return Ok(Backend::Local(self.local_target()));
        }
        let base_url_explicit = self.base_url.value.is_some();
        let provider_cfg = match named {
            Some(name) => match self.providers.get(name) {
                Some(cfg) => Some((name.to_owned(), cfg.clone())),
                None if base_url_explicit && matches!(self.base_url.source, Source::Flag(_)) => {
                    None
                }
                None => {
                    let mut known: Vec<&str> = self.providers.keys().map(String::as_str).collect();
                    known.push("local");
                    return Err(ConfigError::UnknownProvider {
                        name: name.to_owned(),
                        known: known.join(", "),
                    });
                }
            },
            None => None,
        };
        if provider_cfg.is_none() && !base_url_explicit && self.env_keys.is_empty() {
            return Ok(Backend::Local(self.local_target()));
        }
        let (name, cfg) = provider_cfg.unwrap_or_else(|| {
            let name = if base_url_explicit { "http" } else { "openai" };
            (name.to_owned(), ProviderConfig::default())
        });
        let (base_url, setting) = match (&self.base_url.value, &cfg.base_url) {
            (Some(url), _) => (url.clone(), self.base_url.source.setting("base_url")),
            (None, Some(url)) => (url.clone(), format!("providers.{name}.base_url")),
            (None, None) if name == "openai" => (OPENAI_BASE_URL.to_owned(), String::new()),
            (None, None) => return Err(ConfigError::NoBaseUrl(name.clone())),
        };
        check_base_url(&base_url).map_err(|why| ConfigError::BadBaseUrl {
            setting,
            value: base_url.clone(),
            why,
        })?;
        let base_url = base_url.strip_suffix('/').unwrap_or(&base_url).to_owned();
        let is_openai = base_url.starts_with(OPENAI_BASE_URL);
        let model = self
            .model
            .value
            .clone()
            .filter(|_| matches!(self.model.source, Source::Flag(_) | Source::Env(_)))
            .or_else(|| cfg.model.clone())
            .or_else(|| self.model.value.clone())
            .or_else(|| is_openai.then(|| OPENAI_DEFAULT_MODEL.to_owned()));
        if cfg.kind == ProviderKind::Azure && !base_url.ends_with("/v1") {
            let missing = if cfg.deployment.is_none() && model.is_none() {
                Some("a `deployment` (or a `model`), which names the deployment in the URL")
            } else if cfg.api_version.is_none() {
                Some("an `api_version` (Azure's classic endpoints require `api-version`)")
            } else {
                None
            };
            if let Some(missing) = missing {
                return Err(ConfigError::Azure {
                    provider: name,
                    missing,
                });
            }
        }
        let default_token_param = if is_openai || cfg.kind == ProviderKind::Azure {
            TokenParam::MaxCompletionTokens
        } else {
            TokenParam::MaxTokens
        };
        Ok(Backend::Http(Box::new(HttpTarget {
            key: self.key_source(&cfg),
            name,
            kind: cfg.kind,
            base_url,
            model,
            token_param: cfg.token_param.unwrap_or(default_token_param),
            include_usage: cfg.include_usage.unwrap_or(true),
            json_mode: cfg.json_mode.unwrap_or(JsonMode::JsonSchema),
            headers: cfg.headers.clone(),
            api_version: cfg.api_version.clone(),
            deployment: cfg.deployment.clone(),
            connect_timeout: Duration::from_secs(self.connect_timeout.value),
            ca_cert: cfg.ca_cert.clone(),
            idle_timeout: Duration::from_secs(self.idle_timeout.value),
            total_timeout: self.total_timeout.value.map(Duration::from_secs),
            max_tries: self.max_tries.value.max(1),
        })))
    }

    /// `MITCHELL_API_KEY`, then the provider's `api_key_env` / `api_key_command`, then
    /// `OPENAI_API_KEY`.
    fn key_source(&self, cfg: &ProviderConfig) -> Option<KeySource> {
        let env_key = |wanted: &str| {
            self.env_keys
                .iter()
                .find(|(var, _)| *var == wanted)
                .map(|(var, value)| KeySource::Env {
                    var: (*var).to_owned(),
                    value: value.clone(),
                })
        };
        if let Some(key) = env_key("MITCHELL_API_KEY") {
            return Some(key);
        }
        // `api_key_env` when its variable is set, else the `api_key_command`; a provider with
        // both uses the command as the fallback.
        if let Some(var) = &cfg.api_key_env
            && let Some(value) = self.provider_env_key(var)
        {
            return Some(KeySource::Env {
                var: var.clone(),
                value,
            });
        }
        if let Some(command) = &cfg.api_key_command {
            return Some(KeySource::Command {
                command: command.clone(),
            });
        }
        if let Some(var) = &cfg.api_key_env {
            return Some(KeySource::MissingEnv { var: var.clone() });
        }
        env_key("OPENAI_API_KEY")
    }

    fn provider_env_key(&self, var: &str) -> Option<Secret> {
        self.provider_keys.get(var).cloned()
    }

    fn local_target(&self) -> LocalTarget {
        LocalTarget {
            model: self
                .model
                .value
                .clone()
                .or_else(|| self.local_model.value.clone()),
            threads: self.threads.value,
            max_context: self.max_context.value,
            chat_template: self.chat_template.value.clone(),
        }
    }
}

/// True for a request header that carries a secret and is shown as `<redacted>` by
/// `config show` and `--dry-run`: `Authorization`, `Proxy-Authorization`, `Cookie`, and names
/// ending in `key` or containing `token` or `secret` (`api-key`, `X-Api-Key`, `X-Auth-Token`).
pub fn is_secret_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    matches!(
        name.as_str(),
        "authorization" | "proxy-authorization" | "cookie"
    ) || name.ends_with("key")
        || name.contains("token")
        || name.contains("secret")
}

/// Why `url` cannot be a base URL, if it cannot: it needs `http://` or `https://` and a host.
fn check_base_url(url: &str) -> Result<(), &'static str> {
    if url.trim().is_empty() {
        return Err("it is empty");
    }
    if url.chars().any(char::is_whitespace) {
        return Err("a URL cannot contain spaces");
    }
    let lower = url.to_ascii_lowercase();
    let Some(rest) = lower
        .strip_prefix("http://")
        .or_else(|| lower.strip_prefix("https://"))
    else {
        return Err(if lower.contains("://") {
            "only http:// and https:// are supported"
        } else {
            "it needs http:// or https:// in front"
        });
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let (host, port) = match host_port.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((host, after)) => (host, after.strip_prefix(':')),
            None => return Err("the IPv6 address is missing its `]`"),
        },
        None => match host_port.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        },
    };
    if host.is_empty() {
        return Err("it has no host");
    }
    if port.is_some_and(|p| p.is_empty() || p.parse::<u16>().is_err()) {
        return Err("the port is not a number from 0 to 65535");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Env, Layer, Paths, Sourced};

    fn settings(env: &[(&str, &str)], file: &str, flags: Layer) -> Settings {
        let env = Env::from_pairs(env.iter().copied());
        let file = (!file.is_empty()).then(|| {
            let path = std::path::PathBuf::from("/c.yaml");
            let cfg = crate::yaml::from_str(file, &path).unwrap();
            (path, cfg)
        });
        Settings::resolve(Paths::from_env(&env), file, &env, flags, BTreeMap::new()).unwrap()
    }

    fn http(s: &Settings) -> HttpTarget {
        match s.backend().unwrap() {
            Backend::Http(t) => *t,
            Backend::Local(l) => panic!("expected http, got {l:?}"),
        }
    }

    #[test]
    fn nothing_configured_means_local() {
        assert!(matches!(
            settings(&[], "", Layer::default()).backend(),
            Ok(Backend::Local(_))
        ));
    }

    #[test]
    fn an_openai_key_alone_means_openai_with_max_completion_tokens() {
        let t = http(&settings(&[("OPENAI_API_KEY", "k")], "", Layer::default()));
        assert_eq!(t.base_url, OPENAI_BASE_URL);
        assert_eq!(t.token_param, TokenParam::MaxCompletionTokens);
        assert_eq!(t.key.unwrap().label(), "OPENAI_API_KEY");
    }

    #[test]
    fn base_url_flag_means_http_without_key_and_strips_slash() {
        let flags = Layer {
            base_url: Some(Sourced::new(
                "http://127.0.0.1:1/v1/".into(),
                Source::Flag("--base-url"),
            )),
            ..Layer::default()
        };
        let t = http(&settings(&[], "", flags));
        assert_eq!(
            (t.name.as_str(), t.base_url.as_str()),
            ("http", "http://127.0.0.1:1/v1")
        );
        assert!(t.key.is_none());
        assert_eq!(t.token_param, TokenParam::MaxTokens);
    }

    #[test]
    fn provider_local_forces_the_engine_even_with_a_key() {
        let flags = Layer {
            provider: Some(Sourced::new("local".into(), Source::Flag("--provider"))),
            ..Layer::default()
        };
        let s = settings(&[("OPENAI_API_KEY", "k")], "", flags);
        assert!(matches!(s.backend(), Ok(Backend::Local(_))));
    }

    #[test]
    fn default_provider_from_file_with_key_env_and_quirks() {
        let file = "default_provider: groq\nproviders:\n  groq:\n    base_url: https://g/openai/v1\n    model: kimi\n    api_key_env: GROQ_API_KEY\n    include_usage: false\n";
        let t = http(&settings(
            &[("GROQ_API_KEY", "g"), ("OPENAI_API_KEY", "o")],
            file,
            Layer::default(),
        ));
        assert_eq!(t.model.as_deref(), Some("kimi"));
        assert!(!t.include_usage);
        assert!(matches!(t.key, Some(KeySource::Env { ref var, .. }) if var == "GROQ_API_KEY"));
    }

    #[test]
    fn mitchell_api_key_wins_and_missing_provider_env_is_named() {
        let file = "default_provider: p\nproviders:\n  p:\n    base_url: http://x/v1\n    api_key_env: P_KEY\n";
        let t = http(&settings(&[], file, Layer::default()));
        assert_eq!(
            t.key,
            Some(KeySource::MissingEnv {
                var: "P_KEY".into()
            })
        );
        let t = http(&settings(
            &[("MITCHELL_API_KEY", "m")],
            file,
            Layer::default(),
        ));
        assert_eq!(t.key.unwrap().label(), "MITCHELL_API_KEY");
    }

    #[test]
    fn secret_headers() {
        for secret in [
            "Authorization",
            "api-key",
            "X-Api-Key",
            "X-Auth-Token",
            "X-Secret",
        ] {
            assert!(is_secret_header(secret), "{secret}");
        }
        for plain in ["X-Team", "X-Title", "HTTP-Referer", "OpenAI-Organization"] {
            assert!(!is_secret_header(plain), "{plain}");
        }
    }

    #[test]
    fn base_urls_that_cannot_be_used() {
        for ok in [
            "http://127.0.0.1:9/v1",
            "https://api.example.com/v1/",
            "HTTP://h",
            "http://[::1]:8080/v1",
            "http://user@host:1/v1",
        ] {
            assert_eq!(check_base_url(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "127.0.0.1:9/v1",
            "localhost:9/v1",
            "ftp://h/v1",
            "not a url",
            "http://",
            "http://h:port/v1",
            "http://[::1/v1",
        ] {
            assert!(check_base_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn unknown_provider_lists_the_known_ones() {
        let flags = Layer {
            provider: Some(Sourced::new("nope".into(), Source::Flag("--provider"))),
            ..Layer::default()
        };
        let err = settings(&[], "providers:\n  a:\n    base_url: http://a\n", flags)
            .backend()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown provider 'nope' (configured: a, local)"
        );
    }

    #[test]
    fn flag_model_beats_provider_model_which_beats_file_model() {
        let file = "model: filemodel\ndefault_provider: p\nproviders:\n  p:\n    base_url: http://x\n    model: pmodel\n";
        assert_eq!(
            http(&settings(&[], file, Layer::default()))
                .model
                .as_deref(),
            Some("pmodel")
        );
        let flags = Layer {
            model: Some(Sourced::new("flagmodel".into(), Source::Flag("--model"))),
            ..Layer::default()
        };
        assert_eq!(
            http(&settings(&[], file, flags)).model.as_deref(),
            Some("flagmodel")
        );
    }
}
