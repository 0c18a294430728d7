//! The real REPL in a pseudo-terminal against a slow loopback stream: streamed text, Ctrl-C
//! mid-reply back to a live prompt with the partial reply kept, a bracketed paste sent as one
//! message, unknown commands never sent, Ctrl-C clearing a line, `/quit` and Ctrl-D exiting 0.

use crate::common;

use std::time::Duration;

use common::pty::{
    PROMPT, chat_cmd, last_user_message, spawn, text_reply as fast_reply, word_stream,
};
use common::server::{Chunks, Response, Server};
use expectrl::process::unix::WaitStatus;
use expectrl::session::OsSession;
use expectrl::{ControlCode, Expect};

fn slow_reply(n: usize) -> Response {
    let words: Vec<String> = (0..n).map(|i| format!("w{i:02} ")).collect();
    let (body, ends) = word_stream(&words);
    Response::sse(body)
        .chunks(Chunks::At(ends))
        .delay(Duration::from_millis(100))
}

fn spawn_chat(env: &common::TestEnv, server: &Server, extra: &[&str]) -> OsSession {
    spawn(chat_cmd(env, server, extra))
}

#[test]
fn ctrl_c_mid_reply_returns_to_the_prompt_and_a_paste_is_one_message() {
    let env = common::TestEnv::new();
    let server = Server::start(vec![
        slow_reply(80),
        fast_reply("got your paste"),
        fast_reply("never used"),
    ]);
    let mut p = spawn_chat(&env, &server, &[]);
    p.expect(PROMPT).expect("first prompt");

    p.send("why is etcd slow?\r").expect("type a question");
    p.expect("w03").expect("streamed text");
    p.send(ControlCode::EndOfText).expect("Ctrl-C");
    p.expect("[interrupted").expect("an interrupted notice");
    p.expect(PROMPT).expect("back at the prompt");
    assert!(p.get_process().is_alive().expect("status"), "the REPL died");

    p.send("\x1b[200~line one\nline two\nline three\x1b[201~")
        .expect("paste");
    p.send("\r").expect("enter");
    p.expect("got your paste").expect("the reply to the paste");
    p.expect(PROMPT).expect("prompt after the paste");

    p.send("/bogus stuff\r").expect("unknown command");
    p.expect("unknown command /bogus").expect("a hint");
    p.expect(PROMPT).expect("prompt after the hint");
    p.send("half a line").expect("type");
    p.send(ControlCode::EndOfText).expect("Ctrl-C on a line");
    p.expect(PROMPT).expect("a fresh prompt");

    p.send("/quit\r").expect("quit");
    p.expect(expectrl::Eof).expect("the REPL ends");
    let status = p.get_process().wait().expect("wait");
    assert!(
        matches!(status, WaitStatus::Exited(_, 0)),
        "exit status {status:?}"
    );

    let requests = server.requests();
    assert_eq!(
        requests.len(),
        2,
        "the unknown command or cleared line was sent"
    );
    assert_eq!(last_user_message(&requests[0]), "why is etcd slow?");
    assert_eq!(
        last_user_message(&requests[1]),
        "line one\nline two\nline three"
    );

    let doc = env.export_session("1");
    let messages = doc["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 4, "{doc:#}");
    assert_eq!(messages[1]["status"], "interrupted");
    let partial = messages[1]["content"].as_str().expect("partial");
    assert!(partial.starts_with("w00 w01 w02 w03"), "{partial}");
    assert!(!partial.contains("w79"), "{partial}");
    assert_eq!(messages[3]["content"], "got your paste");
}

#[test]
fn ctrl_d_exits_0_and_a_triple_quote_block_is_one_message() {
    let env = common::TestEnv::new();
    let server = Server::start(vec![fast_reply("block received")]);
    let mut p = spawn_chat(&env, &server, &["--session", "blocks"]);
    p.expect(PROMPT).expect("prompt");
    p.send("\"\"\"\r").expect("open");
    p.send("first line\r").expect("line");
    p.send("second line\r").expect("line");
    p.send("\"\"\"\r").expect("close");
    p.expect("block received").expect("reply");
    p.expect(PROMPT).expect("prompt again");
    p.send(ControlCode::EndOfTransmission).expect("Ctrl-D");
    p.expect(expectrl::Eof).expect("the REPL ends");
    let status = p.get_process().wait().expect("wait");
    assert!(
        matches!(status, WaitStatus::Exited(_, 0)),
        "exit status {status:?}"
    );
    assert_eq!(
        last_user_message(&server.requests()[0]),
        "first line\nsecond line"
    );
    assert!(
        env.data_dir().join("history").exists(),
        "the history file was not written"
    );
}

#[test]
fn a_failed_turn_is_printed_and_the_repl_carries_on_with_its_commands() {
    let env = common::TestEnv::new();
    let server = Server::start(vec![
        Response::new(400, r#"{"error":{"message":"upstream exploded"}}"#),
        fast_reply("second try worked"),
    ]);
    let mut p = spawn_chat(&env, &server, &["--session", "ops"]);
    p.expect(PROMPT).expect("prompt");
    p.send("first question\r").expect("ask");
    p.expect("upstream exploded").expect("the error is printed");
    p.expect(PROMPT).expect("the REPL carries on");
    p.send("/retry\r").expect("retry");
    p.expect("second try worked").expect("the retried reply");
    p.expect(PROMPT).expect("prompt");

    p.send("/pers\t").expect("tab");
    p.expect("/persona ").expect("the command is completed");
    p.send(ControlCode::EndOfText).expect("clear");
    p.expect(PROMPT).expect("prompt");

    p.send("/rename ops-2\r").expect("rename");
    p.expect("renamed to ops-2").expect("renamed");
    let export = env.path().join("ops.md");
    p.send(format!("/export {}\r", export.display()))
        .expect("export");
    p.expect("exported to").expect("exported");
    p.send("/sessions\r").expect("list");
    p.expect("ops-2").expect("the session is listed");
    p.send("/quit\r").expect("quit");
    p.expect(expectrl::Eof).expect("the REPL ends");

    let md = std::fs::read_to_string(&export).expect("the export file");
    assert!(md.starts_with("# Session ops-2"), "{md}");
    assert!(md.contains("first question"), "{md}");
    assert!(md.contains("## Mitchell [failed]"), "{md}");
    assert!(md.contains("second try worked"), "{md}");
    // The retry sent the question once more, not twice in a row.
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let body = requests[1].json();
    let users = body["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter(|m| m["role"] == "user")
        .count();
    assert_eq!(users, 1);
}

#[test]
fn two_repls_on_one_database_both_work() {
    let env = common::TestEnv::new();
    let server = Server::start(vec![fast_reply("noted")]);
    let mut a = spawn_chat(&env, &server, &["--session", "shared"]);
    let mut b = spawn_chat(&env, &server, &["--session", "shared"]);
    a.expect(PROMPT).expect("prompt a");
    b.expect(PROMPT).expect("prompt b");
    for round in 0..3 {
        a.send(format!("from a {round}\r")).expect("a types");
        b.send(format!("from b {round}\r")).expect("b types");
        a.expect("noted").expect("a's reply");
        b.expect("noted").expect("b's reply");
        a.expect(PROMPT).expect("prompt a");
        b.expect(PROMPT).expect("prompt b");
    }
    for p in [&mut a, &mut b] {
        p.send("/quit\r").expect("quit");
        p.expect(expectrl::Eof).expect("ends");
        let status = p.get_process().wait().expect("wait");
        assert!(
            matches!(status, WaitStatus::Exited(_, 0)),
            "exit status {status:?}"
        );
    }
    let doc = env.export_session("shared");
    let messages = doc["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 12, "{doc:#}");
    assert!(
        messages.iter().all(|m| m["status"] == "complete"),
        "{doc:#}"
    );
}

/// `chat` applies the agent's flags like `ask` does: `--tools off` offers the model no tools,
/// and without it the tools are offered.
#[test]
fn chat_applies_the_tools_flag() {
    for (extra, offered) in [(&["--tools", "off"][..], false), (&[][..], true)] {
        let env = common::TestEnv::new();
        let server = Server::start(vec![fast_reply("noted")]);
        let mut p = spawn_chat(&env, &server, extra);
        p.expect(PROMPT).expect("prompt");
        p.send("is nginx up here?\r").expect("ask");
        p.expect("noted").expect("the reply");
        p.expect(PROMPT).expect("prompt");
        p.send("/quit\r").expect("quit");
        p.expect(expectrl::Eof).expect("the REPL ends");
        let body = server.requests()[0].json();
        assert_eq!(body.get("tools").is_some(), offered, "{extra:?}: {body}");
    }
}
