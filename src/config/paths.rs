//! XDG locations of the config file, user personas, the database and the model cache. Computed
//! from `Env` only; the one thing here that touches the filesystem is `create_private_dir`,
//! which the store and the REPL history call before they write into the data directory.

use std::path::{Path, PathBuf};

use super::Env;

/// Where mitchell keeps things. Every path is absolute when `HOME` or the XDG variables are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// `$XDG_CONFIG_HOME/mitchell`
    pub config_dir: PathBuf,
    /// `$XDG_DATA_HOME/mitchell`
    pub data_dir: PathBuf,
    /// `$XDG_CACHE_HOME/mitchell`
    pub cache_dir: PathBuf,
}

impl Paths {
    pub fn from_env(env: &Env) -> Self {
        let home = env
            .non_empty("HOME")
            .map_or_else(|| PathBuf::from("."), PathBuf::from);
        let xdg = |var: &str, fallback: &str| {
            env.non_empty(var)
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .unwrap_or_else(|| home.join(fallback))
                .join("mitchell")
        };
        Paths {
            config_dir: xdg("XDG_CONFIG_HOME", ".config"),
            data_dir: xdg("XDG_DATA_HOME", ".local/share"),
            cache_dir: xdg("XDG_CACHE_HOME", ".cache"),
        }
    }

    /// The default config file.
    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join("config.yaml")
    }

    /// User persona specs (`*.yaml`).
    pub fn personas_dir(&self) -> PathBuf {
        self.config_dir.join("personas")
    }

    /// User overrides of the persona templates (`full.md.j2`, `compact.md.j2`, `macros.md.j2`).
    pub fn prompts_dir(&self) -> PathBuf {
        self.config_dir.join("prompts")
    }

    /// The sessions database.
    pub fn database(&self) -> PathBuf {
        self.data_dir.join("mitchell.db")
    }

    /// REPL line history.
    pub fn history(&self) -> PathBuf {
        self.data_dir.join("history")
    }

    /// Imported GGUF models.
    pub fn models_dir(&self) -> PathBuf {
        self.cache_dir.join("models")
    }

    /// Saved KV states of evaluated persona prompts.
    pub fn prompt_cache_dir(&self) -> PathBuf {
        self.cache_dir.join("prompt-cache")
    }
}

/// Creates `dir` (and any missing parents) readable by the owner only (0700 on Unix): the data
/// directory holds conversations with pasted logs and configs. A directory that already
/// exists keeps its mode — the user may have chosen it.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xdg_overrides_home() {
        let env = Env::from_pairs([("HOME", "/h"), ("XDG_CONFIG_HOME", "/c")]);
        let p = Paths::from_env(&env);
        assert_eq!(p.config_file(), PathBuf::from("/c/mitchell/config.yaml"));
        assert_eq!(
            p.database(),
            PathBuf::from("/h/.local/share/mitchell/mitchell.db")
        );
        assert_eq!(p.models_dir(), PathBuf::from("/h/.cache/mitchell/models"));
    }

    #[test]
    fn relative_xdg_is_ignored_as_the_spec_says() {
        let env = Env::from_pairs([("HOME", "/h"), ("XDG_DATA_HOME", "rel")]);
        assert_eq!(
            Paths::from_env(&env).data_dir,
            PathBuf::from("/h/.local/share/mitchell")
        );
    }
}
