//! The chat types every provider speaks, the `Provider` trait, and the `StreamEvent`s a provider
//! emits. The terminal, sessions and documents see only these types, never a provider's own.
//!
//! A provider's `stream` spawns its work and returns a receiver. Dropping the receiver cancels
//! the request: the HTTP provider closes the connection, the local engine stops generating.

pub mod error;
/// The GGUF header reader is pure Rust: without the engine it is still built for the fuzz
/// targets (`crate::fuzzing`).
#[cfg(not(feature = "local"))]
#[doc(hidden)]
#[path = "local/gguf.rs"]
pub mod gguf;
pub mod http;
#[cfg(feature = "local")]
pub mod local;
pub mod reply;
#[cfg(test)]
pub mod scripted;

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

pub use error::Error;
pub use reply::{Reply, ToolCall};

/// Who said a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
    /// The result of a tool call (`tool_call_id` names the call).
    Tool,
}

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub role: Role,
    pub content: String,
    /// The calls an assistant message asked for (empty otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCall>,
    /// The call a `tool` message answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
}

impl Message {
    fn plain(role: Role, content: String) -> Self {
        Message {
            role,
            content,
            tool_calls: Vec::new(),
            tool_call_id: None,
        }
    }
    pub fn system(content: impl Into<String>) -> Self {
        Message::plain(Role::System, content.into())
    }
    pub fn user(content: impl Into<String>) -> Self {
        Message::plain(Role::User, content.into())
    }
    pub fn assistant(content: impl Into<String>) -> Self {
        Message::plain(Role::Assistant, content.into())
    }
    /// An assistant message that asked for tool calls (its text may be empty).
    pub fn assistant_calls(content: impl Into<String>, calls: Vec<ToolCall>) -> Self {
        Message {
            tool_calls: calls,
            ..Message::assistant(content)
        }
    }
    /// The result of the call `id`.
    pub fn tool(id: impl Into<String>, content: impl Into<String>) -> Self {
        Message {
            tool_call_id: Some(id.into()),
            ..Message::plain(Role::Tool, content.into())
        }
    }
}

/// A function the model may call, offered as an OpenAI `tools` entry of type `function`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolSpec {
    pub name: String,
    pub description: String,
    /// The JSON Schema of the arguments object.
    pub parameters: serde_json::Value,
}

/// A request for schema-shaped JSON output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JsonSchemaFormat {
    /// A short name (`postmortem`).
    pub name: String,
    /// The JSON Schema the reply must match.
    pub schema: serde_json::Value,
}

/// One chat request, independent of the provider (serde: it crosses to the engine process).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ChatRequest {
    pub messages: Vec<Message>,
    /// Model name (HTTP) — the local engine ignores it; `None` uses the provider's default.
    pub model: Option<String>,
    pub temperature: Option<f32>,
    pub max_tokens: Option<u32>,
    /// Ask for JSON matching this schema.
    pub json_schema: Option<JsonSchemaFormat>,
    /// `false` asks for one whole response (`--no-stream`); events are emitted all the same.
    pub stream: bool,
    /// Functions the model may call (none: no `tools` are sent).
    pub tools: Vec<ToolSpec>,
}

/// Token counts. Every counter is optional: many streams report none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub prompt_tokens: Option<u64>,
    pub completion_tokens: Option<u64>,
    pub total_tokens: Option<u64>,
    /// Prompt tokens the engine really evaluated (local engine: fewer when the persona prefix
    /// came from the cache). Absent for HTTP providers.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub prompt_eval_tokens: Option<u64>,
}

/// A fragment of a tool call as it arrives.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolCallDelta {
    pub index: Option<u32>,
    pub id: Option<String>,
    pub name: Option<String>,
    pub arguments: Option<String>,
}

/// What a provider emits while a reply streams. `Finish` or `Error` ends a stream; a channel
/// that closes without either is a truncated stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum StreamEvent {
    /// The model actually serving the request, when the provider reports it.
    Model(String),
    Text(String),
    Reasoning(String),
    ToolCall(ToolCallDelta),
    /// The latest usage report (last one wins).
    Usage(Usage),
    /// The finish reason, as the provider spelled it (`stop`, `length`, `tool_calls`, …).
    Finish(String),
    /// A failure; nothing follows it.
    Error(Error),
    /// A notice for stderr (a retry, a cache miss), not part of the answer.
    Notice(String),
    /// What the provider is busy with before the first text (`reading the persona…`), for the
    /// spinner's label; not part of the answer.
    Phase(String),
}

/// A chat backend: the HTTP client or the embedded engine.
pub trait Provider: Send + Sync {
    /// The provider's name for messages (`openai`, `groq`, `local`).
    fn name(&self) -> &str;
    /// The model requests go to, for the prompt and the sessions store.
    fn model(&self) -> &str;
    /// True for the embedded engine: nothing it is sent leaves the machine.
    fn is_local(&self) -> bool {
        false
    }
    /// The key requests carry, so tool results can be scrubbed of it.
    fn api_key(&self) -> Option<&str> {
        None
    }
    /// Whether the model can be offered tools (HTTP: assumed; local: its chat template says).
    fn supports_tools(&self) -> bool {
        true
    }
    /// The context window in tokens, when known.
    fn context_window(&self) -> Option<u32> {
        None
    }
    /// Starts a request. Must be called inside the tokio runtime. Dropping the receiver cancels.
    fn stream(&self, request: ChatRequest) -> mpsc::Receiver<StreamEvent>;
}

/// Opens the provider the settings choose (`Settings::backend`). The local engine says once on
/// stderr that it is in use.
pub fn connect(
    settings: &crate::config::Settings,
    out: &mut crate::output::Output,
) -> anyhow::Result<Box<dyn Provider>> {
    match settings.backend().map_err(crate::error::usage)? {
        crate::config::Backend::Http(target) => http::connect(&target),
        #[cfg(feature = "local")]
        crate::config::Backend::Local(target) => local::connect(&target, &settings.paths, out),
        #[cfg(not(feature = "local"))]
        crate::config::Backend::Local(_) => {
            let _ = out;
            Err(crate::error::usage_msg(
                "this build has no embedded model (built without the `local` feature): \
                 pass --base-url or configure a provider",
            ))
        }
    }
}
