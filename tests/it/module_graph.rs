//! The crate's module graph is a DAG with `cli` and `app` on top: read from the `crate::`
//! paths in `src/`, every top-level module's dependencies on the others must form no cycle,
//! and nothing below them may reach up into `cli` or `app`. A failure names the cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The entry points, which may use anything: the binaries (`main.rs`, `bin/`: the engine is
/// its own crate and uses the library's public paths), the library root and the fuzz targets'
/// facade.
const ENTRY: [&str; 4] = ["lib", "main", "bin", "fuzzing"];

/// The modules only the entry points (`lib.rs`, `main.rs`) and each other may use.
const TOP: [&str; 2] = ["app", "cli"];

/// `crate::NAME` paths in `text`, with comments and string literals left out.
fn crate_paths(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for line in text.lines() {
        let code = strip(line);
        let mut rest = code.as_str();
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.insert(name);
            }
            rest = after;
        }
        // `use crate::{a, b::c}` names several modules at once.
        if let Some(group) = code.split("crate::{").nth(1) {
            for part in group.split(',') {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.insert(name);
                }
            }
        }
    }
    found
}

/// The line without its `//` comment and string literals.
fn strip(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '/' if chars.peek() == Some(&'/') => break,
            _ => out.push(c),
        }
    }
    out
}

fn rust_files(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let modules: BTreeSet<String> = files
        .iter()
        .filter_map(|f| {
            let rel = f.strip_prefix(&src).ok()?;
            let first = rel.components().next()?.as_os_str().to_str()?;
            Some(first.trim_end_matches(".rs").to_owned())
        })
        .filter(|m| !ENTRY.contains(&m.as_str()))
        .collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let rel = file.strip_prefix(&src).expect("under src");
        let first = rel.components().next().expect("a component");
        let from = first
            .as_os_str()
            .to_str()
            .expect("utf-8")
            .trim_end_matches(".rs");
        if ENTRY.contains(&from) {
            continue;
        }
        let text = std::fs::read_to_string(file).expect("read a source file");
        let deps = edges.entry(from.to_owned()).or_default();
        for to in crate_paths(&text) {
            if to != from && modules.contains(&to) {
                deps.insert(to);
            }
        }
    }
    edges
}

/// A cycle through `start`, if there is one: the path of module names.
fn cycle(
    edges: &BTreeMap<String, BTreeSet<String>>,
    start: &str,
    at: &str,
    path: &mut Vec<String>,
    seen: &mut BTreeSet<String>,
) -> Option<Vec<String>> {
    for next in edges.get(at).into_iter().flatten() {
        if next == start {
            let mut found = path.clone();
            found.push(start.to_owned());
            return Some(found);
        }
        if seen.insert(next.clone()) {
            path.push(next.clone());
            if let Some(found) = cycle(edges, start, next, path, seen) {
                return Some(found);
            }
            path.pop();
        }
    }
    None
}

#[test]
fn the_module_graph_has_no_cycles() {
    let edges = graph();
    assert!(edges.len() > 10, "the graph was read: {edges:?}");
    for module in edges.keys() {
        let mut path = vec![module.clone()];
        let found = cycle(&edges, module, module, &mut path, &mut BTreeSet::new());
        assert!(
            found.is_none(),
            "a module cycle: {}",
            found.unwrap_or_default().join(" → ")
        );
    }
}

#[test]
fn nothing_below_cli_and_app_reaches_up_into_them() {
    for (from, deps) in graph() {
        if TOP.contains(&from.as_str()) {
            continue;
        }
        for top in TOP {
            assert!(!deps.contains(top), "`{from}` uses `crate::{top}`");
        }
    }
}

#[test]
fn the_reader_sees_paths_and_skips_comments_and_strings() {
    let text = "use crate::config::Settings;\nuse crate::{llm, store::Store};\n\
                // crate::app in a comment\nlet s = \"crate::cli\";\nx(crate::output::Output)";
    let found = crate_paths(text);
    let want: BTreeSet<String> = ["config", "llm", "store", "output"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(found, want);
}
