//! Arrow lines as the diagram: `Client -> Cloudflare (CDN) -> 3x web` gives one component per
//! part (the words as the label, a parenthesis as the note, `3x`/`x3` as replicas) and a link
//! between neighbours. A part named again on a later line is the same component, so a second
//! line can fan out (`web -> Redis`). A link that would close a loop is left out: the diagram
//! flows one way. Pure.

use std::sync::LazyLock;

use regex::Regex;

use super::ARROW;
use crate::documents::overview::Component;

// The patterns are literals: building them cannot fail.
#[allow(clippy::unwrap_used)]
static PART: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:(?P<n1>\d{1,3})\s*[x×]\s+|(?P<n2>\d{1,3})[x×]\s*)?(?P<label>[^()]+?)(?:\s*[x×]\s*(?P<n3>\d{1,3}))?\s*(?:\((?P<note>[^()]+)\))?$",
    )
    .unwrap()
});

/// The components and links of the arrow lines read so far.
#[derive(Debug, Default)]
pub(crate) struct Flows {
    components: Vec<Component>,
    links: Vec<[String; 2]>,
}

impl Flows {
    /// Adds one arrow line.
    pub(crate) fn add(&mut self, line: &str) {
        let ids: Vec<String> = ARROW
            .split(line.trim().trim_end_matches('.'))
            .filter_map(|part| self.component(part.trim()))
            .collect();
        for pair in ids.windows(2) {
            let (from, to) = (&pair[0], &pair[1]);
            let known = self.links.iter().any(|[a, b]| a == from && b == to);
            if from != to && !known && !self.reaches(to, from) {
                self.links.push([from.clone(), to.clone()]);
            }
        }
    }

    /// The id of the component `part` names, adding it when new.
    fn component(&mut self, part: &str) -> Option<String> {
        let caps = PART.captures(part)?;
        let label = caps["label"].trim().to_owned();
        if label.is_empty() {
            return None;
        }
        if let Some(c) = self
            .components
            .iter()
            .find(|c| c.label.eq_ignore_ascii_case(&label))
        {
            return Some(c.id.clone());
        }
        let replicas = ["n1", "n2", "n3"]
            .iter()
            .find_map(|n| caps.name(n))
            .and_then(|m| m.as_str().parse::<u32>().ok())
            .filter(|&n| n > 1);
        let mut id = slug(&label);
        let base = id.clone();
        let mut n = 1;
        while self.components.iter().any(|c| c.id == id) {
            n += 1;
            id = format!("{base}-{n}");
        }
        self.components.push(Component {
            id: id.clone(),
            label,
            note: caps.name("note").map(|m| m.as_str().trim().to_owned()),
            replicas,
        });
        Some(id)
    }

    /// Whether `to` can be reached from `from` along the links.
    fn reaches(&self, from: &str, to: &str) -> bool {
        let mut stack = vec![from.to_owned()];
        let mut seen = Vec::new();
        while let Some(id) = stack.pop() {
            if id == to {
                return true;
            }
            if seen.contains(&id) {
                continue;
            }
            for [a, b] in &self.links {
                if *a == id {
                    stack.push(b.clone());
                }
            }
            seen.push(id);
        }
        false
    }

    pub(crate) fn finish(self) -> (Vec<Component>, Vec<[String; 2]>) {
        (self.components, self.links)
    }
}

/// `PostgreSQL (primary)` → `postgresql`: lowercase letters and digits joined by `-`.
fn slug(label: &str) -> String {
    let words: Vec<String> = label
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    if words.is_empty() {
        "component".to_owned()
    } else {
        words.join("-")
    }
}
