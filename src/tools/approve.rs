//! Asking the user before a command that is not read-only runs: the exact command (and the
//! argv it runs as, or that it needs a shell), why it is not read-only, then
//! `run it? [y]es / [n]o / [a]lways this session`. Only on a terminal (stdin and stderr);
//! without one nothing is asked and the command is refused.

use std::io::{BufRead, Write};

use crate::output::Output;

/// The user's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Yes,
    No,
    Always,
}

/// True when there is a terminal to ask on.
pub fn can_ask(out: &Output) -> bool {
    let t = out.terminal();
    t.stdin_is_tty && t.stderr_is_tty
}

/// Asks about `line`; end of input or an unreadable answer is a no.
pub fn ask(out: &mut Output, line: &str, how: &str, reason: &str) -> Answer {
    let err = out.stderr();
    let _ = writeln!(err, "▸ {line}\n  {how}\n  not read-only: {reason}");
    loop {
        let _ = write!(err, "  run it? [y]es / [n]o / [a]lways this session: ");
        let _ = err.flush();
        let mut answer = String::new();
        match std::io::stdin().lock().read_line(&mut answer) {
            Ok(0) | Err(_) => return Answer::No,
            Ok(_) => {}
        }
        match answer.trim().to_ascii_lowercase().as_str() {
            "y" | "yes" => return Answer::Yes,
            "n" | "no" | "" => return Answer::No,
            "a" | "always" => return Answer::Always,
            _ => {}
        }
    }
}
