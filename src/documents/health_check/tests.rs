//! Unit tests of the scoring: every boundary the spec sets, and missing values.

#![allow(clippy::unnecessary_wraps)]

use super::*;

fn now() -> Timestamp {
    "2026-11-23T12:00:00Z".parse().unwrap()
}

fn at(text: &str) -> Option<Rfc3339> {
    Some(Rfc3339(text.parse().unwrap()))
}

fn all_good() -> HealthCheck {
    HealthCheck {
        uptime_percent: Some(99.95),
        api_latency_p95_ms: Some(320.0),
        page_load_s: Some(1.8),
        critical_vulnerabilities: Some(0),
        secrets_rotated: Some(true),
        monthly_budget: Some(3000.0),
        actual_spend: Some(2900.0),
        last_backup: at("2026-11-23T03:00:00Z"),
        last_restore_test: at("2026-11-01T10:00:00Z"),
        manual_tasks: Some(0),
        new_automations: Some(2),
        runbooks_current: Some(true),
        diagrams_current: Some(true),
    }
}

fn passed(h: &HealthCheck, name: &str) -> bool {
    h.score(now())
        .checks
        .iter()
        .find(|c| c.name == name)
        .unwrap()
        .passed
}

#[test]
fn all_good_is_excellent() {
    let r = all_good().score(now());
    assert_eq!((r.score, r.band), (7, Band::Excellent));
}

#[test]
fn boundaries() {
    let mut h = all_good();
    h.uptime_percent = Some(99.9);
    assert!(passed(&h, "Uptime"));
    h.uptime_percent = Some(99.89);
    assert!(!passed(&h, "Uptime"));

    let mut h = all_good();
    h.api_latency_p95_ms = Some(500.0);
    assert!(!passed(&h, "Performance"));
    h.api_latency_p95_ms = Some(499.9);
    assert!(passed(&h, "Performance"));
    h.page_load_s = Some(3.0);
    assert!(!passed(&h, "Performance"));

    let mut h = all_good();
    for (budget, spend) in [(3000.0, 3300.0), (1000.0, 1100.0), (3.0, 3.3), (0.3, 0.33)] {
        h.monthly_budget = Some(budget);
        h.actual_spend = Some(spend);
        assert!(passed(&h, "Costs"), "{budget} {spend}");
    }
    h.monthly_budget = Some(3000.0);
    h.actual_spend = Some(3300.01);
    assert!(!passed(&h, "Costs"));

    let mut h = all_good();
    h.last_backup = at("2026-11-22T12:00:00Z");
    assert!(!passed(&h, "Backups"), "exactly 24 h is not under 24 h");
    h.last_backup = at("2026-11-22T12:00:01Z");
    assert!(passed(&h, "Backups"));
    h.last_restore_test = at("2026-10-24T12:00:00Z");
    assert!(
        !passed(&h, "Backups"),
        "exactly 30 days is not under 30 days"
    );
    h.last_restore_test = at("2026-10-24T12:00:01Z");
    assert!(passed(&h, "Backups"));
}

#[test]
fn missing_values_show_blanks_and_fail() {
    let r = HealthCheck::default().score(now());
    assert_eq!((r.score, r.band), (0, Band::Critical));
    let md = r.to_markdown();
    assert!(md.contains("Actual: ___%"), "{md}");
    assert!(
        md.contains("Last successful backup: ___ (should be <24h)"),
        "{md}"
    );
    assert!(
        md.contains("SCORE: 0/7 — Critical, urgent attention required"),
        "{md}"
    );
    assert_eq!(r.checks[0].missing, ["uptime_percent"]);
}

#[test]
fn bands() {
    assert_eq!(Band::of(6), Band::Good);
    assert_eq!(Band::of(5), Band::Good);
    assert_eq!(Band::of(4), Band::Warning);
    assert_eq!(Band::of(3), Band::Warning);
    assert_eq!(Band::of(2), Band::Critical);
}
