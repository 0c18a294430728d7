//! The I/O of one chat request after it was sent: read the body under the time limits, feed
//! it through the SSE parser and the chunk decoder, and forward the events. Every failure ends
//! as one `StreamEvent::Error`; a stream that ends before any finish is `Error::Truncated`.

use reqwest::header::CONTENT_TYPE;
use tokio::sync::mpsc::Sender;

use super::Inner;
use super::chunk::{ChunkDecoder, Flow};
use super::request;
use super::send::{Clock, header_map, read_all, root_cause, send_with_retries};
use super::sse::{SseEvent, SseParser};
use crate::llm::{ChatRequest, Error, StreamEvent};

/// Largest event (or line) held while waiting for its end: memory stays bounded whatever the
/// server sends.
const MAX_EVENT: usize = 16 * 1024 * 1024;

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

/// `GET {base}/models`. Retry notices go to `tx`, which the caller must drain.
pub async fn list_models(inner: &Inner, tx: &Sender<StreamEvent>) -> Result<Vec<String>, Error> {
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
    tracing::debug!(%url, "GET");
    let response = send_with_retries(inner, &clock, &url, get, tx).await?;
    let body = read_all(&clock, response).await?;
    let list: List = serde_json::from_slice(&body)
        .map_err(|err| Error::Stream(format!("unexpected /models response: {err}")))?;
    let mut ids: Vec<String> = list.data.into_iter().filter_map(|e| e.id).collect();
    ids.sort();
    ids.dedup();
    Ok(ids)
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
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    tracing::debug!(content_type = %content_type, "response body");
    let is_sse = content_type.contains("event-stream");
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
            if sse.is_empty() {
                return Err(not_a_reply(&content_type, text.as_bytes()));
            }
            drop_cut_event(&mut sse);
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
                if parser.pending() > MAX_EVENT {
                    return Err(Error::Stream(format!(
                        "the server sent an event larger than {} MiB without ending it",
                        MAX_EVENT / (1024 * 1024)
                    )));
                }
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
                drop_cut_event(&mut sse);
                decode(&mut decoder, &mut sse, &mut out);
                let failed = out.iter().any(|e| matches!(e, StreamEvent::Error(_)));
                forward(tx, &mut out).await?;
                if failed {
                    return Ok(());
                }
                end_of_body(&decoder)?;
                return warn_without_done(&decoder, tx).await;
            }
            Err(err) if decoder.finished() => {
                tracing::debug!(error = %root_cause(&err), "connection lost after the finish");
                return warn_without_done(&decoder, tx).await;
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

/// A 200 whose body is neither an event stream nor JSON (an HTML login page, a proxy's notice).
fn not_a_reply(content_type: &str, body: &[u8]) -> Error {
    let content_type = if content_type.is_empty() {
        "no content type"
    } else {
        content_type
    };
    Error::Stream(format!(
        "the server did not answer with an event stream or JSON ({content_type}): {}",
        super::errors::first_words(body)
    ))
}

/// At the end of the body, an event whose data is not complete JSON was cut off mid-event: it
/// is dropped, so the stream reads as truncated rather than as a malformed event.
fn drop_cut_event(sse: &mut Vec<SseEvent>) {
    let cut = sse.last().is_some_and(|event| {
        let data = event.data.trim();
        event.error.is_none()
            && event.event != "error"
            && !data.is_empty()
            && data != "[DONE]"
            && serde_json::from_str::<serde::de::IgnoredAny>(data).is_err()
    });
    if cut {
        sse.pop();
    }
}

fn end_of_body(decoder: &ChunkDecoder) -> Result<(), Error> {
    if decoder.finished() {
        Ok(())
    } else {
        Err(Error::Truncated)
    }
}

/// A stream that finished but ended without `[DONE]` is kept, with one notice (§12.4).
async fn warn_without_done(decoder: &ChunkDecoder, tx: &Sender<StreamEvent>) -> Result<(), Error> {
    if decoder.done {
        return Ok(());
    }
    let notice = "warning: the stream ended without [DONE] after the reply finished".to_owned();
    tx.send(StreamEvent::Notice(notice))
        .await
        .map_err(|_| Error::Cancelled)
}
