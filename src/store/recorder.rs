//! `ReplyRecorder`: persists a reply while it streams. The text received since the last
//! checkpoint is appended (as one chunk) at most every `CHECKPOINT` (and whenever the driver's timer calls `tick`), so a process killed
//! mid-reply loses under a second of text; `finish` writes the final text and status.

use std::time::{Duration, Instant};

use super::{MessageId, ReplyEnd, SessionId, Store, StoreError};

/// How often a streaming reply is written back. The driver should call `tick` at least this
/// often so that a pause in the stream does not hold unwritten text.
pub const CHECKPOINT: Duration = Duration::from_millis(500);

/// A reply being streamed into the store.
#[derive(Debug)]
pub struct ReplyRecorder {
    id: MessageId,
    text: String,
    /// Bytes of `text` already in the store.
    saved: usize,
    dirty: bool,
    last_write: Instant,
}

impl ReplyRecorder {
    /// Opens the reply's row (`streaming`, empty), written by `persona`.
    pub fn start(
        store: &mut Store,
        session: SessionId,
        provider: Option<&str>,
        model: Option<&str>,
        persona: Option<&str>,
    ) -> Result<Self, StoreError> {
        let id = store.start_reply(session, provider, model, persona)?;
        Ok(ReplyRecorder {
            id,
            text: String::new(),
            saved: 0,
            dirty: false,
            last_write: Instant::now(),
        })
    }

    pub fn id(&self) -> MessageId {
        self.id
    }

    /// Adds a piece of text; writes a checkpoint when the last one is older than `CHECKPOINT`.
    pub fn push(&mut self, store: &mut Store, delta: &str) -> Result<(), StoreError> {
        self.text.push_str(delta);
        self.dirty = true;
        if self.last_write.elapsed() >= CHECKPOINT {
            self.flush(store)?;
        }
        Ok(())
    }

    /// Writes unsaved text, if any; call from a timer while the stream runs.
    pub fn tick(&mut self, store: &mut Store) -> Result<(), StoreError> {
        if self.dirty {
            self.flush(store)?;
        }
        Ok(())
    }

    fn flush(&mut self, store: &mut Store) -> Result<(), StoreError> {
        store.append_reply_text(self.id, &self.text[self.saved..])?;
        self.saved = self.text.len();
        self.dirty = false;
        self.last_write = Instant::now();
        Ok(())
    }

    /// Finalises the reply with its status, model, provider and usage.
    pub fn finish(self, store: &mut Store, end: &ReplyEnd) -> Result<String, StoreError> {
        store.finish_reply(self.id, &self.text, end)?;
        Ok(self.text)
    }
}
