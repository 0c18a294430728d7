//! Personas: the typed spec (`spec`), discovery of built-in and user personas (`load`), and
//! rendering into a system prompt (`render`, the only minijinja user), and the playbook: the
//! spec's positions (`positions`), ranked per question (`recall`), added to requests
//! (`playbook`).

pub mod load;
pub mod playbook;
pub mod positions;
pub mod recall;
pub mod render;
pub mod sizes;
pub mod spec;

pub use crate::config::Detail;

pub use load::{Origin, PersonaSource};
pub use render::{RenderContext, RenderError};
pub use spec::PersonaSpec;

/// Finds and parses a persona by name or path. Every failure is a usage error (exit 2) whose
/// message names the file, line, column and field.
pub fn load_persona(
    value: &str,
    paths: &crate::config::Paths,
) -> anyhow::Result<(PersonaSource, PersonaSpec)> {
    let source = load::find(value, &paths.personas_dir()).map_err(crate::error::usage)?;
    let spec = source.parse().map_err(crate::error::usage)?;
    Ok((source, spec))
}

/// Renders a parsed persona with the given date and variables, using the user's template
/// overrides in `paths.prompts_dir()` where present. Template errors are usage errors (exit 2)
/// that name the template and the undefined variable.
pub fn render_system_prompt(
    spec: &PersonaSpec,
    detail: Detail,
    today: String,
    vars: &std::collections::BTreeMap<String, String>,
    paths: &crate::config::Paths,
) -> anyhow::Result<String> {
    let ctx = RenderContext { spec, today, vars };
    render::Renderer::with_overrides(&paths.prompts_dir())
        .and_then(|renderer| renderer.render(&ctx, detail))
        .map_err(crate::error::usage)
}

/// Renders the configured persona (`settings.persona`: a name or a path) into a system prompt,
/// with today's date and `settings.vars`. Persona and template problems are usage errors (exit 2).
pub fn system_prompt(settings: &crate::config::Settings, detail: Detail) -> anyhow::Result<String> {
    let (_, spec) = load_persona(&settings.persona.value, &settings.paths)?;
    render_system_prompt(
        &spec,
        detail,
        render::today(),
        &settings.vars,
        &settings.paths,
    )
}
