//! The fault matrix of the chat-completions protocol through the real binary and the loopback
//! server: every recorded error status, errors inside a 200 stream, cuts before and after the
//! finish, a stall past the idle timeout, retries (429 with Retry-After, 503 with backoff,
//! connection refused), Ctrl-C mid-stream (130) and a reader that goes away (0, silent).

#![allow(clippy::unwrap_used)]

use crate::common;

use std::fmt::Write as _;
use std::io::Read;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::fixture;
use common::server::{Chunks, Response, Server};
use common::{Run, TestEnv};

/// `n` content events ("w0 w1 …"), a finish chunk and `[DONE]`.
fn text_stream(n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        let _ = write!(
            s,
            "data: {{\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"w{i} \"}}}}]}}\n\n"
        );
    }
    s.push_str("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
    s
}

fn ask(server: &Server, extra: &[&str]) -> Run {
    ask_env(server, extra, &[])
}

fn ask_env(server: &Server, extra: &[&str], vars: &[(&str, &str)]) -> Run {
    let env = TestEnv::new();
    let mut cmd = env.cmd();
    cmd.args(["ask", "--base-url", &server.url(), "--model", "m"])
        .args(extra);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd
        .arg("hello")
        .write_stdin("")
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    Run::of(&out)
}

#[test]
fn every_recorded_error_status_is_one_line_with_the_providers_message() {
    let cases = [
        (
            "azure-404-deployment-not-found.json",
            404,
            "DeploymentNotFound",
        ),
        (
            "groq-400-tool-use-failed.json",
            400,
            "Tool call validation failed",
        ),
        (
            "openai-400-invalid-image-url.json",
            400,
            "invalid_image_url",
        ),
        (
            "openai-400-max-tokens-unsupported.json",
            400,
            "Use 'max_completion_tokens' instead",
        ),
        ("openai-404-model-not-found.json", 404, "model_not_found"),
        ("openrouter-429-rate-limit.json", 429, "Rate limit exceeded"),
        (
            "openrouter-429-upstream-rate-limited.json",
            429,
            "temporarily rate-limited upstream",
        ),
    ];
    for (name, status, text) in cases {
        let server = Server::once(Response::new(status, fixture(name)));
        let run = ask_env(&server, &[], &[("MITCHELL_MAX_TRIES", "1")]);
        assert_eq!(run.code, Some(1), "{name}: {}", run.stderr);
        assert_eq!(run.stderr.lines().count(), 1, "{name}: {}", run.stderr);
        let prefix = format!("error: http: HTTP {status}: ");
        assert!(run.stderr.starts_with(&prefix), "{name}: {}", run.stderr);
        assert!(run.stderr.contains(text), "{name}: {}", run.stderr);
        assert!(
            !run.stderr.contains("{\""),
            "{name}: raw JSON in {}",
            run.stderr
        );
        if status == 404 {
            assert!(
                run.stderr.contains("mitchell models"),
                "{name}: {}",
                run.stderr
            );
        }
        assert_eq!(run.stdout, "", "{name}");
        assert_eq!(server.requests().len(), 1, "{name}: a single try");
    }
}

#[test]
fn client_errors_are_never_retried() {
    for status in [400, 401, 403, 404] {
        let server = Server::once(Response::new(status, r#"{"error":{"message":"no"}}"#));
        let run = ask(&server, &[]);
        assert_eq!(run.code, Some(1));
        assert_eq!(server.requests().len(), 1, "HTTP {status} retried");
        assert!(!run.stderr.contains("retrying"), "{}", run.stderr);
    }
}

#[test]
fn auth_error_names_the_key_variable() {
    let server = Server::once(Response::new(
        401,
        r#"{"error":{"message":"Incorrect API key"}}"#,
    ));
    let run = ask_env(&server, &[], &[("OPENAI_API_KEY", "sk-test-1")]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("HTTP 401: Incorrect API key"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("OPENAI_API_KEY"), "{}", run.stderr);
    // Without a key (the test environment's canary removed), the error says none was sent.
    let env = TestEnv::new();
    let out = env
        .cmd()
        .env_remove("OPENAI_API_KEY")
        .args(["ask", "--base-url", &server.url(), "--model", "m", "hello"])
        .write_stdin("")
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no API key was sent"), "{stderr}");
}

#[test]
fn errors_inside_a_200_stream() {
    let head = String::from_utf8(fixture("openai-text-usage.sse")).unwrap();
    let first = &head[..head.find("\n\n").unwrap() + 2];
    let cases = [
        (
            "legacy error field",
            Response::sse(format!(
                "{first}error: {{\"code\":500,\"message\":\"slot unavailable\"}}\n\ndata: [DONE]\n\n"
            )),
            "error: stream: slot unavailable",
        ),
        (
            "json error body with status 200",
            Response::new(
                200,
                r#"{"error":{"message":"upstream failed","type":"server_error"}}"#,
            ),
            "error: stream: upstream failed",
        ),
        (
            "data error object",
            Response::sse(format!(
                "{first}data: {{\"error\":{{\"message\":\"boom\",\"code\":502}}}}\n\n"
            )),
            "error: stream: boom",
        ),
        (
            "malformed JSON",
            Response::sse(format!("{first}data: {{\"choices\": [\n\n")),
            "error: stream: malformed event from the server: {\"choices\": [",
        ),
    ];
    for (label, response, want) in cases {
        let run = ask(&Server::once(response), &[]);
        assert_eq!(run.code, Some(1), "{label}");
        assert_eq!(run.stderr.trim_end(), want, "{label}");
    }
}

#[test]
fn a_cut_before_the_finish_fails_and_after_it_succeeds() {
    let body = fixture("openai-text-usage.sse");
    let text = String::from_utf8(body.clone()).unwrap();
    let middle = text.find("capital").unwrap();
    let run = ask(
        &Server::once(Response::sse(body.clone()).cut_at(middle)),
        &[],
    );
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr
            .starts_with("error: stream: the connection was lost"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1);

    // A clean end of the body without any finish is a truncated stream too.
    let first = &text[..text.find("capital").unwrap()];
    let first = &first[..first.rfind("\n\n").unwrap() + 2];
    let run = ask(&Server::once(Response::sse(first.to_owned())), &[]);
    assert_eq!(run.code, Some(1));
    assert_eq!(
        run.stderr.trim_end(),
        "error: stream: the stream ended unexpectedly before the reply finished"
    );

    let after_finish = text.find("data: [DONE]").unwrap();
    for response in [
        Response::sse(body.clone()).cut_at(after_finish),
        Response::sse(text[..after_finish].to_owned()),
    ] {
        let run = ask(&Server::once(response), &[]);
        assert_eq!(run.code, Some(0), "{}", run.stderr);
        assert_eq!(run.stdout, "The capital of the UK is London.\n");
        assert_eq!(
            run.stderr,
            "warning: the stream ended without [DONE] after the reply finished\n"
        );
    }
}

#[test]
fn a_stall_past_the_idle_timeout_fails() {
    let body = fixture("openai-text-usage.sse");
    let middle = String::from_utf8_lossy(&body).find("capital").unwrap();
    let server = Server::once(
        Response::sse(body)
            .chunks(Chunks::Size(100))
            .stall_at(middle),
    );
    let started = Instant::now();
    let run = ask(&server, &["--idle-timeout", "1"]);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(run.code, Some(1));
    assert_eq!(
        run.stderr.lines().last().unwrap(),
        "error: stream: no data from the server for 1 s (idle timeout)"
    );
    // Waiting for the response headers counts too.
    let stalled = Server::once(Response::new(200, "").stall_at(0));
    let run = ask(&stalled, &["--idle-timeout", "1"]);
    assert!(run.stderr.contains("idle timeout"), "{}", run.stderr);
}

#[test]
fn rate_limit_with_retry_after_then_success() {
    let server = Server::start(vec![
        Response::new(429, fixture("openrouter-429-rate-limit.json")).header("Retry-After", "1"),
        Response::sse(fixture("openai-text-usage.sse")),
    ]);
    let started = Instant::now();
    let run = ask(&server, &[]);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After not honoured"
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.stdout, "The capital of the UK is London.\n");
    assert_eq!(
        run.stderr,
        "http: HTTP 429, retrying in 1.0 s (try 2 of 3)\n"
    );
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn a_rate_limit_that_outlasts_the_retries_says_how_long_the_server_asks_to_wait() {
    let server = Server::once(
        Response::new(429, fixture("openrouter-429-rate-limit.json")).header("Retry-After", "30"),
    );
    let run = ask_env(&server, &[], &[("MITCHELL_MAX_TRIES", "1")]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr
            .trim_end()
            .ends_with("(the server asks to wait 30 s before trying again)"),
        "{}",
        run.stderr
    );
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn server_errors_back_off_and_give_up_after_max_tries() {
    let server = Server::once(Response::new(503, "<html>Service Unavailable</html>"));
    let run = ask(&server, &[]);
    assert_eq!(run.code, Some(1));
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stderr);
    assert!(
        lines[0].starts_with("http: HTTP 503, retrying in 0."),
        "{}",
        lines[0]
    );
    assert!(lines[1].contains("(try 3 of 3)"), "{}", lines[1]);
    // An HTML body is shown as its text, without the markup.
    assert_eq!(lines[2], "error: http: HTTP 503: Service Unavailable");
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn connection_refused_is_retried_then_reported() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let env = TestEnv::new();
    let out = env
        .cmd()
        .args([
            "ask",
            "--base-url",
            &format!("http://127.0.0.1:{port}/v1"),
            "hi",
        ])
        .env("MITCHELL_MAX_TRIES", "2")
        .write_stdin("")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(
        lines[0].starts_with(
            "http: cannot connect (Connection refused (os error 111)), retrying in 0."
        ),
        "{stderr}"
    );
    assert!(
        lines[1].starts_with(&format!(
            "error: http: cannot connect to http://127.0.0.1:{port}/v1/chat/completions"
        )),
        "{stderr}"
    );
    assert_eq!(lines.len(), 2);
}

/// `ask hi` against `server`, spawned with no stdin and stdout and stderr piped.
fn spawn_ask(env: &TestEnv, server: &Server) -> std::process::Child {
    env.std_cmd()
        .args(["ask", "--base-url", &server.url(), "hi"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn ctrl_c_mid_stream_exits_130() {
    let body = text_stream(400);
    let server = Server::once(
        Response::sse(body)
            .chunks(Chunks::Size(60))
            .delay(Duration::from_millis(20)),
    );
    let env = TestEnv::new();
    let mut child = spawn_ask(&env, &server);
    let mut stdout = child.stdout.take().unwrap();
    let mut buf = [0u8; 16];
    let n = stdout.read(&mut buf).unwrap();
    assert!(n > 0, "no output before Ctrl-C");
    let started = Instant::now();
    common::ctrl_c(&child);
    let status = child.wait().unwrap();
    assert!(started.elapsed() < Duration::from_secs(3), "not at once");
    assert_eq!(status.code(), Some(130));
    let stderr = common::stderr_of(&mut child);
    assert_eq!(stderr, "");
}

#[test]
fn a_reader_that_goes_away_means_exit_0_in_silence() {
    let body = text_stream(400);
    let server = Server::once(
        Response::sse(body)
            .chunks(Chunks::Size(60))
            .delay(Duration::from_millis(5)),
    );
    let env = TestEnv::new();
    let mut child = spawn_ask(&env, &server);
    let mut stdout = child.stdout.take().unwrap();
    let mut buf = [0u8; 1];
    stdout.read_exact(&mut buf).unwrap();
    drop(stdout);
    let status = child.wait().unwrap();
    let stderr = common::stderr_of(&mut child);
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert_eq!(stderr, "");
}

#[test]
fn the_total_timeout_bounds_a_slow_stream() {
    let body = text_stream(200);
    let server = Server::once(
        Response::sse(body)
            .chunks(Chunks::Size(60))
            .delay(Duration::from_millis(50)),
    );
    let started = Instant::now();
    let run = ask_env(&server, &[], &[("MITCHELL_TOTAL_TIMEOUT", "1")]);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(run.code, Some(1));
    assert!(
        run.stdout.starts_with("w0 w1 "),
        "partial answer kept: {}",
        run.stdout
    );
    assert_eq!(
        run.stderr.lines().last().unwrap(),
        "error: stream: the request took longer than the total timeout (1 s)"
    );
}

#[test]
fn https_to_a_plain_server_is_a_tls_error_not_a_panic() {
    let server = Server::once(Response::sse(fixture("openai-text-usage.sse")));
    let url = format!("https://127.0.0.1:{}/v1", server.port);
    let env = TestEnv::new();
    let out = env
        .cmd()
        .args(["ask", "--base-url", &url, "hi"])
        .env("MITCHELL_MAX_TRIES", "1")
        .write_stdin("")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(&format!(
            "error: http: cannot connect to {url}/chat/completions: "
        )),
        "{stderr}"
    );
}
