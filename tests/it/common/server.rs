//! A loopback HTTP/1.1 server for integration tests (127.0.0.1, tokio, one request per
//! connection). It serves a script of canned responses in order — the last one repeats — with
//! any chunking, delays between pieces, a cut (the connection closes mid-body) or a stall (the
//! server stops sending and keeps the connection open), and records every request. With
//! `MITCHELL_TEST_ARTIFACTS` set, each request is also appended to
//! `$MITCHELL_TEST_ARTIFACTS/requests/<port>.log` (all but the Authorization and api-key
//! headers, where the key belongs) for the canary check.
//!
//! ```ignore
//! let server = Server::start(vec![
//!     Response::new(429, "{}").header("Retry-After", "1"),
//!     Response::sse(std::fs::read("tests/fixtures/streams/openai-text-usage.sse")?)
//!         .chunks(Chunks::Random { seed: 7, max: 40 }),
//! ]);
//! env.cmd().args(["ask", "--base-url", &server.url(), "hi"]) …;
//! assert_eq!(server.requests()[1].path, "/v1/chat/completions");
//! ```

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How a body is cut into writes. Each piece is written and flushed on its own (with
/// `Transfer-Encoding: chunked`, each piece is one HTTP chunk).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chunks {
    /// One write.
    Whole,
    /// Pieces of this many bytes (1 = byte by byte).
    Size(usize),
    /// Random sizes from 1 to `max`, from a fixed seed.
    Random { seed: u64, max: usize },
    /// Pieces ending at these byte offsets.
    At(Vec<usize>),
}

/// One canned response.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub chunks: Chunks,
    /// Pause before each piece after the first.
    pub delay: Duration,
    /// Close the connection after this many body bytes (no terminating chunk).
    pub cut_at: Option<usize>,
    /// Stop sending after this many body bytes and hold the connection open.
    pub stall_at: Option<usize>,
    /// `Transfer-Encoding: chunked` (default) or `Content-Length`.
    pub chunked: bool,
}

impl Response {
    /// A response with a status and a body, `Content-Type: application/json`.
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Response {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.into(),
            chunks: Chunks::Whole,
            delay: Duration::ZERO,
            cut_at: None,
            stall_at: None,
            chunked: true,
        }
    }

    /// HTTP 200 with `Content-Type: text/event-stream`.
    pub fn sse(body: impl Into<Vec<u8>>) -> Self {
        let mut r = Response::new(200, body);
        r.headers = vec![("Content-Type".into(), "text/event-stream".into())];
        r
    }

    /// Adds (or with `Content-Type`, replaces) a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn chunks(mut self, chunks: Chunks) -> Self {
        self.chunks = chunks;
        self
    }

    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    pub fn cut_at(mut self, bytes: usize) -> Self {
        self.cut_at = Some(bytes);
        self
    }

    pub fn stall_at(mut self, bytes: usize) -> Self {
        self.stall_at = Some(bytes);
        self
    }

    pub fn content_length(mut self) -> Self {
        self.chunked = false;
        self
    }

    /// The body cut into pieces as `chunks` says.
    fn pieces(&self) -> Vec<&[u8]> {
        let body = &self.body[..];
        let mut ends: Vec<usize> = match &self.chunks {
            Chunks::Whole => vec![body.len()],
            Chunks::Size(n) => (1..=body.len().div_ceil((*n).max(1)))
                .map(|i| (i * n).min(body.len()))
                .collect(),
            Chunks::Random { seed, max } => {
                let mut rng = fastrand::Rng::with_seed(*seed);
                let mut ends = Vec::new();
                let mut at = 0;
                while at < body.len() {
                    at = (at + rng.usize(1..=(*max).max(1))).min(body.len());
                    ends.push(at);
                }
                ends
            }
            Chunks::At(offsets) => offsets.clone(),
        };
        ends.retain(|&e| e <= body.len());
        ends.push(body.len());
        ends.dedup();
        let mut start = 0;
        let mut pieces = Vec::new();
        for end in ends {
            if end > start {
                pieces.push(&body[start..end]);
                start = end;
            }
        }
        pieces
    }
}

/// One request as the server received it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The first value of a header (name in any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }
}

/// A running server; it lives as long as the test process.
pub struct Server {
    pub port: u16,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl Server {
    /// Starts serving `script` on a free loopback port, in a background thread.
    pub fn start(script: Vec<Response>) -> Server {
        assert!(!script.is_empty(), "a server needs at least one response");
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        std_listener.set_nonblocking(true).expect("nonblocking");
        let port = std_listener.local_addr().expect("addr").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&requests);
        let log: Option<Arc<std::path::PathBuf>> = super::artifacts_dir().map(|root| {
            let dir = root.join("requests");
            std::fs::create_dir_all(&dir).expect("requests dir");
            Arc::new(dir.join(format!("{}-{port}.log", std::process::id())))
        });
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let listener = TcpListener::from_std(std_listener).expect("listener");
                let script = Arc::new(script);
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        continue;
                    };
                    let script = Arc::clone(&script);
                    let recorded = Arc::clone(&recorded);
                    let log = log.clone();
                    tokio::spawn(async move {
                        let log = log.as_deref().map(std::path::PathBuf::as_path);
                        let _ = serve(stream, &script, &recorded, log).await;
                    });
                }
            });
        });
        Server { port, requests }
    }

    /// Serves one response for every request.
    pub fn once(response: Response) -> Server {
        Server::start(vec![response])
    }

    /// The base URL, `http://127.0.0.1:<port>/v1`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/v1", self.port)
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().expect("lock").clone()
    }
}

async fn read_request(stream: &mut TcpStream) -> std::io::Result<Option<Request>> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 8192];
    let head_end = loop {
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
        let n = stream.read(&mut tmp).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&tmp[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or_default().split(' ');
    let method = first.next().unwrap_or_default().to_owned();
    let path = first.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut tmp).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&tmp[..n]);
    }
    Ok(Some(Request {
        method,
        path,
        headers,
        body,
    }))
}

/// Appends `request` to `log`, leaving out the headers that carry the key.
fn append_to_log(log: &std::path::Path, request: &Request) {
    use std::io::Write as _;
    let mut text = format!("{} {}\n", request.method, request.path);
    for (name, value) in &request.headers {
        if name != "authorization" && name != "api-key" {
            let _ = writeln!(text, "{name}: {value}");
        }
    }
    text.push('\n');
    let mut bytes = text.into_bytes();
    bytes.extend_from_slice(&request.body);
    bytes.extend_from_slice(b"\n\n");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log);
    file.and_then(|mut f| f.write_all(&bytes))
        .expect("append to the request log");
}

async fn serve(
    mut stream: TcpStream,
    script: &[Response],
    recorded: &Mutex<Vec<Request>>,
    log: Option<&std::path::Path>,
) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let Some(request) = read_request(&mut stream).await? else {
        return Ok(());
    };
    if let Some(log) = log {
        append_to_log(log, &request);
    }
    let response = {
        let mut log = recorded.lock().expect("lock");
        log.push(request);
        script[(log.len() - 1).min(script.len() - 1)].clone()
    };
    let mut head = format!("HTTP/1.1 {} X\r\nConnection: close\r\n", response.status);
    for (name, value) in &response.headers {
        let _ = write!(head, "{name}: {value}\r\n");
    }
    if response.chunked {
        head.push_str("Transfer-Encoding: chunked\r\n\r\n");
    } else {
        let _ = write!(head, "Content-Length: {}\r\n\r\n", response.body.len());
    }
    stream.write_all(head.as_bytes()).await?;
    stream.flush().await?;
    let limit = response.cut_at.or(response.stall_at).unwrap_or(usize::MAX);
    let mut sent = 0;
    for (i, piece) in response.pieces().into_iter().enumerate() {
        if i > 0 && !response.delay.is_zero() {
            tokio::time::sleep(response.delay).await;
        }
        let piece = &piece[..piece.len().min(limit - sent)];
        if !piece.is_empty() {
            if response.chunked {
                let mut framed = format!("{:x}\r\n", piece.len()).into_bytes();
                framed.extend_from_slice(piece);
                framed.extend_from_slice(b"\r\n");
                stream.write_all(&framed).await?;
            } else {
                stream.write_all(piece).await?;
            }
            stream.flush().await?;
            sent += piece.len();
        }
        if sent >= limit {
            break;
        }
    }
    if response.stall_at.is_some() {
        // Hold the connection open, sending nothing, until the client gives up.
        let mut sink = [0u8; 64];
        while stream.read(&mut sink).await.unwrap_or(0) > 0 {}
        return Ok(());
    }
    if response.cut_at.is_none() && response.chunked {
        stream.write_all(b"0\r\n\r\n").await?;
    }
    stream.shutdown().await
}
