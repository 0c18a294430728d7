//! What is sent: the URL, the headers and the JSON body for one
//! `ChatRequest`, with the per-provider quirks of `HttpTarget` (token parameter, usage option,
//! extra headers, Azure's deployment URL, `api-version` and `api-key`, the JSON mode). Pure
//! apart from `resolve_key`, which may run the configured `api_key_command`.

use serde::Serialize;
use serde_json::{Value, json};

use crate::config::{HttpTarget, JsonMode, KeySource, ProviderKind, TokenParam};
use crate::llm::{ChatRequest, Message};

/// The user agent: `mitchell/<version>`.
pub const USER_AGENT: &str = concat!("mitchell/", env!("CARGO_PKG_VERSION"));

#[derive(Debug, Serialize)]
struct Body<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    model: Option<&'a str>,
    messages: Vec<WireMessage>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tools: Vec<Value>,
    stream: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    stream_options: Option<StreamOptions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_completion_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_format: Option<Value>,
}

/// A message as the chat-completions API spells it: an assistant's calls are
/// `{id, type: "function", function: {name, arguments}}` and its text may be `null`.
#[derive(Debug, Serialize)]
struct WireMessage {
    role: crate::llm::Role,
    content: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_calls: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_call_id: Option<String>,
}

impl From<Message> for WireMessage {
    fn from(m: Message) -> Self {
        let tool_calls: Vec<Value> = m
            .tool_calls
            .iter()
            .map(|c| {
                json!({
                    "id": c.id,
                    "type": "function",
                    "function": { "name": c.name, "arguments": c.arguments },
                })
            })
            .collect();
        let content = if m.content.is_empty() && !tool_calls.is_empty() {
            None
        } else {
            Some(m.content)
        };
        WireMessage {
            role: m.role,
            content,
            tool_calls,
            tool_call_id: m.tool_call_id,
        }
    }
}

#[derive(Debug, Serialize)]
struct StreamOptions {
    include_usage: bool,
}

/// True for Azure's classic style, where the deployment in the URL selects the model.
fn azure_classic(target: &HttpTarget) -> bool {
    target.kind == ProviderKind::Azure && !target.base_url.ends_with("/v1")
}

/// The model the request names (the request's own, else the target's).
pub fn model<'a>(target: &'a HttpTarget, request: &'a ChatRequest) -> Option<&'a str> {
    request.model.as_deref().or(target.model.as_deref())
}

fn with_api_version(target: &HttpTarget, url: String) -> String {
    match &target.api_version {
        Some(version) if target.kind == ProviderKind::Azure => {
            format!("{url}?api-version={version}")
        }
        _ => url,
    }
}

/// `{base}/chat/completions`, or Azure's `{base}/openai/deployments/{name}/chat/completions`.
pub fn chat_url(target: &HttpTarget, request: &ChatRequest) -> String {
    let base = &target.base_url;
    let url = if azure_classic(target) {
        let base = base.strip_suffix("/openai").unwrap_or(base);
        let deployment = target
            .deployment
            .as_deref()
            .or(model(target, request))
            .unwrap_or_default();
        format!("{base}/openai/deployments/{deployment}/chat/completions")
    } else {
        format!("{base}/chat/completions")
    };
    with_api_version(target, url)
}

/// `{base}/models` (Azure classic: `{base}/openai/models`).
pub fn models_url(target: &HttpTarget) -> String {
    let base = &target.base_url;
    let url = if azure_classic(target) {
        format!(
            "{}/openai/models",
            base.strip_suffix("/openai").unwrap_or(base)
        )
    } else {
        format!("{base}/models")
    };
    with_api_version(target, url)
}

/// The JSON body for `request`.
pub fn body(target: &HttpTarget, request: &ChatRequest) -> Value {
    let mut messages = request.messages.clone();
    let mut response_format = None;
    if let Some(format) = &request.json_schema {
        let schema_note = || {
            Message::system(format!(
                "Reply with one JSON object only, matching this JSON Schema:\n{}",
                format.schema
            ))
        };
        match target.json_mode {
            JsonMode::JsonSchema => {
                response_format = Some(json!({
                    "type": "json_schema",
                    "json_schema": { "name": format.name, "schema": format.schema },
                }));
            }
            JsonMode::JsonObject => {
                messages.push(schema_note());
                response_format = Some(json!({ "type": "json_object" }));
            }
            JsonMode::Prompt => messages.push(schema_note()),
        }
    }
    let limit = request.max_tokens;
    let body = Body {
        model: if azure_classic(target) {
            None
        } else {
            model(target, request)
        },
        messages: messages.into_iter().map(WireMessage::from).collect(),
        tools: request
            .tools
            .iter()
            .map(|t| {
                json!({
                    "type": "function",
                    "function": {
                        "name": t.name,
                        "description": t.description,
                        "parameters": t.parameters,
                    },
                })
            })
            .collect(),
        stream: request.stream,
        stream_options: (request.stream && target.include_usage).then_some(StreamOptions {
            include_usage: true,
        }),
        temperature: request.temperature.map(as_written),
        max_tokens: limit.filter(|_| target.token_param == TokenParam::MaxTokens),
        max_completion_tokens: limit
            .filter(|_| target.token_param == TokenParam::MaxCompletionTokens),
        response_format,
    };
    // Serialising plain structs of strings and numbers cannot fail.
    serde_json::to_value(body).unwrap_or(Value::Null)
}

/// The temperature as the user wrote it: `0.3` stays `0.3` on the wire rather than the f32's
/// exact value `0.30000001192092896` (an f32 prints as its shortest round-tripping decimal).
fn as_written(t: f32) -> f64 {
    t.to_string().parse().unwrap_or(f64::from(t))
}

/// The header carrying the key: `api-key` on Azure, `Authorization: Bearer` elsewhere.
pub fn auth_header(target: &HttpTarget, key: &str) -> (String, String) {
    match target.kind {
        ProviderKind::Azure => ("api-key".to_owned(), key.to_owned()),
        ProviderKind::Openai => ("Authorization".to_owned(), format!("Bearer {key}")),
    }
}

/// Every header except the key's, in send order.
pub fn headers(target: &HttpTarget, stream: bool) -> Vec<(String, String)> {
    let mut headers = vec![("Content-Type".to_owned(), "application/json".to_owned())];
    if stream {
        headers.push(("Accept".to_owned(), "text/event-stream".to_owned()));
    }
    headers.extend(target.headers.iter().map(|(k, v)| (k.clone(), v.clone())));
    headers
}

/// Reads the key: the variable's value, or the command's trimmed stdout (run with `sh -c`).
/// `None` when no key is configured or the configured variable is unset.
pub fn resolve_key(source: Option<&KeySource>) -> anyhow::Result<Option<String>> {
    match source {
        None | Some(KeySource::MissingEnv { .. }) => Ok(None),
        Some(KeySource::Env { value, .. }) => Ok(Some(value.expose().to_owned())),
        Some(KeySource::Command { command }) => {
            let output = std::process::Command::new("sh")
                .arg("-c")
                .arg(command)
                .stdin(std::process::Stdio::null())
                .stderr(std::process::Stdio::inherit())
                .output()
                .map_err(|err| {
                    anyhow::anyhow!("api_key_command `{command}` could not run: {err}")
                })?;
            if !output.status.success() {
                anyhow::bail!("api_key_command `{command}` failed ({})", output.status);
            }
            let key = String::from_utf8(output.stdout)
                .map_err(|_| anyhow::anyhow!("api_key_command `{command}` printed non-UTF-8"))?;
            let key = key.trim();
            if key.is_empty() {
                anyhow::bail!("api_key_command `{command}` printed no key");
            }
            Ok(Some(key.to_owned()))
        }
    }
}

/// The request as `--dry-run` prints it: method, URL, headers (key redacted) and body.
pub fn describe(target: &HttpTarget, request: &ChatRequest) -> Value {
    let mut headers = serde_json::Map::new();
    headers.insert("User-Agent".to_owned(), Value::from(USER_AGENT));
    for (name, value) in self::headers(target, request.stream) {
        let value = if crate::config::is_secret_header(&name) {
            "<redacted>".to_owned()
        } else {
            value
        };
        headers.insert(name, Value::from(value));
    }
    let sent_key = target
        .key
        .as_ref()
        .filter(|k| !matches!(k, KeySource::MissingEnv { .. }));
    if sent_key.is_some() {
        let (name, value) = auth_header(target, "<redacted>");
        headers.insert(name, Value::from(value));
    }
    json!({
        "provider": target.name,
        "key_source": sent_key.map(KeySource::label),
        "method": "POST",
        "url": chat_url(target, request),
        "headers": headers,
        "body": body(target, request),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::time::Duration;

    use super::*;
    use crate::llm::JsonSchemaFormat;

    fn target(kind: ProviderKind, base_url: &str, json_mode: JsonMode) -> HttpTarget {
        HttpTarget {
            name: "t".into(),
            kind,
            base_url: base_url.into(),
            model: Some("m".into()),
            key: None,
            token_param: TokenParam::MaxTokens,
            include_usage: true,
            json_mode,
            headers: BTreeMap::new(),
            api_version: Some("2024-10-21".into()),
            deployment: None,
            ca_cert: None,
            connect_timeout: Duration::from_secs(1),
            idle_timeout: Duration::from_secs(1),
            total_timeout: None,
            max_tries: 1,
        }
    }

    fn schema_request() -> ChatRequest {
        ChatRequest {
            messages: vec![Message::user("q")],
            json_schema: Some(JsonSchemaFormat {
                name: "postmortem".into(),
                schema: json!({"type": "object"}),
            }),
            stream: false,
            ..ChatRequest::default()
        }
    }

    #[test]
    fn temperature_is_sent_as_written() {
        assert_eq!(serde_json::json!(as_written(0.3)).to_string(), "0.3");
        assert_eq!(serde_json::json!(as_written(0.2)).to_string(), "0.2");
        assert_eq!(serde_json::json!(as_written(1.0)).to_string(), "1.0");
    }

    #[test]
    fn json_modes() {
        let request = schema_request();
        let body = body(
            &target(ProviderKind::Openai, "http://h/v1", JsonMode::JsonSchema),
            &request,
        );
        assert_eq!(body["response_format"]["type"], "json_schema");
        assert_eq!(body["response_format"]["json_schema"]["name"], "postmortem");
        assert_eq!(body["messages"].as_array().unwrap().len(), 1);
        assert_eq!(body.get("stream_options"), None, "only with stream: true");
        let body = body_for(JsonMode::JsonObject, &request);
        assert_eq!(body["response_format"], json!({"type": "json_object"}));
        assert!(
            body["messages"][1]["content"]
                .as_str()
                .unwrap()
                .contains("JSON Schema")
        );
        let body = body_for(JsonMode::Prompt, &request);
        assert_eq!(body.get("response_format"), None);
        assert_eq!(body["messages"].as_array().unwrap().len(), 2);
    }

    fn body_for(mode: JsonMode, request: &ChatRequest) -> Value {
        body(&target(ProviderKind::Openai, "http://h/v1", mode), request)
    }

    #[test]
    fn urls_for_each_kind() {
        let request = ChatRequest::default();
        let plain = target(
            ProviderKind::Openai,
            "https://api.deepseek.com",
            JsonMode::Prompt,
        );
        assert_eq!(
            chat_url(&plain, &request),
            "https://api.deepseek.com/chat/completions"
        );
        assert_eq!(models_url(&plain), "https://api.deepseek.com/models");
        let mut azure = target(
            ProviderKind::Azure,
            "https://r.openai.azure.com/openai",
            JsonMode::Prompt,
        );
        assert_eq!(
            chat_url(&azure, &request),
            "https://r.openai.azure.com/openai/deployments/m/chat/completions?api-version=2024-10-21"
        );
        azure.deployment = Some("prod".into());
        assert!(chat_url(&azure, &request).contains("/deployments/prod/"));
        assert_eq!(body(&azure, &request).get("model"), None);
        let v1 = target(
            ProviderKind::Azure,
            "https://r.openai.azure.com/openai/v1",
            JsonMode::Prompt,
        );
        assert_eq!(
            chat_url(&v1, &request),
            "https://r.openai.azure.com/openai/v1/chat/completions?api-version=2024-10-21"
        );
        assert_eq!(body(&v1, &request)["model"], "m");
        assert_eq!(auth_header(&v1, "k"), ("api-key".into(), "k".into()));
        assert_eq!(auth_header(&plain, "k").1, "Bearer k");
    }
}
