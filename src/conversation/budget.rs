//! The context budget: before each request, history that would not fit the model's context
//! minus the reply reserve is dropped oldest-first, one whole turn (a user message and its
//! replies) at a time. The system prompt and the newest user message always stay. Returns how
//! many turns were dropped so the caller can say so on stderr; it is never silent. Pure.

use crate::llm::{Message, Role};

/// Context assumed when the provider does not report its window.
pub const DEFAULT_CONTEXT: u32 = 32_768;
/// Tokens kept free for the reply when no `max_tokens` is set.
pub const DEFAULT_RESERVE: u32 = 1_024;
/// Tokens a message costs beyond its text (role markers, separators).
const PER_MESSAGE: usize = 4;

/// A rough token count: a quarter of the characters, plus the per-message overhead.
pub fn estimate_tokens(message: &Message) -> usize {
    message.content.chars().count().div_ceil(4) + PER_MESSAGE
}

/// The messages that fit, and how many turns were left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fitted {
    pub messages: Vec<Message>,
    pub dropped_turns: usize,
}

/// Fits `messages` (an optional leading system prompt, then the conversation ending with the
/// new user message) into `context` tokens minus `reserve`.
pub fn fit(messages: Vec<Message>, context: u32, reserve: u32) -> Fitted {
    let limit = context.saturating_sub(reserve) as usize;
    let total: usize = messages.iter().map(estimate_tokens).sum();
    if total <= limit {
        return Fitted {
            messages,
            dropped_turns: 0,
        };
    }
    let system_len = usize::from(messages.first().is_some_and(|m| m.role == Role::System));
    // Turn boundaries: the index of each user message after the system prompt.
    let starts: Vec<usize> = messages
        .iter()
        .enumerate()
        .skip(system_len)
        .filter(|(_, m)| m.role == Role::User)
        .map(|(i, _)| i)
        .collect();
    let mut used = total;
    let mut cut = system_len;
    let mut dropped_turns = 0;
    // A turn runs to the next user message; the last user message (the question) is never
    // dropped. Anything before the first user message goes with the first turn.
    for &end in starts.iter().skip(1) {
        if used <= limit {
            break;
        }
        used -= messages[cut..end]
            .iter()
            .map(estimate_tokens)
            .sum::<usize>();
        cut = end;
        dropped_turns += 1;
    }
    let mut kept: Vec<Message> = messages[..system_len].to_vec();
    kept.extend_from_slice(&messages[cut..]);
    Fitted {
        messages: kept,
        dropped_turns,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convo(turns: usize, chars: usize) -> Vec<Message> {
        let mut m = vec![Message::system("s".repeat(40))];
        for i in 0..turns {
            m.push(Message::user(format!("{i}{}", "u".repeat(chars))));
            m.push(Message::assistant("a".repeat(chars)));
        }
        m.push(Message::user("now?"));
        m
    }

    #[test]
    fn everything_fits_nothing_is_dropped() {
        let m = convo(3, 40);
        let f = fit(m.clone(), 10_000, 1_000);
        assert_eq!(f.messages, m);
        assert_eq!(f.dropped_turns, 0);
    }

    #[test]
    fn oldest_turns_go_first_and_the_system_prompt_stays() {
        // Each turn is (101 + 4) + (100 + 4) = 209 tokens; system 14; question 5.
        let m = convo(5, 400);
        let f = fit(m.clone(), 14 + 5 + 2 * 209 + 100, 100);
        assert_eq!(f.dropped_turns, 3);
        assert_eq!(f.messages[0], m[0]);
        assert!(f.messages[1].content.starts_with('3'));
        assert_eq!(f.messages.len(), 1 + 2 * 2 + 1);
        assert_eq!(f.messages.last(), m.last());
    }

    #[test]
    fn the_new_question_stays_even_when_nothing_else_fits() {
        let m = convo(2, 4000);
        let f = fit(m.clone(), 50, 40);
        assert_eq!(f.dropped_turns, 2);
        assert_eq!(f.messages, vec![m[0].clone(), m[5].clone()]);
    }

    #[test]
    fn without_a_system_prompt_turns_are_still_whole() {
        let mut m = convo(3, 400);
        m.remove(0);
        let f = fit(m, 5 + 209 + 10, 0);
        assert_eq!(f.dropped_turns, 2);
        assert_eq!(f.messages[0].role, Role::User);
        assert!(f.messages[0].content.starts_with('2'));
    }
}
