//! The conversation to send, rebuilt from a session's stored rows: user turns, assistant
//! replies (with the tool calls they asked for) and `tool` results, in order. Per user turn only
//! the newest attempt is kept (a `/retry` replaces the reply before it); failed and empty
//! replies are left out; a call whose result never arrived (the process died between steps)
//! gets a result saying so, because the chat API refuses a call without its result. Pure.

use crate::llm::{Message, Role};
use crate::store::{Status, StoredMessage};

/// What a call is answered with when its result was never stored.
pub const MISSING_RESULT: &str = "(no result: the turn was interrupted before this call ran)";

/// The messages of `rows`, ready to follow a system prompt.
pub fn history(rows: &[StoredMessage]) -> Vec<Message> {
    let mut out = Vec::new();
    let mut attempt: Vec<Message> = Vec::new();
    // The newest complete attempt of the current turn (an attempt ends with a text reply).
    let mut kept: Vec<Message> = Vec::new();
    let flush = |out: &mut Vec<Message>, kept: &mut Vec<Message>, attempt: &mut Vec<Message>| {
        let chosen = if attempt.is_empty() {
            std::mem::take(kept)
        } else {
            kept.clear();
            std::mem::take(attempt)
        };
        out.extend(close_calls(chosen));
    };
    for row in rows {
        match row.role {
            Role::User => {
                flush(&mut out, &mut kept, &mut attempt);
                out.push(Message::user(row.content.clone()));
            }
            Role::Assistant if row.status == Status::Failed => {}
            Role::Assistant if !row.tool_calls.is_empty() => {
                attempt.push(Message::assistant_calls(
                    row.content.clone(),
                    row.tool_calls.clone(),
                ));
            }
            Role::Assistant if !row.content.trim().is_empty() => {
                attempt.push(Message::assistant(row.content.clone()));
                kept = std::mem::take(&mut attempt);
            }
            Role::Tool => {
                let id = row.tool_call_id.clone().unwrap_or_default();
                attempt.push(Message::tool(id, row.content.clone()));
            }
            _ => {}
        }
    }
    flush(&mut out, &mut kept, &mut attempt);
    out
}

/// Gives every call a result: results are matched by id, missing ones filled in, stray ones
/// (a result without its call) dropped.
fn close_calls(messages: Vec<Message>) -> Vec<Message> {
    let mut out: Vec<Message> = Vec::new();
    let mut open: Vec<String> = Vec::new();
    let close = |out: &mut Vec<Message>, open: &mut Vec<String>| {
        for id in open.drain(..) {
            out.push(Message::tool(id, MISSING_RESULT));
        }
    };
    for m in messages {
        if m.role == Role::Tool {
            let id = m.tool_call_id.clone().unwrap_or_default();
            if let Some(i) = open.iter().position(|o| *o == id) {
                open.remove(i);
                out.push(m);
            }
        } else {
            close(&mut out, &mut open);
            open = m.tool_calls.iter().map(|c| c.id.clone()).collect();
            out.push(m);
        }
    }
    close(&mut out, &mut open);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::{ToolCall, Usage};

    fn row(role: Role, content: &str, status: Status) -> StoredMessage {
        StoredMessage {
            id: 0,
            session_id: 1,
            role,
            kind: "chat".into(),
            content: content.into(),
            status,
            model: None,
            provider: None,
            persona: None,
            usage: Usage::default(),
            error: None,
            created_at: 0,
            updated_at: 0,
            tool_calls: Vec::new(),
            tool_call_id: None,
        }
    }

    fn calls(id: &str) -> StoredMessage {
        StoredMessage {
            tool_calls: vec![ToolCall {
                id: id.into(),
                name: "run_command".into(),
                arguments: "{}".into(),
            }],
            ..row(Role::Assistant, "", Status::Complete)
        }
    }

    fn result(id: &str, text: &str) -> StoredMessage {
        StoredMessage {
            tool_call_id: Some(id.into()),
            ..row(Role::Tool, text, Status::Complete)
        }
    }

    fn texts(h: &[Message]) -> Vec<String> {
        h.iter()
            .map(|m| match (&m.tool_call_id, m.tool_calls.first()) {
                (Some(id), _) => format!("tool {id}: {}", m.content),
                (None, Some(c)) => format!("calls {}", c.id),
                _ => m.content.clone(),
            })
            .collect()
    }

    #[test]
    fn history_keeps_the_newest_reply_and_skips_failed_ones() {
        let rows = [
            row(Role::User, "q1", Status::Complete),
            row(Role::Assistant, "a1", Status::Complete),
            row(Role::Assistant, "a1 again", Status::Interrupted),
            row(Role::User, "q2", Status::Complete),
            row(Role::Assistant, "half", Status::Failed),
            row(Role::User, "q3", Status::Complete),
        ];
        assert_eq!(texts(&history(&rows)), ["q1", "a1 again", "q2", "q3"]);
    }

    #[test]
    fn tool_steps_are_replayed_in_order_with_their_results() {
        let rows = [
            row(Role::User, "disk?", Status::Complete),
            calls("c1"),
            result("c1", "41%"),
            row(Role::Assistant, "41% used", Status::Complete),
            row(Role::User, "thanks", Status::Complete),
        ];
        assert_eq!(
            texts(&history(&rows)),
            ["disk?", "calls c1", "tool c1: 41%", "41% used", "thanks"]
        );
    }

    #[test]
    fn a_call_without_its_result_gets_one_and_a_retry_replaces_the_whole_attempt() {
        let rows = [
            row(Role::User, "disk?", Status::Complete),
            calls("c1"),
            result("c1", "41%"),
            row(Role::Assistant, "41% used", Status::Complete),
            calls("c2"),
        ];
        let h = history(&rows);
        assert_eq!(
            texts(&h),
            ["disk?", "calls c2", &format!("tool c2: {MISSING_RESULT}")]
        );
    }
}
