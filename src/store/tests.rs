use super::*;

/// Two processes opening a database that does not exist yet race to create it, switch it to
/// WAL and migrate it; neither may fail with "database is locked".
#[test]
fn two_first_opens_at_once_both_succeed() {
    for round in 0..40 {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("mitchell.db");
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
        let openers: Vec<_> = (0..2)
            .map(|_| {
                let path = path.clone();
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    barrier.wait();
                    Store::open(&path).map(|_| ())
                })
            })
            .collect();
        for opener in openers {
            let result = opener.join().expect("the opener thread");
            assert!(result.is_ok(), "round {round}: {:?}", result.err());
        }
    }
}

/// A new database at `path` with session `s`, its question "why?" asked and a reply started.
fn reply_started(path: &std::path::Path) -> (Store, Session, recorder::ReplyRecorder) {
    let mut store = Store::open(path).expect("open");
    let session = store
        .create_session(Some("s"), &SessionMeta::default())
        .expect("session");
    store.begin_turn(session.id, "why?").expect("question");
    let reply =
        recorder::ReplyRecorder::start(&mut store, session.id, None, None, None).expect("start");
    (store, session, reply)
}

/// Checkpoints append only what is new; a reader mid-stream (or after a crash) sees the whole
/// text so far; finishing folds it into the row and leaves no chunk behind.
#[test]
fn checkpoints_append_and_a_finished_reply_is_one_row() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut store, session, mut reply) = reply_started(&dir.path().join("mitchell.db"));
    let chunk_count = |store: &Store| -> i64 {
        store
            .conn
            .query_row("SELECT count(*) FROM reply_chunks", [], |r| r.get(0))
            .expect("count")
    };
    for piece in ["Because ", "the pool ", "was full."] {
        reply.push(&mut store, piece).expect("push");
        reply.tick(&mut store).expect("checkpoint");
    }
    assert_eq!(
        chunk_count(&store),
        3,
        "one chunk per checkpoint, each only the new text"
    );
    let sizes: Vec<i64> = {
        let mut stmt = store
            .conn
            .prepare("SELECT length(text) FROM reply_chunks ORDER BY seq")
            .expect("prepare");
        stmt.query_map([], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    };
    assert_eq!(sizes, vec![8, 9, 9]);
    // What another process (or this one after a crash) reads mid-stream.
    let streaming = store.messages(session.id).expect("messages");
    assert_eq!(streaming[1].content, "Because the pool was full.");
    assert_eq!(streaming[1].status, Status::Streaming);
    reply
        .finish(&mut store, &ReplyEnd::default())
        .expect("finish");
    assert_eq!(chunk_count(&store), 0);
    let finished = store.messages(session.id).expect("messages");
    assert_eq!(finished[1].content, "Because the pool was full.");
    assert_eq!(finished[1].status, Status::Complete);
}

/// A reply whose process died mid-stream is folded into its row at the next open, so search
/// finds it.
#[test]
fn an_unfinished_reply_is_folded_at_the_next_open_and_searchable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("mitchell.db");
    let (mut store, session, mut reply) = reply_started(&path);
    reply.push(&mut store, "pgbouncer ran out ").expect("push");
    reply.tick(&mut store).expect("checkpoint");
    reply.push(&mut store, "of connections").expect("push");
    reply.tick(&mut store).expect("checkpoint");
    drop(reply);
    drop(store);
    let store = Store::open(&path).expect("reopen");
    let left: i64 = store
        .conn
        .query_row("SELECT count(*) FROM reply_chunks", [], |r| r.get(0))
        .expect("count");
    assert_eq!(left, 0);
    let messages = store.messages(session.id).expect("messages");
    assert_eq!(messages[1].content, "pgbouncer ran out of connections");
    assert_eq!(messages[1].status, Status::Streaming);
    let hits = store.search("connections").expect("search");
    assert_eq!(hits.len(), 1, "{hits:?}");
}

/// The full-text index is written by the first search after a write, not by the write: a saved
/// reply waits in `fts_stale`, and rows that were indexed leave the index cleanly when they are
/// rewritten or deleted before the next search (FTS5's own check compares index and table).
#[test]
fn the_index_catches_up_at_search_and_stays_consistent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("mitchell.db");
    let (mut store, session, mut reply) = reply_started(&path);
    reply.push(&mut store, "the pgbouncer pool").expect("push");
    reply
        .finish(&mut store, &ReplyEnd::default())
        .expect("finish");
    let count = |store: &Store, sql: &str| -> i64 {
        store.conn.query_row(sql, [], |r| r.get(0)).expect(sql)
    };
    let indexed = "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'pgbouncer'";
    assert_eq!(count(&store, "SELECT count(*) FROM fts_stale"), 2);
    assert_eq!(count(&store, indexed), 0, "indexed before any search");
    assert_eq!(store.search("pgbouncer").expect("search").len(), 1);
    assert_eq!(count(&store, "SELECT count(*) FROM fts_stale"), 0);
    // An indexed row rewritten, then a new one deleted before it was ever indexed.
    let question = store.messages(session.id).expect("messages")[0].id;
    store
        .conn
        .execute(
            "UPDATE messages SET content = 'why the vault seal?' WHERE id = ?1",
            [question],
        )
        .expect("rewrite");
    store.begin_turn(session.id, "never indexed").expect("turn");
    store
        .conn
        .execute("DELETE FROM messages WHERE content = 'never indexed'", [])
        .expect("delete");
    assert_eq!(store.search("seal").expect("search").len(), 1);
    assert_eq!(store.search("why").expect("search").len(), 1);
    assert!(store.search("indexed").expect("search").is_empty());
    store
        .conn
        .execute(
            "INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')",
            [],
        )
        .expect("the index matches the messages");
    store.delete_session(session.id).expect("rm");
    assert!(store.search("pgbouncer").expect("search").is_empty());
    assert_eq!(count(&store, "SELECT count(*) FROM fts_stale"), 0);
}
