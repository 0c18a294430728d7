//! The weekly infrastructure health check: its typed input (every key optional), the scoring —
//! computed here, never asked of a model — and the checklist in the spec's layout. Pure: the
//! current time is a parameter.
//!
//! A check passes when: uptime ≥ 99.9 %; p95 < 500 ms and page load < 3 s; 0 critical
//! vulnerabilities and secrets rotated; spend at most 10 % over budget; last backup under 24 h
//! old and last tested restore under 30 days old; 0 manual tasks; runbooks and diagrams both
//! current. A missing value shows as `___` and fails its check.

use std::fmt::Write as _;

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::markdown::BLANK;
use super::timestamp::Rfc3339;

/// The measured values of one week. Every key is optional; a missing one fails its check.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct HealthCheck {
    /// Uptime over the last month, in percent (target ≥ 99.9).
    pub uptime_percent: Option<f64>,
    /// API latency p95, in milliseconds (target < 500).
    pub api_latency_p95_ms: Option<f64>,
    /// Page load time, in seconds (target < 3).
    pub page_load_s: Option<f64>,
    /// Open critical vulnerabilities (target 0).
    pub critical_vulnerabilities: Option<u32>,
    /// Were secrets rotated on schedule?
    pub secrets_rotated: Option<bool>,
    /// Monthly budget, in dollars.
    pub monthly_budget: Option<f64>,
    /// Actual spend this month, in dollars (at most 10 % over budget).
    pub actual_spend: Option<f64>,
    /// When the last successful backup finished (RFC 3339; must be under 24 h old).
    pub last_backup: Option<Rfc3339>,
    /// When a restore was last tested (RFC 3339; must be under 30 days old).
    pub last_restore_test: Option<Rfc3339>,
    /// Manual tasks this week (goal 0).
    pub manual_tasks: Option<u32>,
    /// Automations added this week (reported, not scored).
    pub new_automations: Option<u32>,
    /// Are the runbooks up to date?
    pub runbooks_current: Option<bool>,
    /// Are the architecture diagrams current?
    pub diagrams_current: Option<bool>,
}

/// The score band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Band {
    Excellent,
    Good,
    Warning,
    Critical,
}

impl Band {
    pub fn of(score: u8) -> Band {
        match score {
            7.. => Band::Excellent,
            5..=6 => Band::Good,
            3..=4 => Band::Warning,
            _ => Band::Critical,
        }
    }

    /// The spec's wording.
    pub fn describe(self) -> &'static str {
        match self {
            Band::Excellent => "Excellent, infrastructure is solid",
            Band::Good => "Good, minor improvements needed",
            Band::Warning => "Warning, address issues soon",
            Band::Critical => "Critical, urgent attention required",
        }
    }
}

/// One of the seven checks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub passed: bool,
    /// Input keys that were missing.
    pub missing: Vec<&'static str>,
    /// The `└─` lines of the checklist.
    pub details: Vec<String>,
}

/// The scored checklist.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HealthReport {
    pub input: HealthCheck,
    /// The time ages were measured against.
    pub now: String,
    pub checks: Vec<Check>,
    pub score: u8,
    pub out_of: u8,
    pub band: Band,
}

const DAY: i64 = 24 * 3600;

/// A number as written: `3000`, `99.95`.
fn num(v: Option<f64>) -> String {
    v.map_or_else(|| BLANK.to_owned(), |v| format!("{v}"))
}

fn count(v: Option<u32>) -> String {
    v.map_or_else(|| BLANK.to_owned(), |v| v.to_string())
}

fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "Yes",
        Some(false) => "No",
        None => BLANK,
    }
}

/// Seconds between `then` and `now` (negative when `then` is in the future).
fn age(then: Option<Rfc3339>, now: Timestamp) -> Option<i64> {
    then.map(|t| now.as_second() - t.0.as_second())
}

fn describe_age(then: Option<Rfc3339>, now: Timestamp) -> String {
    match (then, age(then, now)) {
        (Some(t), Some(secs)) if secs < 0 => format!("{} (in the future)", t.0),
        (Some(t), Some(secs)) if secs < 3600 => format!("{} ({} min ago)", t.0, secs / 60),
        (Some(t), Some(secs)) if secs < 2 * DAY => format!("{} ({} h ago)", t.0, secs / 3600),
        (Some(t), Some(secs)) => format!("{} ({} days ago)", t.0, secs / DAY),
        _ => BLANK.to_owned(),
    }
}

fn check(
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
fn gap<T>(key: &'static str, v: Option<&T>) -> Option<&'static str> {
    v.is_none().then_some(key)
}

impl HealthCheck {
    /// Scores the seven checks against `now`.
    pub fn score(&self, now: Timestamp) -> HealthReport {
        let checks = vec![
            self.uptime(),
            self.performance(),
            self.security(),
            self.costs(),
            self.backups(now),
            self.automation(),
            self.documentation(),
        ];
        let score = u8::try_from(checks.iter().filter(|c| c.passed).count()).unwrap_or(0);
        HealthReport {
            input: self.clone(),
            now: now.to_string(),
            out_of: 7,
            band: Band::of(score),
            score,
            checks,
        }
    }

    fn uptime(&self) -> Check {
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

    fn performance(&self) -> Check {
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

    fn security(&self) -> Check {
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

    fn costs(&self) -> Check {
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

    fn backups(&self, now: Timestamp) -> Check {
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

    fn automation(&self) -> Check {
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

    fn documentation(&self) -> Check {
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

impl HealthReport {
    /// The checklist in the spec's layout, then the score and its band.
    pub fn to_markdown(&self) -> String {
        let mut md = String::from("## Weekly Infrastructure Health Check\n\n");
        for c in &self.checks {
            let _ = writeln!(md, "{} {}", if c.passed { '✅' } else { '❌' }, c.name);
            for line in &c.details {
                let _ = writeln!(md, "   └─ {line}");
            }
            md.push('\n');
        }
        let _ = writeln!(
            md,
            "SCORE: {}/{} — {}",
            self.score,
            self.out_of,
            self.band.describe()
        );
        md
    }
}

#[cfg(test)]
mod tests;
