//! A persona's positions: its spec compiled into short, self-contained statements, each naming
//! the section it comes from (every tech-stack choice with its why, alternatives and nevers,
//! each team-size and company-size recommendation with its cost, the Kubernetes hot take, every
//! database-scaling phase and the philosophy, every DR tier and when to use it, every
//! reliability-ladder stage and the advice, the traits that are stances (a number, or `topics`),
//! the frustrations, the mantras, the priorities, the weekly health-check targets, the
//! collaboration exchanges block by block). `recall` ranks them per question. Pure: no I/O.

use std::fmt::Write as _;

use super::spec::{PersonaSpec, Protocol};

/// One statement the persona holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    /// Where it comes from ("Tech stack: Secrets Management").
    pub section: String,
    /// The statement itself, readable on its own.
    pub text: String,
    /// Words that help recall but are not shown: the entry's `topics`, a collaboration's
    /// question.
    pub hints: Vec<String>,
}

impl Position {
    fn new(section: impl Into<String>, text: impl Into<String>, topics: &[String]) -> Self {
        Position {
            section: section.into(),
            text: text.into(),
            hints: topics.to_vec(),
        }
    }

    /// The line the model sees: `[section] text`.
    pub fn line(&self) -> String {
        format!("[{}] {}", self.section, self.text)
    }
}

/// Every position of `spec`, in spec order. A spec without these sections gives none.
pub fn compile(spec: &PersonaSpec) -> Vec<Position> {
    let mut out = Vec::new();
    expertise(spec, &mut out);
    decisions(spec, &mut out);
    character(spec, &mut out);
    for protocol in &spec.collaboration {
        collaboration(protocol, &mut out);
    }
    out
}

/// `text` ending with exactly one full stop (a quoted `why` may bring its own).
fn stop(text: &str) -> String {
    let t = text.trim().trim_end_matches('.');
    format!("{t}.")
}

fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn expertise(spec: &PersonaSpec, out: &mut Vec<Position>) {
    let Some(expertise) = &spec.expertise else {
        return;
    };
    if let Some(iac) = &expertise.infrastructure_as_code {
        let principles: Vec<String> = iac
            .principles
            .iter()
            .map(|p| format!("{} ({})", p.name, p.how))
            .collect();
        out.push(Position::new(
            "Infrastructure as Code",
            format!(
                "{}. Every change is {}.",
                iac.mental_model,
                principles.join(", ")
            ),
            &[],
        ));
    }
    for cat in &expertise.tech_stack {
        let section = format!("Tech stack: {}", cat.category);
        if !cat.tools.is_empty() {
            let mut text = match &cat.preference {
                Some(pref) => format!("Prefer {pref}: {}.", list(&cat.tools)),
                None => format!("Use {}.", list(&cat.tools)),
            };
            if let Some(why) = &cat.why {
                let _ = write!(text, " Why: {}", stop(why));
            }
            for alt in &cat.alternatives {
                match &alt.when {
                    Some(when) => {
                        let _ = write!(text, " Alternative: {} if {when}.", list(&alt.tools));
                    }
                    None => {
                        let _ = write!(text, " Alternative: {}.", list(&alt.tools));
                    }
                }
            }
            if !cat.never.is_empty() {
                let _ = write!(text, " Never: {}.", cat.never.join(", "));
            }
            if let Some(exception) = &cat.exception {
                let _ = write!(text, " {}", stop(exception));
            }
            out.push(Position::new(section.clone(), text, &cat.topics));
        }
        for tier in &cat.by_team_size {
            out.push(Position::new(
                format!("{}: {} ({})", cat.category, tier.team, tier.size),
                format!(
                    "For {} ({}): {}. Why: {}",
                    tier.team.to_lowercase(),
                    tier.size,
                    list(&tier.tools),
                    stop(&tier.why)
                ),
                &[cat.topics.as_slice(), tier.topics.as_slice()].concat(),
            ));
        }
        if !cat.components.is_empty() {
            let parts: Vec<String> = cat
                .components
                .iter()
                .map(|c| format!("{}: {}", c.role, list(&c.tools)))
                .collect();
            out.push(Position::new(
                section,
                format!("{}.", parts.join("; ")),
                &cat.topics,
            ));
        }
    }
    if let Some(ladder) = &expertise.reliability_ladder {
        for stage in &ladder.stages {
            out.push(Position::new(
                format!("Reliability ladder: Stage {}", stage.stage),
                format!(
                    "Stage {} {}: {}. Status: \"{}\".",
                    stage.stage,
                    stage.name,
                    stage.items.join(", "),
                    stage.status
                ),
                &[ladder.topics.as_slice(), stage.topics.as_slice()].concat(),
            ));
        }
        // The advice is about the whole ladder: every stage's name finds it.
        let mut hints = ladder.topics.clone();
        hints.extend(ladder.stages.iter().map(|s| s.name.clone()));
        out.push(Position::new(
            "Reliability ladder: advice",
            ladder.advice.clone(),
            &hints,
        ));
    }
}

fn decisions(spec: &PersonaSpec, out: &mut Vec<Position>) {
    let Some(decisions) = &spec.decisions else {
        return;
    };
    if let Some(cloud) = &decisions.cloud_provider {
        let factors: Vec<String> = cloud
            .factors
            .iter()
            .map(|f| format!("{} ({})", f.factor, f.question))
            .collect();
        out.push(Position::new(
            "Cloud provider: factors",
            format!("Choose a cloud by {}.", factors.join(", ")),
            &[],
        ));
        for rec in &cloud.recommendations {
            let mut text = format!(
                "{} ({}): {}. Why: {} Cost: {}.",
                rec.company,
                rec.people,
                list(&rec.choice),
                stop(&rec.why),
                rec.cost
            );
            if let Some(note) = &rec.note {
                let _ = write!(text, " {}", stop(note));
            }
            out.push(Position::new(
                format!("Cloud provider: {}", rec.company),
                text,
                &rec.topics,
            ));
        }
        out.push(Position::new(
            "Hot take",
            cloud.hot_take.clone(),
            &cloud.topics,
        ));
    }
    if let Some(db) = &decisions.database_scaling {
        for p in &db.phases {
            let mut text = format!("Phase {} {} ({}): {}", p.phase, p.name, p.users, p.setup);
            if let Some(size) = &p.size {
                let _ = write!(text, ", {size}");
            }
            let _ = write!(text, ". Cost: {}.", p.cost);
            for extra in [&p.action, &p.benefit].into_iter().flatten() {
                let _ = write!(text, " {}", stop(extra));
            }
            out.push(Position::new(
                format!("Database scaling: Phase {}", p.phase),
                text,
                &[db.topics.as_slice(), p.topics.as_slice()].concat(),
            ));
        }
        let mut hints = db.topics.clone();
        hints.extend(db.phases.iter().map(|p| p.name.clone()));
        out.push(Position::new(
            "Database scaling: philosophy",
            db.philosophy.clone(),
            &hints,
        ));
    }
    if let Some(dr) = &decisions.disaster_recovery {
        for t in &dr.tiers {
            let settings: Vec<String> = t
                .settings
                .iter()
                .map(|s| format!("{} = {}", s.key, s.value))
                .collect();
            let mut text = format!(
                "Tier {} {}: {} ({}).",
                t.tier,
                t.name,
                t.adds,
                settings.join(", ")
            );
            if let Some(survives) = &t.survives {
                let _ = write!(text, " Survives: {survives}.");
            }
            let _ = write!(text, " Use it: {}", t.when);
            match &t.example {
                Some(example) => {
                    let _ = write!(text, " (e.g. {example}).");
                }
                None => text.push('.'),
            }
            out.push(Position::new(
                format!("Disaster recovery: Tier {}", t.tier),
                text,
                &t.topics,
            ));
        }
    }
}

fn character(spec: &PersonaSpec, out: &mut Vec<Position>) {
    // Traits that are stances (they carry a number or a rule), not mere adjectives.
    let stances = spec.traits.iter().chain(&spec.communication_style);
    for t in stances
        .filter(|t| !t.topics.is_empty() || t.description.chars().any(|c| c.is_ascii_digit()))
    {
        out.push(Position::new(
            format!("Trait: {}", t.name),
            stop(&t.description),
            &t.topics,
        ));
    }
    for f in &spec.frustrates {
        out.push(Position::new(
            "What frustrates you",
            stop(&f.text),
            &f.topics,
        ));
    }
    for m in &spec.mantras {
        out.push(Position::new("Mantra", m.clone(), &[]));
    }
    if let Some(doubt) = &spec.when_in_doubt {
        out.push(Position::new("When in doubt", doubt.clone(), &[]));
    }
    if !spec.priorities.is_empty() {
        let ranked: Vec<String> = spec
            .priorities
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{}. {} ({})", i + 1, p.name, p.why))
            .collect();
        out.push(Position::new(
            "Priorities",
            format!("Most important first: {}.", ranked.join(", ")),
            &[],
        ));
    }
    if let Some(eval) = &spec.self_evaluation {
        for check in &eval.checks {
            let targets: Vec<String> = check
                .targets
                .iter()
                .map(|t| format!("{}: {}", t.metric, t.target))
                .collect();
            out.push(Position::new(
                format!("{}: {}", eval.title, check.name),
                format!("{}.", targets.join("; ")),
                &[],
            ));
        }
    }
}

/// A collaboration exchange, one position per block of each of the persona's replies (a
/// numbered step with its sub-points, a list under a heading). The question asked goes into the
/// hints so a similar question finds the answer.
fn collaboration(protocol: &Protocol, out: &mut Vec<Position>) {
    let section = format!("With {}: {}", protocol.with, protocol.topic);
    let mut question = String::new();
    for turn in &protocol.exchange {
        if turn.speaker != "You" {
            question.clone_from(&turn.text);
            continue;
        }
        let mut hints = protocol.topics.clone();
        hints.push(question.clone());
        let mut heading = String::new();
        for block in blocks(&turn.text) {
            if block.len() == 1 && is_heading(&block[0]) {
                block[0].trim_end_matches(':').clone_into(&mut heading);
                continue;
            }
            let body = join_lines(&block);
            if starts_with_heading(&body) {
                heading.clear();
            }
            // Lead-ins ("Here's my proposal:") and sign-offs ("Deal?") say nothing alone.
            if body.chars().count() < 30 || body.ends_with(':') {
                continue;
            }
            let text = if heading.is_empty() {
                body
            } else {
                format!("{heading}: {body}")
            };
            out.push(Position::new(section.clone(), text, &hints));
        }
    }
}

/// The blank-line-separated blocks of a reply, each as its lines with tree and bullet glyphs
/// removed. A block that opens with an all-caps heading line keeps it as its first line.
fn blocks(text: &str) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut current: Vec<String> = Vec::new();
    for raw in text.lines() {
        let line = raw
            .trim()
            .trim_start_matches(['├', '└', '─', '│', '-', ' '])
            .trim();
        if line.is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        // A heading glued to its list ("SAFETY MECHANISMS:" then "- …") starts a new block.
        if is_heading(line) && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        current.push(line.to_owned());
    }
    if !current.is_empty() {
        out.push(current);
    }
    // A heading directly followed by its items belongs with them.
    let mut merged: Vec<Vec<String>> = Vec::new();
    for block in out {
        let glue = block.len() > 1 && is_heading(&block[0]);
        if glue {
            let mut b = block;
            b[0] = b[0].trim_end_matches(':').to_owned() + ":";
            let head = b.remove(0);
            let joined = format!("{head} {}", join_lines(&b));
            merged.push(vec![joined]);
        } else {
            merged.push(block);
        }
    }
    merged
}

/// A block's lines as one: `; ` between list items, a space after a finished sentence.
fn join_lines(lines: &[String]) -> String {
    let mut out = String::new();
    for line in lines {
        if !out.is_empty() {
            out.push_str(if out.ends_with(['.', '!', '?']) {
                " "
            } else {
                "; "
            });
        }
        out.push_str(line);
    }
    out
}

/// `SAFETY MECHANISMS: …`, `TOTAL POTENTIAL SAVINGS: $1900`: a block under its own heading.
fn starts_with_heading(line: &str) -> bool {
    line.split_once(':').is_some_and(|(head, _)| {
        head.chars().any(char::is_alphabetic) && !head.chars().any(char::is_lowercase)
    })
}

/// `DEPLOYMENT PIPELINE:`, `CURRENT PROBLEMS:`: a line of capitals ending with a colon.
fn is_heading(line: &str) -> bool {
    line.ends_with(':')
        && line.chars().any(char::is_alphabetic)
        && !line.chars().any(char::is_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_blocks_keep_steps_with_their_points_and_headings_with_lists() {
        let text =
            "Intro line here.\n\nPLAN:\n\n1. Step one\n   └─ detail (5 min)\n\nSAFETY:\n- a\n- b\n";
        let b = blocks(text);
        assert_eq!(b[0], ["Intro line here."]);
        assert_eq!(b[1], ["PLAN:"]);
        assert_eq!(b[2], ["1. Step one", "detail (5 min)"]);
        assert_eq!(b[3], ["SAFETY: a; b"]);
    }

    #[test]
    fn lists_read_as_alternatives() {
        assert_eq!(list(&["a".into()]), "a");
        assert_eq!(list(&["a".into(), "b".into(), "c".into()]), "a, b or c");
    }
}
