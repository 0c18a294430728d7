//! `--session NAME` / `--continue` for documents (the document commands and `ask`'s routed
//! requests): the named session (created if new) or the latest one (a new one when there is
//! none). The free text a document is drafted from is committed as the user's turn BEFORE the
//! model is asked, so a failed or interrupted draft loses nothing; the rendered markdown follows
//! as the document once there is one.

use crate::config::Settings;
use crate::documents::Kind;
use crate::output::Output;
use crate::store::{Session, SessionMeta, Store, StoreError};

/// Which session a document goes to.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// `--session NAME` (created if new).
    Named(&'a str),
    /// `--continue`: the latest (a new one when there is none).
    Latest,
    /// A new session (`ask`'s default save).
    New,
}

impl<'a> Target<'a> {
    /// `--session NAME` or `--continue`.
    pub fn from_flag(name: Option<&'a str>) -> Self {
        name.map_or(Target::Latest, Target::Named)
    }
}

/// An open store and the session documents go to.
pub struct DocumentSession {
    store: Store,
    session: Session,
}

impl DocumentSession {
    /// Opens the session `target` names.
    pub fn open(settings: &Settings, target: Target<'_>, out: &mut Output) -> anyhow::Result<Self> {
        let mut store = Store::open_default(&settings.paths).map_err(StoreError::into_anyhow)?;
        let meta = SessionMeta {
            persona: Some(settings.persona.value.clone()),
            provider: settings.provider.value.clone(),
            model: settings.model.value.clone(),
        };
        let session = match target {
            Target::Named(name) => store.named_session(name, &meta),
            Target::New => store.create_session(None, &meta),
            Target::Latest => match store.latest_session() {
                Ok(Some(latest)) => Ok(latest),
                Ok(None) => {
                    out.notice("no earlier session: starting a new one");
                    store.create_session(None, &meta)
                }
                Err(err) => Err(err),
            },
        }
        .map_err(StoreError::into_anyhow)?;
        Ok(DocumentSession { store, session })
    }

    /// Commits what the user asked a document from.
    pub fn user_turn(&mut self, text: &str) -> anyhow::Result<()> {
        self.store
            .begin_turn(self.session.id, text)
            .map_err(StoreError::into_anyhow)?;
        Ok(())
    }

    /// Stores the rendered document and says so on stderr.
    pub fn document(&mut self, kind: Kind, markdown: &str, out: &mut Output) -> anyhow::Result<()> {
        self.store
            .add_document(self.session.id, kind.name(), markdown)
            .map_err(StoreError::into_anyhow)?;
        out.notice(&format!(
            "{} stored in session {}",
            kind.title(),
            self.session.label()
        ));
        Ok(())
    }
}
