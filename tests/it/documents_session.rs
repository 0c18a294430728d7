//! `mitchell postmortem|overview|health-check --session NAME` / `--continue`: the rendered
//! document (and, when drafted, the free text as the user's turn) is stored in the session.

use crate::common;

use std::fmt::Write as _;

use common::TestEnv;
use common::server::{Response, Server};

fn example(name: &str) -> String {
    format!("{}/examples/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn a_postmortem_from_a_file_is_stored_in_the_named_session() {
    let env = TestEnv::new();
    let out = env
        .cmd()
        .args(["postmortem", "--from", &example("spec-postmortem.yaml")])
        .args(["--session", "pm"])
        .output()
        .expect("postmortem");
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    assert!(stdout.starts_with("# Incident Postmortem: Database Connection Pool Exhausted"));
    let stderr = String::from_utf8(out.stderr).expect("utf-8");
    assert!(stderr.contains("stored in session pm"), "{stderr}");
    let shown = env.show_session("pm");
    assert!(
        shown.contains("# Incident Postmortem: Database Connection Pool Exhausted"),
        "{shown}"
    );
}

#[test]
fn a_drafted_document_continues_the_latest_session_with_its_notes() {
    let env = TestEnv::new();
    env.cmd()
        .args(["overview", "--from", &example("infrastructure.yaml")])
        .args(["--session", "infra"])
        .assert()
        .success();
    let draft = r#"{"title": "Cache stampede", "summary": "Redis evictions"}"#;
    let chunk = serde_json::json!({
        "choices": [{"index": 0, "delta": {"content": draft}, "finish_reason": null}]
    });
    let mut body = String::new();
    let _ = write!(body, "data: {chunk}\n\ndata: [DONE]\n\n");
    let server = Server::start(vec![Response::sse(body)]);
    env.cmd()
        .args(["postmortem", "--base-url", &server.url(), "--continue"])
        .arg("redis evicted hot keys at noon")
        .assert()
        .success();
    let shown = env.show_session("infra");
    assert!(
        shown.contains("# Infrastructure Overview") || shown.contains("Architecture Diagram"),
        "{shown}"
    );
    assert!(shown.contains("redis evicted hot keys at noon"), "{shown}");
    assert!(
        shown.contains("# Incident Postmortem: Cache stampede"),
        "{shown}"
    );
    let sessions = common::json_of(env.cmd().args(["sessions", "list", "--json"]));
    assert_eq!(sessions.as_array().map(Vec::len), Some(1), "{sessions}");
}
