//! Scrubbing secrets out of a tool result before it is sent to a model: AWS access key ids and
//! secret keys, bearer tokens, well-known API token formats, private key blocks,
//! `password=`/`secret=`/`token=`/`api_key:` values, and the configured API key itself. Each
//! is replaced by `[REDACTED]` and counted, so stderr can say how many went. Pure.

use std::sync::LazyLock;

use regex::Regex;

const MARK: &str = "[REDACTED]";

/// (pattern, replacement); `$k` keeps a key name and its separator.
static RULES: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    let rules: [(&str, &str); 6] = [
        (
            r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----",
            MARK,
        ),
        (
            r"\b(AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b",
            MARK,
        ),
        (
            r"(?i)\b(bearer|token)\s+[A-Za-z0-9\-._~+/]{12,}=*",
            "$1 [REDACTED]",
        ),
        (
            r"\b(sk-[A-Za-z0-9_\-]{16,}|sk_live_[A-Za-z0-9]{16,}|ghp_[A-Za-z0-9]{30,}|gho_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_\-]{20,}|xox[abprs]-[A-Za-z0-9\-]{10,}|AIza[A-Za-z0-9_\-]{35}|hvs\.[A-Za-z0-9_\-]{20,})",
            MARK,
        ),
        (
            r#"(?i)(?P<k>[A-Za-z0-9_.\-]*(password|passwd|pwd|secret|token|api[_\-]?key|access[_\-]?key|private[_\-]?key|credential)[A-Za-z0-9_.\-]*["']?\s*[:=]\s*)(?P<v>"[^"\n]*"|'[^'\n]*'|[^\s"',;]+)"#,
            "${k}[REDACTED]",
        ),
        (
            r"(?i)(?P<k>(postgres|postgresql|mysql|mongodb(\+srv)?|redis|amqp|https?)://[^\s:/@]+:)(?P<v>[^\s@/]+)@",
            "${k}[REDACTED]@",
        ),
    ];
    rules
        .into_iter()
        // The patterns are constants, checked by the unit tests below.
        .filter_map(|(p, r)| Regex::new(p).ok().map(|re| (re, r)))
        .collect()
});

/// `text` with every secret replaced, and how many were.
pub fn scrub(text: &str, api_key: Option<&str>) -> (String, usize) {
    let mut count = 0;
    let mut text = text.to_owned();
    if let Some(key) = api_key.filter(|k| k.len() >= 8) {
        count += text.matches(key).count();
        text = text.replace(key, MARK);
    }
    for (re, replacement) in RULES.iter() {
        let replaced = re.replace_all(&text, |c: &regex::Captures<'_>| {
            let already = c
                .name("v")
                .map_or(&c[0] == MARK, |v| v.as_str().starts_with(MARK));
            if already {
                c[0].to_owned()
            } else {
                count += 1;
                let mut dst = String::new();
                c.expand(replacement, &mut dst);
                dst
            }
        });
        text = replaced.into_owned();
    }
    (text, count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_compiles() {
        assert_eq!(RULES.len(), 6);
    }

    #[test]
    fn secrets_are_replaced_and_counted() {
        let text = "\
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig
DB_PASSWORD=\"hunter2 again\"
token: ghp_abcdefghijklmnopqrstuvwxyz0123456789
url postgres://app:s3cret@db:5432/app
-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAA
-----END OPENSSH PRIVATE KEY-----
disk 41% used";
        let (clean, n) = scrub(text, None);
        for secret in [
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI",
            "eyJhbGciOiJIUzI1NiJ9",
            "hunter2",
            "ghp_abc",
            "s3cret",
            "b3BlbnNzaC1rZXktdjEAAAAA",
        ] {
            assert!(!clean.contains(secret), "{secret} left in:\n{clean}");
        }
        assert!(clean.contains("disk 41% used"));
        assert!(n >= 7, "{n}");
    }

    #[test]
    fn the_configured_key_goes_and_plain_text_stays() {
        let (clean, n) = scrub("key is canary-key-1234 ok", Some("canary-key-1234"));
        assert_eq!(clean, "key is [REDACTED] ok");
        assert_eq!(n, 1);
        let (same, none) = scrub("Filesystem Size Used Avail Use% /dev/vda 252G", None);
        assert_eq!(none, 0);
        assert!(same.contains("252G"));
    }
}
