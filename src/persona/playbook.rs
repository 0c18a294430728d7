//! The playbook: for each question, the persona's positions that bear on it (`recall`), as one
//! extra system message placed right before the question — after the persona's system prompt,
//! so the local engine's cached persona prefix still matches. Request builders call `apply`
//! (one line); `mitchell persona recall` and `eval` use `picks`. Whether it runs is the
//! `playbook` setting: `auto` (the local provider only), `on` or `off`.

use super::positions::{self, Position};
use super::recall::{self, Pick};
use crate::config::Settings;
pub use crate::config::{PLAYBOOK_BUDGET as DEFAULT_BUDGET, Playbook};
use crate::llm::{Message, Role};

/// Opening line of the playbook message; the picked positions follow, one per line.
pub const HEADER: &str = "Positions you hold that bear on this question. Base your answer on them: \
                          start with the one that applies, keep its tools and numbers, and say no \
                          plainly when the question assumes the opposite.";

/// The configured persona's positions (none for a persona without those sections).
pub fn positions_of(settings: &Settings) -> anyhow::Result<Vec<Position>> {
    let (_, spec) = super::load_persona(&settings.persona.value, &settings.paths)?;
    Ok(positions::compile(&spec))
}

/// The positions recall picks for `question` within the configured budget.
pub fn picks<'a>(positions: &'a [Position], settings: &Settings, question: &str) -> Vec<Pick<'a>> {
    let budget = settings.playbook_budget.value as usize;
    recall::recall(positions, question, budget)
}

/// The text of the playbook message for the picked positions; `None` when nothing was picked.
pub fn message(picks: &[Pick<'_>]) -> Option<String> {
    if picks.is_empty() {
        return None;
    }
    let mut text = HEADER.to_owned();
    for pick in picks {
        text.push_str("\n- ");
        text.push_str(&pick.position.line());
    }
    Some(text)
}

/// The playbook message for `question` when the setting applies to this provider.
pub fn for_question(
    settings: &Settings,
    local: bool,
    question: &str,
) -> anyhow::Result<Option<String>> {
    if !settings.playbook.value.applies(local) {
        return Ok(None);
    }
    let all = positions_of(settings)?;
    Ok(message(&picks(&all, settings, question)))
}

/// Adds the playbook for the last user message of `messages`, as a system message right before
/// it. Does nothing when the setting does not apply, there is no user message or nothing bears
/// on it. Persona problems are usage errors (exit 2), as for the system prompt.
pub fn apply(settings: &Settings, local: bool, messages: &mut Vec<Message>) -> anyhow::Result<()> {
    let Some(at) = messages.iter().rposition(|m| m.role == Role::User) else {
        return Ok(());
    };
    if let Some(text) = for_question(settings, local, &messages[at].content)? {
        messages.insert(at, Message::system(text));
    }
    Ok(())
}
