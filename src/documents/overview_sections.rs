//! The offline infrastructure overview, drafted part by part: what the notes state plainly
//! comes from `overview_facts` unchanged (diagram, services with versions, hosts, ports and
//! owners, deployment steps, RPO/RTO, costs, on-call, runbooks), and the small model writes
//! only the parts the notes describe in running prose — deployment, security, backup and
//! failover, on-call, runbooks — and only when the notes mention that topic at all. Each part
//! is one small JSON object with its own short schema (the local engine makes each a
//! grammar), and the notes sit in the system message so every part after the first starts
//! from the engine's prompt cache. A model value with a number or a name the notes never
//! wrote is dropped. Pure: the requests and the assembly; sending is the app's job.

use serde::Deserialize;
use serde_json::{Value, json};

use super::figures::KnownNumbers;
use super::overview::InfraOverview;
use super::overview_facts::overview_facts;
use super::text::Text;
use crate::llm::{ChatRequest, JsonSchemaFormat, Message};

/// One part of the overview the model writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Deployment,
    Security,
    Recovery,
    OnCall,
    Runbooks,
}

impl Part {
    pub fn name(self) -> &'static str {
        match self {
            Part::Deployment => "deployment",
            Part::Security => "security",
            Part::Recovery => "backup and failover",
            Part::OnCall => "on-call",
            Part::Runbooks => "runbooks",
        }
    }

    /// Words whose presence in the notes means they say something about this part.
    fn topic_words(self) -> &'static [&'static str] {
        match self {
            Part::Deployment => &["deploy", "release", "rollout", "roll out", "pipeline"],
            Part::Security => &[
                "encrypt", "tls", "ssl", "secret", "mfa", "2fa", "iam", "vpc", "firewall", "sso",
                "password", "ssh", "vault", "access", "security",
            ],
            Part::Recovery => &["backup", "snapshot", "restore", "failover", "standby"],
            Part::OnCall => &["on-call", "on call", "oncall", "pager", "escalat"],
            Part::Runbooks => &["runbook", "playbook"],
        }
    }

    fn ask(self) -> &'static str {
        match self {
            Part::Deployment => {
                "List how code reaches production as JSON `steps`: the deployment steps the \
                 notes describe, in order, a few words each."
            }
            Part::Security => {
                "Describe security as JSON with `encryption`, `secrets`, `access` and `network`: \
                 each a few words from the notes, or \"\" when the notes say nothing about it."
            }
            Part::Recovery => {
                "Describe disaster recovery as JSON: `backup` (how backups are taken) and \
                 `failover` (how a failure is taken over), a few words each from the notes, or \
                 \"\" when the notes say nothing about it."
            }
            Part::OnCall => {
                "Name the on-call rotation as JSON: `primary`, `secondary` and `escalation`, \
                 each a name or role from the notes, or \"\" when the notes name none."
            }
            Part::Runbooks => "List the runbooks the notes name as JSON `runbooks`, titles only.",
        }
    }

    fn schema(self) -> Value {
        let text = |max: u64| json!({"type": "string", "maxLength": max});
        let list = |max: u64| json!({"type": "array", "items": {"type": "string", "minLength": 3, "maxLength": 120}, "maxItems": max});
        let object = |props: Value| {
            let required: Vec<String> = props
                .as_object()
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default();
            json!({"type": "object", "properties": props, "required": required,
                   "additionalProperties": false})
        };
        match self {
            Part::Deployment => object(json!({"steps": list(8)})),
            Part::Security => object(json!({"encryption": text(120), "secrets": text(120),
                                            "access": text(120), "network": text(120)})),
            Part::Recovery => object(json!({"backup": text(160), "failover": text(160)})),
            Part::OnCall => {
                object(json!({"primary": text(60), "secondary": text(60), "escalation": text(60)}))
            }
            Part::Runbooks => object(json!({"runbooks": list(8)})),
        }
    }

    /// Tokens a reply of this part may take (its grammar bounds it well below this).
    pub fn max_tokens(self) -> u32 {
        match self {
            Part::OnCall => 80,
            Part::Recovery => 140,
            Part::Deployment | Part::Security | Part::Runbooks => 200,
        }
    }
}

/// The offline overview in progress: the facts, then the model's parts as they come.
#[derive(Debug, Clone)]
pub struct OverviewDraft {
    pub doc: InfraOverview,
    known: KnownNumbers,
    lower: String,
}

impl OverviewDraft {
    /// Starts from what the notes state plainly.
    pub fn new(notes: &str) -> Self {
        OverviewDraft {
            doc: overview_facts(notes),
            known: KnownNumbers::of(notes),
            lower: notes.to_lowercase(),
        }
    }

    /// The parts the model still has to write: those the facts left empty and the notes
    /// talk about.
    pub fn parts(&self) -> Vec<Part> {
        let d = &self.doc;
        let dr = &d.disaster_recovery;
        let oc = &d.on_call;
        [
            (Part::Deployment, d.deployment.is_empty()),
            (Part::Security, d.security.is_empty()),
            (Part::Recovery, dr.backup.is_none() && dr.failover.is_none()),
            (
                Part::OnCall,
                oc.primary.is_none() && oc.secondary.is_none() && oc.escalation.is_none(),
            ),
            (Part::Runbooks, d.runbooks.is_empty()),
        ]
        .into_iter()
        .filter(|&(part, empty)| empty && part.topic_words().iter().any(|w| self.lower.contains(w)))
        .map(|(part, _)| part)
        .collect()
    }

    /// Puts one part's reply into the document, filling only what the facts left empty;
    /// `Err` says why it was left out.
    pub fn apply(&mut self, part: Part, reply: &str) -> Result<(), String> {
        let json = super::draft::extract_json(reply);
        let reply: PartReply = serde_json::from_str(json).map_err(|e| e.to_string())?;
        let (known, lower) = (&self.known, &self.lower);
        let keep = |s: &String| grounded(known, lower, s);
        let fill = |slot: &mut Option<String>, value: &String| {
            if slot.is_none() {
                *slot = keep(value);
            }
        };
        let doc = &mut self.doc;
        match part {
            Part::Deployment if doc.deployment.is_empty() => {
                doc.deployment = reply.steps.iter().filter_map(keep).collect();
            }
            Part::Runbooks if doc.runbooks.is_empty() => {
                doc.runbooks = reply.runbooks.iter().filter_map(keep).collect();
            }
            Part::Security if doc.security.is_empty() => {
                let pairs = [
                    ("Encryption", &reply.encryption),
                    ("Secrets", &reply.secrets),
                    ("Access", &reply.access),
                    ("Network", &reply.network),
                ];
                doc.security.0 = pairs
                    .into_iter()
                    .filter_map(|(k, v)| Some((k.to_owned(), Text(keep(v)?))))
                    .collect();
            }
            Part::Recovery => {
                fill(&mut doc.disaster_recovery.backup, &reply.backup);
                fill(&mut doc.disaster_recovery.failover, &reply.failover);
            }
            Part::OnCall => {
                fill(&mut doc.on_call.primary, &reply.primary);
                fill(&mut doc.on_call.secondary, &reply.secondary);
                fill(&mut doc.on_call.escalation, &reply.escalation);
            }
            _ => {}
        }
        Ok(())
    }

    pub fn finish(self) -> InfraOverview {
        self.doc
    }
}

/// Placeholders a small model writes for "the notes do not say".
const PLACEHOLDERS: &[&str] = &[
    "n/a",
    "na",
    "none",
    "null",
    "unknown",
    "tbd",
    "nothing",
    "not mentioned",
    "not specified",
    "not stated",
    "not given",
    "not provided",
    "no information",
];

/// `text` trimmed, or `None` when it is empty, a placeholder ("not mentioned", "N/A"), or
/// has a number or a name the notes (`lower`: lowercased) never wrote.
fn grounded(known: &KnownNumbers, lower: &str, text: &str) -> Option<String> {
    let text = text.trim().trim_end_matches('.').trim();
    let l = text.to_lowercase();
    let placeholder = text.chars().all(|c| !c.is_alphanumeric())
        || PLACEHOLDERS
            .iter()
            .any(|p| l == *p || l.starts_with(&format!("{p} ")));
    if placeholder
        || known.invents_a_number(text)
        || invents_a_name(lower, text)
        || !mostly_from(lower, text)
    {
        return None;
    }
    Some(text.to_owned())
}

/// Whether at least half of the words of `text` (three letters or more, by their first six
/// letters so "encrypted" matches "encrypt") are in the notes (`lower`): a value in words the
/// notes never use ("json", "see above") is not from the notes.
fn mostly_from(lower: &str, text: &str) -> bool {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3)
        .map(|w| w.to_lowercase().chars().take(6).collect())
        .collect();
    let found = words.iter().filter(|w| lower.contains(w.as_str())).count();
    !words.is_empty() && found * 2 >= words.len()
}

/// Whether `text` has a name-like word (capitalised past the first word, with a capital
/// inside, or with a digit) that the notes (`lower`) do not contain.
fn invents_a_name(lower: &str, text: &str) -> bool {
    text.split_whitespace().enumerate().any(|(i, raw)| {
        let word = raw.trim_matches(|c: char| !c.is_alphanumeric());
        let mut chars = word.chars();
        let first_upper = chars.next().is_some_and(char::is_uppercase);
        let inner_upper = chars.any(char::is_uppercase);
        let digit = word.chars().any(|c| c.is_ascii_digit());
        let name_like = inner_upper || digit || (first_upper && i > 0);
        name_like && !lower.contains(&word.to_lowercase())
    })
}

/// The system message every part shares: the persona, the rules, the notes.
pub fn system_message(persona: &str, notes: &str) -> String {
    format!(
        "{persona}\n\n# Task: parts of an infrastructure overview\n\
         You write one part of an infrastructure overview at a time from the notes below, as a \
         small JSON object. Use only what the notes say: no made-up names, tools, versions, \
         numbers or hosts. Keep the notes' own wording where you can. Reply with the JSON \
         object only.\n\n# The notes\n{}",
        notes.trim()
    )
}

/// The request for one part.
pub fn request(system: &str, part: Part) -> ChatRequest {
    ChatRequest {
        messages: vec![
            Message::system(system.to_owned()),
            Message::user(part.ask().to_owned()),
        ],
        json_schema: Some(JsonSchemaFormat {
            name: part.name().replace([' ', '-'], "_"),
            schema: part.schema(),
        }),
        temperature: Some(0.0),
        max_tokens: Some(part.max_tokens()),
        stream: true,
        ..ChatRequest::default()
    }
}

/// Any part's reply: the fields a part does not have stay empty.
#[derive(Deserialize, Default)]
#[serde(default)]
struct PartReply {
    steps: Vec<String>,
    runbooks: Vec<String>,
    encryption: String,
    secrets: String,
    access: String,
    network: String,
    backup: String,
    failover: String,
    primary: String,
    secondary: String,
    escalation: String,
}

#[cfg(test)]
mod tests;
