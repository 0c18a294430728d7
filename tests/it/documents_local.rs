//! Drafting a document with the embedded model (the `local` feature): the JSON Schema becomes a
//! grammar, so the small default model's draft validates and the program scores it.
//!
//! The model is the one the local-engine tests use (`common::local::model_path`: fetched once
//! into `target/test-cache` when missing). A model that cannot be had fails; it never skips.

#![cfg(feature = "local")]
#![allow(clippy::unwrap_used)]

use crate::common;

use common::TestEnv;
use common::local::model_path;

#[test]
fn a_health_check_drafted_by_the_local_model_validates() {
    let env = TestEnv::new();
    let model = model_path();
    let out = env
        .cmd()
        .args(["health-check", "--provider", "local", "--model"])
        .arg(&model)
        .args([
            "--threads",
            "1",
            "--now",
            "2026-11-23T12:00:00Z",
            "--format",
            "json",
        ])
        .arg("This week: uptime 99.95 percent, API latency p95 420 ms, no manual tasks.")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["out_of"], 7, "{report}");
    assert!(report["score"].as_u64().unwrap() <= 7);
    assert!(report["checks"].as_array().unwrap().len() == 7);
}

#[test]
fn a_postmortem_drafted_by_the_local_model_validates() {
    let env = TestEnv::new();
    let model = model_path();
    let out = env
        .cmd()
        .args(["postmortem", "--provider", "local", "--model"])
        .arg(&model)
        .args(["--threads", "1"])
        .arg("At 14:30 the database connection pool ran out; we raised max_connections and recovered at 15:15.")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.starts_with("# Incident Postmortem: "), "{md}");
    assert!(md.contains("## Timeline"), "{md}");
}
