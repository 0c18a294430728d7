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
        let column = location.map(|l| l.column()).filter(|&c| c > 0);
        let mut message = message_of(&err.to_string());
        // Type errors ("invalid u32") do not say which key; the source at the location does:
        // the dotted path of a block key, else the key of a flow mapping at that column.
        if !message.contains('`')
            && let Some(key) = line.and_then(|l| {
                field_path_at(text, l).or_else(|| key_at(text, l, column.unwrap_or(1)))
            })
        {
            message = format!("field `{key}`: {message}");
        }
        YamlError {
            file: file.to_owned(),
            line,
            column,
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

/// The first meaningful line of the crate's rendered error, without its snippet or position.
fn message_of(rendered: &str) -> String {
    let first = rendered
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("invalid YAML");
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let first = strip_position(first);
    let first = match first.find(" at line ") {
        Some(at) => &first[..at],
        None => first,
    };
    // The crate's duplicate-key message ends with advice about its own options.
    if let Some(rest) = first.strip_prefix("duplicate mapping key: ") {
        let key = rest.split(", set ").next().unwrap_or(rest).trim();
        return format!("the key `{key}` appears twice (each key may be given once)");
    }
    first.to_owned()
}

/// Drops a leading `line N column M: ` (the position is printed separately).
fn strip_position(message: &str) -> &str {
    let Some(rest) = message.strip_prefix("line ") else {
        return message;
    };
    let mut words = rest.splitn(4, ' ');
    match (words.next(), words.next(), words.next(), words.next()) {
        (Some(line), Some("column"), Some(col), Some(tail))
            if line.chars().all(|c| c.is_ascii_digit())
                && col
                    .trim_end_matches(':')
                    .chars()
                    .all(|c| c.is_ascii_digit()) =>
        {
            tail
        }
        _ => message,
    }
}

/// The mapping key whose value sits at `line`:`column` (1-based): the last `key:` before the
/// column on that line, else the nearest less-indented `key:` above it.
fn key_at(text: &str, line: u64, column: u64) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let index = usize::try_from(line).ok()?.checked_sub(1)?;
    let here = lines.get(index)?;
    let col = usize::try_from(column).ok()?.saturating_sub(1);
    let prefix: String = here.chars().take(col).collect();
    if let Some(key) = last_key(&prefix) {
        return Some(key);
    }
    let indent = indentation(here);
    lines[..index]
        .iter()
        .rev()
        .filter(|l| !l.trim().is_empty() && indentation(l) < indent)
        .find_map(|l| last_key(l.trim_start().trim_start_matches("- ")))
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The last `key:` in a fragment of a line (`  size: `, `{ metric: a, target: `).
fn last_key(fragment: &str) -> Option<String> {
    let colon = fragment.rfind(':')?;
    let before = &fragment[..colon];
    let start = before.rfind([' ', '{', ',', '[', '-']).map_or(0, |i| i + 1);
    let key = before[start..].trim_matches(|c| c == '"' || c == '\'');
    let valid = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    valid.then(|| key.to_owned())
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
    fn wrong_type_has_a_location_and_names_the_field() {
        let err = from_str::<Doc>("name: a\nsize: big\n", Path::new("f.yaml")).unwrap_err();
        assert_eq!(err.line, Some(2), "{err}");
        assert_eq!(err.to_string(), "f.yaml:2:7: field `size`: invalid u32");
    }

    #[test]
    fn key_at_finds_flow_keys_and_parents() {
        let text = "a:\n  - { metric: x, target: [1] }\nitems:\n  - [oops\n";
        assert_eq!(key_at(text, 2, 29).as_deref(), Some("target"));
        assert_eq!(key_at(text, 4, 5).as_deref(), Some("items"));
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
