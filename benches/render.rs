//! Criterion benchmark: rendering the built-in persona. The full render must stay under 1 ms.
//! Run with `cargo bench --no-default-features --bench render`.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use mitchell::persona::render::{self, Renderer};
use mitchell::persona::{Detail, PersonaSpec, RenderContext, load};

fn parse_spec() -> PersonaSpec {
    let (_, text) = load::BUILTIN[0];
    mitchell::yaml::from_str(text, Path::new("mitchell.yaml")).expect("the built-in persona parses")
}

fn bench_render(c: &mut Criterion) {
    let spec = parse_spec();
    let vars = BTreeMap::from([("company".to_owned(), "Acme".to_owned())]);
    let ctx = RenderContext {
        spec: &spec,
        today: "2026-01-02".to_owned(),
        vars: &vars,
    };
    let renderer = Renderer::new().expect("templates compile");
    c.bench_function("render full", |b| {
        b.iter(|| {
            renderer
                .render(black_box(&ctx), Detail::Full)
                .expect("renders")
        });
    });
    c.bench_function("render compact", |b| {
        b.iter(|| {
            renderer
                .render(black_box(&ctx), Detail::Compact)
                .expect("renders")
        });
    });
    c.bench_function("compile templates + render full", |b| {
        b.iter(|| render::render(black_box(&ctx), Detail::Full).expect("renders"));
    });
    c.bench_function("parse + render full", |b| {
        b.iter(|| {
            let spec = parse_spec();
            let ctx = RenderContext {
                spec: &spec,
                today: "2026-01-02".to_owned(),
                vars: &vars,
            };
            render::render(black_box(&ctx), Detail::Full).expect("renders")
        });
    });
}

criterion_group!(benches, bench_render);
criterion_main!(benches);
