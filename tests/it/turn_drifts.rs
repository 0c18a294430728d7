//! The three drifts the single turn engine fixed, each through the binary: the REPL sends the
//! provider's own model (a top-level `model:` no longer beats it); drafting from the REPL uses
//! the REPL's provider and its `/system` text; a draft stream that ends early is reported as
//! truncated, not as an invalid draft.

// Tests: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use crate::common;
use common::pty::text_reply as reply;

use std::fmt::Write as _;
use std::time::Duration;

use common::TestEnv;
use common::server::{Response, Server};
use expectrl::{Expect, Session};
use predicates::prelude::*;

const DRAFT: &str = r#"{"title": "Connection pool exhausted",
 "timeline": [{"time": "14:30", "event": "DB connection pool exhausted"}],
 "resolution": {"immediate": ["Raised max_connections"], "long_term": []}}"#;

#[test]
fn the_repl_sends_the_providers_own_model_and_drafts_with_its_system_text() {
    let env = TestEnv::new();
    let server = Server::start(vec![reply("hello"), reply(DRAFT)]);
    env.write_config(&format!(
        "model: top-level-model\nproviders:\n  team:\n    base_url: {}\n    model: team-model\n",
        server.url()
    ));
    let mut cmd = env.std_cmd();
    cmd.env("TERM", "xterm")
        .args(["chat", "--provider", "team", "--tools", "off"]);
    let mut p = Session::spawn(cmd).unwrap();
    p.set_expect_timeout(Some(Duration::from_secs(20)));
    p.expect("team-model> ").unwrap();
    p.send("/system Always name the on-call engineer.\r")
        .unwrap();
    p.expect("team-model> ").unwrap();
    p.send("hi\r").unwrap();
    p.expect("hello").unwrap();
    p.expect("team-model> ").unwrap();
    p.send("/postmortem the db pool ran dry at 14:30\r")
        .unwrap();
    p.expect("Connection pool exhausted").unwrap();
    p.expect("team-model> ").unwrap();
    p.send("/quit\r").unwrap();
    p.expect(expectrl::Eof).unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].json()["model"], "team-model");
    let draft = requests[1].json();
    assert_eq!(draft["model"], "team-model");
    let system = draft["messages"][0]["content"].as_str().unwrap();
    assert!(
        system.contains("Always name the on-call engineer."),
        "the draft ignored /system: {system}"
    );
}

#[test]
fn a_draft_stream_that_ends_early_is_reported_as_truncated() {
    let env = TestEnv::new();
    let mut body = String::new();
    let chunk = serde_json::json!({
        "choices": [{"index": 0, "delta": {"content": "{\"title\": \"Pool"}, "finish_reason": null}]
    });
    let _ = write!(body, "data: {chunk}\n\n");
    let server = Server::once(Response::sse(body));
    env.cmd()
        .args([
            "postmortem",
            "--base-url",
            &server.url(),
            "the pool ran dry at 14:30",
        ])
        .write_stdin("")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("drafting failed"))
        .stderr(predicate::str::contains("stream ended unexpectedly"));
    assert_eq!(
        server.requests().len(),
        1,
        "a truncated draft is not repaired"
    );
}
