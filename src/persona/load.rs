//! Finding and parsing personas: built-in specs embedded from `personas/`, user specs in
//! `$XDG_CONFIG_HOME/mitchell/personas/*.yaml`, and paths. A `--persona` value containing `/` or
//! ending in `.yaml`/`.yml` is a path; anything else is a name, looked up in the user folder
//! first (a user persona may replace a built-in one), then among the built-ins.

use std::fmt;
use std::path::{Path, PathBuf};

use super::spec::PersonaSpec;

/// The built-in personas: (name, YAML text).
pub const BUILTIN: &[(&str, &str)] = &[("mitchell", include_str!("../../personas/mitchell.yaml"))];

/// The same personas as JSON, which build.rs converts from the YAML: read at every start, JSON
/// costs a fraction of what the YAML parser does (`builtin_json_is_the_yaml` keeps them equal).
const BUILTIN_JSON: &[(&str, &str)] = &[(
    "mitchell",
    include_str!(concat!(env!("OUT_DIR"), "/mitchell.json")),
)];

/// Where a persona was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Builtin,
    /// In the user personas folder.
    User(PathBuf),
    /// Named by path.
    File(PathBuf),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Builtin => f.write_str("built-in"),
            Origin::User(path) => write!(f, "user {}", path.display()),
            Origin::File(path) => write!(f, "file {}", path.display()),
        }
    }
}

/// A persona's YAML text and where it came from, before parsing.
#[derive(Debug, Clone)]
pub struct PersonaSource {
    pub name: String,
    pub origin: Origin,
    pub text: String,
}

impl PersonaSource {
    /// The name used in error messages: the path, or `<built-in NAME>`.
    pub fn display_path(&self) -> PathBuf {
        match &self.origin {
            Origin::Builtin => PathBuf::from(format!("<built-in {}>", self.name)),
            Origin::User(path) | Origin::File(path) => path.clone(),
        }
    }

    /// Parses the spec; errors name file:line:column and the field.
    pub fn parse(&self) -> Result<PersonaSpec, LoadError> {
        if self.origin == Origin::Builtin
            && let Some((_, json)) = BUILTIN_JSON.iter().find(|(name, _)| *name == self.name)
        {
            return serde_json::from_str(json).map_err(|e| {
                LoadError::Invalid(crate::yaml::YamlError {
                    file: self.display_path(),
                    line: None,
                    column: None,
                    message: e.to_string(),
                })
            });
        }
        Ok(crate::yaml::from_str::<PersonaSpec>(
            &self.text,
            &self.display_path(),
        )?)
    }
}

/// Persona lookup and parse errors; all are the user's input (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("unknown persona '{name}' (available: {known}; or give a path to a .yaml file)")]
    Unknown { name: String, known: String },
    #[error("cannot read persona file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(#[from] crate::yaml::YamlError),
    #[error("cannot list {path}: {source}")]
    List {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// True when a `--persona` value names a file rather than a persona.
pub fn is_path(value: &str) -> bool {
    let yaml_extension = Path::new(value)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
    value.contains('/') || value.contains(std::path::MAIN_SEPARATOR) || yaml_extension
}

/// Reads a persona file given by path.
pub fn read_file(path: &Path) -> Result<PersonaSource, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
        path: path.to_owned(),
        source,
    })?;
    let name = path.file_stem().map_or_else(
        || "persona".to_owned(),
        |s| s.to_string_lossy().into_owned(),
    );
    Ok(PersonaSource {
        name,
        origin: Origin::File(path.to_owned()),
        text,
    })
}

/// Finds a persona by name or path.
pub fn find(value: &str, personas_dir: &Path) -> Result<PersonaSource, LoadError> {
    if is_path(value) {
        return read_file(Path::new(value));
    }
    for ext in ["yaml", "yml"] {
        let path = personas_dir.join(format!("{value}.{ext}"));
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                return Ok(PersonaSource {
                    name: value.to_owned(),
                    origin: Origin::User(path),
                    text,
                });
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(LoadError::Read { path, source }),
        }
    }
    if let Some((name, text)) = BUILTIN.iter().find(|(name, _)| *name == value) {
        return Ok(PersonaSource {
            name: (*name).to_owned(),
            origin: Origin::Builtin,
            text: (*text).to_owned(),
        });
    }
    let known = list(personas_dir)?
        .into_iter()
        .map(|p| p.name)
        .collect::<Vec<_>>()
        .join(", ");
    Err(LoadError::Unknown {
        name: value.to_owned(),
        known,
    })
}

/// Every persona: the built-ins, then the user folder's `*.yaml`/`*.yml` sorted by name. A
/// missing user folder is no error.
pub fn list(personas_dir: &Path) -> Result<Vec<PersonaSource>, LoadError> {
    let mut all: Vec<PersonaSource> = BUILTIN
        .iter()
        .map(|(name, text)| PersonaSource {
            name: (*name).to_owned(),
            origin: Origin::Builtin,
            text: (*text).to_owned(),
        })
        .collect();
    let entries = match std::fs::read_dir(personas_dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(all),
        Err(source) => {
            return Err(LoadError::List {
                path: personas_dir.to_owned(),
                source,
            });
        }
    };
    let mut user = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let is_yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
        if !is_yaml || !path.is_file() {
            continue;
        }
        let Some(stem) = path.file_stem().map(|s| s.to_string_lossy().into_owned()) else {
            continue;
        };
        let text = std::fs::read_to_string(&path).map_err(|source| LoadError::Read {
            path: path.clone(),
            source,
        })?;
        user.push(PersonaSource {
            name: stem,
            origin: Origin::User(path),
            text,
        });
    }
    user.sort_by(|a, b| a.name.cmp(&b.name));
    all.extend(user);
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_names_are_told_apart() {
        assert!(is_path("./x"));
        assert!(is_path("team.yaml"));
        assert!(is_path("team.yml"));
        assert!(!is_path("mitchell"));
    }

    #[test]
    fn every_builtin_parses() {
        for (name, text) in BUILTIN {
            let spec = crate::yaml::from_str::<PersonaSpec>(text, Path::new(name))
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(spec.name, *name);
        }
    }

    #[test]
    fn builtin_json_is_the_yaml() {
        assert_eq!(
            BUILTIN.len(),
            BUILTIN_JSON.len(),
            "build.rs converts every built-in"
        );
        for (name, text) in BUILTIN {
            let yaml = crate::yaml::from_str::<PersonaSpec>(text, Path::new(name)).unwrap();
            let source = PersonaSource {
                name: (*name).to_owned(),
                origin: Origin::Builtin,
                text: (*text).to_owned(),
            };
            let json = source.parse().unwrap();
            assert_eq!(
                serde_json::to_value(&json).unwrap(),
                serde_json::to_value(&yaml).unwrap(),
                "{name}: the embedded JSON and the YAML differ"
            );
        }
    }

    #[test]
    fn user_persona_shadows_builtin_and_unknown_lists_known() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("mitchell.yaml"), "x").unwrap();
        let found = find("mitchell", dir.path()).unwrap();
        assert!(matches!(found.origin, Origin::User(_)));
        let err = find("nobody", dir.path()).unwrap_err().to_string();
        assert!(err.contains("nobody") && err.contains("mitchell"), "{err}");
    }
}
