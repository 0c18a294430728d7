//! `mitchell eval`: persona fidelity, measured. Reads a suite (`suite`: the built-in
//! `evals/mitchell.yaml` unless `--suite FILE`), asks each question in a fresh conversation —
//! the persona's system prompt and the playbook, as `ask` builds them — and checks the answer
//! against the question's regexes. Prints a row per question as it is answered and
//! `fidelity N/M`, or one `--json` object; `--min N` exits 1 when fewer pass.
//!
//! Answers are greedy (temperature 0) and at most `DEFAULT_MAX_TOKENS` long unless the flags
//! say otherwise, so runs are comparable and a 40-question run takes minutes. A provider error
//! on the first question ends the run (exit 1: nothing could be measured); later errors count
//! as failed answers and are reported.

pub mod suite;

use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use crate::cli::{EvalArgs, GlobalArgs};
use crate::config::{Backend, Env};
use crate::conversation::{self, ExchangeOptions};
use crate::error::{self, ExitStatus};
use crate::llm::{self, ChatRequest, Message, Provider};
use crate::output::Output;

/// Longest answer per question unless `--max-tokens` says otherwise.
pub const DEFAULT_MAX_TOKENS: u32 = 200;
/// Characters of the answer shown in the table.
const PREVIEW: usize = 60;

/// One answered question.
#[derive(Debug, Serialize)]
struct Outcome {
    id: String,
    pass: bool,
    answer: String,
    seconds: f64,
    completion_tokens: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// The `--json` object.
#[derive(Debug, Serialize)]
struct Report<'a> {
    suite: &'a str,
    provider: &'a str,
    model: &'a str,
    playbook: bool,
    passed: usize,
    total: usize,
    results: &'a [Outcome],
}

pub fn run(
    global: &GlobalArgs,
    args: &EvalArgs,
    env: &Env,
    out: &mut Output,
) -> anyhow::Result<ExitStatus> {
    let settings = super::settings(
        global,
        env,
        super::reply_flags(global, &args.model, &args.reply),
    )?;
    let suite = match &args.suite {
        Some(path) => suite::read(path),
        None => suite::parse(suite::BUILT_IN, Path::new(suite::BUILT_IN_NAME)),
    }
    .map_err(error::usage)?;
    let local = matches!(settings.backend().map_err(error::usage)?, Backend::Local(_));
    let system = super::ask::system_prompt(&settings, local, false, args.reply.system.as_deref())?;
    let provider = llm::connect(&settings, out)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let total = suite.questions.len();
    if !args.json {
        out.println(&format!(
            "{:<26} {:<4} {:>7} {:>6}  answer",
            "id", "", "seconds", "tokens"
        ))?;
    }
    let mut results: Vec<Outcome> = Vec::with_capacity(total);
    for (i, q) in suite.questions.iter().enumerate() {
        let mut messages = vec![
            Message::system(system.clone()),
            Message::user(q.ask.clone()),
        ];
        crate::persona::playbook::apply(&settings, local, &mut messages)?;
        let request = ChatRequest {
            messages,
            model: None,
            temperature: settings.temperature.value.or(Some(0.0)),
            max_tokens: settings.max_tokens.value.or(Some(DEFAULT_MAX_TOKENS)),
            json_schema: None,
            stream: true,
            // Fidelity measures what the persona says, not what the machine shows.
            tools: Vec::new(),
        };
        let started = Instant::now();
        let (answer, completion_tokens, failure) =
            ask_one(provider.as_ref(), request, out, &runtime)?;
        let seconds = (started.elapsed().as_secs_f64() * 10.0).round() / 10.0;
        if let Some(err) = &failure
            && results.iter().all(|r| r.error.is_some())
        {
            return Err(anyhow::anyhow!("{err}").context(format!("question `{}` failed", q.id)));
        }
        let outcome = Outcome {
            id: q.id.clone(),
            pass: failure.is_none() && q.passes(&answer),
            answer,
            seconds,
            completion_tokens,
            error: failure,
        };
        report_row(&outcome, i + 1, total, args.json, out)?;
        results.push(outcome);
    }
    let passed = results.iter().filter(|r| r.pass).count();
    if args.json {
        let report = Report {
            suite: &suite.name,
            provider: provider.name(),
            model: provider.model(),
            playbook: settings.playbook.value.applies(local),
            passed,
            total,
            results: &results,
        };
        out.println(&serde_json::to_string(&report)?)?;
    } else {
        out.println(&format!("fidelity {passed}/{total}"))?;
    }
    match args.min {
        Some(min) if passed < min => {
            out.warn(&format!("fidelity {passed}/{total} is below --min {min}"));
            Ok(ExitStatus::Failure)
        }
        _ => Ok(ExitStatus::Success),
    }
}

/// Drives one request to its end, silently: the answer, its completion tokens, and the error
/// that ended it, if any. `Err` only for Ctrl-C or a closed stdout.
fn ask_one(
    provider: &dyn Provider,
    request: ChatRequest,
    out: &mut Output,
    runtime: &tokio::runtime::Runtime,
) -> anyhow::Result<(String, Option<u64>, Option<String>)> {
    let quiet = ExchangeOptions {
        echo: false,
        show_reasoning: false,
    };
    let reply = runtime.block_on(conversation::drive(provider, request, out, quiet))?;
    let tokens = reply.usage.and_then(|u| u.completion_tokens);
    let text = reply.text.clone();
    match conversation::outcome(reply) {
        Ok(_) => Ok((text, tokens, None)),
        Err(err) => Ok((text, tokens, Some(err.to_string()))),
    }
}

/// A table row on stdout, or with `--json` a progress line on stderr.
fn report_row(
    o: &Outcome,
    n: usize,
    total: usize,
    json: bool,
    out: &mut Output,
) -> anyhow::Result<()> {
    let verdict = if o.pass { "pass" } else { "FAIL" };
    let tokens = o
        .completion_tokens
        .map_or_else(|| "-".to_owned(), |t| t.to_string());
    if json {
        out.notice(&format!(
            "[{n}/{total}] {} {verdict} {:.1}s",
            o.id, o.seconds
        ));
        return Ok(());
    }
    let preview = match &o.error {
        Some(err) => format!("error: {err}"),
        None => preview(&o.answer),
    };
    out.println(&format!(
        "{:<26} {verdict:<4} {:>7.1} {tokens:>6}  {preview}",
        o.id, o.seconds
    ))?;
    Ok(())
}

/// The first words of an answer on one line.
fn preview(answer: &str) -> String {
    let flat = answer.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= PREVIEW {
        return flat;
    }
    let cut: String = flat.chars().take(PREVIEW).collect();
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previews_are_one_short_line() {
        assert_eq!(preview("a\n\n b"), "a b");
        let long = "word ".repeat(40);
        let p = preview(&long);
        assert!(p.ends_with('…') && p.chars().count() <= PREVIEW + 1, "{p}");
    }
}
