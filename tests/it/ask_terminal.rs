//! `ask` on a terminal (a pty): reasoning is shown on stderr, dimmed, before the answer, and
//! the answer is printed too. Off a terminal the reasoning is dropped (see ask_requests.rs).
//! With the local model (SmolLM2), the spinner names each wait: loading, the persona, thinking.
//! On a pipe, a slow stream's words arrive one by one (writes are coalesced only when more text
//! is already waiting).

#![allow(clippy::unwrap_used)]

use crate::common;

use std::time::Duration;

use common::TestEnv;
use common::server::{Chunks, Response, Server};
use expectrl::Expect;

#[test]
fn reasoning_is_dimmed_on_a_terminal_and_the_answer_follows() {
    let body = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/streams/llamacpp-reasoning-timings.sse"),
    )
    .unwrap();
    let server = Server::once(Response::sse(body));
    let env = TestEnv::new();
    let mut cmd = env.std_cmd();
    cmd.args([
        "--color",
        "always",
        "ask",
        "--base-url",
        &server.url(),
        "hi",
    ]);
    let mut session = expectrl::Session::spawn(cmd).unwrap();
    session.set_expect_timeout(Some(Duration::from_secs(20)));
    let captured = session.expect(expectrl::Eof).unwrap();
    let screen = String::from_utf8_lossy(captured.as_bytes()).into_owned();
    assert!(
        screen.starts_with("\x1b[2mThe\x1b[0m\x1b[2m user"),
        "{screen:?}"
    );
    let plain = screen.replace("\x1b[2m", "").replace("\x1b[0m", "");
    assert!(
        plain.starts_with("The user: \"Say hi in Portuguese\"."),
        "{plain:?}"
    );
    assert!(plain.ends_with(" We'll respond.\r\nOlá!\r\n"), "{plain:?}");
}

#[cfg(feature = "local")]
#[test]
fn the_spinner_names_what_the_local_model_is_doing() {
    let env = TestEnv::new();
    let mut cmd = env.std_cmd();
    cmd.env("TERM", "xterm")
        .args(["ask", "--provider", "local", "--model"])
        .arg(common::local::model_path())
        .args(["--threads", "1", "--max-tokens", "4", "--temperature", "0"])
        .args([
            "--playbook",
            "off",
            "--no-route",
            "--no-save",
            "what is etcd?",
        ]);
    let mut session = expectrl::Session::spawn(cmd).unwrap();
    session.set_expect_timeout(Some(Duration::from_secs(120)));
    let captured = session.expect(expectrl::Eof).unwrap();
    let screen = String::from_utf8_lossy(captured.as_bytes()).into_owned();
    let loading = screen
        .find("loading smollm2")
        .expect("the model-loading label");
    let persona = screen
        .find("reading the persona…")
        .expect("the prompt label");
    assert!(loading < persona, "{screen:?}");
    assert!(screen[persona..].contains("thinking…"), "{screen:?}");
    assert!(screen.contains("using local model"), "{screen:?}");
}

#[test]
fn a_slow_stream_reaches_a_pipe_word_by_word() {
    use std::io::Read as _;
    let words: Vec<String> = (0..5).map(|i| format!("w{i} ")).collect();
    let (body, ends) = common::pty::word_stream(&words);
    let server = Server::once(
        Response::sse(body)
            .chunks(Chunks::At(ends))
            .delay(Duration::from_millis(400)),
    );
    let env = TestEnv::new();
    let mut child = env
        .std_cmd()
        .args([
            "ask",
            "--no-save",
            "--no-route",
            "--base-url",
            &server.url(),
            "hi",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 4];
    stdout.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"w0 w");
    // Four more words are still on their way (400 ms apart): the first was not held back.
    assert!(
        child.try_wait().unwrap().is_none(),
        "ask had already finished"
    );
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "1 w2 w3 w4 \n");
    assert!(child.wait().unwrap().success());
}
