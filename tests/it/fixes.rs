//! Regressions from a newcomer's pass over the README and from the hardening review, each
//! through the real binary against real loopback peers and named after what broke: private
//! database files, `models` hanging on a closed port, unusable base URLs, one exit code per
//! cause, HTTP error wording, settings that did not do what they said, config and document
//! error wording.

#![allow(clippy::unwrap_used)]

use crate::common;

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::server::{Response, Server};
use common::{Run, TestEnv};

fn run(cmd: &mut assert_cmd::Command) -> Run {
    let out = cmd.timeout(Duration::from_secs(60)).output().unwrap();
    Run::of(&out)
}

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// A loopback port with nothing listening on it.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits for `child` at most `limit` (a guard against a hang, not a speed target).
fn wait_or_kill(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("mitchell still running after {limit:?}: it hangs");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

const SSE_OK: &str = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\"}}]}\n\n\
                      data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n\
                      data: [DONE]\n\n";

// ---- Data at risk -----------------------------------------------------------------------------

#[test]
fn the_sessions_database_and_its_directory_are_private_to_the_owner() {
    let env = TestEnv::new();
    let r = run(env.cmd().args(["sessions", "list"]));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let db = env.data_dir().join("mitchell.db");
    assert_eq!(mode(&env.data_dir()), 0o700, "data directory");
    assert_eq!(mode(&db), 0o600, "mitchell.db");
    // While a connection is open SQLite keeps -wal and -shm; they take the database's mode.
    let _open = mitchell::store::Store::open(&db).unwrap();
    for suffix in ["-wal", "-shm"] {
        let file = env.data_dir().join(format!("mitchell.db{suffix}"));
        assert_eq!(mode(&file), 0o600, "mitchell.db{suffix}");
    }
}

#[test]
fn a_database_left_readable_by_others_is_made_private_again() {
    let env = TestEnv::new();
    assert_eq!(run(env.cmd().args(["sessions", "list"])).code, Some(0));
    let db = env.data_dir().join("mitchell.db");
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(run(env.cmd().args(["sessions", "list"])).code, Some(0));
    assert_eq!(mode(&db), 0o600);
}

// ---- Hangs and exit codes ---------------------------------------------------------------------

#[test]
fn models_against_a_closed_port_exits_instead_of_hanging() {
    let port = closed_port();
    let env = TestEnv::new();
    let mut child = env
        .std_cmd()
        .args([
            "models",
            "--base-url",
            &format!("http://127.0.0.1:{port}/v1"),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = wait_or_kill(&mut child, Duration::from_secs(60));
    let stderr = std::io::read_to_string(child.stderr.take().unwrap()).unwrap();
    assert_eq!(status.code(), Some(1), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    // The retry notices are shown, then the one error line.
    assert_eq!(lines.len(), 3, "{stderr}");
    assert!(
        lines[0].contains("retrying in") && lines[0].contains("(try 2 of 3)"),
        "{stderr}"
    );
    assert!(lines[1].contains("(try 3 of 3)"), "{stderr}");
    assert!(
        lines[2].starts_with(&format!(
            "error: http: cannot connect to http://127.0.0.1:{port}/v1/models"
        )),
        "{stderr}"
    );
}

#[test]
fn models_against_a_failing_server_shows_its_retries_and_gives_up() {
    let server = Server::once(Response::new(500, "{\"error\":{\"message\":\"boom\"}}"));
    let env = TestEnv::new();
    let r = run(env.cmd().args(["models", "--base-url", &server.url()]));
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert_eq!(r.stderr.matches("retrying in").count(), 2, "{}", r.stderr);
    assert!(
        r.stderr.ends_with("error: http: HTTP 500: boom\n"),
        "{}",
        r.stderr
    );
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn ctrl_c_stops_models_while_it_waits_to_retry() {
    let server = Server::once(Response::new(503, "{}").header("Retry-After", "50"));
    let env = TestEnv::new();
    let mut child = env
        .std_cmd()
        .args(["models", "--base-url", &server.url()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut notice = String::new();
    stderr.read_line(&mut notice).unwrap();
    assert!(notice.contains("retrying in 50.0 s"), "{notice}");
    common::ctrl_c(&child);
    let status = wait_or_kill(&mut child, Duration::from_secs(20));
    assert_eq!(status.code(), Some(130));
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn unusable_base_urls_are_usage_errors_naming_the_flag() {
    let port = closed_port();
    let bad = [
        format!("127.0.0.1:{port}/v1"),
        format!("localhost:{port}/v1"),
        format!("ftp://127.0.0.1:{port}/v1"),
        "not a url".to_owned(),
        String::new(),
    ];
    for url in &bad {
        for command in ["ask", "models"] {
            let env = TestEnv::new();
            let mut cmd = env.cmd();
            cmd.args([command, "--base-url", url]);
            if command == "ask" {
                cmd.arg("hi");
            }
            let r = run(cmd.write_stdin(""));
            assert_eq!(r.code, Some(2), "{command} {url:?}: {}", r.stderr);
            assert_eq!(
                r.stderr.lines().count(),
                1,
                "{command} {url:?}: {}",
                r.stderr
            );
            assert!(
                r.stderr.starts_with("error: --base-url ")
                    && r.stderr.contains("not a usable base URL"),
                "{command} {url:?}: {}",
                r.stderr
            );
        }
    }
    // The same from the environment and from a provider in the file, named as such.
    let env = TestEnv::new();
    let r = run(env
        .cmd()
        .args(["ask", "hi"])
        .env("MITCHELL_BASE_URL", "localhost:1/v1")
        .write_stdin(""));
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(
        r.stderr
            .starts_with("error: MITCHELL_BASE_URL \"localhost:1/v1\""),
        "{}",
        r.stderr
    );
    let env = TestEnv::new();
    env.write_config("default_provider: p\nproviders:\n  p:\n    base_url: ftp://x/v1\n");
    let r = run(env.cmd().args(["ask", "hi"]).write_stdin(""));
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(
        r.stderr
            .starts_with("error: providers.p.base_url \"ftp://x/v1\""),
        "{}",
        r.stderr
    );
}

#[test]
fn non_utf8_stdin_is_the_same_usage_error_for_ask_and_the_document_commands() {
    let port = closed_port();
    let url = format!("http://127.0.0.1:{port}/v1");
    for command in ["ask", "postmortem", "overview", "health-check"] {
        let env = TestEnv::new();
        let r = run(env
            .cmd()
            .args([command, "--base-url", &url])
            .write_stdin(vec![b'o', b'k', 0xff, 0xfe, b'\n']));
        assert_eq!(r.code, Some(2), "{command}: {}", r.stderr);
        assert_eq!(
            r.stderr, "error: stdin is not valid UTF-8 text (mitchell reads text only)\n",
            "{command}"
        );
    }
}

#[test]
fn sessions_show_with_no_sessions_is_a_notice_and_exit_0() {
    let env = TestEnv::new();
    let r = run(env.cmd().args(["sessions", "show"]));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert!(r.stderr.starts_with("no sessions yet"), "{}", r.stderr);
    // A named session that does not exist is still the user's mistake.
    let r = run(env.cmd().args(["sessions", "show", "nosuch"]));
    assert_eq!(r.code, Some(2), "{}", r.stderr);
}

// ---- Wrong or misleading messages -------------------------------------------------------------

fn ask(server: &Server, extra: &[&str]) -> Run {
    let env = TestEnv::new();
    run(env
        .cmd()
        .args(["ask", "--base-url", &server.url(), "--model", "m"])
        .args(extra)
        .arg("hi")
        .env("MITCHELL_MAX_TRIES", "1")
        .write_stdin(""))
}

#[test]
fn a_200_html_page_says_it_is_not_an_event_stream_or_json() {
    let page = "<!DOCTYPE html><html><head><title>Sign in</title></head><body><h1>Please sign in</h1></body></html>";
    for extra in [&[][..], &["--no-stream"][..]] {
        let server = Server::once(
            Response::new(200, page).header("Content-Type", "text/html; charset=utf-8"),
        );
        let r = ask(&server, extra);
        assert_eq!(r.code, Some(1), "{extra:?}: {}", r.stderr);
        assert_eq!(
            r.stderr,
            "error: stream: the server did not answer with an event stream or JSON \
             (text/html; charset=utf-8): Please sign in\n",
            "{extra:?}"
        );
    }
}

#[test]
fn an_html_error_page_is_stripped_and_shortened() {
    let page = format!(
        "<html><head><style>h1 {{ color: red }}</style></head><body><h1>500 Internal Server \
         Error</h1><p>{}</p><hr><center>nginx</center></body></html>",
        "The server encountered an internal error and was unable to complete your request. "
            .repeat(6)
    );
    let server = Server::once(Response::new(500, page).header("Content-Type", "text/html"));
    let r = ask(&server, &[]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr
            .starts_with("error: http: HTTP 500: 500 Internal Server Error The server"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.trim_end().ends_with('…'), "{}", r.stderr);
    assert!(
        !r.stderr.contains('<') && !r.stderr.contains("color"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.len() < 260,
        "{} characters: {}",
        r.stderr.len(),
        r.stderr
    );
}

#[test]
fn a_404_from_a_base_url_without_v1_hints_at_the_version_segment() {
    let server =
        Server::once(Response::new(404, "404 page not found").header("Content-Type", "text/plain"));
    let base = format!("http://127.0.0.1:{}", server.port);
    for command in ["ask", "models"] {
        let env = TestEnv::new();
        let mut cmd = env.cmd();
        cmd.args([command, "--base-url", &base]);
        if command == "ask" {
            cmd.arg("hi");
        }
        let r = run(cmd.write_stdin(""));
        assert_eq!(r.code, Some(1), "{command}: {}", r.stderr);
        assert!(
            r.stderr.contains(&format!(
                "(the base URL usually ends in its version segment: try {base}/v1)"
            )),
            "{command}: {}",
            r.stderr
        );
    }
}

#[test]
fn a_stream_cut_in_the_middle_of_an_event_is_a_truncated_stream() {
    let body = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"par\"}}]}\n\n\
                data: {\"id\":\"x\",\"choices\":[{\"index\":0,\"delta\":{\"cont";
    let server = Server::once(Response::sse(body));
    let r = ask(&server, &[]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert_eq!(r.stdout, "par\n");
    assert_eq!(
        r.stderr,
        "error: stream: the stream ended unexpectedly before the reply finished\n"
    );
}

#[test]
fn verbose_logs_the_status_and_never_prints_a_backtrace() {
    let server = Server::once(Response::new(400, "{\"error\":{\"message\":\"nope\"}}"));
    let env = TestEnv::new();
    let r = run(env
        .cmd()
        .args(["-v", "ask", "--base-url", &server.url(), "hi"])
        .env("RUST_BACKTRACE", "1")
        .write_stdin(""));
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("status=400"), "{}", r.stderr);
    assert!(
        !r.stderr.to_lowercase().contains("backtrace"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.ends_with("error: http: HTTP 400: nope\n"),
        "{}",
        r.stderr
    );
}

#[test]
fn out_of_credit_is_worded_so_and_never_retried() {
    let quota = "{\"error\":{\"message\":\"You exceeded your current quota\",\"type\":\"insufficient_quota\",\"code\":\"insufficient_quota\"}}";
    for status in [402, 429] {
        let server = Server::once(Response::new(status, quota));
        let env = TestEnv::new();
        let r = run(env
            .cmd()
            .args(["ask", "--base-url", &server.url(), "hi"])
            .write_stdin(""));
        assert_eq!(r.code, Some(1), "{status}: {}", r.stderr);
        assert_eq!(
            r.stderr,
            format!(
                "error: http: HTTP {status}: out of credit or quota (not retried): You exceeded your current quota (insufficient_quota)\n"
            )
        );
        assert_eq!(server.requests().len(), 1, "{status}: retried");
    }
}

#[test]
fn a_context_too_long_error_keeps_the_servers_numbers() {
    let body = "{\"error\":{\"message\":\"This model's maximum context length is 8192 tokens. However, your messages resulted in 9013 tokens.\",\"code\":\"context_length_exceeded\"}}";
    for status in [400, 413] {
        let server = Server::once(Response::new(status, body));
        let r = ask(&server, &[]);
        assert_eq!(r.code, Some(1), "{}", r.stderr);
        assert!(
            r.stderr.starts_with(&format!(
                "error: http: HTTP {status}: the request is too long for the model's context: "
            )),
            "{}",
            r.stderr
        );
        assert!(
            r.stderr.contains("8192") && r.stderr.contains("9013"),
            "{}",
            r.stderr
        );
    }
}

// ---- Options and settings ---------------------------------------------------------------------

/// One field of the first request's JSON body, as its JSON text (`0.3`, not `0.30000001…`).
fn sent(server: &Server, field: &str) -> String {
    server.requests()[0].json()[field].to_string()
}

#[test]
fn the_temperature_is_sent_as_written() {
    let server = Server::once(Response::sse(SSE_OK));
    let r = ask(&server, &["--temperature", "0.3"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(sent(&server, "temperature"), "0.3");
    // A draft's own default too.
    let server = Server::once(Response::sse(SSE_OK));
    let env = TestEnv::new();
    let _ = run(env
        .cmd()
        .args([
            "postmortem",
            "--base-url",
            &server.url(),
            "the db fell over",
        ])
        .env("MITCHELL_MAX_TRIES", "1")
        .write_stdin(""));
    assert_eq!(sent(&server, "temperature"), "0.2");
}

#[test]
fn temperatures_that_are_not_numbers_from_0_to_2_are_usage_errors() {
    let server = Server::once(Response::sse(SSE_OK));
    for t in ["NaN", "inf", "-0.5", "2.5"] {
        let r = ask(&server, &[&format!("--temperature={t}")]);
        assert_eq!(r.code, Some(2), "{t}: {}", r.stderr);
        assert!(
            r.stderr.starts_with("error: --temperature "),
            "{t}: {}",
            r.stderr
        );
    }
    let env = TestEnv::new();
    let file = env.write_config("temperature: .nan\n");
    let r = run(env
        .cmd()
        .args(["ask", "--base-url", &server.url(), "hi"])
        .write_stdin(""));
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(
        r.stderr.starts_with(&format!(
            "error: temperature in {} NaN is out of range",
            file.display()
        )),
        "{}",
        r.stderr
    );
    assert!(server.requests().is_empty(), "nothing is sent");
}

#[test]
fn an_idle_timeout_of_zero_is_a_usage_error() {
    let server = Server::once(Response::sse(SSE_OK));
    let r = ask(&server, &["--idle-timeout", "0"]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(
        r.stderr
            .starts_with("error: --idle-timeout 0 is out of range"),
        "{}",
        r.stderr
    );
    let env = TestEnv::new();
    env.write_config("idle_timeout: 0\n");
    let r = run(env
        .cmd()
        .args(["ask", "--base-url", &server.url(), "hi"])
        .write_stdin(""));
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("idle_timeout in "), "{}", r.stderr);
    assert!(server.requests().is_empty());
}

#[test]
fn document_commands_accept_max_tokens_and_temperature() {
    for command in ["postmortem", "overview", "health-check"] {
        let server = Server::once(Response::sse(SSE_OK));
        let env = TestEnv::new();
        let r = run(env
            .cmd()
            .args([
                command,
                "--base-url",
                &server.url(),
                "--max-tokens",
                "77",
                "--temperature",
                "0.7",
                "notes",
            ])
            .env("MITCHELL_MAX_TRIES", "1")
            .write_stdin(""));
        assert_ne!(r.code, Some(2), "{command}: {}", r.stderr);
        assert_eq!(sent(&server, "max_tokens"), "77", "{command}");
        assert_eq!(sent(&server, "temperature"), "0.7", "{command}");
    }
}

#[test]
fn print_schema_honours_the_output_file() {
    let env = TestEnv::new();
    let file = env.path().join("schema.json");
    let r = run(env
        .cmd()
        .args(["postmortem", "--print-schema", "-o"])
        .arg(&file));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(r.stdout, "");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert!(schema.get("properties").is_some(), "{schema}");
}

#[test]
fn an_unset_api_key_env_falls_back_to_the_api_key_command() {
    let server = Server::once(Response::sse(SSE_OK));
    let env = TestEnv::new();
    env.write_config(&format!(
        "default_provider: p\nproviders:\n  p:\n    base_url: {}\n    model: m\n    api_key_env: NOT_SET_VAR\n    api_key_command: echo from-the-command\n",
        server.url()
    ));
    let r = run(env.cmd().args(["ask", "hi"]).write_stdin(""));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(
        server.requests()[0].header("authorization"),
        Some("Bearer from-the-command")
    );
    let shown = run(env.cmd().args(["config", "show"]));
    assert!(
        shown
            .stdout
            .contains("NOT_SET_VAR is not set: key from api_key_command"),
        "{}",
        shown.stdout
    );
    let dry = run(env.cmd().args(["ask", "--dry-run", "hi"]).write_stdin(""));
    assert!(
        dry.stdout
            .contains("api_key_command `echo from-the-command`"),
        "{}",
        dry.stdout
    );
    assert!(
        !dry.stdout.contains("from-the-command\""),
        "the key itself: {}",
        dry.stdout
    );
}

#[test]
fn an_azure_provider_without_deployment_or_api_version_is_a_config_error() {
    let cases = [
        (
            "kind: azure\n    base_url: https://r.example.com\n    api_version: '2024-10-21'\n",
            "deployment",
        ),
        (
            "kind: azure\n    base_url: https://r.example.com\n    deployment: d\n",
            "api_version",
        ),
    ];
    for (provider, missing) in cases {
        let env = TestEnv::new();
        env.write_config(&format!(
            "default_provider: az\nproviders:\n  az:\n    {provider}"
        ));
        let r = run(env.cmd().args(["ask", "hi"]).write_stdin(""));
        assert_eq!(r.code, Some(2), "{missing}: {}", r.stderr);
        assert!(
            r.stderr
                .starts_with("error: provider 'az' is an Azure endpoint without ")
                && r.stderr.contains(missing),
            "{missing}: {}",
            r.stderr
        );
    }
}

#[test]
fn config_show_prints_every_value_and_redacts_only_secrets_like_dry_run() {
    let env = TestEnv::new();
    env.write_config(
        "default_provider: a_provider_with_a_rather_long_name\nproviders:\n  a_provider_with_a_rather_long_name:\n    base_url: http://127.0.0.1:9/v1\n    model: m\n    token_param: max_completion_tokens\n    include_usage: false\n    json_mode: prompt\n    headers:\n      X-Team: infra\n      X-Api-Key: sk-very-secret\n",
    );
    let r = run(env.cmd().args(["config", "show"]));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    for want in [
        "kind",
        "include_usage",
        "token_param",
        "json_mode",
        "max_completion_tokens",
        "prompt",
        "infra",
    ] {
        assert!(r.stdout.contains(want), "{want}: {}", r.stdout);
    }
    assert!(!r.stdout.contains("sk-very-secret"), "{}", r.stdout);
    assert!(r.stdout.contains("headers.X-Api-Key"), "{}", r.stdout);
    // The columns hold: every `#` source marker starts in the same column.
    let columns: Vec<usize> = r.stdout.lines().filter_map(|l| l.find(" # ")).collect();
    assert!(columns.windows(2).all(|w| w[0] == w[1]), "{}", r.stdout);
    let dry = run(env.cmd().args(["ask", "--dry-run", "hi"]).write_stdin(""));
    assert_eq!(dry.code, Some(0), "{}", dry.stderr);
    assert!(
        dry.stdout.contains("\"X-Team\": \"infra\""),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stdout.contains("\"X-Api-Key\": \"<redacted>\""),
        "{}",
        dry.stdout
    );
}

#[test]
fn health_check_values_outside_their_range_are_input_errors_naming_the_field() {
    let env = TestEnv::new();
    for (yaml, field) in [
        ("uptime_percent: 150\n", "uptime_percent"),
        ("api_latency_p95_ms: -3\n", "api_latency_p95_ms"),
        ("actual_spend: -1\n", "actual_spend"),
    ] {
        let file = env.path().join("h.yaml");
        std::fs::write(&file, yaml).unwrap();
        let r = run(env.cmd().args(["health-check", "--from"]).arg(&file));
        assert_eq!(r.code, Some(2), "{yaml}: {}", r.stderr);
        assert!(
            r.stderr.contains(&format!("field `{field}`")) && r.stderr.contains("out of range"),
            "{yaml}: {}",
            r.stderr
        );
    }
    let file = env.path().join("h.yaml");
    std::fs::write(&file, "critical_vulnerabilities: -2\n").unwrap();
    let r = run(env.cmd().args(["health-check", "--from"]).arg(&file));
    assert_eq!(r.code, Some(2), "{}", r.stderr);
}

#[test]
fn the_builtin_persona_points_at_documentation_that_exists() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let spec = std::fs::read_to_string(root.join("personas/mitchell.yaml")).unwrap();
    assert!(
        !spec.contains("notes/"),
        "a reference to a missing notes/ file"
    );
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    assert!(spec.contains("\"Personas → Format reference\""));
    assert!(readme.contains("## Personas") && readme.contains("### Format reference"));
}

// ---- The fault matrix: the database and huge or stalled bodies --------------------------------

#[test]
fn a_corrupt_database_is_a_clear_error_and_is_never_rewritten() {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.data_dir()).unwrap();
    let db = env.data_dir().join("mitchell.db");
    let mut rng = fastrand::Rng::with_seed(12);
    let noise: Vec<u8> = (0..65_536).map(|_| rng.u8(..)).collect();
    std::fs::write(&db, &noise).unwrap();
    for args in [&["sessions", "list"][..], &["sessions", "show"][..]] {
        let r = run(env.cmd().args(args));
        assert_eq!(r.code, Some(1), "{args:?}: {}", r.stderr);
        assert_eq!(
            r.stderr,
            format!(
                "error: {} is not a sessions database (damaged, or another program's file); it \
                 is left as it is: move it aside to start a new one\n",
                db.display()
            )
        );
    }
    assert_eq!(std::fs::read(&db).unwrap(), noise, "the file was changed");
}

#[test]
fn a_database_from_a_newer_schema_is_refused_and_left_untouched() {
    let env = TestEnv::new();
    assert_eq!(run(env.cmd().args(["sessions", "list"])).code, Some(0));
    let db = env.data_dir().join("mitchell.db");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    let before = common::sha256_file(&db);
    let r = run(env.cmd().args(["sessions", "list"]));
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(
        r.stderr.starts_with("error: sessions database: ")
            || r.stderr
                .starts_with("error: the sessions database has schema version 99"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("version 99, from a newer mitchell"),
        "{}",
        r.stderr
    );
    assert_eq!(
        common::sha256_file(&db),
        before,
        "the newer database was changed"
    );
}

/// A loopback server that answers one request with `head` and then `total` bytes of `a`,
/// written 64 KiB at a time (never held in memory), and no newline.
fn endless_body_server(head: &'static str, total: usize) -> u16 {
    use std::io::{Read as _, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 8192];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(head.as_bytes());
            let piece = vec![b'a'; 64 * 1024];
            let mut sent = 0;
            while sent < total && stream.write_all(&piece).is_ok() {
                sent += piece.len();
            }
        }
    });
    port
}

/// Peak resident memory of a running process, in KiB (from /proc).
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

#[test]
fn a_200_megabyte_body_without_a_newline_is_an_error_with_bounded_memory() {
    let heads = [
        (
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n",
            "data: ",
        ),
        (
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n",
            "",
        ),
    ];
    for (head, _) in heads {
        let port = endless_body_server(head, 200 * 1024 * 1024);
        let env = TestEnv::new();
        let mut child = env
            .std_cmd()
            .args([
                "ask",
                "--base-url",
                &format!("http://127.0.0.1:{port}/v1"),
                "hi",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut peak = 0;
        let start = Instant::now();
        let status = loop {
            if let Some(kib) = peak_rss_kib(child.id()) {
                peak = peak.max(kib);
            }
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            assert!(start.elapsed() < Duration::from_secs(120), "it hangs");
            std::thread::sleep(Duration::from_millis(20));
        };
        let stderr = std::io::read_to_string(child.stderr.take().unwrap()).unwrap();
        assert_eq!(status.code(), Some(1), "{head}: {stderr}");
        assert!(stderr.contains("16 MiB"), "{head}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        // 200 MB were offered; what is held stays near the 16 MiB cap.
        assert!(peak < 100 * 1024, "{head}: peak RSS {peak} KiB");
    }
}

#[test]
fn a_server_that_sends_headers_then_stalls_hits_the_idle_timeout() {
    let server = Server::once(Response::sse(SSE_OK).stall_at(0));
    let r = ask(&server, &["--idle-timeout", "1"]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        "error: stream: no data from the server for 1 s (idle timeout)\n"
    );
}

// ---- The fault matrix: TLS --------------------------------------------------------------------

/// A self-signed certificate for 127.0.0.1, made with the openssl CLI: (cert.pem, key.pem).
fn self_signed(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let status = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
        ])
        .args(["-nodes", "-days", "2", "-subj", "/CN=127.0.0.1"])
        .args(["-addext", "subjectAltName=IP:127.0.0.1"])
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(Stdio::null())
        .status()
        .expect("the openssl CLI makes the test certificate: apt-get install openssl");
    assert!(status.success(), "openssl req failed");
    (cert, key)
}

/// A loopback HTTPS server (rustls) that answers every request with `body` as an event stream.
fn tls_server(cert: &std::path::Path, key: &std::path::Path, body: &'static str) -> u16 {
    use rustls::pki_types::pem::PemObject as _;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    use std::io::{Read as _, Write as _};
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(key).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    let config = std::sync::Arc::new(config);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for tcp in listener.incoming() {
            let Ok(tcp) = tcp else { continue };
            let config = std::sync::Arc::clone(&config);
            std::thread::spawn(move || {
                let conn = rustls::ServerConnection::new(config).unwrap();
                let mut tls = rustls::StreamOwned::new(conn, tcp);
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                // Read the whole body too: closing with unread bytes would reset the connection.
                let end = request.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
                let length = String::from_utf8_lossy(&request[..end])
                    .lines()
                    .find_map(|l| {
                        let (name, value) = l.split_once(':')?;
                        name.eq_ignore_ascii_case("content-length")
                            .then(|| value.trim().parse::<usize>().ok())?
                    })
                    .unwrap_or(0);
                while request.len() < end + length {
                    match tls.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = tls.write_all(head.as_bytes());
                let _ = tls.write_all(body.as_bytes());
                let _ = tls.flush();
                tls.conn.send_close_notify();
                let _ = tls.flush();
            });
        }
    });
    port
}

#[test]
fn a_self_signed_https_server_is_one_line_naming_the_certificate_and_ca_cert_makes_it_work() {
    let env = TestEnv::new();
    let (cert, key) = self_signed(env.path());
    let port = tls_server(&cert, &key, SSE_OK);
    let url = format!("https://127.0.0.1:{port}/v1");
    let r = run(env
        .cmd()
        .args(["ask", "--base-url", &url, "hi"])
        .write_stdin(""));
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert_eq!(
        r.stderr.lines().count(),
        1,
        "not retried, one line: {}",
        r.stderr
    );
    assert!(
        r.stderr.starts_with(&format!(
            "error: http: cannot connect to {url}/chat/completions: "
        )) && r.stderr.contains("certificate")
            && r.stderr.contains("ca_cert"),
        "{}",
        r.stderr
    );
    // The provider's ca_cert trusts it.
    env.write_config(&format!(
        "default_provider: internal\nproviders:\n  internal:\n    base_url: {url}\n    model: m\n    ca_cert: {}\n",
        cert.display()
    ));
    let r = run(env.cmd().args(["ask", "hi"]).write_stdin(""));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(r.stdout, "ok\n");
    // So does SSL_CERT_FILE, with no setting at all.
    let plain = TestEnv::new();
    let r = run(plain
        .cmd()
        .args(["ask", "--base-url", &url, "hi"])
        .env("SSL_CERT_FILE", &cert)
        .write_stdin(""));
    assert_eq!(r.code, Some(0), "SSL_CERT_FILE: {}", r.stderr);
    assert_eq!(r.stdout, "ok\n");
}

#[test]
fn an_http_endpoint_works_on_a_machine_without_any_root_certificate() {
    // The system's roots are read at the first TLS handshake: a machine (a slim container)
    // with none at all reaches a plain-HTTP endpoint; before, every request failed with
    // "cannot set up the HTTP client".
    let env = TestEnv::new();
    let empty_file = env.path().join("no-roots.pem");
    std::fs::write(&empty_file, "").unwrap();
    let empty_dir = env.path().join("no-roots");
    std::fs::create_dir(&empty_dir).unwrap();
    let server = Server::once(Response::sse(SSE_OK));
    let r = run(env
        .cmd()
        .args(["ask", "--no-save", "--base-url", &server.url(), "hi"])
        .env("SSL_CERT_FILE", &empty_file)
        .env("SSL_CERT_DIR", &empty_dir)
        .write_stdin(""));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(r.stdout, "ok\n");
    // An https endpoint still needs a root: one line, exit 1, naming the missing roots.
    let (cert, key) = self_signed(env.path());
    let port = tls_server(&cert, &key, SSE_OK);
    let url = format!("https://127.0.0.1:{port}/v1");
    let r = run(env
        .cmd()
        .args(["ask", "--no-save", "--base-url", &url, "hi"])
        .env("SSL_CERT_FILE", &empty_file)
        .env("SSL_CERT_DIR", &empty_dir)
        .write_stdin(""));
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("CA certificates"), "{}", r.stderr);
}
