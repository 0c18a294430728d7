//! The retry policy, pure: which failures are retried and how long to wait.
//! Retries happen only before any output; the caller enforces that.

use std::time::{Duration, SystemTime};

/// Longest server-requested wait that is still worth waiting for; beyond it we give up at once.
pub const MAX_SERVER_WAIT: Duration = Duration::from_secs(60);
const BASE: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(8);

/// The response headers the policy reads, already as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetryHeaders {
    pub should_retry: Option<String>,
    pub retry_after_ms: Option<String>,
    pub retry_after: Option<String>,
    pub rate_limit_reset: Option<String>,
}

/// Whether a status is worth another try: `x-should-retry` wins, else 408, 409, 429 and 5xx.
pub fn retryable_status(status: u16, headers: &RetryHeaders, out_of_credit: bool) -> bool {
    match headers.should_retry.as_deref().map(str::trim) {
        Some("true") => return true,
        Some("false") => return false,
        _ => {}
    }
    !out_of_credit && matches!(status, 408 | 409 | 429 | 500..=599)
}

/// The wait the server asked for: `retry-after-ms`, `Retry-After` (seconds or an HTTP date),
/// or `X-RateLimit-Reset` as epoch milliseconds. A time in the past is no wait.
pub fn server_wait(headers: &RetryHeaders, now: SystemTime) -> Option<Duration> {
    let seconds = |s: &str| {
        s.trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
            .map(Duration::from_secs_f64)
    };
    if let Some(ms) = headers.retry_after_ms.as_deref().and_then(seconds) {
        return Some(ms / 1000);
    }
    if let Some(value) = headers.retry_after.as_deref() {
        if let Some(wait) = seconds(value) {
            return Some(wait);
        }
        if let Ok(at) = httpdate::parse_http_date(value.trim()) {
            return Some(at.duration_since(now).unwrap_or_default());
        }
    }
    let reset = headers
        .rate_limit_reset
        .as_deref()?
        .trim()
        .parse::<u64>()
        .ok()?;
    // Only epoch milliseconds are unambiguous (OpenRouter); other spellings are ignored.
    if reset < 1_000_000_000_000 {
        return None;
    }
    let at = SystemTime::UNIX_EPOCH + Duration::from_millis(reset);
    Some(at.duration_since(now).unwrap_or_default())
}

/// Exponential backoff for try number `done` (1 after the first failure): 0.5 s × 2ⁿ⁻¹, at most
/// 8 s, less up to a quarter of jitter.
pub fn backoff(done: u32, jitter: f64) -> Duration {
    let exp = BASE.saturating_mul(1 << done.saturating_sub(1).min(5));
    exp.min(MAX_BACKOFF)
        .mul_f64(1.0 - 0.25 * jitter.clamp(0.0, 1.0))
}

/// The wait before the next try, or `None` when the server asked for more than we wait.
pub fn next_wait(headers: &RetryHeaders, done: u32, now: SystemTime) -> Option<Duration> {
    match server_wait(headers, now) {
        Some(wait) if wait > MAX_SERVER_WAIT => None,
        Some(wait) if !wait.is_zero() => Some(wait),
        _ => Some(backoff(done, fastrand::f64())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(f: impl FnOnce(&mut RetryHeaders)) -> RetryHeaders {
        let mut headers = RetryHeaders::default();
        f(&mut headers);
        headers
    }

    #[test]
    fn statuses() {
        let none = RetryHeaders::default();
        for s in [408, 409, 429, 500, 502, 503] {
            assert!(retryable_status(s, &none, false), "{s}");
        }
        for s in [400, 401, 403, 404, 413, 422] {
            assert!(!retryable_status(s, &none, false), "{s}");
        }
        assert!(!retryable_status(429, &none, true));
        let no = h(|h| h.should_retry = Some("false".into()));
        assert!(!retryable_status(503, &no, false));
    }

    #[test]
    fn server_waits() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_754_667_600);
        let secs = h(|h| h.retry_after = Some("2".into()));
        assert_eq!(server_wait(&secs, now), Some(Duration::from_secs(2)));
        let ms = h(|h| h.retry_after_ms = Some("1500".into()));
        assert_eq!(server_wait(&ms, now), Some(Duration::from_millis(1500)));
        let date =
            h(|h| h.retry_after = Some(httpdate::fmt_http_date(now + Duration::from_secs(3))));
        assert_eq!(server_wait(&date, now), Some(Duration::from_secs(3)));
        let reset = h(|h| h.rate_limit_reset = Some("1754667660000".into()));
        assert_eq!(server_wait(&reset, now), Some(Duration::from_secs(60)));
        let past = h(|h| h.rate_limit_reset = Some("1000000000000".into()));
        assert_eq!(server_wait(&past, now), Some(Duration::ZERO));
        let long = h(|h| h.retry_after = Some("3600".into()));
        assert_eq!(next_wait(&long, 1, now), None);
    }

    #[test]
    fn backoff_doubles_with_a_cap_and_jitter() {
        assert_eq!(backoff(1, 0.0), Duration::from_millis(500));
        assert_eq!(backoff(2, 0.0), Duration::from_secs(1));
        assert_eq!(backoff(9, 0.0), Duration::from_secs(8));
        assert_eq!(backoff(1, 1.0), Duration::from_millis(375));
    }
}
