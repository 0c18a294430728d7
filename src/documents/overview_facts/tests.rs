use super::*;
use crate::documents::overview::ServiceValue;
use crate::documents::text::Text;

const NOTES: &str = include_str!("../../../tests/fixtures/notes/shop-infrastructure.txt");

fn text(v: &ServiceValue) -> String {
    match v {
        ServiceValue::Text(t) => t.0.clone(),
        ServiceValue::List(items) => items.join(" | "),
    }
}

fn service(doc: &InfraOverview, name: &str) -> Vec<(String, String)> {
    let (_, pairs) = doc
        .services
        .0
        .iter()
        .find(|(k, _)| k == name)
        .unwrap_or_else(|| panic!("no service {name} in {:#?}", doc.services));
    pairs.0.iter().map(|(k, v)| (k.clone(), text(v))).collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn arrow_lines_become_the_diagram_with_notes_replicas_and_a_fan_out() {
    let doc = overview_facts(NOTES);
    let boxes: Vec<(&str, &str, Option<&str>, Option<u32>)> = doc
        .components
        .iter()
        .map(|c| {
            (
                c.id.as_str(),
                c.label.as_str(),
                c.note.as_deref(),
                c.replicas,
            )
        })
        .collect();
    assert_eq!(
        boxes,
        [
            ("client", "Client", None, None),
            ("cloudflare", "Cloudflare", Some("CDN"), None),
            ("nginx", "nginx", Some("load balancer"), None),
            ("web", "web", None, Some(3)),
            ("postgresql", "PostgreSQL", Some("primary"), None),
            ("redis", "Redis", Some("cache"), None),
        ]
    );
    let links: Vec<String> = doc.links.iter().map(|[a, b]| format!("{a}>{b}")).collect();
    assert_eq!(
        links,
        [
            "client>cloudflare",
            "cloudflare>nginx",
            "nginx>web",
            "web>postgresql",
            "web>redis"
        ]
    );
    assert!(doc.validate().is_ok());
}

#[test]
fn service_lines_keep_versions_hosts_ports_owners_and_details() {
    let doc = overview_facts(NOTES);
    assert_eq!(
        service(&doc, "web"),
        pairs(&[
            ("Version", "Rails 7.1"),
            ("Host", "web-1.internal | web-2.internal | web-3.internal"),
            ("Port", "3000"),
            ("Owner", "Sam"),
        ])
    );
    assert_eq!(
        service(&doc, "PostgreSQL"),
        pairs(&[
            ("Version", "PostgreSQL 16"),
            ("Host", "db-1.internal"),
            ("Port", "5432"),
            ("Owner", "Priya"),
            ("Details", "daily backups with 14-day retention"),
        ])
    );
    assert_eq!(
        service(&doc, "Redis"),
        pairs(&[
            ("Version", "Redis 7.2"),
            ("Host", "cache-1.internal"),
            ("Port", "6379"),
            ("Owner", "Dana"),
        ])
    );
    assert_eq!(
        service(&doc, "Sidekiq workers"),
        pairs(&[("Host", "worker-1.internal"), ("Owner", "Sam")])
    );
    assert_eq!(doc.services.0.len(), 4, "{:#?}", doc.services);
}

#[test]
fn labelled_lines_fill_deployment_recovery_costs_on_call_and_runbooks() {
    let doc = overview_facts(NOTES);
    assert_eq!(doc.name.as_deref(), Some("Production"));
    assert_eq!(
        doc.deployment,
        [
            "merge to main",
            "GitHub Actions runs the tests",
            "build the Docker image",
            "deploy to staging",
            "deploy to production after approval"
        ]
    );
    let dr = &doc.disaster_recovery;
    assert_eq!(dr.rpo.as_deref(), Some("1 hour"));
    assert_eq!(dr.rto.as_deref(), Some("4 hours"));
    assert_eq!(
        dr.backup.as_deref(),
        Some("nightly pg_dump to S3, restore tested monthly")
    );
    assert_eq!(
        dr.failover.as_deref(),
        Some("manual promotion of the replica")
    );
    assert_eq!(
        doc.costs.monthly.as_ref().map(Text::as_str),
        Some("about $2,400")
    );
    let breakdown: Vec<(&str, &str)> = doc
        .costs
        .breakdown
        .iter()
        .map(|(k, v)| (k, v.as_str()))
        .collect();
    assert_eq!(
        breakdown,
        [
            ("compute", "$1,100"),
            ("database", "$700"),
            ("CDN", "$200"),
            ("other", "$400")
        ]
    );
    let oc = &doc.on_call;
    assert_eq!(
        (
            oc.primary.as_deref(),
            oc.secondary.as_deref(),
            oc.escalation.as_deref()
        ),
        (Some("Priya"), Some("Sam"), Some("CTO"))
    );
    assert_eq!(doc.runbooks_path.as_deref(), Some("/docs/runbooks/"));
    assert_eq!(
        doc.runbooks,
        ["database failover", "Redis restart", "certificate renewal"]
    );
    // Security is only prose in these notes: it is the model's part.
    assert!(doc.security.is_empty(), "{:?}", doc.security);
}

#[test]
fn headings_with_bullets_are_read_like_labelled_lines() {
    let notes = "\
## Security
- Encryption: AES-256 at rest
- all secrets in Vault
## Deployment
1. CI builds the image
2. Argo CD syncs the cluster
On call:
- Primary: Ana
- Escalation: Lee
Costs:
- Compute: $900
- Total: $1,500/month
Backups:
- snapshots every 6 hours
";
    let doc = overview_facts(notes);
    let security: Vec<(&str, &str)> = doc.security.iter().map(|(k, v)| (k, v.as_str())).collect();
    assert_eq!(
        security,
        [
            ("Encryption", "AES-256 at rest"),
            ("Secrets", "all secrets in Vault")
        ]
    );
    assert_eq!(
        doc.deployment,
        ["CI builds the image", "Argo CD syncs the cluster"]
    );
    assert_eq!(doc.on_call.primary.as_deref(), Some("Ana"));
    assert_eq!(doc.on_call.escalation.as_deref(), Some("Lee"));
    assert_eq!(doc.on_call.secondary, None);
    assert_eq!(
        doc.costs.monthly.as_ref().map(Text::as_str),
        Some("$1,500/month")
    );
    assert_eq!(doc.costs.breakdown.0.len(), 1);
    assert_eq!(
        doc.disaster_recovery.backup.as_deref(),
        Some("snapshots every 6 hours")
    );
    assert_eq!(doc.name, None);
    assert!(doc.components.is_empty() && doc.services.is_empty());
}

#[test]
fn nothing_is_made_up_from_prose_or_counts() {
    let doc = overview_facts(
        "We have 3 servers and about 40 users. Things mostly work.\nNotes: ask Sam about it\n",
    );
    assert_eq!(doc, InfraOverview::default());
}

#[test]
fn a_link_that_would_close_a_loop_is_left_out() {
    let doc = overview_facts("api -> db\ndb -> api\nworker x2 -> db\n");
    let links: Vec<String> = doc.links.iter().map(|[a, b]| format!("{a}>{b}")).collect();
    assert_eq!(links, ["api>db", "worker>db"]);
    assert_eq!(doc.components[2].replicas, Some(2));
    assert!(doc.validate().is_ok());
}

#[test]
fn prose_sentences_with_a_host_and_a_product_version_are_services() {
    let doc = overview_facts(include_str!(
        "../../../tests/fixtures/notes/staging-prose.txt"
    ));
    assert_eq!(doc.name.as_deref(), Some("Staging"));
    assert_eq!(
        service(&doc, "Django"),
        pairs(&[
            ("Version", "Django 5.0"),
            ("Host", "staging-1.internal"),
            ("Port", "8000"),
            ("Owner", "Lee"),
        ])
    );
    assert_eq!(
        service(&doc, "MySQL"),
        pairs(&[
            ("Version", "MySQL 8.0"),
            ("Host", "staging-db.internal"),
            ("Port", "3306"),
        ])
    );
    assert_eq!(doc.services.0.len(), 2);
    assert_eq!(doc.disaster_recovery.rpo.as_deref(), Some("24 hours"));
    // The rest is prose: the model's parts.
    assert!(doc.deployment.is_empty() && doc.security.is_empty() && doc.runbooks.is_empty());
}
