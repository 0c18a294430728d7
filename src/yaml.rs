//! The one user of the YAML crate (serde-saphyr: maintained, pure Rust, with error locations).
//! Parses typed YAML and turns its errors into one line: `file:line:column: message`.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

/// A YAML parse or schema error with the place it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub file: PathBuf,
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub message: String,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(col)) => {
                write!(f, "{}:{line}:{col}: {}", self.file.display(), self.message)
            }
            _ => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

impl std::error::Error for YamlError {}

/// Deserialises `text` (read from `file`) into `T`. Unknown keys are rejected by `T` itself
/// (`#[serde(deny_unknown_fields)]`).
pub fn from_str<T: DeserializeOwned>(text: &str, file: &Path) -> Result<T, YamlError> {
    serde_saphyr::from_str::<T>(text).map_err(|err| {
        let location = err.location();
        let line = location.map(|l| l.line()).filter(|&l| l > 0);
        let mut message = message_of(&err.to_string());
        if !message.contains('`')
            && let Some(path) = line.and_then(|l| field_path_at(text, l))
        {
            message = format!("field `{path}`: {message}");
        }
        YamlError {
            file: file.to_owned(),
            line,
            column: location.map(|l| l.column()).filter(|&c| c > 0),
            message,
        }
    })
}

/// The dotted path of the mapping key on `line` (1-based), found by walking up to the lines of
/// smaller indentation: `providers.groq.include_usage`. `None` when the line holds no key.
fn field_path_at(text: &str, line: u64) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let index = usize::try_from(line).ok()?.checked_sub(1)?;
    let key_of = |l: &str| -> Option<(usize, String)> {
        let body = l.trim_start();
        let indent = l.len() - body.len();
        let (indent, body) = match body.strip_prefix("- ") {
            Some(rest) => (indent + 2, rest),
            None => (indent, body),
        };
        let (key, _) = body.split_once(':')?;
        let key = key.trim().trim_matches(|c| c == '"' || c == '\'');
        let plain = !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ' '));
        plain.then(|| (indent, key.to_owned()))
    };
    let (mut indent, key) = key_of(lines.get(index)?)?;
    let mut path = vec![key];
    for l in lines[..index].iter().rev() {
        if indent == 0 {
            break;
        }
        if l.trim().is_empty() || l.trim_start().starts_with('#') {
            continue;
        }
        if let Some((i, k)) = key_of(l)
            && i < indent
        {
            path.push(k);
            indent = i;
        }
    }
    path.reverse();
    Some(path.join("."))
}

/// Serialises a value as YAML.
pub fn to_string<T: serde::Serialize>(value: &T) -> anyhow::Result<String> {
    Ok(serde_saphyr::to_string(value)?)
}

/// The first meaningful line of the crate's rendered error, without its snippet or position.
fn message_of(rendered: &str) -> String {
    let first = rendered
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("invalid YAML");
    let first = first.strip_prefix("error: ").unwrap_or(first);
    // The crate may prefix `line N column M: `; the position is printed once, by `YamlError`.
    let first = match first
        .strip_prefix("line ")
        .and_then(|rest| rest.split_once(": "))
    {
        Some((position, rest)) if position.contains("column") => rest,
        _ => first,
    };
    match first.find(" at line ") {
        Some(at) => first[..at].to_owned(),
        None => first.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Doc {
        name: String,
        size: u32,
    }

    #[test]
    fn unknown_key_names_line_column_and_key() {
        let err = from_str::<Doc>("name: a\nsize: 3\nsiez: 4\n", Path::new("f.yaml")).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("f.yaml:3:1: "), "{text}");
        assert!(text.contains("siez"), "{text}");
        assert!(!text.contains('\n'), "{text}");
    }

    #[test]
    fn wrong_type_has_a_location() {
        let err = from_str::<Doc>("name: a\nsize: big\n", Path::new("f.yaml")).unwrap_err();
        assert_eq!(err.line, Some(2), "{err}");
    }

    #[test]
    fn wrong_type_names_the_nested_field() {
        let text = "providers:\n  groq:\n    base_url: x\n    include_usage: maybe\n";
        assert_eq!(
            field_path_at(text, 4).as_deref(),
            Some("providers.groq.include_usage")
        );
        assert_eq!(
            field_path_at("a:\n  - name: x\n    size: 2\n", 3).as_deref(),
            Some("a.size")
        );
    }

    #[test]
    fn broken_yaml_has_a_location() {
        let err = from_str::<Doc>("name: [a\nsize: 3\n", Path::new("f.yaml")).unwrap_err();
        assert!(err.line.is_some(), "{err}");
    }
}
