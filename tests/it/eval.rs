//! `mitchell eval` through the binary against a loopback OpenAI-compatible server that scripts
//! one answer per question: the scoring rules (expect_any, expect_all, reject,
//! case-insensitive), the table and `fidelity N/M`, the `--json` shape, `--min`, what each
//! request carries (fresh conversation, persona prompt, playbook when on, greedy), bad suites
//! (exit 2 naming file:line and the field) and a provider that fails (exit 1).

#![allow(clippy::unwrap_used)]

use crate::common;

use common::TestEnv;
use common::server::{Response, Server};
use predicates::prelude::*;
use serde_json::{Value, json};

/// An SSE stream that answers `text` in two pieces and reports usage.
fn answer(text: &str, completion_tokens: u64) -> Response {
    let (a, b) = text.split_at(text.len() / 2);
    let chunk = |content: &str| json!({"choices": [{"index": 0, "delta": {"content": content}, "finish_reason": null}]});
    let done = json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]});
    let usage = json!({"choices": [], "usage": {"prompt_tokens": 100, "completion_tokens": completion_tokens, "total_tokens": 100 + completion_tokens}});
    let mut body = String::new();
    for v in [chunk(a), chunk(b), done, usage] {
        body.push_str("data: ");
        body.push_str(&v.to_string());
        body.push_str("\n\n");
    }
    body.push_str("data: [DONE]\n\n");
    Response::sse(body)
}

const SUITE: &str = "\
name: tiny
questions:
  - id: k8s
    ask: Five engineers, three services. Kubernetes now?
    expect_any: ['overkill', 'docker compose|render']
    reject: ['^yes\\b']
  - id: secrets
    ask: Where do production secrets live?
    expect_all: ['vault', 'rotat']
  - id: uptime
    ask: What uptime target?
    expect_any: ['99\\.99']
    reject: ['99\\.9% is (fine|enough)']
  - id: anything
    ask: Say hello.
";

/// Answers in suite order: k8s passes (case-insensitive), secrets fails (no rotation),
/// uptime fails (rejected), anything passes (no patterns).
fn scripted() -> Server {
    Server::start(vec![
        answer(
            "No: it is OVERKILL for five engineers. Use Docker Compose.",
            12,
        ),
        answer("Put them in Vault.", 5),
        answer("Aim for 99.99%, though 99.9% is fine to start.", 14),
        answer("Hello!", 2),
    ])
}

fn write_suite(env: &TestEnv, text: &str) -> String {
    let path = env.path().join("suite.yaml");
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

/// `mitchell eval --suite SUITE --base-url URL`.
fn eval(env: &TestEnv, suite: &str, base_url: &str) -> assert_cmd::Command {
    let mut cmd = env.cmd();
    cmd.args(["eval", "--suite", suite, "--base-url", base_url]);
    cmd
}

#[test]
fn eval_prints_a_row_per_question_and_the_fidelity() {
    let server = scripted();
    let env = TestEnv::new();
    let suite = write_suite(&env, SUITE);
    let stdout = common::stdout_of(eval(&env, &suite, &server.url()).args(["--model", "m"]));
    let rows: Vec<&str> = stdout.lines().collect();
    assert!(rows[0].starts_with("id"), "{stdout}");
    let verdict = |id: &str| {
        rows.iter()
            .find(|r| r.starts_with(&format!("{id} ")))
            .unwrap_or_else(|| panic!("no row for {id}: {stdout}"))
            .split_whitespace()
            .nth(1)
            .unwrap()
            .to_owned()
    };
    assert_eq!(verdict("k8s"), "pass");
    assert_eq!(verdict("secrets"), "FAIL");
    assert_eq!(verdict("uptime"), "FAIL");
    assert_eq!(verdict("anything"), "pass");
    assert!(
        stdout.contains("No: it is OVERKILL"),
        "the first words: {stdout}"
    );
    assert_eq!(rows.last().unwrap(), &"fidelity 2/4");

    // Each question in a fresh conversation: the persona's prompt, then the question; no
    // playbook for HTTP in auto mode; greedy, short answers.
    let requests = server.requests();
    assert_eq!(requests.len(), 4);
    for (req, q) in requests
        .iter()
        .zip(["Five engineers", "Where do", "What uptime", "Say hello"])
    {
        let body = req.json();
        let messages = body["messages"].as_array().unwrap();
        assert_eq!(messages.len(), 2, "{body}");
        assert_eq!(messages[0]["role"], "system");
        assert!(
            messages[0]["content"]
                .as_str()
                .unwrap()
                .contains("Mitchell")
        );
        assert!(messages[1]["content"].as_str().unwrap().starts_with(q));
        assert_eq!(body["temperature"], 0.0);
        assert_eq!(body["max_tokens"], 200);
    }
}

#[test]
fn eval_json_has_the_documented_shape() {
    let server = scripted();
    let env = TestEnv::new();
    let suite = write_suite(&env, SUITE);
    let out = common::run_ok(eval(&env, &suite, &server.url()).args([
        "--model",
        "m",
        "--json",
        "--playbook",
        "on",
    ]));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["suite"], "tiny");
    assert_eq!(v["provider"], "http");
    assert_eq!(v["model"], "m");
    assert_eq!(v["passed"], 2);
    assert_eq!(v["total"], 4);
    assert_eq!(v["playbook"], true);
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    assert_eq!(results[0]["id"], "k8s");
    assert_eq!(results[0]["pass"], true);
    assert_eq!(results[1]["pass"], false);
    assert_eq!(results[1]["answer"], "Put them in Vault.");
    assert_eq!(results[0]["completion_tokens"], 12);
    assert!(results[0]["seconds"].as_f64().unwrap() >= 0.0);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("[4/4] anything pass"),
        "progress on stderr: {stderr}"
    );
    // --playbook on: the positions for each question sit between the persona and the question.
    let first = server.requests()[0].json();
    let messages = first["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 3, "{first}");
    assert!(
        messages[1]["content"]
            .as_str()
            .unwrap()
            .contains("Hot take")
    );
}

#[test]
fn min_exits_1_when_fewer_pass() {
    let env = TestEnv::new();
    let suite = write_suite(&env, SUITE);
    let server = scripted();
    eval(&env, &suite, &server.url())
        .args(["--min", "3"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("fidelity 2/4"))
        .stderr(predicate::str::contains("below --min 3"));
    let server = scripted();
    eval(&env, &suite, &server.url())
        .args(["--min", "2"])
        .assert()
        .success();
}

#[test]
fn bad_suites_exit_2_naming_file_line_and_field() {
    let env = TestEnv::new();
    let bad_regex = SUITE.replace("'rotat'", "'rotat('");
    let suite = write_suite(&env, &bad_regex);
    eval(&env, &suite, "http://127.0.0.1:9/v1")
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            predicate::str::contains("suite.yaml:9:")
                .and(predicate::str::contains("expect_all"))
                .and(predicate::str::contains("invalid regex 'rotat('")),
        );
    let unknown = SUITE.replace("    reject: ['^yes", "    rejects: ['^yes");
    let suite = write_suite(&env, &unknown);
    eval(&env, &suite, "http://127.0.0.1:9/v1")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("suite.yaml:6:").and(predicate::str::contains("rejects")));
    env.cmd()
        .args(["eval", "--suite", "/nonexistent/suite.yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot read suite /nonexistent/suite.yaml",
        ));
}

#[test]
fn a_provider_that_fails_from_the_start_exits_1() {
    let env = TestEnv::new();
    let suite = write_suite(&env, SUITE);
    let server = Server::once(Response::new(500, r#"{"error":{"message":"boom"}}"#));
    eval(&env, &suite, &server.url())
        .args(["--idle-timeout", "5"])
        .env("MITCHELL_MAX_TRIES", "1")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("question `k8s` failed"));
}

#[test]
fn the_built_in_suite_is_the_default_and_covers_the_persona() {
    let env = TestEnv::new();
    // A server that always answers the same: the built-in suite runs every question.
    let server = Server::start(vec![answer("Terraform, Vault and boring technology.", 6)]);
    let v = common::json_of(
        env.cmd()
            .args(["eval", "--base-url", &server.url(), "--json"]),
    );
    assert_eq!(v["suite"], "mitchell");
    let total = v["total"].as_u64().unwrap();
    assert!(total >= 40, "{total}");
    let passed = v["passed"].as_u64().unwrap();
    assert!(
        passed < total / 4,
        "a canned answer must not pass the suite: {passed}/{total}"
    );
    assert_eq!(server.requests().len() as u64, total);
}
