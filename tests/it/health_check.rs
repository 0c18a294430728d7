//! `mitchell health-check --from FILE --now T`: each scoring boundary the spec sets (exactly
//! 99.9 %, exactly 500 ms, exactly 10 % over budget, 24 h, 30 days), missing values, bands.

#![allow(clippy::unwrap_used)]

use crate::common;

use std::fmt::Write as _;

use common::TestEnv;

const NOW: &str = "2026-11-23T12:00:00Z";

/// Every check passing; each test overrides one line.
const GOOD: &[(&str, &str)] = &[
    ("uptime_percent", "99.95"),
    ("api_latency_p95_ms", "320"),
    ("page_load_s", "1.8"),
    ("critical_vulnerabilities", "0"),
    ("secrets_rotated", "true"),
    ("monthly_budget", "3000"),
    ("actual_spend", "2900"),
    ("last_backup", "2026-11-23T03:00:00Z"),
    ("last_restore_test", "2026-11-01T10:00:00Z"),
    ("manual_tasks", "0"),
    ("new_automations", "1"),
    ("runbooks_current", "true"),
    ("diagrams_current", "true"),
];

/// Scores the GOOD values with `changes` applied (a `None` value removes the key); returns the
/// JSON report.
fn score(changes: &[(&str, Option<&str>)]) -> serde_json::Value {
    let env = TestEnv::new();
    let mut yaml = String::new();
    for (key, value) in GOOD {
        let value = match changes.iter().find(|(k, _)| k == key) {
            Some((_, v)) => *v,
            None => Some(*value),
        };
        if let Some(v) = value {
            let _ = writeln!(yaml, "{key}: {v}");
        }
    }
    let path = env.path().join("week.yaml");
    std::fs::write(&path, yaml).unwrap();
    common::json_of(
        env.cmd()
            .args(["health-check", "--format", "json", "--now", NOW, "--from"])
            .arg(&path),
    )
}

/// Whether check `name` passes when `key` alone is changed to `value`.
fn passes_with(key: &str, value: &str, name: &str) -> bool {
    passed(&score(&[(key, Some(value))]), name)
}

/// The report's score and band.
fn score_and_band(report: &serde_json::Value) -> (Option<u64>, Option<&str>) {
    (report["score"].as_u64(), report["band"].as_str())
}

fn passed(report: &serde_json::Value, name: &str) -> bool {
    let checks = report["checks"].as_array().unwrap();
    let check = checks.iter().find(|c| c["name"] == name).unwrap();
    check["passed"].as_bool().unwrap()
}

#[test]
fn all_good_is_seven_of_seven() {
    let r = score(&[]);
    assert_eq!(score_and_band(&r), (Some(7), Some("excellent")));
}

#[test]
fn uptime_of_exactly_99_9_passes() {
    assert!(passes_with("uptime_percent", "99.9", "Uptime"));
    assert!(!passes_with("uptime_percent", "99.89", "Uptime"));
}

#[test]
fn p95_of_exactly_500_ms_fails_and_page_load_of_3_s_fails() {
    assert!(!passes_with("api_latency_p95_ms", "500", "Performance"));
    assert!(passes_with("api_latency_p95_ms", "499.9", "Performance"));
    assert!(!passes_with("page_load_s", "3", "Performance"));
}

#[test]
fn spend_exactly_10_percent_over_passes() {
    let r = score(&[("actual_spend", Some("3300"))]);
    assert!(passed(&r, "Costs"));
    let costs = &r["checks"][3]["details"][2];
    assert_eq!(costs, "Variance: +10.0% (flag if >10%)");
    assert!(!passes_with("actual_spend", "3300.5", "Costs"));
}

#[test]
fn a_backup_exactly_24_h_old_fails() {
    assert!(!passes_with(
        "last_backup",
        "2026-11-22T12:00:00Z",
        "Backups"
    ));
    assert!(passes_with(
        "last_backup",
        "2026-11-22T12:00:01Z",
        "Backups"
    ));
}

#[test]
fn a_restore_test_exactly_30_days_old_fails() {
    assert!(!passes_with(
        "last_restore_test",
        "2026-10-24T12:00:00Z",
        "Backups"
    ));
    assert!(passes_with(
        "last_restore_test",
        "2026-10-24T12:00:01Z",
        "Backups"
    ));
}

#[test]
fn missing_values_show_blanks_and_fail_their_check() {
    let r = score(&[
        ("uptime_percent", None),
        ("last_backup", None),
        ("diagrams_current", None),
    ]);
    assert!(!passed(&r, "Uptime"));
    assert!(!passed(&r, "Backups"));
    assert!(!passed(&r, "Documentation"));
    assert_eq!(score_and_band(&r), (Some(4), Some("warning")));

    let env = TestEnv::new();
    let path = env.path().join("empty.yaml");
    std::fs::write(&path, "{}\n").unwrap();
    let md = common::stdout_of(
        env.cmd()
            .args(["health-check", "--now", NOW, "--from"])
            .arg(&path),
    );
    assert!(md.contains("└─ Actual: ___%"), "{md}");
    assert!(md.contains("Actual spend: $___"), "{md}");
    assert!(
        md.contains("Last tested restore: ___ (should be <30 days)"),
        "{md}"
    );
    assert_eq!(md.matches('❌').count(), 7, "{md}");
    assert!(
        md.ends_with("SCORE: 0/7 — Critical, urgent attention required\n"),
        "{md}"
    );
}

#[test]
fn bands_follow_the_score() {
    let r = score(&[
        ("manual_tasks", Some("3")),
        ("secrets_rotated", Some("false")),
    ]);
    assert_eq!(score_and_band(&r), (Some(5), Some("good")));
    let r = score(&[
        ("manual_tasks", Some("3")),
        ("secrets_rotated", Some("false")),
        ("uptime_percent", Some("99.0")),
    ]);
    assert_eq!(score_and_band(&r), (Some(4), Some("warning")));
    let r = score(&[
        ("manual_tasks", Some("3")),
        ("secrets_rotated", Some("false")),
        ("uptime_percent", Some("99.0")),
        ("page_load_s", Some("4")),
        ("actual_spend", Some("5000")),
    ]);
    assert_eq!(score_and_band(&r), (Some(2), Some("critical")));
}
