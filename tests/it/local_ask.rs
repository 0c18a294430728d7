//! `mitchell ask --provider local` as a binary with the real SmolLM2-135M model: the `--json`
//! reply and its engine counters (a persona prefix cache hit on the second run), streaming and
//! Ctrl-C, a run inside a network namespace with no network, the model errors (none cached,
//! no chat template, a truncated file) and the engine process (llama.cpp only there, missing,
//! killed mid-reply).

// Tests: a failed unwrap is a failed test; sizes here are small. The embedded engine only
// exists with the `local` feature (the default); an HTTP-only build has nothing to test here.
#![cfg(feature = "local")]
#![allow(clippy::unwrap_used, clippy::cast_possible_truncation)]

use crate::common;

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::TestEnv;
use predicates::prelude::*;

#[derive(Debug, serde::Deserialize)]
struct AskJson {
    text: String,
    usage: Option<UsageJson>,
    finish_reason: Option<String>,
    provider: String,
}

// The field names are the `--json` contract.
#[allow(clippy::struct_field_names)]
#[derive(Debug, serde::Deserialize)]
struct UsageJson {
    prompt_tokens: u64,
    completion_tokens: u64,
    prompt_eval_tokens: u64,
}

fn model_arg() -> String {
    common::local::model_path().to_string_lossy().into_owned()
}

fn ask_json(env: &TestEnv, question: &str) -> (AskJson, String) {
    let out = env
        .cmd()
        .args(["ask", "--provider", "local", "--model", &model_arg()])
        .args([
            "--threads",
            "1",
            "--temperature",
            "0",
            "--max-tokens",
            "12",
            // The recalled positions follow the cached prefix and differ per question: off,
            // so the counters measure the persona prefix alone.
            "--playbook",
            "off",
            "--json",
        ])
        .arg(question)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    let reply: AskJson = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (reply, stderr)
}

#[test]
fn ask_json_reports_a_prefix_cache_hit_on_the_second_run() {
    let env = TestEnv::new();
    let (first, stderr) = ask_json(&env, "How do I list open ports on a Linux host?");
    assert!(stderr.contains("using local model"), "{stderr}");
    assert_eq!(first.provider, "local");
    assert!(!first.text.trim().is_empty());
    assert!(matches!(
        first.finish_reason.as_deref(),
        Some("stop" | "length")
    ));
    let u1 = first.usage.expect("usage");
    assert!(u1.completion_tokens >= 1);
    assert_eq!(
        u1.prompt_eval_tokens, u1.prompt_tokens,
        "a cold run evaluates everything"
    );

    let (second, _) = ask_json(&env, "How do I check free memory?");
    let u2 = second.usage.expect("usage");
    assert!(
        u2.prompt_eval_tokens < u2.prompt_tokens && u2.prompt_eval_tokens <= 30,
        "the persona prefix should come from the cache: {u2:?}"
    );

    env.cmd()
        .args(["model", "cache", "clear"])
        .assert()
        .success()
        .stdout(predicate::str::contains("removed 1"));
    let (third, _) = ask_json(&env, "How do I check free memory?");
    let u3 = third.usage.expect("usage");
    assert_eq!(
        u3.prompt_eval_tokens, u3.prompt_tokens,
        "cleared cache: a cold run"
    );
}

/// Starts `cmd` (`mitchell` in a test home) on a long local answer, one thread, and returns
/// once the first 16 bytes have streamed.
fn long_answer(mut cmd: Command) -> (std::process::Child, std::process::ChildStdout) {
    let mut child = cmd
        .args(["ask", "--provider", "local", "--model", &model_arg()])
        .args(["--threads", "1", "--max-tokens", "3000"])
        .arg("Write a long, detailed guide to tuning PostgreSQL.")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    stdout
        .read_exact(&mut first)
        .expect("streamed text before the end");
    (child, stdout)
}

#[test]
fn ask_streams_and_ctrl_c_stops_it() {
    let env = TestEnv::new();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mitchell"));
    cmd.env_clear()
        .env("HOME", env.path())
        .env("XDG_CACHE_HOME", env.path().join("cache"))
        .env("XDG_CONFIG_HOME", env.path().join("config"))
        .env("XDG_DATA_HOME", env.path().join("data"));
    let (mut child, _stdout) = long_answer(cmd);
    assert!(child.try_wait().unwrap().is_none(), "still generating");
    let sent = Instant::now();
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            sent.elapsed() < Duration::from_secs(5),
            "did not stop on Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.code(), Some(130), "signal {:?}", status.signal());
    }
    assert!(
        sent.elapsed() < Duration::from_secs(1),
        "{:?}",
        sent.elapsed()
    );
}

#[test]
fn ask_works_without_any_network() {
    let env = TestEnv::new();
    let out = Command::new("unshare")
        .args(["--user", "--map-root-user", "--net", "--"])
        .arg(env!("CARGO_BIN_EXE_mitchell"))
        .args([
            "ask",
            "--provider",
            "local",
            "--model",
            &model_arg(),
            "--threads",
            "1",
        ])
        .args([
            "--max-tokens",
            "8",
            "--temperature",
            "0",
            "What is a load balancer?",
        ])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", env.path())
        .env("XDG_CACHE_HOME", env.path().join("cache"))
        .env("XDG_CONFIG_HOME", env.path().join("config"))
        .env("XDG_DATA_HOME", env.path().join("data"))
        .output()
        .expect("unshare (util-linux) must be installed to run this test");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!String::from_utf8_lossy(&out.stdout).trim().is_empty());
}

#[test]
fn without_a_model_the_error_says_how_to_get_one() {
    let env = TestEnv::new();
    env.cmd()
        .args(["ask", "--provider", "local", "hello"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "`mitchell model pull qwen2.5-coder-1.5b-instruct`",
        ));
}

#[test]
fn model_errors_are_usage_errors() {
    let env = TestEnv::new();
    let bare = env.path().join("bare.gguf");
    common::local::copy_gguf_without_key(
        &common::local::model_path(),
        &bare,
        "tokenizer.chat_template",
    );
    let bare = bare.to_string_lossy().into_owned();
    env.cmd()
        .args(["ask", "--provider", "local", "--model", &bare, "hello"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--chat-template NAME"));
    env.cmd()
        .args([
            "ask",
            "--provider",
            "local",
            "--model",
            &bare,
            "--chat-template",
            "chatml",
        ])
        .args(["--threads", "1", "--max-tokens", "4", "hello"])
        .assert()
        .success()
        .stdout(predicate::str::is_empty().not());

    let cut = env.path().join("cut.gguf");
    let bytes = std::fs::read(common::local::model_path()).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() - 1000]).unwrap();
    env.cmd()
        .args(["ask", "--provider", "local", "--model"])
        .arg(&cut)
        .arg("hello")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("truncated or corrupt"));
    env.cmd()
        .args([
            "ask",
            "--provider",
            "local",
            "--model",
            "no-such-model",
            "hello",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no model named `no-such-model`"));
}

#[test]
fn with_no_endpoint_or_key_ask_uses_the_cached_model_and_says_so_once() {
    let env = TestEnv::new();
    env.cmd()
        .args(["model", "import", &model_arg(), "--name", "smol"])
        .assert()
        .success();
    let out = env
        .cmd()
        // No key either: the test environment's canary key would pick OpenAI.
        .env_remove("OPENAI_API_KEY")
        .env("MITCHELL_MODEL", "smol")
        .env("MITCHELL_THREADS", "1")
        .args(["ask", "--max-tokens", "6", "What is DNS?"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        stderr.matches("using local model smol (").count(),
        1,
        "{stderr}"
    );
    assert!(stderr.contains("1 thread,"), "{stderr}");
    assert!(!String::from_utf8_lossy(&out.stdout).trim().is_empty());
}

/// Whether `needle` occurs in `haystack`.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn llama_cpp_lives_only_in_the_engine_binary() {
    let mitchell = std::fs::read(common::mitchell_bin()).unwrap();
    let engine = std::fs::read(env!("CARGO_BIN_EXE_mitchell-engine")).unwrap();
    // llama.cpp's own symbols and the C++ and OpenMP runtimes it needs.
    for needle in [
        "ggml_init",
        "llama_model_load",
        "libstdc++.so",
        "libgomp.so",
    ] {
        assert!(
            contains(&engine, needle.as_bytes()),
            "the engine lacks {needle}"
        );
        assert!(
            !contains(&mitchell, needle.as_bytes()),
            "mitchell carries {needle}"
        );
    }
}

#[test]
fn without_the_engine_beside_it_local_fails_in_one_line_and_mitchell_engine_fixes_it() {
    let env = TestEnv::new();
    let alone = env.path().join("bin");
    std::fs::create_dir_all(&alone).unwrap();
    let copy = alone.join("mitchell");
    std::fs::copy(common::mitchell_bin(), &copy).unwrap();
    let ask = |engine: Option<&str>| {
        let mut cmd = env.std_cmd_via(copy.to_str().unwrap(), &[]);
        cmd.args(["ask", "--provider", "local", "--model", &model_arg()]);
        cmd.args(["--max-tokens", "4", "--temperature", "0", "hi"]);
        if let Some(engine) = engine {
            cmd.env("MITCHELL_ENGINE", engine);
        }
        assert_cmd::Command::from_std(cmd)
    };
    let err = common::one_line_error(&mut ask(None), 1);
    assert!(
        err.starts_with("error: the local engine `mitchell-engine` is not installed beside ")
            && err.contains(copy.to_str().unwrap()),
        "{err}"
    );
    let out = ask(Some(env!("CARGO_BIN_EXE_mitchell-engine")))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!out.stdout.is_empty(), "{stderr}");
}

/// The pids of `pid`'s children (of every thread).
fn children(pid: u32) -> Vec<u32> {
    let mut found = Vec::new();
    for task in std::fs::read_dir(format!("/proc/{pid}/task"))
        .unwrap()
        .flatten()
    {
        let list = std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
        found.extend(
            list.split_whitespace()
                .filter_map(|p| p.parse::<u32>().ok()),
        );
    }
    found
}

#[test]
fn an_engine_killed_mid_reply_is_one_line_and_the_question_is_kept() {
    let env = TestEnv::new();
    let (mut child, mut stdout) = long_answer(env.std_cmd());
    let engine: Vec<u32> = children(child.id())
        .into_iter()
        .filter(|&p| {
            std::fs::read_to_string(format!("/proc/{p}/comm"))
                .is_ok_and(|c| c.trim() == "mitchell-engine")
        })
        .collect();
    assert_eq!(engine.len(), 1, "one engine process: {engine:?}");
    let kill = Command::new("kill")
        .args(["-KILL", &engine[0].to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let stderr = common::stderr_of(&mut child);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1), "{stderr}");
    let last = stderr.lines().last().unwrap_or_default();
    assert_eq!(
        last, "error: local model: the local engine stopped (signal: 9 (SIGKILL))",
        "{stderr}"
    );
    let shown = env.show_session("1");
    assert!(shown.contains("tuning PostgreSQL"), "{shown}");
}

#[test]
fn the_engine_run_by_hand_says_what_it_is_in_one_line() {
    let engine = || assert_cmd::Command::new(env!("CARGO_BIN_EXE_mitchell-engine"));
    engine()
        .arg("--version")
        .assert()
        .success()
        .stdout(format!("mitchell-engine {}\n", env!("CARGO_PKG_VERSION")));
    let err = common::one_line_error(engine().arg("serve"), 2);
    assert!(err.contains("is started by mitchell"), "{err}");
    let err = common::one_line_error(engine().write_stdin("not json\n"), 1);
    assert!(err.starts_with("error: mitchell-engine: "), "{err}");
    // End of file before a load: nothing to do, nothing said.
    engine().write_stdin("").assert().success().stderr("");
}
