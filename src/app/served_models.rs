//! `mitchell models`: the model ids an OpenAI-compatible endpoint serves (`GET {base}/models`),
//! sorted, one per line on stdout. Retry notices go to stderr as they happen; Ctrl-C stops the
//! request (exit 130).

use crate::cli::{GlobalArgs, ModelArgs};
use crate::config::{Backend, Env};
use crate::error::{self, ExitStatus};
use crate::output::Output;

pub fn run(
    global: &GlobalArgs,
    args: &ModelArgs,
    env: &Env,
    out: &mut Output,
) -> anyhow::Result<ExitStatus> {
    let settings = super::settings(global, env, super::model_flags(global, args))?;
    let Backend::Http(target) = settings.backend().map_err(error::usage)? else {
        return Err(error::usage_msg(
            "`mitchell models` lists an HTTP endpoint's models: pass --base-url or --provider \
             (local models: `mitchell model list`)",
        ));
    };
    let provider = crate::llm::http::open(&target)?;
    let runtime = super::runtime()?;
    let ids = runtime.block_on(async {
        tokio::select! {
            ids = provider.list_models(|notice| out.notice(notice)) => ids.map_err(anyhow::Error::from),
            _ = tokio::signal::ctrl_c() => Err(error::Interrupted.into()),
        }
    })?;
    if ids.is_empty() {
        out.notice(&format!("{}: the endpoint lists no models", target.name));
    }
    for id in ids {
        out.println(&id)?;
    }
    Ok(ExitStatus::Success)
}
