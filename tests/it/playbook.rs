//! The playbook through the binary: `persona recall` ranks the built-in persona's positions on
//! known questions; `ask --dry-run` carries them (after the persona's system prompt, before the
//! question) for the local provider in `auto` mode and not for HTTP, `--playbook on/off` and
//! `playbook:` in the config file override that; a persona without positions still works; a
//! misspelt `topics` key is an error; the local engine's persona prefix cache still hits with the
//! playbook in the request.

#![allow(clippy::unwrap_used)]

use crate::common;

use common::TestEnv;
use predicates::prelude::*;
use serde_json::Value;

fn recall(env: &TestEnv, question: &str) -> Value {
    common::json_of(env.cmd().args(["persona", "recall", "--json", question]))
}

fn sections(v: &Value) -> Vec<String> {
    v["picked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["section"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn recall_picks_the_kubernetes_hot_take_and_the_small_team_choice() {
    let env = TestEnv::new();
    let v = recall(&env, "five engineers three services kubernetes?");
    let s = sections(&v);
    let top2 = &s[..2];
    assert!(top2.iter().any(|x| x == "Hot take"), "{s:?}");
    assert!(
        top2.iter().any(|x| x.contains("Small Teams (<10 devs)")),
        "the small-team orchestration choice is at the top: {s:?}"
    );
    let picked = v["picked"].as_array().unwrap();
    let hot = picked.iter().find(|p| p["section"] == "Hot take").unwrap();
    let text = hot["text"].as_str().unwrap();
    assert!(
        text.contains(">20 services") && text.contains("overkill"),
        "{text}"
    );
    let small = picked
        .iter()
        .find(|p| p["section"].as_str().unwrap().contains("Small"))
        .unwrap();
    let matched = small["matched"].as_array().unwrap();
    assert!(
        matched.iter().any(|m| m == "5 people") && matched.iter().any(|m| m == "kubernet"),
        "the team size and the word explain the pick: {matched:?}"
    );
}

#[test]
fn recall_picks_vault_for_production_secrets() {
    let env = TestEnv::new();
    let v = recall(&env, "where do production secrets live");
    assert_eq!(sections(&v)[0], "Tech stack: Secrets Management");
    assert!(v["picked"][0]["text"].as_str().unwrap().contains("Vault"));
}

#[test]
fn recall_finds_each_kind_of_position() {
    let env = TestEnv::new();
    for (question, section) in [
        (
            "What uptime target should we aim for?",
            "Trait: Reliability-Focused",
        ),
        (
            "We keep running out of database connections",
            "Database scaling: Phase 4",
        ),
        (
            "losing transactions is unacceptable for our fintech",
            "Disaster recovery: Tier 2",
        ),
        (
            "Should an early startup do chaos engineering?",
            "Reliability ladder",
        ),
        (
            "our AWS bill is $5000 a month",
            "With Jason: Cost Optimization",
        ),
        (
            "our end-to-end tests are flaky",
            "With Kent Beck: Testing Infrastructure",
        ),
    ] {
        let s = sections(&recall(&env, question));
        assert!(
            s.iter().take(2).any(|x| x.starts_with(section)),
            "{question}: {s:?}"
        );
    }
}

#[test]
fn recall_stays_in_budget_and_prints_a_readable_table() {
    let env = TestEnv::new();
    let out = env
        .cmd()
        .args(["persona", "recall", "--budget", "60"])
        .arg("how should we scale the postgres database as users grow?")
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("Database scaling"), "{stdout}");
    assert!(
        stdout.contains("tok") && stdout.contains("matched:"),
        "{stdout}"
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("of 60 tokens"), "{stderr}");
    let v = {
        let out = env
            .cmd()
            .args(["persona", "recall", "--json", "--budget", "60"])
            .arg("how should we scale the postgres database as users grow?")
            .output()
            .unwrap();
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let used: u64 = v["picked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["tokens"].as_u64().unwrap())
        .sum();
    assert!(used <= 60 && used > 0, "{v}");
    assert_eq!(v["budget"], 60);
}

fn dry_run(env: &TestEnv, args: &[&str]) -> Vec<Value> {
    let v: Value = common::json_of(
        env.cmd()
            .args(["ask", "--dry-run"])
            .args(args)
            .arg("Where should our production secrets live?"),
    );
    let messages = v
        .get("messages")
        .or_else(|| v["body"].get("messages"))
        .unwrap_or_else(|| panic!("no messages in {v}"));
    messages.as_array().unwrap().clone()
}

fn has_playbook(messages: &[Value]) -> bool {
    messages.iter().any(|m| {
        m["content"]
            .as_str()
            .unwrap()
            .starts_with("Positions you hold")
    })
}

fn local_model() -> String {
    common::local::model_path().to_string_lossy().into_owned()
}

#[test]
fn dry_run_shows_the_playbook_for_the_local_provider_after_the_persona() {
    let env = TestEnv::new();
    let model = local_model();
    let m = dry_run(&env, &["--provider", "local", "--model", &model]);
    assert_eq!(m.len(), 3, "{m:?}");
    assert_eq!(m[0]["role"], "system");
    assert!(
        !has_playbook(&m[..1]),
        "the persona prompt stays first and unchanged"
    );
    assert_eq!(m[1]["role"], "system");
    let playbook = m[1]["content"].as_str().unwrap();
    assert!(playbook.starts_with("Positions you hold"), "{playbook}");
    assert!(
        playbook.contains("[Tech stack: Secrets Management]"),
        "{playbook}"
    );
    assert!(playbook.contains("Vault"), "{playbook}");
    assert_eq!(m[2]["role"], "user");

    let off = dry_run(
        &env,
        &[
            "--provider",
            "local",
            "--model",
            &model,
            "--playbook",
            "off",
        ],
    );
    assert_eq!(off.len(), 2, "{off:?}");
    assert!(!has_playbook(&off));
}

#[test]
fn dry_run_for_http_has_no_playbook_unless_asked() {
    let env = TestEnv::new();
    let base = ["--base-url", "http://127.0.0.1:9/v1", "--model", "m"];
    let auto = dry_run(&env, &base);
    assert!(!has_playbook(&auto), "{auto:?}");
    let on = dry_run(&env, &[&base[..], &["--playbook", "on"]].concat());
    assert!(has_playbook(&on), "{on:?}");
    assert_eq!(on.last().unwrap()["role"], "user");

    env.write_config("playbook: on\nplaybook_budget: 50\n");
    let file_on = dry_run(&env, &base);
    let text = file_on
        .iter()
        .find_map(|m| {
            m["content"]
                .as_str()
                .filter(|c| c.starts_with("Positions you hold"))
        })
        .expect("playbook from the config file");
    let positions = text.lines().filter(|l| l.starts_with("- [")).count();
    assert!(positions >= 1 && text.len() < 50 * 4 + 200, "{text}");
    env.cmd()
        .args(["config", "show"])
        .assert()
        .success()
        .stdout(predicate::str::contains("playbook ").and(predicate::str::contains("on")));
}

#[test]
fn bad_playbook_values_are_usage_errors() {
    let env = TestEnv::new();
    env.cmd()
        .args(["ask", "--dry-run", "--playbook", "sometimes", "hi"])
        .assert()
        .code(2);
    env.write_config("playbook: maybe\n");
    env.cmd()
        .args([
            "ask",
            "--dry-run",
            "--base-url",
            "http://127.0.0.1:9/v1",
            "hi",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("config.yaml:1:").and(predicate::str::contains("maybe")));
}

const BARE_PERSONA: &str = "name: bare\nsummary: a persona with no positions\nidentity:\n  name: Bare\n  role: Tester\n  philosophy: Keep it simple.\n  mission: Answer briefly.\npriorities:\n  - { name: Clarity, why: Be understood }\n";

#[test]
fn a_persona_without_positions_still_works() {
    let env = TestEnv::new();
    let file = env.path().join("bare.yaml");
    std::fs::write(&file, BARE_PERSONA).unwrap();
    let persona = file.to_string_lossy().into_owned();
    env.cmd()
        .args(["--persona", &persona, "persona", "recall", "kubernetes?"])
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains(
            "no position bears on this question",
        ));
    let model = local_model();
    let out = env
        .cmd()
        .args([
            "--persona",
            &persona,
            "ask",
            "--dry-run",
            "--provider",
            "local",
        ])
        .args(["--model", &model, "kubernetes?"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["messages"].as_array().unwrap().len(), 2, "{v}");
}

#[test]
fn topics_are_typed_and_a_misspelt_key_is_an_error() {
    let env = TestEnv::new();
    let good = BARE_PERSONA.replace(
        "priorities:",
        "traits:\n  - name: Careful\n    description: Checks twice\n    topics: [review, double-check]\npriorities:",
    );
    let file = env.path().join("p.yaml");
    std::fs::write(&file, &good).unwrap();
    let persona = file.to_string_lossy().into_owned();
    let v: Value = serde_json::from_slice(
        &env.cmd()
            .args([
                "--persona",
                &persona,
                "persona",
                "recall",
                "--json",
                "please double-check",
            ])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(v["picked"][0]["section"], "Trait: Careful", "{v}");

    std::fs::write(&file, good.replace("topics:", "topic:")).unwrap();
    env.cmd()
        .args(["persona", "check"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("topic").and(predicate::str::contains("p.yaml:")));
}

#[test]
fn the_persona_prefix_cache_still_hits_with_the_playbook() {
    let env = TestEnv::new();
    let model = local_model();
    let ask = |question: &str| -> Value {
        common::json_of(
            env.cmd()
                .args([
                    "ask",
                    "--provider",
                    "local",
                    "--model",
                    &model,
                    "--threads",
                    "1",
                ])
                .args([
                    "--temperature",
                    "0",
                    "--max-tokens",
                    "4",
                    "--json",
                    "--playbook",
                    "on",
                ])
                .arg(question),
        )
    };
    let first = ask("Where should production secrets live?");
    assert_eq!(
        first["usage"]["prompt_eval_tokens"], first["usage"]["prompt_tokens"],
        "a cold run evaluates everything"
    );
    let second = ask("Should a five-person startup use Kubernetes?");
    let total = second["usage"]["prompt_tokens"].as_u64().unwrap();
    let evaluated = second["usage"]["prompt_eval_tokens"].as_u64().unwrap();
    // Only the playbook and the question are evaluated; the persona prefix is loaded.
    assert!(
        evaluated < total && total - evaluated >= 200,
        "the persona prefix should come from the cache: {second}"
    );
}
