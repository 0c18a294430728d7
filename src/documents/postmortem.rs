//! The incident postmortem: its typed model (the input file format and the drafting schema) and
//! its markdown in the spec's layout. Pure: no I/O. Anything missing renders as `___`.

use std::fmt::Write as _;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::markdown::{bullets, numbered, or_blank};

/// An incident postmortem. Every key is optional: what is not known stays empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Postmortem {
    /// Short name of the incident ("Database Connection Pool Exhausted").
    pub title: Option<String>,
    /// Day of the incident, e.g. 2024-10-08.
    pub date: Option<String>,
    /// How long it lasted, e.g. "45 minutes (14:30-15:15 UTC)".
    pub duration: Option<String>,
    /// Severity and why, e.g. "High (50% of requests failing)".
    pub severity: Option<String>,
    /// Who or what was affected, e.g. "~1000 users affected".
    pub impact: Option<String>,
    /// One paragraph: what happened and why.
    pub summary: Option<String>,
    /// What happened when, in order.
    pub timeline: Vec<TimelineEntry>,
    /// The chain of causes, in order.
    pub root_cause: Vec<String>,
    /// What was done about it.
    pub resolution: Resolution,
    /// What went well and what went wrong.
    pub lessons: Lessons,
    /// Follow-up work.
    pub action_items: Vec<ActionItem>,
    /// Why it will not happen again.
    pub prevention: Vec<String>,
    /// Author of the postmortem.
    pub prepared_by: Option<String>,
    /// Reviewers, e.g. "DHH (Backend)".
    pub reviewed_by: Vec<String>,
    /// Open, In review, Closed, ...
    pub status: Option<String>,
}

/// One line of the timeline.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TimelineEntry {
    /// Time of day, HH:MM.
    pub time: Option<String>,
    /// What happened.
    pub event: Option<String>,
}

/// Mitigation now, prevention later.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Resolution {
    /// Mitigation steps taken during the incident.
    pub immediate: Vec<String>,
    /// Prevention work done or planned.
    pub long_term: Vec<String>,
}

/// Lessons learned.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Lessons {
    pub went_well: Vec<String>,
    pub went_wrong: Vec<String>,
}

/// A follow-up task.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ActionItem {
    pub task: Option<String>,
    pub owner: Option<String>,
    /// Due date, e.g. "Oct 10" or 2024-10-10.
    pub due: Option<String>,
    pub done: bool,
}

impl Postmortem {
    /// The document in the spec's layout.
    pub fn to_markdown(&self) -> String {
        let mut md = String::new();
        let _ = writeln!(
            md,
            "# Incident Postmortem: {}\n",
            or_blank(self.title.as_deref())
        );
        for (name, value) in [
            ("Date", &self.date),
            ("Duration", &self.duration),
            ("Severity", &self.severity),
            ("Impact", &self.impact),
        ] {
            let _ = writeln!(md, "**{name}**: {}", or_blank(value.as_deref()));
        }
        let _ = writeln!(
            md,
            "\n## Summary\n\n{}\n",
            or_blank(self.summary.as_deref().map(str::trim_end))
        );
        md.push_str("## Timeline\n\n");
        if self.timeline.is_empty() {
            md.push_str("- ___\n");
        }
        for entry in &self.timeline {
            let _ = writeln!(
                md,
                "- {} - {}",
                or_blank(entry.time.as_deref()),
                or_blank(entry.event.as_deref())
            );
        }
        md.push_str("\n## Root Cause\n\n");
        md.push_str(&numbered(&self.root_cause));
        md.push_str("\n## Resolution\n\n**Immediate** (Mitigation):\n");
        md.push_str(&bullets(&self.resolution.immediate));
        md.push_str("\n**Long-term** (Prevention):\n");
        md.push_str(&bullets(&self.resolution.long_term));
        md.push_str("\n## Lessons Learned\n\n### What Went Well ✅\n");
        md.push_str(&bullets(&self.lessons.went_well));
        md.push_str("\n### What Went Wrong ❌\n");
        md.push_str(&bullets(&self.lessons.went_wrong));
        md.push_str("\n### Action Items\n\n");
        if self.action_items.is_empty() {
            md.push_str("- [ ] ___\n");
        }
        for item in &self.action_items {
            let _ = writeln!(
                md,
                "- [{}] {} ({}, {})",
                if item.done { 'x' } else { ' ' },
                or_blank(item.task.as_deref()),
                or_blank(item.owner.as_deref()),
                or_blank(item.due.as_deref())
            );
        }
        md.push_str("\n## Prevention\n\nThis incident will not happen again because:\n");
        md.push_str(&numbered(&self.prevention));
        let reviewed = (!self.reviewed_by.is_empty()).then(|| self.reviewed_by.join(", "));
        let _ = write!(
            md,
            "\n---\n\n**Prepared by**: {}\n**Reviewed by**: {}\n**Status**: {}\n",
            or_blank(self.prepared_by.as_deref()),
            or_blank(reviewed.as_deref()),
            or_blank(self.status.as_deref())
        );
        md
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_postmortem_is_all_blanks_and_invents_nothing() {
        let md = Postmortem::default().to_markdown();
        assert!(md.starts_with("# Incident Postmortem: ___\n\n**Date**: ___\n"));
        assert!(md.contains("## Timeline\n\n- ___\n"));
        assert!(md.contains("- [ ] ___\n"));
        assert!(md.ends_with("**Status**: ___\n"));
    }

    #[test]
    fn done_items_are_checked() {
        let pm = Postmortem {
            action_items: vec![ActionItem {
                task: Some("Add alert".into()),
                owner: Some("Kent".into()),
                due: Some("Oct 20".into()),
                done: true,
            }],
            ..Postmortem::default()
        };
        assert!(
            pm.to_markdown()
                .contains("- [x] Add alert (Kent, Oct 20)\n")
        );
    }
}
