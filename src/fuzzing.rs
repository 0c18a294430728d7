//! The entry points of the fuzz targets (`fuzz/`): each takes arbitrary bytes, runs one parser
//! the way mitchell runs it on untrusted input, and panics only when a property the parser
//! promises does not hold (a panic inside the parser is a crash too). Not part of the API:
//! hidden from the docs, used by nothing else. Keeps the fuzz crate from reaching into modules.

use std::path::Path;

use crate::documents::{Kind, input};
use crate::llm::http::sse::{SseEvent, SseParser};
use crate::llm::http::{ChunkDecoder, Flow};
use crate::persona::PersonaSpec;
use crate::persona::render::{RenderContext, Renderer};
use crate::tools::gate::{Gate, Verdict};

/// The SSE parser: the body after the first byte, fed whole and fed in pieces whose lengths
/// come from the first byte, must give the same events and the same UTF-8 verdict.
pub fn sse(data: &[u8]) {
    let Some((&seed, body)) = data.split_first() else {
        return;
    };
    let whole = sse_events(body, &[body.len().max(1)]);
    let sizes: Vec<usize> = (0..8).map(|i| usize::from((seed >> i) & 7) + 1).collect();
    let pieces = sse_events(body, &sizes);
    assert_eq!(
        whole, pieces,
        "the events depend on how the bytes were split"
    );
    let bytewise = sse_events(body, &[1]);
    assert_eq!(
        whole, bytewise,
        "the events differ when fed one byte at a time"
    );
}

/// Feeds `body` in pieces of the given lengths (cycled); the events, and whether a line was not
/// UTF-8.
fn sse_events(body: &[u8], sizes: &[usize]) -> (Vec<SseEvent>, bool) {
    let mut parser = SseParser::new();
    let mut out = Vec::new();
    let mut rest = body;
    let mut i = 0;
    while !rest.is_empty() {
        let n = sizes[i % sizes.len()].min(rest.len());
        i += 1;
        let (piece, tail) = rest.split_at(n);
        rest = tail;
        if parser.feed(piece, &mut out).is_err() {
            return (out, true);
        }
    }
    let failed = parser.finish(&mut out).is_err();
    assert!(failed || parser.pending() == 0, "finish left bytes behind");
    (out, failed)
}

/// The chunk decoder: the input split at `0xFF` bytes into event payloads (a leading `0x01`
/// makes one an `event: error`), decoded until the decoder says stop.
pub fn chunk(data: &[u8]) {
    let mut decoder = ChunkDecoder::new();
    let mut out = Vec::new();
    for part in data.split(|&b| b == 0xFF) {
        let (event, payload) = match part.split_first() {
            Some((1, rest)) => ("error", rest),
            _ => ("", part),
        };
        let sse = SseEvent {
            event: event.to_owned(),
            data: String::from_utf8_lossy(payload).into_owned(),
            error: None,
        };
        if decoder.event(&sse, &mut out) == Flow::Stop {
            break;
        }
    }
    if decoder.done {
        assert!(decoder.finished(), "[DONE] without a finish");
    }
}

/// A persona file: parsed as `--persona file.yaml` parses it; a spec that parses is rendered at
/// both detail levels with the built-in templates.
pub fn persona(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(spec) = crate::yaml::from_str::<PersonaSpec>(text, Path::new("fuzz.yaml")) else {
        return;
    };
    let vars = std::collections::BTreeMap::new();
    let ctx = RenderContext {
        spec: &spec,
        today: "2026-01-01".to_owned(),
        vars: &vars,
    };
    let Ok(renderer) = Renderer::new() else {
        panic!("the built-in templates load");
    };
    for detail in [
        crate::persona::Detail::Full,
        crate::persona::Detail::Compact,
    ] {
        let _ = renderer.render(&ctx, detail);
    }
}

/// A document input (`postmortem`, `overview`, `health-check` `--input`), as YAML and as JSON;
/// an error must say where and what in one line.
pub fn document(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for kind in [Kind::Postmortem, Kind::Overview, Kind::HealthCheck] {
        for file in ["fuzz.yaml", "fuzz.json"] {
            if let Err(err) = input::parse(kind, text, Path::new(file)) {
                assert!(!err.to_string().is_empty(), "an empty error");
            }
        }
    }
}

/// The GGUF header reader on a file of these bytes.
pub fn gguf(data: &[u8]) {
    #[cfg(not(feature = "local"))]
    use crate::llm::gguf::inspect_reader;
    #[cfg(feature = "local")]
    use crate::llm::local::gguf::inspect_reader;
    let len = u64::try_from(data.len()).unwrap_or(u64::MAX);
    let _ = inspect_reader(data, len, "fuzz.gguf");
}

/// The REPL's slash-command parser.
pub fn slash_command(data: &[u8]) {
    let Ok(line) = std::str::from_utf8(data) else {
        return;
    };
    let _ = crate::app::repl::command::parse(line);
}

/// The agent's command gate. Property: a line judged read-only has, outside quotes, no `;`,
/// `&`, redirection, newline, `$(`, backtick or `$` expansion (none of these inside double
/// quotes either where the shell would expand them), and each program after a `|` is one of
/// the read-only filters, the pipeline having exactly one program more than the line has
/// unquoted `|`.
pub fn gate(data: &[u8], gate: &Gate) {
    let Ok(line) = std::str::from_utf8(data) else {
        return;
    };
    let judged = gate.judge(line);
    if judged.verdict != Verdict::ReadOnly {
        return;
    }
    // The gate trims the line (surrounding whitespace, `\r` included, never reaches a program).
    let pipes = match unquoted_danger(line.trim()) {
        Ok(pipes) => pipes,
        Err(what) => panic!("judged read-only but has {what}: {line:?}"),
    };
    assert_eq!(
        judged.pipeline.len(),
        pipes + 1,
        "judged read-only, {pipes} unquoted `|` but {} programs: {line:?}",
        judged.pipeline.len()
    );
    for argv in judged.pipeline.iter().skip(1) {
        let program = argv.first().map_or("", String::as_str);
        assert!(
            gate.filters().iter().any(|f| f == program),
            "judged read-only with `{program}` after `|`: {line:?}"
        );
    }
}

/// An independent reading of `line` as POSIX sh would quote it: the number of unquoted `|`, or
/// the first piece of syntax a shell would act on.
fn unquoted_danger(line: &str) -> Result<usize, &'static str> {
    let mut pipes = 0;
    let mut chars = line.chars().peekable();
    let mut quote = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some('\''), '\'') => quote = None,
            (Some('\''), _) => {}
            (Some(_), '"') => quote = None,
            (Some(_), '\\') => {
                chars.next();
            }
            (Some(_), '$') => return Err("a `$` inside double quotes"),
            (Some(_), '`') => return Err("a backtick inside double quotes"),
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '\\') => {
                chars.next();
            }
            (None, ';') => return Err("`;`"),
            (None, '&') => return Err("`&`"),
            (None, '>' | '<') => return Err("a redirection"),
            (None, '$') => return Err("`$`"),
            (None, '`') => return Err("a backtick"),
            (None, '\n' | '\r') => return Err("a newline"),
            (None, '(' | ')') => return Err("a subshell"),
            (None, '|') => pipes += 1,
            (None, _) => {}
        }
    }
    Ok(pipes)
}

#[cfg(test)]
mod tests {
    use super::*;

    type Target<'a> = (&'a str, &'a dyn Fn(&[u8]));

    /// Every committed seed (and every crash the fuzzers found, kept as `seed-crash-*`) passes
    /// its target's properties: the fuzz targets' regression net, run by `cargo test`.
    #[test]
    fn every_seed_of_the_fuzz_corpora_passes_its_target() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
        let the_gate = Gate::new(&[], &[]);
        let targets: [Target<'_>; 7] = [
            ("sse", &sse),
            ("chunk", &chunk),
            ("persona", &persona),
            ("document", &document),
            ("gguf", &gguf),
            ("slash_command", &slash_command),
            ("gate", &|data| gate(data, &the_gate)),
        ];
        for (name, target) in targets {
            let mut seeds = 0;
            for entry in std::fs::read_dir(root.join(name)).unwrap() {
                let path = entry.unwrap().path();
                if path
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("seed-")
                {
                    target(&std::fs::read(&path).unwrap());
                    seeds += 1;
                }
            }
            assert!(seeds > 0, "no seeds for {name}");
        }
    }

    #[test]
    fn the_gate_property_catches_what_it_promises() {
        assert_eq!(unquoted_danger("grep 'a;b' x | wc -l"), Ok(1));
        assert_eq!(unquoted_danger(r"echo \; ok"), Ok(0));
        assert!(unquoted_danger("ls; rm x").is_err());
        assert!(unquoted_danger("ls > x").is_err());
        assert!(unquoted_danger("echo \"$(id)\"").is_err());
        assert!(unquoted_danger("echo `id`").is_err());
        assert!(unquoted_danger("echo '$(id)'").is_ok());
    }
}
