//! `TurnRecorder`: a `TurnObserver` that saves a turn into a session while it runs. Each model
//! step gets its own reply row (opened `streaming`, with the persona that answers, its text checkpointed by `ReplyRecorder`,
//! finalised complete, failed or interrupted with the calls it asked for); each tool result
//! becomes a `tool` row. A store failure does not stop the turn: the first one is kept and
//! reported by `finish`, so the user is told the turn was not saved.

use super::turn::{StepEnd, ToolOutcome, TurnObserver};
use crate::llm::{Provider, Reply, StreamEvent, ToolCall};
use crate::store::{ReplyEnd, ReplyRecorder, SessionId, Status, Store, StoreError};

/// Saves a turn's steps.
pub struct TurnRecorder<'a> {
    store: &'a mut Store,
    session: SessionId,
    provider: String,
    model: String,
    persona: Option<String>,
    reply: Option<ReplyRecorder>,
    failed: Option<StoreError>,
    /// The status of the last finished step.
    pub status: Status,
}

impl<'a> TurnRecorder<'a> {
    /// Saves into `session` the replies `persona` gives through `provider`.
    pub fn new(
        store: &'a mut Store,
        session: SessionId,
        provider: &dyn Provider,
        persona: Option<&str>,
    ) -> Self {
        TurnRecorder {
            store,
            session,
            provider: provider.name().to_owned(),
            model: provider.model().to_owned(),
            persona: persona.map(str::to_owned),
            reply: None,
            failed: None,
            status: Status::Complete,
        }
    }

    fn keep(&mut self, result: Result<(), StoreError>) {
        if let Err(err) = result
            && self.failed.is_none()
        {
            self.failed = Some(err);
        }
    }

    /// Closes a step left open (the turn stopped with an error) and returns the first store
    /// failure, if any.
    pub fn finish(mut self, error: Option<&str>) -> Option<StoreError> {
        if let Some(recorder) = self.reply.take() {
            let end = ReplyEnd {
                status: Some(Status::Failed),
                provider: Some(self.provider.clone()),
                error: error.map(str::to_owned),
                ..ReplyEnd::default()
            };
            let result = recorder.finish(self.store, &end).map(drop);
            self.keep(result);
        }
        self.failed
    }
}

impl TurnObserver for TurnRecorder<'_> {
    fn step_started(&mut self) {
        match ReplyRecorder::start(
            self.store,
            self.session,
            Some(&self.provider),
            Some(&self.model),
            self.persona.as_deref(),
        ) {
            Ok(recorder) => self.reply = Some(recorder),
            Err(err) => self.keep(Err(err)),
        }
    }

    fn event(&mut self, event: &StreamEvent) {
        if let (StreamEvent::Text(text), Some(recorder)) = (event, self.reply.as_mut()) {
            let result = recorder.push(self.store, text);
            self.keep(result);
        }
    }

    fn tick(&mut self) {
        if let Some(recorder) = self.reply.as_mut() {
            let result = recorder.tick(self.store);
            self.keep(result);
        }
    }

    fn step_finished(&mut self, reply: &Reply, end: StepEnd) {
        let status = match end {
            StepEnd::Interrupted => Status::Interrupted,
            StepEnd::Finished if reply.error.is_some() => Status::Failed,
            StepEnd::Finished => Status::Complete,
        };
        self.status = status;
        let Some(recorder) = self.reply.take() else {
            return;
        };
        let end = ReplyEnd {
            status: Some(status),
            model: reply.model.clone(),
            provider: Some(self.provider.clone()),
            usage: reply.usage,
            error: reply.error.as_ref().map(ToString::to_string),
            tool_calls: reply.tool_calls(),
        };
        let result = recorder.finish(self.store, &end).map(drop);
        self.keep(result);
    }

    fn tool_result(&mut self, call: &ToolCall, outcome: &ToolOutcome) {
        let result = self
            .store
            .add_tool_result(self.session, &call.id, &outcome.content)
            .map(drop);
        self.keep(result);
    }
}
