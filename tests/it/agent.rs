//! The agent through the binary, against a loopback server that scripts the model's tool calls:
//! a read-only probe runs and its real output reaches the next request; commands that write or
//! use shell syntax are refused without a terminal and leave the filesystem untouched; a canary
//! secret read by `read_file` never reaches the server; the step limit and the identical-call
//! guard stop a looping model; `--tools off` sends no tools; sessions keep the steps and
//! `--continue` replays them; approval in a pty (y, n, a).

// Tests: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::time::Duration;

use common::TestEnv;
use common::mcp::{answer, tool_call as call};
use common::server::{Request, Response, Server};
use predicates::prelude::*;
use serde_json::{Value, json};

/// A reply that calls `run_command` with `line`.
fn command(id: &str, line: &str) -> Response {
    call(id, "run_command", &json!({ "command": line }))
}

/// The `tool` messages of a request, by call id.
fn tool_results(request: &Request) -> Vec<(String, String)> {
    request.json()["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "tool")
        .map(|m| {
            (
                m["tool_call_id"].as_str().unwrap().to_owned(),
                m["content"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn ask(env: &TestEnv, server: &Server, cwd: &std::path::Path) -> assert_cmd::Command {
    let mut cmd = env.cmd();
    cmd.current_dir(cwd)
        .args(["ask", "--base-url", &server.url(), "--model", "m"])
        .write_stdin("")
        .timeout(Duration::from_secs(60));
    cmd
}

#[test]
fn a_read_only_probe_runs_and_its_output_reaches_the_next_request() {
    let env = TestEnv::new();
    let server = Server::start(vec![command("call_1", "df -h /"), answer("Root is fine.")]);
    ask(&env, &server, env.path())
        .arg("how full is the root disk here?")
        .assert()
        .success()
        .stdout("Root is fine.\n")
        .stderr(predicate::str::contains("▸ df -h /  (read-only)  exit 0"));
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let first = requests[0].json();
    let names: Vec<&str> = first["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["function"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["run_command", "read_file", "http_get"]);
    let results = tool_results(&requests[1]);
    assert_eq!(results[0].0, "call_1");
    assert!(results[0].1.contains("Filesystem"), "{}", results[0].1);
    let second = requests[1].json();
    let asked = &second["messages"].as_array().unwrap()[2];
    assert_eq!(asked["tool_calls"][0]["id"], "call_1");
    assert_eq!(asked["tool_calls"][0]["type"], "function");
}

#[test]
fn writes_and_shell_syntax_are_refused_without_a_terminal_and_nothing_changes() {
    for line in ["rm -rf keep", "cat x; touch y", "echo $(touch y)", "ls > y"] {
        let env = TestEnv::new();
        let work = tempfile::tempdir().unwrap();
        std::fs::create_dir(work.path().join("keep")).unwrap();
        std::fs::write(work.path().join("x"), "x").unwrap();
        let server = Server::start(vec![command("c1", line), answer("I could not run it.")]);
        ask(&env, &server, work.path())
            .arg("clean up")
            .assert()
            .success()
            .stdout("I could not run it.\n")
            .stderr(predicate::str::contains("no terminal to ask on"));
        assert!(
            work.path().join("keep").is_dir(),
            "{line}: keep was removed"
        );
        assert!(!work.path().join("y").exists(), "{line}: y was created");
        let results = tool_results(&server.requests()[1]);
        assert!(
            results[0].1.starts_with("refused: needs approval"),
            "{line}: {results:?}"
        );
    }
}

#[test]
fn a_canary_secret_read_by_read_file_never_reaches_the_server() {
    let env = TestEnv::new();
    let work = tempfile::tempdir().unwrap();
    std::fs::write(
        work.path().join("app.conf"),
        "region = eu-west-1\naws_access_key_id = AKIACANARY0123456789\n\
         aws_secret_access_key = canarySecretValue0123456789abcdefghijklm\n\
         database_password=canary-db-password\n",
    )
    .unwrap();
    let server = Server::start(vec![
        call("c1", "read_file", &json!({"path": "app.conf"})),
        answer("The region is eu-west-1."),
    ]);
    ask(&env, &server, work.path())
        .arg("what region does app.conf use?")
        .assert()
        .success()
        .stderr(predicate::str::contains("secret(s) redacted"));
    for request in server.requests() {
        let body = String::from_utf8_lossy(&request.body);
        for canary in ["AKIACANARY", "canarySecretValue", "canary-db-password"] {
            assert!(!body.contains(canary), "{canary} was sent: {body}");
        }
    }
    let results = tool_results(&server.requests()[1]);
    assert!(results[0].1.contains("region = eu-west-1"), "{results:?}");
    assert!(results[0].1.contains("[REDACTED]"), "{results:?}");
}

#[test]
fn the_identical_call_guard_and_the_step_limit_stop_a_looping_model() {
    let env = TestEnv::new();
    let server = Server::once(command("c1", "uptime"));
    ask(&env, &server, env.path())
        .arg("loop")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "the model asked for the same `run_command` call 3 times",
        ));
    assert_eq!(server.requests().len(), 3);

    let env = TestEnv::new();
    let script = (0..5)
        .map(|i| command(&format!("c{i}"), &format!("echo {i}")))
        .collect();
    let server = Server::start(script);
    ask(&env, &server, env.path())
        .args(["--max-steps", "2", "--tools", "read-only", "loop"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("stopped after 2 model steps"));
    assert_eq!(server.requests().len(), 2);
    // Everything so far stays in the session.
    env.cmd()
        .args(["sessions", "show", "1"])
        .assert()
        .success()
        .stdout(predicate::str::contains("refused: needs approval"));
}

#[test]
fn tools_off_sends_no_tools_and_no_tools_note() {
    let env = TestEnv::new();
    let server = Server::once(answer("ok"));
    ask(&env, &server, env.path())
        .args(["--tools", "off", "hi"])
        .assert()
        .success();
    let body = server.requests()[0].json();
    assert_eq!(body.get("tools"), None);
    let system = body["messages"][0]["content"].as_str().unwrap();
    assert!(!system.contains("run_command"));
}

#[test]
fn sessions_keep_the_steps_and_continue_replays_them() {
    let env = TestEnv::new();
    let server = Server::start(vec![
        command("call_7", "uptime"),
        answer("Load is low."),
        answer("Nothing else to check."),
    ]);
    ask(&env, &server, env.path())
        .args(["--session", "probe", "how loaded is this box?"])
        .assert()
        .success();
    env.cmd()
        .args(["sessions", "show", "probe"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Tool result (call_7)"))
        .stdout(predicate::str::contains("load average"));
    let doc = env.export_session("probe");
    let roles: Vec<&str> = doc["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["user", "assistant", "tool", "assistant"]);
    assert_eq!(doc["messages"][1]["tool_calls"][0]["id"], "call_7");

    ask(&env, &server, env.path())
        .args(["--continue", "anything else?"])
        .assert()
        .success()
        .stdout("Nothing else to check.\n");
    let third = server.requests()[2].json();
    let messages = third["messages"].as_array().unwrap();
    let roles: Vec<&str> = messages
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(
        roles,
        ["system", "user", "assistant", "tool", "assistant", "user"]
    );
    assert_eq!(messages[2]["tool_calls"][0]["id"], "call_7");
    assert_eq!(messages[3]["tool_call_id"], "call_7");
}

#[test]
fn json_reports_each_step() {
    let env = TestEnv::new();
    let server = Server::start(vec![
        command("c1", "uptime"),
        command("c2", "touch nope"),
        answer("done"),
    ]);
    let got: Value =
        common::json_of(ask(&env, &server, env.path()).args(["--json", "how is this box doing?"]));
    assert_eq!(got["text"], "done");
    let steps = got["steps"].as_array().unwrap();
    assert_eq!(steps[0]["tool"], "run_command");
    assert_eq!(steps[0]["argv"], json!(["uptime"]));
    assert_eq!(steps[0]["decision"], "read-only");
    assert_eq!(steps[0]["exit_code"], 0);
    assert_eq!(steps[1]["decision"], "refused");
    assert_eq!(steps[1].get("exit_code"), None);
}

#[test]
fn approval_in_a_terminal_yes_no_and_always() {
    use expectrl::{Expect, Session};
    let work = tempfile::tempdir().unwrap();
    let env = TestEnv::new();
    let server = Server::start(vec![
        command("c1", "touch yes-file"),
        command("c2", "touch no-file"),
        command("c3", "touch again"),
        command("c4", "touch again"),
        answer("done"),
    ]);
    let mut cmd = env.std_cmd();
    cmd.current_dir(work.path()).env("TERM", "xterm").args([
        "ask",
        "--base-url",
        &server.url(),
        "--model",
        "m",
        "tidy up",
    ]);
    let mut p = Session::spawn(cmd).unwrap();
    p.set_expect_timeout(Some(Duration::from_secs(20)));
    p.expect("run it? [y]es / [n]o / [a]lways this session")
        .unwrap();
    p.send("y\r").unwrap();
    p.expect("run it?").unwrap();
    p.send("n\r").unwrap();
    p.expect("run it?").unwrap();
    p.send("a\r").unwrap();
    p.expect("done").unwrap();
    p.expect(expectrl::Eof).unwrap();
    assert!(work.path().join("yes-file").exists());
    assert!(!work.path().join("no-file").exists());
    assert!(work.path().join("again").exists());
    let requests = server.requests();
    assert_eq!(requests.len(), 5);
    let refused = tool_results(&requests[2]);
    assert!(refused[1].1.contains("the user said no"), "{refused:?}");
    let last = tool_results(&requests[4]);
    assert_eq!(last.len(), 4, "{last:?}");
    assert!(
        last[3].1.contains("exit 0"),
        "the fourth ran without asking: {last:?}"
    );
}
