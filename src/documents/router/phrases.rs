//! The router's weighted phrases and cue words, matched as whole words (a plural `s` allowed)
//! against the normalised request. Tuned on tests/fixtures/intents.yaml; keep them general.

pub(super) const POSTMORTEM: &[(&str, f32)] = &[
    ("postmortem", 3.0),
    ("post mortem", 3.0),
    ("incident report", 3.0),
    ("incident review", 3.0),
    ("incident writeup", 3.0),
    ("incident write up", 3.0),
    ("root cause analysis", 2.0),
    ("rca", 2.0),
    ("write up", 1.0),
    ("writeup", 1.0),
    ("what happened", 1.0),
    ("write it up", 1.0),
    ("was down", 1.0),
    ("went down", 1.0),
    ("outage", 1.0),
    ("incident", 1.0),
    ("sev1", 1.0),
    ("sev 1", 1.0),
    ("sev2", 1.0),
    ("timeline", 1.0),
];

pub(super) const OVERVIEW: &[(&str, f32)] = &[
    ("infrastructure overview", 3.0),
    ("infra overview", 3.0),
    ("infrastructure documentation", 3.0),
    ("architecture diagram", 2.0),
    ("architecture", 2.0),
    ("diagram", 2.0),
    ("overview", 1.0),
    ("our infrastructure", 2.0),
    ("our infra", 2.0),
    ("our stack", 2.0),
    ("our platform", 2.0),
    ("our setup", 2.0),
    ("document our", 2.0),
    ("document the", 2.0),
    ("infrastructure", 1.0),
    ("infra", 1.0),
    ("stack", 1.0),
    ("setup", 1.0),
    ("on call", 1.0),
    ("costs", 1.0),
];

pub(super) const HEALTH: &[(&str, f32)] = &[
    ("health check", 3.0),
    ("healthcheck", 3.0),
    ("health checklist", 3.0),
    ("health report", 3.0),
    ("health review", 3.0),
    ("health score", 3.0),
    ("health scorecard", 3.0),
    ("infrastructure health", 3.0),
    ("infra health", 3.0),
    ("infra check", 3.0),
    ("infrastructure check", 3.0),
    ("weekly infra review", 3.0),
    ("weekly infrastructure review", 3.0),
    ("self evaluation checklist", 3.0),
    ("how healthy", 4.0),
    ("checklist", 1.0),
    ("scorecard", 1.0),
    ("weekly", 1.0),
    ("this week", 1.0),
    ("uptime", 1.0),
    ("p95", 1.0),
    ("latency", 1.0),
    ("budget", 1.0),
    ("spend", 1.0),
    ("backups", 1.0),
    ("vulnerabilities", 1.0),
    ("vulns", 1.0),
];

/// Health *endpoints*, probes and load balancer checks are chat, not the weekly checklist.
pub(super) const HEALTH_ENDPOINT: &[&str] = &[
    "endpoint",
    "healthz",
    "probe",
    "liveness",
    "readiness",
    "dockerfile",
    "load balancer",
    "alb",
    "lb",
    "target group",
    "consul",
    "interval",
];

/// Verbs that make a request wherever they stand.
pub(super) const REQUEST_VERBS: &[&str] = &[
    "write",
    "draft",
    "generate",
    "create",
    "prepare",
    "compose",
    "produce",
    "summarize",
    "summarise",
    "sketch",
    "draw",
    "fill in",
    "put together",
    "turn",
];

/// Words that make a request when they open the text.
pub(super) const OPENING_VERBS: &[&str] = &[
    "do", "run", "make", "start", "build", "document", "diagram", "map", "describe", "give",
    "complete", "check", "score", "grade", "rate", "compute", "time for",
];

/// Verbs that open a health-check request in particular.
pub(super) const HEALTH_VERBS: &[&str] = &["check", "score", "grade", "rate", "compute"];

pub(super) const REQUEST_PHRASES: &[&str] = &[
    "please",
    "can you",
    "could you",
    "would you",
    "lets",
    "i need",
    "we need",
    "i want",
    "help me",
    "give me",
    "time for",
];

/// Openings of questions *about* something.
pub(super) const QUESTION_OPENINGS: &[&str] = &[
    "what",
    "whats",
    "how",
    "why",
    "should",
    "is",
    "are",
    "who",
    "when",
    "which",
    "where",
    "does",
    "do you",
    "do we",
    "explain",
    "difference",
    "any",
    "tips",
];

pub(super) const QUESTION_CLAUSES: &[&str] = &[
    "how do i",
    "how do we",
    "how can",
    "where do i",
    "what should",
    "what do you",
    "why do",
];

/// Asking for material *about* a subject, not the document itself.
pub(super) const ABOUT: &[&str] = &[
    "template",
    "templates",
    "examples",
    "example of",
    "tools",
    "best practices",
    "tips",
    "list of",
];

pub(super) const MATERIAL: &[&str] = &[
    "notes",
    "below",
    "these numbers",
    "these metrics",
    "from this",
    "here is",
    "heres",
];
