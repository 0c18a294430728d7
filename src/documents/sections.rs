//! The offline postmortem, drafted section by section: what the notes state plainly comes from
//! `facts` unchanged (timeline, action items, date, duration, impact, `Cause:` lines), and the
//! small model writes only the prose — headline (title, severity, summary), root causes,
//! resolution, lessons and prevention, and tasks when the notes name none — each as one small
//! JSON object with its own short schema (the local engine makes each a grammar). The notes go
//! into the system message, so the engine evaluates them once and every later section starts
//! from its prompt cache. A model sentence with a number the notes never gave is dropped.
//! Pure: the requests and the assembly; sending is the app's job.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::facts::{NoteFacts, postmortem_facts};
use super::figures::{KnownNumbers, drop_invented_sentences};
use super::postmortem::{ActionItem, Postmortem};
use crate::llm::{ChatRequest, JsonSchemaFormat, Message};

/// One part of the document the model writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Headline,
    Causes,
    Resolution,
    Lessons,
    Tasks,
}

impl Section {
    pub fn name(self) -> &'static str {
        match self {
            Section::Headline => "headline",
            Section::Causes => "root cause",
            Section::Resolution => "resolution",
            Section::Lessons => "lessons",
            Section::Tasks => "action items",
        }
    }

    fn ask(self) -> &'static str {
        match self {
            Section::Headline => {
                "Write the postmortem's headline as JSON: `title` (a few words naming what \
                 broke), `severity` (Critical, High, Medium or Low, then the reason from the \
                 notes in a few words) and `summary` (two or three sentences: what happened, \
                 why, and how it was fixed)."
            }
            Section::Causes => {
                "List the root cause as JSON `root_cause`: the chain of causes from the notes, \
                 first cause first, one short sentence (at most 20 words) each."
            }
            Section::Resolution => {
                "List the resolution as JSON: `immediate` (what was done during the incident to \
                 stop it) and `long_term` (fixes done or planned so it stays fixed). Items of at \
                 most 20 words; [] when the notes say nothing."
            }
            Section::Lessons => {
                "List the lessons as JSON: `went_well`, `went_wrong`, and `prevention` (why it \
                 will not happen again). Items of at most 20 words, from the notes; [] when they \
                 say nothing."
            }
            Section::Tasks => {
                "List the follow-up tasks the notes call for as JSON `tasks`: short imperative \
                 items, no owners or dates."
            }
        }
    }

    fn schema(self) -> Value {
        let text =
            |min: u64, max: u64| json!({"type": "string", "minLength": min, "maxLength": max});
        let list = |min: u64, max: u64| json!({"type": "array", "items": text(3, 200), "minItems": min, "maxItems": max});
        let object = |props: Value, required: &[&str]| {
            json!({"type": "object", "properties": props, "required": required,
                   "additionalProperties": false})
        };
        match self {
            Section::Headline => object(
                json!({"title": text(3, 80), "severity": text(3, 80), "summary": text(20, 500)}),
                &["title", "severity", "summary"],
            ),
            Section::Causes => object(json!({"root_cause": list(1, 4)}), &["root_cause"]),
            Section::Resolution => object(
                json!({"immediate": list(0, 4), "long_term": list(0, 4)}),
                &["immediate", "long_term"],
            ),
            Section::Lessons => object(
                json!({"went_well": list(0, 3), "went_wrong": list(0, 3), "prevention": list(0, 3)}),
                &["went_well", "went_wrong", "prevention"],
            ),
            Section::Tasks => object(json!({"tasks": list(1, 4)}), &["tasks"]),
        }
    }

    /// Tokens a reply of this section may take (its grammar bounds it well below this).
    pub fn max_tokens(self) -> u32 {
        match self {
            Section::Headline => 220,
            Section::Causes | Section::Tasks => 180,
            Section::Resolution | Section::Lessons => 260,
        }
    }
}

/// The offline draft in progress: the facts, then the model's sections as they come.
#[derive(Debug, Clone)]
pub struct SectionedDraft {
    pub doc: Postmortem,
    facts: NoteFacts,
    known: KnownNumbers,
    first_line: Option<String>,
}

impl SectionedDraft {
    /// Starts from what the notes state plainly.
    pub fn new(notes: &str) -> Self {
        let facts = postmortem_facts(notes);
        let doc = Postmortem {
            date: facts.date.clone(),
            duration: facts.duration.clone(),
            impact: facts.impact.clone(),
            timeline: facts.timeline.clone(),
            root_cause: facts.causes.clone(),
            action_items: facts.action_items.clone(),
            ..Postmortem::default()
        };
        let first_line = notes
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .map(str::to_owned);
        SectionedDraft {
            doc,
            facts,
            known: KnownNumbers::of(notes),
            first_line,
        }
    }

    /// The sections the model still has to write: root causes only when the notes have no
    /// `Cause:` line, tasks only when they name no action item.
    pub fn sections(&self) -> Vec<Section> {
        let mut all = vec![Section::Headline];
        if self.facts.causes.is_empty() {
            all.push(Section::Causes);
        }
        all.extend([Section::Resolution, Section::Lessons]);
        if self.facts.action_items.is_empty() {
            all.push(Section::Tasks);
        }
        all
    }

    /// Puts one section's reply into the document; `Err` says why it was left out.
    pub fn apply(&mut self, section: Section, reply: &str) -> Result<(), String> {
        let json = super::draft::extract_json(reply);
        let known = &self.known;
        let prose = |s: String| Some(drop_invented_sentences(&s, known)).filter(|s| !s.is_empty());
        let items = |v: Vec<String>| -> Vec<String> {
            v.into_iter()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty() && !known.invents_a_number(s))
                .collect()
        };
        match section {
            Section::Headline => {
                let h: Headline = parse(json)?;
                self.doc.title = prose(h.title);
                self.doc.severity = prose(h.severity);
                self.doc.summary = prose(h.summary);
            }
            Section::Causes => self.doc.root_cause = items(parse::<Causes>(json)?.root_cause),
            Section::Resolution => {
                let r: Fixes = parse(json)?;
                self.doc.resolution.immediate = items(r.immediate);
                self.doc.resolution.long_term = items(r.long_term);
            }
            Section::Lessons => {
                let l: Lessons = parse(json)?;
                self.doc.lessons.went_well = items(l.went_well);
                self.doc.lessons.went_wrong = items(l.went_wrong);
                self.doc.prevention = items(l.prevention);
            }
            Section::Tasks => {
                self.doc.action_items = items(parse::<Tasks>(json)?.tasks)
                    .into_iter()
                    .map(|task| ActionItem {
                        task: Some(task),
                        ..ActionItem::default()
                    })
                    .collect();
            }
        }
        Ok(())
    }

    /// The finished document. A summary the model did not give comes from the notes' own
    /// first line and impact.
    pub fn finish(mut self) -> Postmortem {
        if self.doc.summary.is_none() {
            let parts: Vec<&str> = [self.first_line.as_deref(), self.facts.impact.as_deref()]
                .into_iter()
                .flatten()
                .collect();
            self.doc.summary = Some(parts.join(" ")).filter(|s| !s.trim().is_empty());
        }
        self.doc
    }
}

/// The system message every section shares: the persona, the rules, the notes.
pub fn system_message(persona: &str, notes: &str) -> String {
    format!(
        "{persona}\n\n# Task: parts of an incident postmortem\n\
         You write one part of a postmortem at a time from the notes below, as a small JSON \
         object. Use only what the notes say: no made-up names, times, numbers or dates. Keep \
         the notes' own wording where you can. Reply with the JSON object only.\n\n\
         # The notes\n{}",
        notes.trim()
    )
}

/// The request for one section.
pub fn request(system: &str, section: Section) -> ChatRequest {
    ChatRequest {
        messages: vec![
            Message::system(system.to_owned()),
            Message::user(section.ask().to_owned()),
        ],
        json_schema: Some(JsonSchemaFormat {
            name: section.name().replace(' ', "_"),
            schema: section.schema(),
        }),
        temperature: Some(0.0),
        max_tokens: Some(section.max_tokens()),
        stream: true,
        ..ChatRequest::default()
    }
}

fn parse<T: DeserializeOwned>(json: &str) -> Result<T, String> {
    serde_json::from_str(json).map_err(|e| e.to_string())
}

#[derive(Deserialize)]
struct Headline {
    #[serde(default)]
    title: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    summary: String,
}

#[derive(Deserialize)]
struct Causes {
    #[serde(default)]
    root_cause: Vec<String>,
}

#[derive(Deserialize)]
struct Fixes {
    #[serde(default)]
    immediate: Vec<String>,
    #[serde(default)]
    long_term: Vec<String>,
}

#[derive(Deserialize)]
struct Lessons {
    #[serde(default)]
    went_well: Vec<String>,
    #[serde(default)]
    went_wrong: Vec<String>,
    #[serde(default)]
    prevention: Vec<String>,
}

#[derive(Deserialize)]
struct Tasks {
    #[serde(default)]
    tasks: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOTES: &str = "Checkout outage 2026-11-20\n14:02 alert: 38% of requests failing\n\
                         14:31 resolved after raising the pool to 200\n";

    #[test]
    fn the_facts_come_first_and_the_model_writes_only_prose() {
        let mut draft = SectionedDraft::new(NOTES);
        assert_eq!(
            draft.sections(),
            [
                Section::Headline,
                Section::Causes,
                Section::Resolution,
                Section::Lessons,
                Section::Tasks
            ]
        );
        draft
            .apply(
                Section::Headline,
                r#"{"title": "Checkout outage", "severity": "High", "summary": "38% of requests failed. About 9000 users left."}"#,
            )
            .unwrap();
        draft
            .apply(
                Section::Causes,
                r#"{"root_cause": ["pool of 200 too small", "pool of 50 too small"]}"#,
            )
            .unwrap();
        assert!(draft.apply(Section::Lessons, "not json").is_err());
        let pm = draft.finish();
        assert_eq!(pm.summary.as_deref(), Some("38% of requests failed."));
        assert_eq!(pm.root_cause, ["pool of 200 too small"]);
        assert_eq!(pm.timeline.len(), 2);
        assert_eq!(pm.date.as_deref(), Some("2026-11-20"));
    }

    #[test]
    fn a_missing_summary_comes_from_the_notes() {
        let pm = SectionedDraft::new(NOTES).finish();
        assert_eq!(pm.summary.as_deref(), Some("Checkout outage 2026-11-20"));
    }

    #[test]
    fn every_section_request_is_small_and_shares_the_system_message() {
        let system = system_message("You are Mitchell.", NOTES);
        for section in SectionedDraft::new(NOTES).sections() {
            let req = request(&system, section);
            assert_eq!(req.messages[0].content, system);
            let schema = &req.json_schema.as_ref().unwrap().schema;
            assert_eq!(schema["additionalProperties"], false);
        }
    }
}
