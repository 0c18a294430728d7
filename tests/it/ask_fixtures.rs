//! Every recorded stream in tests/fixtures/streams, served by the loopback server, gives exactly
//! the text, reasoning, tool calls, usage and outcome of expected.json through the real binary
//! (`mitchell ask --json`): whole, re-chunked at random (fixed seed), byte by byte, with CRLF
//! and CR line endings, and with keep-alive comments and empty `data:` events inserted.
//! (The every-offset split is the pure test in src/llm/http/tests.rs.)

#![allow(clippy::unwrap_used)]

use crate::common;

use common::TestEnv;
use common::server::{Chunks, Response, Server};
use serde_json::Value;
use sha2::{Digest, Sha256};

fn fixtures() -> Vec<(String, Value, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/streams");
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let map = expected["fixtures"].as_object().unwrap();
    assert_eq!(map.len(), 18);
    map.iter()
        .map(|(name, want)| {
            (
                name.clone(),
                want.clone(),
                std::fs::read(dir.join(name)).unwrap(),
            )
        })
        .collect()
}

/// Runs `ask --json` against `response` and checks the object against `want`.
fn run_and_check(label: &str, name: &str, want: &Value, response: Response) {
    let server = Server::once(response);
    let env = TestEnv::new();
    let output = env
        .cmd()
        .args([
            "ask",
            "--json",
            "--base-url",
            &server.url(),
            "--model",
            "m",
            // The recorded calls name the recording's own tools: with the agent off they are
            // reported exactly as they streamed.
            "--tools",
            "off",
            "hello",
        ])
        .write_stdin("")
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let got: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{label} {name}: stdout is not JSON ({e}); stderr: {stderr}"));
    let ctx = format!("{label} {name}");
    assert_eq!(got["text"], want["content"], "{ctx}: text");
    let reasoning = got["reasoning"].as_str().unwrap();
    assert_eq!(
        reasoning.chars().count() as u64,
        want["reasoning_chars"].as_u64().unwrap(),
        "{ctx}"
    );
    if let Some(sha) = want["reasoning_sha256"].as_str() {
        assert_eq!(
            hex::encode(Sha256::digest(reasoning.as_bytes())),
            sha,
            "{ctx}: reasoning"
        );
    }
    assert_eq!(got["tool_calls"], want["tool_calls"], "{ctx}: tool calls");
    assert_eq!(got["finish_reason"], want["finish_reason"], "{ctx}: finish");
    let usage = match &got["usage"] {
        Value::Null => Value::Null,
        u => serde_json::json!({
            "prompt_tokens": u["prompt_tokens"], "completion_tokens": u["completion_tokens"],
            "total_tokens": u["total_tokens"]}),
    };
    assert_eq!(usage, want["usage"], "{ctx}: usage");
    if want["outcome"] == "ok" {
        assert_eq!(output.status.code(), Some(0), "{ctx}: {stderr}");
        assert_eq!(got["error"], Value::Null, "{ctx}");
    } else {
        let message = want["error_message"].as_str().unwrap();
        assert_eq!(output.status.code(), Some(1), "{ctx}");
        assert_eq!(got["error"], format!("stream: {message}"), "{ctx}");
        assert_eq!(stderr.trim(), format!("error: stream: {message}"), "{ctx}");
    }
}

fn each(label: &str, transform: impl Fn(&[u8]) -> Response) {
    for (name, want, body) in fixtures() {
        run_and_check(label, &name, &want, transform(&body));
    }
}

#[test]
fn whole() {
    each("whole", |b| Response::sse(b.to_vec()));
}

#[test]
fn rechunked_at_random_with_a_fixed_seed() {
    each("random", |b| {
        Response::sse(b.to_vec()).chunks(Chunks::Random {
            seed: 20_251_123,
            max: 97,
        })
    });
}

#[test]
fn one_byte_writes() {
    each("1-byte", |b| {
        Response::sse(b.to_vec()).chunks(Chunks::Size(1))
    });
}

#[test]
fn crlf_line_endings() {
    each("crlf", |b| {
        let text = String::from_utf8(b.to_vec()).unwrap().replace('\n', "\r\n");
        Response::sse(text).chunks(Chunks::Random { seed: 1, max: 64 })
    });
}

#[test]
fn cr_line_endings() {
    each("cr", |b| {
        let text = String::from_utf8(b.to_vec()).unwrap().replace('\n', "\r");
        Response::sse(text).chunks(Chunks::Random { seed: 2, max: 64 })
    });
}

#[test]
fn keep_alive_comments_and_empty_data_events_inserted() {
    each("keep-alive", |b| {
        let text = String::from_utf8(b.to_vec()).unwrap();
        let noisy = format!(
            ": keep-alive\n\n{}",
            text.replace("\n\n", "\n\n: keep-alive\n\ndata:\n\n")
        );
        Response::sse(noisy).chunks(Chunks::Random { seed: 3, max: 128 })
    });
}
