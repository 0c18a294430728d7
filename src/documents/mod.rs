//! Typed documents — the incident postmortem, the infrastructure overview and the weekly health
//! check — with their markdown and JSON renderers, their JSON Schemas, the architecture diagram,
//! input parsing with located errors, draft validation, and the intent router that sends free
//! text to one of them. Everything here is pure: reading files, stdin and models is
//! `app::documents`' job.

pub mod diagram;
pub mod draft;
pub mod facts;
pub mod figures;
pub mod health_check;
pub mod input;
pub mod interview;
pub mod markdown;
pub mod ordered;
pub mod overview;
pub mod overview_facts;
pub mod overview_sections;
pub mod postmortem;
pub mod router;
pub mod sections;
pub mod text;
pub mod timestamp;

use jiff::Timestamp;

use health_check::HealthCheck;
use overview::InfraOverview;
use postmortem::Postmortem;

/// Which document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Postmortem,
    Overview,
    HealthCheck,
}

impl Kind {
    /// The command and route name: `postmortem`, `overview`, `health-check`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Postmortem => "postmortem",
            Kind::Overview => "overview",
            Kind::HealthCheck => "health-check",
        }
    }

    /// What it is, in words, for prompts and messages.
    pub fn title(self) -> &'static str {
        match self {
            Kind::Postmortem => "incident postmortem",
            Kind::Overview => "infrastructure overview",
            Kind::HealthCheck => "weekly infrastructure health check",
        }
    }

    /// The JSON Schema of the input (and of a draft).
    pub fn schema(self) -> serde_json::Value {
        let schema = match self {
            Kind::Postmortem => schemars::schema_for!(Postmortem),
            Kind::Overview => schemars::schema_for!(InfraOverview),
            Kind::HealthCheck => schemars::schema_for!(HealthCheck),
        };
        let mut value = schema.to_value();
        bound_schema(&mut value);
        value
    }
}

/// Longest list a drafted document may hold (`maxItems`).
pub const MAX_ITEMS: u64 = 24;
/// Longest text a drafted field may hold (`maxLength`, in characters).
pub const MAX_TEXT: u64 = 800;

/// Adds `maxItems` to every array and `maxLength` to every string in a JSON Schema, so a
/// grammar made from it (the local engine) cannot loop forever and providers with strict
/// schemas bound the draft too. Values already set are kept.
fn bound_schema(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            let has = |map: &serde_json::Map<String, serde_json::Value>, ty: &str| match map
                .get("type")
            {
                Some(serde_json::Value::String(t)) => t == ty,
                Some(serde_json::Value::Array(ts)) => ts.iter().any(|t| t == ty),
                _ => false,
            };
            if has(map, "array") {
                map.entry("maxItems").or_insert(MAX_ITEMS.into());
            }
            if has(map, "string") && !map.contains_key("format") && !map.contains_key("enum") {
                map.entry("maxLength").or_insert(MAX_TEXT.into());
            }
            map.values_mut().for_each(bound_schema);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(bound_schema),
        _ => {}
    }
}

/// A parsed document, ready to render.
#[derive(Debug, Clone, PartialEq)]
pub enum Document {
    Postmortem(Postmortem),
    Overview(InfraOverview),
    HealthCheck(HealthCheck),
}

/// A problem with a document's content that serde cannot see: a cycle in the diagram links, a
/// value outside its range (exit 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContentError {
    #[error(transparent)]
    Diagram(#[from] diagram::DiagramError),
    /// `field` holds a value no measurement can have (a percentage over 100, a negative time).
    #[error("field `{field}`: {value} is out of range ({expected})")]
    OutOfRange {
        field: &'static str,
        value: String,
        expected: &'static str,
    },
}

impl ContentError {
    /// Which input list the error is about and the item's index, to find its line: `links`
    /// (an unknown id, a cycle) or `components` (an empty or duplicate id).
    pub fn place(&self) -> Option<(&'static str, Option<usize>)> {
        use diagram::DiagramError as D;
        match self {
            ContentError::Diagram(D::EmptyId { index } | D::DuplicateId { index, .. }) => {
                Some(("components", Some(*index)))
            }
            ContentError::Diagram(D::UnknownId { index, .. }) => Some(("links", Some(*index))),
            ContentError::Diagram(D::Cycle(_)) => Some(("links", None)),
            ContentError::OutOfRange { field, .. } => Some((field, None)),
        }
    }
}

impl Document {
    pub fn kind(&self) -> Kind {
        match self {
            Document::Postmortem(_) => Kind::Postmortem,
            Document::Overview(_) => Kind::Overview,
            Document::HealthCheck(_) => Kind::HealthCheck,
        }
    }

    /// Checks what the types cannot express.
    pub fn validate(&self) -> Result<(), ContentError> {
        match self {
            Document::Overview(o) => Ok(o.validate()?),
            Document::HealthCheck(h) => h.check_ranges(),
            Document::Postmortem(_) => Ok(()),
        }
    }

    /// The markdown, ages measured against `now`.
    pub fn to_markdown(&self, now: Timestamp) -> Result<String, ContentError> {
        match self {
            Document::Postmortem(p) => Ok(p.to_markdown()),
            Document::Overview(o) => Ok(o.to_markdown()?),
            Document::HealthCheck(h) => Ok(h.score(now).to_markdown()),
        }
    }

    /// Pretty JSON; a health check includes its computed checks, score and band.
    pub fn to_json(&self, now: Timestamp) -> String {
        let json = match self {
            Document::Postmortem(p) => serde_json::to_string_pretty(p),
            Document::Overview(o) => serde_json::to_string_pretty(o),
            Document::HealthCheck(h) => serde_json::to_string_pretty(&h.score(now)),
        };
        // Serialising plain structs of strings, numbers and lists cannot fail.
        json.unwrap_or_default() + "\n"
    }
}
