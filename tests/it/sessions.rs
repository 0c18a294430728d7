//! `mitchell sessions …` run as the real binary against a database seeded through the store.

use crate::common;

use mitchell::store::{ReplyEnd, ReplyRecorder, SessionMeta, Status, Store};
use predicates::prelude::*;

fn seed(env: &common::TestEnv) -> Store {
    let mut store = Store::open(&env.data_dir().join("mitchell.db")).expect("open");
    let meta = SessionMeta {
        persona: Some("mitchell".into()),
        provider: Some("http".into()),
        model: Some("m1".into()),
    };
    let old = store
        .create_session(Some("etcd-outage"), &meta)
        .expect("old");
    store
        .begin_turn(old.id, "the etcd quorum was lost at 03:10")
        .expect("turn");
    let mut rec =
        ReplyRecorder::start(&mut store, old.id, Some("http"), Some("m1"), None).expect("rec");
    rec.push(
        &mut store,
        "Restore from the snapshot, then add members one at a time.",
    )
    .expect("push");
    rec.finish(&mut store, &ReplyEnd::default())
        .expect("finish");
    store
        .begin_turn(old.id, "and the postmortem?")
        .expect("turn");
    let mut rec =
        ReplyRecorder::start(&mut store, old.id, Some("http"), Some("m1"), None).expect("rec");
    rec.push(&mut store, "Blameless, with a timeline")
        .expect("push");
    rec.finish(
        &mut store,
        &ReplyEnd {
            status: Some(Status::Interrupted),
            ..ReplyEnd::default()
        },
    )
    .expect("finish");
    let new = store.create_session(None, &meta).expect("new");
    store
        .begin_turn(new.id, "terraform drift in prod")
        .expect("turn");
    store
}

#[test]
fn list_shows_sessions_newest_first_and_json_is_an_array() {
    let env = common::TestEnv::new();
    seed(&env);
    env.cmd()
        .args(["sessions", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("etcd-outage"))
        .stdout(predicate::str::contains("terraform drift in prod"));
    let out = env
        .cmd()
        .args(["sessions", "list", "--json"])
        .output()
        .expect("run");
    assert!(out.status.success());
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let list = list.as_array().expect("an array");
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["name"], serde_json::Value::Null);
    assert_eq!(list[1]["name"], "etcd-outage");
    assert_eq!(list[1]["messages"], 4);
}

#[test]
fn list_on_an_empty_database_says_so_on_stderr() {
    let env = common::TestEnv::new();
    env.cmd()
        .args(["sessions", "list"])
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains("no sessions yet"));
}

#[test]
fn search_finds_a_word_from_an_old_session() {
    let env = common::TestEnv::new();
    seed(&env);
    env.cmd()
        .args(["sessions", "search", "quorum"])
        .assert()
        .success()
        .stdout(predicate::str::contains("etcd-outage"))
        .stdout(predicate::str::contains("[quorum]"));
    env.cmd()
        .args(["sessions", "search", "kubernetes"])
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains("no message matches"));
}

#[test]
fn a_markdown_export_holds_every_turn() {
    let env = common::TestEnv::new();
    let store = seed(&env);
    let session = store.resolve_session("etcd-outage").expect("session");
    let out = env
        .cmd()
        .args(["sessions", "export", "etcd-outage", "--format", "md"])
        .output()
        .expect("run");
    assert!(out.status.success());
    let md = String::from_utf8(out.stdout).expect("utf-8");
    let messages = store.messages(session.id).expect("messages");
    assert_eq!(messages.len(), 4);
    let mut at = 0;
    for msg in &messages {
        let found = md[at..]
            .find(&msg.content)
            .unwrap_or_else(|| panic!("turn {:?} missing or out of order in:\n{md}", msg.content));
        at += found + msg.content.len();
    }
    assert_eq!(md.matches("## You").count(), 2, "{md}");
    assert!(md.contains("## Mitchell [interrupted]"), "{md}");
}

#[test]
fn json_export_and_show_default_to_the_latest_session() {
    let env = common::TestEnv::new();
    seed(&env);
    let out = env
        .cmd()
        .args(["sessions", "export", "1", "--format", "json"])
        .output()
        .expect("run");
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["name"], "etcd-outage");
    assert_eq!(doc["messages"].as_array().map(Vec::len), Some(4));
    assert_eq!(doc["messages"][3]["status"], "interrupted");
    env.cmd()
        .args(["sessions", "show"])
        .assert()
        .success()
        .stdout(predicate::str::contains("terraform drift in prod"))
        .stdout(predicate::str::contains("etcd").not());
}

#[test]
fn rm_deletes_and_unknown_sessions_are_usage_errors() {
    let env = common::TestEnv::new();
    seed(&env);
    env.cmd()
        .args(["sessions", "rm", "etcd-outage", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no session 'nope'"));
    env.cmd()
        .args(["sessions", "rm", "etcd-outage"])
        .assert()
        .success()
        .stderr(predicate::str::contains("removed session etcd-outage"));
    env.cmd()
        .args(["sessions", "show", "etcd-outage"])
        .assert()
        .code(2);
    env.cmd()
        .args(["sessions", "search", "quorum"])
        .assert()
        .success()
        .stdout("");
}

#[test]
fn show_with_no_sessions_is_a_notice_with_exit_0() {
    let env = common::TestEnv::new();
    env.cmd()
        .args(["sessions", "show"])
        .assert()
        .code(0)
        .stdout("")
        .stderr(predicate::str::starts_with("no sessions yet"));
}
