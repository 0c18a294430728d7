//! Sessions in SQLite: the project's own database at `Paths::database()` (the only rusqlite
//! user). WAL mode, a busy timeout and short transactions let two REPLs share one file; the
//! schema is versioned (`schema`). Sessions and their messages (`sessions`, `messages`), a
//! streaming reply's checkpoints (`recorder`), full-text search (`search`) and exports
//! (`export`) live in the submodules. Nothing here prints or talks to a model.

pub mod export;
mod messages;
pub mod recorder;
mod schema;
mod search;
mod sessions;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;
use serde::Serialize;

use crate::llm::{Role, Usage};

pub use messages::NewMessage;
pub use recorder::ReplyRecorder;
pub use schema::VERSION as SCHEMA_VERSION;

/// How long a writer waits for another process's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// What can go wrong with the database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("sessions database: {0}{hint}", hint = io_hint(.0))]
    Sqlite(#[from] rusqlite::Error),
    #[error(
        "the sessions database has schema version {found}, from a newer mitchell; this one knows \
         up to {supported} and leaves it untouched"
    )]
    TooNew { found: u32, supported: u32 },
    #[error(
        "{0} is not a sessions database (damaged, or another program's file); it is left as it \
         is: move it aside to start a new one"
    )]
    NotADatabase(PathBuf),
    #[error("no session '{0}' (see `mitchell sessions list`)")]
    NoSuchSession(String),
    #[error("a session named '{0}' already exists")]
    NameTaken(String),
    #[error("a session name cannot be empty or only digits: '{0}'")]
    BadName(String),
    #[error("no sessions yet")]
    NoSessions,
}

/// SQLite says "disk I/O error" or "unable to open database file" when the disk is full or the
/// directory read-only (the `-shm`/`-wal` files cannot be made): say which to look at.
fn io_hint(err: &rusqlite::Error) -> &'static str {
    use rusqlite::ErrorCode::{CannotOpen, ReadOnly, SystemIoFailure};
    match err.sqlite_error_code() {
        Some(SystemIoFailure | CannotOpen | ReadOnly) => {
            " (is the disk full, or the data directory read-only?)"
        }
        _ => "",
    }
}

impl StoreError {
    /// True when the error is the user's input (an unknown or bad session name): exit 2.
    pub fn is_input(&self) -> bool {
        matches!(
            self,
            StoreError::NoSuchSession(_)
                | StoreError::NameTaken(_)
                | StoreError::BadName(_)
                | StoreError::NoSessions
        )
    }

    /// Into `anyhow`, marking input errors as usage errors.
    pub fn into_anyhow(self) -> anyhow::Error {
        if self.is_input() {
            crate::error::usage(self)
        } else {
            anyhow::Error::new(self)
        }
    }
}

/// A session's row id.
pub type SessionId = i64;
/// A message's row id.
pub type MessageId = i64;

/// The state of a stored message. Replies are `Streaming` until finalised; a process killed
/// mid-reply leaves `Streaming` behind, shown as such.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Complete,
    Interrupted,
    Failed,
    Streaming,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Complete => "complete",
            Status::Interrupted => "interrupted",
            Status::Failed => "failed",
            Status::Streaming => "streaming",
        }
    }

    fn parse(s: &str) -> Status {
        match s {
            "interrupted" => Status::Interrupted,
            "failed" => Status::Failed,
            "streaming" => Status::Streaming,
            _ => Status::Complete,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn role_str(role: Role) -> &'static str {
    match role {
        Role::System => "system",
        Role::User => "user",
        Role::Assistant => "assistant",
        Role::Tool => "tool",
    }
}

/// `you`, `mitchell` or `system`, for listings.
pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::System => "system",
        Role::User => "you",
        Role::Assistant => "mitchell",
        Role::Tool => "tool",
    }
}

fn parse_role(s: &str) -> Role {
    match s {
        "system" => Role::System,
        "user" => Role::User,
        "tool" => Role::Tool,
        _ => Role::Assistant,
    }
}

/// Who a session talks to; recorded on the session and updated as it changes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SessionMeta {
    pub persona: Option<String>,
    pub provider: Option<String>,
    pub model: Option<String>,
}

/// One session row. Times are Unix milliseconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Session {
    pub id: SessionId,
    pub name: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    #[serde(flatten)]
    pub meta: SessionMeta,
}

impl Session {
    /// The name, or `#id` for an unnamed session.
    pub fn label(&self) -> String {
        self.name.clone().unwrap_or_else(|| format!("#{}", self.id))
    }
}

/// A session with what `sessions list` shows about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionSummary {
    #[serde(flatten)]
    pub session: Session,
    pub messages: u64,
    /// The start of the first user message.
    pub title: Option<String>,
}

/// One stored message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredMessage {
    pub id: MessageId,
    pub session_id: SessionId,
    pub role: Role,
    /// `chat`, or the document kind (`postmortem`, …) for a stored document.
    pub kind: String,
    pub content: String,
    pub status: Status,
    pub model: Option<String>,
    pub provider: Option<String>,
    /// The persona that wrote an assistant row; `None` for other rows and for rows saved before
    /// it was recorded (read those as the session's persona).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persona: Option<String>,
    pub usage: Usage,
    pub error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// The calls an assistant row asked for (empty for text replies).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<crate::llm::ToolCall>,
    /// The call a `tool` row answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
}

/// How a reply ended, recorded by `Store::finish_reply`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReplyEnd {
    pub status: Option<Status>,
    pub model: Option<String>,
    pub provider: Option<String>,
    pub usage: Option<Usage>,
    pub error: Option<String>,
    /// The tool calls the reply asked for.
    pub tool_calls: Vec<crate::llm::ToolCall>,
}

/// One full-text match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchHit {
    pub session_id: SessionId,
    pub session_name: Option<String>,
    pub message_id: MessageId,
    pub role: Role,
    /// The matching text around the match, `[` `]` marking the matched words.
    pub snippet: String,
    pub created_at: i64,
}

/// An open sessions database.
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating if needed) the database at `settings.paths.database()`.
    pub fn open_default(paths: &crate::config::Paths) -> Result<Store, StoreError> {
        Store::open(&paths.database())
    }

    /// Opens (creating if needed) the database at `path` and migrates it.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::config::create_private_dir(dir).map_err(|source| StoreError::CreateDir {
                path: dir.to_owned(),
                source,
            })?;
        }
        make_private(path)?;
        Store::connect_patiently(path).map_err(|err| match err {
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::NotADatabase =>
            {
                StoreError::NotADatabase(path.to_owned())
            }
            other => other,
        })
    }

    /// Connects, trying again while another process holds a lock the busy handler cannot wait
    /// for. Two first opens at once race to switch a new file to WAL: SQLite answers the loser
    /// "database is locked" at once rather than risk a deadlock, so the wait happens here, up to
    /// the same limit as any other write. Everything `connect` does is safe to repeat.
    fn connect_patiently(path: &Path) -> Result<Store, StoreError> {
        let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
        let mut pause = Duration::from_millis(5);
        loop {
            match Store::connect(path) {
                Err(StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)))
                    if e.code == rusqlite::ErrorCode::DatabaseBusy
                        && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(100));
                }
                other => return other,
            }
        }
    }

    fn connect(path: &Path) -> Result<Store, StoreError> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Refuse a newer (or broken) file before anything below could change its header.
        let found: u32 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                found,
                supported: SCHEMA_VERSION,
            });
        }
        // WAL: readers never block the writer. NORMAL sync is durable across a killed process
        // (only a power cut can lose the last commits).
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        schema::migrate(&mut conn)?;
        let mut store = Store { conn };
        if let Err(err) = store.fold_reply_chunks() {
            // A read-only database still opens; the chunks are read with their rows anyway.
            tracing::debug!("leaving unfinished replies' chunks as they are: {err}");
        }
        Ok(store)
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |row| row.get(0))?)
    }
}

/// Creates the database file owner-only (0600) before SQLite opens it, and tightens an
/// existing one (and its `-wal`/`-shm`) that is readable by others. SQLite gives the WAL and
/// shared-memory files the mode of the database file, so new ones are 0600 too.
fn make_private(path: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let created = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path);
        match created {
            Ok(_) => {}
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut file = path.as_os_str().to_owned();
                    file.push(suffix);
                    let file = PathBuf::from(file);
                    // Best effort: a file owned by someone else keeps its mode and still opens.
                    if let Ok(meta) = std::fs::metadata(&file)
                        && meta.permissions().mode() & 0o077 != 0
                    {
                        let _ = std::fs::set_permissions(
                            &file,
                            std::fs::Permissions::from_mode(meta.permissions().mode() & 0o700),
                        );
                    }
                }
            }
            Err(source) => {
                return Err(StoreError::CreateDir {
                    path: path.to_owned(),
                    source,
                });
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Now, in Unix milliseconds.
fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// A Unix-milliseconds time as `2026-11-23 19:26` (UTC), for listings.
pub fn format_time(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// A Unix-milliseconds time as RFC 3339, for JSON.
pub fn rfc3339(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
