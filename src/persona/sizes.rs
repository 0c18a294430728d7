//! Sizes for recall: the head counts and user counts a question states ("five engineers",
//! "50K users", "a million users") and the ranges positions are written for ("(<10 devs)",
//! "(10-50 people)", "(100K-500K users)", "(10M+ users)"). A question's size that falls in a
//! position's range is a match recall can explain ("5 people"). Pure.

/// What is counted: people on the team, or users of the product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    People,
    Users,
}

impl Unit {
    fn parse(word: &str) -> Option<Unit> {
        let w = word.trim_end_matches('s');
        match w {
            "dev" | "developer" | "engineer" | "people" | "person" | "employee" | "devop" => {
                Some(Unit::People)
            }
            "user" | "customer" | "subscriber" => Some(Unit::Users),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Unit::People => "people",
            Unit::Users => "users",
        }
    }
}

/// A stated size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Size {
    pub value: f64,
    pub unit: Unit,
}

/// A range a position is written for: `low..=high` (`high` infinite for `50+`; counts are
/// whole, so `<10` ends at 9.5).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    pub low: f64,
    pub high: f64,
    pub unit: Unit,
}

impl Range {
    pub fn contains(&self, size: &Size) -> bool {
        self.unit == size.unit && size.value >= self.low && size.value <= self.high
    }
}

// The index of a word in a 21-word table is exact in an f64.
#[allow(clippy::cast_precision_loss)]
fn word_number(word: &str) -> Option<f64> {
    const WORDS: [&str; 21] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
    ];
    if let Some(i) = WORDS.iter().position(|w| *w == word) {
        return Some(i as f64);
    }
    match word {
        "a" | "an" => Some(1.0),
        "dozen" => Some(12.0),
        "thirty" => Some(30.0),
        "forty" => Some(40.0),
        "fifty" => Some(50.0),
        "hundred" => Some(100.0),
        _ => None,
    }
}

/// `50`, `50k`, `2.5m`, `100K`: a number with an optional thousand/million suffix.
fn number(token: &str) -> Option<f64> {
    let (digits, scale) = match token.char_indices().last() {
        Some((i, 'k')) => (&token[..i], 1e3),
        Some((i, 'm')) => (&token[..i], 1e6),
        _ => (token, 1.0),
    };
    let digits = digits.trim_start_matches(['<', '~', '>']).replace(',', "");
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return word_number(token);
    }
    digits.parse::<f64>().ok().map(|v| v * scale)
}

fn multiplier(word: &str) -> Option<f64> {
    match word {
        "thousand" | "k" => Some(1e3),
        "million" | "m" | "millions" => Some(1e6),
        "hundred" | "hundreds" => Some(100.0),
        _ => None,
    }
}

/// The sizes a question states: a number, an optional multiplier, then within two words a
/// unit ("five engineers", "3 million users", "a 5-person startup", "200 backend engineers").
pub fn stated(text: &str) -> Vec<Size> {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !(c.is_alphanumeric() || c == '.' || c == ','))
        .map(|w| w.trim_matches(['.', ',']))
        .filter(|w| !w.is_empty())
        .collect();
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let Some(mut value) = number(w) else {
            continue;
        };
        let next_word = words.get(i + 1).copied().unwrap_or("");
        // "a" counts only as "a million", "a dozen", "a hundred".
        if matches!(*w, "a" | "an")
            && multiplier(next_word).is_none()
            && !matches!(next_word, "dozen" | "hundred")
        {
            continue;
        }
        let mut next = i + 1;
        if let Some(m) = words.get(next).and_then(|w| multiplier(w)) {
            value *= m;
            next += 1;
        }
        let unit = words.iter().skip(next).take(2).find_map(|w| Unit::parse(w));
        if let Some(unit) = unit {
            out.push(Size { value, unit });
        }
    }
    out
}

/// The ranges in a position's text: each `(… unit)` group that reads as `<N`, `N-M` or `N+`.
pub fn ranges(text: &str) -> Vec<Range> {
    let mut out = Vec::new();
    for group in text.split('(').skip(1) {
        let Some(inner) = group.split(')').next() else {
            continue;
        };
        let mut parts = inner.split_whitespace();
        let (Some(span), Some(unit)) = (parts.next(), parts.next()) else {
            continue;
        };
        let Some(unit) = Unit::parse(&unit.to_lowercase()) else {
            continue;
        };
        let span = span.to_lowercase();
        let range = if let Some(n) = span.strip_prefix('<') {
            number(n).map(|high| (0.0, high - 0.5))
        } else if let Some(n) = span.strip_suffix('+') {
            number(n).map(|low| (low, f64::INFINITY))
        } else if let Some((a, b)) = span.split_once('-') {
            number(a).zip(number(b))
        } else {
            None
        };
        if let Some((low, high)) = range {
            out.push(Range { low, high, unit });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // Whole numbers, compared exactly.
    #[allow(clippy::cast_possible_truncation)]
    fn values(text: &str) -> Vec<(i64, Unit)> {
        stated(text)
            .into_iter()
            .map(|s| (s.value.round() as i64, s.unit))
            .collect()
    }

    #[test]
    fn questions_state_sizes_in_words_digits_and_multipliers() {
        assert_eq!(
            values("five engineers, three services"),
            [(5, Unit::People)]
        );
        assert_eq!(
            values("We have 200 backend engineers"),
            [(200, Unit::People)]
        );
        assert_eq!(values("at 50K users"), [(50_000, Unit::Users)]);
        assert_eq!(values("3 million users"), [(3_000_000, Unit::Users)]);
        assert_eq!(values("a million users"), [(1_000_000, Unit::Users)]);
        assert_eq!(values("a 5-person startup"), [(5, Unit::People)]);
        assert!(values("deploys take 45 minutes").is_empty());
    }

    #[test]
    fn positions_name_ranges() {
        let r = ranges("For small teams (<10 devs): Docker Compose");
        assert!(r[0].contains(&Size {
            value: 5.0,
            unit: Unit::People
        }));
        assert!(!r[0].contains(&Size {
            value: 10.0,
            unit: Unit::People
        }));
        let r = ranges("Phase 2 Vertical Scaling (100K-500K users): bigger");
        assert!(r[0].contains(&Size {
            value: 2e5,
            unit: Unit::Users
        }));
        assert!(!r[0].contains(&Size {
            value: 2e5,
            unit: Unit::People
        }));
        let r = ranges("Phase 6 Sharding (10M+ users): (complexity + infrastructure)");
        assert_eq!(r.len(), 1);
        assert!(r[0].contains(&Size {
            value: 5e7,
            unit: Unit::Users
        }));
    }
}
