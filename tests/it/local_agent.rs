//! The agent offline: the default model, Qwen2.5-Coder-1.5B-Instruct (a tool-capable chat
//! template), asked "how full is the root disk here?" calls `df` through `run_command` and
//! answers from the real number. Greedy sampling keeps the run repeatable. The model is pulled
//! once into the test cache when no cache has it; without it the test fails and says how to get
//! it.

// Tests: a failed unwrap is a failed test. The engine only exists with the `local` feature.
#![cfg(feature = "local")]
#![allow(clippy::unwrap_used)]

use crate::common;

use common::TestEnv;
use serde_json::Value;

#[test]
fn offline_the_model_calls_df_and_answers_with_the_real_number() {
    let env = TestEnv::new();
    let model = common::local::catalogue_model_path("qwen2.5-coder-1.5b-instruct");
    let out = env
        .cmd()
        .args(["ask", "--provider", "local", "--model"])
        .arg(&model)
        .args(["--temperature", "0", "--max-tokens", "120", "--json"])
        .arg("How full is the root disk here? Give the Use% figure.")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let reply: Value = serde_json::from_slice(&out.stdout).unwrap();
    let steps = reply["steps"].as_array().unwrap();
    assert_eq!(steps[0]["argv"][0], "df", "{reply:#}");
    assert_eq!(steps[0]["decision"], "read-only");
    let df = std::process::Command::new("df")
        .args(["-h", "/"])
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&df.stdout);
    let used = table
        .lines()
        .nth(1)
        .and_then(|l| l.split_whitespace().find(|w| w.ends_with('%')))
        .unwrap()
        .to_owned();
    let text = reply["text"].as_str().unwrap();
    assert!(text.contains(&used), "df says {used}; the answer: {text}");
}
