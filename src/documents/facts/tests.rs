use super::*;

const NOTES: &str = "\
Incident 2026-11-20: checkout API returning 502s
14:02 PagerDuty alert: checkout error rate above 5%
- 14:05 Sam acknowledged and started investigating
[14:12] Found the DB connection pool exhausted (max 100 connections, all in use)
At 14:20 raised the pool to 200 and restarted the API pods.
14:31 UTC - error rate back under 0.1%, incident resolved
Impact: 38% of checkout requests failed for 29 minutes; about 1,200 customers saw errors.
Cause: a deploy at 13:55 added a query per request without releasing connections.
Action items:
- Add pool saturation alert (Priya, Nov 27)
- Load test checkout before deploys - owner: Sam, due: 2026-12-04
- [x] Fix the connection leak in the order service (Dana, Nov 21)
";

#[test]
fn every_timed_line_is_an_event_with_its_time_in_order() {
    let facts = postmortem_facts(NOTES);
    let times: Vec<_> = facts
        .timeline
        .iter()
        .map(|e| e.time.clone().unwrap())
        .collect();
    assert_eq!(
        times,
        ["13:55", "14:02", "14:05", "14:12", "14:20", "14:31 UTC"]
    );
    let events: Vec<_> = facts
        .timeline
        .iter()
        .map(|e| e.event.clone().unwrap())
        .collect();
    assert_eq!(events[1], "PagerDuty alert: checkout error rate above 5%");
    assert_eq!(events[2], "Sam acknowledged and started investigating");
    assert!(
        events[3].starts_with("Found the DB connection pool"),
        "{events:?}"
    );
    assert_eq!(
        events[4],
        "raised the pool to 200 and restarted the API pods."
    );
    assert_eq!(events[5], "error rate back under 0.1%, incident resolved");
    assert!(events[0].contains("a deploy at 13:55"), "{events:?}");
}

#[test]
fn owners_and_due_dates_become_action_items() {
    let facts = postmortem_facts(NOTES);
    let items: Vec<_> = facts
        .action_items
        .iter()
        .map(|i| {
            (
                i.task.clone().unwrap(),
                i.owner.clone().unwrap(),
                i.due.clone().unwrap(),
                i.done,
            )
        })
        .collect();
    assert_eq!(
        items,
        [
            (
                "Add pool saturation alert".into(),
                "Priya".into(),
                "Nov 27".into(),
                false
            ),
            (
                "Load test checkout before deploys".into(),
                "Sam".into(),
                "2026-12-04".into(),
                false
            ),
            (
                "Fix the connection leak in the order service".into(),
                "Dana".into(),
                "Nov 21".into(),
                true
            ),
        ]
    );
}

#[test]
fn date_duration_and_impact_are_kept_as_written() {
    let facts = postmortem_facts(NOTES);
    assert_eq!(facts.date.as_deref(), Some("2026-11-20"));
    assert_eq!(
        facts.causes,
        ["a deploy at 13:55 added a query per request without releasing connections."]
    );
    assert_eq!(
        facts.impact.as_deref(),
        Some("38% of checkout requests failed for 29 minutes; about 1,200 customers saw errors.")
    );
    assert_eq!(facts.duration.as_deref(), Some("29 minutes"));
}

#[test]
fn a_parenthesis_that_is_not_an_owner_and_date_is_not_an_action_item() {
    let facts = postmortem_facts("The cache (redis, primary) fell over at 09:10 pm.\n");
    assert!(facts.action_items.is_empty());
    assert_eq!(facts.timeline[0].time.as_deref(), Some("21:10"));
}

#[test]
fn prose_with_two_times_gives_two_events_and_sentences_carry_impact() {
    let facts = postmortem_facts(
        "At 14:30 the database pool ran out; we raised max_connections and recovered at 15:15. \
         About 40% of API calls failed.",
    );
    assert_eq!(facts.timeline.len(), 2, "{facts:?}");
    assert_eq!(facts.timeline[1].time.as_deref(), Some("15:15"));
    assert_eq!(
        facts.impact.as_deref(),
        Some("About 40% of API calls failed.")
    );
    assert_eq!(facts.duration.as_deref(), Some("45 minutes (14:30-15:15)"));
}

#[test]
fn lines_past_midnight_keep_their_order() {
    let facts = postmortem_facts("23:50 disk full alert\n00:10 disk cleaned\n");
    assert_eq!(facts.timeline[0].time.as_deref(), Some("23:50"));
    assert_eq!(facts.duration.as_deref(), Some("20 minutes (23:50-00:10)"));
}
