//! `-f/--file PATH` on `ask` and the document commands: each text file is added to the prompt
//! as context, a fenced block headed by its path, before the question. The files together may
//! be at most `--max-input` bytes; a file that is not UTF-8 text (or holds NUL bytes) is
//! refused. Every refusal is a one-line usage error (exit 2). Only reads files.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::error;

/// `prompt` with `files` put before it as fenced blocks; `prompt` itself when there are none.
pub fn attach(prompt: String, files: &[PathBuf], max_input: u64) -> anyhow::Result<String> {
    if files.is_empty() {
        return Ok(prompt);
    }
    let mut context = String::new();
    let mut total = 0u64;
    for path in files {
        let text = read_text(path)?;
        total += text.len() as u64;
        if total > max_input {
            return Err(error::usage_msg(format!(
                "{}: attachments are larger than {max_input} bytes (raise it with --max-input)",
                path.display()
            )));
        }
        context.push_str(&fenced(path, &text));
        context.push('\n');
    }
    context.push_str(&prompt);
    Ok(context)
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
}
