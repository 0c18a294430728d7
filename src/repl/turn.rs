//! Recording a streamed reply: runs one exchange through `conversation::drive_observed` with an
//! observer that checkpoints the reply's text into the store (`ReplyRecorder`) while it
//! streams, then finalises the row as complete, failed or interrupted (Ctrl-C) with the model,
//! provider and usage. Used by the REPL and by `ask --continue/--session`.

use crate::conversation::exchange::{self, Exchange, ExchangeOptions, Observer};
use crate::error::Interrupted;
use crate::llm::{ChatRequest, Provider, Reply, StreamEvent};
use crate::output::Output;
use crate::store::{ReplyEnd, ReplyRecorder, Status, Store, StoreError};

/// Checkpoints text as it arrives; remembers the first store failure instead of stopping the
/// stream (the reply on screen matters more than its copy).
struct Recording<'a> {
    store: &'a mut Store,
    recorder: ReplyRecorder,
    failed: Option<StoreError>,
}

impl Recording<'_> {
    fn keep(&mut self, result: Result<(), StoreError>) {
        if let Err(err) = result
            && self.failed.is_none()
        {
            self.failed = Some(err);
        }
    }
}

impl Observer for Recording<'_> {
    fn event(&mut self, event: &StreamEvent) {
        if let StreamEvent::Text(text) = event {
            let result = self.recorder.push(self.store, text);
            self.keep(result);
        }
    }

    fn tick(&mut self) {
        let result = self.recorder.tick(self.store);
        self.keep(result);
    }
}

/// A recorded exchange: how the stored reply ended, its text, and what `drive` returned
/// (`Err(Interrupted)` after Ctrl-C).
pub struct Recorded {
    pub status: Status,
    pub text: String,
    pub result: anyhow::Result<Reply>,
}

/// Streams `request` and records the reply into the row `recorder` opened.
pub async fn stream_recorded(
    provider: &dyn Provider,
    request: ChatRequest,
    out: &mut Output,
    options: ExchangeOptions,
    store: &mut Store,
    recorder: ReplyRecorder,
) -> Result<Recorded, StoreError> {
    let mut recording = Recording {
        store,
        recorder,
        failed: None,
    };
    let result = exchange::drive_observed(provider, request, out, options, &mut recording)
        .await
        .and_then(|ended| match ended {
            Exchange::Done(reply) => Ok(reply),
            Exchange::Interrupted(_) => Err(Interrupted.into()),
        });
    let Recording {
        store,
        recorder,
        failed,
    } = recording;
    if let Some(err) = failed {
        out.warn(&format!(
            "the reply could not be saved as it streamed: {err}"
        ));
    }
    let mut end = ReplyEnd {
        provider: Some(provider.name().to_owned()),
        ..ReplyEnd::default()
    };
    match &result {
        Ok(reply) => {
            end.status = Some(if reply.error.is_some() {
                Status::Failed
            } else {
                Status::Complete
            });
            end.model.clone_from(&reply.model);
            end.usage = reply.usage;
            end.error = reply.error.as_ref().map(ToString::to_string);
        }
        Err(err) if err.is::<Interrupted>() => end.status = Some(Status::Interrupted),
        Err(err) => {
            end.status = Some(Status::Failed);
            end.error = Some(err.to_string());
        }
    }
    let status = end.status.unwrap_or(Status::Complete);
    let text = recorder.finish(store, &end)?;
    Ok(Recorded {
        status,
        text,
        result,
    })
}
