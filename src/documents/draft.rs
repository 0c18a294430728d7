//! The pure half of drafting a document with a model: the instructions, the request (schema-
//! shaped JSON), pulling the JSON out of a reply, validating it into a `Document`, and the
//! repair message that sends validation errors back. Sending and receiving is the app's job.

use crate::llm::{ChatRequest, JsonSchemaFormat, Message};

use super::input::parse_json;
use super::{Document, Kind};

/// What every draft must respect, appended to the persona's system prompt.
pub fn instructions(kind: Kind) -> String {
    let specific = match kind {
        Kind::Postmortem => {
            "Timeline times are HH:MM. Root causes, resolution steps, lessons and prevention \
             are short list items. Action items carry task, owner, due and done (false unless \
             the notes say it is done)."
        }
        Kind::Overview => {
            "components are the boxes of the architecture diagram (id, label, optional note, \
             optional replicas); links are [from_id, to_id] pairs flowing from the client \
             towards the data, and must never form a loop. services maps a category (Compute, \
             Database, ...) to Key: value pairs."
        }
        Kind::HealthCheck => {
            "Numbers carry no units: uptime in percent, latency in milliseconds, page load in \
             seconds, money in dollars. Timestamps are RFC 3339 (2026-11-23T04:00:00Z). Do not \
             score the checks; the program does."
        }
    };
    format!(
        "\n\n# Task: draft a {title}\n\
         Turn the user's notes into a {title} as ONE JSON object matching the given JSON \
         Schema. Reply with the JSON object only: no prose, no code fence.\n\
         Use only what the notes say. What the notes do not say stays empty — null for a \
         missing value, [] for a missing list — never invented: no made-up names, times, \
         numbers, dates or owners. Keep the notes' own wording where you can.\n{specific}",
        title = kind.title()
    )
}

/// The first request: persona + instructions as the system prompt, the notes as the user turn.
pub fn request(kind: Kind, system_prompt: &str, notes: &str) -> ChatRequest {
    ChatRequest {
        messages: vec![
            Message::system(format!("{system_prompt}{}", instructions(kind))),
            Message::user(notes.to_owned()),
        ],
        json_schema: Some(JsonSchemaFormat {
            name: kind.name().replace('-', "_"),
            schema: kind.schema(),
        }),
        temperature: Some(0.2),
        stream: true,
        ..ChatRequest::default()
    }
}

/// The repair round: the draft and its errors go back, asking for a corrected object.
pub fn repair(mut request: ChatRequest, draft: &str, errors: &[String]) -> ChatRequest {
    request.messages.push(Message::assistant(draft.to_owned()));
    request.messages.push(Message::user(format!(
        "That JSON does not validate against the schema:\n{}\n\nReply with the corrected JSON \
         object only. Still leave empty what the notes do not say.",
        errors
            .iter()
            .map(|e| format!("- {e}"))
            .collect::<Vec<_>>()
            .join("\n")
    )));
    request
}

/// At most the first `max` characters of `text` (on a character boundary).
pub fn head(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

/// The JSON object inside a reply: code fences and chatter around it are dropped.
pub fn extract_json(reply: &str) -> &str {
    let text = reply.trim();
    match (text.find('{'), text.rfind('}')) {
        (Some(start), Some(end)) if start < end => &text[start..=end],
        _ => text,
    }
}

/// `reply` with every JSON number too large for a 64-bit float (`9.03e+27568783624282`, which
/// serde rejects as "number out of range") replaced by `null`. Text inside strings is left
/// alone. For a draft the notes will be grounded in: such a value is in no notes, so grounding
/// would drop it anyway, and it must not fail the draft before grounding can.
pub fn null_unreadable_numbers(reply: &str) -> std::borrow::Cow<'_, str> {
    let bytes = reply.as_bytes();
    let mut out = String::new();
    let (mut copied, mut i, mut in_string) = (0, 0, false);
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        if b == b'"' {
            in_string = true;
            i += 1;
            continue;
        }
        if b == b'-' || b.is_ascii_digit() {
            let start = i;
            i += 1;
            while i < bytes.len()
                && matches!(bytes[i], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')
            {
                i += 1;
            }
            let token = &reply[start..i];
            if token.parse::<f64>().is_ok_and(f64::is_infinite) {
                out.push_str(&reply[copied..start]);
                out.push_str("null");
                copied = i;
            }
            continue;
        }
        i += 1;
    }
    if copied == 0 {
        return std::borrow::Cow::Borrowed(reply);
    }
    out.push_str(&reply[copied..]);
    std::borrow::Cow::Owned(out)
}

/// Validates a reply as a document of `kind`; the errors are what the repair round sends back.
pub fn validate(kind: Kind, reply: &str) -> Result<Document, Vec<String>> {
    validate_with(kind, reply, |doc| doc)
}

/// Parses a reply as a document of `kind`, passes it through `ground` (which may replace the
/// model's values with the notes'), and only then checks its content: a value `ground`
/// replaces cannot fail the draft.
pub fn validate_with(
    kind: Kind,
    reply: &str,
    ground: impl FnOnce(Document) -> Document,
) -> Result<Document, Vec<String>> {
    let json = extract_json(reply);
    if json.is_empty() {
        return Err(vec![
            "the reply is empty; expected one JSON object".to_owned(),
        ]);
    }
    let doc = ground(parse_json(kind, json).map_err(|e| vec![e.to_string()])?);
    doc.validate().map_err(|e| vec![e.to_string()])?;
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_and_chatter_are_ignored() {
        let reply = "Here you go:\n```json\n{\"title\": \"DB down\"}\n```\n";
        let Ok(Document::Postmortem(pm)) = validate(Kind::Postmortem, reply) else {
            panic!("should validate");
        };
        assert_eq!(pm.title.as_deref(), Some("DB down"));
    }

    #[test]
    fn errors_name_the_field() {
        let errs = validate(Kind::Postmortem, r#"{"timeline": [{"time": 5}]}"#).unwrap_err();
        assert!(
            errs[0].starts_with("`timeline[0].time`: invalid type"),
            "{errs:?}"
        );
        let errs = validate(Kind::Postmortem, r#"{"titel": "x"}"#).unwrap_err();
        assert!(errs[0].contains("titel"), "{errs:?}");
    }

    #[test]
    fn an_out_of_range_value_the_notes_replace_does_not_fail_the_draft() {
        // The offline health check drafted `uptime_percent: 22500000000`; the notes say 99.95.
        // Validating before grounding rejected the draft although the notes' value wins.
        let reply = r#"{"uptime_percent": 22500000000, "manual_tasks": 2}"#;
        let notes: &'static str = "Uptime 99.95% over the month, 2 manual tasks.";
        assert!(validate(Kind::HealthCheck, reply).is_err());
        let grounded_in = |notes: &'static str| {
            move |doc: Document| match doc {
                Document::HealthCheck(h) => {
                    Document::HealthCheck(crate::documents::figures::ground_health_check(&h, notes))
                }
                other => other,
            }
        };
        let Ok(Document::HealthCheck(h)) =
            validate_with(Kind::HealthCheck, reply, grounded_in(notes))
        else {
            panic!("the grounded draft should validate");
        };
        assert_eq!(h.uptime_percent, Some(99.95));
        assert_eq!(h.manual_tasks, Some(2));
        // What grounding leaves is still checked: notes that state an impossible uptime.
        let errs = validate_with(Kind::HealthCheck, "{}", grounded_in("uptime 150%")).unwrap_err();
        assert!(errs[0].contains("uptime_percent"), "{errs:?}");
    }

    #[test]
    fn a_number_too_large_for_a_float_becomes_null_outside_strings_only() {
        // A sampled SmolLM2 health-check draft, word for word.
        let reply =
            "{\n  \"secrets_rotated\": null,\n\"uptime_percent\": 9.0314e+27568783624282\n}";
        assert!(validate(Kind::HealthCheck, reply).is_err());
        let cleaned = null_unreadable_numbers(reply);
        assert!(cleaned.contains("\"uptime_percent\": null"), "{cleaned}");
        let Ok(Document::HealthCheck(h)) = validate(Kind::HealthCheck, &cleaned) else {
            panic!("the cleaned draft should validate");
        };
        assert_eq!(h.uptime_percent, None);
        let kept = r#"{"a": "1e999 in \"text\"", "b": -2.5e3, "c": 22500000000}"#;
        assert_eq!(null_unreadable_numbers(kept), kept);
        assert_eq!(null_unreadable_numbers("[1e400, -1e400]"), "[null, null]");
    }

    #[test]
    fn the_request_asks_for_the_schema_and_forbids_inventing() {
        let req = request(Kind::HealthCheck, "You are Mitchell.", "uptime 99.95");
        let fmt = req.json_schema.as_ref().unwrap();
        assert_eq!(fmt.name, "health_check");
        assert!(fmt.schema["properties"]["uptime_percent"].is_object());
        assert!(req.messages[0].content.contains("never invented"));
        assert_eq!(head("héllo", 2), "hé");
        assert_eq!(head("ab", 5), "ab");
        let fixed = repair(req, "{}", &["bad".into()]);
        assert_eq!(fixed.messages.len(), 4);
        assert!(fixed.messages[3].content.contains("- bad"));
    }
}
