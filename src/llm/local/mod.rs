//! The embedded llama.cpp provider (placeholder until the embedded-model issue lands).

use crate::config::{LocalTarget, Paths};
use crate::output::Output;

/// Loads the local model `target` names (or the default one from the cache).
pub fn connect(
    target: &LocalTarget,
    paths: &Paths,
    out: &mut Output,
) -> anyhow::Result<Box<dyn super::Provider>> {
    let _ = (target, paths, out);
    anyhow::bail!("the local model is not available yet")
}
