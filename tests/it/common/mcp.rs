//! The real MCP servers the MCP tests start, installed by scripts/install-mcp-servers.sh under
//! ~/.cache/mitchell-mcp (or named by MITCHELL_TEST_MCP_GIT / MITCHELL_TEST_MCP_FS). A missing
//! server fails the test with the command that installs it; it never skips. Also the scripted
//! model replies (one tool call, a final answer) and a temporary git repository.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use super::server::Response;

fn installed(var: &str, relative: &str) -> PathBuf {
    let path = std::env::var_os(var).map_or_else(
        || {
            let home = std::env::var_os("HOME").expect("HOME is set");
            Path::new(&home).join(".cache/mitchell-mcp").join(relative)
        },
        PathBuf::from,
    );
    assert!(
        path.is_file(),
        "{} is missing: run `bash scripts/install-mcp-servers.sh` (or set {var})",
        path.display()
    );
    path
}

/// `mcp-server-git`.
pub fn git_server() -> PathBuf {
    installed("MITCHELL_TEST_MCP_GIT", "venv/bin/mcp-server-git")
}

/// `@modelcontextprotocol/server-filesystem`.
pub fn fs_server() -> PathBuf {
    installed(
        "MITCHELL_TEST_MCP_FS",
        "npm/node_modules/.bin/mcp-server-filesystem",
    )
}

/// The small stdio server of the fault tests (tests/fixtures/mcp/faulty_server.py).
pub fn faulty_server() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mcp/faulty_server.py")
}

/// Runs git in `dir`; panics when it fails.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.invalid",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {out:?}");
    String::from_utf8(out.stdout).expect("utf-8")
}

/// A new repository with one staged file and no commit.
pub fn repository(dir: &Path) {
    git(dir, &["init", "-q", "-b", "main"]);
    std::fs::write(dir.join("inventory.yaml"), "web: [a, b]\n").expect("write");
    git(dir, &["add", "inventory.yaml"]);
}

/// The number of commits in the repository at `dir`.
pub fn commits(dir: &Path) -> usize {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["rev-list", "--all", "--count"])
        .output()
        .expect("git runs");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(0)
}

/// A model reply that calls one tool.
pub fn tool_call(id: &str, tool: &str, arguments: &Value) -> Response {
    let delta = json!({"tool_calls": [{"index": 0, "id": id, "type": "function",
        "function": {"name": tool, "arguments": arguments.to_string()}}]});
    Response::sse(format!(
        "data: {}\n\ndata: {}\n\ndata: [DONE]\n\n",
        json!({"choices": [{"index": 0, "delta": delta, "finish_reason": null}]}),
        json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]}),
    ))
}

/// A model reply that answers.
pub fn answer(text: &str) -> Response {
    Response::sse(format!(
        "data: {}\n\ndata: {}\n\ndata: [DONE]\n\n",
        json!({"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": null}]}),
        json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}),
    ))
}
