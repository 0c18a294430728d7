//! Every plain setting, declared once. One `settings_table!` entry gives a setting's name, type,
//! default, environment variables, config-file key and flag; from it come the fields of `Layer`
//! and `Settings`, the environment layer, the file layer, the merge, the rows of
//! `mitchell config show` and `KEYS`, the table the README's settings reference is checked
//! against. Settings with more shape than a value (providers, `tools:`, keys) are merged by hand
//! in `settings.rs`.

/// One row of the settings reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    /// The name `config show` prints (the file key, with `local.` for engine settings).
    pub name: &'static str,
    /// The flag, if the setting has one.
    pub flag: Option<&'static str>,
    /// The environment variables, first wins.
    pub env: &'static [&'static str],
    /// Whether the config file can set it.
    pub in_file: bool,
    /// The default, as the README prints it.
    pub default: &'static str,
    /// What it does, in a few words.
    pub about: &'static str,
}

/// The type a merged setting has: `Sourced<T>` with a default, `Sourced<Option<T>>` without.
macro_rules! merged_type {
    ($ty:ty, none) => { $crate::config::Sourced<Option<$ty>> };
    ($ty:ty, $default:expr) => { $crate::config::Sourced<$ty> };
}

/// The merge of one setting's three layers.
macro_rules! merged_value {
    ($layers:expr, none) => {
        $crate::config::settings::optional($layers)
    };
    ($layers:expr, $default:expr) => {
        $crate::config::settings::or_default($layers, $default)
    };
}

/// What a file key contributes: `file [|cfg, local| EXPR]` reads it from the parsed file and
/// its `local:` section; `file [none]` means only flags and the environment set it.
macro_rules! file_value {
    ([none], $cfg:expr, $local:expr) => {
        None
    };
    ([$($read:tt)*], $cfg:expr, $local:expr) => {
        $crate::config::keys::read($($read)*, $cfg, $local)
    };
}

macro_rules! in_file {
    ([none]) => {
        false
    };
    ([$($read:tt)*]) => {
        true
    };
}

/// How `config show` prints a merged value: `(unset)` for an unset optional one.
macro_rules! shown {
    ($value:expr, none) => {
        $value
            .value
            .as_ref()
            .map_or_else(|| "(unset)".to_owned(), ToString::to_string)
    };
    ($value:expr, $default:tt) => {
        $value.value.to_string()
    };
}

macro_rules! optional_flag {
    (none) => {
        None
    };
    ($flag:literal) => {
        Some($flag)
    };
}

/// Declares the plain settings; see the module docs.
macro_rules! settings_table {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident: $ty:ty = $default:tt shown $shown:literal,
            key $key:literal,
            env [$($env:literal),*],
            file [$($file:tt)*],
            flag $flag:tt,
            about $about:literal;
    )*) => {
        /// One layer of settings; every key optional.
        #[derive(Debug, Clone, Default)]
        pub struct Layer {
            $( $(#[doc = $doc])* pub $name: Option<$crate::config::Sourced<$ty>>, )*
            /// The tool flags (`--tools`, `--allow`, `--max-steps`); only the flag layer sets them.
            pub tools: $crate::config::ToolFlags,
        }

        /// The plain settings, merged.
        #[derive(Debug, Clone)]
        pub struct Plain {
            $( $(#[doc = $doc])* pub $name: $crate::config::keys::merged_type!($ty, $default), )*
        }

        /// The settings reference, in declaration order.
        pub const KEYS: &[$crate::config::keys::Key] = &[$(
            $crate::config::keys::Key {
                name: $key,
                flag: $crate::config::keys::optional_flag!($flag),
                env: &[$($env),*],
                in_file: $crate::config::keys::in_file!([$($file)*]),
                default: $shown,
                about: $about,
            },
        )*];

        impl Layer {
            /// The environment layer: each setting's variables, first set wins.
            pub fn from_env(env: &$crate::config::Env) -> Result<Layer, $crate::config::ConfigError> {
                Ok(Layer {
                    $( $name: $crate::config::settings::from_env(env, &[$($env),*])?, )*
                    tools: $crate::config::ToolFlags::default(),
                })
            }

            /// The file layer.
            pub fn from_file(
                path: &std::path::Path,
                cfg: &$crate::config::FileConfig,
            ) -> Layer {
                let local = cfg.local.clone().unwrap_or_default();
                let src = || $crate::config::Source::File(path.to_owned());
                Layer {
                    $( $name: $crate::config::keys::file_value!([$($file)*], cfg, &local)
                        .map(|v| $crate::config::Sourced::new(v, src())), )*
                    tools: $crate::config::ToolFlags::default(),
                }
            }
        }

        impl Plain {
            /// The last layer that sets each value wins: file, then environment, then flags.
            pub fn merge(f: Layer, e: Layer, g: Layer) -> Plain {
                Plain {
                    $( $name: $crate::config::keys::merged_value!([f.$name, e.$name, g.$name], $default), )*
                }
            }

            /// `config show`'s rows: key, shown value (`(unset)` when unset), source.
            pub fn rows(&self) -> Vec<(&'static str, String, String)> {
                vec![$(
                    ($key, $crate::config::keys::shown!(&self.$name, $default), self.$name.source.to_string()),
                )*]
            }
        }
    };
}

pub(crate) use {
    file_value, in_file, merged_type, merged_value, optional_flag, settings_table, shown,
};

/// Reads one value from the file (a function, so the closure's argument types are known).
pub fn read<T>(
    read: impl Fn(&super::FileConfig, &super::LocalConfig) -> Option<T>,
    cfg: &super::FileConfig,
    local: &super::LocalConfig,
) -> Option<T> {
    read(cfg, local)
}

/// The README's settings reference, rendered from `KEYS` (a unit test keeps the README's copy
/// equal to it).
#[cfg(test)]
pub fn markdown_table(keys: &[Key]) -> String {
    use std::fmt::Write as _;
    let code = |s: &str| format!("`{s}`");
    let mut t = String::from(
        "| setting (config.yaml key) | flag | environment | default | what it sets |\n\
         |---|---|---|---|---|\n",
    );
    for key in keys {
        let name = if key.in_file {
            code(key.name)
        } else {
            format!("{} (not in the file)", code(key.name))
        };
        let flag = key.flag.map_or_else(|| "—".to_owned(), code);
        let env = key
            .env
            .iter()
            .map(|v| code(v))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(
            t,
            "| {name} | {flag} | {env} | {} | {} |",
            key.default, key.about
        );
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    const BEGIN: &str = "<!-- settings table: generated from src/config/settings.rs -->\n";
    const END: &str = "<!-- end of settings table -->";

    /// The README's table is the one the code declares; on a mismatch the message holds the
    /// table to paste.
    #[test]
    fn the_readme_settings_table_matches_the_code() {
        let readme = include_str!("../../README.md");
        let start = readme
            .find(BEGIN)
            .expect("the README marks its settings table")
            + BEGIN.len();
        let end = start + readme[start..].find(END).expect("the table's end marker");
        let want = markdown_table(crate::config::KEYS);
        assert!(
            readme[start..end] == want,
            "README's settings table differs from the code; it should be:\n{want}"
        );
    }
}
