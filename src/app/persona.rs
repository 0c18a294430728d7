//! `mitchell persona …`: list, show, render and check personas. Finding, parsing and rendering
//! live in `crate::persona`; this file picks the persona and writes the result.

use std::path::Path;

use crate::cli::{GlobalArgs, PersonaCommand};
use crate::config::Env;
use crate::error::{self, ExitStatus};
use crate::output::Output;
use crate::persona::{self, Detail, load};

pub fn run(
    g: &GlobalArgs,
    c: PersonaCommand,
    e: &Env,
    o: &mut Output,
) -> anyhow::Result<ExitStatus> {
    let settings = super::settings(g, e, super::global_flags(g))?;
    match c {
        PersonaCommand::List => {
            let all = load::list(&settings.paths.personas_dir()).map_err(error::usage)?;
            let width = all.iter().map(|p| p.name.len()).max().unwrap_or(0);
            for (i, p) in all.iter().enumerate() {
                let shadowed = all[i + 1..].iter().any(|later| later.name == p.name);
                let summary = match p.parse() {
                    Ok(spec) => spec.summary,
                    Err(err) => format!("invalid: {err}"),
                };
                let note = if shadowed {
                    " (replaced by a user persona)"
                } else {
                    ""
                };
                o.println(&format!("{:width$}  {}{note}  {summary}", p.name, p.origin))?;
            }
        }
        PersonaCommand::Show { name } => {
            let value = name.unwrap_or_else(|| settings.persona.value.clone());
            let source =
                load::find(&value, &settings.paths.personas_dir()).map_err(error::usage)?;
            o.print(&source.text)?;
        }
        PersonaCommand::Render { name, detail } => {
            let value = name.unwrap_or_else(|| settings.persona.value.clone());
            let (_, spec) = persona::load_persona(&value, &settings.paths)?;
            let text = persona::render_system_prompt(
                &spec,
                detail,
                persona::render::today(),
                &settings.vars,
                &settings.paths,
            )?;
            o.print(&text)?;
        }
        PersonaCommand::Check { file } => {
            check(&file, &settings)?;
            o.notice(&format!("{}: ok", file.display()));
        }
    }
    Ok(ExitStatus::Success)
}

/// Parses a persona file and renders it at both details.
fn check(file: &Path, settings: &crate::config::Settings) -> anyhow::Result<()> {
    let source = load::read_file(file).map_err(error::usage)?;
    let spec = source.parse().map_err(error::usage)?;
    for detail in [Detail::Full, Detail::Compact] {
        persona::render_system_prompt(
            &spec,
            detail,
            persona::render::today(),
            &settings.vars,
            &settings.paths,
        )?;
    }
    Ok(())
}
