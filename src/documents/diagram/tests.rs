//! Unit tests of the diagram: shapes, junctions and input errors.

use super::*;

fn comp(id: &str, label: &str, note: Option<&str>, replicas: Option<u32>) -> Component {
    Component {
        id: id.into(),
        label: label.into(),
        note: note.map(Into::into),
        replicas,
    }
}

fn link(a: &str, b: &str) -> [String; 2] {
    [a.into(), b.into()]
}

/// The spec's overview: a chain, a replicated tier, a primary and its replica.
pub fn spec_like() -> (Vec<Component>, Vec<[String; 2]>) {
    (
        vec![
            comp("client", "Client", None, None),
            comp("cdn", "CloudFront", Some("CDN"), None),
            comp("alb", "ALB", Some("Load Balancer"), None),
            comp("web", "Web", Some("Auto-scaling"), Some(3)),
            comp("db", "RDS", Some("Primary"), None),
            comp("replica", "RDS", Some("Replica"), None),
        ],
        vec![
            link("client", "cdn"),
            link("cdn", "alb"),
            link("alb", "web"),
            link("web", "db"),
            link("db", "replica"),
        ],
    )
}

#[test]
fn the_spec_example_has_boxes_arrows_a_fan_out_and_a_merge() {
    let (c, l) = spec_like();
    let text = draw(&c, &l).unwrap();
    assert!(text.contains("│ Web1 │"), "{text}");
    assert!(text.contains("Web3"), "{text}");
    assert!(text.contains("(Auto-scaling)"), "{text}");
    assert_eq!(text.matches('▼').count(), 7, "{text}");
    assert!(text.lines().all(|l| l == l.trim_end()));
}

#[test]
fn a_cycle_is_named() {
    let c = vec![
        comp("a", "A", None, None),
        comp("b", "B", None, None),
        comp("c", "C", None, None),
    ];
    let err = draw(&c, &[link("a", "b"), link("b", "c"), link("c", "b")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "links form a cycle: c → b → c (a diagram flows top to bottom, so links must not loop)"
    );
    let err = draw(&c, &[link("a", "a")]).unwrap_err();
    assert!(err.to_string().contains("a → a"), "{err}");
}

#[test]
fn an_unknown_id_is_named_with_the_link() {
    let c = vec![comp("a", "A", None, None)];
    let err = draw(&c, &[link("a", "nope")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "links[0]: unknown component id `nope` (known: a)"
    );
}

#[test]
fn duplicate_ids_are_rejected() {
    let c = vec![comp("a", "A", None, None), comp("a", "B", None, None)];
    assert!(matches!(
        draw(&c, &[]),
        Err(DiagramError::DuplicateId { index: 1, .. })
    ));
}

#[test]
fn a_link_that_skips_a_tier_passes_through_it() {
    let c = vec![
        comp("a", "A", None, None),
        comp("b", "B", None, None),
        comp("c", "C", None, None),
    ];
    let text = draw(&c, &[link("a", "b"), link("b", "c"), link("a", "c")]).unwrap();
    assert_eq!(text.matches('▼').count(), 2, "{text}");
}

#[test]
fn twelve_components_in_a_wide_graph_draw_without_overlap() {
    let mut c = vec![comp("lb", "LB", None, None)];
    let mut l = Vec::new();
    for k in 0..5 {
        c.push(comp(&format!("s{k}"), &format!("svc-{k}"), None, None));
        l.push(link("lb", &format!("s{k}")));
    }
    for k in 0..5 {
        c.push(comp(&format!("d{k}"), &format!("db-{k}"), Some("pg"), None));
        l.push(link(&format!("s{k}"), &format!("d{k}")));
    }
    c.push(comp("q", "Queue", None, Some(2)));
    l.push(link("s0", "q"));
    l.push(link("s4", "q"));
    let text = draw(&c, &l).unwrap();
    for k in 0..5 {
        assert_eq!(text.matches(&format!("svc-{k}")).count(), 1, "{text}");
    }
    assert!(text.contains("Queue1") && text.contains("Queue2"), "{text}");
}

#[test]
fn two_roots_merge_on_one_line_and_a_long_link_passes_beside_the_tiers() {
    let c = vec![
        comp("users", "Users", None, None),
        comp("admin", "Admin", None, None),
        comp("lb", "nginx", Some("LB"), None),
        comp("api", "API", None, Some(2)),
        comp("worker", "Worker", None, None),
        comp("redis", "Redis", Some("queue"), None),
        comp("pg", "Postgres", None, None),
    ];
    let l = vec![
        link("users", "lb"),
        link("admin", "lb"),
        link("lb", "api"),
        link("api", "redis"),
        link("api", "pg"),
        link("redis", "worker"),
        link("worker", "pg"),
    ];
    let text = draw(&c, &l).unwrap();
    assert!(text.contains("└──────┬──────┘"), "{text}");
    insta::assert_snapshot!(text);
}
