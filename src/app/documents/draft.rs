//! Drafting a document with the model: the persona's system prompt plus the drafting
//! instructions, a request for schema-shaped JSON (the HTTP provider maps it to
//! `response_format` per its `json_mode`, the local engine to a grammar), validation into the
//! typed model, ONE repair round with the validation errors, and — when the draft still fails —
//! exit 1 with the errors and the raw draft saved under the data directory.

use anyhow::Context;
use jiff::Timestamp;

use crate::cli::DocumentFormat;
use crate::config::{Backend, Settings};
use crate::documents::{Document, Kind, draft};
use crate::error::{ExitStatus, Interrupted};
use crate::llm::{ChatRequest, Provider, Reply, StreamEvent};
use crate::output::Output;
use crate::persona::Detail;

/// Drafts `kind` from `text` after routing (`ask`, the REPL): says `→ kind` on stderr, drafts
/// with the provider `settings` choose, prints the markdown on stdout. Exit 1 when the draft
/// does not validate after the repair round.
pub fn draft_routed(
    settings: &Settings,
    kind: Kind,
    text: &str,
    out: &mut Output,
) -> anyhow::Result<ExitStatus> {
    out.notice(&format!("→ {}", kind.name()));
    match draft_document(settings, kind, text, out)? {
        Some(doc) => {
            super::emit(&doc, DocumentFormat::Markdown, None, Timestamp::now(), out)?;
            Ok(ExitStatus::Success)
        }
        None => Ok(ExitStatus::Failure),
    }
}

/// Drafts and validates `kind` from `text` with the configured provider. `Ok(None)` means the
/// draft failed validation twice; the errors and the saved draft's path are already printed.
pub fn draft_document(
    settings: &Settings,
    kind: Kind,
    text: &str,
    out: &mut Output,
) -> anyhow::Result<Option<Document>> {
    let backend = settings.backend().map_err(crate::error::usage)?;
    let detail = settings.detail.value.unwrap_or(match backend {
        Backend::Local(_) => Detail::Compact,
        Backend::Http(_) => Detail::Full,
    });
    let system = crate::persona::system_prompt(settings, detail)?;
    let provider = crate::llm::connect(settings, out)?;
    let mut request = draft::request(kind, &system, text);
    // A whole document fits well within this; a small model stuck repeating itself stops here.
    request.max_tokens = Some(settings.max_tokens.value.unwrap_or(DRAFT_MAX_TOKENS));
    if let Some(t) = settings.temperature.value {
        request.temperature = Some(t);
    }
    out.notice(&format!(
        "drafting the {} with {} ({})…",
        kind.title(),
        provider.model(),
        provider.name()
    ));
    let runtime = super::super::runtime()?;
    runtime.block_on(async {
        let first = collect(provider.as_ref(), request.clone(), out).await?;
        let mut errors = match draft::validate(kind, &first.text) {
            Ok(doc) => return Ok(Some(doc)),
            Err(errors) => errors,
        };
        if first.finish_reason.as_deref() == Some("length") {
            errors.push(format!(
                "the draft was cut off at {} tokens: keep lists short and stop repeating",
                request.max_tokens.unwrap_or(DRAFT_MAX_TOKENS)
            ));
        }
        out.notice(&format!(
            "the draft does not validate ({}); asking for a repair",
            errors.join("; ")
        ));
        let repair = draft::repair(
            request,
            draft::head(&first.text, REPAIR_DRAFT_CHARS),
            &errors,
        );
        let second = collect(provider.as_ref(), repair, out).await?;
        match draft::validate(kind, &second.text) {
            Ok(doc) => Ok(Some(doc)),
            Err(errors) => {
                let path = save_draft(settings, kind, &second.text)?;
                let mut lines = vec![format!(
                    "error: the {} draft still does not validate after one repair round:",
                    kind.name()
                )];
                lines.extend(errors.iter().map(|e| format!("  - {e}")));
                lines.push(format!("  raw draft saved to {}", path.display()));
                out.error_lines(&lines);
                Ok(None)
            }
        }
    })
}

/// The reply cap of a draft when `--max-tokens` is not set.
const DRAFT_MAX_TOKENS: u32 = 2048;
/// How much of a failed draft goes back in the repair round (a runaway draft is cut here).
const REPAIR_DRAFT_CHARS: usize = 6000;

/// Streams one request to the end and assembles the reply; Ctrl-C cancels (exit 130).
async fn collect(
    provider: &dyn Provider,
    request: ChatRequest,
    out: &mut Output,
) -> anyhow::Result<Reply> {
    let mut events = provider.stream(request);
    let mut reply = Reply::default();
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Some(StreamEvent::Notice(line)) => out.notice(&line),
                Some(event) => {
                    let end = matches!(event, StreamEvent::Finish(_) | StreamEvent::Error(_));
                    reply.apply(&event);
                    if end {
                        break;
                    }
                }
                None => break,
            },
            _ = &mut ctrl_c => return Err(Interrupted.into()),
        }
    }
    match reply.error.take() {
        Some(err) => Err(anyhow::Error::new(err).context("drafting failed")),
        None => Ok(reply),
    }
}

/// Writes the raw draft to `<data dir>/drafts/<kind>-<UTC time>.json` and returns the path.
fn save_draft(settings: &Settings, kind: Kind, text: &str) -> anyhow::Result<std::path::PathBuf> {
    let dir = settings.paths.data_dir.join("drafts");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let stamp = Timestamp::now().strftime("%Y%m%dT%H%M%SZ");
    let mut path = dir.join(format!("{}-{stamp}.json", kind.name()));
    let mut n = 1;
    while path.exists() {
        n += 1;
        path = dir.join(format!("{}-{stamp}-{n}.json", kind.name()));
    }
    std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}
