//! Drafting a document with the model: the persona's system prompt plus the drafting
//! instructions, a request for schema-shaped JSON (the HTTP provider maps it to
//! `response_format` per its `json_mode`, the local engine to a grammar), validation into the
//! typed model, ONE repair round with the validation errors, and — when the draft still fails —
//! exit 1 with the errors and the raw draft saved under the data directory. Every request goes
//! through the turn engine with the provider the caller holds (`ask`, a document command or
//! the REPL, which passes its own system prompt with `/detail` and `/system` applied).
//!
//! The embedded model drafts differently (`sectioned`): a postmortem and an overview part by
//! part with the notes' plain facts kept as written, a health check grounded in the notes
//! before it is validated.

use anyhow::Context;
use jiff::Timestamp;

use crate::config::Settings;
use crate::conversation::ExchangeOptions;
use crate::conversation::turn::{TurnLimits, Unobserved, run_turn};
use crate::documents::{Document, Kind, draft};
use crate::error::Interrupted;
use crate::llm::{ChatRequest, Provider, Reply};
use crate::output::Output;

/// The persona's system prompt for a draft: `detail` as configured, else compact for the
/// embedded model and full for an endpoint.
pub fn system_prompt(settings: &Settings, provider: &dyn Provider) -> anyhow::Result<String> {
    crate::app::ask::system_prompt(settings, provider.is_local(), false, None)
}

/// Drafts and validates `kind` from `text` with `provider` (the one the caller already holds)
/// and the caller's system prompt. `Ok(None)` means the draft failed validation twice; the
/// errors and the saved draft's path are already printed.
pub fn draft_document(
    settings: &Settings,
    provider: &dyn Provider,
    system: &str,
    kind: Kind,
    text: &str,
    out: &mut Output,
    runtime: &tokio::runtime::Runtime,
) -> anyhow::Result<Option<Document>> {
    if super::sectioned::sectioned(provider, kind) {
        let doc = runtime.block_on(async {
            Ok::<_, anyhow::Error>(match kind {
                Kind::Overview => Document::Overview(
                    super::sectioned::draft_overview(settings, provider, system, text, out).await?,
                ),
                _ => Document::Postmortem(
                    super::sectioned::draft_postmortem(settings, provider, system, text, out)
                        .await?,
                ),
            })
        })?;
        return Ok(Some(doc));
    }
    // The embedded model's draft is grounded in the notes before it is validated: a value the
    // notes' own value replaces (an impossible uptime, even one too large for a number) must
    // not fail the draft.
    let local = provider.is_local();
    let check = |reply: &str| {
        if local {
            let reply = draft::null_unreadable_numbers(reply);
            draft::validate_with(kind, &reply, |doc| super::sectioned::ground(doc, text))
        } else {
            draft::validate(kind, reply)
        }
    };
    let mut request = draft::request(kind, system, text);
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
    runtime.block_on(async {
        let first = collect(provider, request.clone(), out).await?;
        let mut errors = match check(&first.text) {
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
        let second = collect(provider, repair, out).await?;
        match check(&second.text) {
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

/// Runs one request through the turn engine (no tools, nothing echoed) and returns the reply;
/// Ctrl-C cancels (exit 130), and a stream that ended early or failed is an error.
pub(super) async fn collect(
    provider: &dyn Provider,
    request: ChatRequest,
    out: &mut Output,
) -> anyhow::Result<Reply> {
    let ended = run_turn(
        provider,
        request,
        None,
        TurnLimits::default(),
        out,
        ExchangeOptions::default(),
        &mut Unobserved,
    )
    .await?;
    if ended.interrupted {
        return Err(Interrupted.into());
    }
    crate::conversation::outcome(ended.reply)
        .map_err(|err| anyhow::Error::new(err).context("drafting failed"))
}

/// Writes the raw draft to `<data dir>/drafts/<kind>-<UTC time>.json` and returns the path.
fn save_draft(settings: &Settings, kind: Kind, text: &str) -> anyhow::Result<std::path::PathBuf> {
    let dir = settings.paths.data_dir.join("drafts");
    // The data directory holds conversations: readable by the user only.
    crate::config::create_private_dir(&dir)
        .with_context(|| format!("cannot create {}", dir.display()))?;
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
