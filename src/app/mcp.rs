//! `mitchell mcp list|call`: starts the servers of `mcp_servers:`, lists their tools with what
//! the gate says of each (`--json`: an array), or calls one tool through the same approval as
//! the agent and prints its result on stdout. No servers configured, an unknown server or tool
//! and arguments that are not a JSON object are usage errors (exit 2); a server that did not
//! start, a refusal, a failed call or a result the tool marks as an error exit 1. The servers
//! are stopped before the command returns.

use std::collections::BTreeSet;

use crate::cli::{GlobalArgs, McpCommand};
use crate::config::{Env, ToolMode};
use crate::error::{self, ExitStatus};
use crate::output::Output;
use crate::tools::mcp::{self, Decision, McpServers};

// `dispatch` hands over the parsed arguments by value.
#[allow(clippy::needless_pass_by_value)]
pub fn run(
    global: &GlobalArgs,
    cmd: McpCommand,
    env: &Env,
    out: &mut Output,
) -> anyhow::Result<ExitStatus> {
    let settings = super::settings(global, env, super::global_flags(global))?;
    let servers = McpServers::from_settings(&settings);
    let runtime = super::runtime()?;
    let result = runtime.block_on(async {
        let result = match (&cmd, &servers) {
            (McpCommand::List { json }, None) => list(&[], *json, out),
            (McpCommand::List { json }, Some(servers)) => {
                servers.start(out).await;
                list(&servers.report().await, *json, out)
            }
            (McpCommand::Call { .. }, None) => Err(error::usage_msg(
                "no MCP servers configured (add them under mcp_servers: in config.yaml)",
            )),
            (
                McpCommand::Call {
                    server,
                    tool,
                    arguments,
                },
                Some(servers),
            ) => {
                let mode = match settings.tools.mode.value {
                    ToolMode::ReadOnly => ToolMode::ReadOnly,
                    _ => ToolMode::Ask,
                };
                call(servers, server, tool, arguments, mode, out).await
            }
        };
        if let Some(servers) = &servers {
            servers.stop().await;
        }
        result
    });
    drop(servers);
    result
}

fn list(reports: &[mcp::ServerReport], json: bool, out: &mut Output) -> anyhow::Result<ExitStatus> {
    if json {
        out.println(&serde_json::to_string_pretty(reports)?)?;
    } else {
        out.print(&mcp::report_text(reports))?;
    }
    Ok(ExitStatus::Success)
}

async fn call(
    servers: &McpServers,
    server: &str,
    tool: &str,
    arguments: &str,
    mode: ToolMode,
    out: &mut Output,
) -> anyhow::Result<ExitStatus> {
    if !servers.knows(server).await {
        return Err(error::usage_msg(format!(
            "there is no MCP server `{server}` in mcp_servers"
        )));
    }
    let parsed = mcp::call::parse_arguments(arguments).map_err(error::usage_msg)?;
    servers.start_one(server, out).await;
    let verdict = match servers.judge(server, tool).await {
        Ok(verdict) => verdict,
        Err(why) if why.contains("has no tool") => return Err(error::usage_msg(why)),
        Err(why) => anyhow::bail!("{why}"),
    };
    let name = format!("{server}{}{tool}", mcp::SEPARATOR);
    let shown = mcp::call::shown(&name, arguments);
    let mut always = BTreeSet::new();
    match mcp::decide(&verdict, server, mode, &mut always, &shown, out) {
        Decision::Run { why, .. } => out.notice(&format!("▸ {shown}  ({why})")),
        Decision::Refused { why, .. } => anyhow::bail!("{name} was not run: {why}"),
    }
    let started = std::time::Instant::now();
    let result = servers.call(server, tool, parsed).await;
    let seconds = started.elapsed().as_secs_f64();
    let (status, content) = mcp::call::ended(server, &result, servers.timeout().as_secs(), seconds);
    match result {
        Ok((text, false)) => {
            out.print(&text)?;
            if !text.ends_with('\n') {
                out.println("")?;
            }
            Ok(ExitStatus::Success)
        }
        Ok((text, true)) => {
            out.print(&text)?;
            if !text.ends_with('\n') {
                out.println("")?;
            }
            anyhow::bail!("{name}: {status}")
        }
        Err(_) => anyhow::bail!("{}", content.trim_start_matches("error: ")),
    }
}
