//! `Output`: every byte the program writes goes through here.
//!
//! stdout carries only the answer (or a command's result); notices, reasoning, warnings and
//! errors go to stderr. Terminal facts and colour are decided once, in `Output::new`, and passed
//! around as values. Model text bound for a terminal is sanitised; piped output is raw. With
//! rendering on (`--render`, default: stdout is a terminal) answers go through the streaming
//! markdown renderer (`markdown`); a spinner (`progress`) fills the wait for the first byte.

#![allow(clippy::print_stdout, clippy::print_stderr)]

pub mod clipboard;
pub mod logging;
pub mod markdown;
pub mod progress;
pub mod sanitize;

use std::io::{self, IsTerminal, Write};

use crate::config::ColorChoice;
use crate::config::Env;
use markdown::MarkdownStream;
pub use markdown::RenderChoice;
use progress::{Spinner, Waiting};
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
    quiet: bool,
    render: RenderChoice,
    stdout: io::Stdout,
    stderr: io::Stderr,
    answer_sanitizer: Sanitizer,
    reasoning_sanitizer: Sanitizer,
    /// The renderer, kept across answers; `open` while an answer streams through it.
    markdown: Option<MarkdownStream>,
    open: bool,
    spinner: Spinner,
}

impl Output {
    pub fn new(color: ColorChoice, verbose: u8, env: &Env) -> Self {
        let term = Terminal::detect(color, env);
        Output {
            term,
            verbose,
            quiet: false,
            render: RenderChoice::Auto,
            stdout: io::stdout(),
            stderr: io::stderr(),
            answer_sanitizer: Sanitizer::default(),
            reasoning_sanitizer: Sanitizer::default(),
            markdown: None,
            open: false,
            spinner: Spinner::new(term.stderr_is_tty, term.stderr_color),
        }
    }

    /// `-q`: no notices, warnings or spinner; errors and the answer still print.
    pub fn set_quiet(&mut self, quiet: bool) {
        self.quiet = quiet;
        self.spinner.set_enabled(self.term.stderr_is_tty && !quiet);
    }

    /// The effective `render` setting (flag, environment or config file).
    pub fn set_render(&mut self, render: RenderChoice) {
        self.render = render;
    }

    /// Whether answers are rendered as markdown.
    pub fn renders(&self) -> bool {
        match self.render {
            RenderChoice::Auto => self.term.stdout_is_tty,
            RenderChoice::Always => true,
            RenderChoice::Never => false,
        }
    }

    /// Shows a spinner with `label` and the elapsed time on a terminal's stderr until the first
    /// answer or reasoning text (or an error) arrives, or the guard is dropped. Nothing on a
    /// pipe.
    pub fn waiting(&mut self, label: &str) -> Waiting {
        self.spinner.start(label)
    }

    /// Relabels a running spinner (`reading the persona…`) and restarts its clock; nothing
    /// once the spinner is gone.
    pub fn waiting_phase(&mut self, label: &str) {
        self.spinner.relabel(label);
    }

    /// The renderer; the terminal's width is read again when an answer starts.
    fn markdown(&mut self) -> &mut MarkdownStream {
        let starting = !self.open || self.markdown.is_none();
        let width = if starting {
            terminal_size::terminal_size_of(&self.stdout).map_or(80, |(w, _)| usize::from(w.0))
        } else {
            0
        };
        let color = self.term.stdout_color;
        let md = self
            .markdown
            .get_or_insert_with(|| MarkdownStream::new(width, color));
        if starting {
            md.set_width(width);
        }
        md
    }

    pub fn terminal(&self) -> Terminal {
        self.term
    }

    pub fn verbose(&self) -> u8 {
        self.verbose
    }

    /// Writes a piece of the answer to stdout, so a stream appears as it arrives. On a terminal,
    /// control and escape sequences from the model are stripped; with rendering on, the text
    /// goes through the markdown renderer, which prints finished lines and blocks only. With
    /// `more` (another piece is already waiting) the text may stay in stdout's buffer, to go out
    /// with the next piece in one write; otherwise it is flushed. A stream that arrives slowly is
    /// flushed piece by piece; anything written to stderr flushes stdout first.
    pub fn answer_part(&mut self, text: &str, more: bool) -> io::Result<()> {
        self.spinner.clear();
        if self.renders() {
            let clean = self.answer_sanitizer.clean(text);
            let shown = self.markdown().push(&clean);
            self.open = true;
            self.stdout.write_all(shown.as_bytes())?;
        } else if self.term.stdout_is_tty {
            let clean = self.answer_sanitizer.clean(text);
            self.stdout.write_all(clean.as_bytes())?;
        } else {
            self.stdout.write_all(text.as_bytes())?;
        }
        if more { Ok(()) } else { self.stdout.flush() }
    }

    /// Sends answer text still in stdout's buffer, before a line goes to stderr.
    fn flush_answer_text(&mut self) {
        let _ = self.stdout.flush();
    }

    /// Writes a whole markdown document (a saved session): rendered like an answer when
    /// rendering is on, as is otherwise.
    pub fn markdown_document(&mut self, text: &str) -> io::Result<()> {
        if !self.renders() {
            return self.print(text);
        }
        let clean = Sanitizer::default().clean(text);
        let shown = self.markdown().render(&clean);
        self.print(&shown)
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
        self.flush_answer_text();
        self.spinner.clear();
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
    /// Printed above a running spinner, which goes on. Nothing with `-q`.
    pub fn notice(&mut self, line: &str) {
        if self.quiet {
            return;
        }
        self.flush_answer_text();
        let text = if self.term.stderr_color {
            format!("{DIM}{line}{RESET}\n")
        } else {
            format!("{line}\n")
        };
        self.spinner.above(|| {
            let _ = io::stderr().write_all(text.as_bytes());
        });
    }

    /// A `warning: …` line on stderr.
    /// Printed above a running spinner. Nothing with `-q`.
    pub fn warn(&mut self, line: &str) {
        if self.quiet {
            return;
        }
        self.flush_answer_text();
        let text = if self.term.stderr_color {
            format!("{YELLOW}warning{RESET}: {line}\n")
        } else {
            format!("warning: {line}\n")
        };
        self.spinner.above(|| {
            let _ = io::stderr().write_all(text.as_bytes());
        });
    }

    /// Error lines, already formatted by `report::report`.
    pub fn error_lines(&mut self, lines: &[String]) {
        self.flush_answer_text();
        self.spinner.clear();
        for line in lines {
            let _ = match (self.term.stderr_color, line.strip_prefix("error:")) {
                (true, Some(rest)) => writeln!(self.stderr, "{RED_BOLD}error{RESET}:{rest}"),
                _ => writeln!(self.stderr, "{line}"),
            };
        }
    }

    /// Writes `text` to the clipboard with OSC 52, on stderr if it is a terminal, else on stdout
    /// if that is one. Returns where it went; `None` (nothing written) when neither is.
    pub fn copy_to_clipboard(&mut self, text: &str) -> io::Result<Option<clipboard::Target>> {
        let target = clipboard::Target::choose(self.term.stderr_is_tty, self.term.stdout_is_tty);
        let sequence = clipboard::osc52(text);
        match target {
            Some(clipboard::Target::Stderr) => {
                self.flush_answer_text();
                self.spinner.clear();
                self.stderr.write_all(sequence.as_bytes())?;
                self.stderr.flush()?;
            }
            Some(clipboard::Target::Stdout) => self.print(&sequence)?,
            None => {}
        }
        Ok(target)
    }

    /// Raw stderr, for progress bars and interactive prompts.
    pub fn stderr(&mut self) -> &mut io::Stderr {
        self.flush_answer_text();
        self.spinner.clear();
        &mut self.stderr
    }

    /// Ends a streamed answer: the renderer prints what it still holds; raw text gets a
    /// newline if the model did not end with one.
    pub fn finish_answer(&mut self, ended_with_newline: bool) -> io::Result<()> {
        if std::mem::take(&mut self.open) {
            if let Some(md) = self.markdown.as_mut() {
                let rest = md.finish();
                self.stdout.write_all(rest.as_bytes())?;
            }
        } else if !ended_with_newline {
            self.stdout.write_all(b"\n")?;
        }
        self.stdout.flush()
    }
}

impl Drop for Output {
    /// An answer still open (a caller returned early) is not lost.
    fn drop(&mut self) {
        let _ = self.finish_answer(true);
    }
}
