//! The typed `config.yaml`. Unknown keys are errors that name the key and its line.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Detail, Playbook, RenderChoice};

/// The whole config file. Every key is optional.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// The provider used when none is named (`local` or a key of `providers`).
    pub default_provider: Option<String>,
    /// The persona used when none is named.
    pub persona: Option<String>,
    /// `full` or `compact`; unset means automatic (compact for small local models).
    pub detail: Option<Detail>,
    /// Model name (HTTP) or GGUF path/name (local) used when the provider names none.
    pub model: Option<String>,
    pub temperature: Option<f32>,
    pub max_tokens: Option<u32>,
    /// Seconds without a byte from the server before the stream is abandoned (default 60).
    pub idle_timeout: Option<u64>,
    /// Seconds to wait for a connection (default 10).
    pub connect_timeout: Option<u64>,
    /// Seconds for a whole request, unset by default.
    pub total_timeout: Option<u64>,
    /// Tries for a request that fails before any output (default 3).
    pub max_tries: Option<u32>,
    /// Largest stdin accepted, in bytes (default 1 MiB).
    pub max_input: Option<u64>,
    /// Save every `ask` exchange in a session (default true).
    pub save: Option<bool>,
    /// The agent: which tools run, which ask, limits.
    pub tools: Option<super::tools::ToolsConfig>,
    /// Render answers as markdown: `auto` (stdout is a terminal), `always` or `never`.
    pub render: Option<RenderChoice>,
    /// `auto` (local provider only), `on` or `off`: the persona's positions per question.
    pub playbook: Option<Playbook>,
    /// Tokens of recalled positions per question (default 300).
    pub playbook_budget: Option<u32>,
    /// The embedded engine.
    pub local: Option<LocalConfig>,
    /// MCP servers whose tools the agent offers (`SERVER__TOOL`).
    #[serde(default)]
    pub mcp_servers: BTreeMap<String, super::mcp::McpServerConfig>,
    /// Named OpenAI-compatible endpoints.
    #[serde(default)]
    pub providers: BTreeMap<String, ProviderConfig>,
}

/// Settings of the embedded llama.cpp engine.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LocalConfig {
    /// Default GGUF model (path or cached name).
    pub model: Option<String>,
    /// Inference threads (default: the machine's cores).
    pub threads: Option<u32>,
    /// Upper bound on the context size (the model's own size is used up to this).
    pub max_context: Option<u32>,
    /// Chat template name for models without one.
    pub chat_template: Option<String>,
}

/// Which body field carries the reply-length limit.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TokenParam {
    MaxTokens,
    MaxCompletionTokens,
}

/// How a provider is asked for JSON matching a schema.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum JsonMode {
    /// `response_format: {type: json_schema, …}`.
    JsonSchema,
    /// `response_format: {type: json_object}` with the schema in the prompt.
    JsonObject,
    /// No `response_format`; the schema goes in the prompt only.
    Prompt,
}

/// The API flavour of an endpoint.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    /// `Authorization: Bearer`, `model` in the body.
    #[default]
    Openai,
    /// `api-key` header, `api-version` query, deployment in the URL.
    Azure,
}

/// One named endpoint and its quirks.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    #[serde(default)]
    pub kind: ProviderKind,
    pub base_url: Option<String>,
    pub model: Option<String>,
    /// Environment variable holding the key.
    pub api_key_env: Option<String>,
    /// A shell command whose stdout is the key (`pass show openai`, `vault kv get …`).
    pub api_key_command: Option<String>,
    /// `max_tokens` (default) or `max_completion_tokens` (OpenAI and Azure reasoning models).
    pub token_param: Option<TokenParam>,
    /// Send `stream_options.include_usage` (default true).
    pub include_usage: Option<bool>,
    /// How to ask for schema-shaped JSON (default `json_schema`).
    pub json_mode: Option<JsonMode>,
    /// Extra request headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Azure: the `api-version` query value.
    pub api_version: Option<String>,
    /// Azure: the deployment name (defaults to `model`).
    pub deployment: Option<String>,
    /// A PEM file of extra CA certificates to trust for this endpoint (a private CA, a
    /// self-signed server), on top of the system's.
    pub ca_cert: Option<std::path::PathBuf>,
}
