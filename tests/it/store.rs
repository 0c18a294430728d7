//! The sessions store through its library API on a real SQLite file: migrations, turns and
//! streaming replies, concurrent writers, search.

use crate::common;

use std::path::PathBuf;

use mitchell::llm::{Role, Usage};
use mitchell::store::{ReplyEnd, ReplyRecorder, SessionMeta, Status, Store, StoreError};

fn db_path(env: &common::TestEnv) -> PathBuf {
    env.data_dir().join("mitchell.db")
}

fn meta() -> SessionMeta {
    SessionMeta {
        persona: Some("mitchell".into()),
        provider: Some("http".into()),
        model: Some("m1".into()),
    }
}

#[test]
fn the_database_is_created_in_wal_mode_at_the_current_version() {
    let env = common::TestEnv::new();
    let store = Store::open(&db_path(&env)).expect("open");
    assert_eq!(
        store.schema_version().expect("version"),
        mitchell::store::SCHEMA_VERSION
    );
    drop(store);
    let conn = rusqlite_mode(&db_path(&env));
    assert_eq!(conn, "wal");
}

fn rusqlite_mode(path: &std::path::Path) -> String {
    // WAL leaves its -wal/-shm files next to the database while a connection is open; the
    // journal mode itself is persistent in the file header, which a fresh open reports.
    let store = Store::open(path).expect("reopen");
    drop(store);
    let header = std::fs::read(path).expect("read db");
    // Bytes 18 and 19 of the header are 2 for WAL.
    if header[18] == 2 && header[19] == 2 {
        "wal".into()
    } else {
        "rollback".into()
    }
}

#[test]
fn a_turn_and_a_streamed_reply_are_stored_with_status_model_and_usage() {
    let env = common::TestEnv::new();
    let mut store = Store::open(&db_path(&env)).expect("open");
    let session = store
        .create_session(Some("deploy"), &meta())
        .expect("session");
    store
        .begin_turn(session.id, "how do I rotate vault tokens?")
        .expect("turn");
    let mut rec =
        ReplyRecorder::start(&mut store, session.id, Some("http"), Some("m1"), None).expect("rec");
    rec.push(&mut store, "Use ").expect("push");
    rec.push(&mut store, "short TTLs.").expect("push");
    rec.tick(&mut store).expect("tick");
    let mid = store.message(rec.id()).expect("read").expect("row");
    assert_eq!(mid.status, Status::Streaming);
    assert_eq!(mid.content, "Use short TTLs.");
    rec.finish(
        &mut store,
        &ReplyEnd {
            status: Some(Status::Complete),
            model: Some("m1-2026".into()),
            provider: Some("http".into()),
            usage: Some(Usage {
                prompt_tokens: Some(12),
                completion_tokens: Some(4),
                total_tokens: Some(16),
                prompt_eval_tokens: None,
            }),
            error: None,
            tool_calls: Vec::new(),
        },
    )
    .expect("finish");
    let msgs = store.messages(session.id).expect("messages");
    assert_eq!(msgs.len(), 2);
    assert_eq!(msgs[0].role, Role::User);
    assert_eq!(msgs[1].role, Role::Assistant);
    assert_eq!(msgs[1].status, Status::Complete);
    assert_eq!(msgs[1].model.as_deref(), Some("m1-2026"));
    assert_eq!(msgs[1].usage.total_tokens, Some(16));
}

#[test]
fn named_sessions_are_found_by_name_or_id_and_names_are_unique() {
    let env = common::TestEnv::new();
    let mut store = Store::open(&db_path(&env)).expect("open");
    let a = store.named_session("infra", &meta()).expect("create");
    let again = store.named_session("infra", &meta()).expect("find");
    assert_eq!(a.id, again.id);
    assert_eq!(
        store
            .find_session(&a.id.to_string())
            .expect("by id")
            .map(|s| s.id),
        Some(a.id)
    );
    let b = store.create_session(None, &meta()).expect("unnamed");
    assert!(matches!(
        store.rename_session(b.id, "infra"),
        Err(StoreError::NameTaken(_))
    ));
    assert!(matches!(
        store.rename_session(b.id, "42"),
        Err(StoreError::BadName(_))
    ));
    store.rename_session(b.id, "dr-plan").expect("rename");
    assert_eq!(
        store.latest_session().expect("latest").map(|s| s.id),
        Some(b.id)
    );
    store.delete_session(a.id).expect("rm");
    assert!(store.find_session("infra").expect("lookup").is_none());
}

#[test]
fn two_concurrent_writers_of_1000_messages_each_leave_all_2000() {
    let env = common::TestEnv::new();
    let path = db_path(&env);
    let mut setup = Store::open(&path).expect("open");
    let a = setup.create_session(Some("writer-a"), &meta()).expect("a");
    let b = setup.create_session(Some("writer-b"), &meta()).expect("b");
    drop(setup);
    let writers: Vec<_> = [a.id, b.id]
        .into_iter()
        .map(|session| {
            let path = path.clone();
            std::thread::spawn(move || {
                // Each writer has its own connection, as two REPL processes would.
                let mut store = Store::open(&path).expect("open in thread");
                for i in 0..1000 {
                    store
                        .begin_turn(session, &format!("message {i} from {session}"))
                        .expect("append under contention");
                }
            })
        })
        .collect();
    for w in writers {
        w.join().expect("writer thread");
    }
    let store = Store::open(&path).expect("reopen");
    assert_eq!(store.message_count().expect("count"), 2000);
    assert_eq!(store.messages(a.id).expect("a").len(), 1000);
    assert_eq!(store.messages(b.id).expect("b").len(), 1000);
}

#[test]
fn search_finds_words_in_old_sessions_and_treats_fts_syntax_literally() {
    let env = common::TestEnv::new();
    let mut store = Store::open(&db_path(&env)).expect("open");
    let old = store.create_session(Some("old"), &meta()).expect("old");
    store
        .begin_turn(old.id, "our etcd quorum was lost during the upgrade")
        .expect("turn");
    let new = store.create_session(Some("new"), &meta()).expect("new");
    store
        .begin_turn(new.id, "terraform plan looks fine")
        .expect("turn");
    let hits = store.search("quorum").expect("search");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].session_name.as_deref(), Some("old"));
    assert!(hits[0].snippet.contains("[quorum]"), "{}", hits[0].snippet);
    assert!(
        store
            .search("\"unbalanced -x:")
            .expect("odd query")
            .is_empty()
    );
    // Rewritten replies are re-indexed.
    let mut rec = ReplyRecorder::start(&mut store, new.id, None, None, None).expect("rec");
    rec.push(&mut store, "check the drift first").expect("push");
    rec.finish(&mut store, &ReplyEnd::default())
        .expect("finish");
    assert_eq!(store.search("drift").expect("search").len(), 1);
    store.delete_session(new.id).expect("rm");
    assert!(store.search("drift").expect("search").is_empty());
}
