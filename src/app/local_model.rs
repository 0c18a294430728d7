//! `mitchell model …`: import, list, fetch, pull (`pull.rs`) and remove cached GGUF models, and
//! clear the persona prompt cache. The store, the downloader and the puller live in `llm::local`;
//! this file only wires them to the command line and prints results on stdout.

#[cfg(feature = "local")]
mod pull;

use crate::cli::{GlobalArgs, ModelCommand};
use crate::config::Env;
use crate::error::ExitStatus;
use crate::output::Output;

#[cfg(not(feature = "local"))]
pub fn run(
    _g: &GlobalArgs,
    _c: ModelCommand,
    _e: &Env,
    _o: &mut Output,
) -> anyhow::Result<ExitStatus> {
    Err(crate::error::usage_msg(
        "this build has no embedded model (built without the `local` feature)",
    ))
}

#[cfg(feature = "local")]
pub fn run(g: &GlobalArgs, c: ModelCommand, e: &Env, o: &mut Output) -> anyhow::Result<ExitStatus> {
    local::run(g, c, e, o)
}

#[cfg(feature = "local")]
mod local {
    use std::path::Path;

    use anyhow::Context;

    use super::{Env, ExitStatus, GlobalArgs, ModelCommand, Output};
    use crate::cli::{CacheCommand, ModelFetchArgs};
    use crate::error;
    use crate::llm::local::cache::{self, CacheError, ModelCache, ModelRecord};
    use crate::llm::local::fetch;

    pub fn run(
        global: &GlobalArgs,
        command: ModelCommand,
        env: &Env,
        o: &mut Output,
    ) -> anyhow::Result<ExitStatus> {
        let settings = super::super::settings(global, env, super::super::global_flags(global))?;
        let store = ModelCache::new(settings.paths.models_dir());
        match command {
            ModelCommand::Import { file, name, notice } => {
                let name = name.unwrap_or_else(|| cache::name_from_file(&file.to_string_lossy()));
                let source = std::fs::canonicalize(&file)
                    .unwrap_or_else(|_| file.clone())
                    .display()
                    .to_string();
                let record = store
                    .import(&file, &name, notice.as_deref(), &source)
                    .map_err(store_err)?;
                o.println(&format!(
                    "imported {} ({} bytes, sha256 {})",
                    record.name, record.size, record.sha256
                ))?;
            }
            ModelCommand::List { json } => {
                let records = store.list().map_err(store_err)?;
                if json {
                    o.println(&serde_json::to_string_pretty(&records)?)?;
                } else {
                    print_table(&records, o)?;
                }
            }
            ModelCommand::Fetch(args) => fetch_model(&store, &args, o)?,
            ModelCommand::Pull(args) => super::pull::run(&store, &args, env, o)?,
            ModelCommand::Rm { name } => {
                store.remove(&name).map_err(store_err)?;
                o.println(&format!("removed {name}"))?;
            }
            ModelCommand::Cache(CacheCommand::Clear) => {
                let n = clear_cache(&settings.paths.prompt_cache_dir())?;
                o.println(&format!("removed {n} cached persona prefix state(s)"))?;
            }
        }
        Ok(ExitStatus::Success)
    }

    fn store_err(e: CacheError) -> anyhow::Error {
        if e.is_usage() {
            error::usage(e)
        } else {
            anyhow::Error::new(e)
        }
    }

    fn print_table(records: &[ModelRecord], o: &mut Output) -> anyhow::Result<()> {
        if records.is_empty() {
            o.notice("no models in the cache (see `mitchell model pull --list` or `mitchell model import`)");
            return Ok(());
        }
        o.println(&format!(
            "{:<28} {:>9} {:<12} {:>8} {:<8} SHA256",
            "NAME", "SIZE", "ARCH", "CONTEXT", "TEMPLATE"
        ))?;
        for r in records {
            #[allow(clippy::cast_precision_loss)] // a size for display
            let size = format!("{:.1} MiB", r.size as f64 / 1_048_576.0);
            o.println(&format!(
                "{:<28} {:>9} {:<12} {:>8} {:<8} {}",
                r.name,
                size,
                r.architecture.as_deref().unwrap_or("?"),
                r.context_length
                    .map_or_else(|| "?".to_owned(), |n| n.to_string()),
                if r.chat_template { "yes" } else { "no" },
                r.sha256
            ))?;
        }
        Ok(())
    }

    fn fetch_model(
        store: &ModelCache,
        args: &ModelFetchArgs,
        o: &mut Output,
    ) -> anyhow::Result<()> {
        let expected = args
            .sha256
            .as_deref()
            .map(|h| {
                let h = h.trim().to_ascii_lowercase();
                if h.len() == 64 && h.chars().all(|c| c.is_ascii_hexdigit()) {
                    Ok(h)
                } else {
                    Err(error::usage_msg(format!(
                        "--sha256 `{h}` is not 64 hex digits"
                    )))
                }
            })
            .transpose()?;
        if !(args.url.starts_with("http://") || args.url.starts_with("https://")) {
            return Err(error::usage_msg(format!(
                "`{}` is not an http(s) URL",
                args.url
            )));
        }
        let name = args
            .name
            .clone()
            .unwrap_or_else(|| cache::name_from_file(&args.url));
        cache::check_name(&name).map_err(store_err)?;
        let partial_dir = store.dir().join(".partial");
        std::fs::create_dir_all(&partial_dir)
            .with_context(|| format!("creating {}", partial_dir.display()))?;
        let part = partial_dir.join(format!("{name}.gguf.part"));
        let show = o.terminal().stderr_is_tty;
        let fetched = super::super::runtime()?.block_on(fetch::download(&args.url, &part, show))?;
        if fetched.resumed_from > 0 {
            o.notice(&format!("resumed at byte {}", fetched.resumed_from));
        }
        let actual = cache::sha256_file(&part).map_err(store_err)?;
        if let Some(expected) = expected
            && expected != actual
        {
            let _ = std::fs::remove_file(&part);
            anyhow::bail!(CacheError::Sha256 {
                what: args.url.clone(),
                expected,
                actual,
            });
        }
        let record = store
            .import(&part, &name, None, &args.url)
            .map_err(store_err)?;
        let _ = std::fs::remove_file(&part);
        o.println(&format!(
            "fetched {} ({} bytes, sha256 {})",
            record.name, record.size, record.sha256
        ))?;
        Ok(())
    }

    fn clear_cache(dir: &Path) -> anyhow::Result<usize> {
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(e).with_context(|| format!("reading {}", dir.display())),
        };
        let mut n = 0;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_file() {
                std::fs::remove_file(&path)
                    .with_context(|| format!("removing {}", path.display()))?;
                if path.extension().is_some_and(|e| e == "state") {
                    n += 1;
                }
            }
        }
        Ok(n)
    }
}
