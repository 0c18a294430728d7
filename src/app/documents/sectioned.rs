//! The embedded model's way to draft: a postmortem section by section (`documents::sections`:
//! the notes' plain facts kept as written, one small grammar-bound request per prose part,
//! all sharing one cached system message), and a health check grounded in the notes (every
//! value the notes state plainly wins; a value they never gave is dropped). HTTP providers keep
//! the one-shot draft of `draft`.

use std::time::Instant;

use crate::config::Settings;
use crate::documents::figures::ground_health_check;
use crate::documents::postmortem::Postmortem;
use crate::documents::sections::{self, SectionedDraft};
use crate::documents::{Document, Kind};
use crate::llm::Provider;
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
        plan.iter().map(|s| s.name()).collect::<Vec<_>>().join(", ")
    ));
    for section in plan {
        let started = Instant::now();
        let mut request = sections::request(&system, section);
        if let Some(t) = settings.temperature.value {
            request.temperature = Some(t);
        }
        let reply = super::draft::collect(provider, request, out).await?;
        match draft.apply(section, &reply.text) {
            Ok(()) => tracing::debug!(
                section = section.name(),
                seconds = started.elapsed().as_secs_f32(),
                "section drafted"
            ),
            Err(e) => out.notice(&format!(
                "the {} part of the draft did not parse ({e}); it is left empty",
                section.name()
            )),
        }
    }
    Ok(draft.finish())
}

/// A validated draft made to hold only what the notes say (health checks; other kinds as
/// they are).
pub fn ground(doc: Document, notes: &str) -> Document {
    match doc {
        Document::HealthCheck(h) => Document::HealthCheck(ground_health_check(&h, notes)),
        other => other,
    }
}

/// Whether `kind` is drafted section by section with this provider.
pub fn sectioned(provider: &dyn Provider, kind: Kind) -> bool {
    provider.is_local() && kind == Kind::Postmortem
}
