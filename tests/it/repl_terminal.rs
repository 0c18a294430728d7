//! The REPL's terminal conveniences, run for real in a pseudo-terminal against a loopback
//! server: `chat -f` and `/file` attachments (Tab completes the path; binary, missing and
//! oversized files refused in one line), `/load` showing the last turns, `/copy` sending OSC 52,
//! replies labelled by the persona that wrote them in exports, `/provider` and `/export`
//! refusing unknown names, and `chat --session ID`.

#![allow(clippy::unwrap_used)]

use crate::common;

use common::TestEnv;
use common::pty::{
    PROMPT, assert_exit, chat_cmd, exchange, last_user_message, quit, spawn, text_reply,
};
use common::server::Server;
use expectrl::{ControlCode, Expect};

fn fenced(path: &std::path::Path, lang: &str, text: &str) -> String {
    format!("{}:\n```{lang}\n{text}```\n\n", path.display())
}

#[test]
fn chat_files_go_with_the_first_message_and_file_adds_one_to_the_next() {
    let env = TestEnv::new();
    let dir = env.path().join("work");
    std::fs::create_dir(&dir).unwrap();
    let tf = dir.join("main.tf");
    std::fs::write(&tf, "resource \"null_resource\" \"a\" {}\n").unwrap();
    let notes = dir.join("notes-for-tab.txt");
    std::fs::write(&notes, "etcd-2 is slow\n").unwrap();
    let server = Server::start(vec![
        text_reply("first answer"),
        text_reply("second answer"),
        text_reply("third answer"),
    ]);
    let mut cmd = chat_cmd(&env, &server, &[]);
    cmd.arg("-f").arg(&tf);
    let mut p = spawn(cmd);
    p.expect("1 file(s) attached").expect("the -f notice");
    p.expect(PROMPT).expect("prompt");
    exchange(&mut p, PROMPT, "first question", "first answer");

    // Tab completes the file name after `/file `.
    p.send(format!("/file {}/notes-f\t", dir.display()))
        .unwrap();
    p.expect("notes-for-tab.txt")
        .expect("the path is completed");
    p.send("\r").unwrap();
    p.expect("attached").expect("the /file notice");
    p.expect("it goes with your next message").expect("notice");
    p.expect(PROMPT).expect("prompt");
    exchange(&mut p, PROMPT, "second question", "second answer");
    exchange(&mut p, PROMPT, "third question", "third answer");
    quit(&mut p);

    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(
        last_user_message(&requests[0]),
        format!(
            "{}first question",
            fenced(&tf, "tf", "resource \"null_resource\" \"a\" {}\n")
        )
    );
    assert_eq!(
        last_user_message(&requests[1]),
        format!(
            "{}second question",
            fenced(&notes, "txt", "etcd-2 is slow\n")
        )
    );
    assert_eq!(last_user_message(&requests[2]), "third question");
}

#[test]
fn file_refuses_binary_missing_and_oversized_files_and_the_repl_carries_on() {
    let env = TestEnv::new();
    let bin = env.path().join("core.dump");
    std::fs::write(&bin, [0x7f, b'E', b'L', b'F', 0, 1, 2]).unwrap();
    let big = env.path().join("big.log");
    std::fs::write(&big, "x".repeat(100)).unwrap();
    let server = Server::start(vec![text_reply("plain answer")]);
    let mut p = spawn(chat_cmd(&env, &server, &["--max-input", "64"]));
    p.expect(PROMPT).expect("prompt");
    exchange(
        &mut p,
        PROMPT,
        &format!("/file {}", bin.display()),
        "core.dump is not a text file; only text files can be attached",
    );
    exchange(
        &mut p,
        PROMPT,
        &format!("/file {}", big.display()),
        "attachments are larger than 64 bytes",
    );
    exchange(
        &mut p,
        PROMPT,
        "/file nowhere.txt",
        "cannot read nowhere.txt",
    );
    exchange(&mut p, PROMPT, "plain question", "plain answer");
    quit(&mut p);
    assert_eq!(last_user_message(&server.requests()[0]), "plain question");

    // On the command line the same refusal ends chat with exit 2 before the REPL starts.
    let mut cmd = chat_cmd(&env, &server, &[]);
    cmd.arg("-f").arg(&bin);
    let mut p = spawn(cmd);
    p.expect("is not a text file").expect("refused");
    p.expect(expectrl::Eof).expect("chat ends");
    assert_exit(&mut p, 2);
}

#[test]
fn load_shows_the_last_turns_and_copy_sends_the_last_answer_with_osc_52() {
    let env = TestEnv::new();
    let answers = [
        "answer 1",
        "answer 2",
        "answer 3",
        "answer 4: restore from the 02:00 snapshot",
    ];
    let server = Server::start(answers.iter().map(|a| text_reply(a)).collect());
    for i in 1..=4 {
        env.cmd()
            .args(["ask", "--no-route", "--session", "ops", "--base-url"])
            .arg(server.url())
            .arg(format!("question {i}"))
            .assert()
            .success();
    }
    let mut p = spawn(chat_cmd(&env, &server, &[]));
    p.expect(PROMPT).expect("prompt");
    exchange(&mut p, PROMPT, "/copy", "nothing to copy yet");
    p.send("/load ops\r").unwrap();
    p.expect("loaded session ops (8 messages)").expect("loaded");
    p.expect("… 1 earlier turn(s)").expect("what is left out");
    p.expect("You: question 2").expect("turn 2");
    p.expect("Mitchell: answer 2").expect("turn 2's answer");
    p.expect("You: question 4").expect("turn 4");
    p.expect("Mitchell: answer 4: restore from the 02:00 snapshot")
        .expect("turn 4's answer");
    p.expect(PROMPT).expect("prompt");
    p.send("/copy\r").unwrap();
    // base64 of "answer 4: restore from the 02:00 snapshot".
    p.expect("\x1b]52;c;YW5zd2VyIDQ6IHJlc3RvcmUgZnJvbSB0aGUgMDI6MDAgc25hcHNob3Q=\x07")
        .expect("the OSC 52 sequence");
    p.expect("not known to support it")
        .expect("how it was sent");
    p.expect(PROMPT).expect("prompt");
    quit(&mut p);

    // A terminal known to take OSC 52 gets a plain confirmation.
    let mut cmd = chat_cmd(&env, &server, &["--session", "ops"]);
    cmd.env("TERM", "xterm-kitty");
    let mut p = spawn(cmd);
    p.expect(PROMPT).expect("prompt");
    p.send("/copy\r").unwrap();
    p.expect("\x1b]52;c;").expect("the sequence");
    p.expect("copied the last answer (41 bytes) to the clipboard")
        .expect("confirmed");
    p.expect(PROMPT).expect("prompt");
    quit(&mut p);
}

/// A second persona in the test home's personas folder.
fn install_rowan(env: &TestEnv) {
    let dir = env.config_dir().join("personas");
    std::fs::create_dir_all(&dir).unwrap();
    let spec =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/personas/rowan.yaml");
    std::fs::copy(spec, dir.join("rowan.yaml")).unwrap();
}

#[test]
fn exports_label_each_reply_by_the_persona_that_wrote_it() {
    let env = TestEnv::new();
    install_rowan(&env);
    let server = Server::start(vec![
        text_reply("check the disk latency"),
        text_reply("restore the snapshot first"),
        text_reply("still rowan"),
    ]);
    let mut p = spawn(chat_cmd(&env, &server, &["--session", "mixed"]));
    p.expect(PROMPT).expect("prompt");
    exchange(
        &mut p,
        PROMPT,
        "why is etcd slow?",
        "check the disk latency",
    );
    p.send("/persona rowan\r").unwrap();
    p.expect("persona: rowan").expect("switched");
    let rowan = "rowan · slow-model> ";
    p.expect(rowan).expect("rowan's prompt");
    p.send("and the database?\r").unwrap();
    p.expect("restore the snapshot first").expect("reply 2");
    p.expect(rowan).expect("prompt");

    // An unknown provider is refused and the current one stays.
    p.send("/provider nosuch\r").unwrap();
    p.expect("unknown provider").expect("refused");
    p.expect(rowan)
        .expect("the same prompt: provider and model kept");
    // An unknown export format is refused; no file named after it is written.
    p.send("/export xml\r").unwrap();
    p.expect("unknown format 'xml'").expect("refused");
    p.expect(rowan).expect("prompt");
    p.send("one more\r").unwrap();
    p.expect("still rowan")
        .expect("reply 3 from the same provider");
    p.expect(rowan).expect("prompt");
    let file = env.path().join("mixed.md");
    p.send(format!("/export {}\r", file.display())).unwrap();
    p.expect("exported to").expect("exported");
    p.expect(rowan).expect("prompt");
    quit(&mut p);

    assert!(!env.path().join("xml").exists(), "/export xml wrote a file");
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(requests[2].json()["model"], "slow-model");
    let md = std::fs::read_to_string(&file).unwrap();
    assert!(
        md.contains("## Mitchell\n\ncheck the disk latency\n"),
        "{md}"
    );
    assert!(
        md.contains("## Rowan\n\nrestore the snapshot first\n"),
        "{md}"
    );
    assert!(!md.contains("## Mitchell\n\nrestore"), "{md}");
    let doc = env.export_session("mixed");
    let personas: Vec<_> = doc["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["persona"].as_str().unwrap_or("-").to_owned())
        .collect();
    assert_eq!(personas, ["-", "mitchell", "-", "rowan", "-", "rowan"]);
    let shown = env
        .cmd()
        .args(["sessions", "export", "mixed"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(shown.stdout).unwrap(), md);
}

#[test]
fn replies_saved_before_personas_were_recorded_take_the_sessions_persona() {
    let env = TestEnv::new();
    let server = Server::start(vec![text_reply("an old reply")]);
    env.cmd()
        .args(["ask", "--no-route", "--session", "old", "--base-url"])
        .arg(server.url())
        .arg("an old question")
        .assert()
        .success();
    // Turn the database back into a version 3 one (no persona column, no reply chunks, an
    // index kept whole by triggers), whose session was rowan's.
    let db = env.data_dir().join("mitchell.db");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(
            "INSERT INTO messages_fts (rowid, content)
                 SELECT m.id, m.content FROM fts_stale s JOIN messages m ON m.id = s.message_id;
             DROP TRIGGER messages_fts_insert;
             DROP TRIGGER messages_fts_delete;
             DROP TRIGGER messages_fts_update;
             DROP TABLE fts_stale;
             CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
                 INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
             END;
             CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
                 INSERT INTO messages_fts(messages_fts, rowid, content)
                     VALUES ('delete', old.id, old.content);
             END;
             CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
                 INSERT INTO messages_fts(messages_fts, rowid, content)
                     VALUES ('delete', old.id, old.content);
                 INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
             END;
             DROP TABLE reply_chunks;
             ALTER TABLE messages DROP COLUMN persona;
             UPDATE sessions SET persona = 'rowan';
             PRAGMA user_version = 3;",
        )
        .unwrap();
    }
    let out = env
        .cmd()
        .args(["sessions", "export", "old"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.contains("## Rowan\n\nan old reply\n"), "{md}");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let version: u32 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(
        version,
        mitchell::store::SCHEMA_VERSION,
        "migrated to the current version"
    );
    // The index the old version kept whole is still whole after the migration.
    env.cmd()
        .args(["sessions", "search", "old", "reply"])
        .assert()
        .success()
        .stdout(predicates::str::contains("[old] [reply]"));
}

#[test]
fn chat_session_takes_an_id_like_sessions_show() {
    let env = TestEnv::new();
    let server = Server::start(vec![text_reply("first"), text_reply("second")]);
    env.cmd()
        .args(["ask", "--no-route", "--session", "ops", "--base-url"])
        .arg(server.url())
        .arg("the first question")
        .assert()
        .success();
    env.cmd().args(["sessions", "show", "1"]).assert().success();
    let mut p = spawn(chat_cmd(&env, &server, &["--session", "1"]));
    p.expect("session ops").expect("session 1 is ops");
    p.expect(PROMPT).expect("prompt");
    exchange(&mut p, PROMPT, "the second question", "second");
    p.send(ControlCode::EndOfTransmission).unwrap();
    p.expect(expectrl::Eof).unwrap();
    assert_exit(&mut p, 0);
    let doc = env.export_session("ops");
    assert_eq!(doc["messages"].as_array().unwrap().len(), 4, "{doc:#}");
    // The request carried the earlier turn: the REPL continued session 1.
    let body = server.requests()[1].json();
    assert_eq!(body["messages"][1]["content"], "the first question");

    // An id that is not there is an error, like `sessions show 42`; no session "42" appears.
    let mut p = spawn(chat_cmd(&env, &server, &["--session", "42"]));
    p.expect("no session '42'")
        .expect("the same error as sessions show");
    p.expect(expectrl::Eof).unwrap();
    assert_exit(&mut p, 2);
    env.cmd()
        .args(["sessions", "show", "42"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no session '42'"));
}
