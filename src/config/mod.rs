//! Configuration: the environment snapshot, XDG paths, the typed config file, and the one merge
//! into `Settings` (defaults → file → environment → flags). Also decides which backend serves a
//! request (`backend`). Nothing here writes a file.

mod backend;
mod choices;
mod env;
pub mod file;
pub mod keys;
pub mod mcp;
mod paths;
mod settings;
pub mod tools;

use std::collections::BTreeMap;
use std::path::PathBuf;

pub use backend::{Backend, HttpTarget, KeySource, LocalTarget, OPENAI_BASE_URL, is_secret_header};
pub use choices::{ColorChoice, Detail, PLAYBOOK_BUDGET, Playbook, RenderChoice};
pub use env::Env;
pub use file::{FileConfig, JsonMode, LocalConfig, ProviderConfig, ProviderKind, TokenParam};
pub use mcp::{McpServer, McpServerConfig, McpTransport};
pub use paths::{Paths, create_private_dir};
pub use settings::{KEYS, Layer, Plain, Secret, Settings, Source, Sourced};
pub use tools::{ToolFlags, ToolMode, ToolSettings};

/// Configuration errors; all of them are the user's input (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config file {0} does not exist")]
    Missing(PathBuf),
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(#[from] crate::yaml::YamlError),
    #[error("{var}={value:?} is not a valid value")]
    BadEnv { var: &'static str, value: String },
    #[error("--var {0:?}: expected key=value")]
    BadVar(String),
    #[error("unknown provider '{name}' (configured: {known})")]
    UnknownProvider { name: String, known: String },
    #[error("provider '{0}' has no base_url")]
    NoBaseUrl(String),
    #[error(
        "{setting} {value:?} is not a usable base URL: {why} (for example http://127.0.0.1:8080/v1)"
    )]
    BadBaseUrl {
        setting: String,
        value: String,
        why: &'static str,
    },
    #[error("provider '{provider}' is an Azure endpoint without {missing}")]
    Azure {
        provider: String,
        missing: &'static str,
    },
    #[error("{setting}: {why}")]
    Mcp { setting: String, why: String },
    #[error("{setting} {value} is out of range: {why}")]
    OutOfRange {
        setting: String,
        value: String,
        why: &'static str,
    },
}

/// Where the config file is looked for, and whether the user named it (then it must exist).
pub fn config_location(flag: Option<&PathBuf>, env: &Env, paths: &Paths) -> (PathBuf, Source) {
    if let Some(path) = flag {
        return (path.clone(), Source::Flag("--config"));
    }
    if let Some(path) = env.non_empty("MITCHELL_CONFIG") {
        return (PathBuf::from(path), Source::Env("MITCHELL_CONFIG"));
    }
    (paths.config_file(), Source::Default)
}

/// Reads and parses the config file. A named file that is missing is an error; the default
/// location may be absent.
pub fn read_config_file(
    flag: Option<&PathBuf>,
    env: &Env,
    paths: &Paths,
) -> Result<Option<(PathBuf, FileConfig)>, ConfigError> {
    let (path, source) = config_location(flag, env, paths);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return match source {
                Source::Default => Ok(None),
                _ => Err(ConfigError::Missing(path)),
            };
        }
        Err(source) => return Err(ConfigError::Read { path, source }),
    };
    if text.trim().is_empty() {
        return Ok(Some((path, FileConfig::default())));
    }
    let cfg = crate::yaml::from_str::<FileConfig>(&text, &path)?;
    Ok(Some((path, cfg)))
}

/// Parses `--var key=value` arguments.
pub fn parse_vars(raw: &[String]) -> Result<BTreeMap<String, String>, ConfigError> {
    raw.iter()
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), v.to_owned())),
            _ => Err(ConfigError::BadVar(pair.clone())),
        })
        .collect()
}

/// Loads everything: paths, the file, the environment and the given flag layer.
pub fn load(
    config_flag: Option<&PathBuf>,
    env: &Env,
    flags: Layer,
    vars: &[String],
) -> Result<Settings, ConfigError> {
    let paths = Paths::from_env(env);
    let file = read_config_file(config_flag, env, &paths)?;
    let vars = parse_vars(vars)?;
    Settings::resolve(paths, file, env, flags, vars)
}
