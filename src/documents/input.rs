//! Reading a document from text: YAML (through `crate::yaml`) or JSON (through
//! serde_path_to_error), with errors that name the file, the line and the field. The content
//! check (`Document::validate`) runs here too, so every input error comes out of one place.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::{Document, Kind};

/// A document input that cannot be used (exit 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub file: PathBuf,
    pub line: Option<u64>,
    pub column: Option<u64>,
    /// The field, as a path (`timeline[2].time`), when known.
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        match &self.field {
            Some(field) => write!(f, ": field `{field}`: {}", self.message),
            None => write!(f, ": {}", self.message),
        }
    }
}

impl std::error::Error for InputError {}

/// A JSON deserialisation error with its field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// Broken JSON (a syntax error, the text ending early) rather than a wrong value: its
    /// position is the real one and no field applies.
    pub syntax: bool,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() || self.path == "." {
            write!(f, "{}", self.message)
        } else {
            write!(f, "`{}`: {}", self.path, self.message)
        }
    }
}

/// Deserialises JSON into `T`, keeping the path of the field that failed.
pub fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, JsonError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        JsonError {
            path,
            line: inner.line(),
            column: inner.column(),
            message: strip_position(&inner.to_string()),
            syntax: inner.is_syntax() || inner.is_eof(),
        }
    })?;
    de.end().map_err(|err| JsonError {
        path: String::new(),
        line: err.line(),
        column: err.column(),
        message: strip_position(&err.to_string()),
        syntax: true,
    })?;
    Ok(value)
}

/// serde_json appends " at line L column C"; the location is reported separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

/// Parses and checks a document read from `file`: JSON when the name ends in `.json` (or the
/// text starts with `{`), YAML otherwise.
pub fn parse(kind: Kind, text: &str, file: &Path) -> Result<Document, InputError> {
    let is_json = file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        || text.trim_start().starts_with('{');
    let doc = if is_json {
        parse_json(kind, text).map_err(|e| {
            // serde_json places errors raised inside a value after it; the YAML reader (JSON is
            // YAML) knows where the value starts, so its position wins when it has one. Broken
            // JSON is placed by serde_json itself.
            let located = (!e.syntax)
                .then(|| parse_yaml(kind, text, file).err())
                .flatten();
            InputError {
                file: file.to_owned(),
                line: located
                    .as_ref()
                    .and_then(|l| l.line)
                    .or(u64::try_from(e.line).ok().filter(|&l| l > 0)),
                column: located
                    .as_ref()
                    .and_then(|l| l.column)
                    .or(u64::try_from(e.column).ok().filter(|&c| c > 0)),
                field: Some(e.path).filter(|p| !e.syntax && !p.is_empty() && p != "." && p != "?"),
                message: e.message,
            }
        })?
    } else {
        parse_yaml(kind, text, file)?
    };
    doc.validate().map_err(|err| InputError {
        file: file.to_owned(),
        line: err
            .place()
            .and_then(|(key, index)| line_of_item(text, key, index)),
        column: None,
        field: None,
        message: err.to_string(),
    })?;
    Ok(doc)
}

/// Deserialises JSON text as a document of `kind` (no content check).
pub fn parse_json(kind: Kind, text: &str) -> Result<Document, JsonError> {
    Ok(match kind {
        Kind::Postmortem => Document::Postmortem(from_json(text)?),
        Kind::Overview => Document::Overview(from_json(text)?),
        Kind::HealthCheck => Document::HealthCheck(from_json(text)?),
    })
}

fn parse_yaml(kind: Kind, text: &str, file: &Path) -> Result<Document, InputError> {
    let result = match kind {
        Kind::Postmortem => crate::yaml::from_str(text, file).map(Document::Postmortem),
        Kind::Overview => crate::yaml::from_str(text, file).map(Document::Overview),
        Kind::HealthCheck => crate::yaml::from_str(text, file).map(Document::HealthCheck),
    };
    result.map_err(|err| {
        // A message that already names its field (`field `a.b`: …`) is not given another.
        let field = err
            .line
            .and_then(|line| key_on_line(text, line))
            .filter(|_| !err.message.contains('`'));
        InputError {
            file: err.file,
            line: err.line,
            column: err.column,
            field,
            message: strip_line_prefix(&err.message),
        }
    })
}

/// The YAML reader sometimes repeats the position as `line L column C: `; it is shown once.
fn strip_line_prefix(message: &str) -> String {
    let rest = message
        .strip_prefix("line ")
        .and_then(|r| r.split_once(": "));
    match rest {
        Some((pos, msg)) if pos.split_whitespace().count() == 3 => msg.to_owned(),
        _ => message.to_owned(),
    }
}

/// The line (1-based) of item `index` of the list under `key` (`links`, `components`), in block
/// YAML (`- …` items) or pretty JSON (`[…]`/`{…}` items, one per line); else the key's own line
/// (a flow list). `None` when the key is not found.
fn line_of_item(text: &str, key: &str, index: Option<usize>) -> Option<u64> {
    let lines: Vec<&str> = text.lines().collect();
    let indent = |l: &str| l.len() - l.trim_start().len();
    let key_at = lines.iter().position(|l| {
        let t = l.trim_start();
        t.starts_with(&format!("{key}:")) || t.starts_with(&format!("\"{key}\""))
    })?;
    let found = index.and_then(|wanted| {
        let key_indent = indent(lines[key_at]);
        let mut item_indent = None;
        let mut seen = 0;
        for (n, line) in lines.iter().enumerate().skip(key_at + 1) {
            let t = line.trim_start();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            let is_item =
                t.starts_with("- ") || t == "-" || t.starts_with('[') || t.starts_with('{');
            if indent(line) < key_indent || (indent(line) == key_indent && !t.starts_with('-')) {
                break;
            }
            if is_item && *item_indent.get_or_insert(indent(line)) == indent(line) {
                if seen == wanted {
                    return Some(n);
                }
                seen += 1;
            }
        }
        None
    });
    u64::try_from(found.unwrap_or(key_at) + 1).ok()
}

/// The mapping key written on `line` (1-based), e.g. `time` in `  - time: 25:00`.
fn key_on_line(text: &str, line: u64) -> Option<String> {
    let raw = text
        .lines()
        .nth(usize::try_from(line).ok()?.checked_sub(1)?)?;
    let rest = raw.trim_start().trim_start_matches("- ").trim_start();
    let (key, _) = rest.split_once(':')?;
    let key = key.trim().trim_matches(|c| c == '"' || c == '\'');
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == ' ');
    plain.then(|| key.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_errors_have_a_path_and_a_line() {
        let err = parse(
            Kind::Postmortem,
            "{\n \"timeline\": [{\"time\": 5}]\n}",
            Path::new("pm.json"),
        )
        .unwrap_err();
        assert_eq!(err.line, Some(2));
        assert_eq!(err.field.as_deref(), Some("timeline[0].time"));
        assert!(err.to_string().starts_with("pm.json:2:"), "{err}");
    }

    #[test]
    fn yaml_errors_name_the_key_on_their_line() {
        let err = parse(
            Kind::HealthCheck,
            "uptime_percent: 99.9\nmanual_tasks: lots\n",
            Path::new("h.yaml"),
        )
        .unwrap_err();
        assert_eq!(err.line, Some(2), "{err}");
        assert!(err.to_string().contains("manual_tasks"), "{err}");
    }

    #[test]
    fn link_errors_give_the_line_of_the_link() {
        let yaml = "components:\n  - {id: a, label: A}\nlinks:\n  - [a, a2]\n  - [a, b]\n";
        let err = parse(Kind::Overview, yaml, Path::new("o.yaml")).unwrap_err();
        assert_eq!(err.line, Some(4), "{err}");
        let json = "{\"components\": [{\"id\": \"a\", \"label\": \"A\"}],\n \"links\": [\n  [\"a\", \"a\"],\n  [\"a\", \"b\"]\n ]\n}\n";
        let err = parse(Kind::Overview, json, Path::new("o.json")).unwrap_err();
        assert_eq!(err.line, Some(4), "{err}");
        assert!(
            err.to_string()
                .starts_with("o.json:4: links[1]: unknown component id"),
            "{err}"
        );
    }

    #[test]
    fn truncated_json_gives_its_real_place_and_no_field() {
        let err = parse(
            Kind::Postmortem,
            "{\"title\": \"x\",\n \"summary\": \"y\"",
            Path::new("w.json"),
        )
        .unwrap_err();
        assert_eq!(err.field, None, "{err}");
        assert_eq!(err.line, Some(2), "{err}");
        assert!(!err.to_string().contains('?'), "{err}");
    }

    #[test]
    fn nested_type_errors_name_the_field_once() {
        let err = parse(
            Kind::Postmortem,
            "resolution:\n  immediate: 5\n",
            Path::new("pm.yaml"),
        )
        .unwrap_err();
        assert_eq!(err.to_string().matches("field").count(), 1, "{err}");
        assert!(err.to_string().contains("`resolution.immediate`"), "{err}");
    }

    #[test]
    fn a_cycle_is_an_input_error_naming_the_file() {
        let yaml = "components:\n  - {id: a, label: A}\n  - {id: b, label: B}\nlinks:\n  - [a, b]\n  - [b, a]\n";
        let err = parse(Kind::Overview, yaml, Path::new("o.yaml")).unwrap_err();
        assert!(
            err.to_string().starts_with("o.yaml:4: links form a cycle"),
            "{err}"
        );
    }
}
