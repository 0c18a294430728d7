//! The embedded model's way to draft: a postmortem section by section (`documents::sections`)
//! and an infrastructure overview part by part (`documents::overview_sections`) — the notes'
//! plain facts kept as written, one small grammar-bound request per prose part, all sharing
//! one cached system message — and a health check grounded in the notes (every value the
//! notes state plainly wins; a value they never gave is dropped). HTTP providers keep the
//! one-shot draft of `draft`.

use std::time::Instant;

use crate::config::Settings;
use crate::documents::figures::ground_health_check;
use crate::documents::overview::InfraOverview;
use crate::documents::overview_sections::{self, OverviewDraft};
use crate::documents::postmortem::Postmortem;
use crate::documents::sections::{self, SectionedDraft};
use crate::documents::{Document, Kind};
use crate::llm::{ChatRequest, Provider};
use crate::output::Output;

/// Drafts a postmortem from `notes` one section at a time. A section whose reply does not
/// parse is left empty with a notice; the facts are there whatever the model writes.
pub async fn draft_postmortem(
    settings: &Settings,
    provider: &dyn Provider,
    persona: &str,
    notes: &str,
    out: &mut Output,
) -> anyhow::Result<Postmortem> {
    let mut draft = SectionedDraft::new(notes);
    let system = sections::system_message(persona, notes);
    let plan = draft.sections();
    out.notice(&format!(
        "drafting the incident postmortem with {} ({}) section by section: the timeline, action \
         items, date, duration and impact come from the notes as written; the model writes {}",
        provider.model(),
        provider.name(),
        names(plan.iter().map(|s| s.name()))
    ));
    for section in plan {
        let request = sections::request(&system, section);
        let reply = send(settings, provider, request, section.name(), out).await?;
        if let Err(e) = draft.apply(section, &reply) {
            left_empty(out, section.name(), &e);
        }
    }
    Ok(draft.finish())
}

/// Drafts an infrastructure overview from `notes`: the facts first, then one small request
/// per part the notes describe only in prose. A part whose reply does not parse is left empty
/// with a notice.
pub async fn draft_overview(
    settings: &Settings,
    provider: &dyn Provider,
    persona: &str,
    notes: &str,
    out: &mut Output,
) -> anyhow::Result<InfraOverview> {
    let mut draft = OverviewDraft::new(notes);
    let plan = draft.parts();
    let writes = if plan.is_empty() {
        "nothing (the notes state every part plainly or not at all)".to_owned()
    } else {
        names(plan.iter().map(|p| p.name()))
    };
    out.notice(&format!(
        "drafting the infrastructure overview with {} ({}) part by part: the diagram, services, \
         and every plainly stated value come from the notes as written; the model writes {writes}",
        provider.model(),
        provider.name(),
    ));
    let system = overview_sections::system_message(persona, notes);
    for part in plan {
        let request = overview_sections::request(&system, part);
        let reply = send(settings, provider, request, part.name(), out).await?;
        if let Err(e) = draft.apply(part, &reply) {
            left_empty(out, part.name(), &e);
        }
    }
    Ok(draft.finish())
}

/// Sends one part's request (`--temperature` applied) and returns the reply text.
async fn send(
    settings: &Settings,
    provider: &dyn Provider,
    mut request: ChatRequest,
    name: &str,
    out: &mut Output,
) -> anyhow::Result<String> {
    let started = Instant::now();
    if let Some(t) = settings.temperature.value {
        request.temperature = Some(t);
    }
    let reply = super::draft::collect(provider, request, out).await?;
    tracing::debug!(
        part = name,
        seconds = started.elapsed().as_secs_f32(),
        "part drafted"
    );
    Ok(reply.text)
}

fn left_empty(out: &mut Output, name: &str, error: &str) {
    out.notice(&format!(
        "the {name} part of the draft did not parse ({error}); it is left empty"
    ));
}

fn names<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names.collect::<Vec<_>>().join(", ")
}

/// A draft made to hold only what the notes say (health checks; other kinds as they are).
/// It runs before validation, so a model value the notes' own value replaces cannot fail it.
pub fn ground(doc: Document, notes: &str) -> Document {
    match doc {
        Document::HealthCheck(h) => Document::HealthCheck(ground_health_check(&h, notes)),
        other => other,
    }
}

/// Whether `kind` is drafted part by part with this provider.
pub fn sectioned(provider: &dyn Provider, kind: Kind) -> bool {
    provider.is_local() && matches!(kind, Kind::Postmortem | Kind::Overview)
}
