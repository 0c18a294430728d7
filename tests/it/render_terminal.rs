//! Markdown rendered while it streams, on a real terminal (a pty) against a loopback server
//! that sends the answer a few characters per event: no `**`, no fences, aligned table columns,
//! nothing printed twice; `NO_COLOR` gives the same layout without escape codes; piped stdout is
//! the model's text byte for byte; a spinner fills the wait on a terminal's stderr only.

#![allow(clippy::unwrap_used)]

use crate::common;

use std::time::Duration;

use common::TestEnv;
use common::pty::word_stream;
use common::server::{Chunks, Response, Server};
use expectrl::Expect;

const ANSWER: &str = "## Restore drill

Take **one** snapshot first, then verify it.

| Tier | RPO |
|------|----:|
| gold | 5 min |
| bronze | 24 h |

```bash
restic check --read-data
```

- keep the *old* volume
";

/// What a terminal 80 columns wide shows (colour codes removed).
const SCREEN: &str = "## Restore drill

Take one snapshot first, then verify it.

 Tier   │   RPO
────────┼───────
 gold   │ 5 min
 bronze │  24 h

  restic check --read-data

• keep the old volume
";

/// The answer as SSE events of at most `size` characters, and where each event ends.
fn stream(text: &str, size: usize) -> (Vec<u8>, Vec<usize>) {
    let chars: Vec<char> = text.chars().collect();
    let pieces: Vec<String> = chars.chunks(size).map(|p| p.iter().collect()).collect();
    word_stream(&pieces)
}

fn streamed_answer() -> Response {
    let (body, ends) = stream(ANSWER, 3);
    Response::sse(body)
        .chunks(Chunks::At(ends))
        .delay(Duration::from_millis(2))
}

/// Runs `ask` in a pty and returns everything the terminal received.
fn on_terminal(env: &TestEnv, server: &Server, extra: &[&str], no_color: bool) -> String {
    let mut cmd = env.std_cmd();
    cmd.env("TERM", "xterm");
    if !no_color {
        cmd.env_remove("NO_COLOR");
    }
    cmd.args(extra)
        .args(["ask", "--base-url", &server.url(), "restore?"]);
    let mut session = expectrl::Session::spawn(cmd).unwrap();
    session.set_expect_timeout(Some(Duration::from_secs(20)));
    let captured = session.expect(expectrl::Eof).unwrap();
    String::from_utf8_lossy(captured.as_bytes()).replace("\r\n", "\n")
}

fn strip_sgr(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn a_streamed_answer_is_rendered_once_with_aligned_tables_and_no_markers() {
    let env = TestEnv::new();
    let server = Server::once(streamed_answer());
    let screen = on_terminal(&env, &server, &["-q"], false);
    assert!(
        screen.contains("\x1b["),
        "no colour on a terminal: {screen:?}"
    );
    assert!(!screen.contains("**"), "{screen}");
    assert!(!screen.contains("```"), "{screen}");
    // Laid out exactly once: every line of the layout, in order, nothing repeated.
    assert_eq!(strip_sgr(&screen), SCREEN);
}

#[test]
fn no_color_gives_the_same_layout_without_escape_codes() {
    let env = TestEnv::new();
    let server = Server::once(streamed_answer());
    let screen = on_terminal(&env, &server, &["-q"], true);
    assert!(!screen.contains('\x1b'), "{screen:?}");
    assert_eq!(screen, SCREEN);
}

#[test]
fn render_never_prints_the_model_text_on_a_terminal() {
    let env = TestEnv::new();
    let server = Server::once(streamed_answer());
    let screen = on_terminal(&env, &server, &["-q", "--render", "never"], true);
    assert_eq!(screen, ANSWER);
}

#[test]
fn piped_stdout_is_the_model_text_byte_for_byte() {
    let env = TestEnv::new();
    let server = Server::once(streamed_answer());
    let out = env
        .cmd()
        .args(["ask", "--base-url", &server.url(), "restore?"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8(out.stdout).unwrap(), ANSWER);
    assert_eq!(String::from_utf8(out.stderr).unwrap(), "");
}

#[test]
fn render_always_renders_into_a_pipe_and_config_render_never_is_honoured() {
    let env = TestEnv::new();
    let server = Server::start(vec![streamed_answer()]);
    let out = env
        .cmd()
        .args([
            "--render",
            "always",
            "ask",
            "--base-url",
            &server.url(),
            "x",
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), SCREEN);

    env.write_config("render: never\n");
    let screen = on_terminal(&env, &server, &["-q"], true);
    assert_eq!(screen, ANSWER);
}

#[test]
fn a_spinner_waits_on_the_terminal_and_is_cleared_before_the_answer() {
    let env = TestEnv::new();
    // One byte of the body, then the rest after 1.5 s.
    let (body, _) = stream("Plain answer.\n", 100);
    let server = Server::once(
        Response::sse(body)
            .chunks(Chunks::At(vec![1]))
            .delay(Duration::from_millis(1500)),
    );
    let screen = on_terminal(&env, &server, &[], true);
    let (before, after) = screen.split_once("Plain answer.").unwrap();
    assert!(before.contains("thinking…"), "{screen:?}");
    assert!(!after.contains("thinking…"), "{screen:?}");
}

#[test]
fn sessions_show_is_rendered_on_a_terminal_and_raw_on_a_pipe() {
    let env = TestEnv::new();
    let server = Server::once(streamed_answer());
    env.cmd()
        .args([
            "ask",
            "--base-url",
            &server.url(),
            "--session",
            "drill",
            "restore?",
        ])
        .assert()
        .success();
    let piped = env
        .cmd()
        .args(["sessions", "show", "drill"])
        .output()
        .unwrap();
    let raw = String::from_utf8(piped.stdout).unwrap();
    assert!(raw.contains("Take **one** snapshot"), "{raw}");

    let mut cmd = env.std_cmd();
    cmd.env("TERM", "xterm").args(["sessions", "show", "drill"]);
    let mut session = expectrl::Session::spawn(cmd).unwrap();
    session.set_expect_timeout(Some(Duration::from_secs(20)));
    let captured = session.expect(expectrl::Eof).unwrap();
    let screen = String::from_utf8_lossy(captured.as_bytes()).replace("\r\n", "\n");
    assert!(screen.contains("Take one snapshot first"), "{screen}");
    assert!(screen.contains("\n gold   │ 5 min\n"), "{screen}");
    assert!(
        !screen.contains("**") && !screen.contains("```"),
        "{screen}"
    );
}
