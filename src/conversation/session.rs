//! One turn inside a saved session, for `ask` and the REPL: the user's message is committed
//! before anything is sent, the session's history (with earlier tool steps) is rebuilt and
//! fitted into the context budget (a notice says what was left out), and the turn runs through
//! `run_turn` with a `TurnRecorder` saving every step as it happens. A store failure during
//! the turn is reported as a warning that the turn was not (fully) saved; it never hides the
//! answer.

use super::budget;
use super::exchange::ExchangeOptions;
use super::history::history;
use super::record::TurnRecorder;
use super::turn::{Toolbox, TurnEnd, TurnLimits, Unobserved, run_turn};
use crate::llm::{ChatRequest, Message, Provider, Role};
use crate::output::Output;
use crate::store::{Session, Store};

/// What one session turn needs besides the provider and the store.
pub struct SessionTurn<'a> {
    /// The system prompt (and any other leading system messages).
    pub system: Vec<Message>,
    /// The new message; `None` answers the last one again (`/retry`).
    pub text: Option<&'a str>,
    /// Sampling, limits and streaming of every request; its messages are ignored.
    pub request: ChatRequest,
    pub limits: TurnLimits,
    pub options: ExchangeOptions,
    /// The persona's recalled positions go in before the question (settings, local provider).
    pub playbook: Option<(&'a crate::config::Settings, bool)>,
    /// The persona answering, recorded on each reply (exports label replies by it).
    pub persona: &'a str,
}

/// How a session turn ended: the turn (or the error that stopped it, already stored with it),
/// and whether every row of it was saved (a warning said so when not).
pub struct SessionTurnEnd {
    pub result: anyhow::Result<TurnEnd>,
    pub saved: bool,
}

/// Runs one turn of `session`. `Err` only when the session's history cannot be read. When the
/// user's message cannot be committed (a read-only or full disk) the turn still runs from
/// memory, nothing of it is written, and one warning says it was not saved.
pub async fn run_session_turn(
    provider: &dyn Provider,
    store: &mut Store,
    session: &Session,
    turn: SessionTurn<'_>,
    toolbox: Option<&mut dyn Toolbox>,
    out: &mut Output,
) -> anyhow::Result<SessionTurnEnd> {
    // Committed before the request goes out: a crash cannot lose what was asked.
    let unsaved = turn
        .text
        .and_then(|text| store.begin_turn(session.id, text).err());
    let mut conversation = history(&store.messages(session.id)?);
    if let (Some(text), Some(_)) = (turn.text, &unsaved) {
        conversation.push(Message::user(text));
    }
    // `/retry`: everything after the last user message goes.
    if let Some(last_user) = conversation.iter().rposition(|m| m.role == Role::User) {
        conversation.truncate(last_user + 1);
    } else {
        anyhow::bail!("nothing to retry yet");
    }
    let mut messages = turn.system;
    messages.extend(conversation);
    let context = provider.context_window().unwrap_or(budget::DEFAULT_CONTEXT);
    let reserve = turn.request.max_tokens.unwrap_or(budget::DEFAULT_RESERVE);
    let fitted = budget::fit(messages, context, reserve);
    if fitted.dropped_turns > 0 {
        out.warn(&format!(
            "{} earlier turn(s) of session {} left out to fit the model's context ({context} tokens)",
            fitted.dropped_turns,
            session.label()
        ));
    }
    let mut messages = fitted.messages;
    if let Some((settings, local)) = turn.playbook {
        crate::persona::playbook::apply(settings, local, &mut messages)?;
    }
    let request = ChatRequest {
        messages,
        ..turn.request
    };
    if let Some(err) = unsaved {
        // Replies without the question they answer would corrupt the history: write nothing.
        let result = run_turn(
            provider,
            request,
            toolbox,
            turn.limits,
            out,
            turn.options,
            &mut Unobserved,
        )
        .await;
        out.warn(&format!(
            "this turn is not saved in session {}: {err}",
            session.label()
        ));
        return Ok(SessionTurnEnd {
            result,
            saved: false,
        });
    }
    let mut recorder = TurnRecorder::new(store, session.id, provider, Some(turn.persona));
    let result = run_turn(
        provider,
        request,
        toolbox,
        turn.limits,
        out,
        turn.options,
        &mut recorder,
    )
    .await;
    let error = result.as_ref().err().map(ToString::to_string);
    let failed = recorder.finish(error.as_deref());
    if let Some(err) = &failed {
        out.warn(&format!(
            "this turn was not fully saved in session {}: {err}",
            session.label()
        ));
    }
    Ok(SessionTurnEnd {
        result,
        saved: failed.is_none(),
    })
}
