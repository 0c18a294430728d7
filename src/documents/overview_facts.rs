//! What infrastructure notes say plainly, read without a model, as an `InfraOverview`: arrow
//! lines (`Client -> CDN -> 3x web`) become the diagram's components and links; service lines
//! (`- PostgreSQL 16 on db-1.internal port 5432, owner Priya`, `Database: …`, or a sentence
//! with a host or port and a `product version`) become a services category with its version, hosts, ports, owner and the rest as details; labelled
//! lines and the bullets under a heading fill deployment steps, RPO/RTO, backup, failover,
//! security pairs, the monthly cost and its breakdown, the on-call roles, the runbooks and
//! their path. Values are kept word for word; anything the notes do not state stays empty.
//! The offline drafting puts these into the document as they are. Pure: text in, facts out.

mod flow;
mod service;
#[cfg(test)]
mod tests;
mod values;

use std::sync::LazyLock;

use regex::Regex;

use super::overview::InfraOverview;
use values::{
    OBJECTIVE, capitalised, costs, join, list, objectives, path_in, push_pair, roles, runbooks,
    security_key, steps,
};

/// What a heading or a line's label is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Topic {
    Services,
    Architecture,
    Deployment,
    Security,
    Recovery,
    Costs,
    OnCall,
    Runbooks,
}

impl Topic {
    /// The topic a label names, from its words.
    pub(crate) fn of(label: &str) -> Option<Topic> {
        let l = label.to_ascii_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| l.contains(w));
        Some(if has(&["runbook", "playbook"]) {
            Topic::Runbooks
        } else if has(&["on-call", "on call", "oncall", "rotation", "pager"]) {
            Topic::OnCall
        } else if has(&["deploy", "release", "ci/cd", "pipeline"]) {
            Topic::Deployment
        } else if has(&["disaster", "recovery", "backup", "failover", "rpo", "rto"]) {
            Topic::Recovery
        } else if has(&["cost", "budget", "spend", "billing"]) {
            Topic::Costs
        } else if has(&[
            "architecture",
            "diagram",
            "request path",
            "traffic",
            "topology",
        ]) {
            Topic::Architecture
        } else if has(&[
            "security",
            "encrypt",
            "secret",
            "access",
            "network",
            "tls",
            "auth",
            "mfa",
            "firewall",
            "ddos",
            "iam",
            "sso",
            "vpn",
            "compliance",
        ]) {
            Topic::Security
        } else if has(&["service", "component", "stack", "systems"]) {
            Topic::Services
        } else {
            return None;
        })
    }
}

// The patterns are literals: building them cannot fail.
#[allow(clippy::unwrap_used)]
static BULLET: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(?:[-*•+]|\d{1,2}[.)])\s+").unwrap());
#[allow(clippy::unwrap_used)]
static LABELLED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?P<label>[^:]{1,48}?):(?:\s+(?P<value>.*))?$").unwrap());
#[allow(clippy::unwrap_used)]
static HEADING: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^#{1,6}\s+(?P<h>.+)$").unwrap());
#[allow(clippy::unwrap_used)]
static ENVIRONMENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b(production|staging|prod|development|sandbox)\b").unwrap());
#[allow(clippy::unwrap_used)]
static ARROW: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\s*(?:-->|->|→|=>)\s*").unwrap());

/// Reads the plainly stated facts out of infrastructure notes.
pub fn overview_facts(notes: &str) -> InfraOverview {
    let mut doc = InfraOverview::default();
    let mut flows = flow::Flows::default();
    let mut section: Option<Topic> = None;
    let mut heading_text = String::new();
    let mut first = true;
    for raw in notes.lines() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if std::mem::take(&mut first) {
            doc.name = ENVIRONMENT.find(line).map(|m| capitalised(m.as_str()));
        }
        let bulleted = BULLET.is_match(line);
        let body = BULLET.replace(line, "").trim().to_owned();
        if let Some(topic) = heading(&body) {
            if topic == Topic::Runbooks {
                doc.runbooks_path = doc.runbooks_path.take().or_else(|| path_in(&body));
            }
            section = Some(topic);
            heading_text = body.to_ascii_lowercase();
            continue;
        }
        if !bulleted {
            section = None;
        }
        let labelled = LABELLED.captures(&body).and_then(|c| {
            let label = c["label"].trim();
            let value = c.name("value")?.as_str().trim();
            (label.split_whitespace().count() <= 4 && !value.is_empty())
                .then(|| (label.to_owned(), value.to_owned()))
        });
        match (section, labelled) {
            (Some(Topic::Services), _) => service::add(&mut doc.services, &body),
            (Some(topic), Some((label, value))) => {
                labelled_line(&mut doc, &mut flows, topic, &label, &value);
            }
            (Some(topic), None) => section_line(&mut doc, &mut flows, topic, &heading_text, &body),
            (None, Some((label, value))) => match Topic::of(&label) {
                Some(Topic::Services) => {
                    for item in list(&value) {
                        service::add(&mut doc.services, &item);
                    }
                }
                Some(topic) => labelled_line(&mut doc, &mut flows, topic, &label, &value),
                None if service::is_category(&label) || service::has_signals(&value) => {
                    service::add(&mut doc.services, &format!("{label}: {value}"));
                }
                None => free_line(&mut doc, &mut flows, &body),
            },
            (None, None) if bulleted && service::has_signals(&body) && !ARROW.is_match(&body) => {
                service::add(&mut doc.services, &body);
            }
            (None, None) => free_line(&mut doc, &mut flows, &body),
        }
    }
    (doc.components, doc.links) = flows.finish();
    doc
}

/// The topic of a heading line: `## Services`, `Runbooks:` or `Costs (monthly):`.
fn heading(body: &str) -> Option<Topic> {
    if let Some(c) = HEADING.captures(body) {
        return Topic::of(&c["h"]);
    }
    let label = body.strip_suffix(':')?;
    (label.split_whitespace().count() <= 5)
        .then(|| Topic::of(label))
        .flatten()
}

/// A `Label: value` line about `topic`.
fn labelled_line(
    doc: &mut InfraOverview,
    flows: &mut flow::Flows,
    topic: Topic,
    label: &str,
    value: &str,
) {
    let l = label.to_ascii_lowercase();
    match topic {
        Topic::Deployment => doc.deployment.extend(steps(value)),
        Topic::Architecture => flows.add(value),
        Topic::Recovery => {
            let dr = &mut doc.disaster_recovery;
            if l.contains("rpo") && !l.contains("rto") {
                dr.rpo.get_or_insert_with(|| value.to_owned());
            } else if l.contains("rto") && !l.contains("rpo") {
                dr.rto.get_or_insert_with(|| value.to_owned());
            } else if l.contains("failover") {
                dr.failover.get_or_insert_with(|| value.to_owned());
            } else if l.contains("backup") {
                dr.backup.get_or_insert_with(|| value.to_owned());
            } else {
                objectives(doc, value);
            }
        }
        Topic::Security => {
            if l.trim() == "security" {
                for clause in list(value) {
                    let key = security_key(&clause);
                    push_pair(&mut doc.security, key, &clause);
                }
            } else {
                push_pair(&mut doc.security, label.trim(), value);
            }
        }
        Topic::Costs => costs(doc, &format!("{label}: {value}")),
        Topic::OnCall => {
            let role = ["primary", "secondary", "escalation", "backup"].contains(&l.trim());
            if role {
                roles(doc, &format!("{label} {value}"));
            } else {
                roles(doc, value);
            }
        }
        Topic::Runbooks => {
            doc.runbooks_path = doc.runbooks_path.take().or_else(|| path_in(label));
            runbooks(doc, value);
        }
        Topic::Services => service::add(&mut doc.services, &format!("{label}: {value}")),
    }
}

/// A bullet without a label under a heading (`heading`, lowercased) about `topic`.
fn section_line(
    doc: &mut InfraOverview,
    flows: &mut flow::Flows,
    topic: Topic,
    heading: &str,
    body: &str,
) {
    match topic {
        Topic::Deployment => doc.deployment.push(body.to_owned()),
        Topic::Architecture => flows.add(body),
        Topic::Recovery => {
            let lower = body.to_ascii_lowercase();
            if OBJECTIVE.is_match(body) {
                objectives(doc, body);
            } else if lower.contains("failover") || heading.contains("failover") {
                join(&mut doc.disaster_recovery.failover, body);
            } else if lower.contains("backup") || heading.contains("backup") {
                join(&mut doc.disaster_recovery.backup, body);
            }
        }
        Topic::Security => push_pair(&mut doc.security, security_key(body), body),
        Topic::Costs => costs(doc, body),
        Topic::OnCall => roles(doc, body),
        Topic::Runbooks => {
            if let (None, Some(p)) = (&doc.runbooks_path, path_in(body))
                && body.trim().trim_matches(['(', ')']).len() <= p.len() + 4
            {
                doc.runbooks_path = Some(p);
            } else {
                doc.runbooks.push(body.trim_end_matches('.').to_owned());
            }
        }
        Topic::Services => service::add(&mut doc.services, body),
    }
}

/// A line outside any heading and without a label of a known topic.
fn free_line(doc: &mut InfraOverview, flows: &mut flow::Flows, body: &str) {
    objectives(doc, body);
    let lower = body.to_ascii_lowercase();
    if ARROW.is_match(body) {
        if lower.contains("deploy") && doc.deployment.is_empty() {
            doc.deployment = steps(body);
        } else {
            flows.add(body);
        }
    } else if values::AMOUNT.is_match(body) && Topic::of(&lower) == Some(Topic::Costs) {
        costs(doc, body);
    } else {
        service::add_from_prose(&mut doc.services, body);
    }
}
