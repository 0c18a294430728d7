//! `Chat`: what one REPL holds — settings, the provider, the store, the current session and the
//! per-REPL overrides (detail, extra system text) — and sending one turn: commit the user's
//! message, fit the history into the context budget (saying on stderr what was left out),
//! stream the reply into the store, print how it ended.

use crate::config::{Env, Settings, Source, Sourced};
use crate::conversation::budget;
use crate::llm::{ChatRequest, Message, Provider, Role, Usage};
use crate::output::Output;
use crate::persona::Detail;
use crate::store::{ReplyRecorder, Session, SessionMeta, Status, Store, StoreError, StoredMessage};

use super::turn;
use crate::conversation::ExchangeOptions;

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
}

/// The conversation to send, from a session's stored messages: user turns and the replies that
/// have text (a retried turn keeps only its newest reply; failed replies are left out).
pub fn history(messages: &[StoredMessage]) -> Vec<Message> {
    let mut out: Vec<Message> = Vec::new();
    for m in messages {
        match m.role {
            Role::User => out.push(Message::user(m.content.clone())),
            Role::Assistant if m.status != Status::Failed && !m.content.trim().is_empty() => {
                if out.last().is_some_and(|l| l.role == Role::Assistant) {
                    out.pop();
                }
                out.push(Message::assistant(m.content.clone()));
            }
            _ => {}
        }
    }
    out
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

    /// The current session, created on first use.
    pub fn session(&mut self) -> Result<Session, StoreError> {
        if let Some(s) = &self.session {
            return Ok(s.clone());
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

    /// Sends `text` (or, for `/retry`, the last question again) and streams the reply.
    pub fn send(
        &mut self,
        text: Option<&str>,
        rt: &tokio::runtime::Runtime,
        out: &mut Output,
    ) -> anyhow::Result<()> {
        let system = self.system_prompt()?;
        let session = self.session()?;
        if let Some(text) = text {
            // Committed before the request goes out: a crash cannot lose what was typed.
            self.store.begin_turn(session.id, text)?;
        }
        let mut conversation = history(&self.store.messages(session.id)?);
        while conversation
            .last()
            .is_some_and(|m| m.role == Role::Assistant)
        {
            conversation.pop();
        }
        if conversation.is_empty() {
            anyhow::bail!("nothing to retry yet");
        }
        let mut messages = vec![Message::system(system)];
        messages.extend(conversation);
        let context = self
            .provider
            .context_window()
            .unwrap_or(budget::DEFAULT_CONTEXT);
        let reserve = self.options.max_tokens.unwrap_or(budget::DEFAULT_RESERVE);
        let mut fitted = budget::fit(messages, context, reserve);
        let local = self.provider.name() == "local";
        crate::persona::playbook::apply(&self.settings, local, &mut fitted.messages)?;
        if fitted.dropped_turns > 0 {
            out.warn(&format!(
                "{} earlier turn(s) left out to fit the model's context ({context} tokens)",
                fitted.dropped_turns
            ));
        }
        let request = ChatRequest {
            messages: fitted.messages,
            model: self.settings.model.value.clone(),
            temperature: self.options.temperature.or(self.settings.temperature.value),
            max_tokens: self.options.max_tokens.or(self.settings.max_tokens.value),
            json_schema: None,
            stream: true,
        };
        let provider_name = self.provider.name().to_owned();
        let recorder = ReplyRecorder::start(
            &mut self.store,
            session.id,
            Some(&provider_name),
            Some(self.provider.model()),
        )?;
        let options = ExchangeOptions::streaming(out, self.options.show_reasoning);
        let streamed = rt.block_on(turn::stream_recorded(
            self.provider.as_ref(),
            request,
            out,
            options,
            &mut self.store,
            recorder,
        ))?;
        if streamed.status == Status::Interrupted {
            out.notice("[interrupted: the partial reply is kept]");
            return Ok(());
        }
        let reply = crate::conversation::outcome(streamed.result?)
            .map_err(|err| anyhow::Error::new(err).context("the reply failed"))?;
        if let Some(u) = reply.usage {
            add_usage(&mut self.usage, &u);
        }
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

/// Adds one reply's counters to a running total.
pub fn add_usage(total: &mut Usage, u: &Usage) {
    let add = |t: &mut Option<u64>, v: Option<u64>| {
        if let Some(v) = v {
            *t = Some(t.unwrap_or(0) + v);
        }
    };
    add(&mut total.prompt_tokens, u.prompt_tokens);
    add(&mut total.completion_tokens, u.completion_tokens);
    add(&mut total.total_tokens, u.total_tokens);
}

#[cfg(test)]
mod tests {
    use super::*;

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
            usage: Usage::default(),
            error: None,
            created_at: 0,
            updated_at: 0,
        }
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
        let h = history(&rows);
        let texts: Vec<_> = h.iter().map(|m| m.content.as_str()).collect();
        assert_eq!(texts, ["q1", "a1 again", "q2", "q3"]);
    }

    #[test]
    fn model_paths_are_shortened_for_the_prompt() {
        assert_eq!(short_model("/models/qwen3-1.7b-q4.gguf"), "qwen3-1.7b-q4");
        assert_eq!(short_model("gpt-4o-mini"), "gpt-4o-mini");
    }
}
