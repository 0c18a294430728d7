//! The interactive loop (`mitchell chat`): the editor (`editor`, the only rustyline user),
//! slash-command parsing (`command`, pure) and execution (`commands`), the REPL's state and one
//! turn (`chat`), and the stream driver that persists replies (`turn`). Ctrl-C while a reply
//! streams cancels it and keeps the partial reply; Ctrl-C on a line clears it; Ctrl-D exits 0.
//! An error in one turn is printed and the loop carries on. A message the intent router maps
//! to a document is drafted as that document (`documents`) unless routing is off (`--no-route`).

pub mod chat;
pub mod command;
pub mod commands;
pub mod documents;
pub mod editor;
pub mod recap;

use crate::error::ExitStatus;
use crate::output::Output;

use chat::Chat;
use command::Input;
use commands::Flow;
use editor::{LineEditor, Names, Read};

/// Runs the REPL until `/quit` or Ctrl-D.
pub fn run(
    mut chat: Chat,
    rt: &tokio::runtime::Runtime,
    out: &mut Output,
) -> anyhow::Result<ExitStatus> {
    let mut editor = LineEditor::new(chat.settings.paths.history())?;
    match &chat.session {
        Some(s) => out.notice(&format!(
            "session {} · /help for commands · Ctrl-D to quit",
            s.label()
        )),
        None => out.notice("/help for commands · Ctrl-D to quit"),
    }
    loop {
        editor.set_names(names(&chat));
        let line = match editor.read(&chat.prompt())? {
            Read::Line(line) => line,
            Read::Cleared => continue,
            Read::Eof => return Ok(ExitStatus::Success),
        };
        editor.remember(&line);
        let text = editor::message_text(&line);
        let flow = match command::parse(&text) {
            Ok(Input::Empty) => Ok(Flow::Continue),
            Ok(Input::Message(text)) => Ok(Flow::Send(text)),
            Ok(Input::Command(cmd)) => commands::run(cmd, &mut chat, &mut editor, rt, out),
            Err(err) => {
                out.warn(&err.to_string());
                Ok(Flow::Continue)
            }
        };
        let flow = flow.and_then(|flow| match flow {
            Flow::Send(text) => send(&mut chat, &text, rt, out).map(|()| Flow::Continue),
            other => Ok(other),
        });
        match flow {
            Ok(Flow::Quit) => return Ok(ExitStatus::Success),
            Ok(_) => {}
            Err(err) => {
                crate::report::report(&err, out);
            }
        }
    }
}

/// Sends a message, with any attached files before it: to a document's drafting path when the
/// router says so (`→ kind` on stderr), otherwise to the model as chat.
fn send(
    chat: &mut Chat,
    text: &str,
    rt: &tokio::runtime::Runtime,
    out: &mut Output,
) -> anyhow::Result<()> {
    let route = chat
        .options
        .route
        .then(|| crate::documents::router::route(text).route.kind())
        .flatten();
    // The router reads what was typed; the files waiting go before it either way.
    let text = chat.attachments.take_into(text);
    if let Some(kind) = route {
        out.notice(&format!("→ {}", kind.name()));
        return documents::draft(chat, kind, &text, rt, out);
    }
    chat.send(Some(&text), rt, out)
}

/// Persona and session names for Tab completion: every persona the persona module lists
/// (built-in and user), the named sessions, and the home folder for `/file ~/…`.
fn names(chat: &Chat) -> Names {
    let listed = crate::persona::load::list(&chat.settings.paths.personas_dir());
    let mut personas: Vec<String> = listed.map_or_else(
        |_| vec!["mitchell".to_owned()],
        |all| all.into_iter().map(|p| p.name).collect(),
    );
    personas.sort();
    personas.dedup();
    Names {
        personas,
        sessions: chat.store.session_names().unwrap_or_default(),
        home: chat.env.non_empty("HOME").map(str::to_owned),
    }
}
