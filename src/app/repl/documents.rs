//! The REPL's documents: `/postmortem [TEXT]` and `/overview [TEXT]` draft from the text (or,
//! with none, from the user's messages so far), a routed free-text request drafts the same way,
//! and `/health` asks for each value through the line editor. Every document is printed on
//! stdout and stored in the session (`Store::add_document`); drafting itself is
//! `app::documents::draft_document`'s job, with the REPL's own provider, runtime and system
//! prompt (`/detail` and `/system` apply to drafts too).

use jiff::Timestamp;

use super::chat::Chat;
use super::editor::{LineEditor, Read};
use crate::documents::{Document, Kind, interview};
use crate::llm::Role;
use crate::output::Output;

/// Drafts `kind` from `text` (empty: from the conversation so far), prints it and stores it.
/// Given text is committed as the user's turn before the model is asked.
pub fn draft(
    chat: &mut Chat,
    kind: Kind,
    text: &str,
    rt: &tokio::runtime::Runtime,
    out: &mut Output,
) -> anyhow::Result<()> {
    let source = if text.trim().is_empty() {
        let said = conversation(chat)?;
        if said.trim().is_empty() {
            anyhow::bail!(
                "nothing to draft the {} from yet: give notes after /{} or talk about it first",
                kind.title(),
                command_name(kind)
            );
        }
        said
    } else {
        let session = chat.session(out)?;
        chat.store.begin_turn(session.id, text)?;
        text.to_owned()
    };
    let system = chat.system_prompt()?;
    let Some(doc) = crate::app::documents::draft_document(
        &chat.settings,
        chat.provider.as_ref(),
        &system,
        kind,
        &source,
        out,
        rt,
    )?
    else {
        // The errors and the saved draft's path are already printed.
        return Ok(());
    };
    store(chat, &doc, out)
}

/// `/health`: the interview through the editor (Enter skips; Ctrl-C cancels; Ctrl-D stops
/// asking), then the scored checklist, printed and stored.
pub fn health(chat: &mut Chat, editor: &mut LineEditor, out: &mut Output) -> anyhow::Result<()> {
    out.notice("weekly health check: answer each value, Enter skips it, Ctrl-D stops asking");
    let check = interview::interview(|prompt| match editor.read(prompt)? {
        Read::Line(line) => Ok(Some(line)),
        Read::Eof => Ok(None),
        Read::Cleared => Err(anyhow::anyhow!("/health cancelled")),
    })?;
    store(chat, &Document::HealthCheck(check), out)
}

/// Prints the markdown and keeps it in the session.
fn store(chat: &mut Chat, doc: &Document, out: &mut Output) -> anyhow::Result<()> {
    let markdown = doc.to_markdown(Timestamp::now())?;
    out.print(&markdown)?;
    let session = chat.session(out)?;
    chat.store
        .add_document(session.id, doc.kind().name(), &markdown)?;
    out.notice(&format!(
        "{} stored in session {}",
        doc.kind().title(),
        session.label()
    ));
    Ok(())
}

/// The user's messages in the current session and what the agent's probes returned, oldest
/// first, separated by blank lines.
fn conversation(chat: &Chat) -> anyhow::Result<String> {
    let Some(session) = &chat.session else {
        return Ok(String::new());
    };
    let said: Vec<String> = chat
        .store
        .messages(session.id)?
        .into_iter()
        .filter_map(|m| match m.role {
            Role::User => Some(m.content),
            Role::Tool => Some(format!(
                "What a probe of the system returned:\n{}",
                m.content
            )),
            _ => None,
        })
        .collect();
    Ok(said.join("\n\n"))
}

/// The slash command for a document.
fn command_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Postmortem => "postmortem",
        Kind::Overview => "overview",
        Kind::HealthCheck => "health",
    }
}
