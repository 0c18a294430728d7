//! Exit statuses and the markers a module puts on an error: `usage`/`usage_msg` (the user's
//! input is wrong: exit 2) and `Interrupted` (Ctrl-C: 130). This module depends on nothing else
//! in the crate, so every layer can use it; deciding and printing an error's status happens once,
//! at the top, in `report`.

/// The process exit status, as documented in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: success, or the reader went away.
    Success,
    /// 1: runtime failure: network, provider, I/O, model.
    Failure,
    /// 2: usage or input error: flags, config, persona, template, document input.
    Usage,
    /// 130: interrupted by Ctrl-C.
    Interrupted,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Usage => 2,
            ExitStatus::Interrupted => 130,
        }
    }
}

/// Marks an error as the user's input being wrong (exit 2). Display is the inner message.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct UsageError(pub anyhow::Error);

/// Wraps any error as a usage error (exit 2).
pub fn usage(err: impl Into<anyhow::Error>) -> anyhow::Error {
    anyhow::Error::new(UsageError(err.into()))
}

/// Builds a usage error from a message.
pub fn usage_msg(msg: impl std::fmt::Display) -> anyhow::Error {
    usage(anyhow::anyhow!("{msg}"))
}

/// The user pressed Ctrl-C (exit 130).
#[derive(Debug, thiserror::Error)]
#[error("interrupted")]
pub struct Interrupted;
