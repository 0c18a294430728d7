//! The provider's own words from an error body, and the mapping of an HTTP
//! status to an `llm::Error`. Pure. The body is loosely shaped across providers, so this is one
//! of the few places that reads `serde_json::Value`.

use std::time::Duration;

use serde_json::Value;

use crate::llm::Error;

/// What an error body said.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorInfo {
    pub message: String,
    /// `error.code` as text (or `error.type` when there is no code).
    pub code: Option<String>,
}

impl ErrorInfo {
    /// The message plus its code in parentheses, unless the message already says it.
    pub fn display(&self) -> String {
        match &self.code {
            Some(code) if !self.message.contains(code.as_str()) => {
                format!("{} ({code})", self.message)
            }
            _ => self.message.clone(),
        }
    }

    /// `insufficient_quota`: out of credit, not worth retrying.
    pub fn out_of_credit(&self) -> bool {
        self.code.as_deref() == Some("insufficient_quota")
    }
}

fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => Some(s.trim().to_owned()),
        other => Some(other.to_string()),
    }
}

/// Extracts message and code from a non-2xx body, in §10.1's order.
pub fn parse_error_body(status: u16, body: &[u8]) -> ErrorInfo {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    if let Some(json) = json.as_ref().filter(|j| j.is_object()) {
        let error = json.get("error");
        let message = error
            .and_then(|e| e.get("message"))
            .and_then(as_text)
            .or_else(|| error.filter(|e| e.is_string()).and_then(as_text))
            .or_else(|| json.get("message").and_then(as_text))
            .or_else(|| json.get("detail").and_then(as_text));
        let raw = error
            .and_then(|e| e.pointer("/metadata/raw"))
            .and_then(as_text);
        let message = match (message, raw) {
            (Some(m), Some(raw)) => Some(format!("{m}: {raw}")),
            (m, raw) => m.or(raw),
        };
        if let Some(message) = message {
            let source = error.filter(|e| e.is_object()).unwrap_or(json);
            // Numeric codes only repeat the HTTP status (OpenRouter, vLLM).
            let code = [source.get("code"), source.get("type")]
                .into_iter()
                .flatten()
                .find_map(|v| v.as_str().filter(|s| !s.trim().is_empty()))
                .map(str::to_owned);
            return ErrorInfo { message, code };
        }
    }
    let text = first_words(body);
    let message = if text.is_empty() {
        reqwest::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("no message")
            .to_owned()
    } else {
        text
    };
    ErrorInfo {
        message,
        code: None,
    }
}

/// Longest excerpt of a body that is not JSON, in characters.
const EXCERPT: usize = 160;

/// The start of a body that is not JSON, fit for one line: HTML tags (and the contents of
/// `<script>`/`<style>`/`<head>`) dropped, common entities decoded, whitespace collapsed, cut
/// at `EXCERPT` characters with an ellipsis.
pub fn first_words(body: &[u8]) -> String {
    let raw = String::from_utf8_lossy(&body[..body.len().min(64 * 1024)]);
    let looks_html = raw.trim_start().starts_with('<');
    let text = if looks_html {
        strip_tags(&raw)
    } else {
        raw.into_owned()
    };
    let words: Vec<&str> = text.split_whitespace().collect();
    let text = words.join(" ");
    if text.chars().count() <= EXCERPT {
        return text;
    }
    let cut: String = text.chars().take(EXCERPT).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
}

fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        let Some(close) = after.find('>') else {
            rest = "";
            break;
        };
        let tag = after[1..close].trim().to_ascii_lowercase();
        rest = &after[close + 1..];
        // Skip what a browser would not show as text.
        for hidden in ["script", "style", "head", "title"] {
            if tag == hidden || tag.starts_with(&format!("{hidden} ")) {
                let end = format!("</{hidden}");
                rest = rest
                    .to_ascii_lowercase()
                    .find(&end)
                    .map_or("", |at| &rest[at..]);
            }
        }
        out.push(' ');
    }
    out.push_str(rest);
    for (entity, text) in [
        ("&nbsp;", " "),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&amp;", "&"),
    ] {
        out = out.replace(entity, text);
    }
    out
}

/// The message of an in-stream `error` value (object or string).
pub fn message_of_error_value(error: &Value) -> String {
    match error {
        Value::Object(_) => {
            let body = serde_json::json!({ "error": error });
            parse_error_body(0, body.to_string().as_bytes()).message
        }
        other => as_text(other).unwrap_or_else(|| "the server reported an error".to_owned()),
    }
}

/// The message of a legacy llama.cpp `error:` field (JSON or plain text).
pub fn in_stream_message(raw: &str) -> String {
    match serde_json::from_str::<Value>(raw) {
        Ok(Value::Object(obj)) if obj.contains_key("error") => {
            parse_error_body(0, raw.as_bytes()).message
        }
        Ok(value @ Value::Object(_)) => message_of_error_value(&value),
        _ => raw.trim().to_owned(),
    }
}

/// True when the base URL's path ends in a version segment (`/v1`, `/v1beta`, `/api/v2`).
fn has_version_segment(base_url: &str) -> bool {
    let after_scheme = base_url
        .split_once("://")
        .map_or(base_url, |(_, rest)| rest);
    let path = after_scheme.split_once('/').map_or("", |(_, path)| path);
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .is_some_and(|last| {
            last.strip_prefix('v')
                .is_some_and(|v| v.starts_with(|c: char| c.is_ascii_digit()))
        })
        || path.contains("openai")
}

/// Maps a final (not retried) non-2xx response to an `llm::Error`. A 404 from a base URL
/// without a version segment gets a hint: that is the usual cause.
pub fn status_error(
    provider: &str,
    status: u16,
    info: &ErrorInfo,
    key_label: Option<String>,
    retry_after: Option<Duration>,
    base_url: &str,
) -> Error {
    let provider = provider.to_owned();
    let mut message = info.display();
    if status == 404 && !mentions_model(info) && !has_version_segment(base_url) {
        message = format!(
            "{message} (the base URL usually ends in its version segment: try {}/v1)",
            base_url.trim_end_matches('/')
        );
    }
    // Worded for what the user can do; the server's own message (with its numbers) follows.
    let lead = if info.out_of_credit() || status == 402 {
        Some("out of credit or quota (not retried)")
    } else if status == 413 || info.code.as_deref() == Some("context_length_exceeded") {
        Some("the request is too long for the model's context")
    } else {
        None
    };
    if let Some(lead) = lead {
        return Error::Status {
            provider,
            status,
            message: format!("{lead}: {message}"),
        };
    }
    match status {
        401 | 403 => Error::Auth {
            provider,
            status,
            message,
            key_source: key_label,
        },
        404 if mentions_model(info) => Error::ModelNotFound {
            provider,
            status,
            message,
        },
        429 => Error::RateLimited {
            provider,
            status,
            message,
            retry_after,
        },
        _ => Error::Status {
            provider,
            status,
            message,
        },
    }
}

fn mentions_model(info: &ErrorInfo) -> bool {
    let text = format!("{} {}", info.message, info.code.as_deref().unwrap_or("")).to_lowercase();
    text.contains("model") || text.contains("deployment")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_of_error_bodies() {
        let cases: [(&str, &str); 6] = [
            (
                r#"{"error":{"message":"bad","type":"invalid_request_error","code":"x_y"}}"#,
                "bad (x_y)",
            ),
            (r#"{"error":"plain"}"#, "plain"),
            (r#"{"object":"error","message":"top","code":400}"#, "top"),
            (r#"{"detail":[{"msg":"Extra"}]}"#, r#"[{"msg":"Extra"}]"#),
            (
                r#"{"error":{"code":429,"message":"Provider returned error","metadata":{"raw":"upstream busy"}}}"#,
                "Provider returned error: upstream busy",
            ),
            (
                "<html>\n<head><title>502</title></head><b>Bad gateway</b></html>",
                "Bad gateway",
            ),
        ];
        for (body, want) in cases {
            assert_eq!(
                parse_error_body(429, body.as_bytes()).display(),
                want,
                "{body}"
            );
        }
        assert_eq!(parse_error_body(503, b"").message, "Service Unavailable");
    }

    #[test]
    fn html_is_stripped_and_long_text_shortened() {
        let page = format!(
            "<!DOCTYPE html><html><head><style>body {{}}</style></head><body><h1>500 Internal \
             Server Error</h1><p>{}</p></body></html>",
            "word ".repeat(100)
        );
        let words = first_words(page.as_bytes());
        assert!(
            words.starts_with("500 Internal Server Error word word"),
            "{words}"
        );
        assert!(
            words.ends_with('…') && words.chars().count() <= EXCERPT + 1,
            "{words}"
        );
        assert!(!words.contains('<'), "{words}");
        assert_eq!(first_words(b"a &amp; b"), "a &amp; b");
        assert_eq!(first_words(b"<p>a &amp; b</p>"), "a & b");
    }

    #[test]
    fn version_segment_hint() {
        assert!(has_version_segment("http://127.0.0.1:9/v1"));
        assert!(has_version_segment("https://g.example/api/v1beta"));
        assert!(has_version_segment("https://r.openai.azure.com/openai"));
        assert!(!has_version_segment("http://127.0.0.1:9"));
        assert!(!has_version_segment("http://127.0.0.1:9/api"));
    }

    #[test]
    fn object_message_is_stringified() {
        let body = r#"{"object":"error","message":{"detail":[1]},"type":"invalid_request_error"}"#;
        let info = parse_error_body(422, body.as_bytes());
        assert_eq!(info.display(), r#"{"detail":[1]} (invalid_request_error)"#);
    }
}
