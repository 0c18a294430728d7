//! `Chat`: what one REPL holds — settings, the provider, the store, the current session and the
//! per-REPL overrides (detail, extra system text) — and sending one turn through
//! `conversation::session` (commit the user's message, fit the history, run the turn engine with
//! the agent's tools, save every step), then print how it ended. Files attached with `-f` or
//! `/file` wait in `attachments` and go before the next message.

use crate::app::attachments::Attachments;
use crate::config::{Env, Settings, Source, Sourced};
use crate::conversation::ExchangeOptions;
use crate::conversation::session::{SessionTurn, run_session_turn};
use crate::conversation::turn::{Toolbox, TurnLimits, add_usage};
use crate::llm::{ChatRequest, Message, Provider, Usage};
use crate::output::Output;
use crate::persona::Detail;
use crate::store::{Session, SessionMeta, Store, StoreError};

/// Options `chat` passes to the REPL.
#[derive(Debug, Clone, Default)]
pub struct ChatOptions {
    pub detail: Option<Detail>,
    pub system: Option<String>,
    pub temperature: Option<f32>,
    pub max_tokens: Option<u32>,
    pub show_reasoning: bool,
    /// Send document requests to their drafting path (off with `--no-route`).
    pub route: bool,
}

/// One REPL's state.
pub struct Chat {
    pub settings: Settings,
    pub provider: Box<dyn Provider>,
    pub store: Store,
    /// `None` until the first message (or `/rename`) creates one.
    pub session: Option<Session>,
    pub options: ChatOptions,
    pub env: Env,
    /// Usage reported in this process.
    pub usage: Usage,
    /// Files (`-f`, `/file`) that go before the next message.
    pub attachments: Attachments,
    /// The MCP servers, kept across turns (started by the first turn that offers tools).
    pub mcp: Option<crate::tools::mcp::McpServers>,
}

/// A model name short enough for the prompt (a GGUF path becomes its file stem).
pub fn short_model(model: &str) -> &str {
    let base = model.rsplit('/').next().unwrap_or(model);
    base.strip_suffix(".gguf").unwrap_or(base)
}

impl Chat {
    /// The prompt: persona and model.
    pub fn prompt(&self) -> String {
        format!(
            "{} · {}> ",
            self.settings.persona.value,
            short_model(self.provider.model())
        )
    }

    fn meta(&self) -> SessionMeta {
        SessionMeta {
            persona: Some(self.settings.persona.value.clone()),
            provider: Some(self.provider.name().to_owned()),
            model: Some(self.provider.model().to_owned()),
        }
    }

    /// The current session, created on first use. A session removed from under the REPL (by
    /// `mitchell sessions rm` in another shell) is noticed here: the REPL says so and carries
    /// on in a new session, so the message about to be sent is not lost.
    pub fn session(&mut self, out: &mut Output) -> Result<Session, StoreError> {
        if let Some(s) = &self.session {
            if self.store.session(s.id)?.is_some() {
                return Ok(s.clone());
            }
            out.warn(&format!(
                "session {} was removed by another mitchell; continuing in a new session",
                s.label()
            ));
            self.session = None;
        }
        let meta = self.meta();
        let s = self.store.create_session(None, &meta)?;
        self.session = Some(s.clone());
        Ok(s)
    }

    /// Records the persona/provider/model on the current session after a switch.
    pub fn touch_meta(&mut self) -> Result<(), StoreError> {
        let meta = self.meta();
        if let Some(s) = &mut self.session {
            self.store.update_session_meta(s.id, &meta)?;
            s.meta = meta;
        }
        Ok(())
    }

    fn detail(&self) -> Detail {
        self.options
            .detail
            .or(self.settings.detail.value)
            .unwrap_or(if self.provider.name() == "local" {
                Detail::Compact
            } else {
                Detail::Full
            })
    }

    /// The rendered persona plus any `/system` text.
    pub fn system_prompt(&self) -> anyhow::Result<String> {
        let mut prompt = crate::persona::system_prompt(&self.settings, self.detail())?;
        if let Some(extra) = self.options.system.as_deref().filter(|s| !s.is_empty()) {
            prompt.push_str("\n\n");
            prompt.push_str(extra);
        }
        Ok(prompt)
    }

    /// Sends `text` (or, for `/retry`, the last question again) and streams the reply through
    /// the turn engine, tools included, saving every step in the session.
    pub fn send(
        &mut self,
        text: Option<&str>,
        rt: &tokio::runtime::Runtime,
        out: &mut Output,
    ) -> anyhow::Result<()> {
        let mut system = self.system_prompt()?;
        let session = self.session(out)?;
        // `/retry` asks the last question again: tools are offered as they were for it.
        let question = match text {
            Some(text) => text.to_owned(),
            None => self
                .store
                .messages(session.id)?
                .into_iter()
                .rev()
                .find(|m| m.role == crate::llm::Role::User)
                .map(|m| m.content)
                .unwrap_or_default(),
        };
        let mut agent = {
            let _guard = rt.enter();
            crate::tools::Agent::for_provider(
                &self.settings,
                self.provider.as_ref(),
                &question,
                out,
            )
        };
        if let Some(agent) = agent.as_mut() {
            agent.use_mcp(self.mcp.clone());
        }
        if agent.is_some() {
            system.push_str("\n\n");
            system.push_str(&crate::tools::system_note(&self.settings.tools));
        }
        let turn = SessionTurn {
            system: vec![Message::system(system)],
            text,
            request: ChatRequest {
                // The provider's own model (its config, `--model`, `/model`) answers.
                model: None,
                temperature: self.options.temperature.or(self.settings.temperature.value),
                max_tokens: self.options.max_tokens.or(self.settings.max_tokens.value),
                stream: true,
                ..ChatRequest::default()
            },
            limits: TurnLimits {
                max_steps: self.settings.tools.max_steps,
            },
            options: ExchangeOptions::streaming(out, self.options.show_reasoning),
            playbook: Some((&self.settings, self.provider.is_local())),
            persona: &self.settings.persona.value,
        };
        let ended = rt.block_on(run_session_turn(
            self.provider.as_ref(),
            &mut self.store,
            &session,
            turn,
            agent.as_mut().map(|a| a as &mut dyn Toolbox),
            out,
        ))?;
        let end = ended.result?;
        if end.interrupted {
            out.notice("[interrupted: the partial reply is kept]");
            return Ok(());
        }
        add_usage(&mut self.usage, &end.usage);
        let reply = crate::conversation::outcome(end.reply)
            .map_err(|err| anyhow::Error::new(err).context("the reply failed"))?;
        if reply.finish_reason.as_deref() == Some("length") {
            out.warn("the reply was cut off at the token limit (finish_reason: length)");
        }
        Ok(())
    }

    /// Switches the model or provider and reconnects; the old provider stays on failure.
    pub fn switch(
        &mut self,
        model: Option<String>,
        provider: Option<String>,
        out: &mut Output,
    ) -> anyhow::Result<()> {
        let mut settings = self.settings.clone();
        if let Some(m) = model {
            settings.model = Sourced::new(Some(m), Source::Flag("/model"));
        }
        if let Some(p) = provider {
            settings.provider = Sourced::new(Some(p), Source::Flag("/provider"));
            settings.model = Sourced::new(None, Source::Default);
        }
        self.provider = crate::llm::connect(&settings, out)?;
        self.settings = settings;
        self.touch_meta()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_paths_are_shortened_for_the_prompt() {
        assert_eq!(short_model("/models/qwen3-1.7b-q4.gguf"), "qwen3-1.7b-q4");
        assert_eq!(short_model("gpt-4o-mini"), "gpt-4o-mini");
    }
}
