//! Carrying out slash commands against a `Chat` (the document commands live in `documents`). Each returns whether the REPL goes on; an
//! error is printed by the loop and the REPL carries on.

use std::fmt::Write as _;
use std::process::Command as Process;

use super::chat::Chat;
use super::command::{COMMANDS, Command, expand_home};
use super::editor::LineEditor;
use crate::cli::ExportFormat;
use crate::documents::Kind;
use crate::output::{Output, clipboard};
use crate::store::{export, format_time};

/// `/mcp`: every MCP server (started if it was not), its state and tools.
fn mcp_servers(chat: &Chat, rt: &tokio::runtime::Runtime, out: &mut Output) -> std::io::Result<()> {
    let reports = match &chat.mcp {
        Some(servers) => rt.block_on(async {
            servers.start(out).await;
            servers.report().await
        }),
        None => Vec::new(),
    };
    out.print(&crate::tools::mcp::report_text(&reports))
}

/// What the loop does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// Send this text as a message (from `/edit`).
    Send(String),
    Quit,
}

/// Runs one command (`/health` reads its answers through `editor`).
pub fn run(
    cmd: Command,
    chat: &mut Chat,
    editor: &mut LineEditor,
    rt: &tokio::runtime::Runtime,
    out: &mut Output,
) -> anyhow::Result<Flow> {
    match cmd {
        Command::Help => out.print(&help())?,
        Command::Quit => return Ok(Flow::Quit),
        Command::Persona(name) => {
            let old = std::mem::replace(&mut chat.settings.persona.value, name);
            if let Err(err) = chat.system_prompt() {
                chat.settings.persona.value = old;
                return Err(err);
            }
            chat.touch_meta()?;
            out.notice(&format!("persona: {}", chat.settings.persona.value));
        }
        Command::Model(name) => {
            chat.switch(Some(name), None, out)?;
            out.notice(&format!("model: {}", chat.provider.model()));
        }
        Command::Provider(name) => {
            known_provider(chat, &name)?;
            chat.switch(None, Some(name), out)?;
            out.notice(&format!(
                "provider: {} ({})",
                chat.provider.name(),
                chat.provider.model()
            ));
        }
        Command::Detail(detail) => {
            chat.options.detail = Some(detail);
            out.notice(&format!("detail: {detail}"));
        }
        Command::System(text) => {
            let cleared = text.is_empty();
            chat.options.system = (!cleared).then_some(text);
            out.notice(if cleared {
                "system: cleared"
            } else {
                "system: added to the prompt"
            });
        }
        Command::New => {
            chat.session = None;
            out.notice("new session");
        }
        Command::Sessions => out.print(&sessions(chat)?)?,
        Command::Load(key) => load(chat, &key, out)?,
        Command::File(path) => attach(chat, &path, out)?,
        Command::Copy => copy(chat, out)?,
        Command::Rename(name) => {
            let session = chat.session(out)?;
            chat.store.rename_session(session.id, &name)?;
            chat.session = chat.store.session(session.id)?;
            out.notice(&format!("session renamed to {}", name.trim()));
        }
        Command::Export { format, file } => {
            let session = chat
                .session
                .clone()
                .ok_or_else(|| anyhow::anyhow!("nothing to export yet"))?;
            let messages = chat.store.messages(session.id)?;
            let text = match format {
                ExportFormat::Md => export::markdown(&session, &messages),
                ExportFormat::Json => export::json(&session, &messages),
            };
            match file {
                Some(path) => {
                    std::fs::write(&path, text)
                        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
                    out.notice(&format!("exported to {}", path.display()));
                }
                None => out.print(&text)?,
            }
        }
        Command::Retry => chat.send(None, rt, out)?,
        Command::Postmortem(text) => {
            super::documents::draft(chat, Kind::Postmortem, &text, rt, out)?;
        }
        Command::Overview(text) => super::documents::draft(chat, Kind::Overview, &text, rt, out)?,
        Command::Health => super::documents::health(chat, editor, out)?,
        Command::Usage => out.print(&usage(chat)?)?,
        Command::Mcp => mcp_servers(chat, rt, out)?,
        Command::Edit => {
            let text = edit(chat)?;
            if text.trim().is_empty() {
                out.notice("empty message: nothing sent");
            } else {
                return Ok(Flow::Send(text));
            }
        }
    }
    Ok(Flow::Continue)
}

fn help() -> String {
    let mut text = String::from("Commands:\n");
    for c in COMMANDS {
        let usage = format!("/{} {}", c.name, c.args);
        let _ = writeln!(text, "  {:<28} {}", usage.trim_end(), c.about);
    }
    text.push_str(
        "\nEnter sends; a pasted block is one message; \"\"\" starts and ends a multi-line \
         message.\nCtrl-C cancels a reply or clears the line; Ctrl-D quits.\n",
    );
    text
}

fn sessions(chat: &Chat) -> anyhow::Result<String> {
    let current = chat.session.as_ref().map(|s| s.id);
    let list = chat.store.list_sessions()?;
    if list.is_empty() {
        return Ok("no sessions yet\n".into());
    }
    let mut text = String::new();
    for s in list.iter().take(20) {
        let mark = if Some(s.session.id) == current {
            '*'
        } else {
            ' '
        };
        let _ = writeln!(
            text,
            "{mark} {:>4}  {:<16}  {}  {:>3} msgs  {}",
            s.session.id,
            s.session.name.as_deref().unwrap_or("-"),
            format_time(s.session.updated_at),
            s.messages,
            s.title.as_deref().unwrap_or("")
        );
    }
    if list.len() > 20 {
        let _ = writeln!(text, "… {} more: mitchell sessions list", list.len() - 20);
    }
    Ok(text)
}

fn usage(chat: &Chat) -> anyhow::Result<String> {
    let mut stored = crate::llm::Usage::default();
    if let Some(s) = &chat.session {
        for m in chat.store.messages(s.id)? {
            crate::conversation::turn::add_usage(&mut stored, &m.usage);
        }
    }
    let n = |v: Option<u64>| v.map_or_else(|| "-".to_owned(), |v| v.to_string());
    Ok(format!(
        "this session: {} prompt + {} completion = {} tokens\nsince start:  {} prompt + {} completion = {} tokens\n",
        n(stored.prompt_tokens),
        n(stored.completion_tokens),
        n(stored.total_tokens),
        n(chat.usage.prompt_tokens),
        n(chat.usage.completion_tokens),
        n(chat.usage.total_tokens),
    ))
}

/// `/provider NAME` names `local` or a configured provider: the same check (and words) as
/// `--provider`. An unknown one is an error and the current provider stays.
fn known_provider(chat: &Chat, name: &str) -> anyhow::Result<()> {
    if name == "local" || chat.settings.providers.contains_key(name) {
        return Ok(());
    }
    let mut known: Vec<&str> = chat.settings.providers.keys().map(String::as_str).collect();
    known.push("local");
    Err(crate::config::ConfigError::UnknownProvider {
        name: name.to_owned(),
        known: known.join(", "),
    }
    .into())
}

/// `/load`: switches to the session and prints its last turns.
fn load(chat: &mut Chat, key: &str, out: &mut Output) -> anyhow::Result<()> {
    let session = chat.store.resolve_session(key)?;
    let messages = chat.store.messages(session.id)?;
    out.notice(&format!(
        "loaded session {} ({} messages)",
        session.label(),
        messages.len()
    ));
    out.print(&super::recap::recap(
        &session,
        &messages,
        super::recap::TURNS,
    ))?;
    chat.session = Some(session);
    Ok(())
}

/// `/file PATH`: reads the file now; it goes before the next message.
fn attach(chat: &mut Chat, path: &str, out: &mut Output) -> anyhow::Result<()> {
    let path = expand_home(path, chat.env.non_empty("HOME"));
    let size = chat.attachments.add(&path, chat.settings.max_input.value)?;
    out.notice(&format!(
        "attached {} ({size} bytes): it goes with your next message",
        path.display()
    ));
    Ok(())
}

/// `/copy`: the session's last answer to the clipboard through the terminal (OSC 52), with a
/// notice that says how it went; an error when there is no answer or no terminal.
fn copy(chat: &Chat, out: &mut Output) -> anyhow::Result<()> {
    let messages = match &chat.session {
        Some(s) => chat.store.messages(s.id)?,
        None => Vec::new(),
    };
    let Some(answer) = messages
        .iter()
        .rev()
        .find(|m| m.role == crate::llm::Role::Assistant && !m.content.trim().is_empty())
    else {
        anyhow::bail!("nothing to copy yet: no answer in this session");
    };
    let Some(target) = out.copy_to_clipboard(&answer.content)? else {
        anyhow::bail!(
            "cannot copy: neither stderr nor stdout is a terminal, and the clipboard is set \
             through the terminal (OSC 52)"
        );
    };
    let bytes = answer.content.len();
    if clipboard::known_support(&chat.env) {
        out.notice(&format!(
            "copied the last answer ({bytes} bytes) to the clipboard"
        ));
    } else {
        out.notice(&format!(
            "sent the last answer ({bytes} bytes) to the terminal as an OSC 52 clipboard \
             sequence on {}; this terminal is not known to support it, so check the clipboard",
            target.name()
        ));
    }
    Ok(())
}

/// Opens `$VISUAL`/`$EDITOR` (else `vi`) on a draft file and returns what was written.
fn edit(chat: &Chat) -> anyhow::Result<String> {
    let editor = chat
        .env
        .non_empty("VISUAL")
        .or_else(|| chat.env.non_empty("EDITOR"))
        .unwrap_or("vi")
        .to_owned();
    let dir = &chat.settings.paths.data_dir;
    // The data directory holds conversations: readable by the user only.
    crate::config::create_private_dir(dir)?;
    let draft = dir.join(format!("draft-{}.md", std::process::id()));
    std::fs::write(&draft, "")?;
    // Through the shell so `EDITOR="code -w"` works; the path is passed as an argument.
    let status = Process::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(&draft)
        .status()
        .map_err(|e| anyhow::anyhow!("cannot run the editor `{editor}`: {e}"))?;
    let text = std::fs::read_to_string(&draft).unwrap_or_default();
    let _ = std::fs::remove_file(&draft);
    if !status.success() {
        anyhow::bail!("the editor `{editor}` exited with {status}; nothing sent");
    }
    Ok(text.trim_end().to_owned())
}
