//! The approval gate: decides whether a command line runs at once, asks first, or never runs.
//! A line is **read-only** only when it parses into a pipeline without shell syntax whose first
//! program is read-only by the catalogue (`catalogue.yaml`, embedded: which subcommands, which
//! flags write, which calls return secrets) and whose later programs are filters (`grep`,
//! `head`, …) used read-only. `tools.deny` rules (globs over the command line) win over
//! everything, approval included; `tools.allow` rules make a plain command (no shell syntax)
//! run without asking. When unsure, a command is not read-only. Pure.

use std::collections::BTreeMap;

use globset::{Glob, GlobMatcher};
use serde::Deserialize;

use super::parse::{Parsed, parse};

/// The built-in catalogue.
const CATALOGUE: &str = include_str!("catalogue.yaml");

/// What the gate decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// In the read-only catalogue: runs at once.
    ReadOnly,
    /// Matched a `tools.allow` rule: runs at once.
    Allowed(String),
    /// Needs the user's yes; the reason says why it is not read-only.
    NeedsApproval(String),
    /// Matched a `tools.deny` rule (or cannot run at all): never runs.
    Denied(String),
}

/// A judged command line and how it would run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    pub verdict: Verdict,
    /// The argv of each program of the pipeline; empty when only a shell could run it.
    pub pipeline: Vec<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    filters: Vec<String>,
    write_verbs: Vec<String>,
    secret_paths: Vec<String>,
    programs: BTreeMap<String, ProgramFile>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProgramFile {
    #[serde(default)]
    any: bool,
    #[serde(default)]
    subcommands: Vec<String>,
    #[serde(default)]
    deny_flags: Vec<String>,
    #[serde(default)]
    secret: Vec<String>,
    max_positional: Option<usize>,
}

struct Program {
    any: bool,
    subcommands: Vec<Vec<String>>,
    deny_flags: Vec<(String, GlobMatcher)>,
    secret: Vec<GlobMatcher>,
    max_positional: Option<usize>,
}

/// The gate: the catalogue plus the user's allow and deny rules.
pub struct Gate {
    programs: BTreeMap<String, Program>,
    filters: Vec<String>,
    write_verbs: Vec<String>,
    secret_paths: Vec<GlobMatcher>,
    allow: Vec<(String, GlobMatcher)>,
    deny: Vec<(String, GlobMatcher)>,
}

fn glob(pattern: &str) -> Option<GlobMatcher> {
    Glob::new(pattern).ok().map(|g| g.compile_matcher())
}

fn rules(patterns: &[String]) -> Vec<(String, GlobMatcher)> {
    patterns
        .iter()
        .filter_map(|p| glob(p.trim()).map(|g| (p.trim().to_owned(), g)))
        .collect()
}

impl Gate {
    /// The built-in catalogue with `allow` and `deny` rules (globs over the command line).
    pub fn new(allow: &[String], deny: &[String]) -> Gate {
        // The catalogue is part of the binary and checked by a unit test.
        let file: CatalogueFile = serde_saphyr::from_str(CATALOGUE)
            .expect("the embedded catalogue parses (the_catalogue_loads tests it)");
        let programs = file
            .programs
            .into_iter()
            .map(|(name, p)| {
                let program = Program {
                    any: p.any,
                    subcommands: p
                        .subcommands
                        .iter()
                        .map(|s| s.split_whitespace().map(str::to_owned).collect())
                        .collect(),
                    deny_flags: rules(&p.deny_flags),
                    secret: p.secret.iter().filter_map(|s| glob(s)).collect(),
                    max_positional: p.max_positional,
                };
                (name, program)
            })
            .collect();
        Gate {
            programs,
            filters: file.filters,
            write_verbs: file.write_verbs,
            secret_paths: file.secret_paths.iter().filter_map(|s| glob(s)).collect(),
            allow: rules(allow),
            deny: rules(deny),
        }
    }

    /// The number of programs in the catalogue.
    #[cfg(test)]
    pub fn catalogue_len(&self) -> usize {
        self.programs.len()
    }

    /// The programs allowed after `|` in a read-only pipeline.
    pub fn filters(&self) -> &[String] {
        &self.filters
    }

    /// Judges one command line.
    pub fn judge(&self, line: &str) -> Judged {
        let parsed = parse(line);
        let pipeline = match &parsed {
            Parsed::Pipeline(p) => p.clone(),
            _ => Vec::new(),
        };
        let deny_target = |text: &str| {
            self.deny
                .iter()
                .find(|(_, g)| g.is_match(text))
                .map(|(p, _)| p.clone())
        };
        let mut candidates = vec![line.trim().to_owned()];
        candidates.extend(pipeline.iter().map(|argv| argv.join(" ")));
        if let Some(rule) = candidates.iter().find_map(|c| deny_target(c)) {
            return Judged {
                verdict: Verdict::Denied(format!("denied by the tools.deny rule `{rule}`")),
                pipeline,
            };
        }
        let verdict = match parsed {
            Parsed::Invalid(msg) => Verdict::Denied(msg),
            Parsed::Shell(reasons) => {
                Verdict::NeedsApproval(format!("shell syntax: {}", reasons.join(", ")))
            }
            Parsed::Pipeline(ref p) => self.judge_pipeline(p),
        };
        Judged { verdict, pipeline }
    }

    fn judge_pipeline(&self, pipeline: &[Vec<String>]) -> Verdict {
        let mut allowed_by = None;
        for (i, argv) in pipeline.iter().enumerate() {
            let text = argv.join(" ");
            if let Some((rule, _)) = self.allow.iter().find(|(_, g)| g.is_match(&text)) {
                allowed_by.get_or_insert_with(|| rule.clone());
                continue;
            }
            let program = program_name(&argv[0]);
            if i > 0 && !self.filters.iter().any(|f| f == program) {
                return Verdict::NeedsApproval(format!(
                    "`{program}` after `|` is not one of the read-only filters ({})",
                    self.filters.join(", ")
                ));
            }
            if let Err(reason) = self.read_only(argv) {
                return Verdict::NeedsApproval(reason);
            }
        }
        match allowed_by {
            Some(rule) => Verdict::Allowed(rule),
            None => Verdict::ReadOnly,
        }
    }

    /// `Ok` when one argv is read-only by the catalogue; the reason otherwise.
    fn read_only(&self, command: &[String]) -> Result<(), String> {
        let name = &command[0];
        if name.contains('/') {
            return Err(format!(
                "`{name}` is a path; only programs from the read-only catalogue run without asking"
            ));
        }
        let Some(program) = self.programs.get(name.as_str()) else {
            return Err(format!("`{name}` is not in the read-only catalogue"));
        };
        let args = &command[1..];
        if !program.any && !program.subcommands.iter().any(|s| self.matches(s, args)) {
            let shown: Vec<&str> = args.iter().take(2).map(String::as_str).collect();
            return Err(format!(
                "`{name} {}` is not one of its read-only subcommands",
                shown.join(" ")
            ));
        }
        for arg in args.iter().filter(|a| a.starts_with('-') && a.len() > 1) {
            if let Some(rule) = denied_flag(&program.deny_flags, arg) {
                return Err(format!("`{arg}` can write or change state ({name} {rule})"));
            }
        }
        if let Some(path) = args.iter().find(|a| self.is_secret_path(a)) {
            return Err(format!("`{path}` looks like a file of secrets"));
        }
        let joined = args.join(" ");
        if program.secret.iter().any(|g| g.is_match(&joined)) {
            return Err(format!("`{name} {joined}` can print a secret"));
        }
        if let Some(max) = program.max_positional {
            let positional = args.iter().filter(|a| !a.starts_with('-')).count();
            if positional > max {
                return Err(format!(
                    "`{name}` with {positional} file arguments can write the last one"
                ));
            }
        }
        Ok(())
    }

    /// True for paths that usually hold credentials (`~/.ssh/…`, `.env`, `/etc/shadow`, …).
    pub fn is_secret_path(&self, path: &str) -> bool {
        self.secret_paths.iter().any(|g| g.is_match(path))
    }

    /// A subcommand pattern against the leading arguments.
    fn matches(&self, pattern: &[String], args: &[String]) -> bool {
        for (i, word) in pattern.iter().enumerate() {
            if word == "$" {
                return args.len() == i;
            }
            let Some(arg) = args.get(i) else {
                return false;
            };
            let ok = if word == "*" {
                !arg.is_empty() && !self.write_verbs.iter().any(|v| v == arg)
            } else {
                glob(word).is_some_and(|g| g.is_match(arg))
            };
            if !ok {
                return false;
            }
        }
        true
    }
}

fn program_name(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// The deny rule a flag matches: by its name (before `=`), or a one-letter rule inside a
/// cluster of short flags (`-so` matches `-o`).
fn denied_flag<'a>(rules: &'a [(String, GlobMatcher)], arg: &str) -> Option<&'a str> {
    let name = arg.split_once('=').map_or(arg, |(n, _)| n);
    if let Some((rule, _)) = rules.iter().find(|(_, g)| g.is_match(name)) {
        return Some(rule);
    }
    let cluster = arg.strip_prefix('-').filter(|c| !c.starts_with('-'))?;
    rules.iter().find_map(|(rule, _)| {
        let letter = rule.strip_prefix('-').filter(|r| r.chars().count() == 1)?;
        cluster.contains(letter).then_some(rule.as_str())
    })
}

#[cfg(test)]
mod tests;
