//! The agent's tools: `run_command`, `read_file` and `http_get`, offered to the model as
//! OpenAI function tools, and `Agent`, the `Toolbox` the turn engine calls. Every command goes
//! through the approval gate (`gate`: read-only runs at once, anything else is asked on a
//! terminal and refused without one, `tools.deny` never runs), runs without a shell (`run`),
//! and its output is capped (head and tail). Before a result goes to a model it is scrubbed
//! of secrets (`scrub`) — always for an HTTP endpoint, for the embedded model unless
//! `tools.redact_local: false`. One stderr line per call says what ran and how it ended.
//! Tools of MCP servers (`mcp`) are offered next to these as `SERVER__TOOL`, behind the same
//! approval and the same cap and scrub.

mod approve;
mod files;
mod focus;
pub mod gate;
pub mod mcp;
mod parse;
mod run;
pub mod scrub;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::OnceLock;
use std::time::Duration;

use serde::Deserialize;
use serde_json::json;

use crate::config::{Settings, ToolMode, ToolSettings};
use crate::conversation::turn::{PrepareFuture, Step, ToolFuture, ToolOutcome, Toolbox};
use crate::llm::{Provider, ToolCall, ToolSpec};
use crate::output::Output;
use gate::{Gate, Verdict};

/// Largest tool result sent to a model, in bytes (also at most 15 % of its context).
const RESULT_LIMIT: usize = 16 * 1024;

#[derive(Deserialize)]
struct CommandArgs {
    command: String,
}

#[derive(Deserialize)]
struct PathArgs {
    path: String,
}

#[derive(Deserialize)]
struct UrlArgs {
    url: String,
}

/// The three tools, as offered to the model.
pub fn specs() -> Vec<ToolSpec> {
    let one = |name: &str, description: &str, param: &str, what: &str| ToolSpec {
        name: name.to_owned(),
        description: description.to_owned(),
        parameters: json!({
            "type": "object",
            "properties": { param: { "type": "string", "description": what } },
            "required": [param],
            "additionalProperties": false,
        }),
    };
    vec![
        one(
            "run_command",
            "Run one command line on this machine and get its exit code and output. Read-only \
             probes (df, free, ps, ss, journalctl, systemctl status, kubectl get/describe/logs, \
             docker ps, terraform plan, curl, dig, cat, grep, …) run at once; anything else \
             needs the user's approval. No shell: pipes into grep/head/tail/wc/sort/uniq/cut \
             work, but not ;, &&, redirections or $(…).",
            "command",
            "the command line, e.g. `df -h /`",
        ),
        one(
            "read_file",
            "Read a text file on this machine (up to 64 KiB; longer files come as head and tail).",
            "path",
            "the file's path",
        ),
        one(
            "http_get",
            "GET a URL: status, latency, a few headers, the first 8 KiB of the body and, for \
             https, the certificate's subject and days until expiry.",
            "url",
            "the URL, http or https",
        ),
    ]
}

/// What the system prompt says about the tools.
pub fn system_note(tools: &ToolSettings) -> String {
    let asking = match tools.mode.value {
        ToolMode::Ask => "anything else is shown to the user, who may approve it",
        _ => "anything else is refused",
    };
    format!(
        "## Looking at the real system\n\
         You can look at this machine with the tools run_command, read_file and http_get. \
         Read-only probes run at once; {asking}. When the question is about \"this\" system \
         (this server, this cluster, here, my disk, our service), look before you answer: run \
         the probe, then answer from its real output and quote the numbers. Never invent \
         output you could measure. Prefer one precise read-only command over many. Which \
         probe answers what: disk space `df -h /`, memory `free -m`, load `uptime`, busy \
         processes `ps aux --sort=-%cpu`, listening ports `ss -tlnp`, a service `systemctl \
         status NAME`, its logs `journalctl -u NAME -n 50`, pods `kubectl get pods -A`, a \
         certificate `http_get` on its https URL. Call the tool; do not show the call to the \
         user. Once a probe has returned, answer from its output in a sentence or two with \
         the numbers; do not call more tools unless the output cannot answer the question."
    )
}

/// The tools of one command (or one REPL turn).
pub struct Agent {
    /// Built on the first tool call: parsing the catalogue and compiling its globs is most of
    /// the CPU time of a short `ask`, and a reply that calls no tool never needs it.
    gate: OnceLock<Gate>,
    allow: Vec<String>,
    deny: Vec<String>,
    mode: ToolMode,
    timeout: Duration,
    /// Scrub results (HTTP always; the embedded model unless `redact_local: false`).
    redact: bool,
    api_key: Option<String>,
    /// Largest result, in bytes.
    limit: usize,
    /// Lines approved with "always" this session.
    always: BTreeSet<String>,
    /// The configured MCP servers (started by the first `prepare`).
    mcp: Option<mcp::McpServers>,
    /// Their tools, as of the last `prepare`.
    mcp_specs: Vec<ToolSpec>,
}

impl Agent {
    /// The agent for `provider` answering `question`, or `None` when tools are off, the
    /// model cannot use them (said once on stderr), or the embedded model is asked a general
    /// question while no tools mode was chosen and no MCP server is configured (`focus`).
    pub fn for_provider(
        settings: &Settings,
        provider: &dyn Provider,
        question: &str,
        out: &mut Output,
    ) -> Option<Agent> {
        let tools = &settings.tools;
        if tools.mode.value == ToolMode::Off {
            return None;
        }
        if !provider.supports_tools() {
            out.notice(&format!(
                "{} has no tool support in its chat template: answering without tools",
                provider.model()
            ));
            return None;
        }
        if provider.is_local()
            && matches!(tools.mode.source, crate::config::Source::Default)
            && settings.mcp_servers.is_empty()
            && !focus::is_about_this_system(question)
        {
            tracing::debug!(
                "a general question: the embedded model answers without tools (--tools ask \
                 offers them)"
            );
            return None;
        }
        let context = provider
            .context_window()
            .unwrap_or(crate::conversation::budget::DEFAULT_CONTEXT) as usize;
        Some(Agent {
            gate: OnceLock::new(),
            allow: tools.allow.clone(),
            deny: tools.deny.clone(),
            mode: tools.mode.value,
            timeout: Duration::from_secs(tools.timeout_secs),
            redact: !provider.is_local() || tools.redact_local,
            api_key: provider.api_key().map(str::to_owned),
            limit: RESULT_LIMIT.min(context * 4 * 15 / 100).max(1024),
            always: BTreeSet::new(),
            mcp: mcp::McpServers::from_settings(settings),
            mcp_specs: Vec::new(),
        })
    }

    /// The approval gate, built on first use.
    fn gate(&self) -> &Gate {
        self.gate.get_or_init(|| Gate::new(&self.allow, &self.deny))
    }

    /// Uses `servers` (kept by the REPL across turns) instead of this agent's own.
    pub fn use_mcp(&mut self, servers: Option<mcp::McpServers>) {
        self.mcp = servers;
    }

    /// The MCP servers this agent offers tools from.
    pub fn mcp(&self) -> Option<&mcp::McpServers> {
        self.mcp.as_ref()
    }

    fn no_such_tool(&self, call: &ToolCall) -> ToolOutcome {
        let mut step = step(call);
        step.decision = "refused".into();
        let mut names: Vec<String> = specs().into_iter().map(|s| s.name).collect();
        names.extend(self.mcp_specs.iter().map(|s| s.name.clone()));
        let content = format!(
            "error: there is no tool `{}`; the tools are {}",
            call.name,
            names.join(", ")
        );
        ToolOutcome { content, step }
    }

    async fn run_command(&mut self, call: &ToolCall, out: &mut Output) -> ToolOutcome {
        let mut step = step(call);
        let line = match serde_json::from_str::<CommandArgs>(&call.arguments) {
            Ok(args) => args.command.trim().to_owned(),
            Err(err) => return bad_arguments(step, &err),
        };
        let judged = self.gate().judge(&line);
        let runnable = if judged.pipeline.is_empty() {
            run::Runnable::Shell(line.clone())
        } else {
            step.argv = judged.pipeline.first().cloned();
            run::Runnable::Pipeline(judged.pipeline.clone())
        };
        let how = if judged.pipeline.is_empty() {
            "runs through /bin/sh -c".to_owned()
        } else {
            format!("runs as {}", argv_text(&judged.pipeline))
        };
        let decision = match judged.verdict {
            Verdict::ReadOnly => "read-only".to_owned(),
            Verdict::Allowed(rule) => format!("allowed by `{rule}`"),
            Verdict::Denied(reason) => {
                step.decision = "denied".into();
                return refused(step, out, &line, &reason);
            }
            Verdict::NeedsApproval(_) if self.always.contains(&line) => "approved".to_owned(),
            Verdict::NeedsApproval(reason) => {
                if self.mode == ToolMode::ReadOnly {
                    step.decision = "refused".into();
                    let why = format!("needs approval ({reason}) and --tools read-only never asks");
                    return refused(step, out, &line, &why);
                }
                if !approve::can_ask(out) {
                    step.decision = "refused".into();
                    let why =
                        format!("needs approval ({reason}) and there is no terminal to ask on");
                    return refused(step, out, &line, &why);
                }
                match approve::ask(out, &line, &how, &reason) {
                    approve::Answer::Yes => "approved".to_owned(),
                    approve::Answer::Always => {
                        self.always.insert(line.clone());
                        "approved".to_owned()
                    }
                    approve::Answer::No => {
                        step.decision = "refused".into();
                        return refused(step, out, &line, "the user said no");
                    }
                }
            }
        };
        step.decision = if decision.starts_with("allowed") {
            "allowed".into()
        } else {
            decision.clone()
        };
        start_line(out, &format!("{line}  ({decision})"));
        let ran = run::run(&runnable, self.timeout).await;
        step.exit_code = ran.exit_code;
        step.seconds = ran.seconds;
        let status = match (ran.timed_out, ran.exit_code) {
            (true, _) => format!("killed after {} s (tools.timeout)", self.timeout.as_secs()),
            (false, Some(code)) => format!("exit {code}"),
            (false, None) => "killed by a signal".to_owned(),
        };
        let lines = ran.stdout.lines().count();
        end_line(
            out,
            &format!("{line}  ({decision})"),
            &format!("{status} · {:.2} s · {lines} lines", ran.seconds),
        );
        if out.verbose() > 0 {
            let _ = write!(out.stderr(), "{}", ran.stdout);
            let _ = write!(out.stderr(), "{}", ran.stderr);
        }
        let mut content = format!("$ {line}\n{status} ({:.2} s)\n", ran.seconds);
        content.push_str(&ran.stdout);
        if !ran.stderr.trim().is_empty() {
            content.push_str("\n[stderr]\n");
            content.push_str(&ran.stderr);
        }
        self.finish(step, &content, out)
    }

    fn read_file(&mut self, call: &ToolCall, out: &mut Output) -> ToolOutcome {
        let mut step = step(call);
        let path = match serde_json::from_str::<PathArgs>(&call.arguments) {
            Ok(args) => args.path,
            Err(err) => return bad_arguments(step, &err),
        };
        let shown = format!("read_file {path}");
        if self.gate().is_secret_path(&path) {
            let approved = self.mode == ToolMode::Ask
                && approve::can_ask(out)
                && approve::ask(
                    out,
                    &shown,
                    "reads the file",
                    "it looks like a file of secrets",
                ) != approve::Answer::No;
            if !approved {
                step.decision = "refused".into();
                return refused(
                    step,
                    out,
                    &shown,
                    "it looks like a file of secrets and needs approval",
                );
            }
            step.decision = "approved".into();
        } else {
            step.decision = "read-only".into();
        }
        let started = std::time::Instant::now();
        let result = files::read_text(std::path::Path::new(&path));
        step.seconds = started.elapsed().as_secs_f64();
        let content = match result {
            Ok(text) => {
                end_line(
                    out,
                    &format!("{shown}  ({})", step.decision),
                    &format!("{} lines", text.lines().count()),
                );
                text
            }
            Err(err) => {
                end_line(out, &format!("{shown}  ({})", step.decision), &err);
                format!("error: {err}")
            }
        };
        self.finish(step, &content, out)
    }

    async fn http_get(&mut self, call: &ToolCall, out: &mut Output) -> ToolOutcome {
        let mut step = step(call);
        let url = match serde_json::from_str::<UrlArgs>(&call.arguments) {
            Ok(args) => args.url,
            Err(err) => return bad_arguments(step, &err),
        };
        step.decision = "read-only".into();
        let shown = format!("GET {url}  (read-only)");
        start_line(out, &shown);
        let started = std::time::Instant::now();
        let result = crate::llm::http::probe::http_get(&url, self.timeout).await;
        step.seconds = started.elapsed().as_secs_f64();
        let content = match result {
            Ok(report) => {
                let status = report.lines().nth(1).unwrap_or("").to_owned();
                end_line(out, &shown, &format!("{status} · {:.2} s", step.seconds));
                report
            }
            Err(err) => {
                end_line(out, &shown, &err);
                format!("error: {err}")
            }
        };
        self.finish(step, &content, out)
    }

    /// Caps the result and scrubs it before the model sees it.
    fn finish(&self, step: Step, content: &str, out: &mut Output) -> ToolOutcome {
        let mut content = cap(content, self.limit);
        if self.redact {
            let (clean, n) = scrub::scrub(&content, self.api_key.as_deref());
            if n > 0 {
                out.notice(&format!(
                    "  {n} secret(s) redacted from the {} result before it was sent",
                    step.tool
                ));
            }
            content = clean;
        }
        ToolOutcome { content, step }
    }
}

impl Toolbox for Agent {
    fn prepare<'a>(&'a mut self, out: &'a mut Output) -> PrepareFuture<'a> {
        Box::pin(async move {
            if let Some(servers) = self.mcp.clone() {
                servers.start(out).await;
                self.mcp_specs = servers.specs().await;
            }
        })
    }

    fn specs(&self) -> Vec<ToolSpec> {
        let mut all = specs();
        all.extend(self.mcp_specs.iter().cloned());
        all
    }

    fn call<'a>(&'a mut self, call: &'a ToolCall, out: &'a mut Output) -> ToolFuture<'a> {
        Box::pin(async move {
            match call.name.as_str() {
                "run_command" => self.run_command(call, out).await,
                "read_file" => self.read_file(call, out),
                "http_get" => self.http_get(call, out).await,
                name => match self.mcp.clone() {
                    Some(servers) if mcp::split_name(name).is_some() => {
                        self.mcp_call(&servers, call, out).await
                    }
                    _ => self.no_such_tool(call),
                },
            }
        })
    }
}

fn step(call: &ToolCall) -> Step {
    Step {
        tool: call.name.clone(),
        call_id: call.id.clone(),
        arguments: call.arguments.clone(),
        ..Step::default()
    }
}

fn bad_arguments(mut step: Step, err: &serde_json::Error) -> ToolOutcome {
    step.decision = "refused".into();
    ToolOutcome {
        content: format!(
            "error: the arguments are not valid for {}: {err}",
            step.tool
        ),
        step,
    }
}

fn refused(step: Step, out: &mut Output, line: &str, why: &str) -> ToolOutcome {
    end_line(out, &format!("{line}  ({})", step.decision), why);
    ToolOutcome {
        content: format!("refused: {why}. It did not run."),
        step,
    }
}

fn argv_text(pipeline: &[Vec<String>]) -> String {
    pipeline
        .iter()
        .map(|argv| format!("{argv:?}"))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// On a terminal the start of a call's line appears while it runs; its end is appended.
fn start_line(out: &mut Output, what: &str) {
    if out.terminal().stderr_is_tty {
        let _ = write!(out.stderr(), "▸ {what}");
        let _ = out.stderr().flush();
    }
}

fn end_line(out: &mut Output, what: &str, how: &str) {
    if out.terminal().stderr_is_tty {
        let _ = writeln!(out.stderr(), "  {how}");
    } else {
        let _ = writeln!(out.stderr(), "▸ {what}  {how}");
    }
}

/// At most `limit` bytes: the head and the tail, whole lines, with a marker between.
pub fn cap(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_owned();
    }
    let lines: Vec<&str> = text.lines().collect();
    let half = limit / 2;
    let (mut head, mut used) = (0, 0);
    while head < lines.len() && used + lines[head].len() < half {
        used += lines[head].len() + 1;
        head += 1;
    }
    let (mut tail, mut used_tail) = (lines.len(), 0);
    while tail > head && used_tail + lines[tail - 1].len() < half {
        used_tail += lines[tail - 1].len() + 1;
        tail -= 1;
    }
    let mut out = String::new();
    for line in &lines[..head] {
        let _ = writeln!(out, "{line}");
    }
    let omitted = tail - head;
    if omitted > 0 {
        let _ = writeln!(out, "… {omitted} lines omitted …");
    } else {
        // One line longer than the whole budget: cut it.
        let cut: String = text.chars().take(limit).collect();
        return format!("{cut}\n… cut at {limit} bytes …\n");
    }
    for line in &lines[tail..] {
        let _ = writeln!(out, "{line}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_output_keeps_head_and_tail_with_a_marker() {
        let text = (0..1000).fold(String::new(), |mut t, i| {
            let _ = writeln!(t, "line {i}");
            t
        });
        let capped = cap(&text, 200);
        assert!(capped.starts_with("line 0\n"));
        assert!(capped.trim_end().ends_with("line 999"));
        assert!(capped.contains("lines omitted"));
        assert!(capped.len() < 260);
        assert_eq!(cap("short\n", 200), "short\n");
    }
}
