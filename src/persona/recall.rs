//! Recall: which of a persona's positions bear on a question. Okapi BM25 over each position's
//! words (its section, its text and its hints: the spec's `topics`, a collaboration's question),
//! with light stemming and a short stop-word list, plus a match when a size the question states
//! falls in the range a position is written for (`sizes`); the best positions are taken in score order
//! while they fit the token budget (a quarter of the characters, as the context budget counts),
//! at most two per section, none below 40 % of the best score.
//! Deterministic (ties keep spec order) and explainable: each pick carries its score and the
//! question words it matched. Pure: no I/O.

use std::collections::{BTreeMap, BTreeSet};

use super::positions::Position;
use super::sizes;

/// BM25 term-frequency saturation.
const K1: f64 = 1.2;
/// BM25 length normalisation.
const B: f64 = 0.75;
/// Positions scoring below this share of the best one are left out even when they fit.
const RELATIVE_FLOOR: f64 = 0.4;
/// At most this many picks per section, so one long exchange cannot fill the budget.
const PER_SECTION: usize = 2;

/// A position recall picked.
#[derive(Debug, Clone, PartialEq)]
pub struct Pick<'a> {
    pub position: &'a Position,
    pub score: f64,
    /// Estimated tokens of its line.
    pub tokens: usize,
    /// The question's terms (stemmed) that it matched, best first.
    pub matched: Vec<String>,
}

/// A position's index, its score and the score of each matched term.
type Scored = (usize, f64, Vec<(String, f64)>);

/// Tokens of a line as the budget counts them: a quarter of the characters.
pub fn estimate(line: &str) -> usize {
    line.chars().count().div_ceil(4)
}

/// The positions that bear on `question`, best first, whose lines fit in `budget` tokens.
// Counts of a few hundred positions and terms are exact in an f64.
#[allow(clippy::cast_precision_loss)]
pub fn recall<'a>(positions: &'a [Position], question: &str, budget: usize) -> Vec<Pick<'a>> {
    let query: BTreeSet<String> = terms(question).into_iter().collect();
    if (query.is_empty() && sizes::stated(question).is_empty()) || positions.is_empty() {
        return Vec::new();
    }
    // Each position as its term counts and its length in terms.
    let docs: Vec<(BTreeMap<String, usize>, usize)> = positions
        .iter()
        .map(|p| {
            let terms = document(p);
            let len = terms.len();
            let mut counts = BTreeMap::new();
            for t in terms {
                *counts.entry(t).or_insert(0) += 1;
            }
            (counts, len)
        })
        .collect();
    let n = docs.len() as f64;
    let avg_len = (docs.iter().map(|d| d.1).sum::<usize>() as f64 / n).max(1.0);
    let mut df: BTreeMap<&str, usize> = BTreeMap::new();
    for (counts, _) in &docs {
        for t in counts.keys() {
            *df.entry(t.as_str()).or_default() += 1;
        }
    }
    let stated = sizes::stated(question);
    let size_weight = (1.0 + (n - 0.5) / 1.5).ln();
    let mut scored: Vec<Scored> = docs
        .iter()
        .enumerate()
        .map(|(i, (counts, len))| {
            let len = *len as f64;
            let mut parts = Vec::new();
            for q in &query {
                let Some(&tf) = counts.get(q) else {
                    continue;
                };
                let tf = tf as f64;
                let d = df.get(q.as_str()).copied().unwrap_or(0) as f64;
                let idf = ((n - d + 0.5) / (d + 0.5) + 1.0).ln();
                let part = idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / avg_len));
                parts.push((q.clone(), part));
            }
            // A size the question states inside the range the position is written for
            // ("five engineers" and "(<10 devs)") counts as much as the rarest word.
            let ranges = sizes::ranges(&positions[i].text);
            if let Some(size) = stated.iter().find(|s| ranges.iter().any(|r| r.contains(s))) {
                parts.push((format!("{} {}", size.value, size.unit.label()), size_weight));
            }
            let score = parts.iter().map(|(_, s)| s).sum();
            (i, score, parts)
        })
        .filter(|(_, score, _)| *score > 0.0)
        .collect();
    // Best first; equal scores keep spec order, so the ranking is deterministic.
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let Some(best) = scored.first().map(|s| s.1) else {
        return Vec::new();
    };
    let mut used = 0;
    let mut picks = Vec::new();
    for (i, score, mut parts) in scored {
        if score < best * RELATIVE_FLOOR {
            break;
        }
        let position = &positions[i];
        let tokens = estimate(&position.line()) + 1;
        let same_section = picks
            .iter()
            .filter(|p: &&Pick<'_>| p.position.section == position.section)
            .count();
        if used + tokens > budget || same_section >= PER_SECTION {
            continue;
        }
        used += tokens;
        parts.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        picks.push(Pick {
            position,
            score,
            tokens,
            matched: parts.into_iter().map(|(t, _)| t).collect(),
        });
    }
    picks
}

/// A position's terms: section, text and hints (hints count twice: they were written to be
/// found).
fn document(p: &Position) -> Vec<String> {
    let mut doc = terms(&p.section);
    doc.extend(terms(&p.text));
    for hint in &p.hints {
        let t = terms(hint);
        doc.extend(t.iter().cloned());
        doc.extend(t);
    }
    doc
}

/// Words of `text`, lower-cased, stemmed, without stop words. A dotted name (`fly.io`) also
/// yields its parts; numbers keep their decimal point (`99.99`).
pub fn terms(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let mut out = Vec::new();
    for raw in lower.split(|c: char| !(c.is_alphanumeric() || c == '.')) {
        let word = raw.trim_matches('.');
        if word.is_empty() {
            continue;
        }
        if word.contains('.') && !word.chars().all(|c| c.is_ascii_digit() || c == '.') {
            for part in word.split('.').filter(|p| !p.is_empty()) {
                push_term(part, &mut out);
            }
        }
        push_term(word, &mut out);
    }
    out
}

fn push_term(word: &str, out: &mut Vec<String>) {
    if STOP_WORDS.binary_search(&word).is_ok() {
        return;
    }
    out.push(stem(word));
}

/// Light suffix stripping so `deploys`, `deployment` and `deploying` meet at `deploy`:
/// plurals, `-ing`, `-ed`, `-ment`, `-ly`, then a final `e`. Words of four letters or fewer and
/// words with digits stay as they are.
pub fn stem(word: &str) -> String {
    if word.chars().count() <= 4 || word.chars().any(|c| c.is_ascii_digit()) {
        return word.to_owned();
    }
    let mut w = word.to_owned();
    if let Some(base) = w.strip_suffix("ies") {
        w = format!("{base}y");
    } else if w.ends_with("sses") {
        w.truncate(w.len() - 2);
    } else if w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") {
        w.pop();
    }
    for suffix in ["ing", "ment", "ed", "ly"] {
        if w.len() >= suffix.len() + 4
            && let Some(base) = w.strip_suffix(suffix)
        {
            w = base.to_owned();
            break;
        }
    }
    if w.len() > 4 && w.ends_with('e') {
        w.pop();
    }
    w
}

/// Words too common to say anything about a question (sorted, for `binary_search`).
const STOP_WORDS: &[&str] = &[
    "&str] = &[     a",
    "about",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "been",
    "being",
    "but",
    "by",
    "can",
    "could",
    "do",
    "does",
    "done",
    "ever",
    "every",
    "fine",
    "for",
    "from",
    "get",
    "go",
    "going",
    "had",
    "has",
    "have",
    "here",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "just",
    "lot",
    "make",
    "many",
    "me",
    "more",
    "most",
    "much",
    "my",
    "need",
    "not",
    "now",
    "of",
    "ok",
    "okay",
    "on",
    "one",
    "or",
    "other",
    "our",
    "out",
    "really",
    "same",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "thing",
    "things",
    "this",
    "to",
    "too",
    "up",
    "us",
    "use",
    "very",
    "want",
    "was",
    "way",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "who",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(section: &str, text: &str, hints: &[&str]) -> Position {
        Position {
            section: section.into(),
            text: text.into(),
            hints: hints.iter().map(|h| (*h).to_owned()).collect(),
        }
    }

    #[test]
    fn stop_words_are_sorted() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn stemming_joins_word_forms() {
        for (a, b) in [
            ("deploys", "deployment"),
            ("deploying", "deployed"),
            ("services", "service"),
            ("replicas", "replica"),
            ("policies", "policy"),
            ("scaling", "scale"),
            ("engineers", "engineer"),
        ] {
            assert_eq!(stem(a), stem(b), "{a} / {b}");
        }
        assert_eq!(stem("k8s"), "k8s");
        assert_eq!(stem("redis"), "redi");
        assert_eq!(stem("status"), "status");
    }

    #[test]
    fn terms_keep_numbers_and_split_dotted_names() {
        assert_eq!(terms("Is 99.9% uptime OK?"), ["99.9", "uptim"]);
        assert_eq!(terms("fly.io"), ["fly", "io", "fly.io"]);
        assert_eq!(terms(".env files"), ["env", "file"]);
    }

    #[test]
    fn bm25_prefers_the_rarer_matching_term_and_keeps_ties_in_order() {
        let ps = [
            pos("A", "database backups every day", &[]),
            pos("B", "database replicas serve reads", &[]),
            pos("C", "database sharding per user", &[]),
        ];
        let picks = recall(&ps, "how many database replicas?", 1000);
        assert_eq!(picks[0].position.section, "B");
        assert_eq!(picks[0].matched, ["replica", "databas"]);
        let tie = recall(&ps, "database", 1000);
        let order: Vec<_> = tie.iter().map(|p| p.position.section.as_str()).collect();
        assert_eq!(order, ["A", "B", "C"]);
    }

    #[test]
    fn hints_find_positions_their_text_does_not() {
        let ps = [
            pos(
                "Hot take",
                "Don't use it unless you have >20 services.",
                &["k8s"],
            ),
            pos("Other", "Use Terraform.", &[]),
        ];
        let picks = recall(&ps, "k8s?", 1000);
        assert_eq!(picks.len(), 1);
        assert_eq!(picks[0].position.section, "Hot take");
    }

    #[test]
    fn the_budget_is_respected_and_nothing_matches_nothing() {
        let ps: Vec<Position> = (0..10)
            .map(|i| pos(&format!("S{i}"), &format!("backup policy number {i}"), &[]))
            .collect();
        let picks = recall(&ps, "backup", 30);
        let used: usize = picks.iter().map(|p| p.tokens).sum();
        assert!(used <= 30 && !picks.is_empty(), "{used}");
        assert!(recall(&ps, "zebra", 1000).is_empty());
        assert!(recall(&ps, "the and of", 1000).is_empty());
    }
}
