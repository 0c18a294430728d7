//! The OpenAI-compatible HTTP provider (placeholder until the streaming issue lands).

use crate::config::HttpTarget;

/// Opens the HTTP provider for `target`.
pub fn connect(target: &HttpTarget) -> anyhow::Result<Box<dyn super::Provider>> {
    anyhow::bail!("{}: the HTTP provider is not available yet", target.name)
}
