//! `mitchell sessions list|show|export|rm|search`: reads and removes saved sessions. Results go
//! to stdout; "nothing found" notices to stderr (exit 0: no sessions yet is not an error). An
//! unknown session is a usage error (exit 2).

use std::fmt::Write as _;

use serde::Serialize;

use crate::cli::{ExportFormat, GlobalArgs, SessionsCommand};
use crate::config::Env;
use crate::error::ExitStatus;
use crate::output::Output;
use crate::store::{self, Session, Store, StoreError, export, format_time, rfc3339};

pub fn run(
    global: &GlobalArgs,
    cmd: SessionsCommand,
    env: &Env,
    out: &mut Output,
) -> anyhow::Result<ExitStatus> {
    let settings = super::answer_settings(global, env, super::global_flags(global), out)?;
    let mut db = Store::open_default(&settings.paths).map_err(StoreError::into_anyhow)?;
    match cmd {
        SessionsCommand::List { json } => list(&db, json, out)?,
        SessionsCommand::Show { session: None }
            if db
                .latest_session()
                .map_err(StoreError::into_anyhow)?
                .is_none() =>
        {
            out.notice("no sessions yet: `mitchell chat` starts one");
        }
        SessionsCommand::Show { session } => {
            let session = pick(&db, session.as_deref())?;
            let messages = db.messages(session.id).map_err(StoreError::into_anyhow)?;
            out.markdown_document(&export::markdown(&session, &messages))?;
        }
        SessionsCommand::Export { session, format } => {
            let session = pick(&db, Some(&session))?;
            let messages = db.messages(session.id).map_err(StoreError::into_anyhow)?;
            out.print(&match format {
                ExportFormat::Md => export::markdown(&session, &messages),
                ExportFormat::Json => export::json(&session, &messages),
            })?;
        }
        SessionsCommand::Rm { sessions } => {
            let found = sessions
                .iter()
                .map(|key| db.resolve_session(key))
                .collect::<Result<Vec<_>, _>>()
                .map_err(StoreError::into_anyhow)?;
            for session in found {
                db.delete_session(session.id)
                    .map_err(StoreError::into_anyhow)?;
                out.notice(&format!("removed session {}", session.label()));
            }
        }
        SessionsCommand::Search { text } => search(&db, &text.join(" "), out)?,
    }
    Ok(ExitStatus::Success)
}

/// The named session, or the latest when no key is given.
fn pick(db: &Store, key: Option<&str>) -> anyhow::Result<Session> {
    match key {
        Some(key) => db.resolve_session(key),
        None => db.latest_session()?.ok_or(StoreError::NoSessions),
    }
    .map_err(StoreError::into_anyhow)
}

#[derive(Serialize)]
struct ListEntry<'a> {
    id: i64,
    name: Option<&'a str>,
    title: Option<&'a str>,
    messages: u64,
    persona: Option<&'a str>,
    provider: Option<&'a str>,
    model: Option<&'a str>,
    created_at: String,
    updated_at: String,
}

fn list(db: &Store, json: bool, out: &mut Output) -> anyhow::Result<()> {
    let sessions = db.list_sessions().map_err(StoreError::into_anyhow)?;
    if json {
        let entries: Vec<ListEntry<'_>> = sessions
            .iter()
            .map(|s| ListEntry {
                id: s.session.id,
                name: s.session.name.as_deref(),
                title: s.title.as_deref(),
                messages: s.messages,
                persona: s.session.meta.persona.as_deref(),
                provider: s.session.meta.provider.as_deref(),
                model: s.session.meta.model.as_deref(),
                created_at: rfc3339(s.session.created_at),
                updated_at: rfc3339(s.session.updated_at),
            })
            .collect();
        out.println(&serde_json::to_string_pretty(&entries)?)?;
        return Ok(());
    }
    if sessions.is_empty() {
        out.notice("no sessions yet: `mitchell chat` starts one");
        return Ok(());
    }
    let name_width = sessions
        .iter()
        .map(|s| s.session.name.as_deref().map_or(1, str::len))
        .max()
        .unwrap_or(1)
        .max(4);
    let mut text = format!(
        "{:>5}  {:<name_width$}  {:<16}  {:>4}  TITLE\n",
        "ID", "NAME", "UPDATED", "MSGS"
    );
    for s in &sessions {
        let _ = writeln!(
            text,
            "{:>5}  {:<name_width$}  {:<16}  {:>4}  {}",
            s.session.id,
            s.session.name.as_deref().unwrap_or("-"),
            format_time(s.session.updated_at),
            s.messages,
            s.title.as_deref().unwrap_or(""),
        );
    }
    out.print(&text)?;
    Ok(())
}

fn search(db: &Store, text: &str, out: &mut Output) -> anyhow::Result<()> {
    let hits = db.search(text).map_err(StoreError::into_anyhow)?;
    if hits.is_empty() {
        out.notice(&format!("no message matches '{text}'"));
        return Ok(());
    }
    let mut lines = String::new();
    for hit in &hits {
        let session = hit
            .session_name
            .clone()
            .unwrap_or_else(|| format!("#{}", hit.session_id));
        let role = store::role_label(hit.role);
        let snippet = hit.snippet.split_whitespace().collect::<Vec<_>>().join(" ");
        let _ = writeln!(
            lines,
            "{session}\t{}\t{role}\t{snippet}",
            format_time(hit.created_at)
        );
    }
    out.print(&lines)?;
    Ok(())
}
