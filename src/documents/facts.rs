//! What incident notes say plainly, read without a model: every clause with a time of day
//! (`14:02`, `9:05 pm`, `2026-11-20T14:02Z`) becomes a timeline event with that time; lines
//! that name an owner and a due date — `Task (Owner, Nov 27)` or `Task - owner: Sam, due:
//! 2026-12-04` — become action items; the date, the duration and the impact sentences (those
//! carrying percentages, counts, money or durations) are kept word for word. The offline
//! drafting puts these into the document as they are, so a small model can neither drop nor
//! change them. Pure: text in, facts out.

use std::sync::LazyLock;

use regex::Regex;

use super::figures;
use super::postmortem::{ActionItem, TimelineEntry};

/// The facts found in the notes; anything not found stays empty.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NoteFacts {
    /// The first calendar date written as YYYY-MM-DD.
    pub date: Option<String>,
    /// How long it lasted: a `Duration:` line, an explicit span, else first to last event.
    pub duration: Option<String>,
    /// An `Impact:` line, else the sentences with impact figures, in the notes' words.
    pub impact: Option<String>,
    /// `Cause:` / `Root cause:` lines, word for word.
    pub causes: Vec<String>,
    pub timeline: Vec<TimelineEntry>,
    pub action_items: Vec<ActionItem>,
}

// The patterns are literals: building them cannot fail.
#[allow(clippy::unwrap_used)]
static TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:\b\d{4}-\d{2}-\d{2}[T ])?\b([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?(?:\.\d+)?(?:\s?([ap])\.?m\b\.?)?(?:\s?(?-i:(Z\b|UTC\b|GMT\b|[A-Z]{2}T\b)))?",
    )
    .unwrap()
});
#[allow(clippy::unwrap_used)]
static SPAN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b\d{1,2}:\d{2}(?:\s?[ap]m)?\s?(?:-|–|—|to|until)\s?\d{1,2}:\d{2}").unwrap()
});
#[allow(clippy::unwrap_used)]
static DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{4})-(0[1-9]|1[0-2])-([0-2]\d|3[01])\b").unwrap());
#[allow(clippy::unwrap_used)]
static PAREN_PAIR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<task>.+?)\s*\((?P<owner>[^,()]{1,40}),\s*(?:due:?\s*|by\s+)?(?P<due>[^()]{1,30})\)\s*(?P<rest>.*)$")
        .unwrap()
});
#[allow(clippy::unwrap_used)]
static OWNER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:owner|assignee|assigned to)\s*[:=]\s*(?P<v>[^,;()\[\]]+)").unwrap()
});
#[allow(clippy::unwrap_used)]
static DUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:due(?:\s+date)?|deadline)\s*[:=]\s*(?P<v>[^,;()\[\]]+)").unwrap()
});
#[allow(clippy::unwrap_used)]
static DUE_LIKE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^(?:
            \d{4}-\d{2}-\d{2}
          | \d{1,2}/\d{1,2}(?:/\d{2,4})?
          | (?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?
          | \d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*(?:\s+\d{4})?
          | (?:mon|tue|wed|thu|fri|sat|sun)[a-z]*
          | (?:next|this|end\s+of(?:\s+the)?)\s+(?:week|month|sprint|quarter)
          | eo[dwmq] | tomorrow | today | asap
          | q[1-4](?:\s+\d{4})?
        )$",
    )
    .unwrap()
});
#[allow(clippy::unwrap_used)]
static DONE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(?:\[x\]|\(done\)|\[done\]|✅|\s[-–—]\s*done\s*$)").unwrap());
#[allow(clippy::unwrap_used)]
static LASTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:for|lasted|lasting|outage of|down for)\s+(?:about\s+|~)?(\d+(?:\.\d+)?\s?(?:minutes?|mins?|hours?|hrs?)\b)")
        .unwrap()
});
#[allow(clippy::unwrap_used)]
static BULLET: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(?:[-*•+]|\d{1,2}[.)])?\s*(?:\[[ xX]\]\s*)?").unwrap());

/// Reads the plainly structured facts out of incident notes.
pub fn postmortem_facts(notes: &str) -> NoteFacts {
    let mut facts = NoteFacts::default();
    let mut explicit_duration = None;
    let mut impact_line = None;
    let mut impact_sentences = Vec::new();
    for line in notes.lines() {
        let body = BULLET.replace(line, "").trim().to_owned();
        if body.is_empty() {
            continue;
        }
        if let Some(item) = action_item(&body, line) {
            facts.action_items.push(item);
            continue;
        }
        if facts.date.is_none()
            && let Some(m) = DATE.find(&body)
        {
            facts.date = Some(m.as_str().to_owned());
        }
        if let Some(value) = labelled(&body, &["cause", "root cause", "root causes", "why"]) {
            facts.causes.push(value);
        }
        if let Some(value) = labelled(&body, &["duration"]) {
            explicit_duration.get_or_insert(value);
            continue;
        }
        if let Some(value) = labelled(&body, &["impact", "customer impact", "user impact"]) {
            if let Some(lasted) = LASTED.captures(&value) {
                explicit_duration.get_or_insert_with(|| lasted[1].to_owned());
            }
            impact_line.get_or_insert(value);
            continue;
        }
        for clause in clauses(&body) {
            if let Some(span) = SPAN.find(clause) {
                explicit_duration.get_or_insert_with(|| span.as_str().to_owned());
            }
            match event(clause) {
                Some(entry) if !SPAN.is_match(clause) => facts.timeline.push(entry),
                _ => {
                    if let Some(lasted) = LASTED.captures(clause) {
                        explicit_duration.get_or_insert_with(|| lasted[1].to_owned());
                    }
                    if figures::has_impact_figure(clause) {
                        impact_sentences.push(clause.to_owned());
                    }
                }
            }
        }
    }
    sort_if_one_day(&mut facts.timeline);
    facts.impact =
        impact_line.or_else(|| (!impact_sentences.is_empty()).then(|| impact_sentences.join(" ")));
    facts.duration = explicit_duration.or_else(|| span_of(&facts.timeline));
    facts
}

/// The value of a `Label: value` line whose label is one of `labels` (case-insensitive).
fn labelled(body: &str, labels: &[&str]) -> Option<String> {
    let (label, value) = body.split_once(':')?;
    let label = label.trim().trim_matches('*').trim().to_ascii_lowercase();
    let value = value.trim().trim_start_matches('*').trim();
    (labels.contains(&label.as_str()) && !value.is_empty()).then(|| value.to_owned())
}

/// The sentences of a line: split after `.`, `;`, `!` or `?` followed by a space.
fn clauses(body: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = body.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let ends = matches!(b, b'.' | b';' | b'!' | b'?') && bytes.get(i + 1) == Some(&b' ');
        // "e.g. " and "approx. " are not the end of a sentence worth splitting on; a digit
        // before the dot ("v1.2. ") is.
        if ends && i > start {
            out.push(body[start..=i].trim());
            start = i + 1;
        }
    }
    out.push(body[start..].trim());
    out.retain(|c| !c.is_empty());
    out
}

/// A timeline event from a clause with a time of day: the time (HH:MM, with seconds and zone
/// when written) and the clause's words. A clause that opens with the time loses it (and the
/// separator after it); one that mentions it later is kept whole.
fn event(clause: &str) -> Option<TimelineEntry> {
    let caps = TIME.captures(clause)?;
    let whole = caps.get(0)?;
    let mut hour: u32 = caps[1].parse().ok()?;
    match caps.get(4).map(|m| m.as_str().to_ascii_lowercase()) {
        Some(p) if p == "p" && hour < 12 => hour += 12,
        Some(p) if p == "a" && hour == 12 => hour = 0,
        _ => {}
    }
    let mut time = format!("{hour:02}:{}", &caps[2]);
    if let Some(sec) = caps.get(3) {
        time.push(':');
        time.push_str(sec.as_str());
    }
    if let Some(zone) = caps.get(5) {
        let zone = zone.as_str().to_ascii_uppercase();
        time.push(' ');
        time.push_str(if zone == "Z" { "UTC" } else { &zone });
    }
    let before = clause[..whole.start()]
        .trim()
        .trim_start_matches(['[', '('])
        .trim();
    let lead = before.is_empty()
        || before.eq_ignore_ascii_case("at")
        || before.eq_ignore_ascii_case("~")
        || before.eq_ignore_ascii_case("around");
    let text = if lead {
        clause[whole.end()..]
            .trim_start_matches([']', ')'])
            .trim_start()
            .trim_start_matches(['-', '–', '—', ':', '|', ',', '>'])
            .trim()
    } else {
        clause.trim()
    };
    if text.is_empty() {
        return None;
    }
    Some(TimelineEntry {
        time: Some(time),
        event: Some(text.to_owned()),
    })
}

/// An action item from a line (`body`: without its bullet) that names both an owner and a due
/// date; `[x]`, `(done)` or `✅` on the line mark it done.
fn action_item(body: &str, line: &str) -> Option<ActionItem> {
    let done = DONE.is_match(line);
    let strip_done = |s: &str| DONE.replace_all(s, "").trim().to_owned();
    if let (Some(owner), Some(due)) = (OWNER.captures(body), DUE.captures(body)) {
        let first = owner.get(0)?.start().min(due.get(0)?.start());
        let task = body[..first]
            .trim()
            .trim_end_matches(['-', '–', '—', ',', ';', '(', '[', ':', '|'])
            .trim();
        if task.is_empty() {
            return None;
        }
        return Some(ActionItem {
            task: Some(strip_done(task)),
            owner: Some(owner["v"].trim().to_owned()),
            due: Some(strip_done(due["v"].trim())),
            done,
        });
    }
    let caps = PAREN_PAIR.captures(body)?;
    let owner = caps["owner"].trim();
    let due = caps["due"].trim();
    let rest = caps["rest"].trim();
    let names_someone =
        owner.split_whitespace().count() <= 4 && !owner.chars().any(char::is_numeric);
    let trailing_ok = rest.is_empty() || DONE.is_match(rest) && strip_done(rest).is_empty();
    if !(names_someone && DUE_LIKE.is_match(due) && trailing_ok) {
        return None;
    }
    Some(ActionItem {
        task: Some(strip_done(caps["task"].trim())),
        owner: Some(owner.to_owned()),
        due: Some(due.to_owned()),
        done,
    })
}

/// Minutes since midnight of a normalised `HH:MM…` time.
fn minutes(time: &str) -> Option<u32> {
    let h: u32 = time.get(0..2)?.parse().ok()?;
    let m: u32 = time.get(3..5)?.parse().ok()?;
    Some(h * 60 + m)
}

/// Sorts the events by time unless the lines that open with a time go past midnight (a later
/// line with an earlier time), where the notes' order is the true one.
fn sort_if_one_day(timeline: &mut [TimelineEntry]) {
    let times: Vec<Option<u32>> = timeline
        .iter()
        .map(|e| e.time.as_deref().and_then(minutes))
        .collect();
    let wraps = times.windows(2).any(|w| match (w[0], w[1]) {
        (Some(a), Some(b)) => a > b + 12 * 60,
        _ => false,
    });
    if !wraps {
        timeline.sort_by_key(|e| e.time.as_deref().and_then(minutes));
    }
}

/// "29 minutes (14:02-14:31)" from the first and last event, when they differ.
fn span_of(timeline: &[TimelineEntry]) -> Option<String> {
    let first = timeline.first()?.time.as_deref()?;
    let last = timeline.last()?.time.as_deref()?;
    let (a, b) = (minutes(first)?, minutes(last)?);
    let length = if b >= a { b - a } else { b + 24 * 60 - a };
    if length == 0 {
        return None;
    }
    let words = match (length / 60, length % 60) {
        (0, m) => format!("{m} minutes"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    };
    Some(format!("{words} ({}-{})", &first[..5], &last[..5]))
}

#[cfg(test)]
mod tests;
