//! The only user of `rmcp`: one connection to one MCP server, over a child process's
//! stdin/stdout or streamable HTTP. Starting (spawn, `initialize`, `tools/list`) and each
//! `tools/call` are bounded by `tools.timeout`; every failure comes back as one line of text
//! (with the last line the server wrote on stderr, when it wrote one). A child is started with
//! kill-on-drop, so it never outlives mitchell: dropping a `Connection` ends it.

use std::collections::HashMap;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp::model::{CallToolRequestParams, CallToolResult, ContentBlock};
use rmcp::service::RunningService;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use rmcp::{RoleClient, ServiceError, ServiceExt};
use tokio::io::AsyncBufReadExt;

use crate::config::{McpServer, McpTransport};

/// One tool as the server describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolInfo {
    pub name: String,
    pub description: String,
    /// The JSON schema of its arguments.
    pub schema: serde_json::Value,
    pub read_only_hint: Option<bool>,
    pub destructive_hint: Option<bool>,
}

/// Why a call produced no result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// No answer within `tools.timeout`.
    Timeout,
    /// The server went away (exited, closed its pipe); with the last stderr line.
    Died(String),
    /// The server answered with a JSON-RPC error.
    Rpc(String),
}

/// A running server.
pub struct Connection {
    service: Option<RunningService<RoleClient, ()>>,
    /// The last non-empty line the child wrote on stderr.
    stderr: Arc<Mutex<String>>,
    /// The runtime the connection's tasks run on: dropping the service spawns its clean-up.
    handle: tokio::runtime::Handle,
}

impl Drop for Connection {
    fn drop(&mut self) {
        let _guard = self.handle.enter();
        drop(self.service.take());
    }
}

/// Starts `server` and lists its tools.
pub async fn connect(
    server: &McpServer,
    timeout: Duration,
) -> Result<(Connection, Vec<ToolInfo>), String> {
    let stderr = Arc::new(Mutex::new(String::new()));
    let handle = tokio::runtime::Handle::current();
    let (started, reader) = match &server.transport {
        McpTransport::Stdio { command, args, env } => {
            let mut cmd = tokio::process::Command::new(command);
            cmd.args(args)
                .envs(env.iter().map(|(k, v)| (k, v)))
                .kill_on_drop(true)
                // Its own process group: Ctrl-C at the terminal interrupts the turn, not the
                // server (it still sees its stdin close when mitchell goes).
                .process_group(0);
            let (transport, pipe) = TokioChildProcess::builder(cmd)
                .stderr(Stdio::piped())
                .spawn()
                .map_err(|err| format!("cannot run `{command}`: {err}"))?;
            let reader = pipe.map(|pipe| tokio::spawn(keep_last_line(pipe, stderr.clone())));
            let started = tokio::time::timeout(timeout, ().serve(transport)).await;
            (started.map(|r| r.map_err(|e| e.to_string())), reader)
        }
        McpTransport::Http { url, headers } => {
            let transport = http_transport(url, headers, timeout)?;
            let started = tokio::time::timeout(timeout, ().serve(transport)).await;
            (started.map(|r| r.map_err(|e| e.to_string())), None)
        }
    };
    let service = match started {
        Ok(Ok(service)) => service,
        failed => {
            // The child's last words arrive when its pipe closes: wait a moment for them.
            if let Some(reader) = reader {
                let _ = tokio::time::timeout(Duration::from_secs(1), reader).await;
            }
            let why = match failed {
                Ok(Err(err)) => err,
                _ => format!("no answer within {} s (tools.timeout)", timeout.as_secs()),
            };
            return Err(with_stderr(&why, &stderr));
        }
    };
    let tools = match tokio::time::timeout(timeout, service.list_all_tools()).await {
        Ok(Ok(tools)) => tools,
        Ok(Err(err)) => {
            let why = format!("tools/list failed: {}", service_error(&err));
            return Err(with_stderr(&why, &stderr));
        }
        Err(_) => {
            return Err(format!(
                "tools/list: no answer within {} s (tools.timeout)",
                timeout.as_secs()
            ));
        }
    };
    let tools = tools
        .into_iter()
        .map(|tool| ToolInfo {
            name: tool.name.to_string(),
            description: tool
                .description
                .map(std::borrow::Cow::into_owned)
                .unwrap_or_default(),
            schema: serde_json::Value::Object((*tool.input_schema).clone()),
            read_only_hint: tool.annotations.as_ref().and_then(|a| a.read_only_hint),
            destructive_hint: tool.annotations.as_ref().and_then(|a| a.destructive_hint),
        })
        .collect();
    let connection = Connection {
        service: Some(service),
        stderr,
        handle,
    };
    Ok((connection, tools))
}

impl Connection {
    /// Calls one tool; the result is the text the model reads.
    pub async fn call(
        &self,
        tool: &str,
        arguments: Option<serde_json::Map<String, serde_json::Value>>,
        timeout: Duration,
    ) -> Result<(String, bool), CallError> {
        let Some(service) = self.service.as_ref() else {
            return Err(CallError::Died("it was stopped".to_owned()));
        };
        let mut params = CallToolRequestParams::new(tool.to_owned());
        if let Some(arguments) = arguments {
            params = params.with_arguments(arguments);
        }
        match tokio::time::timeout(timeout, service.call_tool(params)).await {
            Err(_) => Err(CallError::Timeout),
            Ok(Ok(result)) => Ok(result_text(&result)),
            Ok(Err(ServiceError::McpError(err))) => Err(CallError::Rpc(format!(
                "JSON-RPC error {}: {}",
                err.code.0, err.message
            ))),
            Ok(Err(ServiceError::Timeout { .. })) => Err(CallError::Timeout),
            Ok(Err(err)) => {
                // Give the stderr reader a moment to see the child's last line.
                tokio::time::sleep(Duration::from_millis(100)).await;
                Err(CallError::Died(with_stderr(
                    &service_error(&err),
                    &self.stderr,
                )))
            }
        }
    }

    /// True when the server has gone away.
    pub fn is_closed(&self) -> bool {
        self.service
            .as_ref()
            .is_none_or(|s| s.is_closed() || s.is_transport_closed())
    }

    /// Stops the server: closes its stdin (or HTTP session) and waits a moment for it.
    pub async fn stop(mut self) {
        if let Some(mut service) = self.service.take() {
            let _ = service.close_with_timeout(Duration::from_secs(2)).await;
        }
    }
}

fn http_transport(
    url: &str,
    headers: &[(String, crate::config::Secret)],
    timeout: Duration,
) -> Result<StreamableHttpClientTransport<reqwest::Client>, String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .connect_timeout(timeout)
        .build()
        .map_err(|err| format!("cannot build the HTTP client: {err}"))?;
    let mut custom = HashMap::new();
    for (name, value) in headers {
        let name = reqwest::header::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("header `{name}` is not a valid header name"))?;
        let mut value = reqwest::header::HeaderValue::from_str(value.expose())
            .map_err(|_| format!("the value of header `{name}` is not valid in a header"))?;
        value.set_sensitive(true);
        custom.insert(name, value);
    }
    let config =
        StreamableHttpClientTransportConfig::with_uri(url.to_owned()).custom_headers(custom);
    Ok(StreamableHttpClientTransport::with_client(client, config))
}

/// Reads the child's stderr to its end, keeping the last non-empty line.
async fn keep_last_line(pipe: tokio::process::ChildStderr, last: Arc<Mutex<String>>) {
    let mut lines = tokio::io::BufReader::new(pipe).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        tracing::debug!(target: "mitchell::mcp", "server stderr: {line}");
        let line = line.trim();
        if !line.is_empty()
            && let Ok(mut slot) = last.lock()
        {
            line.clone_into(&mut slot);
        }
    }
}

fn with_stderr(why: &str, stderr: &Mutex<String>) -> String {
    let last = stderr.lock().map(|s| s.clone()).unwrap_or_default();
    if last.is_empty() {
        why.to_owned()
    } else {
        let last: String = last.chars().take(300).collect();
        format!("{why} (its stderr: {last})")
    }
}

fn service_error(err: &ServiceError) -> String {
    match err {
        ServiceError::TransportClosed | ServiceError::TransportSend(_) => {
            "the server exited (its connection closed)".to_owned()
        }
        ServiceError::Cancelled { .. } => "the server's connection was closed".to_owned(),
        other => other.to_string(),
    }
}

/// The text of a result: text blocks as they are, other blocks named, structured content as
/// JSON when there is no text. The flag is the server's `isError`.
fn result_text(result: &CallToolResult) -> (String, bool) {
    let mut parts = Vec::new();
    for block in &result.content {
        parts.push(match block {
            ContentBlock::Text(text) => text.text.clone(),
            ContentBlock::Image(_) => "[an image, not shown]".to_owned(),
            ContentBlock::Audio(_) => "[audio, not shown]".to_owned(),
            ContentBlock::Resource(_) => "[an embedded resource, not shown]".to_owned(),
            ContentBlock::ResourceLink(link) => format!("[resource {}]", link.uri),
            _ => "[content of a kind mitchell does not show]".to_owned(),
        });
    }
    if parts.is_empty()
        && let Some(structured) = &result.structured_content
    {
        parts.push(structured.to_string());
    }
    (parts.join("\n"), result.is_error == Some(true))
}
