//! One MCP tool call through the approval gate, for the agent (its result capped and scrubbed
//! by `Agent::finish` like command output) and for `mitchell mcp call`. A tool the gate does not
//! let run at once is asked about on a terminal (`tools::approve`, the same prompt as commands),
//! refused without one and under `--tools read-only`; a `tools.deny` match never runs. Each call
//! ends in one stderr line: what ran, why it was allowed, and how it ended.

use std::collections::BTreeSet;

use super::client::CallError;
use super::gate::McpVerdict;
use super::{McpServers, split_name};
use crate::config::ToolMode;
use crate::conversation::turn::ToolOutcome;
use crate::llm::ToolCall;
use crate::output::Output;
use crate::tools::{Agent, approve, end_line, refused, start_line, step};

/// What the gate and the user decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Runs; the step's decision (`read-only`, `approved`) and the reason shown.
    Run { decision: &'static str, why: String },
    /// Does not run; the step's decision (`refused`, `denied`) and why.
    Refused { decision: &'static str, why: String },
}

/// Applies the gate's verdict: asks on a terminal when it must. `shown` is the call as the
/// user sees it (also the key of "always this session").
pub fn decide(
    verdict: &McpVerdict,
    server: &str,
    mode: ToolMode,
    always: &mut BTreeSet<String>,
    shown: &str,
    out: &mut Output,
) -> Decision {
    match verdict {
        McpVerdict::Listed(_) | McpVerdict::Hinted => Decision::Run {
            decision: "read-only",
            why: verdict.why(server),
        },
        McpVerdict::Denied(_) => Decision::Refused {
            decision: "denied",
            why: verdict.why(server),
        },
        McpVerdict::NeedsApproval(_) if always.contains(shown) => Decision::Run {
            decision: "approved",
            why: "approved".to_owned(),
        },
        McpVerdict::NeedsApproval(reason) => {
            let refuse = |why: String| Decision::Refused {
                decision: "refused",
                why,
            };
            if mode == ToolMode::ReadOnly {
                return refuse(format!(
                    "needs approval ({reason}) and --tools read-only never asks"
                ));
            }
            if !approve::can_ask(out) {
                return refuse(format!(
                    "needs approval ({reason}) and there is no terminal to ask on"
                ));
            }
            let how = format!("calls a tool of the MCP server `{server}`");
            match approve::ask(out, shown, &how, reason) {
                approve::Answer::Yes => {}
                approve::Answer::Always => {
                    always.insert(shown.to_owned());
                }
                approve::Answer::No => return refuse("the user said no".to_owned()),
            }
            Decision::Run {
                decision: "approved",
                why: "approved".to_owned(),
            }
        }
    }
}

/// The call as the user sees it: `SERVER__TOOL {arguments}` (long arguments shortened).
pub fn shown(name: &str, arguments: &str) -> String {
    let arguments = arguments.trim();
    if arguments.is_empty() || arguments == "{}" {
        return name.to_owned();
    }
    let short: String = arguments.chars().take(160).collect();
    let more = if short.len() < arguments.len() {
        "…"
    } else {
        ""
    };
    format!("{name} {short}{more}")
}

/// The arguments as a JSON object (empty text is no arguments).
pub fn parse_arguments(
    text: &str,
) -> Result<Option<serde_json::Map<String, serde_json::Value>>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(map)) => Ok(Some(map)),
        Ok(_) => Err("the arguments are not a JSON object".to_owned()),
        Err(err) => Err(format!("the arguments are not valid JSON: {err}")),
    }
}

/// The line that ends a call and the text the model (or `mcp call`) gets.
pub fn ended(
    server: &str,
    result: &Result<(String, bool), CallError>,
    timeout_secs: u64,
    seconds: f64,
) -> (String, String) {
    match result {
        Ok((text, false)) => (
            format!("ok · {seconds:.2} s · {} lines", text.lines().count()),
            text.clone(),
        ),
        Ok((text, true)) => (
            format!("the tool reported an error · {seconds:.2} s"),
            format!("error (reported by the tool): {text}"),
        ),
        Err(CallError::Timeout) => {
            let why = format!("no answer within {timeout_secs} s (tools.timeout)");
            (
                why.clone(),
                format!("error: MCP server `{server}` gave {why}"),
            )
        }
        Err(CallError::Died(why)) => (
            format!("the server died during the call: {why}"),
            format!(
                "error: MCP server `{server}` died during the call: {why}. Its tools are gone."
            ),
        ),
        Err(CallError::Rpc(message)) => (
            format!("the server answered with an error: {message}"),
            format!("error: MCP server `{server}` answered with {message}"),
        ),
    }
}

impl Agent {
    /// Runs a `SERVER__TOOL` call.
    pub(crate) async fn mcp_call(
        &mut self,
        servers: &McpServers,
        call: &ToolCall,
        out: &mut Output,
    ) -> ToolOutcome {
        let mut step = step(call);
        let Some((server, tool)) = split_name(&call.name) else {
            return self.no_such_tool(call);
        };
        let line = shown(&call.name, &call.arguments);
        let arguments = match parse_arguments(&call.arguments) {
            Ok(arguments) => arguments,
            Err(why) => {
                step.decision = "refused".into();
                let content = format!("error: {why} (for {})", call.name);
                return ToolOutcome { content, step };
            }
        };
        let verdict = match servers.judge(server, tool).await {
            Ok(verdict) => verdict,
            Err(why) => {
                step.decision = "refused".into();
                end_line(out, &format!("{line}  (not run)"), &why);
                let content = format!("error: {why}; it did not run");
                return ToolOutcome { content, step };
            }
        };
        let why = match decide(&verdict, server, self.mode, &mut self.always, &line, out) {
            Decision::Run { decision, why } => {
                step.decision = decision.into();
                why
            }
            Decision::Refused { decision, why } => {
                step.decision = decision.into();
                return refused(step, out, &line, &why);
            }
        };
        let what = format!("{line}  ({why})");
        start_line(out, &what);
        let started = std::time::Instant::now();
        let result = servers.call(server, tool, arguments).await;
        step.seconds = started.elapsed().as_secs_f64();
        let (status, content) = ended(server, &result, self.timeout.as_secs(), step.seconds);
        end_line(out, &what, &status);
        if out.verbose() > 0 {
            use std::io::Write as _;
            let _ = writeln!(out.stderr(), "{content}");
        }
        self.finish(step, &content, out)
    }
}
