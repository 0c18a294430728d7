//! One service line as a services category: `web: Rails 7.1 app on web-1.internal, port 3000,
//! owner Sam` or `PostgreSQL 16 on db-1.internal:5432, owner Priya, daily backups`. The name is
//! the label, else the words before the first `on`/`at`/comma; then `Version` (each
//! `product number` as written), `Host` (hostnames and IPv4 addresses), `Port`, `Owner`, and
//! `Details`: the clauses that carry none of those. Pure.

use std::sync::LazyLock;

use regex::Regex;

use crate::documents::ordered::OrderedMap;
use crate::documents::overview::ServiceValue;
use crate::documents::text::Text;

// The patterns are literals: building them cannot fail.
#[allow(clippy::unwrap_used)]
static HOST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:internal|local|lan|com|net|org|io|dev|cloud|corp|intra|home|svc|private)|\d{1,3}(?:\.\d{1,3}){3})\b(?::(?P<port>\d{2,5})\b)?")
        .unwrap()
});
#[allow(clippy::unwrap_used)]
static PORT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\bports?\s*[:=]?\s*(?P<port>\d{2,5})\b").unwrap());
#[allow(clippy::unwrap_used)]
static OWNER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:owner|owned by|maintained by)\s*[:=]?\s*(?P<v>[^,;()]+)").unwrap()
});
#[allow(clippy::unwrap_used)]
static VERSION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?P<product>[A-Za-z][A-Za-z0-9+#]*)\s+(?P<n>v?\d+(?:\.\d+){0,2}(?:\.x)?)(?P<after>[-:%/]|\s+\S+|$)|\b(?P<v>v\d+(?:\.\d+)+)\b")
        .unwrap()
});

/// Words after a number that make it a count or a measure, not a version.
const UNITS: &[&str] = &[
    "instances",
    "instance",
    "servers",
    "server",
    "nodes",
    "node",
    "replicas",
    "replica",
    "gb",
    "mb",
    "tb",
    "ms",
    "s",
    "sec",
    "seconds",
    "min",
    "mins",
    "minutes",
    "h",
    "hours",
    "hour",
    "days",
    "day",
    "weeks",
    "months",
    "vcpu",
    "vcpus",
    "cpu",
    "cpus",
    "cores",
    "users",
    "requests",
    "rps",
    "x",
    "times",
    "workers",
    "pods",
    "containers",
    "copies",
    "am",
    "pm",
];
/// Words before a number that make it a count or a measure, not a version.
const NOT_PRODUCTS: &[&str] = &[
    "port",
    "about",
    "every",
    "for",
    "with",
    "max",
    "min",
    "up",
    "to",
    "of",
    "at",
    "under",
    "over",
    "than",
    "retention",
    "last",
    "each",
    "the",
    "a",
    "top",
    "p95",
    "p99",
    "and",
    "on",
    "in",
    "by",
    "runs",
    "run",
    "has",
    "have",
    "keep",
    "keeps",
    "after",
    "before",
];
/// Labels that name a kind of service even when the value carries no host, port or version.
const CATEGORIES: &[&str] = &[
    "compute",
    "database",
    "databases",
    "db",
    "cache",
    "storage",
    "queue",
    "queues",
    "cdn",
    "dns",
    "monitoring",
    "logging",
    "logs",
    "metrics",
    "errors",
    "search",
    "email",
    "hosting",
    "api",
    "web",
    "workers",
    "worker",
    "load balancer",
    "ci",
    "alerting",
    "tracing",
    "backend",
    "frontend",
    "messaging",
    "object storage",
    "kubernetes",
    "containers",
    "registry",
];

/// Whether `label` names a kind of service (`Database`, `Cache`, …).
pub(crate) fn is_category(label: &str) -> bool {
    CATEGORIES.contains(&label.trim().to_ascii_lowercase().as_str())
}

/// Whether `text` carries a host, a port or a version.
pub(crate) fn has_signals(text: &str) -> bool {
    HOST.is_match(text) || PORT.is_match(text) || !versions(text).is_empty()
}

/// Adds the service `line` describes to `services` (merged into one already named so).
pub(crate) fn add(services: &mut OrderedMap<OrderedMap<ServiceValue>>, line: &str) {
    let line = line.trim().trim_end_matches('.');
    let labelled = line.split_once(": ").filter(|(label, _)| {
        label.split_whitespace().count() <= 4 && !HOST.is_match(label) && !label.contains(',')
    });
    let (name, rest) = match labelled {
        Some((label, rest)) => (label.trim().to_owned(), rest.trim()),
        None => (leading_name(line), line),
    };
    if name.is_empty() {
        return;
    }
    let pairs = pairs(&name, rest);
    merge(services, name, pairs);
}

/// Adds the services a prose line names with a host or a port: each sentence that has one and
/// a `product version` is that product's service (`The app is a Django 5.0 service on
/// staging-1.internal port 8000, owned by Lee.`). A sentence with no product version names no
/// service it could be filed under, and is left alone.
pub(crate) fn add_from_prose(services: &mut OrderedMap<OrderedMap<ServiceValue>>, line: &str) {
    for sentence in line.split(". ") {
        let sentence = sentence.trim().trim_end_matches('.');
        if !(HOST.is_match(sentence) || PORT.is_match(sentence)) {
            continue;
        }
        let Some(product) = VERSION
            .captures_iter(sentence)
            .find(is_version)
            .and_then(|c| c.name("product").map(|p| p.as_str().to_owned()))
        else {
            continue;
        };
        let pairs = pairs(&product, sentence);
        let pairs = OrderedMap(
            pairs
                .0
                .into_iter()
                .filter(|(k, _)| k != "Details")
                .collect(),
        );
        merge(services, product, pairs);
    }
}

/// Files `pairs` under the service `name` (any case): a new service, or the keys an existing
/// one does not have yet.
fn merge(
    services: &mut OrderedMap<OrderedMap<ServiceValue>>,
    name: String,
    pairs: OrderedMap<ServiceValue>,
) {
    match services
        .0
        .iter_mut()
        .find(|(k, _)| k.eq_ignore_ascii_case(&name))
    {
        Some((_, existing)) => {
            for (k, v) in pairs.0 {
                if !existing.0.iter().any(|(e, _)| *e == k) {
                    existing.0.push((k, v));
                }
            }
        }
        None => services.0.push((name, pairs)),
    }
}

/// The name of an unlabelled service line: the product of a leading `product version`, else the
/// words before ` on `, ` at `, ` (` or the first comma.
fn leading_name(line: &str) -> String {
    if let Some(c) = VERSION.captures(line)
        && let Some(p) = c.name("product")
        && line[..p.start()].trim().is_empty()
        && is_version(&c)
    {
        return p.as_str().to_owned();
    }
    let end = [" on ", " at ", " (", ",", ";", " - "]
        .iter()
        .filter_map(|sep| line.find(sep))
        .min()
        .unwrap_or(line.len());
    let name = line[..end].trim();
    if name.split_whitespace().count() <= 4 {
        name.to_owned()
    } else {
        String::new()
    }
}

fn is_version(c: &regex::Captures<'_>) -> bool {
    if c.name("v").is_some() {
        return false;
    }
    let product = c
        .name("product")
        .map_or("", |m| m.as_str())
        .to_ascii_lowercase();
    let after = c.name("after").map_or("", |m| m.as_str());
    let next = after
        .trim()
        .trim_end_matches([',', '.', ';', ')'])
        .to_ascii_lowercase();
    !NOT_PRODUCTS.contains(&product.as_str())
        && !after.starts_with(['-', ':', '%', '/'])
        && !UNITS.contains(&next.as_str())
        && !next.starts_with('%')
}

/// Each `product version` (or a bare `v1.2`) in `text`, as written.
fn versions(text: &str) -> Vec<(usize, usize, String)> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(c) = VERSION.captures_at(text, at) {
        let Some(whole) = c.get(0) else { break };
        if let Some(v) = c.name("v") {
            found.push((v.start(), v.end(), v.as_str().to_owned()));
            at = v.end();
        } else if let (Some(p), Some(n)) = (c.name("product"), c.name("n")) {
            if is_version(&c) {
                found.push((p.start(), n.end(), text[p.start()..n.end()].to_owned()));
            }
            at = n.end();
        } else {
            at = whole.end();
        }
    }
    found
}

fn pairs(name: &str, rest: &str) -> OrderedMap<ServiceValue> {
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let mut hosts = Vec::new();
    let mut ports = Vec::new();
    let versions: Vec<String> = versions(rest)
        .into_iter()
        .map(|(start, end, v)| {
            taken.push((start, end));
            v
        })
        .collect();
    for m in HOST.captures_iter(rest) {
        let Some(whole) = m.get(0) else { continue };
        taken.push((whole.start(), whole.end()));
        let host = m.name("port").map_or(whole.as_str(), |p| {
            ports.push(p.as_str().to_owned());
            &whole.as_str()[..p.start() - whole.start() - 1]
        });
        hosts.push(host.to_owned());
    }
    for m in PORT.captures_iter(rest) {
        if let (Some(whole), Some(p)) = (m.get(0), m.name("port")) {
            taken.push((whole.start(), whole.end()));
            ports.push(p.as_str().to_owned());
        }
    }
    let owner = OWNER.captures(rest).and_then(|c| {
        let whole = c.get(0)?;
        taken.push((whole.start(), whole.end()));
        Some(c["v"].trim().to_owned())
    });
    ports.dedup();
    let mut out = OrderedMap::default();
    let mut put = |key: &str, mut values: Vec<String>| {
        values.retain(|v| !v.is_empty());
        let value = match values.len() {
            0 => return,
            1 => ServiceValue::Text(Text(values.remove(0))),
            _ => ServiceValue::List(values),
        };
        out.0.push((key.to_owned(), value));
    };
    put("Version", versions);
    put("Host", hosts);
    put("Port", ports);
    put("Owner", owner.into_iter().collect());
    put("Details", details(name, rest, &taken));
    out
}

/// The comma clauses of `rest` that hold none of the extracted facts and are not the name.
fn details(name: &str, rest: &str, taken: &[(usize, usize)]) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    for piece in rest.split_inclusive([',', ';']) {
        let end = start + piece.len();
        let clause = piece.trim().trim_end_matches([',', ';', '.']).trim();
        let overlaps = taken.iter().any(|&(a, b)| a < end && b > start);
        if !clause.is_empty() && !overlaps && !clause.eq_ignore_ascii_case(name) {
            out.push(clause.to_owned());
        }
        start = end;
    }
    out
}
