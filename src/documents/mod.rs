//! Typed documents — the incident postmortem, the infrastructure overview and the weekly health
//! check — with their markdown and JSON renderers, their JSON Schemas, the architecture diagram,
//! and the intent router that sends free text to one of them. Everything here is pure: reading
//! files, stdin and models is `app::documents`' job.

pub mod diagram;
pub mod health_check;
pub mod markdown;
pub mod ordered;
pub mod overview;
pub mod postmortem;
pub mod timestamp;
