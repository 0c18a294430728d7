//! Session rows: create, find by id or name, the latest, list, rename, delete. Every write is
//! one short statement or one immediate transaction.

use rusqlite::{OptionalExtension, Row, TransactionBehavior, params};

use super::{Session, SessionId, SessionMeta, SessionSummary, Store, StoreError, now_ms};

const SESSION_COLUMNS: &str = "id, name, created_at, updated_at, persona, provider, model";

fn session_from_row(row: &Row<'_>) -> rusqlite::Result<Session> {
    Ok(Session {
        id: row.get(0)?,
        name: row.get(1)?,
        created_at: row.get(2)?,
        updated_at: row.get(3)?,
        meta: SessionMeta {
            persona: row.get(4)?,
            provider: row.get(5)?,
            model: row.get(6)?,
        },
    })
}

/// A name must not be empty or all digits (those are ids).
fn check_name(name: &str) -> Result<&str, StoreError> {
    let trimmed = name.trim();
    if trimmed.is_empty() || trimmed.chars().all(|c| c.is_ascii_digit()) {
        return Err(StoreError::BadName(name.to_owned()));
    }
    Ok(trimmed)
}

impl Store {
    /// Creates a session, named or not.
    pub fn create_session(
        &mut self,
        name: Option<&str>,
        meta: &SessionMeta,
    ) -> Result<Session, StoreError> {
        let name = name.map(check_name).transpose()?;
        let now = now_ms();
        let inserted = self.conn.execute(
            "INSERT INTO sessions (name, created_at, updated_at, persona, provider, model)
             VALUES (?1, ?2, ?2, ?3, ?4, ?5)",
            params![name, now, meta.persona, meta.provider, meta.model],
        );
        match inserted {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                return Err(StoreError::NameTaken(name.unwrap_or_default().to_owned()));
            }
            other => other?,
        };
        let id = self.conn.last_insert_rowid();
        self.session(id)?
            .ok_or_else(|| StoreError::NoSuchSession(id.to_string()))
    }

    /// The session with this id.
    pub fn session(&self, id: SessionId) -> Result<Option<Session>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id = ?1"),
                [id],
                session_from_row,
            )
            .optional()?)
    }

    /// Finds a session by id (all digits) or name.
    pub fn find_session(&self, key: &str) -> Result<Option<Session>, StoreError> {
        let key = key.trim();
        let by_id = key
            .trim_start_matches('#')
            .parse::<SessionId>()
            .ok()
            .map(|id| self.session(id))
            .transpose()?
            .flatten();
        if by_id.is_some() {
            return Ok(by_id);
        }
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE name = ?1"),
                [key],
                session_from_row,
            )
            .optional()?)
    }

    /// Like `find_session`, but a missing session is an error naming the key.
    pub fn resolve_session(&self, key: &str) -> Result<Session, StoreError> {
        self.find_session(key)?
            .ok_or_else(|| StoreError::NoSuchSession(key.to_owned()))
    }

    /// The session `--session ID|NAME` names: found by id or name, created when a new name. An
    /// id (`42`, `#42`) that is not there is `NoSuchSession`, never a new session.
    pub fn named_session(&mut self, name: &str, meta: &SessionMeta) -> Result<Session, StoreError> {
        if let Some(found) = self.find_session(name)? {
            return Ok(found);
        }
        let key = name.trim();
        let digits = key.strip_prefix('#').unwrap_or(key);
        if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(StoreError::NoSuchSession(key.to_owned()));
        }
        match self.create_session(Some(name), meta) {
            // Another process created it between the lookup and the insert.
            Err(StoreError::NameTaken(_)) => self.resolve_session(name),
            other => other,
        }
    }

    /// The most recently updated session.
    pub fn latest_session(&self) -> Result<Option<Session>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!(
                    "SELECT {SESSION_COLUMNS} FROM sessions ORDER BY updated_at DESC, id DESC LIMIT 1"
                ),
                [],
                session_from_row,
            )
            .optional()?)
    }

    /// Every session, most recently updated first, with message counts and titles.
    pub fn list_sessions(&self) -> Result<Vec<SessionSummary>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {SESSION_COLUMNS}, message_count, title
             FROM sessions ORDER BY updated_at DESC, id DESC"
        ))?;
        let rows = stmt.query_map([], |row| {
            Ok(SessionSummary {
                session: session_from_row(row)?,
                messages: row.get::<_, i64>(7)?.unsigned_abs(),
                title: row
                    .get::<_, Option<String>>(8)?
                    .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" ")),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The names of every named session, for completion.
    pub fn session_names(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT name FROM sessions WHERE name IS NOT NULL ORDER BY name")?;
        let rows = stmt.query_map([], |row| row.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Names (or renames) a session.
    pub fn rename_session(&mut self, id: SessionId, name: &str) -> Result<(), StoreError> {
        let name = check_name(name)?;
        let updated = self.conn.execute(
            "UPDATE sessions SET name = ?1, updated_at = ?2 WHERE id = ?3",
            params![name, now_ms(), id],
        );
        match updated {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                Err(StoreError::NameTaken(name.to_owned()))
            }
            Ok(0) => Err(StoreError::NoSuchSession(id.to_string())),
            Ok(_) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Records who the session now talks to.
    pub fn update_session_meta(
        &mut self,
        id: SessionId,
        meta: &SessionMeta,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE sessions SET persona = ?1, provider = ?2, model = ?3 WHERE id = ?4",
            params![meta.persona, meta.provider, meta.model, id],
        )?;
        Ok(())
    }

    /// Deletes a session and its messages.
    pub fn delete_session(&mut self, id: SessionId) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM messages WHERE session_id = ?1", [id])?;
        let n = tx.execute("DELETE FROM sessions WHERE id = ?1", [id])?;
        tx.commit()?;
        if n == 0 {
            return Err(StoreError::NoSuchSession(id.to_string()));
        }
        Ok(())
    }
}
