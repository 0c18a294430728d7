//! Where an `ask` exchange is kept. Every exchange is saved by default, one new session per
//! invocation (as `llm` logs every prompt), so `sessions search` finds it and `ask --continue`
//! picks it up; `--session NAME` appends to that session (created if new), `--continue` to the
//! latest one, and `--no-save` / `save: false` keep nothing. When the database cannot be opened
//! or written (read-only, full, damaged) the answer still comes, with one warning that it was
//! not saved; for a session the user named that is a failure (exit 1 after the answer), for
//! the default save only the warning. A bad session name is a usage error before anything runs.

use crate::cli::AskArgs;
use crate::config::Settings;
use crate::conversation::ExchangeOptions;
use crate::conversation::session::{SessionTurn, run_session_turn};
use crate::conversation::turn::{Toolbox, TurnEnd, TurnLimits, Unobserved, run_turn};
use crate::llm::{ChatRequest, Message, Provider, Role};
use crate::output::Output;
use crate::store::{Session, SessionMeta, Store, StoreError};

/// True when `ask` was asked to use a particular session.
pub fn named(args: &AskArgs) -> bool {
    args.r#continue || args.session.is_some()
}

/// True when the exchange is to be saved at all.
pub fn saving(args: &AskArgs, settings: &Settings) -> bool {
    named(args) || (!args.no_save && settings.save.value)
}

/// How an `ask` turn ended, and whether a session the user named failed to keep it.
pub struct Asked {
    pub end: TurnEnd,
    /// `--session`/`--continue` was given and the turn is not (fully) in that session.
    pub not_saved: bool,
}

/// Runs `request` (a system prompt and the new user message) as one turn, saved as `args`
/// and the settings say.
#[allow(clippy::too_many_arguments)] // one call site, each argument a different concern
pub fn run(
    args: &AskArgs,
    settings: &Settings,
    provider: &dyn Provider,
    mut request: ChatRequest,
    toolbox: Option<&mut dyn Toolbox>,
    limits: TurnLimits,
    out: &mut Output,
    options: ExchangeOptions,
    runtime: &tokio::runtime::Runtime,
) -> anyhow::Result<Asked> {
    let saving = saving(args, settings);
    let opened = if saving {
        open(args, settings, provider, out)?
    } else {
        None
    };
    let Some((mut store, session)) = opened else {
        let end = runtime.block_on(run_turn(
            provider,
            request,
            toolbox,
            limits,
            out,
            options,
            &mut Unobserved,
        ))?;
        return Ok(Asked {
            end,
            not_saved: saving && named(args),
        });
    };
    let question = match request.messages.pop() {
        Some(m) if m.role == Role::User => m.content,
        _ => anyhow::bail!("ask built a request without a question"),
    };
    // The persona's system prompt; the recalled positions are placed again before the question
    // once the history is fitted.
    let system: Vec<Message> = request
        .messages
        .drain(..)
        .filter(|m| m.role == Role::System)
        .take(1)
        .collect();
    let turn = SessionTurn {
        system,
        text: Some(&question),
        request,
        limits,
        options,
        playbook: Some((settings, provider.is_local())),
        persona: &settings.persona.value,
    };
    let ended = runtime.block_on(run_session_turn(
        provider, &mut store, &session, turn, toolbox, out,
    ))?;
    Ok(Asked {
        end: ended.result?,
        not_saved: !ended.saved && named(args),
    })
}

/// The store and the session this exchange goes to; `None` when the default save is not
/// possible (said on stderr).
fn open(
    args: &AskArgs,
    settings: &Settings,
    provider: &dyn Provider,
    out: &mut Output,
) -> anyhow::Result<Option<(Store, Session)>> {
    let meta = SessionMeta {
        persona: Some(settings.persona.value.clone()),
        provider: Some(provider.name().to_owned()),
        model: Some(provider.model().to_owned()),
    };
    let opened = Store::open_default(&settings.paths).and_then(|mut store| {
        let session = session_for(args, &mut store, &meta, out)?;
        Ok((store, session))
    });
    match opened {
        Ok(opened) => Ok(Some(opened)),
        Err(err) if err.is_input() => Err(StoreError::into_anyhow(err)),
        Err(err) if !named(args) => {
            out.warn(&format!(
                "this exchange is not saved ({err}); pass --no-save to skip saving"
            ));
            Ok(None)
        }
        Err(err) => {
            let which = args.session.as_deref().map_or_else(
                || "the latest session".to_owned(),
                |n| format!("session {n}"),
            );
            out.warn(&format!(
                "this turn is not saved in {which} ({}): {err}",
                settings.paths.database().display()
            ));
            Ok(None)
        }
    }
}

/// The named session (created if new), the latest (a new one when there is none yet), or a
/// new one for this invocation.
fn session_for(
    args: &AskArgs,
    store: &mut Store,
    meta: &SessionMeta,
    out: &mut Output,
) -> Result<Session, StoreError> {
    match (&args.session, args.r#continue) {
        (Some(name), _) => store.named_session(name, meta),
        (None, true) => {
            if let Some(latest) = store.latest_session()? {
                return Ok(latest);
            }
            out.notice("no earlier session: starting a new one");
            store.create_session(None, meta)
        }
        (None, false) => store.create_session(None, meta),
    }
}
