//! Nothing a user typed is lost: every `ask` exchange is saved (one new session per
//! invocation) unless `--no-save` / `save: false`; a reader that closes stdout early
//! (`| head -1`) does not turn the stored reply into a failure; a REPL whose session was removed
//! by another process says so and saves the next message in a new session.

// Tests: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

use common::TestEnv;
use common::pty::word_stream;
use common::server::{Response, Server};
use predicates::prelude::*;

fn reply(words: &[&str]) -> Response {
    Response::sse(word_stream(words).0)
}

#[test]
fn plain_ask_is_saved_by_default_and_sessions_search_finds_it() {
    let env = TestEnv::new();
    let server = Server::once(reply(&["Put ", "PgBouncer ", "in front."]));
    for question in ["how do I pool pgbouncer connections?", "and the pool size?"] {
        env.cmd()
            .args([
                "ask",
                "--tools",
                "off",
                "--base-url",
                &server.url(),
                question,
            ])
            .write_stdin("")
            .assert()
            .success();
    }
    env.cmd()
        .args(["sessions", "search", "pgbouncer"])
        .assert()
        .success()
        .stdout(predicate::str::contains("pgbouncer"));
    let sessions = common::json_of(env.cmd().args(["sessions", "list", "--json"]));
    assert_eq!(sessions.as_array().unwrap().len(), 2, "one session per ask");
    let doc = env.export_session("1");
    assert_eq!(doc["messages"][1]["content"], "Put PgBouncer in front.");
    assert_eq!(doc["messages"][1]["status"], "complete");
}

#[test]
fn no_save_and_save_false_keep_nothing() {
    let env = TestEnv::new();
    let server = Server::once(reply(&["ok"]));
    env.cmd()
        .args([
            "ask",
            "--no-save",
            "--base-url",
            &server.url(),
            "secret question",
        ])
        .write_stdin("")
        .assert()
        .success();
    env.write_config("save: false\n");
    env.cmd()
        .args(["ask", "--base-url", &server.url(), "another"])
        .write_stdin("")
        .assert()
        .success();
    env.cmd()
        .args(["sessions", "list", "--json"])
        .assert()
        .success()
        .stdout(predicate::str::contains("secret question").not())
        .stdout(predicate::str::contains("another").not());
}

#[test]
fn a_reader_that_closes_stdout_early_does_not_fail_the_stored_reply() {
    let env = TestEnv::new();
    let words: Vec<String> = (0..400).map(|i| format!("line {i}\n")).collect();
    let refs: Vec<&str> = words.iter().map(String::as_str).collect();
    let server = Server::once(reply(&refs).delay(Duration::from_millis(2)));
    let mut child = env
        .std_cmd()
        .args([
            "ask",
            "--tools",
            "off",
            "--session",
            "long",
            "--base-url",
            &server.url(),
            "q",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert_eq!(first, "line 0\n");
    // The reader is gone (like `| head -1`).
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    let doc = env.export_session("long");
    let stored = &doc["messages"][1];
    assert_eq!(stored["status"], "complete", "{doc:#}");
    assert!(stored["content"].as_str().unwrap().ends_with("line 399\n"));
}

#[test]
fn a_session_removed_under_the_repl_is_noticed_and_the_next_message_is_saved() {
    use expectrl::{Expect, Session};
    let env = TestEnv::new();
    let server = Server::start(vec![reply(&["first answer"]), reply(&["second answer"])]);
    let mut cmd = env.std_cmd();
    cmd.env("TERM", "xterm").args([
        "chat",
        "--tools",
        "off",
        "--base-url",
        &server.url(),
        "--model",
        "m",
    ]);
    let mut p = Session::spawn(cmd).unwrap();
    p.set_expect_timeout(Some(Duration::from_secs(20)));
    p.expect("m> ").unwrap();
    p.send("why is etcd slow?\r").unwrap();
    p.expect("first answer").unwrap();
    p.expect("m> ").unwrap();
    env.cmd().args(["sessions", "rm", "1"]).assert().success();
    p.send("what about the disk?\r").unwrap();
    p.expect("was removed by another mitchell").unwrap();
    p.expect("second answer").unwrap();
    p.expect("m> ").unwrap();
    p.send("/quit\r").unwrap();
    p.expect(expectrl::Eof).unwrap();
    let sessions = common::json_of(env.cmd().args(["sessions", "list", "--json"]));
    let sessions = sessions.as_array().unwrap();
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    let doc = env.export_session(&sessions[0]["id"].to_string());
    assert_eq!(doc["messages"].as_array().unwrap().len(), 2, "{doc:#}");
    assert_eq!(doc["messages"][0]["content"], "what about the disk?");
    assert_eq!(doc["messages"][1]["content"], "second answer");
}

/// Two mitchells started at once on a machine that has no database yet (two REPLs opened in two
/// panes) both open it: the loser of the race to create it waits instead of failing with
/// "database is locked".
#[test]
fn two_first_runs_at_once_both_open_the_database() {
    for round in 0..10 {
        let env = TestEnv::new();
        let children: Vec<_> = (0..2)
            .map(|_| {
                env.std_cmd()
                    .args(["sessions", "list"])
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}
