//! `mitchell postmortem|overview|health-check --from FILE`: the spec's own examples render like
//! the spec, every example file renders (snapshots), JSON round-trips, `-o` and
//! `--print-schema` work, and input errors name file, line and field with exit 2.

#![allow(clippy::unwrap_used)]

use crate::common;

use std::path::{Path, PathBuf};

use common::TestEnv;
use predicates::prelude::*;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn render(env: &TestEnv, args: &[&str]) -> String {
    let out = env
        .cmd()
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).expect("utf-8")
}

/// `## `-level sections, each with its lines' trailing spaces removed.
fn sections(markdown: &str) -> Vec<String> {
    let trimmed: Vec<&str> = markdown.lines().map(str::trim_end).collect();
    trimmed
        .join("\n")
        .split("\n## ")
        .map(|s| s.trim().to_owned())
        .collect()
}

/// Checks `got` against the spec document in `spec_file` section by section (except a section
/// whose heading starts with `skip`) and returns `got`'s sections.
fn assert_sections_like(got: &str, spec_file: &str, skip: Option<&str>) -> Vec<String> {
    let spec = std::fs::read_to_string(repo(spec_file)).unwrap();
    let (got_s, spec_s) = (sections(got), sections(&spec));
    assert_eq!(got_s.len(), spec_s.len(), "number of sections");
    for (g, s) in got_s.iter().zip(&spec_s) {
        if skip.is_some_and(|heading| s.starts_with(heading)) {
            continue;
        }
        assert_eq!(g, s, "section differs from the spec");
    }
    got_s
}

#[test]
fn the_spec_postmortem_renders_the_spec_document_section_by_section() {
    let env = TestEnv::new();
    let example = repo("examples/spec-postmortem.yaml");
    let got = render(&env, &["postmortem", "--from", example.to_str().unwrap()]);
    assert_sections_like(&got, "tests/fixtures/spec-postmortem.md", None);
    insta::assert_snapshot!("spec_postmortem", got);
}

#[test]
fn the_spec_overview_renders_like_the_spec_with_a_drawn_diagram() {
    let env = TestEnv::new();
    let example = repo("examples/infrastructure.yaml");
    let got = render(&env, &["overview", "--from", example.to_str().unwrap()]);
    let got_s = assert_sections_like(
        &got,
        "tests/fixtures/spec-overview.md",
        Some("Architecture Diagram"),
    );
    let diagram = got_s[1].clone();
    // The spec's shape: every box in order, three replicas side by side, arrows between tiers.
    let order = [
        "Client",
        "CloudFront",
        "ALB",
        "Web1",
        "Web2",
        "Web3",
        "RDS",
        "RDS",
    ];
    let mut at = 0;
    for label in order {
        let found = diagram[at..]
            .find(label)
            .unwrap_or_else(|| panic!("{label} in\n{diagram}"));
        at += found + label.len();
    }
    assert!(
        diagram.contains("│ Web1 │  │ Web2 │  │ Web3 │ (Auto-scaling)"),
        "{diagram}"
    );
    assert_eq!(diagram.matches('▼').count(), 7, "{diagram}");
    insta::assert_snapshot!("spec_overview_diagram", diagram);
    insta::assert_snapshot!("spec_overview", got);
}

#[test]
fn the_incident_example_renders() {
    let env = TestEnv::new();
    let example = repo("examples/incident.yaml");
    let got = render(&env, &["postmortem", "--from", example.to_str().unwrap()]);
    assert!(got.contains("- [x] Import remaining certificates into ACM (Mitchell, 2026-03-20)"));
    assert!(got.contains("**Reviewed by**: ___"));
    insta::assert_snapshot!("incident", got);
}

#[test]
fn the_health_check_example_renders_in_markdown_and_json() {
    let env = TestEnv::new();
    let example = repo("examples/health-check.yaml");
    let file = example.to_str().unwrap();
    let now = "2026-11-23T12:00:00Z";
    let md = render(&env, &["health-check", "--from", file, "--now", now]);
    insta::assert_snapshot!("health_check", md);
    let json = render(
        &env,
        &[
            "health-check",
            "--from",
            file,
            "--now",
            now,
            "--format",
            "json",
        ],
    );
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["score"], 4);
    assert_eq!(value["band"], "warning");
    assert_eq!(value["checks"][6]["missing"][0], "diagrams_current");
    insta::assert_snapshot!("health_check_json", json);
}

#[test]
fn json_output_reads_back_as_input_and_o_writes_a_file() {
    let env = TestEnv::new();
    let example = repo("examples/spec-postmortem.yaml");
    let json_path = env.path().join("pm.json");
    env.cmd()
        .args([
            "postmortem",
            "--from",
            example.to_str().unwrap(),
            "--format",
            "json",
            "-o",
        ])
        .arg(&json_path)
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains("wrote"));
    let from_json = render(&env, &["postmortem", "--from", json_path.to_str().unwrap()]);
    let from_yaml = render(&env, &["postmortem", "--from", example.to_str().unwrap()]);
    assert_eq!(from_json, from_yaml);
}

#[test]
fn print_schema_prints_each_documents_json_schema() {
    let env = TestEnv::new();
    for (cmd, key) in [
        ("postmortem", "action_items"),
        ("overview", "components"),
        ("health-check", "last_restore_test"),
    ] {
        let text = render(&env, &[cmd, "--print-schema"]);
        let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(schema["properties"][key].is_object(), "{cmd}: {key}");
        assert_eq!(schema["additionalProperties"], false, "{cmd}");
    }
}

fn write(env: &TestEnv, name: &str, text: &str) -> PathBuf {
    let path = env.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn an_unknown_key_names_file_line_and_field() {
    let env = TestEnv::new();
    let path = write(
        &env,
        "pm.yaml",
        "title: x\ntimeline:\n  - time: '10:00'\n    evnt: oops\n",
    );
    env.cmd()
        .args(["postmortem", "--from"])
        .arg(&path)
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("pm.yaml:4:"))
        .stderr(predicate::str::contains("evnt"));
}

#[test]
fn a_wrong_type_names_file_line_and_field() {
    let env = TestEnv::new();
    let path = write(&env, "h.yaml", "uptime_percent: 99.9\nmanual_tasks: many\n");
    env.cmd()
        .args(["health-check", "--from"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("h.yaml:2:"))
        .stderr(predicate::str::contains("manual_tasks"));
    let path = write(&env, "h.json", "{\n  \"last_backup\": \"yesterday\"\n}\n");
    env.cmd()
        .args(["health-check", "--from"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("h.json:2:"))
        .stderr(predicate::str::contains("field `last_backup`"))
        .stderr(predicate::str::contains("RFC 3339"));
}

#[test]
fn a_cycle_or_an_unknown_id_in_links_is_an_input_error() {
    let env = TestEnv::new();
    let base = "components:\n  - {id: lb, label: LB}\n  - {id: app, label: App}\nlinks:\n";
    let path = write(
        &env,
        "cycle.yaml",
        &format!("{base}  - [lb, app]\n  - [app, lb]\n"),
    );
    env.cmd()
        .args(["overview", "--from"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cycle.yaml:4: links form a cycle: ",
        ))
        .stderr(
            predicate::str::contains("app → lb → app")
                .or(predicate::str::contains("lb → app → lb")),
        );
    let path = write(&env, "unknown.yaml", &format!("{base}  - [lb, db]\n"));
    env.cmd()
        .args(["overview", "--from"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            // The line of the link itself.
            "unknown.yaml:5: links[0]: unknown component id `db` (known: lb, app)",
        ));
}

#[test]
fn a_missing_file_and_a_bad_now_are_usage_errors() {
    let env = TestEnv::new();
    env.cmd()
        .args(["postmortem", "--from", "nope.yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read nope.yaml"));
    let example = repo("examples/health-check.yaml");
    env.cmd()
        .args([
            "health-check",
            "--from",
            example.to_str().unwrap(),
            "--now",
            "tuesday",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--now"));
}
