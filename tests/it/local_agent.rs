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
    // The disk's Use% can move while the model runs (a CI machine filling its disk): the
    // answer must give the figure df gave just before or just after.
    let before = root_use();
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
    let after = root_use();
    let text = reply["text"].as_str().unwrap();
    assert!(
        text.contains(&before) || text.contains(&after),
        "df says {before} (before) / {after} (after); the answer: {text}"
    );
}

/// The root file system's Use% as `df -h /` prints it (`27%`).
fn root_use() -> String {
    let df = std::process::Command::new("df")
        .args(["-h", "/"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&df.stdout)
        .lines()
        .nth(1)
        .and_then(|l| l.split_whitespace().find(|w| w.ends_with('%')))
        .unwrap()
        .to_owned()
}
