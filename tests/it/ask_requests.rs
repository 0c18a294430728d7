//! What `mitchell ask` sends and prints: the request per the chat-completions request format with each provider
//! quirk (token parameter, usage option, extra headers, Azure), the key (never shown, also not
//! with -vv or --dry-run), the prompt from TEXT and stdin, --no-stream, --json, reasoning,
//! the length notice, and `mitchell models`.

#![allow(clippy::unwrap_used)]

use crate::common;

use common::TestEnv;
use common::fixture;
use common::server::{Response, Server};
use serde_json::{Value, json};

const CANARY: &str = "sk-canary-7f3a9c2e1d";

fn text_ok() -> Response {
    Response::sse(fixture("openai-text-usage.sse"))
}

#[test]
fn the_request_per_protocol_section_2() {
    let server = Server::once(text_ok());
    let env = TestEnv::new();
    env.cmd()
        // Without a key: no Authorization header at all.
        .env_remove("OPENAI_API_KEY")
        .args([
            "ask",
            "--base-url",
            &format!("{}/", server.url()),
            "--model",
            "gpt-x",
        ])
        .args([
            "--temperature",
            "0.5",
            "--max-tokens",
            "99",
            "--system",
            "Use {{ braces }}.",
            "why",
            "{{x}}",
        ])
        .write_stdin("")
        .assert()
        .success()
        .stdout("The capital of the UK is London.\n");
    let req = &server.requests()[0];
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("POST", "/v1/chat/completions")
    );
    assert_eq!(
        req.header("user-agent"),
        Some(concat!("mitchell/", env!("CARGO_PKG_VERSION")))
    );
    assert_eq!(req.header("accept"), Some("text/event-stream"));
    assert_eq!(req.header("content-type"), Some("application/json"));
    assert_eq!(
        req.header("authorization"),
        None,
        "no key, no Authorization header"
    );
    let body = req.json();
    assert_eq!(body["model"], "gpt-x");
    assert_eq!(body["stream"], true);
    assert_eq!(body["stream_options"], json!({"include_usage": true}));
    assert_eq!(body["temperature"], 0.5);
    assert_eq!(body["max_tokens"], 99);
    assert_eq!(body.get("max_completion_tokens"), None);
    assert_eq!(body["messages"][0]["role"], "system");
    assert!(
        body["messages"][0]["content"]
            .as_str()
            .unwrap()
            .ends_with("\n\nUse {{ braces }}.")
    );
    assert_eq!(
        body["messages"][1],
        json!({"role": "user", "content": "why {{x}}"})
    );
}

#[test]
fn provider_quirks_from_the_config_file() {
    let server = Server::once(text_ok());
    let env = TestEnv::new();
    env.write_config(&format!(
        "default_provider: strict\nproviders:\n  strict:\n    base_url: {}\n    model: magistral\n    \
         api_key_env: STRICT_KEY\n    token_param: max_completion_tokens\n    include_usage: false\n    \
         headers:\n      X-Title: mitchell-test\n",
        server.url()
    ));
    env.cmd()
        .args(["ask", "--max-tokens", "7", "hi"])
        .env("STRICT_KEY", "k-strict")
        .write_stdin("")
        .assert()
        .success();
    let req = &server.requests()[0];
    assert_eq!(req.header("authorization"), Some("Bearer k-strict"));
    assert_eq!(req.header("x-title"), Some("mitchell-test"));
    let body = req.json();
    assert_eq!(body["model"], "magistral");
    assert_eq!(body["max_completion_tokens"], 7);
    assert_eq!(body.get("max_tokens"), None);
    assert_eq!(body.get("stream_options"), None);
}

#[test]
fn azure_deployment_url_api_version_and_api_key_header() {
    let server = Server::once(text_ok());
    let env = TestEnv::new();
    env.write_config(&format!(
        "default_provider: azure\nproviders:\n  azure:\n    kind: azure\n    base_url: http://127.0.0.1:{}\n    \
         deployment: gpt4o-prod\n    api_version: 2024-10-21\n    api_key_env: AZURE_OPENAI_API_KEY\n",
        server.port
    ));
    env.cmd()
        .args(["ask", "--max-tokens", "5", "hi"])
        .env("AZURE_OPENAI_API_KEY", "az-key")
        .write_stdin("")
        .assert()
        .success();
    let req = &server.requests()[0];
    assert_eq!(
        req.path,
        "/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21"
    );
    assert_eq!(req.header("api-key"), Some("az-key"));
    assert_eq!(req.header("authorization"), None);
    let body = req.json();
    assert_eq!(body.get("model"), None);
    assert_eq!(body["max_completion_tokens"], 5);
}

#[test]
fn api_key_command_supplies_the_key_and_its_failure_names_it() {
    let server = Server::once(text_ok());
    let env = TestEnv::new();
    let config = |cmd: &str| {
        format!(
            "default_provider: p\nproviders:\n  p:\n    base_url: {}\n    api_key_command: \"{cmd}\"\n",
            server.url()
        )
    };
    env.write_config(&config("printf '  k-from-cmd\\n'"));
    env.cmd()
        .args(["ask", "hi"])
        .write_stdin("")
        .assert()
        .success();
    assert_eq!(
        server.requests()[0].header("authorization"),
        Some("Bearer k-from-cmd")
    );
    env.write_config(&config("exit 3"));
    let out = env
        .cmd()
        .args(["ask", "hi"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: api_key_command `exit 3` failed"),
        "{stderr}"
    );
}

#[test]
fn a_canary_key_appears_nowhere() {
    // The server even echoes the key in its error message, as some providers do.
    let server = Server::start(vec![
        Response::new(
            401,
            format!(r#"{{"error":{{"message":"Incorrect API key provided: {CANARY}"}}}}"#),
        ),
        text_ok(),
    ]);
    let env = TestEnv::new();
    for args in [
        &["-vv", "ask"][..],
        &["ask"],
        &["-vv", "ask", "--json"],
        &["ask", "--dry-run"],
        &["-vv", "ask", "--dry-run"],
    ] {
        let out = env
            .cmd()
            .args(args)
            .args(["--base-url", &server.url(), "hi"])
            .env("MITCHELL_API_KEY", CANARY)
            .write_stdin("")
            .output()
            .unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!all.contains(CANARY), "{args:?} leaked the key:\n{all}");
        assert!(!all.contains("7f3a9c"), "{args:?} leaked part of the key");
    }
    let requests = server.requests();
    assert_eq!(requests.len(), 3, "--dry-run sends nothing");
    assert_eq!(
        requests[0].header("authorization"),
        Some(&*format!("Bearer {CANARY}"))
    );
    let out = env
        .cmd()
        .args(["ask", "--dry-run", "--base-url", &server.url(), "hi"])
        .env("MITCHELL_API_KEY", CANARY)
        .write_stdin("")
        .output()
        .unwrap();
    let dry: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(dry["headers"]["Authorization"], "Bearer <redacted>");
    assert_eq!(dry["key_source"], "MITCHELL_API_KEY");
    assert_eq!(dry["url"], format!("{}/chat/completions", server.url()));
    assert_eq!(dry["body"]["messages"][1]["content"], "hi");
}

#[test]
fn prompt_from_text_and_piped_stdin() {
    let server = Server::once(text_ok());
    let env = TestEnv::new();
    let ask = |args: &[&str], stdin: &[u8]| {
        env.cmd()
            .args(["ask", "--base-url", &server.url()])
            .args(args)
            .write_stdin(stdin)
            .output()
            .unwrap()
    };
    assert!(ask(&[], b"piped ${HOME}\n").status.success());
    assert!(ask(&["explain", "this"], b"log line\n").status.success());
    let users: Vec<Value> = server
        .requests()
        .iter()
        .map(|r| r.json()["messages"][1]["content"].clone())
        .collect();
    assert_eq!(
        users,
        [
            json!("piped ${HOME}\n"),
            json!("explain this\n\nlog line\n")
        ]
    );

    for (args, stdin, want) in [
        (&[][..], &b"\xff\xfe"[..], "error: stdin is not valid UTF-8"),
        (
            &["--max-input", "4"],
            b"12345",
            "error: stdin is larger than 4 bytes",
        ),
        (&[], b"", "error: nothing to ask"),
    ] {
        let out = ask(args, stdin);
        assert_eq!(out.status.code(), Some(2), "{want}");
        assert!(
            String::from_utf8_lossy(&out.stderr).starts_with(want),
            "{want}"
        );
    }
    assert_eq!(server.requests().len(), 2, "input errors send nothing");
}

#[test]
fn no_stream_reads_a_whole_response() {
    let server = Server::once(Response::new(
        200,
        fixture("llamacpp-nonstream-timings.json"),
    ));
    let env = TestEnv::new();
    env.cmd()
        .args(["ask", "--no-stream", "--base-url", &server.url(), "hi"])
        .write_stdin("")
        .assert()
        .success()
        .stdout("Olá!\n");
    let body = server.requests()[0].json();
    assert_eq!(body["stream"], false);
    assert_eq!(body.get("stream_options"), None);
}

#[test]
fn json_output_is_one_object() {
    let server = Server::once(Response::sse(fixture("groq-text-then-parallel-tools.sse")));
    let env = TestEnv::new();
    let out = env
        .cmd()
        // The recording calls its own tools: with the agent off they are reported as streamed.
        .args([
            "ask",
            "--json",
            "--tools",
            "off",
            "--base-url",
            &server.url(),
            "hi",
        ])
        .write_stdin("")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 1);
    let got: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(got["provider"], "http");
    assert_eq!(got["model"], "moonshotai/kimi-k2-instruct-0905");
    assert_eq!(got["finish_reason"], "tool_calls");
    assert_eq!(
        got["usage"],
        json!({"prompt_tokens": 201, "completion_tokens": 58, "total_tokens": 259})
    );
    assert_eq!(got["tool_calls"][1]["name"], "multiply");
}

#[test]
fn reasoning_goes_to_stderr_only_when_asked_and_length_adds_a_notice() {
    let server = Server::start(vec![
        Response::sse(fixture("deepseek-reasoner-reasoning-content.sse")),
        Response::sse(fixture("deepseek-reasoner-reasoning-content.sse")),
        Response::sse(fixture("vllm-length-no-usage.sse")),
    ]);
    let env = TestEnv::new();
    let answer = "Hello there! 😊 How can I help you today?\n";
    let out = env
        .cmd()
        .args(["ask", "--base-url", &server.url(), "hi"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), answer);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "",
        "reasoning dropped when stderr is piped"
    );
    let out = env
        .cmd()
        .args(["ask", "--show-reasoning", "--base-url", &server.url(), "hi"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), answer);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("Hmm, the user just said \"Hello\"."),
        "{stderr}"
    );
    let out = env
        .cmd()
        .args(["ask", "--base-url", &server.url(), "hi"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .trim_end()
            .ends_with('<')
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "warning: the reply was cut off at the token limit (finish_reason: length)\n"
    );
}

#[test]
fn models_lists_sorted_ids() {
    let server = Server::once(Response::new(
        200,
        r#"{"object":"list","data":[{"id":"zeta","object":"model"},{"id":"alpha","owned_by":"x","meta":{"n_ctx":4096}}],"models":[{"name":"alpha"}]}"#,
    ));
    let env = TestEnv::new();
    env.cmd()
        .args(["models", "--base-url", &server.url()])
        .env("MITCHELL_API_KEY", CANARY)
        .assert()
        .success()
        .stdout("alpha\nzeta\n");
    let req = &server.requests()[0];
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("GET", "/v1/models")
    );
    assert_eq!(
        req.header("authorization"),
        Some(&*format!("Bearer {CANARY}"))
    );
    let failing = Server::once(Response::new(401, r#"{"error":{"message":"bad key"}}"#));
    let out = env
        .cmd()
        .args(["models", "--base-url", &failing.url()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: http: HTTP 401: bad key"));
}

#[test]
fn proxies_come_from_the_environment() {
    let proxy = Server::once(text_ok());
    let env = TestEnv::new();
    env.cmd()
        .args(["ask", "--base-url", "http://mitchell.invalid/v1", "hi"])
        .env("HTTP_PROXY", format!("http://127.0.0.1:{}", proxy.port))
        .write_stdin("")
        .assert()
        .success()
        .stdout("The capital of the UK is London.\n");
    assert_eq!(
        proxy.requests()[0].path,
        "http://mitchell.invalid/v1/chat/completions"
    );
    // NO_PROXY bypasses it: the invalid host then fails to resolve.
    let out = env
        .cmd()
        .args(["ask", "--base-url", "http://mitchell.invalid/v1", "hi"])
        .env("HTTP_PROXY", format!("http://127.0.0.1:{}", proxy.port))
        .env("NO_PROXY", "mitchell.invalid")
        .env("MITCHELL_MAX_TRIES", "1")
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(proxy.requests().len(), 1);
}

#[test]
fn bare_mitchell_with_piped_stdin_asks() {
    let server = Server::once(text_ok());
    let env = TestEnv::new();
    env.cmd()
        .env("MITCHELL_BASE_URL", server.url())
        .write_stdin("what is the capital?")
        .assert()
        .success()
        .stdout("The capital of the UK is London.\n");
    assert_eq!(
        server.requests()[0].json()["messages"][1]["content"],
        "what is the capital?"
    );
}

#[test]
fn any_content_type_spelling_and_a_missing_one() {
    let env = TestEnv::new();
    for content_type in [
        "text/event-stream; charset=utf-8",
        "text/event-stream;charset=UTF-8",
        "application/octet-stream",
    ] {
        let server = Server::once(text_ok().header("Content-Type", content_type));
        env.cmd()
            .args(["ask", "--base-url", &server.url(), "hi"])
            .write_stdin("")
            .assert()
            .success()
            .stdout("The capital of the UK is London.\n");
    }
    let mut bare = text_ok();
    bare.headers.clear();
    let server = Server::once(bare.content_length());
    env.cmd()
        .args(["ask", "--base-url", &server.url(), "hi"])
        .write_stdin("")
        .assert()
        .success()
        .stdout("The capital of the UK is London.\n");
}
