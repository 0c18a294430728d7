//! What `/load` shows of the session it loads: the last few turns (each question and the
//! answer it got), each message cut to a few lines, so the conversation can go on where it
//! stopped. Pure: rows in, text out; model text is cleaned of terminal escapes.

use std::fmt::Write as _;

use crate::llm::Role;
use crate::output::sanitize::Sanitizer;
use crate::store::export::speaker;
use crate::store::{Session, Status, StoredMessage};

/// Turns `/load` shows.
pub const TURNS: usize = 3;
/// Lines of one message shown before it is cut.
const LINES: usize = 6;
/// Characters of one message shown before it is cut.
const CHARS: usize = 600;

/// The last `turns` turns of `messages`, oldest first; empty when there are none.
pub fn recap(session: &Session, messages: &[StoredMessage], turns: usize) -> String {
    let starts: Vec<usize> = messages
        .iter()
        .enumerate()
        .filter(|(_, m)| m.role == Role::User)
        .map(|(i, _)| i)
        .collect();
    let first = starts.len().saturating_sub(turns);
    let mut text = String::new();
    if first > 0 {
        let _ = writeln!(text, "… {first} earlier turn(s)");
    }
    for (n, &start) in starts.iter().enumerate().skip(first) {
        let end = starts.get(n + 1).copied().unwrap_or(messages.len());
        let turn = &messages[start..end];
        push(&mut text, "You", &turn[0].content);
        let answer = turn[1..]
            .iter()
            .rev()
            .find(|m| m.role == Role::Assistant && !m.content.trim().is_empty());
        match answer {
            Some(m) => {
                let mut who = speaker(session, m);
                if m.status != Status::Complete {
                    let _ = write!(who, " [{}]", m.status);
                }
                push(&mut text, &who, &m.content);
            }
            None => text.push_str("(no answer)\n"),
        }
    }
    text
}

/// `who: ` and the message, cut to `LINES` lines and `CHARS` characters.
fn push(text: &mut String, who: &str, content: &str) {
    let clean = Sanitizer::default().clean(content.trim());
    let mut cut = clean.lines().count() > LINES;
    let mut shown: String = clean.lines().take(LINES).collect::<Vec<_>>().join("\n");
    if let Some((at, _)) = shown.char_indices().nth(CHARS) {
        shown.truncate(at);
        cut = true;
    }
    let _ = write!(text, "{who}: {shown}");
    if cut {
        text.push_str(" …");
    }
    text.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::Usage;
    use crate::store::SessionMeta;

    fn session() -> Session {
        Session {
            id: 1,
            name: None,
            created_at: 0,
            updated_at: 0,
            meta: SessionMeta {
                persona: Some("mitchell".into()),
                ..SessionMeta::default()
            },
        }
    }

    fn row(role: Role, content: &str, persona: Option<&str>) -> StoredMessage {
        StoredMessage {
            id: 0,
            session_id: 1,
            role,
            kind: "chat".into(),
            content: content.into(),
            status: Status::Complete,
            model: None,
            provider: None,
            persona: persona.map(str::to_owned),
            usage: Usage::default(),
            error: None,
            created_at: 0,
            updated_at: 0,
            tool_calls: Vec::new(),
            tool_call_id: None,
        }
    }

    #[test]
    fn the_last_turns_show_each_question_and_its_final_answer() {
        let mut rows = Vec::new();
        for i in 0..5 {
            rows.push(row(Role::User, &format!("question {i}"), None));
            rows.push(row(Role::Assistant, "", None));
            rows.push(row(Role::Tool, "tool output", None));
            rows.push(row(Role::Assistant, &format!("answer {i}"), Some("rowan")));
        }
        rows.push(row(Role::User, "left hanging", None));
        let text = recap(&session(), &rows, 3);
        assert_eq!(
            text,
            "… 3 earlier turn(s)\nYou: question 3\nRowan: answer 3\nYou: question 4\n\
             Rowan: answer 4\nYou: left hanging\n(no answer)\n"
        );
    }

    #[test]
    fn long_messages_are_cut_and_escapes_removed() {
        let long = (0..10)
            .map(|i| format!("line {i}"))
            .collect::<Vec<_>>()
            .join("\n");
        let rows = [
            row(Role::User, "q\x1b[2J", None),
            StoredMessage {
                status: Status::Interrupted,
                ..row(Role::Assistant, &long, None)
            },
        ];
        let text = recap(&session(), &rows, 3);
        assert_eq!(
            text,
            "You: q\nMitchell [interrupted]: line 0\nline 1\nline 2\nline 3\nline 4\nline 5 …\n"
        );
    }
}
