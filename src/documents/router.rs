//! The intent router: decides whether a free-text request asks for one of the documents
//! (`postmortem`, `overview`, `health-check`) or is ordinary `chat`. Deterministic: weighted
//! phrases per document (the topic), request cues (a verb, "please", "can you", notes after a
//! colon), and penalties for questions *about* a subject and for health *endpoints*. A document
//! wins when its topic weighs at least `MIN_TOPIC`, its score reaches `THRESHOLD`, and it beats
//! the others. `tests/it/route.rs` measures it on the labelled corpus.

use serde::Serialize;

use super::Kind;
use phrases::{
    ABOUT, HEALTH, HEALTH_ENDPOINT, HEALTH_VERBS, MATERIAL, OPENING_VERBS, OVERVIEW, POSTMORTEM,
    QUESTION_CLAUSES, QUESTION_OPENINGS, REQUEST_PHRASES, REQUEST_VERBS,
};

mod phrases;

/// Least total score for a document route.
pub const THRESHOLD: f32 = 4.0;
/// Least topic weight: request cues alone never make a document.
pub const MIN_TOPIC: f32 = 2.0;

/// Where a request goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Route {
    Postmortem,
    Overview,
    HealthCheck,
    Chat,
}

impl Route {
    pub fn name(self) -> &'static str {
        match self {
            Route::Postmortem => "postmortem",
            Route::Overview => "overview",
            Route::HealthCheck => "health-check",
            Route::Chat => "chat",
        }
    }

    /// The document this route drafts, if any.
    pub fn kind(self) -> Option<Kind> {
        match self {
            Route::Postmortem => Some(Kind::Postmortem),
            Route::Overview => Some(Kind::Overview),
            Route::HealthCheck => Some(Kind::HealthCheck),
            Route::Chat => None,
        }
    }
}

/// The decision and the scores behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Routing {
    pub route: Route,
    pub scores: Scores,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Scores {
    pub postmortem: f32,
    pub overview: f32,
    #[serde(rename = "health-check")]
    pub health_check: f32,
}

/// Lower case, apostrophes dropped, everything else that is not a letter or digit a space;
/// padded with spaces so phrases match whole words.
fn normalise(text: &str) -> String {
    let mut out = String::from(" ");
    for ch in text.chars().flat_map(char::to_lowercase) {
        match ch {
            '\'' | '’' => {}
            c if c.is_alphanumeric() => out.push(c),
            _ if out.ends_with(' ') => {}
            _ => out.push(' '),
        }
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

/// Whole-word (or whole-word plus plural `s`) occurrence of `phrase`.
fn has(text: &str, phrase: &str) -> bool {
    let needle = format!(" {phrase}");
    text.match_indices(&needle).any(|(at, _)| {
        let rest = &text[at + needle.len()..];
        rest.starts_with(' ') || rest.starts_with("s ")
    })
}

fn starts(text: &str, phrase: &str) -> bool {
    text.starts_with(&format!(" {phrase} "))
}

fn strongest(text: &str, table: &[(&str, f32)]) -> f32 {
    table
        .iter()
        .filter(|(phrase, _)| has(text, phrase))
        .map(|&(_, w)| w)
        .fold(0.0, f32::max)
}

fn topic(text: &str, table: &[(&str, f32)]) -> f32 {
    table
        .iter()
        .filter(|(phrase, _)| has(text, phrase))
        .map(|(_, w)| w)
        .sum()
}

/// Scores every document and picks the route.
pub fn route(request: &str) -> Routing {
    let text = normalise(request);
    let asks = REQUEST_VERBS.iter().any(|v| has(&text, v))
        || OPENING_VERBS.iter().any(|v| starts(&text, v))
        || REQUEST_PHRASES.iter().any(|p| has(&text, p));
    let question = (QUESTION_OPENINGS.iter().any(|q| starts(&text, q))
        && !starts(&text, "how healthy"))
        || QUESTION_CLAUSES.iter().any(|q| has(&text, q));
    let material = request
        .split_once(':')
        .is_some_and(|(_, rest)| rest.split_whitespace().count() >= 3)
        || MATERIAL.iter().any(|m| has(&text, m));
    let mut cues = 0.0;
    if asks {
        cues += 2.0;
    }
    if material {
        cues += 1.0;
    }
    if question {
        cues -= 5.0;
    }
    if ABOUT.iter().any(|a| has(&text, a)) {
        cues -= 3.0;
    }
    let score = |table: &[(&str, f32)], extra: f32| {
        let t = topic(&text, table) + extra;
        if t < MIN_TOPIC { 0.0 } else { t + cues }
    };
    let health_extra = if HEALTH_VERBS.iter().any(|v| starts(&text, v)) {
        2.0
    } else {
        0.0
    } - if HEALTH_ENDPOINT.iter().any(|e| has(&text, e)) {
        4.0
    } else {
        0.0
    };
    let scores = Scores {
        postmortem: score(POSTMORTEM, 0.0),
        overview: score(OVERVIEW, 0.0),
        health_check: score(HEALTH, health_extra),
    };
    // Ties on score go to the document with the strongest single phrase; a full tie is chat.
    let ranked = [
        (
            Route::Postmortem,
            scores.postmortem,
            strongest(&text, POSTMORTEM),
        ),
        (Route::Overview, scores.overview, strongest(&text, OVERVIEW)),
        (
            Route::HealthCheck,
            scores.health_check,
            strongest(&text, HEALTH),
        ),
    ];
    let key = |&(_, s, w): &(Route, f32, f32)| (s, w);
    let best = ranked
        .iter()
        .max_by(|a, b| {
            key(a)
                .partial_cmp(&key(b))
                .unwrap_or(std::cmp::Ordering::Equal)
        })
        .copied()
        .unwrap_or((Route::Chat, 0.0, 0.0));
    let tied = ranked
        .iter()
        .filter(|r| r.0 != best.0 && key(r) == key(&best))
        .count();
    let route = if best.1 < THRESHOLD || tied > 0 {
        Route::Chat
    } else {
        best.0
    };
    Routing { route, scores }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalising_drops_apostrophes_and_punctuation() {
        assert_eq!(
            normalise("Let's do the Post-Mortem!"),
            " lets do the post mortem "
        );
        assert!(has(" what makes good postmortems ", "postmortem"));
        assert!(!has(" postmortemish ", "postmortem"));
    }

    #[test]
    fn the_issue_examples() {
        let r = |t| route(t).route;
        assert_eq!(
            r("write up a postmortem for last night's outage: the pool ran out"),
            Route::Postmortem
        );
        assert_eq!(r("run our weekly infra health check"), Route::HealthCheck);
        assert_eq!(r("document our production architecture"), Route::Overview);
        assert_eq!(r("what makes a good postmortem?"), Route::Chat);
        assert_eq!(r("how do I add a health check endpoint?"), Route::Chat);
    }
}
