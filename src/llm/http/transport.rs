//! The I/O of one request: send with retries (only before any output), read the body under the
//! idle and total timeouts, feed it through the SSE parser and the chunk decoder, and forward
//! the events. Every failure ends as one `StreamEvent::Error`.

use std::time::{Duration, SystemTime};

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use tokio::sync::mpsc::Sender;
use tokio::time::Instant;

use super::Inner;
use super::chunk::{ChunkDecoder, Flow};
use super::errors::{parse_error_body, status_error};
use super::request;
use super::retry::{self, RetryHeaders};
use super::sse::{SseEvent, SseParser};
use crate::llm::{ChatRequest, Error, StreamEvent};

/// Largest error or whole-response body read.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// The time limits of one request.
struct Clock {
    idle: Duration,
    total: Option<(Instant, Duration)>,
}

impl Clock {
    fn new(inner: &Inner) -> Self {
        Clock {
            idle: inner.target.idle_timeout,
            total: inner.target.total_timeout.map(|t| (Instant::now() + t, t)),
        }
    }

    /// Awaits `fut` for at most the idle timeout (or what is left of the total one).
    async fn within<F: Future>(&self, fut: F) -> Result<F::Output, Error> {
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

/// Runs one chat request and forwards its events; failures become one `Error` event.
pub async fn run(inner: &Inner, request: ChatRequest, tx: &Sender<StreamEvent>) {
    if let Err(err) = chat(inner, &request, tx).await {
        let _ = tx.send(StreamEvent::Error(err)).await;
    }
}

async fn chat(inner: &Inner, request: &ChatRequest, tx: &Sender<StreamEvent>) -> Result<(), Error> {
    let url = request::chat_url(&inner.target, request);
    let body = request::body(&inner.target, request).to_string();
    let headers = header_map(inner, request::headers(&inner.target, request.stream))?;
    tracing::debug!(%url, stream = request.stream, "POST");
    tracing::trace!(%body, "request body");
    let clock = Clock::new(inner);
    let post = || {
        inner
            .client
            .post(&url)
            .headers(headers.clone())
            .body(body.clone())
    };
    let response = send_with_retries(inner, &clock, &url, post, tx).await?;
    read_body(inner, &clock, response, tx).await
}

/// `GET {base}/models`.
pub async fn list_models(inner: &Inner) -> Result<Vec<String>, Error> {
    #[derive(serde::Deserialize)]
    struct List {
        #[serde(default)]
        data: Vec<Entry>,
    }
    #[derive(serde::Deserialize)]
    struct Entry {
        id: Option<String>,
    }
    let url = request::models_url(&inner.target);
    let headers = header_map(inner, request::headers(&inner.target, false))?;
    let clock = Clock::new(inner);
    let get = || inner.client.get(&url).headers(headers.clone());
    let (tx, _rx) = tokio::sync::mpsc::channel(1);
    let response = send_with_retries(inner, &clock, &url, get, &tx).await?;
    let body = read_all(&clock, response).await?;
    let list: List = serde_json::from_slice(&body)
        .map_err(|err| Error::Stream(format!("unexpected /models response: {err}")))?;
    let mut ids: Vec<String> = list.data.into_iter().filter_map(|e| e.id).collect();
    ids.sort();
    ids.dedup();
    Ok(ids)
}

fn header_map(inner: &Inner, pairs: Vec<(String, String)>) -> Result<HeaderMap, Error> {
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
fn root_cause(err: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = err;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
}

async fn send_with_retries(
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
            Ok(response) if response.status().is_success() => return Ok(response),
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
                let err = status_error(provider, status, &info, inner.key_label(), server_wait);
                (err, wait.map(|w| (w, format!("HTTP {status}"))))
            }
            Err(err) => {
                let message = if err.is_timeout() {
                    format!("cannot connect to {url}: timed out")
                } else {
                    format!("cannot connect to {url}: {}", root_cause(&err))
                };
                let failure = Error::Transport {
                    provider: provider.clone(),
                    message: inner.redact(message),
                };
                let wait = retry::backoff(done, fastrand::f64());
                (failure, Some((wait, "a connection failure".to_owned())))
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

async fn read_all(clock: &Clock, mut response: reqwest::Response) -> Result<Vec<u8>, Error> {
    let mut body = Vec::new();
    while let Some(bytes) = clock
        .within(response.chunk())
        .await?
        .map_err(|err| Error::Stream(format!("the connection was lost: {}", root_cause(&err))))?
    {
        body.extend_from_slice(&bytes);
        if body.len() > MAX_BODY {
            break;
        }
    }
    Ok(body)
}

/// Forwards decoded events; `Err(Cancelled)` when the receiver went away.
async fn forward(tx: &Sender<StreamEvent>, events: &mut Vec<StreamEvent>) -> Result<(), Error> {
    for event in events.drain(..) {
        tx.send(event).await.map_err(|_| Error::Cancelled)?;
    }
    Ok(())
}

fn decode(decoder: &mut ChunkDecoder, sse: &mut Vec<SseEvent>, out: &mut Vec<StreamEvent>) -> Flow {
    for event in sse.drain(..) {
        if decoder.event(&event, out) == Flow::Stop {
            return Flow::Stop;
        }
    }
    Flow::Continue
}

async fn read_body(
    inner: &Inner,
    clock: &Clock,
    mut response: reqwest::Response,
    tx: &Sender<StreamEvent>,
) -> Result<(), Error> {
    let is_sse = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("event-stream"));
    let mut parser = SseParser::new();
    let mut decoder = ChunkDecoder::new();
    let mut sse = Vec::new();
    let mut out = Vec::new();
    let utf8 = |e: super::sse::InvalidUtf8| Error::Stream(e.to_string());
    if !is_sse {
        // A whole JSON body (`--no-stream`, or a server that ignored `stream: true`), or SSE
        // under another content type.
        let body = read_all(clock, response).await?;
        let text = String::from_utf8(body)
            .map_err(|_| Error::Stream("the response is not UTF-8".into()))?;
        if text.trim_start().starts_with('{') {
            decoder.json(&text, false, &mut out);
        } else {
            parser.feed(text.as_bytes(), &mut sse).map_err(utf8)?;
            parser.finish(&mut sse).map_err(utf8)?;
            decode(&mut decoder, &mut sse, &mut out);
        }
        let failed = out.iter().any(|e| matches!(e, StreamEvent::Error(_)));
        forward(tx, &mut out).await?;
        return if failed {
            Ok(())
        } else {
            end_of_body(&decoder)
        };
    }
    loop {
        match clock.within(response.chunk()).await? {
            Ok(Some(bytes)) => {
                parser.feed(&bytes, &mut sse).map_err(utf8)?;
                let flow = decode(&mut decoder, &mut sse, &mut out);
                let stop =
                    flow == Flow::Stop || out.iter().any(|e| matches!(e, StreamEvent::Error(_)));
                forward(tx, &mut out).await?;
                if stop {
                    return Ok(());
                }
            }
            Ok(None) => {
                parser.finish(&mut sse).map_err(utf8)?;
                decode(&mut decoder, &mut sse, &mut out);
                let failed = out.iter().any(|e| matches!(e, StreamEvent::Error(_)));
                forward(tx, &mut out).await?;
                return if failed {
                    Ok(())
                } else {
                    end_of_body(&decoder)
                };
            }
            Err(err) if decoder.finished() => {
                tracing::debug!(error = %root_cause(&err), "connection lost after the finish");
                return Ok(());
            }
            Err(err) => {
                let message = inner.redact(root_cause(&err));
                return Err(Error::Stream(format!(
                    "the connection was lost before the reply finished: {message}"
                )));
            }
        }
    }
}

fn end_of_body(decoder: &ChunkDecoder) -> Result<(), Error> {
    if decoder.finished() {
        if !decoder.done {
            tracing::debug!("the stream ended without [DONE]");
        }
        Ok(())
    } else {
        Err(Error::Truncated)
    }
}
