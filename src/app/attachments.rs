//! `-f/--file PATH` on `ask`, `chat` and the document commands, and `/file PATH` in the REPL:
//! each text file is added to the prompt as context, a fenced block headed by its path, before
//! the question. The files together may be at most `--max-input` bytes; a file that is not
//! UTF-8 text (or holds NUL bytes) is refused. Every refusal is a one-line usage error (exit 2
//! on the command line; the REPL prints it and carries on). Only reads files.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::error;

/// Files read and waiting to go before a message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attachments {
    files: Vec<(PathBuf, String)>,
    bytes: u64,
}

impl Attachments {
    /// Reads every file in `paths`, in order, within `max_input` bytes in all.
    pub fn read_all(paths: &[PathBuf], max_input: u64) -> anyhow::Result<Self> {
        let mut attachments = Attachments::default();
        for path in paths {
            attachments.add(path, max_input)?;
        }
        Ok(attachments)
    }

    /// Reads `path` and keeps it; returns its size. Nothing is kept when it is refused.
    pub fn add(&mut self, path: &Path, max_input: u64) -> anyhow::Result<u64> {
        let text = read_text(path)?;
        let size = text.len() as u64;
        if self.bytes + size > max_input {
            return Err(error::usage_msg(format!(
                "{}: attachments are larger than {max_input} bytes (raise it with --max-input)",
                path.display()
            )));
        }
        self.bytes += size;
        self.files.push((path.to_owned(), text));
        Ok(size)
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// How many files are waiting.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// `prompt` with the files before it as fenced blocks; the files are used up.
    pub fn take_into(&mut self, prompt: &str) -> String {
        let mut context = String::new();
        for (path, text) in std::mem::take(&mut self.files) {
            context.push_str(&fenced(&path, &text));
            context.push('\n');
        }
        self.bytes = 0;
        context.push_str(prompt);
        context
    }
}

/// `prompt` with `files` put before it as fenced blocks; `prompt` itself when there are none.
pub fn attach(prompt: String, files: &[PathBuf], max_input: u64) -> anyhow::Result<String> {
    if files.is_empty() {
        return Ok(prompt);
    }
    Ok(Attachments::read_all(files, max_input)?.take_into(&prompt))
}

fn read_text(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path)
        .map_err(|err| error::usage_msg(format!("cannot read {}: {err}", path.display())))?;
    if bytes.contains(&0) {
        return Err(binary(path));
    }
    String::from_utf8(bytes).map_err(|_| binary(path))
}

fn binary(path: &Path) -> anyhow::Error {
    error::usage_msg(format!(
        "{} is not a text file; only text files can be attached",
        path.display()
    ))
}

/// `path` then the text in a fence longer than any backtick run inside it, tagged with the
/// file's extension.
fn fenced(path: &Path, text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let lang = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let mut block = String::new();
    let _ = writeln!(block, "{}:", path.display());
    let _ = writeln!(block, "{fence}{lang}");
    block.push_str(text);
    if !text.ends_with('\n') {
        block.push('\n');
    }
    let _ = writeln!(block, "{fence}");
    block
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fence_outgrows_backticks_in_the_file() {
        let block = fenced(Path::new("notes.md"), "use ```sh\nls\n```");
        assert_eq!(block, "notes.md:\n````md\nuse ```sh\nls\n```\n````\n");
    }

    #[test]
    fn no_files_keep_the_prompt() {
        assert_eq!(attach("q".to_owned(), &[], 10).unwrap_or_default(), "q");
    }

    #[test]
    fn waiting_files_are_used_once_and_a_refused_one_is_not_kept() {
        let dir = tempfile::tempdir().expect("dir");
        let a = dir.path().join("a.txt");
        std::fs::write(&a, "alpha\n").expect("write");
        let big = dir.path().join("big.txt");
        std::fs::write(&big, "x".repeat(20)).expect("write");
        let mut files = Attachments::default();
        assert_eq!(files.add(&a, 16).expect("fits"), 6);
        assert!(files.add(&big, 16).is_err());
        assert_eq!(files.len(), 1);
        let sent = files.take_into("q");
        assert_eq!(sent, format!("{}:\n```txt\nalpha\n```\n\nq", a.display()));
        assert!(files.is_empty());
        assert_eq!(files.take_into("again"), "again");
        assert_eq!(files.add(&big, 20).expect("the cap starts again"), 20);
    }
}
