//! `-f/--file`: a text file goes to the model as a fenced block headed by its path, before the
//! question; a binary file, a missing one or one over `--max-input` exits 2 with one line.
//! Also `-q`: notices and warnings are silenced, errors are not.

#![allow(clippy::unwrap_used)]

use crate::common;

use common::TestEnv;
use common::server::{Response, Server};

fn text_reply() -> Response {
    Response::sse(
        std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/streams/openai-text-usage.sse"),
        )
        .unwrap(),
    )
}

fn last_user_message(server: &Server) -> String {
    let body = server.requests()[0].json();
    let messages = body["messages"].as_array().unwrap().clone();
    messages
        .iter()
        .rev()
        .find(|m| m["role"] == "user")
        .and_then(|m| m["content"].as_str())
        .unwrap()
        .to_owned()
}

#[test]
fn attached_files_are_sent_as_fenced_blocks_before_the_question() {
    let env = TestEnv::new();
    let server = Server::once(text_reply());
    let tf = env.path().join("main.tf");
    std::fs::write(&tf, "resource \"aws_s3_bucket\" \"logs\" {}\n").unwrap();
    let notes = env.path().join("notes.txt");
    std::fs::write(&notes, "no trailing newline").unwrap();
    env.cmd()
        .args(["ask", "--base-url", &server.url(), "--no-route"])
        .arg("-f")
        .arg(&tf)
        .arg("--file")
        .arg(&notes)
        .arg("review this")
        .assert()
        .success();
    let sent = last_user_message(&server);
    let expected = format!(
        "{}:\n```tf\nresource \"aws_s3_bucket\" \"logs\" {{}}\n```\n\n{}:\n```txt\nno trailing newline\n```\n\nreview this",
        tf.display(),
        notes.display()
    );
    assert_eq!(sent, expected);
}

#[test]
fn a_binary_file_is_refused_with_exit_2() {
    let env = TestEnv::new();
    let bin = env.path().join("blob.bin");
    std::fs::write(&bin, b"\x7fELF\x00\x01\x02").unwrap();
    let out = env
        .cmd()
        .args(["ask", "--base-url", "http://127.0.0.1:9/v1", "-f"])
        .arg(&bin)
        .arg("what is it")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr,
        format!(
            "error: {} is not a text file; only text files can be attached\n",
            bin.display()
        )
    );
}

#[test]
fn attachments_over_max_input_or_missing_exit_2() {
    let env = TestEnv::new();
    let big = env.path().join("big.log");
    std::fs::write(&big, "x".repeat(200)).unwrap();
    let out = env
        .cmd()
        .args([
            "ask",
            "--base-url",
            "http://127.0.0.1:9/v1",
            "--max-input",
            "100",
            "-f",
        ])
        .arg(&big)
        .arg("q")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("larger than 100 bytes"),
        "{out:?}"
    );
    env.cmd()
        .args([
            "postmortem",
            "--base-url",
            "http://127.0.0.1:9/v1",
            "-f",
            "nope.md",
            "db outage",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::starts_with("error: cannot read nope.md"));
}

#[test]
fn quiet_silences_notices_but_not_errors() {
    let env = TestEnv::new();
    let loud = env.cmd().args(["sessions", "list"]).output().unwrap();
    assert!(!loud.stderr.is_empty(), "expected a notice");
    env.cmd()
        .args(["-q", "sessions", "list"])
        .assert()
        .success()
        .stderr("");
    env.cmd()
        .args(["--quiet", "sessions", "show", "nosuch"])
        .assert()
        .code(2)
        .stderr(predicates::str::starts_with("error:"));
}
