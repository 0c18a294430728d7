//! The one place errors are printed and their exit status decided.
//!
//! Modules return their own `thiserror` enums; commands return `anyhow::Result`. Whether an error
//! is a usage error (exit 2), an interruption (130) or a runtime failure (1) is decided here, once,
//! by walking the chain: the module error types that are always (or, for some variants, sometimes)
//! the user's input are listed in `category_of`, so the same cause exits the same way from every
//! command whether or not the caller marked it; `error::usage`/`usage_msg` mark ad-hoc messages.
//! A broken pipe anywhere in the chain is silent success. This module sits above the ones whose
//! errors it knows and below `repl`, `app` and `cli`, which print through it.

use std::io;

use crate::error::{ExitStatus, Interrupted, UsageError};
use crate::output::Output;

/// Decides the exit status an error maps to.
pub fn exit_status_of(err: &anyhow::Error) -> ExitStatus {
    if is_broken_pipe(err) {
        return ExitStatus::Success;
    }
    err.chain()
        .find_map(category_of)
        .unwrap_or(ExitStatus::Failure)
}

/// The exit status one cause decides by its type, if it decides one: the single table of which
/// module errors are the user's input. Anything not listed is a runtime failure.
fn category_of(cause: &(dyn std::error::Error + 'static)) -> Option<ExitStatus> {
    let usage = |yes: bool| yes.then_some(ExitStatus::Usage);
    if cause.is::<Interrupted>() {
        return Some(ExitStatus::Interrupted);
    }
    if let Some(llm) = cause.downcast_ref::<crate::llm::Error>() {
        return matches!(llm, crate::llm::Error::Cancelled).then_some(ExitStatus::Interrupted);
    }
    if let Some(store) = cause.downcast_ref::<crate::store::StoreError>() {
        return usage(store.is_input());
    }
    usage(
        cause.is::<UsageError>()
            || cause.is::<crate::config::ConfigError>()
            || cause.is::<crate::yaml::YamlError>()
            || cause.is::<crate::persona::load::LoadError>()
            || cause.is::<crate::persona::render::RenderError>()
            || cause.is::<crate::documents::input::InputError>()
            || cause.is::<crate::documents::ContentError>()
            || cause.is::<crate::conversation::prompt::InputError>(),
    )
}

/// True when the error (anywhere in its chain) is a closed reader on stdout.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Prints `error: <msg>` and one `  caused by:` line per cause, then returns the exit status.
/// Interruptions and broken pipes print nothing.
pub fn report(err: &anyhow::Error, out: &mut Output) -> ExitStatus {
    let status = exit_status_of(err);
    if matches!(status, ExitStatus::Success | ExitStatus::Interrupted) {
        return status;
    }
    let mut lines = vec![format!("error: {}", one_line(&err.to_string()))];
    let mut last = err.to_string();
    for cause in err.chain().skip(1) {
        let text = cause.to_string();
        // Transparent wrappers repeat their inner message; print each message once.
        if text != last && !last.ends_with(&text) {
            lines.push(format!("  caused by: {}", one_line(&text)));
        }
        last = text;
    }
    out.error_lines(&lines);
    // The Debug form carries a backtrace when RUST_BACKTRACE is set: only at -vv (trace).
    if out.verbose() > 1 {
        out.error_lines(&[format!("debug: {err:?}")]);
    }
    status
}

/// Prints a clap parse error (or help/version) and maps it to an exit status.
pub fn report_clap(err: &clap::Error) -> ExitStatus {
    use clap::error::ErrorKind;
    // clap writes help and version to stdout and errors to stderr itself. A closed stdout
    // while printing help is not worth an error.
    let _ = err.print();
    match err.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => ExitStatus::Success,
        _ => ExitStatus::Usage,
    }
}

/// Collapses a possibly multi-line message into one line so every error stays one line.
fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        if i > 0 {
            out.push_str(" — ");
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::usage_msg;

    #[test]
    fn broken_pipe_anywhere_is_success() {
        let err = anyhow::Error::new(io::Error::from(io::ErrorKind::BrokenPipe)).context("writing");
        assert_eq!(exit_status_of(&err), ExitStatus::Success);
    }

    #[test]
    fn usage_marker_is_exit_2_even_under_context() {
        let err = usage_msg("bad flag").context("while parsing");
        assert_eq!(exit_status_of(&err), ExitStatus::Usage);
    }

    #[test]
    fn typed_input_errors_are_exit_2_without_a_marker() {
        let config = crate::config::ConfigError::BadVar("x".into());
        let err = anyhow::Error::new(config).context("loading settings");
        assert_eq!(exit_status_of(&err), ExitStatus::Usage);
        let store = anyhow::Error::new(crate::store::StoreError::NoSuchSession("a".into()));
        assert_eq!(exit_status_of(&store), ExitStatus::Usage);
        let busy = anyhow::Error::new(crate::store::StoreError::TooNew {
            found: 9,
            supported: 1,
        });
        assert_eq!(exit_status_of(&busy), ExitStatus::Failure);
        let stdin = anyhow::Error::new(crate::conversation::prompt::InputError::NotUtf8);
        assert_eq!(exit_status_of(&stdin), ExitStatus::Usage);
        let cancelled = anyhow::Error::new(crate::llm::Error::Cancelled).context("asking");
        assert_eq!(exit_status_of(&cancelled), ExitStatus::Interrupted);
        let failed = anyhow::Error::new(crate::llm::Error::Truncated);
        assert_eq!(exit_status_of(&failed), ExitStatus::Failure);
    }

    #[test]
    fn interrupted_is_130() {
        let err = anyhow::Error::new(Interrupted);
        assert_eq!(exit_status_of(&err).code(), 130);
    }

    #[test]
    fn template_errors_are_usage_errors_without_a_marker() {
        let err = anyhow::Error::new(crate::persona::RenderError {
            template: "t".into(),
            line: None,
            message: "m".into(),
        })
        .context("rendering the persona");
        assert_eq!(exit_status_of(&err), ExitStatus::Usage);
    }

    #[test]
    fn multi_line_messages_become_one_line() {
        assert_eq!(one_line("a\n  b\n\nc"), "a — b — c");
    }
}
