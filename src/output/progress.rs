//! The spinner on stderr while nothing has arrived yet (the model loading, the prompt being
//! evaluated, the first byte on its way): a label and the seconds elapsed, cleared before the
//! first text. A provider can relabel it as it moves on (`reading the persona…`, `thinking…`). Only on a terminal's stderr (never on a pipe, never on stdout), and not with `-q`.
//! `Output` keeps a handle so that answer text, reasoning and errors clear it; notices and
//! warnings are printed above it.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

const TICK: Duration = Duration::from_millis(100);

/// Output's side of the spinner.
pub struct Spinner {
    enabled: bool,
    color: bool,
    bar: Option<ProgressBar>,
}

/// The caller's side: the spinner stops when this is dropped, if nothing stopped it before.
#[must_use = "the spinner stops when the guard is dropped"]
pub struct Waiting {
    bar: Option<ProgressBar>,
}

impl Drop for Waiting {
    fn drop(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Spinner {
    pub fn new(enabled: bool, color: bool) -> Self {
        Spinner {
            enabled,
            color,
            bar: None,
        }
    }

    pub fn set_enabled(&mut self, enabled: bool) {
        self.enabled = enabled;
    }

    /// Starts (or restarts) the spinner with `label`.
    pub fn start(&mut self, label: &str) -> Waiting {
        self.clear();
        if !self.enabled {
            return Waiting { bar: None };
        }
        let template = if self.color {
            "{spinner:.cyan} {msg:.dim} {elapsed:.dim}"
        } else {
            "{spinner} {msg} {elapsed}"
        };
        let style = ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
            .with_style(style)
            .with_message(label.to_owned());
        bar.enable_steady_tick(TICK);
        self.bar = Some(bar.clone());
        Waiting { bar: Some(bar) }
    }

    /// A new label for the running spinner, its clock restarted; nothing when none runs.
    pub fn relabel(&self, label: &str) {
        if let Some(bar) = self.bar.as_ref().filter(|b| !b.is_finished()) {
            bar.set_message(label.to_owned());
            bar.reset_elapsed();
        }
    }

    /// Removes the spinner from the screen, for good.
    pub fn clear(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }

    /// Runs `write` (a line on stderr) with the spinner hidden, then shows it again.
    pub fn above(&self, write: impl FnOnce()) {
        match &self.bar {
            Some(bar) if !bar.is_finished() => bar.suspend(write),
            _ => write(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disabled_spinner_draws_nothing_and_runs_writes() {
        let mut spinner = Spinner::new(false, false);
        let guard = spinner.start("thinking…");
        assert!(guard.bar.is_none());
        let mut ran = false;
        spinner.above(|| ran = true);
        assert!(ran);
    }
}
