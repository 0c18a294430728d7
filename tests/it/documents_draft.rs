//! Drafting documents with a model, against a loopback OpenAI-compatible server: the request
//! asks for schema-shaped JSON and forbids inventing; an invalid draft gets ONE repair round
//! with the validation errors; a draft that stays invalid exits 1 with the errors and the raw
//! draft saved under the data directory; missing facts render as `___`.

#![allow(clippy::unwrap_used)]

use crate::common;

use std::fmt::Write as _;

use common::TestEnv;
use common::server::{Chunks, Response, Server};
use predicates::prelude::*;
use serde_json::{Value, json};

/// An SSE stream whose text is `text`, cut into a few content deltas, then `stop`.
fn reply(text: &str) -> Response {
    let mut body = String::new();
    let chars: Vec<char> = text.chars().collect();
    for piece in chars.chunks(17) {
        let delta: String = piece.iter().collect();
        let chunk = json!({
            "id": "c1", "object": "chat.completion.chunk", "model": "drafter",
            "choices": [{"index": 0, "delta": {"content": delta}, "finish_reason": null}]
        });
        let _ = write!(body, "data: {chunk}\n\n");
    }
    let end = json!({
        "id": "c1", "object": "chat.completion.chunk", "model": "drafter",
        "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]
    });
    let _ = write!(body, "data: {end}\n\ndata: [DONE]\n\n");
    Response::sse(body).chunks(Chunks::Random { seed: 3, max: 50 })
}

const NOTES: &str = "db pool exhausted at 14:30, we raised max_connections and were back by 15:15";

const INVALID: &str =
    r#"{"title": "Connection pool exhausted", "timeline": [{"time": 1430, "event": "alerts"}]}"#;

const VALID: &str = r#"```json
{"title": "Connection pool exhausted",
 "timeline": [{"time": "14:30", "event": "DB connection pool exhausted"},
              {"time": "15:15", "event": "Recovered"}],
 "resolution": {"immediate": ["Raised max_connections"], "long_term": []}}
```"#;

fn messages(request: &Value) -> Vec<(String, String)> {
    common::roles_and_texts(&request["messages"])
}

/// `mitchell COMMAND --base-url URL --model drafter TEXT`: it must succeed with `progress` on
/// stderr; returns the rendered document (stdout).
fn drafted(env: &TestEnv, server: &Server, [command, text]: [&str; 2], progress: &str) -> String {
    let out = env
        .cmd()
        .args([
            command,
            "--base-url",
            &server.url(),
            "--model",
            "drafter",
            text,
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains(progress))
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn an_invalid_draft_is_repaired_once_and_then_rendered() {
    let server = Server::start(vec![reply(INVALID), reply(VALID)]);
    let env = TestEnv::new();
    let md = drafted(&env, &server, ["postmortem", NOTES], "asking for a repair");
    assert!(
        md.starts_with("# Incident Postmortem: Connection pool exhausted\n"),
        "{md}"
    );
    assert!(
        md.contains("- 14:30 - DB connection pool exhausted\n"),
        "{md}"
    );
    assert!(
        md.contains("**Date**: ___"),
        "not in the notes, so blank: {md}"
    );
    assert!(md.contains("**Prepared by**: ___"), "{md}");

    let requests = server.requests();
    assert_eq!(requests.len(), 2, "one draft, one repair");
    let first = requests[0].json();
    assert_eq!(first["response_format"]["type"], "json_schema");
    assert_eq!(
        first["response_format"]["json_schema"]["name"],
        "postmortem"
    );
    assert!(
        first["response_format"]["json_schema"]["schema"]["properties"]["action_items"].is_object()
    );
    let first_messages = messages(&first);
    assert_eq!(first_messages[0].0, "system");
    assert!(first_messages[0].1.contains("never invented"));
    assert_eq!(first_messages[1], ("user".to_owned(), NOTES.to_owned()));

    let second = messages(&requests[1].json());
    assert_eq!(second.len(), 4);
    assert_eq!(second[2], ("assistant".to_owned(), INVALID.to_owned()));
    assert!(
        second[3].1.contains("`timeline[0].time`: invalid type"),
        "{}",
        second[3].1
    );
}

#[test]
fn a_draft_that_stays_invalid_exits_1_and_is_saved() {
    let server = Server::start(vec![reply(INVALID)]);
    let env = TestEnv::new();
    let assert = env
        .cmd()
        .args(["postmortem", "--base-url", &server.url(), NOTES])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "still does not validate after one repair round",
        ))
        .stderr(predicate::str::contains("`timeline[0].time`"));
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    let path = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("raw draft saved to "))
        .unwrap_or_else(|| panic!("no saved path in {stderr}"));
    assert!(
        path.starts_with(env.data_dir().join("drafts").to_str().unwrap()),
        "{path}"
    );
    assert_eq!(std::fs::read_to_string(path).unwrap(), INVALID);
    assert_eq!(server.requests().len(), 2, "exactly one repair round");
}

#[test]
fn stdin_notes_are_drafted_and_a_health_check_is_scored_by_the_program() {
    let draft = r#"{"uptime_percent": 99.95, "api_latency_p95_ms": 480, "page_load_s": 2.0,
        "critical_vulnerabilities": 0, "secrets_rotated": true, "manual_tasks": 0}"#;
    let server = Server::start(vec![reply(draft)]);
    let env = TestEnv::new();
    let out = env
        .cmd()
        .args(["health-check", "--base-url", &server.url(), "--now", "2026-11-23T12:00:00Z"])
        .args(["--format", "json"])
        .write_stdin("uptime 99.95%, p95 480ms, page load 2s, no critical vulns, secrets rotated, no manual work")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let report: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(report["score"], 4, "{report}");
    assert_eq!(report["band"], "warning");
    let request = server.requests()[0].json();
    assert!(messages(&request)[1].1.starts_with("uptime 99.95%"));
    assert_eq!(
        request["response_format"]["json_schema"]["name"],
        "health_check"
    );
}

#[test]
fn an_overview_draft_with_a_cycle_is_sent_back_with_the_cycle_named() {
    let cyclic = r#"{"components": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}],
                     "links": [["a", "b"], ["b", "a"]]}"#;
    let fixed = r#"{"name": "Staging", "components": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}],
                    "links": [["a", "b"]]}"#;
    let server = Server::start(vec![reply(cyclic), reply(fixed)]);
    let env = TestEnv::new();
    env.cmd()
        .args(["overview", "--base-url", &server.url(), "A talks to B"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "# Staging Infrastructure Overview\n",
        ))
        .stdout(predicate::str::contains("▼"));
    let repair = messages(&server.requests()[1].json());
    assert!(
        repair[3].1.contains("links form a cycle"),
        "{}",
        repair[3].1
    );
}

#[test]
fn json_object_providers_get_the_schema_in_the_prompt() {
    let server = Server::start(vec![reply(r#"{"title": "x"}"#)]);
    let env = TestEnv::new();
    env.write_config(&format!(
        "default_provider: box\nproviders:\n  box:\n    base_url: {}\n    model: m\n    json_mode: json_object\n",
        server.url()
    ));
    env.cmd().args(["postmortem", "notes"]).assert().success();
    let request = server.requests()[0].json();
    assert_eq!(request["response_format"]["type"], "json_object");
    let all: String = messages(&request).into_iter().map(|(_, c)| c).collect();
    assert!(all.contains("action_items"), "schema in the prompt: {all}");
}

#[test]
fn nothing_to_draft_from_is_a_usage_error() {
    let env = TestEnv::new();
    env.cmd()
        .args(["postmortem", "--base-url", "http://127.0.0.1:9"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nothing to draft from"));
}

#[test]
fn ctrl_c_while_drafting_exits_130() {
    use std::io::Read;
    use std::process::Stdio;
    use std::time::{Duration, Instant};

    let server = Server::once(reply(VALID).stall_at(40));
    let env = TestEnv::new();
    let mut child = env
        .std_cmd()
        .args(["postmortem", "--base-url", &server.url(), NOTES])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while server.requests().is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no request arrived"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // Let the first bytes arrive, so the draft is being collected when Ctrl-C comes.
    std::thread::sleep(Duration::from_millis(300));
    common::ctrl_c(&child);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    assert_eq!(stdout, "", "no partial document");
}

#[test]
fn stdin_over_the_cap_is_a_usage_error() {
    let env = TestEnv::new();
    env.cmd()
        .args([
            "postmortem",
            "--base-url",
            "http://127.0.0.1:9",
            "--max-input",
            "10",
        ])
        .write_stdin("this is longer than ten bytes")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("larger than 10 bytes"));
}

const ROUTED: &str = "write up a postmortem for last night's outage: db pool exhausted at 14:30, \
                      we raised max_connections and were back by 15:15";

#[test]
fn ask_routes_a_postmortem_request_to_the_drafting_path() {
    let server = Server::start(vec![reply(VALID)]);
    let env = TestEnv::new();
    let md = drafted(&env, &server, ["ask", ROUTED], "→ postmortem");
    assert!(
        md.starts_with("# Incident Postmortem: Connection pool exhausted\n"),
        "{md}"
    );
    let request = server.requests()[0].json();
    assert!(
        request.get("response_format").is_some(),
        "drafting asks for JSON: {request}"
    );
}

#[test]
fn ask_no_route_keeps_it_a_chat() {
    let server = Server::start(vec![reply("Sure: start with the timeline.")]);
    let env = TestEnv::new();
    env.cmd()
        .args(["ask", "--no-route", "--base-url", &server.url(), ROUTED])
        .assert()
        .success()
        .stdout("Sure: start with the timeline.\n")
        .stderr(predicate::str::contains("→").not());
    let request = server.requests()[0].json();
    assert!(request.get("response_format").is_none(), "{request}");
}

#[test]
fn a_question_about_postmortems_is_not_routed() {
    let server = Server::start(vec![reply("Blameless, with action items.")]);
    let env = TestEnv::new();
    env.cmd()
        .args([
            "ask",
            "--base-url",
            &server.url(),
            "what makes a good postmortem?",
        ])
        .assert()
        .success()
        .stdout("Blameless, with action items.\n");
}

#[test]
fn ask_with_a_session_stores_the_routed_request_and_its_document() {
    let server = Server::start(vec![reply(VALID)]);
    let env = TestEnv::new();
    env.cmd()
        .args([
            "ask",
            "--session",
            "outage",
            "--base-url",
            &server.url(),
            ROUTED,
        ])
        .assert()
        .success();
    env.cmd()
        .args(["sessions", "show", "outage"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "write up a postmortem for last night's outage",
        ))
        .stdout(predicate::str::contains(
            "# Incident Postmortem: Connection pool exhausted",
        ));
}

#[test]
fn the_notes_are_in_the_session_even_when_the_draft_fails() {
    let server = Server::start(vec![reply(INVALID)]);
    let env = TestEnv::new();
    env.cmd()
        .args([
            "postmortem",
            "--session",
            "pm",
            "--base-url",
            &server.url(),
            NOTES,
        ])
        .assert()
        .code(1);
    env.cmd()
        .args(["sessions", "show", "pm"])
        .assert()
        .success()
        .stdout(predicate::str::contains(NOTES));
    // The same for a request `ask` routed to a document.
    let server = Server::start(vec![reply(INVALID)]);
    env.cmd()
        .args([
            "ask",
            "--session",
            "routed",
            "--base-url",
            &server.url(),
            ROUTED,
        ])
        .assert()
        .code(1);
    env.cmd()
        .args(["sessions", "show", "routed"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "write up a postmortem for last night's outage",
        ));
}
