use super::*;

const NOTES: &str = include_str!("../../../tests/fixtures/notes/shop-infrastructure.txt");

#[test]
fn only_parts_left_empty_that_the_notes_talk_about_are_asked() {
    assert_eq!(OverviewDraft::new(NOTES).parts(), [Part::Security]);
    let prose = "Staging box: we deploy by hand over SSH and there are no backups yet.";
    assert_eq!(
        OverviewDraft::new(prose).parts(),
        [Part::Deployment, Part::Security, Part::Recovery]
    );
    assert!(OverviewDraft::new("just a web server").parts().is_empty());
}

#[test]
fn model_values_with_unknown_names_numbers_or_placeholders_are_dropped() {
    let mut draft = OverviewDraft::new(NOTES);
    draft
        .apply(
            Part::Security,
            r#"{"encryption": "database encrypted at rest, TLS 1.3 in transit",
                "secrets": "stored in AWS Secrets Manager",
                "access": "SSH needs a hardware key",
                "network": "not mentioned"}"#,
        )
        .unwrap();
    let security: Vec<(&str, &str)> = draft
        .doc
        .security
        .iter()
        .map(|(k, v)| (k, v.as_str()))
        .collect();
    assert_eq!(
        security,
        [
            (
                "Encryption",
                "database encrypted at rest, TLS 1.3 in transit"
            ),
            ("Access", "SSH needs a hardware key"),
        ]
    );
    let mut prose = OverviewDraft::new("Backups run every night and we can restore them.");
    prose
        .apply(
            Part::Recovery,
            r#"{"backup": "hourly snapshots kept 90 days", "failover": ""}"#,
        )
        .unwrap();
    assert_eq!(prose.doc.disaster_recovery.backup, None);
    prose
        .apply(Part::Recovery, r#"{"backup": "backups run every night"}"#)
        .unwrap();
    assert_eq!(
        prose.doc.disaster_recovery.backup.as_deref(),
        Some("backups run every night")
    );
    assert!(draft.apply(Part::Runbooks, "not json").is_err());
    let doc = draft.finish();
    // The facts are untouched by the model's parts.
    assert_eq!(doc.disaster_recovery.rpo.as_deref(), Some("1 hour"));
    assert_eq!(doc.runbooks.len(), 3);
}

#[test]
fn every_part_request_is_small_and_shares_the_system_message() {
    let system = system_message("You are Mitchell.", NOTES);
    for part in [
        Part::Deployment,
        Part::Security,
        Part::Recovery,
        Part::OnCall,
        Part::Runbooks,
    ] {
        let req = request(&system, part);
        assert_eq!(req.messages[0].content, system);
        assert_eq!(req.temperature, Some(0.0));
        let schema = &req.json_schema.as_ref().unwrap().schema;
        assert_eq!(schema["additionalProperties"], false, "{}", part.name());
        assert!(req.max_tokens.unwrap() <= 200);
    }
}

#[test]
fn a_value_in_words_the_notes_never_use_is_dropped() {
    let mut draft = OverviewDraft::new("We keep a runbook for the Redis restart.");
    assert_eq!(draft.parts(), [Part::Runbooks]);
    draft
        .apply(
            Part::Runbooks,
            r#"{"runbooks": ["json", "see the wiki page", "Redis restart"]}"#,
        )
        .unwrap();
    assert_eq!(draft.finish().runbooks, ["Redis restart"]);
}

#[test]
fn prose_notes_ask_for_every_part_they_mention() {
    let draft = OverviewDraft::new(include_str!(
        "../../../tests/fixtures/notes/staging-prose.txt"
    ));
    assert_eq!(
        draft.parts(),
        [
            Part::Deployment,
            Part::Security,
            Part::Recovery,
            Part::OnCall,
            Part::Runbooks
        ]
    );
}
