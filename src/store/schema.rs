//! The database schema and its migrations, versioned with SQLite's `user_version`. Each
//! migration runs once, in order, inside one transaction; a database newer than this binary is
//! refused rather than guessed at. Nothing here reads or writes sessions.

use rusqlite::{Connection, TransactionBehavior};

use super::StoreError;

/// Migrations in order; migration `i` brings the database to version `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: sessions, messages, and a full-text index kept in step by triggers.
    "
    CREATE TABLE sessions (
        id          INTEGER PRIMARY KEY,
        name        TEXT UNIQUE,
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL,
        persona     TEXT,
        provider    TEXT,
        model       TEXT
    );
    CREATE INDEX sessions_by_update ON sessions(updated_at DESC, id DESC);

    CREATE TABLE messages (
        id                INTEGER PRIMARY KEY,
        session_id        INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        role              TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
        kind              TEXT NOT NULL DEFAULT 'chat',
        content           TEXT NOT NULL,
        status            TEXT NOT NULL
                          CHECK (status IN ('complete', 'interrupted', 'failed', 'streaming')),
        model             TEXT,
        provider          TEXT,
        prompt_tokens     INTEGER,
        completion_tokens INTEGER,
        total_tokens      INTEGER,
        error             TEXT,
        created_at        INTEGER NOT NULL,
        updated_at        INTEGER NOT NULL
    );
    CREATE INDEX messages_by_session ON messages(session_id, id);

    CREATE VIRTUAL TABLE messages_fts USING fts5(
        content, content = 'messages', content_rowid = 'id'
    );
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
    ",
    // 2: a session's message count and title kept on its row, so listing is one table scan.
    "
    ALTER TABLE sessions ADD COLUMN message_count INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sessions ADD COLUMN title TEXT;
    UPDATE sessions SET
        message_count = (SELECT count(*) FROM messages m WHERE m.session_id = sessions.id),
        title = (SELECT substr(m.content, 1, 60) FROM messages m
                  WHERE m.session_id = sessions.id AND m.role = 'user' ORDER BY m.id LIMIT 1);
    CREATE TRIGGER sessions_count_insert AFTER INSERT ON messages BEGIN
        UPDATE sessions SET
            message_count = message_count + 1,
            title = coalesce(title, CASE WHEN new.role = 'user'
                                         THEN substr(new.content, 1, 60) END)
        WHERE id = new.session_id;
    END;
    CREATE TRIGGER sessions_count_delete AFTER DELETE ON messages BEGIN
        UPDATE sessions SET message_count = message_count - 1 WHERE id = old.session_id;
    END;
    ",
    // 3: the agent's steps. An assistant row may carry the tool calls it asked for (JSON), and
    // `tool` rows hold each call's result. SQLite cannot widen a CHECK, so the table is rebuilt
    // with its ids (the full-text index keys on them) and its triggers recreated; dropping a
    // table fires no DELETE triggers, so the index and the counts stay as they are.
    "
    CREATE TABLE messages_v3 (
        id                INTEGER PRIMARY KEY,
        session_id        INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        role              TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant', 'tool')),
        kind              TEXT NOT NULL DEFAULT 'chat',
        content           TEXT NOT NULL,
        status            TEXT NOT NULL
                          CHECK (status IN ('complete', 'interrupted', 'failed', 'streaming')),
        model             TEXT,
        provider          TEXT,
        prompt_tokens     INTEGER,
        completion_tokens INTEGER,
        total_tokens      INTEGER,
        error             TEXT,
        created_at        INTEGER NOT NULL,
        updated_at        INTEGER NOT NULL,
        tool_calls        TEXT,
        tool_call_id      TEXT
    );
    INSERT INTO messages_v3 (id, session_id, role, kind, content, status, model, provider,
                             prompt_tokens, completion_tokens, total_tokens, error,
                             created_at, updated_at)
        SELECT id, session_id, role, kind, content, status, model, provider,
               prompt_tokens, completion_tokens, total_tokens, error, created_at, updated_at
        FROM messages;
    DROP TABLE messages;
    ALTER TABLE messages_v3 RENAME TO messages;
    CREATE INDEX messages_by_session ON messages(session_id, id);
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
    CREATE TRIGGER sessions_count_insert AFTER INSERT ON messages BEGIN
        UPDATE sessions SET
            message_count = message_count + 1,
            title = coalesce(title, CASE WHEN new.role = 'user'
                                         THEN substr(new.content, 1, 60) END)
        WHERE id = new.session_id;
    END;
    CREATE TRIGGER sessions_count_delete AFTER DELETE ON messages BEGIN
        UPDATE sessions SET message_count = message_count - 1 WHERE id = old.session_id;
    END;
    ",
    // 4: the persona that wrote each assistant row (a session can switch persona midway).
    // Older rows keep NULL and are read as the session's persona.
    "
    ALTER TABLE messages ADD COLUMN persona TEXT;
    ",
    // 5: a streaming reply's checkpoints are appended as chunks (each write costs the new text
    // only) and folded into `messages.content` once, when the reply finishes; a reader sees
    // content plus chunks, so a reply cut by a crash still reads whole.
    "
    CREATE TABLE reply_chunks (
        message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        seq        INTEGER NOT NULL,
        text       TEXT NOT NULL,
        PRIMARY KEY (message_id, seq)
    ) WITHOUT ROWID;
    ",
    // 6: the full-text index is brought up to date when it is searched (`search`), not on every
    // write: a saved reply costs nothing to index while it is being answered, and its words are
    // tokenised once, by the first search after it. `fts_stale` lists the messages the index
    // does not hold yet; every other message is indexed with its current content, which is
    // what FTS5 needs to take it out again on an update or a delete.
    "
    CREATE TABLE fts_stale (message_id INTEGER PRIMARY KEY);
    DROP TRIGGER messages_fts_insert;
    DROP TRIGGER messages_fts_delete;
    DROP TRIGGER messages_fts_update;
    CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO fts_stale (message_id) SELECT new.id
            WHERE NOT EXISTS (SELECT 1 FROM fts_stale WHERE message_id = new.id);
    END;
    CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, content)
            SELECT 'delete', old.id, old.content
            WHERE NOT EXISTS (SELECT 1 FROM fts_stale WHERE message_id = old.id);
        DELETE FROM fts_stale WHERE message_id = old.id;
    END;
    CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, content)
            SELECT 'delete', old.id, old.content
            WHERE NOT EXISTS (SELECT 1 FROM fts_stale WHERE message_id = old.id);
        INSERT INTO fts_stale (message_id) SELECT new.id
            WHERE NOT EXISTS (SELECT 1 FROM fts_stale WHERE message_id = new.id);
    END;
    ",
];

/// The schema version this binary writes.
#[allow(clippy::cast_possible_truncation)] // a handful of migrations, never 2^32
pub const VERSION: u32 = MIGRATIONS.len() as u32;

/// Brings the database up to `VERSION`. Two processes opening a new database at once are
/// serialised by the immediate transaction; the second sees the version the first wrote.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let current: u32 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if current > VERSION {
        return Err(StoreError::TooNew {
            found: current,
            supported: VERSION,
        });
    }
    for sql in &MIGRATIONS[current as usize..] {
        tx.execute_batch(sql)?;
    }
    if current < VERSION {
        tx.pragma_update(None, "user_version", VERSION)?;
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrating_twice_is_a_no_op_and_sets_the_version() {
        let mut conn = Connection::open_in_memory().expect("db");
        migrate(&mut conn).expect("first");
        migrate(&mut conn).expect("second");
        let v: u32 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .expect("version");
        assert_eq!(v, VERSION);
    }

    #[test]
    fn version_1_data_is_carried_into_version_2() {
        let mut conn = Connection::open_in_memory().expect("db");
        conn.execute_batch(MIGRATIONS[0]).expect("v1");
        conn.pragma_update(None, "user_version", 1).expect("set");
        conn.execute_batch(
            "INSERT INTO sessions (id, created_at, updated_at) VALUES (1, 0, 0);
             INSERT INTO messages (session_id, role, content, status, created_at, updated_at)
             VALUES (1, 'user', 'the etcd quorum', 'complete', 0, 0),
                    (1, 'assistant', 'restore it', 'complete', 0, 0);",
        )
        .expect("v1 rows");
        migrate(&mut conn).expect("to v2");
        let (count, title): (i64, String) = conn
            .query_row(
                "SELECT message_count, title FROM sessions WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("row");
        assert_eq!((count, title.as_str()), (2, "the etcd quorum"));
        let hits: i64 = conn
            .query_row(
                "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'quorum'",
                [],
                |r| r.get(0),
            )
            .expect("fts");
        assert_eq!(hits, 1);
    }

    #[test]
    fn version_2_rows_keep_their_ids_index_and_counts_in_version_3() {
        let mut conn = Connection::open_in_memory().expect("db");
        conn.execute_batch(MIGRATIONS[0]).expect("v1");
        conn.execute_batch(MIGRATIONS[1]).expect("v2");
        conn.pragma_update(None, "user_version", 2).expect("set");
        conn.execute_batch(
            "INSERT INTO sessions (id, created_at, updated_at) VALUES (1, 0, 0);
             INSERT INTO messages (id, session_id, role, content, status, created_at, updated_at)
             VALUES (7, 1, 'user', 'the etcd quorum', 'complete', 0, 0);",
        )
        .expect("v2 rows");
        migrate(&mut conn).expect("to v3");
        conn.execute_batch(
            "INSERT INTO messages (session_id, role, content, status, created_at, updated_at,
                                   tool_call_id)
             VALUES (1, 'tool', 'quorum lost on etcd-2', 'complete', 0, 0, 'call_1');",
        )
        .expect("a tool row");
        let hits: Vec<i64> = conn
            .prepare(
                "SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'quorum' ORDER BY rowid",
            )
            .expect("stmt")
            .query_map([], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        // Row 7 kept its index entry; the new tool row waits for the next search (version 6).
        assert_eq!(hits, [7]);
        let stale: i64 = conn
            .query_row("SELECT count(*) FROM fts_stale", [], |r| r.get(0))
            .expect("stale");
        assert_eq!(stale, 1);
        let count: i64 = conn
            .query_row("SELECT message_count FROM sessions WHERE id = 1", [], |r| {
                r.get(0)
            })
            .expect("count");
        assert_eq!(count, 2);
    }

    #[test]
    fn version_3_rows_have_no_persona_in_version_4() {
        let mut conn = Connection::open_in_memory().expect("db");
        for sql in &MIGRATIONS[..3] {
            conn.execute_batch(sql).expect("v1..v3");
        }
        conn.pragma_update(None, "user_version", 3).expect("set");
        conn.execute_batch(
            "INSERT INTO sessions (id, created_at, updated_at, persona) VALUES (1, 0, 0, 'rowan');
             INSERT INTO messages (id, session_id, role, content, status, created_at, updated_at)
             VALUES (3, 1, 'assistant', 'restore the snapshot', 'complete', 0, 0);",
        )
        .expect("v3 rows");
        migrate(&mut conn).expect("to v4");
        let (content, persona): (String, Option<String>) = conn
            .query_row(
                "SELECT content, persona FROM messages WHERE id = 3",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("row");
        assert_eq!((content.as_str(), persona), ("restore the snapshot", None));
    }

    #[test]
    fn version_5_rows_stay_indexed_in_version_6_and_leave_it_cleanly() {
        let mut conn = Connection::open_in_memory().expect("db");
        for sql in &MIGRATIONS[..5] {
            conn.execute_batch(sql).expect("v1..v5");
        }
        conn.pragma_update(None, "user_version", 5).expect("set");
        conn.execute_batch(
            "INSERT INTO sessions (id, created_at, updated_at) VALUES (1, 0, 0);
             INSERT INTO messages (id, session_id, role, content, status, created_at, updated_at)
             VALUES (1, 1, 'user', 'the etcd quorum', 'complete', 0, 0),
                    (2, 1, 'assistant', 'restore the quorum', 'complete', 0, 0);",
        )
        .expect("v5 rows");
        migrate(&mut conn).expect("to v6");
        let hits = |conn: &Connection| -> i64 {
            conn.query_row(
                "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'quorum'",
                [],
                |r| r.get(0),
            )
            .expect("fts")
        };
        assert_eq!(hits(&conn), 2);
        conn.execute_batch(
            "DELETE FROM messages WHERE id = 1;
             UPDATE messages SET content = 'restore the snapshot' WHERE id = 2;",
        )
        .expect("delete and rewrite");
        assert_eq!(hits(&conn), 0);
        let stale: Vec<i64> = conn
            .prepare("SELECT message_id FROM fts_stale")
            .expect("stmt")
            .query_map([], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        assert_eq!(stale, [2]);
    }

    #[test]
    fn a_newer_database_is_refused() {
        let mut conn = Connection::open_in_memory().expect("db");
        conn.pragma_update(None, "user_version", VERSION + 1)
            .expect("set");
        assert!(matches!(migrate(&mut conn), Err(StoreError::TooNew { .. })));
    }
}
