//! MCP servers' tools through the binary, against real servers the tests start: mcp-server-git
//! on a temporary repository and @modelcontextprotocol/server-filesystem on a temporary folder
//! (scripts/install-mcp-servers.sh installs both), with a loopback OpenAI-compatible server
//! scripting the model's calls. A listed read-only tool runs without asking; a writing tool is
//! refused without a terminal and leaves the repository and files untouched, and runs when
//! approved in a pty; `tools.deny` and `--tools read-only` apply; a server that exits at start,
//! one killed mid-call, one that never answers and one that answers with a JSON-RPC error each
//! give one line and the turn goes on; `mcp list` (and `--json`) and `mcp call`; the REPL keeps
//! one server process across turns; a streamable-HTTP server gets its `${VAR}`-expanded headers.

// Tests: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::path::Path;
use std::time::Duration;

use common::TestEnv;
use common::mcp::{
    answer, commits, faulty_server, fs_server, git, git_server, repository, tool_call,
};
use common::server::{Request, Server};
use predicates::prelude::*;
use serde_json::{Value, json};

/// The `tool` messages of a request, in order.
fn tool_results(request: &Request) -> Vec<String> {
    request.json()["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "tool")
        .map(|m| m["content"].as_str().unwrap().to_owned())
        .collect()
}

fn ask(env: &TestEnv, server: &Server) -> assert_cmd::Command {
    let mut cmd = env.cmd();
    cmd.args(["ask", "--base-url", &server.url(), "--model", "m"])
        .write_stdin("")
        .timeout(Duration::from_secs(90));
    cmd
}

/// A config with the git server on `repo` (git_status and git_log listed as read-only).
fn git_config(repo: &Path, extra: &str) -> String {
    format!(
        "mcp_servers:\n  git:\n    command: {}\n    args: [--repository, {}]\n    \
         read_only: [git_status, git_log]\n{extra}",
        git_server().display(),
        repo.display()
    )
}

fn fs_config(dir: &Path) -> String {
    format!(
        "mcp_servers:\n  fs:\n    command: {}\n    args: [{}]\n",
        fs_server().display(),
        dir.display()
    )
}

fn faulty_config(mode: &str, pidfile: &Path, timeout: u64) -> String {
    format!(
        "tools: {{timeout: {timeout}}}\nmcp_servers:\n  flaky:\n    command: python3\n    \
         args: [{}, {mode}, {}]\n    read_only: [\"*\"]\n",
        faulty_server().display(),
        pidfile.display()
    )
}

/// Waits (bounded) until the process whose pid is in `pidfile` is gone.
fn gone(pidfile: &Path) -> bool {
    let pid = std::fs::read_to_string(pidfile).unwrap();
    let proc = Path::new("/proc").join(pid.trim());
    for _ in 0..50 {
        let zombie =
            std::fs::read_to_string(proc.join("stat")).map_or(true, |s| s.contains(") Z "));
        if zombie {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

#[test]
fn a_listed_read_only_tool_runs_without_asking_and_is_stored_in_the_session() {
    let repo = tempfile::tempdir().unwrap();
    repository(repo.path());
    let env = TestEnv::new();
    env.write_config(&git_config(repo.path(), ""));
    let args = json!({"repo_path": repo.path()});
    let server = Server::start(vec![
        tool_call("c1", "git__git_status", &args),
        answer("One file is staged."),
    ]);
    let out = ask(&env, &server)
        .args(["--json", "what is staged in the repo?"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "(read-only: `git_status` in mcp_servers.git.read_only)  ok",
        ))
        .get_output()
        .clone();
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let tools = requests[0].json()["tools"].as_array().unwrap().clone();
    let status = tools
        .iter()
        .find(|t| t["function"]["name"] == "git__git_status")
        .expect("git__git_status is offered");
    assert!(
        status["function"]["parameters"]["properties"]["repo_path"].is_object(),
        "{status}"
    );
    assert!(tools.iter().any(|t| t["function"]["name"] == "run_command"));
    let results = tool_results(&requests[1]);
    assert!(results[0].contains("inventory.yaml"), "{results:?}");
    let reply: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(reply["steps"][0]["tool"], "git__git_status");
    assert_eq!(reply["steps"][0]["decision"], "read-only");
    env.cmd()
        .args(["sessions", "export", "--format", "json", "1"])
        .assert()
        .success()
        .stdout(predicate::str::contains("git__git_status"));
}

#[test]
fn git_commit_is_refused_without_a_terminal_and_the_repository_is_untouched() {
    let repo = tempfile::tempdir().unwrap();
    repository(repo.path());
    let env = TestEnv::new();
    env.write_config(&git_config(repo.path(), ""));
    let args = json!({"repo_path": repo.path(), "message": "sneaky"});
    let server = Server::start(vec![
        tool_call("c1", "git__git_commit", &args),
        answer("I could not commit."),
    ]);
    ask(&env, &server)
        .arg("commit the inventory")
        .assert()
        .success()
        .stdout("I could not commit.\n")
        .stderr(predicate::str::contains("there is no terminal to ask on"));
    assert_eq!(commits(repo.path()), 0, "nothing was committed");
    let results = tool_results(&server.requests()[1]);
    assert!(
        results[0].starts_with("refused: needs approval"),
        "{results:?}"
    );
}

#[test]
fn read_only_mode_and_deny_rules_apply_to_mcp_tools() {
    let repo = tempfile::tempdir().unwrap();
    repository(repo.path());
    let env = TestEnv::new();
    env.write_config(&git_config(repo.path(), "tools:\n  deny: [git__git_log]\n"));
    let server = Server::start(vec![
        tool_call(
            "c1",
            "git__git_commit",
            &json!({"repo_path": repo.path(), "message": "x"}),
        ),
        tool_call("c2", "git__git_log", &json!({"repo_path": repo.path()})),
        answer("done"),
    ]);
    ask(&env, &server)
        .args(["--tools", "read-only", "commit and log"])
        .assert()
        .success()
        .stderr(predicate::str::contains("--tools read-only never asks"))
        .stderr(predicate::str::contains(
            "denied by the tools.deny rule `git__git_log`",
        ));
    assert_eq!(commits(repo.path()), 0);
}

#[test]
fn filesystem_reads_run_by_the_servers_hint_and_write_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path().canonicalize().unwrap();
    std::fs::write(dir.join("notes.txt"), "disk at 91%\n").unwrap();
    let env = TestEnv::new();
    env.write_config(&fs_config(&dir));
    let target = dir.join("new.txt");
    let server = Server::start(vec![
        tool_call(
            "c1",
            "fs__read_text_file",
            &json!({"path": dir.join("notes.txt")}),
        ),
        tool_call(
            "c2",
            "fs__write_file",
            &json!({"path": target, "content": "x"}),
        ),
        answer("done"),
    ]);
    ask(&env, &server)
        .arg("read my notes, then write a new one")
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "(read-only: the server marks it readOnlyHint)  ok",
        ))
        .stderr(predicate::str::contains("there is no terminal to ask on"));
    assert!(!target.exists(), "write_file did not run");
    let results = tool_results(&server.requests()[2]);
    assert!(results[0].contains("disk at 91%"), "{results:?}");
    assert!(results[1].starts_with("refused:"), "{results:?}");
}

#[test]
fn git_commit_approved_in_a_terminal_runs() {
    use expectrl::{Expect, Session};
    let repo = tempfile::tempdir().unwrap();
    repository(repo.path());
    let env = TestEnv::new();
    env.write_config(&git_config(repo.path(), ""));
    let args = json!({"repo_path": repo.path(), "message": "approved commit"});
    let server = Server::start(vec![
        tool_call("c1", "git__git_commit", &args),
        answer("committed"),
    ]);
    let mut cmd = env.std_cmd();
    cmd.env("TERM", "xterm").args([
        "ask",
        "--base-url",
        &server.url(),
        "--model",
        "m",
        "commit it",
    ]);
    let mut p = Session::spawn(cmd).unwrap();
    p.set_expect_timeout(Some(Duration::from_secs(60)));
    p.expect("calls a tool of the MCP server `git`").unwrap();
    p.expect("run it? [y]es / [n]o / [a]lways this session")
        .unwrap();
    p.send("y\r").unwrap();
    p.expect("committed").unwrap();
    p.expect(expectrl::Eof).unwrap();
    assert_eq!(commits(repo.path()), 1);
    assert!(git(repo.path(), &["log", "--format=%s"]).contains("approved commit"));
}

#[test]
fn a_server_that_exits_at_start_is_one_line_and_the_turn_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let env = TestEnv::new();
    env.write_config(&faulty_config("exit-at-start", &tmp.path().join("pid"), 10));
    let server = Server::start(vec![answer("Answered without it.")]);
    let out = ask(&env, &server)
        .arg("anything")
        .assert()
        .success()
        .stdout("Answered without it.\n")
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| l.contains("flaky")).collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].starts_with("warning: mcp server `flaky` did not start: "),
        "{stderr}"
    );
    assert!(
        lines[0].contains("fatal: cannot open the inventory /etc/nowhere.yaml"),
        "{stderr}"
    );
    let tools = server.requests()[0].json()["tools"].to_string();
    assert!(!tools.contains("flaky__"), "{tools}");
}

#[test]
fn a_command_that_does_not_exist_is_one_line_too() {
    let env = TestEnv::new();
    env.write_config("mcp_servers:\n  ghost:\n    command: /nonexistent/mcp-server\n");
    let server = Server::start(vec![answer("fine")]);
    ask(&env, &server)
        .arg("anything")
        .assert()
        .success()
        .stdout("fine\n")
        .stderr(predicate::str::contains(
            "mcp server `ghost` did not start: cannot run `/nonexistent/mcp-server`",
        ));
}

#[test]
fn a_server_killed_mid_call_is_reported_in_the_result_and_the_turn_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let env = TestEnv::new();
    env.write_config(&faulty_config("serve", &tmp.path().join("pid"), 20));
    let server = Server::start(vec![
        tool_call("c1", "flaky__crash", &json!({})),
        answer("The server crashed."),
    ]);
    ask(&env, &server)
        .arg("crash it")
        .assert()
        .success()
        .stdout("The server crashed.\n")
        .stderr(predicate::str::contains("the server died during the call"));
    let results = tool_results(&server.requests()[1]);
    assert!(results[0].contains("died during the call"), "{results:?}");
    assert!(
        results[0].contains("panic: the handler dereferenced nothing"),
        "{results:?}"
    );
}

#[test]
fn a_server_that_never_answers_times_out_and_the_turn_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let pidfile = tmp.path().join("pid");
    let env = TestEnv::new();
    env.write_config(&faulty_config("serve", &pidfile, 2));
    let server = Server::start(vec![
        tool_call("c1", "flaky__hang", &json!({})),
        tool_call("c2", "flaky__echo", &json!({"after": "the hang"})),
        answer("It hung."),
    ]);
    ask(&env, &server)
        .arg("hang it")
        .assert()
        .success()
        .stdout("It hung.\n")
        .stderr(predicate::str::contains(
            "no answer within 2 s (tools.timeout)",
        ));
    let results = tool_results(&server.requests()[2]);
    assert!(results[0].contains("no answer within 2 s"), "{results:?}");
    assert_eq!(results[1], r#"echo {"after": "the hang"}"#, "{results:?}");
    assert!(gone(&pidfile), "the server stopped with mitchell");
}

#[test]
fn a_json_rpc_error_is_the_tool_result() {
    let tmp = tempfile::tempdir().unwrap();
    let env = TestEnv::new();
    env.write_config(&faulty_config("serve", &tmp.path().join("pid"), 10));
    let server = Server::start(vec![
        tool_call("c1", "flaky__fail", &json!({})),
        answer("The backend is down."),
    ]);
    ask(&env, &server)
        .arg("try it")
        .assert()
        .success()
        .stdout("The backend is down.\n")
        .stderr(predicate::str::contains(
            "the server answered with an error: JSON-RPC error -32000: backend unavailable",
        ));
    let results = tool_results(&server.requests()[1]);
    assert!(results[0].contains("backend unavailable"), "{results:?}");
}

#[test]
fn mcp_list_shows_both_servers_their_tools_and_which_run_without_asking() {
    let repo = tempfile::tempdir().unwrap();
    repository(repo.path());
    let dir = tempfile::tempdir().unwrap();
    let env = TestEnv::new();
    let fs = fs_config(dir.path());
    let both = format!(
        "{}{}",
        git_config(repo.path(), ""),
        fs.trim_start_matches("mcp_servers:\n")
    );
    env.write_config(&both);
    let out = env.cmd().args(["mcp", "list"]).assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let line = |name: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} in {text}"))
            .to_owned()
    };
    assert!(text.contains("git  stdio "), "{text}");
    assert!(text.contains("fs  stdio "), "{text}");
    assert!(line("git__git_status").contains("runs"), "{text}");
    assert!(line("git__git_commit").contains("asks"), "{text}");
    assert!(
        line("fs__read_text_file").contains("readOnlyHint"),
        "{text}"
    );
    assert!(line("fs__write_file").contains("asks"), "{text}");

    let out = env.cmd().args(["mcp", "list", "--json"]).assert().success();
    let servers: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let servers = servers.as_array().unwrap();
    assert_eq!(servers.len(), 2);
    for s in servers {
        assert_eq!(s["state"], "running", "{s}");
    }
    let tool = |server: &str, name: &str| {
        servers.iter().find(|s| s["name"] == server).unwrap()["tools"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["tool"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(tool("git", "git_log")["runs_without_asking"], true);
    assert_eq!(tool("git", "git_commit")["runs_without_asking"], false);
    assert_eq!(tool("fs", "write_file")["runs_without_asking"], false);
    assert_eq!(tool("fs", "list_directory")["name"], "fs__list_directory");
}

#[test]
fn mcp_list_shows_a_server_that_failed() {
    let tmp = tempfile::tempdir().unwrap();
    let env = TestEnv::new();
    env.write_config(&faulty_config("exit-at-start", &tmp.path().join("pid"), 10));
    env.cmd()
        .args(["mcp", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("flaky  stdio python3 "))
        .stdout(predicate::str::contains("failed: did not start"));
}

#[test]
fn mcp_call_runs_a_read_only_tool_and_refuses_a_writing_one_without_a_terminal() {
    let repo = tempfile::tempdir().unwrap();
    repository(repo.path());
    let env = TestEnv::new();
    env.write_config(&git_config(repo.path(), ""));
    let args = json!({"repo_path": repo.path()}).to_string();
    env.cmd()
        .args(["mcp", "call", "git", "git_status", &args])
        .assert()
        .success()
        .stdout(predicate::str::contains("inventory.yaml"));
    let commit = json!({"repo_path": repo.path(), "message": "no"}).to_string();
    env.cmd()
        .args(["mcp", "call", "git", "git_commit", &commit])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "error: git__git_commit was not run: needs approval",
        ));
    assert_eq!(commits(repo.path()), 0);
    env.cmd()
        .args(["mcp", "call", "nope", "git_status"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("there is no MCP server `nope`"));
    env.cmd()
        .args(["mcp", "call", "git", "git_status", "[1]"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a JSON object"));
}

#[test]
fn a_bad_mcp_servers_entry_is_a_config_error() {
    let env = TestEnv::new();
    env.write_config("mcp_servers:\n  both:\n    command: x\n    url: http://127.0.0.1:1/mcp\n");
    env.cmd()
        .args(["mcp", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("mcp_servers.both in "))
        .stderr(predicate::str::contains("either command or url, not both"));
}

#[test]
fn the_repl_keeps_its_servers_across_turns_and_mcp_lists_them() {
    use expectrl::{Expect, Session};
    let tmp = tempfile::tempdir().unwrap();
    let pidfile = tmp.path().join("pid");
    let env = TestEnv::new();
    env.write_config(&faulty_config("serve", &pidfile, 10));
    let server = Server::start(vec![
        tool_call("c1", "flaky__echo", &json!({"turn": 1})),
        answer("first done"),
        tool_call("c2", "flaky__echo", &json!({"turn": 2})),
        answer("second done"),
    ]);
    let mut cmd = env.std_cmd();
    cmd.env("TERM", "xterm")
        .args(["chat", "--base-url", &server.url(), "--model", "m"]);
    let mut p = Session::spawn(cmd).unwrap();
    p.set_expect_timeout(Some(Duration::from_secs(30)));
    p.expect("m> ").unwrap();
    p.send("first\r").unwrap();
    p.expect("first done").unwrap();
    let first_pid = std::fs::read_to_string(&pidfile).unwrap();
    p.send("second\r").unwrap();
    p.expect("second done").unwrap();
    p.send("/mcp\r").unwrap();
    p.expect("flaky  stdio python3").unwrap();
    p.expect("running").unwrap();
    p.expect("flaky__echo").unwrap();
    p.send("/quit\r").unwrap();
    p.expect(expectrl::Eof).unwrap();
    assert_eq!(
        std::fs::read_to_string(&pidfile).unwrap(),
        first_pid,
        "one server process for both turns"
    );
    let results = tool_results(&server.requests()[3]);
    assert_eq!(results.len(), 2, "{results:?}");
    assert!(results[1].contains(r#""turn": 2"#), "{results:?}");
    assert!(gone(&pidfile), "the server stopped with the REPL");
}

/// The streamable-HTTP server of the HTTP test, killed when dropped.
struct HttpServer(std::process::Child);

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_streamable_http_server_gets_its_expanded_headers() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // The Python SDK's own server, from the virtualenv mcp-server-git is installed in.
    let python = git_server().with_file_name("python");
    let script = faulty_server().with_file_name("http_server.py");
    let _server = HttpServer(
        std::process::Command::new(python)
            .arg(script)
            .arg(port.to_string())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let up = (0..150).any(|_| {
        std::thread::sleep(Duration::from_millis(100));
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    assert!(up, "the HTTP MCP server listens on {port}");
    let env = TestEnv::new();
    env.write_config(&format!(
        "mcp_servers:\n  web:\n    url: http://127.0.0.1:{port}/mcp\n    \
         headers: {{Authorization: \"Bearer ${{WEB_TOKEN}}\"}}\n    read_only: [whoami]\n"
    ));
    env.cmd()
        .env("WEB_TOKEN", "s3cret")
        .args(["mcp", "call", "web", "whoami"])
        .timeout(Duration::from_secs(30))
        .assert()
        .success()
        .stdout("authorization=Bearer s3cret\n");
    let out = env
        .cmd()
        .env("WEB_TOKEN", "s3cret")
        .args(["mcp", "list", "--json"])
        .timeout(Duration::from_secs(30))
        .assert()
        .success();
    let servers: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(servers[0]["transport"], "http");
    assert_eq!(servers[0]["state"], "running");
    assert_eq!(servers[0]["tools"][0]["name"], "web__whoami");
    env.cmd()
        .args(["mcp", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "failed: did not start: ${WEB_TOKEN} not set",
        ));
}
