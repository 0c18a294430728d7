//! An eval suite: its typed YAML (`name`, `questions: [{id, ask, expect_any, expect_all,
//! reject}]`, regexes compiled case-insensitively while parsing, so a bad one is reported at its
//! file:line with the field), and the scoring rule. Pure apart from reading the file.

use std::path::{Path, PathBuf};

use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Deserializer};

/// The built-in suite for the mitchell persona.
pub const BUILT_IN: &str = include_str!("../../../evals/mitchell.yaml");
/// How the built-in suite is named in messages.
pub const BUILT_IN_NAME: &str = "evals/mitchell.yaml (built in)";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suite {
    pub name: String,
    pub questions: Vec<Question>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: String,
    pub ask: String,
    /// At least one must match (an empty list asks nothing).
    #[serde(default)]
    pub expect_any: Vec<Pattern>,
    /// Every one must match.
    #[serde(default)]
    pub expect_all: Vec<Pattern>,
    /// None may match.
    #[serde(default)]
    pub reject: Vec<Pattern>,
}

/// A case-insensitive regex, compiled while the suite is parsed.
#[derive(Debug, Clone)]
pub struct Pattern(pub Regex);

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let source = String::deserialize(d)?;
        RegexBuilder::new(&source)
            .case_insensitive(true)
            .build()
            .map(Pattern)
            .map_err(|err| serde::de::Error::custom(regex_error(&source, &err)))
    }
}

/// One line for a regex error (the crate's own message spans several, with a caret).
fn regex_error(source: &str, err: &regex::Error) -> String {
    let text = err.to_string();
    let reason = text
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("invalid");
    let reason = reason.strip_prefix("error: ").unwrap_or(reason);
    format!("invalid regex '{source}': {reason}")
}

/// A suite problem: always a usage error naming the file (and line, where known).
#[derive(Debug, thiserror::Error)]
pub enum SuiteError {
    #[error("cannot read suite {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Invalid(#[from] crate::yaml::YamlError),
    #[error("{place}: {message}")]
    Rule { place: String, message: String },
}

/// Parses a suite; `file` names it in errors.
pub fn parse(text: &str, file: &Path) -> Result<Suite, SuiteError> {
    let suite: Suite = crate::yaml::from_str(text, file)?;
    let place = |needle: &str| match line_of(text, needle) {
        Some(line) => format!("{}:{line}", file.display()),
        None => file.display().to_string(),
    };
    if suite.questions.is_empty() {
        return Err(SuiteError::Rule {
            place: place("questions"),
            message: "field `questions`: the suite has no questions".into(),
        });
    }
    let mut seen = std::collections::BTreeSet::new();
    for q in &suite.questions {
        if q.id.trim().is_empty() || q.ask.trim().is_empty() {
            return Err(SuiteError::Rule {
                place: place(&format!("id: {}", q.id)),
                message: format!("field `id`/`ask`: question `{}` needs both", q.id),
            });
        }
        if !seen.insert(q.id.as_str()) {
            return Err(SuiteError::Rule {
                place: place(&format!("id: {}", q.id)),
                message: format!("field `id`: `{}` is used twice", q.id),
            });
        }
    }
    Ok(suite)
}

/// Reads and parses a suite file.
pub fn read(path: &Path) -> Result<Suite, SuiteError> {
    let text = std::fs::read_to_string(path).map_err(|source| SuiteError::Read {
        path: path.to_owned(),
        source,
    })?;
    parse(&text, path)
}

/// The last line (1-based) containing `needle`: duplicates are reported where they repeat.
fn line_of(text: &str, needle: &str) -> Option<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.contains(needle))
        .map(|(i, _)| i + 1)
        .last()
}

impl Question {
    /// Passes when some `expect_any` matches (or there is none), every `expect_all` matches
    /// and no `reject` matches.
    pub fn passes(&self, answer: &str) -> bool {
        let any =
            self.expect_any.is_empty() || self.expect_any.iter().any(|p| p.0.is_match(answer));
        let all = self.expect_all.iter().all(|p| p.0.is_match(answer));
        let none = !self.reject.iter().any(|p| p.0.is_match(answer));
        any && all && none
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suite(yaml: &str) -> Result<Suite, SuiteError> {
        parse(yaml, Path::new("s.yaml"))
    }

    #[test]
    fn the_built_in_suite_parses_and_covers_forty_questions() {
        let s = suite(BUILT_IN).unwrap();
        assert!(s.questions.len() >= 40, "{}", s.questions.len());
    }

    #[test]
    fn scoring_rules() {
        let s = suite(
            "name: t\nquestions:\n  - id: a\n    ask: q\n    expect_any: [foo, bar]\n    expect_all: [baz]\n    reject: ['^no\\b']\n",
        )
        .unwrap();
        let q = &s.questions[0];
        assert!(q.passes("FOO and BAZ"));
        assert!(!q.passes("foo only"), "expect_all missing");
        assert!(!q.passes("baz only"), "no expect_any");
        assert!(!q.passes("No, foo baz"), "rejected");
    }

    #[test]
    fn a_bad_regex_names_line_and_field() {
        let err = suite("name: t\nquestions:\n  - id: a\n    ask: q\n    reject: ['(oops']\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("s.yaml:5:"), "{err}");
        assert!(err.contains("reject") && err.contains("(oops"), "{err}");
        assert!(!err.contains('\n'), "{err}");
    }

    #[test]
    fn duplicate_ids_and_empty_suites_are_errors() {
        let dup = "name: t\nquestions:\n  - id: a\n    ask: q\n  - id: a\n    ask: r\n";
        let err = suite(dup).unwrap_err().to_string();
        assert_eq!(err, "s.yaml:5: field `id`: `a` is used twice");
        let err = suite("name: t\nquestions: []\n").unwrap_err().to_string();
        assert!(err.starts_with("s.yaml:2:"), "{err}");
    }
}
