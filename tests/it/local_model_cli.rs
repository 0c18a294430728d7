//! `mitchell model …` run as a binary: import/list/rm with the real default model, GGUF checks
//! (exit 2), the prompt cache clear, and `model fetch` against a loopback HTTP server (resume,
//! a dropped connection, a wrong --sha256).

// Tests: a failed unwrap is a failed test; sizes here are small. The embedded engine only
// exists with the `local` feature (the default); an HTTP-only build has nothing to test here.
#![cfg(feature = "local")]
#![allow(clippy::unwrap_used, clippy::cast_possible_truncation)]

use crate::common;

use std::sync::{Arc, Mutex};

use common::TestEnv;
use predicates::prelude::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(Debug, serde::Deserialize)]
struct Listed {
    name: String,
    size: u64,
    architecture: Option<String>,
    context_length: Option<u64>,
    chat_template: bool,
    sha256: String,
}

fn list_json(env: &TestEnv) -> Vec<Listed> {
    let out = env
        .cmd()
        .args(["model", "list", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn import_list_and_rm_the_default_model() {
    let env = TestEnv::new();
    let model = common::local::model_path();
    let notice = env.path().join("LICENSE");
    std::fs::write(&notice, "Apache License 2.0").unwrap();
    env.cmd()
        .args(["model", "import"])
        .arg(&model)
        .args(["--name", "smol", "--notice"])
        .arg(&notice)
        .assert()
        .success()
        .stdout(predicate::str::contains(common::local::MODEL_SHA256));
    let listed = list_json(&env);
    assert_eq!(listed.len(), 1);
    let m = &listed[0];
    assert_eq!(m.name, "smol");
    assert_eq!(m.size, 98_362_432);
    assert_eq!(m.architecture.as_deref(), Some("llama"));
    assert_eq!(m.context_length, Some(8192));
    assert!(m.chat_template);
    assert_eq!(m.sha256, common::local::MODEL_SHA256);
    assert!(env.cache_dir().join("models/smol.NOTICE").is_file());
    env.cmd()
        .args(["model", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("smol").and(predicate::str::contains("llama")));
    env.cmd().args(["model", "rm", "smol"]).assert().success();
    assert!(list_json(&env).is_empty());
    assert!(!env.cache_dir().join("models/smol.gguf").exists());
    env.cmd()
        .args(["model", "rm", "smol"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no model named `smol`"));
}

#[test]
fn truncated_and_non_gguf_files_are_usage_errors() {
    let env = TestEnv::new();
    let model = std::fs::read(common::local::model_path()).unwrap();
    let cut = env.path().join("cut.gguf");
    std::fs::write(&cut, &model[..model.len() / 2]).unwrap();
    env.cmd()
        .args(["model", "import"])
        .arg(&cut)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("truncated or corrupt"));
    let header_only = env.path().join("head.gguf");
    std::fs::write(&header_only, &model[..4096]).unwrap();
    env.cmd()
        .args(["model", "import"])
        .arg(&header_only)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("truncated or corrupt"));
    let text = env.path().join("notes.gguf");
    std::fs::write(&text, "hello, not a model").unwrap();
    env.cmd()
        .args(["model", "import"])
        .arg(&text)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not a GGUF model"));
    assert!(list_json(&env).is_empty());
}

#[test]
fn cache_clear_empties_the_prompt_cache() {
    let env = TestEnv::new();
    let dir = env.cache_dir().join("prompt-cache");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a.state"), "x").unwrap();
    std::fs::write(dir.join("b.state"), "y").unwrap();
    env.cmd()
        .args(["model", "cache", "clear"])
        .assert()
        .success()
        .stdout(predicate::str::contains("removed 2"));
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
}

/// A loopback server for one file that honours `Range: bytes=N-`. When `drop_first` is set the
/// first response stops after half the body. Records every request's Range header.
struct Server {
    url: String,
    ranges: Arc<Mutex<Vec<Option<String>>>>,
    _rt: tokio::runtime::Runtime,
}

fn serve(body: Vec<u8>, drop_first: bool) -> Server {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let url = format!("http://{}/models/tiny.gguf", listener.local_addr().unwrap());
    let ranges = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&ranges);
    let body = Arc::new(body);
    rt.spawn(async move {
        let mut n = 0;
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            n += 1;
            let mut req = Vec::new();
            let mut buf = [0u8; 1024];
            while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                let Ok(k) = sock.read(&mut buf).await else { break };
                if k == 0 {
                    break;
                }
                req.extend_from_slice(&buf[..k]);
            }
            let text = String::from_utf8_lossy(&req).to_string();
            let range = text
                .lines()
                .find(|l| l.to_ascii_lowercase().starts_with("range:"))
                .map(|l| l[6..].trim().to_owned());
            seen.lock().unwrap().push(range.clone());
            let start = range
                .as_deref()
                .and_then(|r| r.strip_prefix("bytes="))
                .and_then(|r| r.trim_end_matches('-').parse::<usize>().ok())
                .unwrap_or(0);
            let total = body.len();
            let head = if start > 0 {
                format!(
                    "HTTP/1.1 206 Partial Content\r\nContent-Length: {}\r\nContent-Range: bytes {start}-{}/{total}\r\nConnection: close\r\n\r\n",
                    total - start,
                    total - 1
                )
            } else {
                format!("HTTP/1.1 200 OK\r\nContent-Length: {total}\r\nConnection: close\r\n\r\n")
            };
            let _ = sock.write_all(head.as_bytes()).await;
            let end = if drop_first && n == 1 { total / 2 } else { total };
            let _ = sock.write_all(&body[start..end]).await;
            let _ = sock.shutdown().await;
        }
    });
    Server {
        url,
        ranges,
        _rt: rt,
    }
}

#[test]
fn fetch_downloads_verifies_and_imports() {
    let env = TestEnv::new();
    let body = common::local::tiny_gguf(50_000);
    let sha = common::local::sha256_hex(&body);
    let server = serve(body, false);
    env.cmd()
        .args(["model", "fetch", &server.url, "--sha256", &sha])
        .assert()
        .success()
        .stdout(predicate::str::contains("fetched tiny"));
    let listed = list_json(&env);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, "tiny");
    assert_eq!(listed[0].sha256, sha);
    assert_eq!(listed[0].architecture.as_deref(), Some("tiny"));
    assert_eq!(*server.ranges.lock().unwrap(), vec![None]);
}

#[test]
fn fetch_resumes_a_partial_download() {
    let env = TestEnv::new();
    let body = common::local::tiny_gguf(50_000);
    let sha = common::local::sha256_hex(&body);
    let server = serve(body.clone(), true);
    // The first attempt is cut off half way: a runtime error that says how to resume.
    env.cmd()
        .args(["model", "fetch", &server.url, "--sha256", &sha])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("again to resume"));
    let part = env.cache_dir().join("models/.partial/tiny.gguf.part");
    let have = std::fs::metadata(&part).unwrap().len();
    assert_eq!(have as usize, body.len() / 2);
    env.cmd()
        .args(["model", "fetch", &server.url, "--sha256", &sha])
        .assert()
        .success()
        .stderr(predicate::str::contains(format!("resumed at byte {have}")));
    assert_eq!(
        *server.ranges.lock().unwrap(),
        vec![None, Some(format!("bytes={have}-"))]
    );
    assert_eq!(list_json(&env)[0].sha256, sha);
    assert!(!part.exists());
}

#[test]
fn fetch_rejects_a_wrong_sha256() {
    let env = TestEnv::new();
    let server = serve(common::local::tiny_gguf(1000), false);
    let wrong = "0".repeat(64);
    env.cmd()
        .args(["model", "fetch", &server.url, "--sha256", &wrong])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("sha256 mismatch"));
    assert!(list_json(&env).is_empty());
    assert!(
        !env.cache_dir()
            .join("models/.partial/tiny.gguf.part")
            .exists()
    );
    env.cmd()
        .args(["model", "fetch", &server.url, "--sha256", "abc"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not 64 hex digits"));
}

#[test]
fn import_with_a_missing_notice_imports_nothing() {
    let env = TestEnv::new();
    let model = env.path().join("tiny.gguf");
    std::fs::write(&model, common::local::tiny_gguf(1000)).unwrap();
    env.cmd()
        .args(["model", "import"])
        .arg(&model)
        .args(["--name", "x", "--notice", "nosuch"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("notice file nosuch"));
    assert!(list_json(&env).is_empty());
    assert!(!env.cache_dir().join("models/x.gguf").exists());
    // A folder is no notice either.
    env.cmd()
        .args(["model", "import"])
        .arg(&model)
        .args(["--name", "x", "--notice"])
        .arg(env.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a folder"));
    assert!(list_json(&env).is_empty());
}

#[test]
fn fetch_says_why_the_connection_failed() {
    let env = TestEnv::new();
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    env.cmd()
        .args(["model", "fetch", &format!("http://127.0.0.1:{port}/m.gguf")])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Connection refused"));
}

#[test]
fn without_the_default_model_another_cached_model_answers_and_says_how_to_pull_it() {
    let env = TestEnv::new();
    env.cmd()
        .args(["model", "import"])
        .arg(common::local::model_path())
        .args(["--name", "smollm2-135m-instruct"])
        .assert()
        .success();
    let out = env
        .cmd()
        .args([
            "ask",
            "--provider",
            "local",
            "--threads",
            "1",
            "--max-tokens",
            "4",
        ])
        .arg("What is DNS?")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        stderr
            .matches("`mitchell model pull qwen2.5-coder-1.5b-instruct`")
            .count(),
        1,
        "{stderr}"
    );
    assert!(
        stderr.contains("the default model qwen2.5-coder-1.5b-instruct is not cached, so smollm2-135m-instruct answers"),
        "{stderr}"
    );
    assert!(
        stderr.contains("using local model smollm2-135m-instruct ("),
        "{stderr}"
    );
}

#[test]
fn local_replies_stop_at_1024_new_tokens_without_max_tokens() {
    let env = TestEnv::new();
    let out = env
        .cmd()
        .args(["ask", "--provider", "local", "--model"])
        .arg(common::local::model_path())
        .args(["--threads", "1", "--temperature", "0", "--json"])
        .arg("Write the numbers from 1 to 5000 separated by commas.")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let reply: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(reply["usage"]["completion_tokens"], 1024, "{reply}");
    assert_eq!(reply["finish_reason"], "length", "{reply}");
}
