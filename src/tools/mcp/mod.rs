//! Tools from Model Context Protocol servers (`mcp_servers:` in config.yaml). `McpServers` holds
//! every configured server and its state; servers start lazily, all at once, the first time a
//! turn offers tools (or `mitchell mcp list`/`call` needs them), and stop when the last handle
//! is dropped (with mitchell). A server that does not start, dies or hangs is one stderr line
//! and a state in `mcp list`; it never ends the session. Tools are offered as `SERVER__TOOL`
//! with the server's own JSON schema; `gate` decides which run without asking, `call` runs one
//! through the same approval as commands. `client` is the only user of `rmcp`.

pub mod call;
pub mod client;
pub mod gate;

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

pub use call::{Decision, decide};
use client::{CallError, Connection, ToolInfo};
use gate::{McpGate, McpVerdict};

use crate::config::{McpServer, McpTransport, Settings};
use crate::llm::ToolSpec;
use crate::output::Output;

/// The separator between a server's name and its tool's name.
pub const SEPARATOR: &str = "__";

enum State {
    NotStarted,
    Running(Connection),
    Failed(String),
}

struct Server {
    config: McpServer,
    gate: McpGate,
    state: State,
    tools: Vec<ToolInfo>,
}

/// Every configured server; clones share them (the REPL keeps one across turns).
#[derive(Clone)]
pub struct McpServers {
    servers: Arc<tokio::sync::Mutex<Vec<Server>>>,
    timeout: Duration,
}

/// One server as `mcp list` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ServerReport {
    pub name: String,
    /// `stdio` or `http`.
    pub transport: &'static str,
    /// The command line or the URL.
    pub target: String,
    /// `running`, `not started` or `failed`.
    pub state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub tools: Vec<ToolReport>,
}

/// One tool as `mcp list` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ToolReport {
    /// `SERVER__TOOL`, as the model sees it.
    pub name: String,
    pub tool: String,
    pub runs_without_asking: bool,
    pub why: String,
}

impl McpServers {
    /// The configured servers, none started; `None` when there are none.
    pub fn from_settings(settings: &Settings) -> Option<McpServers> {
        if settings.mcp_servers.is_empty() {
            return None;
        }
        let servers = settings
            .mcp_servers
            .iter()
            .map(|config| Server {
                gate: McpGate::new(&config.read_only, &settings.tools.deny),
                config: config.clone(),
                state: State::NotStarted,
                tools: Vec::new(),
            })
            .collect();
        Some(McpServers {
            servers: Arc::new(tokio::sync::Mutex::new(servers)),
            timeout: Duration::from_secs(settings.tools.timeout_secs),
        })
    }

    /// `tools.timeout`, which bounds starting a server and each call.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Starts every server not started yet, all at once; one stderr line per failure.
    pub async fn start(&self, out: &mut Output) {
        self.start_some(None, out).await;
    }

    /// Starts `name` only (`mcp call`), if it is not started yet.
    pub async fn start_one(&self, name: &str, out: &mut Output) {
        self.start_some(Some(name), out).await;
    }

    async fn start_some(&self, only: Option<&str>, out: &mut Output) {
        let mut servers = self.servers.lock().await;
        let timeout = self.timeout;
        let starting = servers
            .iter()
            .enumerate()
            .filter(|(_, s)| matches!(s.state, State::NotStarted))
            .filter(|(_, s)| only.is_none_or(|name| s.config.name == name))
            .map(|(i, s)| {
                let config = s.config.clone();
                async move {
                    let result = match &config.problem {
                        Some(problem) => Err(problem.clone()),
                        None => client::connect(&config, timeout).await,
                    };
                    (i, result)
                }
            })
            .collect::<Vec<_>>();
        for (i, result) in futures_util::future::join_all(starting).await {
            let server = &mut servers[i];
            match result {
                Ok((connection, tools)) => {
                    tracing::debug!(
                        "mcp server {} started with {} tools",
                        server.config.name,
                        tools.len()
                    );
                    server.state = State::Running(connection);
                    server.tools = tools;
                }
                Err(why) => {
                    out.warn(&format!(
                        "mcp server `{}` did not start: {why}",
                        server.config.name
                    ));
                    server.state = State::Failed(format!("did not start: {why}"));
                }
            }
        }
    }

    /// The tools of the running servers, as offered to the model.
    pub async fn specs(&self) -> Vec<ToolSpec> {
        let servers = self.servers.lock().await;
        let mut specs = Vec::new();
        for server in servers
            .iter()
            .filter(|s| matches!(s.state, State::Running(_)))
        {
            for tool in &server.tools {
                let name = format!("{}{SEPARATOR}{}", server.config.name, tool.name);
                if name.len() > 64
                    || !name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                {
                    tracing::warn!("mcp tool {name} is not offered: not a valid function name");
                    continue;
                }
                specs.push(ToolSpec {
                    name,
                    description: format!(
                        "[MCP server {}] {}",
                        server.config.name, tool.description
                    ),
                    parameters: tool.schema.clone(),
                });
            }
        }
        specs
    }

    /// True when `server` is configured.
    pub async fn knows(&self, server: &str) -> bool {
        self.servers
            .lock()
            .await
            .iter()
            .any(|s| s.config.name == server)
    }

    /// The gate's verdict on `server`'s `tool`, or why it cannot be called at all.
    pub async fn judge(&self, server: &str, tool: &str) -> Result<McpVerdict, String> {
        let servers = self.servers.lock().await;
        let Some(found) = servers.iter().find(|s| s.config.name == server) else {
            return Err(format!("there is no MCP server `{server}` in mcp_servers"));
        };
        match &found.state {
            State::Running(_) => {}
            State::NotStarted => return Err(format!("MCP server `{server}` is not started")),
            State::Failed(why) => return Err(format!("MCP server `{server}` {why}")),
        }
        match found.tools.iter().find(|t| t.name == tool) {
            Some(info) => Ok(found.gate.judge(server, info)),
            None => Err(format!("MCP server `{server}` has no tool `{tool}`")),
        }
    }

    /// Calls `tool` on `server` (the gate was asked before). A server found gone afterwards is
    /// marked failed, and its tools are no longer offered.
    pub async fn call(
        &self,
        server: &str,
        tool: &str,
        arguments: Option<serde_json::Map<String, serde_json::Value>>,
    ) -> Result<(String, bool), CallError> {
        let mut servers = self.servers.lock().await;
        let Some(found) = servers.iter_mut().find(|s| s.config.name == server) else {
            return Err(CallError::Died("it is not configured".to_owned()));
        };
        let State::Running(connection) = &found.state else {
            return Err(CallError::Died("it is not running".to_owned()));
        };
        let result = connection.call(tool, arguments, self.timeout).await;
        if let Err(CallError::Died(why)) = &result {
            found.state = State::Failed(format!("exited: {why}"));
        } else if connection.is_closed() {
            found.state = State::Failed("exited".to_owned());
        }
        result
    }

    /// Every server, its state and its tools, with what the gate says of each.
    pub async fn report(&self) -> Vec<ServerReport> {
        let servers = self.servers.lock().await;
        servers
            .iter()
            .map(|s| {
                let (transport, target) = match &s.config.transport {
                    McpTransport::Stdio { command, args, .. } => {
                        let mut line = vec![command.clone()];
                        line.extend(args.iter().cloned());
                        ("stdio", shell_words::join(line))
                    }
                    McpTransport::Http { url, .. } => ("http", url.clone()),
                };
                let (state, error) = match &s.state {
                    State::NotStarted => ("not started", None),
                    State::Running(_) => ("running", None),
                    State::Failed(why) => ("failed", Some(why.clone())),
                };
                let tools = s
                    .tools
                    .iter()
                    .map(|t| {
                        let verdict = s.gate.judge(&s.config.name, t);
                        ToolReport {
                            name: format!("{}{SEPARATOR}{}", s.config.name, t.name),
                            tool: t.name.clone(),
                            runs_without_asking: verdict.runs_at_once(),
                            why: verdict.why(&s.config.name),
                        }
                    })
                    .collect();
                ServerReport {
                    name: s.config.name.clone(),
                    transport,
                    target,
                    state,
                    error,
                    tools,
                }
            })
            .collect()
    }

    /// Stops every running server (closing its stdin lets it exit by itself; it is killed if it
    /// has not within two seconds).
    pub async fn stop(&self) {
        let mut servers = self.servers.lock().await;
        let running: Vec<Connection> = servers
            .iter_mut()
            .filter_map(
                |s| match std::mem::replace(&mut s.state, State::NotStarted) {
                    State::Running(c) => Some(c),
                    other => {
                        s.state = other;
                        None
                    }
                },
            )
            .collect();
        futures_util::future::join_all(running.into_iter().map(Connection::stop)).await;
    }
}

/// Splits `SERVER__TOOL`.
pub fn split_name(name: &str) -> Option<(&str, &str)> {
    name.split_once(SEPARATOR)
        .filter(|(server, tool)| !server.is_empty() && !tool.is_empty())
}

/// The text `mcp list` and `/mcp` print.
pub fn report_text(reports: &[ServerReport]) -> String {
    use std::fmt::Write as _;
    let mut text = String::new();
    if reports.is_empty() {
        text.push_str("no MCP servers configured (add them under mcp_servers: in config.yaml)\n");
    }
    for r in reports {
        let _ = write!(
            text,
            "{}  {} {}  {}",
            r.name, r.transport, r.target, r.state
        );
        if let Some(error) = &r.error {
            let _ = write!(text, ": {error}");
        }
        text.push('\n');
        for t in &r.tools {
            let mark = if t.runs_without_asking {
                "runs"
            } else {
                "asks"
            };
            let _ = writeln!(text, "  {:<32} {mark}  ({})", t.name, t.why);
        }
    }
    text
}
