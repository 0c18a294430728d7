//! The driver of one exchange: starts the provider's stream, prints answer text as it arrives
//! (`Output::answer`), reasoning on stderr when wanted, notices on stderr, and folds every event
//! into a `Reply`. Ctrl-C drops the receiver (the provider closes its connection) and returns
//! `error::Interrupted`; a closed stdout returns the io error (the app exits 0 silently).

use crate::error::Interrupted;
use crate::llm::{ChatRequest, Error, Provider, Reply, StreamEvent};
use crate::output::Output;

/// How an exchange is shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExchangeOptions {
    /// Write answer text to stdout as it arrives (off for `--json`).
    pub echo: bool,
    /// Write reasoning to stderr (stderr is a terminal, or `--show-reasoning`).
    pub show_reasoning: bool,
}

impl ExchangeOptions {
    /// Echo the answer; show reasoning on a terminal or when asked.
    pub fn streaming(out: &Output, show_reasoning: bool) -> Self {
        ExchangeOptions {
            echo: true,
            show_reasoning: show_reasoning || out.terminal().stderr_is_tty,
        }
    }
}

/// Runs one request to its end. The returned `Reply` holds any stream error (see `outcome`);
/// `Err` is only Ctrl-C (`Interrupted`) or a failed write to stdout.
pub async fn drive(
    provider: &dyn Provider,
    request: ChatRequest,
    out: &mut Output,
    options: ExchangeOptions,
) -> anyhow::Result<Reply> {
    let mut reply = Reply::default();
    let mut rx = provider.stream(request);
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let mut printed_any = false;
    let mut ends_with_newline = true;
    let mut reasoning_open = false;
    loop {
        let event = tokio::select! {
            biased;
            _ = &mut ctrl_c => {
                drop(rx);
                if printed_any && !ends_with_newline {
                    let _ = out.finish_answer(false);
                }
                return Err(Interrupted.into());
            }
            event = rx.recv() => event,
        };
        let Some(event) = event else { break };
        match &event {
            StreamEvent::Text(text) if options.echo => {
                if reasoning_open {
                    out.reasoning("\n");
                    reasoning_open = false;
                }
                out.answer(text)?;
                printed_any = true;
                ends_with_newline = text.ends_with('\n');
            }
            StreamEvent::Reasoning(text) if options.echo && options.show_reasoning => {
                out.reasoning(text);
                reasoning_open = !text.ends_with('\n');
            }
            StreamEvent::Notice(line) => out.notice(line),
            _ => {}
        }
        reply.apply(&event);
        if matches!(event, StreamEvent::Error(_)) {
            break;
        }
    }
    if reasoning_open {
        out.reasoning("\n");
    }
    if reply.error.is_none() && reply.finish_reason.is_none() {
        reply.error = Some(Error::Truncated);
    }
    if printed_any && !ends_with_newline {
        out.finish_answer(false)?;
    }
    Ok(reply)
}

/// The reply when it finished, its error otherwise.
pub fn outcome(reply: Reply) -> Result<Reply, Error> {
    match reply.error {
        Some(err) => Err(err),
        None => Ok(reply),
    }
}
