//! `mitchell persona …`: list, show, render, recall and check personas. Finding, parsing and rendering
//! live in `crate::persona`; this file picks the persona and writes the result.

use std::path::Path;

use crate::cli::{GlobalArgs, PersonaCommand};
use crate::config::Env;
use crate::error::{self, ExitStatus};
use crate::output::Output;
use crate::persona::{self, Detail, load};

pub fn run(
    g: &GlobalArgs,
    c: PersonaCommand,
    e: &Env,
    o: &mut Output,
) -> anyhow::Result<ExitStatus> {
    let settings = super::settings(g, e, super::global_flags(g))?;
    match c {
        PersonaCommand::List => {
            let all = load::list(&settings.paths.personas_dir()).map_err(error::usage)?;
            let width = all.iter().map(|p| p.name.len()).max().unwrap_or(0);
            for (i, p) in all.iter().enumerate() {
                let shadowed = all[i + 1..].iter().any(|later| later.name == p.name);
                let summary = match p.parse() {
                    Ok(spec) => spec.summary,
                    Err(err) => format!("invalid: {err}"),
                };
                let note = if shadowed {
                    " (replaced by a user persona)"
                } else {
                    ""
                };
                o.println(&format!("{:width$}  {}{note}  {summary}", p.name, p.origin))?;
            }
        }
        PersonaCommand::Show { name } => {
            let value = name.unwrap_or_else(|| settings.persona.value.clone());
            let source =
                load::find(&value, &settings.paths.personas_dir()).map_err(error::usage)?;
            o.print(&source.text)?;
        }
        PersonaCommand::Render { name, detail } => {
            let value = name.unwrap_or_else(|| settings.persona.value.clone());
            let (_, spec) = persona::load_persona(&value, &settings.paths)?;
            let text = render_today(&spec, detail, &settings)?;
            o.print(&text)?;
        }
        PersonaCommand::Recall {
            question,
            budget,
            json,
        } => recall(&settings, &question.join(" "), budget, json, o)?,
        PersonaCommand::Check { file } => {
            check(&file, &settings)?;
            o.notice(&format!("{}: ok", file.display()));
        }
    }
    Ok(ExitStatus::Success)
}

/// The system prompt `spec` renders at `detail` today, with the configured variables and paths.
fn render_today(
    spec: &persona::PersonaSpec,
    detail: Detail,
    settings: &crate::config::Settings,
) -> anyhow::Result<String> {
    persona::render_system_prompt(
        spec,
        detail,
        persona::render::today(),
        &settings.vars,
        &settings.paths,
    )
}

/// Parses a persona file and renders it at both details.
fn check(file: &Path, settings: &crate::config::Settings) -> anyhow::Result<()> {
    let source = load::read_file(file).map_err(error::usage)?;
    let spec = source.parse().map_err(error::usage)?;
    for detail in [Detail::Full, Detail::Compact] {
        render_today(&spec, detail, settings)?;
    }
    Ok(())
}

/// `persona recall`: the picks for a question, as a table (score, tokens, section, matched
/// terms, then the position) or one JSON object.
fn recall(
    settings: &crate::config::Settings,
    question: &str,
    budget: Option<u32>,
    json: bool,
    o: &mut Output,
) -> anyhow::Result<()> {
    let mut settings = settings.clone();
    if let Some(b) = budget {
        settings.playbook_budget =
            crate::config::Sourced::new(b, crate::config::Source::Flag("--budget"));
    }
    let all = persona::playbook::positions_of(&settings)?;
    let picks = persona::playbook::picks(&all, &settings, question);
    if json {
        let picked: Vec<RecallJson<'_>> = picks
            .iter()
            .map(|p| RecallJson {
                section: &p.position.section,
                text: &p.position.text,
                score: (p.score * 1000.0).round() / 1000.0,
                tokens: p.tokens,
                matched: &p.matched,
            })
            .collect();
        let object = serde_json::json!({
            "question": question,
            "budget": settings.playbook_budget.value,
            "positions": all.len(),
            "picked": picked,
        });
        o.println(&serde_json::to_string_pretty(&object)?)?;
        return Ok(());
    }
    if picks.is_empty() {
        o.notice(&format!(
            "no position bears on this question (searched {})",
            all.len()
        ));
        return Ok(());
    }
    for p in &picks {
        o.println(&format!(
            "{:>6.2}  {:>3} tok  {}  (matched: {})",
            p.score,
            p.tokens,
            p.position.section,
            p.matched.join(", ")
        ))?;
        o.println(&format!("        {}", p.position.text))?;
    }
    let used: usize = picks.iter().map(|p| p.tokens).sum();
    o.notice(&format!(
        "{} of {} positions, {used} of {} tokens",
        picks.len(),
        all.len(),
        settings.playbook_budget.value
    ));
    Ok(())
}

#[derive(serde::Serialize)]
struct RecallJson<'a> {
    section: &'a str,
    text: &'a str,
    score: f64,
    tokens: usize,
    matched: &'a [String],
}
