//! Rendering a persona into a system prompt: the only minijinja user. The templates live in
//! `prompts/` and are embedded in the binary; undefined variables are errors (strict mode). The
//! context is one struct: the spec, today's date and the user's `--var` map. A user may
//! override any of them with a file of the same name in `$XDG_CONFIG_HOME/mitchell/prompts/`.
//! Only these templates are ever rendered: persona text, user text and stdin are values, never
//! templates.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

use minijinja::syntax::SyntaxConfig;
use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::Serialize;

use super::Detail;
use super::spec::PersonaSpec;

/// The embedded templates: (name, source).
const TEMPLATES: &[(&str, &str)] = &[
    ("macros.md.j2", include_str!("../../prompts/macros.md.j2")),
    ("full.md.j2", include_str!("../../prompts/full.md.j2")),
    ("compact.md.j2", include_str!("../../prompts/compact.md.j2")),
];

/// Everything a template can see.
#[derive(Debug, Clone, Serialize)]
pub struct RenderContext<'a> {
    pub spec: &'a PersonaSpec,
    /// Today's date, `YYYY-MM-DD`.
    pub today: String,
    /// `--var key=value` pairs.
    pub vars: &'a BTreeMap<String, String>,
}

/// A template failed to render: an undefined variable, a syntax error, a bad filter.
#[derive(Debug, Clone, thiserror::Error)]
#[error("template {template}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct RenderError {
    pub template: String,
    pub line: Option<usize>,
    /// For an undefined variable: "`spec.nope` is undefined".
    pub message: String,
}

impl RenderError {
    fn from_minijinja(err: &minijinja::Error, fallback: &str) -> Self {
        let message = match (err.kind(), err.detail()) {
            (minijinja::ErrorKind::UndefinedError, Some(detail)) => {
                format!("undefined variable: {detail}")
            }
            (kind, Some(detail)) => format!("{kind}: {detail}"),
            (kind, None) => kind.to_string(),
        };
        RenderError {
            template: err.name().unwrap_or(fallback).to_owned(),
            line: err.line(),
            message,
        }
    }
}

/// Today's date in the local time zone (UTC when it cannot be determined).
pub fn today() -> String {
    jiff::ZonedDateTime::now().date().to_string()
}

/// The environment with the embedded templates, strict about undefined values.
fn environment(overrides: Option<&Path>) -> Result<Environment<'static>, RenderError> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Debug info (which variable was undefined) is otherwise only on in debug builds, and the
    // release binary must name it too.
    env.set_debug(true);
    env.set_auto_escape_callback(|_| AutoEscape::None);
    let syntax = SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .build()
        .map_err(|e| RenderError::from_minijinja(&e, "syntax"))?;
    env.set_syntax(syntax);
    for (name, embedded) in TEMPLATES {
        let user = overrides.map(|dir| dir.join(name)).filter(|p| p.is_file());
        let (label, source): (String, Cow<'static, str>) = match user {
            Some(path) => {
                let text = std::fs::read_to_string(&path).map_err(|err| RenderError {
                    template: path.display().to_string(),
                    line: None,
                    message: format!("cannot read: {err}"),
                })?;
                (path.display().to_string(), Cow::Owned(text))
            }
            None => ((*name).to_owned(), Cow::Borrowed(*embedded)),
        };
        env.add_template_owned(*name, source)
            .map_err(|e| RenderError::from_minijinja(&e, &label))?;
    }
    Ok(env)
}

/// The compiled templates. Building one parses every embedded template; keep it to render
/// many times (the benchmark does).
pub struct Renderer {
    env: Environment<'static>,
}

impl Renderer {
    pub fn new() -> Result<Self, RenderError> {
        Ok(Renderer {
            env: environment(None)?,
        })
    }

    /// The embedded templates, each replaced by `dir/<name>` when that file exists.
    pub fn with_overrides(dir: &Path) -> Result<Self, RenderError> {
        Ok(Renderer {
            env: environment(Some(dir))?,
        })
    }

    /// Renders a persona at the given detail.
    pub fn render(&self, ctx: &RenderContext<'_>, detail: Detail) -> Result<String, RenderError> {
        let name = match detail {
            Detail::Full => "full.md.j2",
            Detail::Compact => "compact.md.j2",
        };
        let template = self
            .env
            .get_template(name)
            .map_err(|e| RenderError::from_minijinja(&e, name))?;
        let text = template
            .render(Serde(ctx))
            .map_err(|e| RenderError::from_minijinja(&e, name))?;
        Ok(tidy(&text))
    }

    /// Renders an arbitrary template source with the same settings and context, for the unit
    /// tests of the template rules; the binary renders only `prompts/`.
    #[cfg(test)]
    pub fn render_source(
        &self,
        name: &str,
        source: &str,
        ctx: &RenderContext<'_>,
    ) -> Result<String, RenderError> {
        self.env
            .render_named_str(name, source, Serde(ctx))
            .map_err(|e| RenderError::from_minijinja(&e, name))
    }
}

/// Renders a persona at the given detail (compiles the templates, then renders once).
pub fn render(ctx: &RenderContext<'_>, detail: Detail) -> Result<String, RenderError> {
    Renderer::new()?.render(ctx, detail)
}

/// Renders an arbitrary template source with the context; see [`Renderer::render_source`].
#[cfg(test)]
pub fn render_source(
    name: &str,
    source: &str,
    ctx: &RenderContext<'_>,
) -> Result<String, RenderError> {
    Renderer::new()?.render_source(name, source, ctx)
}

/// Collapses runs of blank lines to one and ends with exactly one newline.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank += 1;
            if blank > 1 || out.is_empty() {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> PersonaSpec {
        let text = include_str!("../../personas/mitchell.yaml");
        crate::yaml::from_str(text, std::path::Path::new("mitchell.yaml")).expect("built-in")
    }

    fn ctx<'a>(spec: &'a PersonaSpec, vars: &'a BTreeMap<String, String>) -> RenderContext<'a> {
        RenderContext {
            spec,
            today: "2026-01-02".to_owned(),
            vars,
        }
    }

    #[test]
    fn undefined_variable_is_an_error_that_names_it() {
        let (spec, vars) = (spec(), BTreeMap::new());
        let err = render_source(
            "t.md",
            "ok\n{{ spec.identity.nickname }}",
            &ctx(&spec, &vars),
        )
        .unwrap_err();
        assert_eq!(err.line, Some(2));
        let text = err.to_string();
        assert!(text.contains("spec.identity.nickname"), "{text}");
        assert!(
            text.starts_with("template t.md:2: undefined variable"),
            "{text}"
        );
        let err = render_source("t.md", "{{ nope }}", &ctx(&spec, &vars)).unwrap_err();
        assert!(err.to_string().contains("`nope` is undefined"), "{err}");
    }

    #[test]
    fn undefined_in_a_condition_is_an_error_too() {
        let (spec, vars) = (spec(), BTreeMap::new());
        let err = render_source("t.md", "{% if vars.team %}x{% endif %}", &ctx(&spec, &vars));
        assert!(err.is_err(), "strict mode lets an undefined value through");
    }

    #[test]
    fn user_vars_are_optional_with_is_defined() {
        let spec = spec();
        let src = "{% if vars.team is defined %}team {{ vars.team }}{% else %}none{% endif %}";
        let none = BTreeMap::new();
        assert_eq!(
            render_source("t.md", src, &ctx(&spec, &none)).unwrap(),
            "none"
        );
        let vars = BTreeMap::from([("team".to_owned(), "sre".to_owned())]);
        assert_eq!(
            render_source("t.md", src, &ctx(&spec, &vars)).unwrap(),
            "team sre"
        );
    }

    #[test]
    fn syntax_errors_name_the_template() {
        let (spec, vars) = (spec(), BTreeMap::new());
        let err = render_source("bad.md", "{% if %}", &ctx(&spec, &vars)).unwrap_err();
        assert!(err.to_string().starts_with("template bad.md:1: "), "{err}");
    }

    #[test]
    fn values_are_not_rendered_as_templates_or_escaped() {
        let spec = spec();
        let vars = BTreeMap::from([("x".to_owned(), "{{ 1 + 1 }} <b>&".to_owned())]);
        let out = render_source("t.md", "{{ vars.x }}", &ctx(&spec, &vars)).unwrap();
        assert_eq!(out, "{{ 1 + 1 }} <b>&");
    }

    #[test]
    fn embedded_templates_render_with_the_given_date() {
        let (spec, vars) = (spec(), BTreeMap::new());
        for detail in [Detail::Full, Detail::Compact] {
            let out = render(&ctx(&spec, &vars), detail).unwrap();
            assert!(out.contains("Today's date: 2026-01-02\n"), "{out}");
            assert!(out.ends_with('\n') && !out.ends_with("\n\n"));
            assert!(!out.contains("\n\n\n"));
        }
    }
}
