//! The turn driver: consumes a provider's `StreamEvent`s, shows text as it arrives (reasoning
//! on stderr), checkpoints the reply into the store while it streams (`ReplyRecorder`), and
//! finalises it as complete, interrupted (Ctrl-C) or failed. Dropping the receiver cancels the
//! request. Used by the REPL and by `ask --session/--continue`.

use std::time::Duration;

use tokio::sync::mpsc;

use crate::llm::{self, StreamEvent, Usage};
use crate::output::Output;
use crate::store::{ReplyEnd, ReplyRecorder, Status, Store, StoreError};

/// How often unsaved reply text is written back while the stream is quiet.
const TICK: Duration = Duration::from_millis(250);

/// How a streamed reply ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub text: String,
    pub status: Status,
    pub model: Option<String>,
    pub usage: Option<Usage>,
    pub error: Option<llm::Error>,
}

/// Where the reply goes while it streams.
pub struct Sink<'a> {
    pub out: &'a mut Output,
    /// Show reasoning deltas on stderr.
    pub show_reasoning: bool,
    /// Echo text deltas to stdout.
    pub echo: bool,
}

/// Streams one reply into `recorder` until it finishes, fails or Ctrl-C is pressed.
pub async fn stream_reply(
    mut events: mpsc::Receiver<StreamEvent>,
    store: &mut Store,
    mut recorder: ReplyRecorder,
    provider: &str,
    sink: Sink<'_>,
) -> Result<Outcome, StoreError> {
    let Sink {
        out,
        show_reasoning,
        echo,
    } = sink;
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let mut model = None;
    let mut usage = None;
    let mut error = None;
    let mut finished = false;
    let mut interrupted = false;
    let mut in_reasoning = false;
    loop {
        tokio::select! {
            biased;
            _ = &mut ctrl_c => {
                interrupted = true;
                break;
            }
            event = events.recv() => match event {
                None => break,
                Some(StreamEvent::Text(text)) => {
                    if in_reasoning {
                        out.reasoning("\n");
                        in_reasoning = false;
                    }
                    if echo {
                        // A closed stdout must not lose the reply: keep recording.
                        let _ = out.answer(&text);
                    }
                    recorder.push(store, &text)?;
                }
                Some(StreamEvent::Reasoning(text)) => {
                    if show_reasoning {
                        out.reasoning(&text);
                        in_reasoning = true;
                    }
                }
                Some(StreamEvent::Model(name)) => model = Some(name),
                Some(StreamEvent::Usage(u)) => usage = Some(u),
                Some(StreamEvent::Finish(_)) => finished = true,
                Some(StreamEvent::Error(err)) => {
                    error = Some(err);
                    break;
                }
                Some(StreamEvent::Notice(line)) => out.notice(&line),
                Some(StreamEvent::ToolCall(_)) => {}
            },
            _ = tick.tick() => recorder.tick(store)?,
        }
    }
    // Dropping the receiver cancels the request (closes the connection / stops the engine).
    drop(events);
    if in_reasoning {
        out.reasoning("\n");
    }
    let status = if interrupted {
        Status::Interrupted
    } else if error.is_some() {
        Status::Failed
    } else if finished {
        Status::Complete
    } else {
        error = Some(llm::Error::Truncated);
        Status::Failed
    };
    let end = ReplyEnd {
        status: Some(status),
        model: model.clone(),
        provider: Some(provider.to_owned()),
        usage,
        error: error.as_ref().map(ToString::to_string),
    };
    let text = recorder.finish(store, &end)?;
    Ok(Outcome {
        text,
        status,
        model,
        usage,
        error,
    })
}
