//! The driver of one exchange: starts the provider's stream, prints answer text as it arrives
//! (`Output::answer`), reasoning on stderr when wanted, notices on stderr, and folds every event
//! into a `Reply`. Ctrl-C drops the receiver (the provider closes its connection) and returns
//! `error::Interrupted`. A closed stdout (`mitchell ask … | head -1`) is not a failed reply: the
//! driver stops printing, reads the stream to its end (so the session stores it complete) and
//! reports `reader_gone`; the app then exits 0 silently. `drive_observed` also hands every
//! event, and a regular tick, to an `Observer` (the sessions store checkpoints a streaming reply
//! that way). Whole turns with tool calls are `conversation::turn`'s job.

use std::time::Duration;

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

/// Sees an exchange as it happens: every event before it is shown, and a tick at least every
/// `OBSERVER_TICK` while the stream runs (also when it is quiet).
pub trait Observer {
    fn event(&mut self, event: &StreamEvent);
    fn tick(&mut self) {}
}

/// How often `Observer::tick` is called.
pub const OBSERVER_TICK: Duration = Duration::from_millis(250);

struct Unobserved;

impl Observer for Unobserved {
    fn event(&mut self, _: &StreamEvent) {}
}

/// Runs one request to its end. The returned `Reply` holds any stream error (see `outcome`);
/// `Err` is only Ctrl-C (`Interrupted`) or a failed write to stdout.
pub async fn drive(
    provider: &dyn Provider,
    request: ChatRequest,
    out: &mut Output,
    options: ExchangeOptions,
) -> anyhow::Result<Reply> {
    let ended = drive_until_interrupted(provider, request, out, options).await?;
    if ended.interrupted {
        return Err(Interrupted.into());
    }
    Ok(ended.reply)
}

/// How an exchange ended, for callers that keep a partial reply (the REPL).
#[derive(Debug, Clone, PartialEq)]
pub struct Exchange {
    /// Everything the stream said (finished, failed or truncated: see `outcome`); after Ctrl-C,
    /// what had arrived so far.
    pub reply: Reply,
    /// Ctrl-C ended it; the connection is closed.
    pub interrupted: bool,
    /// stdout's reader went away; the stream was still read to its end.
    pub reader_gone: bool,
}

/// Like `drive`, but Ctrl-C returns the partial reply instead of an error.
pub async fn drive_until_interrupted(
    provider: &dyn Provider,
    request: ChatRequest,
    out: &mut Output,
    options: ExchangeOptions,
) -> anyhow::Result<Exchange> {
    drive_observed(provider, request, out, options, &mut Unobserved).await
}

/// `drive_until_interrupted`, handing every event and a regular tick to `observer`.
pub async fn drive_observed(
    provider: &dyn Provider,
    request: ChatRequest,
    out: &mut Output,
    options: ExchangeOptions,
    observer: &mut dyn Observer,
) -> anyhow::Result<Exchange> {
    let mut tick = tokio::time::interval(OBSERVER_TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut reply = Reply::default();
    let mut rx = provider.stream(request);
    let _waiting = out.waiting("thinking…");
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let mut printed_any = false;
    let mut ends_with_newline = true;
    let mut reasoning_open = false;
    let mut reader_gone = false;
    loop {
        let event = tokio::select! {
            biased;
            _ = &mut ctrl_c => {
                drop(rx);
                if printed_any && !reader_gone {
                    let _ = out.finish_answer(ends_with_newline);
                }
                return Ok(Exchange { reply, interrupted: true, reader_gone });
            }
            event = rx.recv() => event,
            _ = tick.tick() => {
                observer.tick();
                continue;
            }
        };
        let Some(event) = event else { break };
        observer.event(&event);
        match &event {
            StreamEvent::Text(text) if options.echo && !reader_gone => {
                if reasoning_open {
                    out.reasoning("\n");
                    reasoning_open = false;
                }
                // Pieces already waiting go out together; the last one is flushed at once.
                match out.answer_part(text, !rx.is_empty()) {
                    Ok(()) => {}
                    Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => reader_gone = true,
                    Err(err) => return Err(err.into()),
                }
                printed_any = true;
                ends_with_newline = text.ends_with('\n');
            }
            StreamEvent::Reasoning(text) if options.echo && options.show_reasoning => {
                out.reasoning(text);
                reasoning_open = !text.ends_with('\n');
            }
            StreamEvent::Notice(line) => out.notice(line),
            StreamEvent::Phase(label) => out.waiting_phase(label),
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
    if printed_any && !reader_gone {
        match out.finish_answer(ends_with_newline) {
            Ok(()) => {}
            Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => reader_gone = true,
            Err(err) => return Err(err.into()),
        }
    }
    Ok(Exchange {
        reply,
        interrupted: false,
        reader_gone,
    })
}

/// The reply when it finished, its error otherwise.
pub fn outcome(reply: Reply) -> Result<Reply, Error> {
    match reply.error {
        Some(err) => Err(err),
        None => Ok(reply),
    }
}
