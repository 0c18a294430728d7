//! `http_get`, the agent's HTTP probe (here because this folder is the only reqwest user): one
//! GET, redirects followed up to 5, reporting the status, the latency to the response head, a
//! few headers, the first 8 KiB of the body and, for https, the peer certificate's subject and
//! days until it expires. Nothing but GET is ever sent.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use futures_util::StreamExt;

/// Body bytes kept.
const BODY_LIMIT: usize = 8 * 1024;
/// Headers worth showing.
const HEADERS: [&str; 8] = [
    "content-type",
    "content-length",
    "server",
    "location",
    "cache-control",
    "date",
    "retry-after",
    "www-authenticate",
];

/// The probe's report as text for the model, or a one-line error.
pub async fn http_get(url: &str, timeout: Duration) -> Result<String, String> {
    let parsed = reqwest::Url::parse(url).map_err(|err| format!("not a usable URL: {err}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!(
            "only http and https URLs can be fetched, not {}",
            parsed.scheme()
        ));
    }
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .user_agent(super::request::USER_AGENT)
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::limited(5))
        .tls_info(true)
        .build()
        .map_err(|err| format!("cannot set up the HTTP client: {err}"))?;
    let started = Instant::now();
    let response = client
        .get(parsed)
        .send()
        .await
        .map_err(|err| format!("GET {url} failed: {}", super::send::root_cause(&err)))?;
    let latency = started.elapsed();
    let mut report = format!(
        "GET {url}\nstatus: {}\nlatency: {} ms\n",
        response.status(),
        latency.as_millis()
    );
    if response.url().as_str() != url {
        let _ = writeln!(report, "final url: {}", response.url());
    }
    for name in HEADERS {
        if let Some(value) = response.headers().get(name).and_then(|v| v.to_str().ok()) {
            let _ = writeln!(report, "{name}: {value}");
        }
    }
    if let Some(info) = response.extensions().get::<reqwest::tls::TlsInfo>()
        && let Some(der) = info.peer_certificate()
    {
        report.push_str(&certificate(der));
    }
    let mut body = Vec::new();
    let mut more = false;
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else { break };
        let room = BODY_LIMIT - body.len();
        body.extend_from_slice(&chunk[..room.min(chunk.len())]);
        if chunk.len() > room {
            more = true;
            break;
        }
    }
    let _ = write!(report, "body ({} bytes shown", body.len());
    report.push_str(if more { ", more not read):\n" } else { "):\n" });
    report.push_str(&String::from_utf8_lossy(&body));
    Ok(report)
}

/// The certificate's subject and days until expiry.
fn certificate(der: &[u8]) -> String {
    match x509_parser::parse_x509_certificate(der) {
        Ok((_, cert)) => {
            let not_after = cert.validity().not_after.timestamp();
            let now = jiff::Timestamp::now().as_second();
            let days = (not_after - now).div_euclid(86_400);
            format!(
                "certificate subject: {}\ncertificate issuer: {}\ncertificate expires in: {days} days\n",
                cert.subject(),
                cert.issuer()
            )
        }
        Err(err) => format!("certificate: cannot parse ({err})\n"),
    }
}
