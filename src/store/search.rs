//! Full-text search over every message (FTS5). The user's words are quoted one by one, so
//! FTS syntax in them (`-`, `:`, `*`, `"`) is matched literally, and all words must appear.

use rusqlite::{Transaction, TransactionBehavior};

use super::{SearchHit, Store, StoreError, parse_role};

/// Most hits returned.
const LIMIT: u32 = 50;

/// Turns free text into an FTS5 query: every word a quoted phrase, all of them required.
pub fn fts_query(text: &str) -> Option<String> {
    let terms: Vec<String> = text
        .split_whitespace()
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

impl Store {
    /// Messages containing every word of `text`, best match first.
    pub fn search(&self, text: &str) -> Result<Vec<SearchHit>, StoreError> {
        let Some(query) = fts_query(text) else {
            return Ok(Vec::new());
        };
        self.catch_up_index()?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT m.session_id, s.name, m.id, m.role,
                    snippet(messages_fts, 0, '[', ']', '…', 12), m.created_at
             FROM messages_fts
             JOIN messages m ON m.id = messages_fts.rowid
             JOIN sessions s ON s.id = m.session_id
             WHERE messages_fts MATCH ?1
             ORDER BY rank LIMIT ?2",
        )?;
        let rows = stmt.query_map(rusqlite::params![query, LIMIT], |row| {
            let role: String = row.get(3)?;
            Ok(SearchHit {
                session_id: row.get(0)?,
                session_name: row.get(1)?,
                message_id: row.get(2)?,
                role: parse_role(&role),
                snippet: row.get(4)?,
                created_at: row.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Indexes the messages written since the last search (the schema's `fts_stale`), in one
    /// transaction, so a search sees every message. Nothing is written when nothing is stale.
    fn catch_up_index(&self) -> Result<(), StoreError> {
        let stale: bool =
            self.conn
                .query_row("SELECT EXISTS (SELECT 1 FROM fts_stale)", [], |r| r.get(0))?;
        if !stale {
            return Ok(());
        }
        // Immediate: a read turned write inside a WAL transaction can fail at once when another
        // process wrote meanwhile; taking the write lock first waits for it instead.
        let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)?;
        tx.execute_batch(
            "INSERT INTO messages_fts (rowid, content)
                 SELECT m.id, m.content FROM fts_stale s JOIN messages m ON m.id = s.message_id;
             DELETE FROM fts_stale;",
        )?;
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_so_fts_syntax_is_literal() {
        assert_eq!(
            fts_query(r#"vault "seal -x"#).as_deref(),
            Some(r#""vault" """seal" "-x""#)
        );
        assert_eq!(fts_query("   "), None);
    }
}
