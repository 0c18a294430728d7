//! Downloads a model file over HTTP into a `.part` file, resuming a partial download with a
//! `Range` request, with an indicatif progress bar on stderr. The second `reqwest` user besides
//! `llm::http` (downloads are not chat requests); it neither hashes nor imports — the caller does.

use std::path::Path;

use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_RANGE, RANGE};
use tokio::io::AsyncWriteExt;

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("downloading {url}: {message}")]
    Http { url: String, message: String },
    #[error("downloading {url}: HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("writing {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// How a download went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fetched {
    /// Bytes already present and kept (a resumed download).
    pub resumed_from: u64,
    pub total: u64,
}

/// Downloads `url` into `part`, continuing from its current length when the server honours
/// `Range`.
pub async fn download(url: &str, part: &Path, show_progress: bool) -> Result<Fetched, FetchError> {
    // Plain-HTTP downloads need no TLS; https ones need a provider installed once.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http_err = |e: reqwest::Error| FetchError::Http {
        url: url.to_owned(),
        message: with_root_cause(&e),
    };
    let io_err = |source| FetchError::Io {
        path: part.display().to_string(),
        source,
    };
    let client = reqwest::Client::builder().build().map_err(http_err)?;
    let have = tokio::fs::metadata(part).await.map_or(0, |m| m.len());
    let mut req = client.get(url);
    if have > 0 {
        req = req.header(RANGE, format!("bytes={have}-"));
    }
    let resp = req.send().await.map_err(http_err)?;
    let status = resp.status();
    let resumed_from = match status {
        StatusCode::PARTIAL_CONTENT if have > 0 && range_starts_at(&resp, have) => have,
        StatusCode::RANGE_NOT_SATISFIABLE if have > 0 => {
            // The part is already whole (or bigger than the file): start again.
            tokio::fs::remove_file(part).await.map_err(io_err)?;
            return Box::pin(download(url, part, show_progress)).await;
        }
        s if s.is_success() => 0,
        s => {
            return Err(FetchError::Status {
                url: url.to_owned(),
                status: s.as_u16(),
            });
        }
    };
    let total = resp.content_length().map(|n| n + resumed_from);
    let mut file = tokio::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .append(resumed_from > 0)
        .truncate(resumed_from == 0)
        .open(part)
        .await
        .map_err(io_err)?;
    let bar = progress_bar(total, show_progress);
    bar.set_position(resumed_from);
    let mut written = resumed_from;
    let mut body = resp.bytes_stream();
    let mut broken = None;
    while let Some(chunk) = body.next().await {
        match chunk {
            Ok(chunk) => {
                file.write_all(&chunk).await.map_err(io_err)?;
                written += chunk.len() as u64;
                bar.set_position(written);
            }
            Err(e) => {
                broken = Some(with_root_cause(&e));
                break;
            }
        }
    }
    file.flush().await.map_err(io_err)?;
    bar.finish_and_clear();
    if broken.is_some() || total.is_some_and(|total| written < total) {
        let of = total.map_or_else(String::new, |t| format!(" of {t}"));
        return Err(FetchError::Http {
            url: url.to_owned(),
            message: format!(
                "the download stopped after {written}{of} bytes ({}); run the command again to \
                 resume",
                broken.as_deref().unwrap_or("connection closed")
            ),
        });
    }
    Ok(Fetched {
        resumed_from,
        total: written,
    })
}

/// reqwest's own summary without the URL (the message names it already), then the innermost
/// cause, which is the one a user can act on: `error sending request: Connection refused`.
fn with_root_cause(err: &reqwest::Error) -> String {
    let mut root: &dyn std::error::Error = err;
    while let Some(source) = root.source() {
        root = source;
    }
    let summary = err
        .to_string()
        .split(" for url (")
        .next()
        .unwrap_or_default()
        .to_owned();
    let root = root.to_string();
    if summary.contains(&root) {
        summary
    } else {
        format!("{summary}: {root}")
    }
}

fn range_starts_at(resp: &reqwest::Response, have: u64) -> bool {
    resp.headers()
        .get(CONTENT_RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("bytes "))
        .and_then(|v| v.split('-').next())
        .and_then(|start| start.parse::<u64>().ok())
        == Some(have)
}

fn progress_bar(total: Option<u64>, show: bool) -> ProgressBar {
    let target = if show {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = total.map_or_else(ProgressBar::no_length, ProgressBar::new);
    bar.set_draw_target(target);
    if let Ok(style) =
        ProgressStyle::with_template("{bar:30} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
    {
        bar.set_style(style);
    }
    bar
}
