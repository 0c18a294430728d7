//! The OpenAI-compatible HTTP provider, and the only user of reqwest.
//!
//! `connect` resolves the key and builds one client (rustls with the `ring` provider and the
//! system's roots read at the first handshake, see `tls`; proxies
//! from `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` as reqwest reads them, user agent
//! `mitchell/<version>`). `stream` spawns the request on the runtime and returns the receiver of
//! its `StreamEvent`s; dropping the receiver ends the task and closes the connection.
//! The pieces: `sse` (bytes → events), `chunk` (events → `StreamEvent`s), `request` (what is
//! sent), `errors` (what a failure says), `retry` (when to try again), `tls` (the TLS set-up),
//! `transport` (the I/O).

mod chunk;
mod errors;
pub mod probe;
mod request;
mod retry;
mod send;
pub mod sse;
#[cfg(test)]
mod tests;
mod tls;
mod transport;

use std::sync::Arc;

use tokio::sync::mpsc;

pub use chunk::{ChunkDecoder, Flow};
pub use request::{USER_AGENT, describe};

use crate::config::{HttpTarget, KeySource};
use crate::llm::{ChatRequest, Provider, StreamEvent};

/// Everything a request needs, shared by the provider and its spawned tasks.
#[derive(Debug)]
struct Inner {
    target: HttpTarget,
    client: reqwest::Client,
    key: Option<String>,
}

impl Inner {
    /// Replaces the key wherever a server echoed it back.
    fn redact(&self, text: String) -> String {
        match &self.key {
            Some(key) if key.len() >= 4 && text.contains(key.as_str()) => {
                text.replace(key.as_str(), "<redacted>")
            }
            _ => text,
        }
    }

    /// Where the key came from, for auth errors.
    fn key_label(&self) -> Option<String> {
        self.target.key.as_ref().map(|source| match source {
            KeySource::MissingEnv { var } => format!("{var}, which is not set"),
            other => other.label(),
        })
    }
}

/// The HTTP provider.
#[derive(Debug, Clone)]
pub struct HttpProvider {
    inner: Arc<Inner>,
}

/// Opens the HTTP provider for `target`: runs the `api_key_command` if one is configured and
/// builds the client. Sends nothing.
pub fn connect(target: &HttpTarget) -> anyhow::Result<Box<dyn Provider>> {
    Ok(Box::new(open(target)?))
}

/// Like `connect`, with the concrete type (for `mitchell models`).
pub fn open(target: &HttpTarget) -> anyhow::Result<HttpProvider> {
    let key = request::resolve_key(target.key.as_ref())?;
    // Installing the process-wide crypto provider fails only when one is already installed,
    // which is exactly the state we want.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut extra = Vec::new();
    if let Some(path) = &target.ca_cert {
        let usage = |why: String| {
            crate::error::usage_msg(format!(
                "{}: ca_cert {}: {why}",
                target.name,
                path.display()
            ))
        };
        let pem = std::fs::read(path).map_err(|e| usage(e.to_string()))?;
        extra = tls::extra_roots(&pem).map_err(|e| usage(e.to_string()))?;
    }
    let tls = tls::client_config(extra)
        .map_err(|err| anyhow::anyhow!("{}: cannot set up TLS: {err}", target.name))?;
    let builder = reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .connect_timeout(target.connect_timeout)
        .tls_backend_preconfigured(tls);
    let client = builder
        .build()
        .map_err(|err| anyhow::anyhow!("{}: cannot set up the HTTP client: {err}", target.name))?;
    tracing::debug!(provider = %target.name, base_url = %target.base_url, key = key.is_some(), "http provider");
    Ok(HttpProvider {
        inner: Arc::new(Inner {
            target: target.clone(),
            client,
            key,
        }),
    })
}

impl HttpProvider {
    /// `GET {base}/models`: the model ids the endpoint serves, sorted. Each retry notice is
    /// handed to `notice` as it happens (the channel they travel on is drained here, so a
    /// retry never waits on a reader that is not there).
    pub async fn list_models(
        &self,
        mut notice: impl FnMut(&str),
    ) -> Result<Vec<String>, crate::llm::Error> {
        let (tx, mut rx) = mpsc::channel(8);
        let list = transport::list_models(&self.inner, &tx);
        tokio::pin!(list);
        let result = loop {
            tokio::select! {
                result = &mut list => break result,
                Some(event) = rx.recv() => {
                    if let StreamEvent::Notice(text) = event {
                        notice(&text);
                    }
                }
            }
        };
        while let Ok(event) = rx.try_recv() {
            if let StreamEvent::Notice(text) = event {
                notice(&text);
            }
        }
        result
    }
}

impl Provider for HttpProvider {
    fn name(&self) -> &str {
        &self.inner.target.name
    }

    fn model(&self) -> &str {
        self.inner.target.model.as_deref().unwrap_or("")
    }

    fn api_key(&self) -> Option<&str> {
        self.inner.key.as_deref()
    }

    fn stream(&self, request: ChatRequest) -> mpsc::Receiver<StreamEvent> {
        let (tx, rx) = mpsc::channel(256);
        let inner = Arc::clone(&self.inner);
        tokio::spawn(async move {
            tokio::select! {
                () = transport::run(&inner, request, &tx) => {}
                () = tx.closed() => tracing::debug!("receiver dropped: closing the connection"),
            }
        });
        rx
    }
}
