//! `--session NAME` / `--continue` on the document commands: the rendered markdown is stored in
//! the named session (created if new) or the latest one (a new one when there is none), after
//! the free text it was drafted from as the user's turn.

use crate::cli::DocumentArgs;
use crate::config::Settings;
use crate::documents::Kind;
use crate::output::Output;
use crate::store::{SessionMeta, Store, StoreError};

/// Stores `markdown` (and `drafted_from`, when drafted) in the session `args` name.
pub fn store(
    settings: &Settings,
    args: &DocumentArgs,
    drafted_from: Option<&str>,
    kind: Kind,
    markdown: &str,
    out: &mut Output,
) -> anyhow::Result<()> {
    let mut store = Store::open_default(&settings.paths).map_err(StoreError::into_anyhow)?;
    let meta = SessionMeta {
        persona: Some(settings.persona.value.clone()),
        provider: settings.provider.value.clone(),
        model: settings.model.value.clone(),
    };
    let latest = if args.session.is_none() {
        store.latest_session().map_err(StoreError::into_anyhow)?
    } else {
        None
    };
    let session = if let Some(name) = &args.session {
        store.named_session(name, &meta)
    } else if let Some(s) = latest {
        Ok(s)
    } else {
        out.notice("no earlier session: starting a new one");
        store.create_session(None, &meta)
    }
    .map_err(StoreError::into_anyhow)?;
    if let Some(text) = drafted_from {
        store
            .begin_turn(session.id, text)
            .map_err(StoreError::into_anyhow)?;
    }
    store
        .add_document(session.id, kind.name(), markdown)
        .map_err(StoreError::into_anyhow)?;
    out.notice(&format!(
        "{} stored in session {}",
        kind.title(),
        session.label()
    ));
    Ok(())
}
