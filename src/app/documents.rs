//! `mitchell postmortem`, `mitchell overview`, `mitchell health-check` and `mitchell route`.
//!
//! A document comes from `--from FILE` (YAML or JSON; no model involved), or is drafted by the
//! model from free text (arguments and/or piped stdin, see `draft`); a health check with no
//! input on a terminal asks for each value in turn. It is rendered as markdown or JSON to stdout
//! or `-o FILE`. Input problems are usage errors (exit 2). With `--session NAME` or
//! `--continue` the rendered markdown (and the drafted-from text as the user's turn) is stored in
//! that session too.

pub mod draft;
pub mod sectioned;
pub mod session;

use std::io::{BufRead, Read};
use std::path::Path;

use anyhow::Context;
use jiff::Timestamp;

use crate::cli::{DocumentArgs, DocumentFormat, GlobalArgs, RouteArgs};
use crate::config::{Env, Source, Sourced};
// The same stdin errors (and words) as `ask`.
use crate::conversation::prompt::InputError as StdinError;
use crate::documents::{Document, input, interview, router};
use crate::error::{ExitStatus, usage, usage_msg};
use crate::output::Output;

pub use crate::documents::Kind;
pub use draft::draft_document;
use session::DocumentSession;

/// Runs one document command. `now` is `--now` (health check only).
// The signature is the one `app::dispatch` calls with the parsed arguments.
#[allow(clippy::needless_pass_by_value)]
pub fn run(
    global: &GlobalArgs,
    kind: Kind,
    args: DocumentArgs,
    now: Option<String>,
    env: &Env,
    out: &mut Output,
) -> anyhow::Result<ExitStatus> {
    let now = parse_now(now.as_deref())?;
    if args.print_schema {
        let schema = format!("{}\n", serde_json::to_string_pretty(&kind.schema())?);
        match &args.output {
            Some(path) => std::fs::write(path, schema)
                .with_context(|| format!("cannot write {}", path.display()))?,
            None => out.print(&schema)?,
        }
        return Ok(ExitStatus::Success);
    }
    let wants_session = args.session.is_some() || args.r#continue;
    let mut settings_flags = super::model_flags(global, &args.model);
    settings_flags.max_input = args
        .max_input
        .map(|v| Sourced::new(v, Source::Flag("--max-input")));
    settings_flags.temperature = args
        .temperature
        .map(|v| Sourced::new(v, Source::Flag("--temperature")));
    settings_flags.max_tokens = args
        .max_tokens
        .map(|v| Sourced::new(v, Source::Flag("--max-tokens")));
    let session_name = args.session.as_deref();
    let mut session = None;
    let doc = if let Some(path) = &args.from {
        if !args.text.is_empty() {
            return Err(usage_msg(
                "give either --from FILE or TEXT to draft from, not both",
            ));
        }
        load(kind, path)?
    } else if kind == Kind::HealthCheck && args.text.is_empty() && out.terminal().stdin_is_tty {
        // Nothing to draft from on a terminal: ask for each value in turn.
        Document::HealthCheck(interview::interview(|prompt| read_answer(prompt, out))?)
    } else {
        let settings = super::settings(global, env, settings_flags.clone())?;
        let text = gather_text(&args.text, settings.max_input.value, out)?;
        let text = super::attachments::attach(text, &args.files, settings.max_input.value)?;
        if wants_session {
            // Committed before the model is asked: a failed draft loses nothing.
            let mut opened =
                DocumentSession::open(&settings, session::Target::from_flag(session_name), out)?;
            opened.user_turn(&text)?;
            session = Some(opened);
        }
        let provider = crate::llm::connect(&settings, out)?;
        let system = draft::system_prompt(&settings, provider.as_ref())?;
        let runtime = super::runtime()?;
        let Some(doc) = draft::draft_document(
            &settings,
            provider.as_ref(),
            &system,
            kind,
            &text,
            out,
            &runtime,
        )?
        else {
            return Ok(ExitStatus::Failure);
        };
        doc
    };
    if wants_session {
        let mut session = if let Some(session) = session {
            session
        } else {
            let settings = super::settings(global, env, settings_flags)?;
            DocumentSession::open(&settings, session::Target::from_flag(session_name), out)?
        };
        let markdown = doc.to_markdown(now).map_err(usage)?;
        session.document(kind, &markdown, out)?;
    }
    emit(&doc, args.format, args.output.as_deref(), now, out)?;
    Ok(ExitStatus::Success)
}

/// `--now TIMESTAMP`, or the current time.
pub fn parse_now(now: Option<&str>) -> anyhow::Result<Timestamp> {
    match now {
        Some(text) => crate::documents::timestamp::parse(text)
            .map_err(|msg| usage_msg(format!("--now: {msg}"))),
        None => Ok(Timestamp::now()),
    }
}

/// Reads and checks a document file; every problem names the file (exit 2).
pub fn load(kind: Kind, path: &Path) -> anyhow::Result<Document> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read {}", path.display()))
        .map_err(usage)?;
    input::parse(kind, &text, path).map_err(usage)
}

/// Renders `doc` and writes it to `output` or stdout.
pub fn emit(
    doc: &Document,
    format: DocumentFormat,
    output: Option<&Path>,
    now: Timestamp,
    out: &mut Output,
) -> anyhow::Result<()> {
    let text = match format {
        DocumentFormat::Markdown => doc.to_markdown(now).map_err(usage)?,
        DocumentFormat::Json => doc.to_json(now),
    };
    match output {
        Some(path) => {
            std::fs::write(path, &text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            out.notice(&format!("wrote {}", path.display()));
        }
        None => out.print(&text)?,
    }
    Ok(())
}

/// The text to draft from: the arguments, then a blank line and piped stdin (at most
/// `max_input` bytes). Nothing at all is a usage error.
fn gather_text(args: &[String], max_input: u64, out: &mut Output) -> anyhow::Result<String> {
    let mut text = args.join(" ");
    if !out.terminal().stdin_is_tty {
        let mut bytes = Vec::new();
        std::io::stdin()
            .take(max_input.saturating_add(1))
            .read_to_end(&mut bytes)
            .context("cannot read stdin")?;
        if bytes.len() as u64 > max_input {
            return Err(usage(StdinError::TooLarge { max: max_input }));
        }
        let piped = String::from_utf8(bytes).map_err(|_| usage(StdinError::NotUtf8))?;
        if !piped.trim().is_empty() {
            if !text.trim().is_empty() {
                text.push_str("\n\n");
            }
            text.push_str(&piped);
        }
    }
    if text.trim().is_empty() {
        return Err(usage_msg(
            "nothing to draft from: give notes as TEXT, pipe them on stdin, or use --from FILE",
        ));
    }
    Ok(text)
}

/// One answer from the terminal; `None` at end of input.
fn read_answer(prompt: &str, out: &mut Output) -> anyhow::Result<Option<String>> {
    use std::io::Write as _;
    write!(out.stderr(), "{prompt}")?;
    out.stderr().flush()?;
    let mut bytes = Vec::new();
    let n = std::io::stdin()
        .lock()
        .read_until(b'\n', &mut bytes)
        .context("cannot read stdin")?;
    let line = String::from_utf8(bytes).map_err(|_| usage(StdinError::NotUtf8))?;
    Ok((n > 0).then(|| line.trim_end_matches(['\n', '\r']).to_owned()))
}

/// `mitchell route TEXT`: the route name first on stdout; `--json` adds the scores.
pub fn route(args: &RouteArgs, out: &mut Output) -> anyhow::Result<ExitStatus> {
    let routing = router::route(&args.text.join(" "));
    if args.json {
        out.println(&serde_json::to_string(&routing)?)?;
    } else {
        out.println(routing.route.name())?;
    }
    Ok(ExitStatus::Success)
}
