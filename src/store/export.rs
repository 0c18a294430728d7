//! Renders a session and its messages as markdown or JSON, for `sessions export` and `/export`.
//! A reply is headed by the persona that wrote it (`## Rowan`), or the session's persona for
//! rows saved before that was recorded. Pure: takes rows, returns text.

use std::fmt::Write as _;

use serde::Serialize;

use super::{Session, Status, StoredMessage, rfc3339};
use crate::llm::{Role, Usage};

/// A session as markdown: a title, then one section per message, every turn included.
pub fn markdown(session: &Session, messages: &[StoredMessage]) -> String {
    let mut out = format!("# Session {}\n\n", session.label());
    let mut facts = vec![format!("created {}", rfc3339(session.created_at))];
    if let Some(p) = &session.meta.persona {
        facts.push(format!("persona {p}"));
    }
    if let Some(m) = &session.meta.model {
        facts.push(format!("model {m}"));
    }
    let _ = writeln!(out, "_{}_", facts.join(" · "));
    for msg in messages {
        let who = match msg.role {
            Role::System => "System".to_owned(),
            Role::User => "You".to_owned(),
            Role::Assistant => speaker(session, msg),
            Role::Tool => "Tool result".to_owned(),
        };
        let mut heading = format!("\n## {who}");
        if msg.kind != "chat" && msg.kind != "tool" {
            let _ = write!(heading, " ({})", msg.kind);
        }
        match msg.status {
            Status::Complete => {}
            // Still streaming, or its process died mid-reply.
            Status::Streaming => heading.push_str(" [unfinished]"),
            other => {
                let _ = write!(heading, " [{other}]");
            }
        }
        if let Some(id) = &msg.tool_call_id {
            let _ = write!(heading, " ({id})");
        }
        out.push_str(&heading);
        out.push_str("\n\n");
        if msg.role == Role::Tool {
            out.push_str("```text\n");
            out.push_str(msg.content.trim_end());
            out.push_str("\n```\n");
        } else if !msg.content.trim().is_empty() || msg.tool_calls.is_empty() {
            out.push_str(msg.content.trim_end());
            out.push('\n');
        }
        for call in &msg.tool_calls {
            let _ = writeln!(
                out,
                "- calls `{}` `{}` ({})",
                call.name, call.arguments, call.id
            );
        }
        if let Some(err) = &msg.error {
            let _ = write!(out, "\n> error: {err}\n");
        }
    }
    out
}

/// Who wrote an assistant row, for a heading: its persona (else the session's, else the
/// built-in one) with a capital first letter.
pub fn speaker(session: &Session, msg: &StoredMessage) -> String {
    let name = msg
        .persona
        .as_deref()
        .or(session.meta.persona.as_deref())
        .unwrap_or("mitchell");
    let mut chars = name.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

#[derive(Serialize)]
struct JsonSession<'a> {
    id: i64,
    name: Option<&'a str>,
    created_at: String,
    updated_at: String,
    persona: Option<&'a str>,
    provider: Option<&'a str>,
    model: Option<&'a str>,
    messages: Vec<JsonMessage<'a>>,
}

#[derive(Serialize)]
struct JsonMessage<'a> {
    id: i64,
    role: Role,
    kind: &'a str,
    content: &'a str,
    status: Status,
    model: Option<&'a str>,
    provider: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    persona: Option<&'a str>,
    usage: Usage,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    tool_calls: &'a [crate::llm::ToolCall],
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_call_id: Option<&'a str>,
    created_at: String,
}

/// A session as one pretty-printed JSON object with its messages.
pub fn json(session: &Session, messages: &[StoredMessage]) -> String {
    let doc = JsonSession {
        id: session.id,
        name: session.name.as_deref(),
        created_at: rfc3339(session.created_at),
        updated_at: rfc3339(session.updated_at),
        persona: session.meta.persona.as_deref(),
        provider: session.meta.provider.as_deref(),
        model: session.meta.model.as_deref(),
        messages: messages
            .iter()
            .map(|m| JsonMessage {
                id: m.id,
                role: m.role,
                kind: &m.kind,
                content: &m.content,
                status: m.status,
                model: m.model.as_deref(),
                provider: m.provider.as_deref(),
                persona: (m.role == Role::Assistant)
                    .then(|| m.persona.as_deref().or(session.meta.persona.as_deref()))
                    .flatten(),
                usage: m.usage,
                error: m.error.as_deref(),
                tool_calls: &m.tool_calls,
                tool_call_id: m.tool_call_id.as_deref(),
                created_at: rfc3339(m.created_at),
            })
            .collect(),
    };
    // Serialising plain structs of strings and numbers cannot fail.
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}
