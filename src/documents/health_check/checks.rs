//! The seven checks of the health check, one method each, and the formatting of their
//! `└─` lines. The pass rules are the module doc's; missing values fail.

use jiff::Timestamp;

use super::{BLANK, Check, HealthCheck, Rfc3339};

const DAY: i64 = 24 * 3600;

/// A number as written: `3000`, `99.95`.
pub(super) fn num(v: Option<f64>) -> String {
    v.map_or_else(|| BLANK.to_owned(), |v| format!("{v}"))
}

pub(super) fn count(v: Option<u32>) -> String {
    v.map_or_else(|| BLANK.to_owned(), |v| v.to_string())
}

pub(super) fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "Yes",
        Some(false) => "No",
        None => BLANK,
    }
}

/// Seconds between `then` and `now` (negative when `then` is in the future).
pub(super) fn age(then: Option<Rfc3339>, now: Timestamp) -> Option<i64> {
    then.map(|t| now.as_second() - t.0.as_second())
}

pub(super) fn describe_age(then: Option<Rfc3339>, now: Timestamp) -> String {
    match (then, age(then, now)) {
        (Some(t), Some(secs)) if secs < 0 => format!("{} (in the future)", t.0),
        (Some(t), Some(secs)) if secs < 3600 => format!("{} ({} min ago)", t.0, secs / 60),
        (Some(t), Some(secs)) if secs < 2 * DAY => format!("{} ({} h ago)", t.0, secs / 3600),
        (Some(t), Some(secs)) => format!("{} ({} days ago)", t.0, secs / DAY),
        _ => BLANK.to_owned(),
    }
}

pub(super) fn check(
    name: &'static str,
    passed: bool,
    missing: Vec<Option<&'static str>>,
    details: Vec<String>,
) -> Check {
    let missing: Vec<&'static str> = missing.into_iter().flatten().collect();
    Check {
        name,
        passed: passed && missing.is_empty(),
        missing,
        details,
    }
}

/// `Some(key)` when the value is missing.
pub(super) fn gap<T>(key: &'static str, v: Option<&T>) -> Option<&'static str> {
    v.is_none().then_some(key)
}

impl HealthCheck {
    pub(super) fn uptime(&self) -> Check {
        check(
            "Uptime",
            self.uptime_percent.is_some_and(|u| u >= 99.9),
            vec![gap("uptime_percent", self.uptime_percent.as_ref())],
            vec![
                "Target: 99.9% (43 min downtime/month)".to_owned(),
                format!("Actual: {}%", num(self.uptime_percent)),
            ],
        )
    }

    pub(super) fn performance(&self) -> Check {
        check(
            "Performance",
            self.api_latency_p95_ms.is_some_and(|v| v < 500.0)
                && self.page_load_s.is_some_and(|v| v < 3.0),
            vec![
                gap("api_latency_p95_ms", self.api_latency_p95_ms.as_ref()),
                gap("page_load_s", self.page_load_s.as_ref()),
            ],
            vec![
                format!(
                    "API latency p95: Target <500ms, Actual: {}ms",
                    num(self.api_latency_p95_ms)
                ),
                format!(
                    "Page load time: Target <3s, Actual: {}s",
                    num(self.page_load_s)
                ),
            ],
        )
    }

    pub(super) fn security(&self) -> Check {
        check(
            "Security",
            self.critical_vulnerabilities == Some(0) && self.secrets_rotated == Some(true),
            vec![
                gap(
                    "critical_vulnerabilities",
                    self.critical_vulnerabilities.as_ref(),
                ),
                gap("secrets_rotated", self.secrets_rotated.as_ref()),
            ],
            vec![
                format!(
                    "Critical vulnerabilities: Target 0, Actual: {}",
                    count(self.critical_vulnerabilities)
                ),
                format!("Secrets rotated: {}", yes_no(self.secrets_rotated)),
            ],
        )
    }

    pub(super) fn costs(&self) -> Check {
        let variance = match (self.monthly_budget, self.actual_spend) {
            (Some(budget), Some(spend)) if budget > 0.0 => Some((spend - budget) / budget * 100.0),
            _ => None,
        };
        check(
            "Costs",
            // At most 10 % over; the epsilon keeps exactly 10.0 % from failing on rounding.
            variance.is_some_and(|v| v <= 10.0 + 1e-9),
            vec![
                gap("monthly_budget", self.monthly_budget.as_ref()),
                gap("actual_spend", self.actual_spend.as_ref()),
            ],
            vec![
                format!("Monthly budget: ${}", num(self.monthly_budget)),
                format!("Actual spend: ${}", num(self.actual_spend)),
                format!(
                    "Variance: {}% (flag if >10%)",
                    variance.map_or_else(|| BLANK.to_owned(), |v| format!("{v:+.1}"))
                ),
            ],
        )
    }

    pub(super) fn backups(&self, now: Timestamp) -> Check {
        let backup_age = age(self.last_backup, now);
        let restore_age = age(self.last_restore_test, now);
        check(
            "Backups",
            backup_age.is_some_and(|a| (0..DAY).contains(&a))
                && restore_age.is_some_and(|a| (0..30 * DAY).contains(&a)),
            vec![
                gap("last_backup", self.last_backup.as_ref()),
                gap("last_restore_test", self.last_restore_test.as_ref()),
            ],
            vec![
                format!(
                    "Last successful backup: {} (should be <24h)",
                    describe_age(self.last_backup, now)
                ),
                format!(
                    "Last tested restore: {} (should be <30 days)",
                    describe_age(self.last_restore_test, now)
                ),
            ],
        )
    }

    pub(super) fn automation(&self) -> Check {
        check(
            "Automation",
            self.manual_tasks == Some(0),
            vec![gap("manual_tasks", self.manual_tasks.as_ref())],
            vec![
                format!(
                    "Manual tasks this week: {} (goal: 0)",
                    count(self.manual_tasks)
                ),
                format!("New automations added: {}", count(self.new_automations)),
            ],
        )
    }

    pub(super) fn documentation(&self) -> Check {
        check(
            "Documentation",
            self.runbooks_current == Some(true) && self.diagrams_current == Some(true),
            vec![
                gap("runbooks_current", self.runbooks_current.as_ref()),
                gap("diagrams_current", self.diagrams_current.as_ref()),
            ],
            vec![
                format!("Runbooks up-to-date: {}", yes_no(self.runbooks_current)),
                format!(
                    "Architecture diagrams current: {}",
                    yes_no(self.diagrams_current)
                ),
            ],
        )
    }
}
