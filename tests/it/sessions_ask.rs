//! `mitchell ask --session/--continue` against a loopback server: turns are stored and history
//! is sent, and a `kill -9` mid-reply leaves the user turn and the partial reply in the store.

use crate::common;

use std::fmt::Write as _;
use std::io::Read;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::server::{Chunks, Response, Server};
use predicates::prelude::*;

/// An SSE body sending `words` one event each, then `stop` and `[DONE]`, and the offsets that
/// end each event (so every word is its own write).
fn word_stream(words: &[String]) -> (Vec<u8>, Vec<usize>) {
    let mut body = String::new();
    let mut ends = Vec::new();
    for w in words {
        let chunk = serde_json::json!({
            "choices": [{"index": 0, "delta": {"content": w}, "finish_reason": null}],
            "model": "slow-model"
        });
        let _ = write!(body, "data: {chunk}\n\n");
        ends.push(body.len());
    }
    body.push_str(
        "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\
         \"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3,\"total_tokens\":10}}\n\n\
         data: [DONE]\n\n",
    );
    (body.into_bytes(), ends)
}

fn fast_reply(text: &str) -> Response {
    let (body, _) = word_stream(&[text.to_owned()]);
    Response::sse(body)
}

/// `ask --base-url URL --session SESSION QUESTION` with an empty stdin.
fn ask_in_session(
    env: &common::TestEnv,
    server: &Server,
    session: &str,
    question: &str,
) -> assert_cmd::Command {
    let mut cmd = env.cmd();
    cmd.args([
        "ask",
        "--base-url",
        &server.url(),
        "--session",
        session,
        question,
    ])
    .write_stdin("");
    cmd
}

#[test]
fn ask_session_stores_turns_and_sends_the_history() {
    let env = common::TestEnv::new();
    let server = Server::start(vec![
        fast_reply("Raft needs a majority."),
        fast_reply("Five members tolerate two failures."),
    ]);
    for question in ["what does etcd need?", "how many members?"] {
        ask_in_session(&env, &server, "etcd", question)
            .assert()
            .success();
    }
    let second = &server.requests()[1].json();
    let sent: Vec<&str> = second["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["content"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        &sent[1..],
        [
            "what does etcd need?",
            "Raft needs a majority.",
            "how many members?"
        ]
    );
    env.cmd()
        .args(["sessions", "show", "etcd"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Five members tolerate two failures.",
        ));
    // --continue appends to the latest session.
    let server = Server::start(vec![fast_reply("Yes.")]);
    env.cmd()
        .args(["ask", "--base-url", &server.url(), "--continue", "sure?"])
        .write_stdin("")
        .assert()
        .success()
        .stdout("Yes.\n");
    let out = env
        .cmd()
        .args(["sessions", "export", "etcd", "--format", "json"])
        .output()
        .expect("export");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let messages = doc["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 6);
    assert_eq!(messages[5]["status"], "complete");
    assert_eq!(messages[5]["usage"]["total_tokens"], 10);
    assert_eq!(messages[5]["model"], "slow-model");
}

#[test]
fn kill_9_mid_reply_keeps_the_user_turn_and_the_partial_reply() {
    let env = common::TestEnv::new();
    let words: Vec<String> = (0..60).map(|i| format!("w{i:02} ")).collect();
    let (body, ends) = word_stream(&words);
    let server = Server::start(vec![
        Response::sse(body)
            .chunks(Chunks::At(ends))
            .delay(Duration::from_millis(100)),
    ]);
    let mut child = env
        .std_cmd()
        .args(["ask", "--base-url", &server.url(), "--session", "killed"])
        .arg("why is the etcd leader flapping?")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn mitchell");
    let seen = Arc::new(Mutex::new(String::new()));
    let mut stdout = child.stdout.take().expect("stdout");
    let sink = Arc::clone(&seen);
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 256];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock()
                .expect("lock")
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    let started = Instant::now();
    while !seen.lock().expect("lock").contains("w10") {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no streamed text within 20 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // Everything printed at this point is more than a second old when the process dies.
    let printed = seen.lock().expect("lock").clone();
    std::thread::sleep(Duration::from_millis(1200));
    child.kill().expect("SIGKILL");
    child.wait().expect("reap");
    reader.join().expect("reader");
    let at_kill = seen.lock().expect("lock").clone();
    assert!(
        !at_kill.contains("w59"),
        "the reply finished before the kill"
    );

    let out = env
        .cmd()
        .args(["sessions", "export", "killed", "--format", "json"])
        .output()
        .expect("export");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let messages = doc["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 2, "{doc:#}");
    assert_eq!(messages[0]["role"], "user");
    assert_eq!(messages[0]["content"], "why is the etcd leader flapping?");
    assert_eq!(messages[1]["role"], "assistant");
    assert_eq!(messages[1]["status"], "streaming");
    let stored = messages[1]["content"].as_str().expect("content");
    assert!(
        stored.starts_with(&printed),
        "the stored reply lost text printed over a second before the kill:\nprinted: {printed}\nstored:  {stored}"
    );
    assert!(
        at_kill.starts_with(stored),
        "stored text that was never printed: {stored}"
    );

    env.cmd()
        .args(["sessions", "show", "killed"])
        .assert()
        .success()
        .stdout(predicate::str::contains("why is the etcd leader flapping?"))
        .stdout(predicate::str::contains(printed.trim_end()))
        .stdout(predicate::str::contains("[unfinished]"));
}

#[test]
fn history_over_the_context_budget_is_dropped_oldest_first_and_said_on_stderr() {
    let env = common::TestEnv::new();
    let mut store =
        mitchell::store::Store::open(&env.data_dir().join("mitchell.db")).expect("open");
    let session = store
        .create_session(Some("long"), &mitchell::store::SessionMeta::default())
        .expect("session");
    // ~50,000 tokens by the chars/4 estimate: more than the default 32,768-token context.
    store
        .begin_turn(session.id, &format!("ancient {}", "x".repeat(200_000)))
        .expect("old turn");
    store
        .add_document(session.id, "postmortem", "# Postmortem: etcd quorum loss")
        .expect("doc");
    store
        .begin_turn(session.id, "recent question")
        .expect("turn");
    store
        .add_document(session.id, "chat", "recent answer")
        .expect("answer");
    drop(store);
    let server = Server::start(vec![fast_reply("ok")]);
    ask_in_session(&env, &server, "long", "next?")
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "1 earlier turn(s) of session long left out",
        ));
    let body = server.requests()[0].json();
    let sent: Vec<&str> = body["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["content"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(sent.len(), 4, "{sent:?}");
    assert_eq!(body["messages"][0]["role"], "system");
    assert_eq!(&sent[1..], ["recent question", "recent answer", "next?"]);
    env.cmd()
        .args(["sessions", "show", "long"])
        .assert()
        .success()
        .stdout(predicate::str::contains("## Mitchell (postmortem)"));
}
