//! The REPL (or any command) in a pseudo-terminal, for the tests that need a real terminal:
//! `mitchell chat` against a loopback server, and SSE replies of given words.

use std::fmt::Write as _;
use std::time::Duration;

use expectrl::session::OsSession;
use expectrl::{Expect, Session};

use super::TestEnv;
use super::server::{Response, Server};

/// The prompt of a REPL started by `chat_cmd` (built-in persona, model `slow-model`).
pub const PROMPT: &str = "mitchell · slow-model> ";

/// An SSE body with one delta per word, then `stop`, and the byte offset where each word's
/// event ends (for `Chunks::At`).
pub fn word_stream<S: AsRef<str>>(words: &[S]) -> (Vec<u8>, Vec<usize>) {
    let mut body = String::new();
    let mut ends = Vec::new();
    for w in words {
        let chunk = serde_json::json!({
            "choices": [{"index": 0, "delta": {"content": w.as_ref()}, "finish_reason": null}]
        });
        let _ = write!(body, "data: {chunk}\n\n");
        ends.push(body.len());
    }
    body.push_str(
        "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n\
         data: [DONE]\n\n",
    );
    (body.into_bytes(), ends)
}

/// An SSE stream whose text is `text`, in one delta, then `stop`.
pub fn text_reply(text: &str) -> Response {
    Response::sse(word_stream(&[text]).0)
}

/// `mitchell chat` against `server` with model `slow-model`, `TERM=xterm`, run in the test
/// home, plus `extra` arguments.
pub fn chat_cmd(env: &TestEnv, server: &Server, extra: &[&str]) -> std::process::Command {
    let mut cmd = env.std_cmd();
    cmd.env("TERM", "xterm")
        .current_dir(env.path())
        .args(["chat", "--base-url", &server.url(), "--model", "slow-model"])
        .args(extra);
    cmd
}

/// Runs `cmd` in a pty, with a 20 s timeout on every expectation.
pub fn spawn(cmd: std::process::Command) -> OsSession {
    let mut session = Session::spawn(cmd).expect("spawn mitchell in a pty");
    session.set_expect_timeout(Some(Duration::from_secs(20)));
    session
}

/// Types `line` and Enter, then waits for `reply` and for the next `prompt`.
pub fn exchange(p: &mut OsSession, prompt: &str, line: &str, reply: &str) {
    p.send(format!("{line}\r")).expect("type a line");
    p.expect(reply)
        .unwrap_or_else(|e| panic!("{reply:?} after typing {line:?}: {e}"));
    p.expect(prompt)
        .unwrap_or_else(|e| panic!("the prompt after {reply:?}: {e}"));
}

/// Types `/quit` and checks the REPL exits 0.
pub fn quit(p: &mut OsSession) {
    p.send("/quit\r").expect("quit");
    p.expect(expectrl::Eof).expect("the REPL ends");
    assert_exit(p, 0);
}

/// Waits for the process and checks its exit code.
pub fn assert_exit(p: &mut OsSession, code: i32) {
    let status = p.get_process().wait().expect("wait");
    assert!(
        matches!(status, expectrl::process::unix::WaitStatus::Exited(_, c) if c == code),
        "exit status {status:?}, expected {code}"
    );
}

/// The content of the last user message of a recorded request.
pub fn last_user_message(request: &super::server::Request) -> String {
    let body = request.json();
    let messages = body["messages"].as_array().expect("messages").clone();
    messages
        .iter()
        .rev()
        .find(|m| m["role"] == "user")
        .and_then(|m| m["content"].as_str())
        .expect("a user message")
        .to_owned()
}
