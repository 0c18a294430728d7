//! `Output`: every byte the program writes goes through here.
//!
//! stdout carries only the answer (or a command's result); notices, reasoning, warnings and
//! errors go to stderr. Terminal facts and colour are decided once, in `Output::new`, and passed
//! around as values. Model text bound for a terminal is sanitised; piped output is raw.

#![allow(clippy::print_stdout, clippy::print_stderr)]

pub mod logging;
pub mod sanitize;

use std::io::{self, IsTerminal, Write};

use crate::cli::ColorChoice;
use crate::config::Env;
use sanitize::Sanitizer;

const DIM: &str = "\x1b[2m";
const YELLOW: &str = "\x1b[33m";
const RED_BOLD: &str = "\x1b[1;31m";
const RESET: &str = "\x1b[0m";

/// What the process is connected to, decided once at start-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terminal {
    pub stdin_is_tty: bool,
    pub stdout_is_tty: bool,
    pub stderr_is_tty: bool,
    pub stdout_color: bool,
    pub stderr_color: bool,
}

impl Terminal {
    /// Reads the TTY state of the three standard streams and resolves `--color`.
    pub fn detect(choice: ColorChoice, env: &Env) -> Self {
        let stdin_is_tty = io::stdin().is_terminal();
        let stdout_is_tty = io::stdout().is_terminal();
        let stderr_is_tty = io::stderr().is_terminal();
        let color_allowed =
            env.get("NO_COLOR").is_none_or(str::is_empty) && env.get("TERM") != Some("dumb");
        let resolve = |is_tty: bool| match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => is_tty && color_allowed,
        };
        Terminal {
            stdin_is_tty,
            stdout_is_tty,
            stderr_is_tty,
            stdout_color: resolve(stdout_is_tty),
            stderr_color: resolve(stderr_is_tty),
        }
    }
}

/// The writer for stdout and stderr.
pub struct Output {
    term: Terminal,
    verbose: u8,
    stdout: io::Stdout,
    stderr: io::Stderr,
    answer_sanitizer: Sanitizer,
    reasoning_sanitizer: Sanitizer,
}

impl Output {
    pub fn new(color: ColorChoice, verbose: u8, env: &Env) -> Self {
        Output {
            term: Terminal::detect(color, env),
            verbose,
            stdout: io::stdout(),
            stderr: io::stderr(),
            answer_sanitizer: Sanitizer::default(),
            reasoning_sanitizer: Sanitizer::default(),
        }
    }

    pub fn terminal(&self) -> Terminal {
        self.term
    }

    pub fn verbose(&self) -> u8 {
        self.verbose
    }

    /// Writes a piece of the answer to stdout and flushes it, so a stream appears as it arrives.
    /// On a terminal, control and escape sequences from the model are stripped.
    pub fn answer(&mut self, text: &str) -> io::Result<()> {
        if self.term.stdout_is_tty {
            let clean = self.answer_sanitizer.clean(text);
            self.stdout.write_all(clean.as_bytes())?;
        } else {
            self.stdout.write_all(text.as_bytes())?;
        }
        self.stdout.flush()
    }

    /// Writes a command's result (not model text) to stdout as is.
    pub fn print(&mut self, text: &str) -> io::Result<()> {
        let mut lock = self.stdout.lock();
        lock.write_all(text.as_bytes())?;
        lock.flush()
    }

    /// Writes one line of a command's result to stdout.
    pub fn println(&mut self, line: &str) -> io::Result<()> {
        let mut lock = self.stdout.lock();
        lock.write_all(line.as_bytes())?;
        lock.write_all(b"\n")?;
        lock.flush()
    }

    /// Writes reasoning text to stderr, dimmed when stderr is a coloured terminal.
    pub fn reasoning(&mut self, text: &str) {
        let clean = if self.term.stderr_is_tty {
            self.reasoning_sanitizer.clean(text)
        } else {
            text.to_owned()
        };
        let _ = if self.term.stderr_color {
            write!(self.stderr, "{DIM}{clean}{RESET}")
        } else {
            write!(self.stderr, "{clean}")
        };
        let _ = self.stderr.flush();
    }

    /// One informational line on stderr (`→ postmortem`, `using local model …`).
    pub fn notice(&mut self, line: &str) {
        let _ = if self.term.stderr_color {
            writeln!(self.stderr, "{DIM}{line}{RESET}")
        } else {
            writeln!(self.stderr, "{line}")
        };
    }

    /// A `warning: …` line on stderr.
    pub fn warn(&mut self, line: &str) {
        let _ = if self.term.stderr_color {
            writeln!(self.stderr, "{YELLOW}warning{RESET}: {line}")
        } else {
            writeln!(self.stderr, "warning: {line}")
        };
    }

    /// Error lines, already formatted by `error::report`.
    pub fn error_lines(&mut self, lines: &[String]) {
        for line in lines {
            let _ = match (self.term.stderr_color, line.strip_prefix("error:")) {
                (true, Some(rest)) => writeln!(self.stderr, "{RED_BOLD}error{RESET}:{rest}"),
                _ => writeln!(self.stderr, "{line}"),
            };
        }
    }

    /// Raw stderr, for progress bars and interactive prompts.
    pub fn stderr(&mut self) -> &mut io::Stderr {
        &mut self.stderr
    }

    /// Ends a streamed answer with a newline on a terminal if the model did not.
    pub fn finish_answer(&mut self, ended_with_newline: bool) -> io::Result<()> {
        if !ended_with_newline {
            self.stdout.write_all(b"\n")?;
        }
        self.stdout.flush()
    }
}
