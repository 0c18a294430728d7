//! Sending one request: headers (the key marked sensitive), the time limits (idle and total),
//! and the retry loop — statuses 408/409/429/5xx and connection failures are tried again up to
//! `max_tries`, each retry announced by one `StreamEvent::Notice`. Nothing here reads a body
//! beyond an error response.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, HeaderValue};
use tokio::sync::mpsc::Sender;
use tokio::time::Instant;

use super::Inner;
use super::errors::{parse_error_body, status_error};
use super::request;
use super::retry::{self, RetryHeaders};
use crate::llm::{Error, StreamEvent};

/// Largest error or whole-response body read.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// The time limits of one request.
pub struct Clock {
    idle: Duration,
    total: Option<(Instant, Duration)>,
}

impl Clock {
    pub fn new(inner: &Inner) -> Self {
        Clock {
            idle: inner.target.idle_timeout,
            total: inner.target.total_timeout.map(|t| (Instant::now() + t, t)),
        }
    }

    /// Awaits `fut` for at most the idle timeout (or what is left of the total one).
    pub async fn within<F: Future>(&self, fut: F) -> Result<F::Output, Error> {
        let (wait, total) = match self.total {
            Some((end, total)) if end.saturating_duration_since(Instant::now()) < self.idle => {
                (end.saturating_duration_since(Instant::now()), Some(total))
            }
            _ => (self.idle, None),
        };
        tokio::time::timeout(wait, fut)
            .await
            .map_err(|_| match total {
                Some(total) => Error::Timeout(format!(
                    "the request took longer than the total timeout ({} s)",
                    total.as_secs()
                )),
                None => Error::Timeout(format!(
                    "no data from the server for {} s (idle timeout)",
                    self.idle.as_secs()
                )),
            })
    }
}

pub fn header_map(inner: &Inner, pairs: Vec<(String, String)>) -> Result<HeaderMap, Error> {
    let bad = |what: &str| Error::Transport {
        provider: inner.target.name.clone(),
        message: format!("invalid request header {what}"),
    };
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        let name =
            reqwest::header::HeaderName::from_bytes(name.as_bytes()).map_err(|_| bad(&name))?;
        let value = HeaderValue::from_str(&value).map_err(|_| bad(name.as_str()))?;
        map.insert(name, value);
    }
    if let Some(key) = &inner.key {
        let (name, value) = request::auth_header(&inner.target, key);
        let name =
            reqwest::header::HeaderName::from_bytes(name.as_bytes()).map_err(|_| bad(&name))?;
        let mut value = HeaderValue::from_str(&value)
            .map_err(|_| bad("with the API key (it has characters a header cannot carry)"))?;
        value.set_sensitive(true);
        map.insert(name, value);
    }
    Ok(map)
}

fn retry_headers(headers: &HeaderMap) -> RetryHeaders {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    RetryHeaders {
        should_retry: get("x-should-retry"),
        retry_after_ms: get("retry-after-ms"),
        retry_after: get("retry-after"),
        rate_limit_reset: get("x-ratelimit-reset"),
    }
}

/// The innermost cause of a reqwest error, which is the one a user can act on.
pub fn root_cause(err: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = err;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
}

pub async fn send_with_retries(
    inner: &Inner,
    clock: &Clock,
    url: &str,
    build: impl Fn() -> reqwest::RequestBuilder,
    tx: &Sender<StreamEvent>,
) -> Result<reqwest::Response, Error> {
    let provider = &inner.target.name;
    let max = inner.target.max_tries.max(1);
    let mut done = 0;
    loop {
        done += 1;
        let (failure, wait) = match clock.within(build().send()).await? {
            Ok(response) if response.status().is_success() => {
                tracing::debug!(status = response.status().as_u16(), "response");
                return Ok(response);
            }
            Ok(response) => {
                let status = response.status().as_u16();
                let headers = retry_headers(response.headers());
                let body = read_all(clock, response).await.unwrap_or_default();
                let mut info = parse_error_body(status, &body);
                info.message = inner.redact(info.message);
                tracing::debug!(status, body = %inner.redact(String::from_utf8_lossy(&body).into_owned()), "error response");
                let server_wait = retry::server_wait(&headers, SystemTime::now());
                let wait = retry::retryable_status(status, &headers, info.out_of_credit())
                    .then(|| retry::next_wait(&headers, done, SystemTime::now()))
                    .flatten();
                let err = status_error(
                    provider,
                    status,
                    &info,
                    inner.key_label(),
                    server_wait,
                    &inner.target.base_url,
                );
                (err, wait.map(|w| (w, format!("HTTP {status}"))))
            }
            Err(err) => {
                let cause = if err.is_connect() && err.is_timeout() {
                    format!(
                        "no answer within {} s (connect_timeout)",
                        inner.target.connect_timeout.as_secs()
                    )
                } else if err.is_timeout() {
                    "timed out".to_owned()
                } else {
                    inner.redact(root_cause(&err))
                };
                // A certificate the client does not trust will not be trusted on a retry, nor
                // will a host name the resolver says does not exist come to exist.
                let untrusted = cause.contains("certificate");
                let unknown_host = cause.contains("Name or service not known")
                    || cause.contains("nodename nor servname");
                let hint = if untrusted {
                    " (the server's TLS certificate is not trusted: set the provider's ca_cert, \
                     or SSL_CERT_FILE, to the CA that signed it)"
                } else if unknown_host {
                    " (the host name does not resolve: check the provider's base_url)"
                } else {
                    ""
                };
                let failure = Error::Transport {
                    provider: provider.clone(),
                    message: format!("cannot connect to {url}: {cause}{hint}"),
                };
                let wait =
                    (!untrusted && !unknown_host).then(|| retry::backoff(done, fastrand::f64()));
                (
                    failure,
                    wait.map(|w| (w, format!("cannot connect ({cause})"))),
                )
            }
        };
        let Some((wait, why)) = wait.filter(|_| done < max) else {
            return Err(failure);
        };
        let notice = format!(
            "{provider}: {why}, retrying in {:.1} s (try {} of {max})",
            wait.as_secs_f64(),
            done + 1
        );
        tracing::debug!(%failure, "retrying");
        tx.send(StreamEvent::Notice(notice))
            .await
            .map_err(|_| Error::Cancelled)?;
        tokio::time::sleep(wait).await;
    }
}

pub async fn read_all(clock: &Clock, mut response: reqwest::Response) -> Result<Vec<u8>, Error> {
    let mut body = Vec::new();
    while let Some(bytes) = clock
        .within(response.chunk())
        .await?
        .map_err(|err| Error::Stream(format!("the connection was lost: {}", root_cause(&err))))?
    {
        body.extend_from_slice(&bytes);
        if body.len() > MAX_BODY {
            return Err(Error::Stream(format!(
                "the response is larger than {} MiB",
                MAX_BODY / (1024 * 1024)
            )));
        }
    }
    Ok(body)
}
