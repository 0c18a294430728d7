//! `llm::Error`: what can go wrong talking to a model, kept apart so callers can match and so
//! every variant prints as one line (`<provider>: HTTP <status>: <message>` or
//! `stream: <message>`).

use std::time::Duration;

#[derive(Debug, Clone, PartialEq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum Error {
    /// 401/403: the key is missing or wrong. `key_source` names where it was read from.
    #[error("{provider}: HTTP {status}: {message}{}", key_hint(.key_source.as_deref()))]
    Auth {
        provider: String,
        status: u16,
        message: String,
        key_source: Option<String>,
    },
    /// 429 (after the retries ran out), with the wait the server asked for.
    #[error("{provider}: HTTP {status}: {message}{}", wait_hint(*.retry_after))]
    RateLimited {
        provider: String,
        status: u16,
        message: String,
        retry_after: Option<Duration>,
    },
    /// 404 for an unknown model.
    #[error("{provider}: HTTP {status}: {message} (see `mitchell models`)")]
    ModelNotFound {
        provider: String,
        status: u16,
        message: String,
    },
    /// Any other non-2xx status.
    #[error("{provider}: HTTP {status}: {message}")]
    Status {
        provider: String,
        status: u16,
        message: String,
    },
    /// Connection refused, DNS, TLS, a reset before any output.
    #[error("{provider}: {message}")]
    Transport { provider: String, message: String },
    /// No byte within the idle timeout, or the total timeout passed.
    #[error("stream: {0}")]
    Timeout(String),
    /// An error reported inside a 200 stream, or a malformed stream.
    #[error("stream: {0}")]
    Stream(String),
    /// The stream ended before any finish reason.
    #[error("stream: the stream ended unexpectedly before the reply finished")]
    Truncated,
    /// The embedded engine failed (load, decode, template).
    #[error("local model: {0}")]
    Local(String),
    /// The user pressed Ctrl-C.
    #[error("interrupted")]
    Cancelled,
}

fn wait_hint(wait: Option<Duration>) -> String {
    match wait {
        Some(wait) => format!(
            " (the server asks to wait {} s before trying again)",
            wait.as_secs_f64().ceil()
        ),
        None => String::new(),
    }
}

fn key_hint(source: Option<&str>) -> String {
    match source {
        Some(source) => format!(" (key from {source})"),
        None => {
            " (no API key was sent: set MITCHELL_API_KEY or the provider's api_key_env)".to_owned()
        }
    }
}
