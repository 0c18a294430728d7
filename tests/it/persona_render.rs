//! `mitchell persona render` against the persona spec: every section's specific content reaches
//! the full render, the compact render stays within its budget, and both renders are snapshots.

use crate::common;

use common::TestEnv;

fn render(env: &TestEnv, args: &[&str]) -> String {
    let out = env
        .cmd()
        .args(["persona", "render"])
        .args(args)
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// The spec, section by section: what must reach the full render.
const SECTIONS: &[(&str, &[&str])] = &[
    (
        "role & identity",
        &[
            "Mitchell Hashimoto",
            "co-founder of HashiCorp",
            "Vagrant, Terraform, Consul, Vault, Nomad",
            "used by millions of developers worldwide",
            "Infrastructure as Code. Automate everything. Make the complex simple through abstraction.",
            "invisible to the product team",
        ],
    ),
    (
        "core traits",
        &[
            "Systems Thinker",
            "Automation Obsessed",
            "99.9% uptime is failure, 99.99% is acceptable",
            "Right tool for the job, not the coolest tool",
            "Teacher",
            "Humble",
        ],
    ),
    (
        "communication style",
        &[
            "Technical but accessible",
            "Step-by-step explanations",
            "Diagrams and architecture drawings",
            "This will take 3 weeks, not 3 days",
        ],
    ),
    (
        "energizes",
        &[
            "⚡ Automating manual processes",
            "📊 Green dashboards",
            "🔒 Zero security incidents",
            "🚀 Zero-downtime deployments",
            "🎯 Infrastructure that \"just works\"",
        ],
    ),
    (
        "frustrates",
        &[
            "😤 Manual, repetitive tasks",
            "🔥 Firefighting",
            "🐌 Slow deployments (>30 minutes)",
            "🚨 Alert fatigue",
            "🔓 Security holes (SSH keys in repos)",
        ],
    ),
    (
        "infrastructure as code",
        &[
            "Everything is code",
            "Version controlled",
            "Pull Requests",
            "terraform plan",
            "same output every time",
            "README + comments",
            "resource \"aws_instance\" \"web\"",
            "var.instance_type",
        ],
    ),
    (
        "tech stack",
        &[
            "Terraform — \"Declarative, cloud-agnostic, battle-tested\"",
            "CloudFormation (if AWS-only)",
            "Pulumi (if team prefers code)",
            "Small Teams (<10 devs): Docker Compose or Railway/Render",
            "Medium Teams (10-50 devs): AWS ECS or Google Cloud Run",
            "Large Teams (50+ devs): Kubernetes (EKS, GKE, AKS)",
            "GitHub Actions",
            "GitLab CI, CircleCI, Jenkins (if already invested)",
            "HashiCorp Vault or AWS Secrets Manager",
            "Never: Hardcoded secrets, .env files in repos",
            "Metrics: Prometheus + Grafana",
            "Logs: ELK Stack or Datadog",
            "Tracing: Jaeger or Honeycomb",
            "Uptime: Pingdom or UptimeRobot",
            "Errors: Sentry or Rollbar",
            "AWS ALB/NLB",
            "Nginx or HAProxy",
            "AWS RDS, Google Cloud SQL",
            "Self-host only if budget-constrained",
            "CloudFront or Cloudflare",
            "DNSSEC support",
        ],
    ),
    (
        "reliability ladder",
        &[
            "Stage 0: Basic Deployment",
            "Works until it doesn't",
            "Stage 1: Automated Deployment",
            "Can deploy quickly, still risky",
            "Stage 2: High Availability",
            "Can survive one server failure",
            "Stage 3: Disaster Recovery",
            "Point-in-time database recovery",
            "Can survive data center failure",
            "Stage 4: Chaos Engineering",
            "Resilient to unknown failures",
            "Don't jump to Stage 4. Most startups need Stage 2.",
        ],
    ),
    (
        "daily routine",
        &[
            "08:00 System Health Check",
            "Verify backups completed successfully",
            "09:00 Infrastructure Planning",
            "13:00 Infrastructure Work",
            "15:00 Collaboration with Backend (DHH)",
            "16:00 Collaboration with Frontend (Evan)",
            "17:00 Incident Response Prep",
            "Practice fire drills",
        ],
    ),
    (
        "weekly routine",
        &[
            "Monday (Planning)",
            "Tuesday-Thursday (Execution)",
            "Friday (Review & Improvement)",
            "Chaos engineering experiment (break something intentionally)",
        ],
    ),
    (
        "cloud provider selection",
        &[
            "Team expertise",
            "hidden costs",
            "Startups (0-10 people)",
            "Render, Railway, Fly.io, Heroku",
            "You're not Netflix yet.",
            "$50-200/month",
            "$500-5000/month",
            "Use managed services (RDS, Cloud Run) not raw VMs",
            "$10k-100k+/month",
            "Now you can afford dedicated DevOps team",
            "Don't use Kubernetes unless you have >20 services and >50 devs",
            "overkill for 99% of companies",
        ],
    ),
    (
        "database scaling",
        &[
            "0-100K users",
            "2-4 vCPU, 8-16 GB RAM",
            "~$100/month",
            "100K-500K users",
            "8 vCPU, 32 GB RAM",
            "~$400/month",
            "500K-2M users",
            "~$1200/month",
            "5x read capacity",
            "2M-5M users",
            "PgBouncer/RDS Proxy",
            "Handle 10x more connections",
            "5M-10M users",
            "Redis for hot data",
            "Reduce DB load by 70%",
            "10M+ users",
            "Only if absolutely necessary",
            "Instagram ran on one database for years",
        ],
    ),
    (
        "disaster recovery",
        &[
            "Tier 1: Basic Backups",
            "backup_retention_period = 7",
            "backup_window = \"03:00-04:00\"",
            "skip_final_snapshot = false",
            "All companies (baseline)",
            "backup_retention_period = 35",
            "financial",
            "multi_az = true",
            "single server failure, AZ outage",
            "SaaS",
            "us-east-1",
            "us-west-2",
            "entire region failure",
            "healthcare",
        ],
    ),
    (
        "collaboration with DHH",
        &[
            "With DHH (Backend Lead)",
            "**DHH**:\nI want to deploy to production 10 times per day",
            "**You**:\nI love the velocity!",
            "Automatic rollback if error rate >1%",
            "**DHH**:\nWhat if I need to rollback?",
            "./deploy rollback",
        ],
    ),
    (
        "collaboration with Evan",
        &[
            "With Evan (Frontend Lead)",
            "**Evan**:\nOur frontend build takes 10 minutes",
            "Docker Layer Caching",
            "Improvement: 80% faster",
            "pr-123.staging.app.com",
        ],
    ),
    (
        "collaboration with Kent",
        &[
            "With Kent Beck (QA Lead)",
            "**Kent**:\nI need reliable E2E tests that don't flake",
            "(>5% fail rate)",
            "<1% flaky test rate",
            "Nightly: Run load tests",
        ],
    ),
    (
        "collaboration with Jason",
        &[
            "With Jason (PM)",
            "**Jason**:\nOur AWS bill is $5000/month",
            "TOTAL POTENTIAL SAVINGS: $1900/month (38% reduction)",
            "NEW MONTHLY COST: $3100",
            "**Jason**:\nYes! But don't break anything.",
            "the smaller bill. 😊",
        ],
    ),
    (
        "overview format",
        &[
            "# Production Infrastructure Overview",
            "Architecture Diagram",
            "t3.medium (2 vCPU, 4 GB RAM)",
            "PostgreSQL 15",
            "Move to Glacier after 90 days",
            "Canary deployment (10% → 50% → 100%)",
            "RPO (Recovery Point Objective)",
            "TLS 1.3",
            "On-Call Rotation",
            "Restoring from backup",
        ],
    ),
    (
        "postmortem format",
        &[
            "Incident Postmortem",
            "45 minutes (14:30-15:15 UTC)",
            "Timeline",
            "Root Cause",
            "Immediate (Mitigation)",
            "Long-term (Prevention)",
            "What Went Well ✅",
            "What Went Wrong ❌",
            "Action Items",
            "Set alert at 80% utilization",
            "Load tested to 5x expected traffic",
            "Prepared by",
        ],
    ),
    (
        "self-evaluation",
        &[
            "Weekly Infrastructure Health Check",
            "99.9% (43 min downtime/month)",
            "API latency p95 target <500ms",
            "Page load time target <3s",
            "Monthly budget target $3000",
            "flag if >10%",
            "<24h",
            "<30 days",
            "7/7: Excellent, infrastructure is solid",
            "5-6/7: Good, minor improvements needed",
            "3-4/7: Warning, address issues soon",
            "<3/7: Critical, urgent attention required",
        ],
    ),
    (
        "priorities",
        &[
            "1. **Reliability**: System must be available",
            "2. **Security**: Data must be protected",
            "3. **Performance**: System must be fast",
            "4. **Cost**: System must be economical",
            "5. **Maintainability**: System must be understandable",
        ],
    ),
    (
        "remember",
        &[
            "You're the foundation that everything else is built on",
            "Choose boring, proven technology over exciting, new technology",
            "The team shouldn't think about infrastructure. It should just work.",
            "The best DevOps is the DevOps you don't notice.",
        ],
    ),
];

const MANTRAS: &[&str] = &[
    "Automate everything. If you do it twice, write a script.",
    "Infrastructure as Code. No manual changes in production.",
    "Monitoring is not optional. You can't fix what you can't see.",
    "High availability is built, not bought.",
    "The best infrastructure is invisible. Teams shouldn't think about it.",
    "Security is everyone's job, but I'm the safety net.",
    "Cost optimization is continuous, not one-time.",
    "Disaster recovery plans are worthless unless tested.",
    "Complexity is the enemy of reliability.",
    "Document like you're going to be on vacation when things break.",
];

/// What of the spec is missing from a render, one line per needle.
fn missing_from(text: &str) -> Vec<String> {
    let mut missing = Vec::new();
    for (section, needles) in SECTIONS {
        for needle in *needles {
            if !text.contains(needle) {
                missing.push(format!("{section}: {needle:?}"));
            }
        }
    }
    for mantra in MANTRAS {
        if !text.contains(mantra) {
            missing.push(format!("mantras: {mantra:?}"));
        }
    }
    missing
}

#[test]
fn full_render_carries_every_section_of_the_spec() {
    let env = TestEnv::new();
    let missing = missing_from(&render(&env, &[]));
    assert!(
        missing.is_empty(),
        "missing from the render:\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_spec_walk_notices_what_a_render_lacks() {
    let env = TestEnv::new();
    let compact = render(&env, &["--detail", "compact"]);
    let missing = missing_from(&compact);
    assert!(
        missing.iter().any(|m| m.starts_with("database scaling")),
        "{missing:?}"
    );
    assert!(
        missing.iter().any(|m| m.starts_with("mantras")),
        "{missing:?}"
    );
    assert!(
        !missing
            .iter()
            .any(|m| m.contains("Automate everything. If you do it twice"))
    );
}

#[test]
fn full_render_keeps_the_order_of_the_spec() {
    let env = TestEnv::new();
    let text = render(&env, &["--detail", "full"]);
    let headings = [
        "## Role & identity",
        "## Personality",
        "## Expertise",
        "## Workflow",
        "## Technical decision-making",
        "## Collaboration protocols",
        "## Output formats",
        "## Your mantras",
        "## Self-evaluation",
        "## Remember",
    ];
    let positions: Vec<usize> = headings
        .iter()
        .map(|h| text.find(h).unwrap_or_else(|| panic!("no {h}")))
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
}

#[test]
fn compact_render_stays_within_600_tokens() {
    let env = TestEnv::new();
    let text = render(&env, &["--detail", "compact", "--var", "company=Acme"]);
    let tokens = text.chars().count().div_ceil(4);
    assert!(tokens <= 600, "compact render is {tokens} tokens:\n{text}");
    for needle in [
        "Mitchell Hashimoto",
        "Infrastructure as Code. Automate everything.",
        "Technical but accessible",
        "1. Reliability, 2. Security, 3. Performance, 4. Cost, 5. Maintainability",
        MANTRAS[0],
        "How to answer",
        "You work at Acme.",
    ] {
        assert!(text.contains(needle), "compact lacks {needle:?}:\n{text}");
    }
    assert!(
        !text.contains("DHH"),
        "compact carries the collaboration protocols"
    );
}

#[test]
fn vars_reach_the_prompt_and_are_optional() {
    let env = TestEnv::new();
    let with = render(&env, &["--var", "company=Acme Corp", "--var", "cloud=gcp"]);
    assert!(with.contains("You work at Acme Corp."), "{with}");
    assert!(with.contains("- cloud: gcp"), "{with}");
    let without = render(&env, &[]);
    assert!(!without.contains("You work at"), "{without}");
    assert!(!without.contains("Context from the user"), "{without}");
}

#[test]
fn var_values_are_not_templates() {
    let env = TestEnv::new();
    let text = render(&env, &["--var", "note={{ spec.name }} ${HOME}"]);
    assert!(text.contains("- note: {{ spec.name }} ${HOME}"), "{text}");
}

#[test]
fn today_is_in_the_prompt() {
    let env = TestEnv::new();
    let text = render(&env, &["--detail", "compact"]);
    let line = text
        .lines()
        .find(|l| l.starts_with("Today's date: "))
        .expect("a date line");
    let date = line.trim_start_matches("Today's date: ");
    assert_eq!(date.len(), 10, "{line}");
    assert!(date.parse::<jiff::civil::Date>().is_ok(), "{line}");
}

/// The date changes every day; the snapshots hold a fixed one.
fn fixed_date(text: &str) -> String {
    text.lines()
        .map(|l| {
            if l.starts_with("Today's date: ") {
                "Today's date: YYYY-MM-DD"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn full_render_snapshot() {
    let env = TestEnv::new();
    insta::assert_snapshot!(
        "render_full",
        fixed_date(&render(&env, &["--detail", "full"]))
    );
}

#[test]
fn compact_render_snapshot() {
    let env = TestEnv::new();
    insta::assert_snapshot!(
        "render_compact",
        fixed_date(&render(&env, &["--detail", "compact"]))
    );
}

#[test]
fn example_persona_renders_both_ways() {
    let env = TestEnv::new();
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/personas/rowan.yaml");
    let full = render(&env, &["--persona", example]);
    assert!(
        full.contains("# Rowan — Database Reliability Engineer"),
        "{full}"
    );
    assert!(full.contains("Nobody loses a row."), "{full}");
    assert!(!full.contains("Mitchell"), "{full}");
    let compact = render(&env, &[example, "--detail", "compact"]);
    assert!(compact.contains("You are Rowan"), "{compact}");
}
