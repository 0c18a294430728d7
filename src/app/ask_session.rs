//! `ask --continue` / `ask --session NAME`: the one exchange of `ask`, inside a saved session.
//! The user's turn is committed before the request goes out, the session's history is sent
//! (fitted into the context budget, with a notice when turns are left out), and the reply is
//! recorded while it streams. Returns what `conversation::drive` returns, so `ask` prints it
//! as usual; Ctrl-C still ends in `Interrupted` (exit 130) after the partial reply is saved.

use crate::cli::AskArgs;
use crate::config::Settings;
use crate::conversation::{ExchangeOptions, budget};
use crate::llm::{ChatRequest, Message, Provider, Reply, Role};
use crate::output::Output;
use crate::repl::{chat::history, turn};
use crate::store::{ReplyRecorder, SessionMeta, Store, StoreError};

/// True when `ask` was asked to use a session.
pub fn wanted(args: &AskArgs) -> bool {
    args.r#continue || args.session.is_some()
}

/// Runs `request` (a system prompt and the new user message) as the next turn of the session.
pub fn drive(
    args: &AskArgs,
    settings: &Settings,
    provider: &dyn Provider,
    mut request: ChatRequest,
    out: &mut Output,
    options: ExchangeOptions,
    runtime: &tokio::runtime::Runtime,
) -> anyhow::Result<Reply> {
    let mut store = Store::open_default(&settings.paths).map_err(StoreError::into_anyhow)?;
    let meta = SessionMeta {
        persona: Some(settings.persona.value.clone()),
        provider: Some(provider.name().to_owned()),
        model: Some(provider.model().to_owned()),
    };
    let session = session_for(args, &mut store, &meta, out)?;
    let question = match request.messages.pop() {
        Some(m) if m.role == Role::User => m.content,
        _ => anyhow::bail!("ask built a request without a question"),
    };
    // Committed before the request goes out: a crash cannot lose what was asked.
    store.begin_turn(session.id, &question)?;
    let mut messages: Vec<Message> = request
        .messages
        .drain(..)
        .filter(|m| m.role == Role::System)
        .collect();
    messages.extend(history(&store.messages(session.id)?));
    let context = provider.context_window().unwrap_or(budget::DEFAULT_CONTEXT);
    let reserve = request.max_tokens.unwrap_or(budget::DEFAULT_RESERVE);
    let fitted = budget::fit(messages, context, reserve);
    if fitted.dropped_turns > 0 {
        out.warn(&format!(
            "{} earlier turn(s) of session {} left out to fit the model's context ({context} tokens)",
            fitted.dropped_turns,
            session.label()
        ));
    }
    request.messages = fitted.messages;
    let recorder = ReplyRecorder::start(
        &mut store,
        session.id,
        Some(provider.name()),
        Some(provider.model()),
    )?;
    let streamed = runtime.block_on(turn::stream_recorded(
        provider, request, out, options, &mut store, recorder,
    ))?;
    streamed.result
}

/// The session `ask` appends to: the named one (created if new), or the latest (a new one when
/// there is none yet).
fn session_for(
    args: &AskArgs,
    store: &mut Store,
    meta: &SessionMeta,
    out: &mut Output,
) -> anyhow::Result<crate::store::Session> {
    match &args.session {
        Some(name) => store.named_session(name, meta),
        None => match store.latest_session() {
            Ok(Some(latest)) => Ok(latest),
            Ok(None) => {
                out.notice("no earlier session: starting a new one");
                store.create_session(None, meta)
            }
            Err(err) => Err(err),
        },
    }
    .map_err(StoreError::into_anyhow)
}
