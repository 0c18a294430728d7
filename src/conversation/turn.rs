//! The one turn engine: `ask`, the REPL and drafting all run a turn through `run_turn` with the
//! provider they already hold. A turn is model → tool calls → tool results → model … until the
//! model answers without calling a tool. Each model step streams through `exchange`; the
//! caller sees the turn through a `TurnObserver` (the sessions store opens a reply row per step,
//! checkpoints its text, stores the calls and each tool's result), and tools run through a
//! `Toolbox` (`crate::tools` is the real one; none at all for drafting or `--tools off`).
//!
//! Loop control lives here: at most `max_steps` model steps; an identical call (same name and
//! arguments) asked for a second time is not run again (the model gets the earlier result and
//! is told to answer), and the third stops the turn. Either limit stops the turn with a `TurnError`
//! (exit 1) after everything so far has been reported to the observer. This module does no
//! I/O of its own beyond what `exchange` prints.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

use serde::Serialize;

use super::exchange::{self, ExchangeOptions, Observer};
use crate::llm::{ChatRequest, Message, Provider, Reply, StreamEvent, ToolCall, ToolSpec};
use crate::output::Output;

pub use crate::config::tools::DEFAULT_MAX_STEPS;
/// The identical call that stops a turn (the third).
const REPEAT_LIMIT: u32 = 3;

/// One tool call as the user and `--json` see it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Step {
    /// The tool (`run_command`, `read_file`, `http_get`).
    pub tool: String,
    /// The call's id, as the model sent it.
    pub call_id: String,
    /// The raw JSON arguments.
    pub arguments: String,
    /// The program and its arguments, for `run_command`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub argv: Option<Vec<String>>,
    /// `read-only`, `allowed`, `approved`, `refused`, `denied` or `repeated` (not run again).
    pub decision: String,
    /// The command's exit code (`None` when it did not run or was killed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    pub seconds: f64,
}

/// What a tool call produced: the text the model is sent, and the record of the step.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolOutcome {
    pub content: String,
    pub step: Step,
}

/// A boxed future, so `Toolbox` stays object-safe.
pub type ToolFuture<'a> = Pin<Box<dyn Future<Output = ToolOutcome> + 'a>>;

/// A boxed future of the toolbox's set-up.
pub type PrepareFuture<'a> = Pin<Box<dyn Future<Output = ()> + 'a>>;

/// The tools a turn may call.
pub trait Toolbox {
    /// Called once at the start of every turn, before `specs`: starts what the tools need
    /// (MCP servers start here, lazily). Failures are the toolbox's to report; nothing stops.
    fn prepare<'a>(&'a mut self, _out: &'a mut Output) -> PrepareFuture<'a> {
        Box::pin(std::future::ready(()))
    }
    /// What the model is offered.
    fn specs(&self) -> Vec<ToolSpec>;
    /// Runs one call (asking the user first when the gate says so). Never fails: a refusal or
    /// an error is a result the model reads. Dropping the future kills what it started.
    fn call<'a>(&'a mut self, call: &'a ToolCall, out: &'a mut Output) -> ToolFuture<'a>;
}

/// How one model step ended, for the observer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepEnd {
    /// The stream finished (its reply may still carry an error: see `Reply::error`).
    Finished,
    /// Ctrl-C.
    Interrupted,
}

/// Sees a turn as it happens. Every method has a default so callers implement what they keep.
pub trait TurnObserver {
    /// A model step is about to be requested.
    fn step_started(&mut self) {}
    /// An event of the streaming step, before it is shown.
    fn event(&mut self, _event: &StreamEvent) {}
    /// A regular tick while a step streams.
    fn tick(&mut self) {}
    /// A model step ended, with everything it said (text, calls, usage, error).
    fn step_finished(&mut self, _reply: &Reply, _end: StepEnd) {}
    /// A tool call's result, as the model will read it.
    fn tool_result(&mut self, _call: &ToolCall, _outcome: &ToolOutcome) {}
}

/// An observer that keeps nothing.
pub struct Unobserved;

impl TurnObserver for Unobserved {}

/// Why a turn was stopped before the model answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TurnError {
    #[error(
        "stopped after {max} model steps without a final answer (raise it with --max-steps or \
         tools.max_steps)"
    )]
    StepLimit { max: u32 },
    #[error(
        "stopped: the model asked for the same `{tool}` call {REPEAT_LIMIT} times in one turn \
         ({arguments})"
    )]
    Repeated { tool: String, arguments: String },
}

/// How a turn ended.
#[derive(Debug, Clone, PartialEq)]
pub struct TurnEnd {
    /// The last model step's reply (the answer, or what arrived before Ctrl-C).
    pub reply: Reply,
    /// Every tool call, in order.
    pub steps: Vec<Step>,
    /// Ctrl-C ended the turn.
    pub interrupted: bool,
    /// stdout's reader went away (the turn still ran to its end).
    pub reader_gone: bool,
    /// Usage summed over the turn's model steps.
    pub usage: crate::llm::Usage,
}

/// Limits of one turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TurnLimits {
    pub max_steps: u32,
}

impl Default for TurnLimits {
    fn default() -> Self {
        TurnLimits {
            max_steps: DEFAULT_MAX_STEPS,
        }
    }
}

/// Hands the exchange's events to the turn's observer.
struct StepObserver<'a>(&'a mut dyn TurnObserver);

impl Observer for StepObserver<'_> {
    fn event(&mut self, event: &StreamEvent) {
        self.0.event(event);
    }
    fn tick(&mut self) {
        self.0.tick();
    }
}

/// Runs one turn. `request` holds the system prompt, the history and the new user message;
/// with a toolbox its tools are offered (unless the request already names some). `Err` is a
/// `TurnError`, or a failed write to stdout; a provider error is in `TurnEnd::reply.error`.
pub async fn run_turn(
    provider: &dyn Provider,
    mut request: ChatRequest,
    mut toolbox: Option<&mut dyn Toolbox>,
    limits: TurnLimits,
    out: &mut Output,
    options: ExchangeOptions,
    observer: &mut dyn TurnObserver,
) -> anyhow::Result<TurnEnd> {
    if let Some(tools) = toolbox.as_deref_mut()
        && request.tools.is_empty()
    {
        tools.prepare(out).await;
        request.tools = tools.specs();
    }
    let mut steps = Vec::new();
    // Each distinct call: how often it was asked for, and what it returned.
    let mut seen: HashMap<(String, String), (u32, String)> = HashMap::new();
    let mut usage = crate::llm::Usage::default();
    let mut reader_gone = false;
    let mut model_steps = 0;
    loop {
        model_steps += 1;
        observer.step_started();
        let ended = exchange::drive_observed(
            provider,
            request.clone(),
            out,
            ExchangeOptions {
                echo: options.echo && !reader_gone,
                ..options
            },
            &mut StepObserver(observer),
        )
        .await?;
        reader_gone |= ended.reader_gone;
        let reply = ended.reply;
        if let Some(u) = &reply.usage {
            add_usage(&mut usage, u);
        }
        let end = |reply, steps, interrupted| TurnEnd {
            reply,
            steps,
            interrupted,
            reader_gone,
            usage,
        };
        if ended.interrupted {
            observer.step_finished(&reply, StepEnd::Interrupted);
            return Ok(end(reply, steps, true));
        }
        observer.step_finished(&reply, StepEnd::Finished);
        let calls = reply.tool_calls();
        let Some(tools) = toolbox.as_deref_mut().filter(|_| reply.error.is_none()) else {
            return Ok(end(reply, steps, false));
        };
        if calls.is_empty() {
            return Ok(end(reply, steps, false));
        }
        if model_steps >= limits.max_steps {
            return Err(TurnError::StepLimit {
                max: limits.max_steps,
            }
            .into());
        }
        for call in &calls {
            let (count, _) = seen
                .entry((call.name.clone(), call.arguments.clone()))
                .or_default();
            *count += 1;
            if *count >= REPEAT_LIMIT {
                return Err(TurnError::Repeated {
                    tool: call.name.clone(),
                    arguments: call.arguments.clone(),
                }
                .into());
            }
        }
        request
            .messages
            .push(Message::assistant_calls(reply.text.clone(), calls.clone()));
        for call in &calls {
            let key = (call.name.clone(), call.arguments.clone());
            let outcome = if let Some((2, earlier)) = seen.get(&key) {
                repeated(call, earlier)
            } else {
                let ctrl_c = tokio::signal::ctrl_c();
                tokio::select! {
                    biased;
                    _ = ctrl_c => return Ok(end(reply, steps, true)),
                    outcome = tools.call(call, out) => outcome,
                }
            };
            if let Some((_, earlier)) = seen.get_mut(&key)
                && earlier.is_empty()
            {
                earlier.clone_from(&outcome.content);
            }
            observer.tool_result(call, &outcome);
            request
                .messages
                .push(Message::tool(call.id.clone(), outcome.content.clone()));
            steps.push(outcome.step);
        }
    }
}

/// A call asked for a second time in one turn (small models do) is not run twice: the model is
/// given the earlier result and told to answer.
fn repeated(call: &ToolCall, earlier: &str) -> ToolOutcome {
    ToolOutcome {
        content: format!(
            "(this call already ran in this turn; it is not run again. Its result was:)\n\
             {earlier}\n(Answer the user's question now from this result.)"
        ),
        step: Step {
            tool: call.name.clone(),
            call_id: call.id.clone(),
            arguments: call.arguments.clone(),
            decision: "repeated".to_owned(),
            ..Step::default()
        },
    }
}

/// Adds one reply's counters to a running total.
pub fn add_usage(total: &mut crate::llm::Usage, u: &crate::llm::Usage) {
    let add = |t: &mut Option<u64>, v: Option<u64>| {
        if let Some(v) = v {
            *t = Some(t.unwrap_or(0) + v);
        }
    };
    add(&mut total.prompt_tokens, u.prompt_tokens);
    add(&mut total.completion_tokens, u.completion_tokens);
    add(&mut total.total_tokens, u.total_tokens);
    if u.prompt_eval_tokens.is_some() {
        add(&mut total.prompt_eval_tokens, u.prompt_eval_tokens);
    }
}

#[cfg(test)]
mod tests;
