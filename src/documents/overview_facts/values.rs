//! The values of one overview line, read word for word: RPO/RTO with their durations, dollar
//! amounts as the monthly total and its breakdown, on-call roles, runbook lists and their path,
//! deployment steps, security keys. Called by `overview_facts` once it knows a line's topic.
//! Pure.

use std::sync::LazyLock;

use regex::Regex;

use crate::documents::ordered::OrderedMap;
use crate::documents::overview::InfraOverview;
use crate::documents::text::Text;

use super::ARROW;

// The patterns are literals: building them cannot fail.
#[allow(clippy::unwrap_used)]
pub(super) static OBJECTIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?P<k>RPO|RTO)\b\s*(?:is|of|=|:)?\s*(?P<v>(?:about\s+|under\s+|~|<\s*)?\d+(?:\.\d+)?\s*(?:minutes?|mins?|hours?|hrs?|h|days?|seconds?|secs?|s)\b)")
        .unwrap()
});
#[allow(clippy::unwrap_used)]
pub(super) static AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?P<approx>(?:about|around|roughly|approx\.?|~)\s*)?\$\s?\d(?:[\d,]*\d)?(?:\.\d+)?\s?[kK]?(?:\s*(?:/\s*mo(?:nth)?|per month|a month))?")
        .unwrap()
});
#[allow(clippy::unwrap_used)]
static ROLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?P<role>primary|secondary|escalation|escalates to|backup)\b\s*(?:on-call\s*)?(?:is\s+|[:=]\s*)?(?P<v>[^,;.()]+)")
        .unwrap()
});
#[allow(clippy::unwrap_used)]
static PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:https?://[^\s),]+|(?:^|[\s(])(?P<p>/[\w.-]+(?:/[\w.-]+)*/?))").unwrap()
});
#[allow(clippy::unwrap_used)]
static CLAUSE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[,;:](?:\s+|$)").unwrap());

/// RPO and RTO written anywhere in `text`.
pub(super) fn objectives(doc: &mut InfraOverview, text: &str) {
    for c in OBJECTIVE.captures_iter(text) {
        let value = c["v"].trim().to_owned();
        let dr = &mut doc.disaster_recovery;
        let slot = if c["k"].eq_ignore_ascii_case("rpo") {
            &mut dr.rpo
        } else {
            &mut dr.rto
        };
        slot.get_or_insert(value);
    }
}

/// The monthly total and the breakdown of a line with dollar amounts: each `name $amount`
/// clause is a breakdown entry, the one named monthly/total/cost/month is the total. A clause
/// without an amount names the next one (`Compute: $900`).
pub(super) fn costs(doc: &mut InfraOverview, line: &str) {
    let mut pending = String::new();
    for clause in CLAUSE.split(line).flat_map(|c| c.split(" and ")) {
        let clause = clause.trim().trim_end_matches('.');
        let Some(m) = AMOUNT.find(clause) else {
            clause.clone_into(&mut pending);
            continue;
        };
        let written = clause[..m.start()]
            .trim()
            .trim_end_matches(['=', '-', '–'])
            .trim();
        let name = if written.is_empty() {
            std::mem::take(&mut pending)
        } else {
            pending.clear();
            written.to_owned()
        };
        let name = name.as_str();
        let amount = m.as_str().trim().to_owned();
        let lower = name.to_ascii_lowercase();
        let total = ["month", "total", "cost", "bill", "spend"]
            .iter()
            .any(|w| lower.contains(w))
            || amount.contains("month")
            || amount.contains("/mo");
        if total || name.is_empty() {
            doc.costs.monthly.get_or_insert(Text(amount));
        } else {
            push_pair(&mut doc.costs.breakdown, name, &amount);
        }
    }
}

/// Primary, secondary and escalation named in `text`.
pub(super) fn roles(doc: &mut InfraOverview, text: &str) {
    for c in ROLE.captures_iter(text) {
        let value = c["v"].trim().to_owned();
        if value.is_empty() {
            continue;
        }
        let oc = &mut doc.on_call;
        let slot = match c["role"].to_ascii_lowercase().as_str() {
            "primary" => &mut oc.primary,
            "secondary" | "backup" => &mut oc.secondary,
            _ => &mut oc.escalation,
        };
        slot.get_or_insert(value);
    }
}

pub(super) fn runbooks(doc: &mut InfraOverview, value: &str) {
    let value = match path_in(value) {
        Some(p) => {
            doc.runbooks_path.get_or_insert(p.clone());
            value.replacen(&p, "", 1)
        }
        None => value.to_owned(),
    };
    doc.runbooks.extend(list(&value));
}

/// The steps of a one-line deployment: split at arrows, else at `;` and "then".
pub(super) fn steps(value: &str) -> Vec<String> {
    let parts: Vec<&str> = if ARROW.is_match(value) {
        ARROW.split(value).collect()
    } else {
        value
            .split(';')
            .flat_map(|p| p.split(", then "))
            .flat_map(|p| p.split(" then "))
            .collect()
    };
    parts
        .into_iter()
        .map(|p| p.trim().trim_end_matches('.').trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

/// The items of a written list: split at `,`, `;` and " and ".
pub(crate) fn list(value: &str) -> Vec<String> {
    value
        .split([',', ';'])
        .flat_map(|p| p.split(" and "))
        .map(|p| p.trim().trim_end_matches('.').trim().to_owned())
        .filter(|p| !p.is_empty() && p != "(" && p != ")" && p != "()")
        .collect()
}

pub(super) fn security_key(clause: &str) -> &'static str {
    let l = clause.to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| l.contains(w));
    if has(&["encrypt", "tls", "ssl", "aes"]) {
        "Encryption"
    } else if has(&["secret", "vault", "password", "kms"]) {
        "Secrets"
    } else if has(&["vpc", "firewall", "subnet", "network", "ddos", "waf", "vpn"]) {
        "Network"
    } else if has(&["mfa", "iam", "sso", "ssh", "access", "auth", "2fa", "role"]) {
        "Access"
    } else {
        "Notes"
    }
}

/// Sets `slot` to `value`, or adds it after `; ` when the slot holds a value already.
pub(super) fn join(slot: &mut Option<String>, value: &str) {
    match slot {
        Some(v) => {
            v.push_str("; ");
            v.push_str(value);
        }
        None => *slot = Some(value.to_owned()),
    }
}

/// Adds `key: value`, joining with `; ` when the key is already there.
pub(super) fn push_pair(map: &mut OrderedMap<Text>, key: &str, value: &str) {
    if let Some((_, v)) = map.0.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case(key)) {
        v.0.push_str("; ");
        v.0.push_str(value);
    } else {
        map.0.push((key.to_owned(), Text(value.to_owned())));
    }
}

pub(super) fn path_in(text: &str) -> Option<String> {
    let c = PATH.captures(text)?;
    Some(
        c.name("p")
            .map_or_else(|| c[0].trim(), |p| p.as_str())
            .to_owned(),
    )
}

pub(super) fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase()
            .chain(chars.flat_map(char::to_lowercase))
            .collect()
    })
}
