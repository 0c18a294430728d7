//! Message rows: a user turn committed before its request is sent, a reply row that is
//! rewritten while it streams and finalised with its status, stored documents, and reading a
//! session back. Each write is one immediate transaction that also bumps the session's
//! `updated_at`.

use rusqlite::{Row, TransactionBehavior, params};

use super::{
    MessageId, ReplyEnd, SessionId, Status, Store, StoreError, StoredMessage, now_ms, parse_role,
    role_str,
};
use crate::llm::{Role, Usage};

/// A message's columns; `content` includes the chunks of a reply that has not finished.
const MESSAGE_COLUMNS: &str = "id, session_id, role, kind,
    content || coalesce((SELECT group_concat(c.text, '' ORDER BY c.seq) FROM reply_chunks c
                         WHERE c.message_id = messages.id), ''),
    status, model, provider,
    prompt_tokens, completion_tokens, total_tokens, error, created_at, updated_at, tool_calls,
    tool_call_id, persona";

fn message_from_row(row: &Row<'_>) -> rusqlite::Result<StoredMessage> {
    let role: String = row.get(2)?;
    let status: String = row.get(5)?;
    Ok(StoredMessage {
        id: row.get(0)?,
        session_id: row.get(1)?,
        role: parse_role(&role),
        kind: row.get(3)?,
        content: row.get(4)?,
        status: Status::parse(&status),
        model: row.get(6)?,
        provider: row.get(7)?,
        persona: row.get(16)?,
        usage: Usage {
            prompt_tokens: count(row.get(8)?),
            completion_tokens: count(row.get(9)?),
            total_tokens: count(row.get(10)?),
            prompt_eval_tokens: None,
        },
        error: row.get(11)?,
        created_at: row.get(12)?,
        updated_at: row.get(13)?,
        tool_calls: row
            .get::<_, Option<String>>(14)?
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default(),
        tool_call_id: row.get(15)?,
    })
}

/// A token counter read back (SQLite integers are signed).
fn count(v: Option<i64>) -> Option<u64> {
    v.and_then(|v| u64::try_from(v).ok())
}

/// A token counter to store.
fn column(v: Option<u64>) -> Option<i64> {
    v.map(|v| i64::try_from(v).unwrap_or(i64::MAX))
}

/// A new message row.
#[derive(Debug, Clone, Copy)]
pub struct NewMessage<'a> {
    pub role: Role,
    pub kind: &'a str,
    pub content: &'a str,
    pub status: Status,
    pub provider: Option<&'a str>,
    pub model: Option<&'a str>,
    /// Who wrote an assistant row; `None` records the session's persona of the moment.
    pub persona: Option<&'a str>,
}

impl Store {
    /// Inserts one message and bumps the session, in one transaction. An assistant row records
    /// its persona (the session's when `msg` names none); other rows none.
    pub fn append_message(
        &mut self,
        session: SessionId,
        msg: &NewMessage<'_>,
    ) -> Result<MessageId, StoreError> {
        let now = now_ms();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO messages (session_id, role, kind, content, status, model, provider,
                                   created_at, updated_at, persona)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8,
                     CASE WHEN ?2 = 'assistant'
                          THEN coalesce(?9, (SELECT persona FROM sessions WHERE id = ?1)) END)",
            params![
                session,
                role_str(msg.role),
                msg.kind,
                msg.content,
                msg.status.as_str(),
                msg.model,
                msg.provider,
                now,
                msg.persona
            ],
        )?;
        let id = tx.last_insert_rowid();
        let bumped = tx.execute(
            "UPDATE sessions SET updated_at = ?1 WHERE id = ?2",
            params![now, session],
        )?;
        if bumped == 0 {
            return Err(StoreError::NoSuchSession(session.to_string()));
        }
        tx.commit()?;
        Ok(id)
    }

    /// Commits the user's turn; call before the request is sent.
    pub fn begin_turn(&mut self, session: SessionId, text: &str) -> Result<MessageId, StoreError> {
        self.append_message(
            session,
            &NewMessage {
                role: Role::User,
                kind: "chat",
                content: text,
                status: Status::Complete,
                provider: None,
                model: None,
                persona: None,
            },
        )
    }

    /// Stores the result of the tool call `call_id`, as a `tool` row of the session.
    pub fn add_tool_result(
        &mut self,
        session: SessionId,
        call_id: &str,
        content: &str,
    ) -> Result<MessageId, StoreError> {
        let id = self.append_message(
            session,
            &NewMessage {
                role: Role::Tool,
                kind: "tool",
                content,
                status: Status::Complete,
                provider: None,
                model: None,
                persona: None,
            },
        )?;
        self.conn.execute(
            "UPDATE messages SET tool_call_id = ?1 WHERE id = ?2",
            params![call_id, id],
        )?;
        Ok(id)
    }

    /// Stores a finished document (`kind`: `postmortem`, `overview`, …) as an assistant
    /// message of the session, so it shows in `sessions show` and is searchable.
    pub fn add_document(
        &mut self,
        session: SessionId,
        kind: &str,
        content: &str,
    ) -> Result<MessageId, StoreError> {
        self.append_message(
            session,
            &NewMessage {
                role: Role::Assistant,
                kind,
                content,
                status: Status::Complete,
                provider: None,
                model: None,
                persona: None,
            },
        )
    }

    /// Opens an empty `streaming` reply row for the answer that is about to arrive, written by
    /// `persona`.
    pub fn start_reply(
        &mut self,
        session: SessionId,
        provider: Option<&str>,
        model: Option<&str>,
        persona: Option<&str>,
    ) -> Result<MessageId, StoreError> {
        self.append_message(
            session,
            &NewMessage {
                role: Role::Assistant,
                kind: "chat",
                content: "",
                status: Status::Streaming,
                provider,
                model,
                persona,
            },
        )
    }

    /// Appends text received since the last checkpoint to a streaming reply: one small row,
    /// so a long reply costs its length once, not once per checkpoint.
    pub fn append_reply_text(&mut self, reply: MessageId, delta: &str) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO reply_chunks (message_id, seq, text)
             VALUES (?1, (SELECT coalesce(max(seq), -1) + 1 FROM reply_chunks
                          WHERE message_id = ?1), ?2)",
            params![reply, delta],
        )?;
        tx.execute(
            "UPDATE messages SET updated_at = ?1 WHERE id = ?2",
            params![now_ms(), reply],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Folds the chunks of replies that never finished (their process was killed) into their
    /// rows, so full-text search finds them. A reply another process is still streaming is
    /// folded too, harmlessly: its next chunks follow and its finish writes the whole text.
    pub(super) fn fold_reply_chunks(&mut self) -> Result<(), StoreError> {
        let any: bool =
            self.conn
                .query_row("SELECT EXISTS (SELECT 1 FROM reply_chunks)", [], |r| {
                    r.get(0)
                })?;
        if !any {
            return Ok(());
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(
            "UPDATE messages SET content = content ||
                 (SELECT group_concat(c.text, '' ORDER BY c.seq) FROM reply_chunks c
                  WHERE c.message_id = messages.id)
             WHERE id IN (SELECT message_id FROM reply_chunks);
             DELETE FROM reply_chunks;",
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Finalises a reply: its whole text, status, model, provider, usage and error.
    pub fn finish_reply(
        &mut self,
        reply: MessageId,
        text: &str,
        end: &ReplyEnd,
    ) -> Result<(), StoreError> {
        let usage = end.usage.unwrap_or_default();
        // Serialising plain strings cannot fail.
        let calls = (!end.tool_calls.is_empty())
            .then(|| serde_json::to_string(&end.tool_calls).ok())
            .flatten();
        let now = now_ms();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "UPDATE messages SET content = ?1, status = ?2,
                 model = coalesce(?3, model), provider = coalesce(?4, provider),
                 prompt_tokens = ?5, completion_tokens = ?6, total_tokens = ?7,
                 error = ?8, updated_at = ?9, tool_calls = coalesce(?11, tool_calls)
             WHERE id = ?10",
            params![
                text,
                end.status.unwrap_or(Status::Complete).as_str(),
                end.model,
                end.provider,
                column(usage.prompt_tokens),
                column(usage.completion_tokens),
                column(usage.total_tokens),
                end.error,
                now,
                reply,
                calls
            ],
        )?;
        // The whole text is in the row now; its checkpoints go.
        tx.execute(
            "DELETE FROM reply_chunks WHERE message_id = ?1",
            params![reply],
        )?;
        tx.execute(
            "UPDATE sessions SET updated_at = ?1
             WHERE id = (SELECT session_id FROM messages WHERE id = ?2)",
            params![now, reply],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Every message of a session, oldest first.
    pub fn messages(&self, session: SessionId) -> Result<Vec<StoredMessage>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE session_id = ?1 ORDER BY id"
        ))?;
        let rows = stmt.query_map([session], message_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One message.
    pub fn message(&self, id: MessageId) -> Result<Option<StoredMessage>, StoreError> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ?1"),
                [id],
                message_from_row,
            )
            .optional()?)
    }

    /// The number of messages in the database.
    pub fn message_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM messages", [], |r| r.get(0))?;
        Ok(n.unsigned_abs())
    }
}
