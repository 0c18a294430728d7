//! The line editor (the only rustyline user): history in `Paths::history()`, bracketed paste
//! (a pasted block is one message), `"""` … `"""` blocks, and Tab completion of slash
//! commands, persona names and session names. The completion and block rules are pure
//! functions; `LineEditor` only wires them into rustyline.

use std::path::{Path, PathBuf};

use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::{FileHistory, History};
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Config, Context, Editor, Helper};

use super::command::{COMMANDS, expand_home};

/// Lines kept in the history file.
const HISTORY_SIZE: usize = 5_000;
/// Opens and closes a multi-line block.
pub const FENCE: &str = "\"\"\"";

/// What one read produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read {
    Line(String),
    /// Ctrl-C on a line: the line is cleared.
    Cleared,
    /// Ctrl-D on an empty line.
    Eof,
}

/// The names Tab completes besides commands, and the home folder `~/` paths start from.
#[derive(Debug, Clone, Default)]
pub struct Names {
    pub personas: Vec<String>,
    pub sessions: Vec<String>,
    pub home: Option<String>,
}

/// Completion for `line` with the cursor at `pos`: the start of the word and the candidates.
pub fn complete(line: &str, pos: usize, names: &Names) -> (usize, Vec<String>) {
    let before = &line[..pos];
    let Some(rest) = before.strip_prefix('/') else {
        return (pos, Vec::new());
    };
    let Some((cmd, arg)) = rest.split_once(' ') else {
        let found = COMMANDS
            .iter()
            .filter(|c| c.name.starts_with(rest))
            .map(|c| format!("/{}{}", c.name, if c.args.is_empty() { "" } else { " " }))
            .collect();
        return (0, found);
    };
    let fixed = |words: &[&str]| words.iter().map(|w| (*w).to_owned()).collect::<Vec<_>>();
    if cmd == "file" {
        let arg = arg.trim_start();
        return (pos - arg.len(), complete_path(arg, names.home.as_deref()));
    }
    let pool = match cmd {
        "persona" => names.personas.clone(),
        "load" => names.sessions.clone(),
        "detail" => fixed(&["full", "compact"]),
        "export" => fixed(&["md", "json"]),
        "provider" => fixed(&["local"]),
        _ => Vec::new(),
    };
    let arg = arg.trim_start();
    let start = pos - arg.len();
    (
        start,
        pool.into_iter().filter(|n| n.starts_with(arg)).collect(),
    )
}

/// The paths that complete `arg` (what follows `/file `): the entries of its folder whose names
/// start with its last part, sorted, folders with a trailing `/`. Hidden entries only when that
/// part starts with `.`. What was typed is kept as typed (`~/` stays `~/`).
pub fn complete_path(arg: &str, home: Option<&str>) -> Vec<String> {
    let (folder, start) = match arg.rfind('/') {
        Some(i) => arg.split_at(i + 1),
        None => ("", arg),
    };
    let dir = if folder.is_empty() {
        PathBuf::from(".")
    } else {
        expand_home(folder, home)
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut found: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let hidden = name.starts_with('.') && !start.starts_with('.');
            if hidden || !name.starts_with(start) {
                return None;
            }
            let slash = if Path::new(&dir).join(&name).is_dir() {
                "/"
            } else {
                ""
            };
            Some(format!("{folder}{name}{slash}"))
        })
        .collect();
    found.sort();
    found
}

/// True while a `"""` block is open: the input starts with the fence and has no closing one.
pub fn block_is_open(input: &str) -> bool {
    let Some(rest) = input.trim_start().strip_prefix(FENCE) else {
        return false;
    };
    !rest
        .split_once('\n')
        .is_some_and(|(_, body)| body.lines().any(|l| l.trim_end() == FENCE))
}

/// The text of a finished `"""` block (between the fences, the text after the opening fence
/// included), or the input as typed.
pub fn message_text(input: &str) -> String {
    let Some(rest) = input.trim_start().strip_prefix(FENCE) else {
        return input.to_owned();
    };
    let mut lines: Vec<&str> = rest.lines().collect();
    if let Some(i) = lines.iter().rposition(|l| l.trim_end() == FENCE) {
        lines.truncate(i);
    }
    if lines.first().is_some_and(|l| l.trim().is_empty()) {
        lines.remove(0);
    }
    lines.join("\n")
}

struct ReplHelper {
    names: Names,
}

impl Completer for ReplHelper {
    type Candidate = Pair;
    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let (start, found) = complete(line, pos, &self.names);
        let pairs = found
            .into_iter()
            .map(|w| Pair {
                display: w.trim_end().to_owned(),
                replacement: w,
            })
            .collect();
        Ok((start, pairs))
    }
}

impl Hinter for ReplHelper {
    type Hint = String;
}

impl Highlighter for ReplHelper {}

impl Validator for ReplHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        Ok(if block_is_open(ctx.input()) {
            ValidationResult::Incomplete
        } else {
            ValidationResult::Valid(None)
        })
    }
}

impl Helper for ReplHelper {}

/// The REPL's editor and its history file.
pub struct LineEditor {
    editor: Editor<ReplHelper, FileHistory>,
    history: PathBuf,
}

impl LineEditor {
    /// Opens the editor and loads the history (a missing file is a fresh start).
    pub fn new(history: PathBuf) -> anyhow::Result<Self> {
        let config = Config::builder()
            .auto_add_history(false)
            .bracketed_paste(true)
            .max_history_size(HISTORY_SIZE)?
            .history_ignore_dups(true)?
            .history_ignore_space(true)
            .build();
        let mut editor = Editor::with_config(config)?;
        editor.set_helper(Some(ReplHelper {
            names: Names::default(),
        }));
        if history.exists() {
            // A damaged history file should not stop the REPL; it is rewritten on append.
            let _ = editor.load_history(&history);
        }
        Ok(LineEditor { editor, history })
    }

    /// Updates what Tab completes.
    pub fn set_names(&mut self, names: Names) {
        if let Some(helper) = self.editor.helper_mut() {
            helper.names = names;
        }
    }

    /// Reads one line or block.
    pub fn read(&mut self, prompt: &str) -> anyhow::Result<Read> {
        match self.editor.readline(prompt) {
            Ok(line) => Ok(Read::Line(line)),
            Err(ReadlineError::Interrupted) => Ok(Read::Cleared),
            Err(ReadlineError::Eof) => Ok(Read::Eof),
            Err(err) => Err(err.into()),
        }
    }

    /// Adds an entry to the history and appends it to the file at once, so two REPLs share it.
    pub fn remember(&mut self, entry: &str) {
        if self.editor.add_history_entry(entry).unwrap_or(false) {
            if let Some(dir) = self.history.parent() {
                let _ = crate::config::create_private_dir(dir);
            }
            // History is a convenience: failing to save it must not end the session.
            let _ = self.editor.history_mut().append(&self.history);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names {
        Names {
            personas: vec!["mitchell".into(), "sre".into()],
            sessions: vec!["dr-plan".into(), "deploy".into()],
            home: None,
        }
    }

    #[test]
    fn commands_complete_from_the_slash() {
        let (start, found) = complete("/pe", 3, &names());
        assert_eq!(start, 0);
        assert_eq!(found, ["/persona "]);
        let (_, found) = complete("/", 1, &names());
        assert_eq!(found.len(), COMMANDS.len());
        assert!(complete("hello", 5, &names()).1.is_empty());
    }

    #[test]
    fn arguments_complete_personas_sessions_and_choices() {
        assert_eq!(
            complete("/persona s", 10, &names()),
            (9, vec!["sre".into()])
        );
        assert_eq!(
            complete("/load d", 7, &names()),
            (6, vec!["dr-plan".into(), "deploy".into()])
        );
        assert_eq!(complete("/detail c", 9, &names()).1, ["compact"]);
    }

    #[test]
    fn file_paths_complete_from_their_folder() {
        let dir = tempfile::tempdir().expect("dir");
        for name in ["main.tf", "main.tfvars", ".secret"] {
            std::fs::write(dir.path().join(name), "x").expect("write");
        }
        std::fs::create_dir(dir.path().join("modules")).expect("mkdir");
        let base = format!("{}/", dir.path().display());
        let line = format!("/file {base}ma");
        let (start, found) = complete(&line, line.len(), &names());
        assert_eq!(start, 6);
        assert_eq!(
            found,
            [format!("{base}main.tf"), format!("{base}main.tfvars")]
        );
        assert_eq!(
            complete_path(&format!("{base}mo"), None),
            [format!("{base}modules/")]
        );
        assert_eq!(
            complete_path(&base, None).len(),
            3,
            "hidden entries are left out"
        );
        assert_eq!(
            complete_path(&format!("{base}.s"), None),
            [format!("{base}.secret")]
        );
        let home = dir.path().to_str().map(str::to_owned);
        assert_eq!(
            complete_path("~/main.tfv", home.as_deref()),
            ["~/main.tfvars"]
        );
        assert!(complete_path(&format!("{base}nothing/x"), None).is_empty());
    }

    #[test]
    fn a_block_stays_open_until_its_closing_fence() {
        assert!(!block_is_open("hello"));
        assert!(block_is_open("\"\"\""));
        assert!(block_is_open("\"\"\"\nline one"));
        assert!(!block_is_open("\"\"\"\nline one\n\"\"\""));
        assert_eq!(
            message_text("\"\"\"\nline one\nline two\n\"\"\""),
            "line one\nline two"
        );
        assert_eq!(message_text("\"\"\"first\nsecond\n\"\"\""), "first\nsecond");
        assert_eq!(message_text("plain"), "plain");
    }
}
