//! Whether a question is about *this* system. A small embedded model offered tools probes the
//! machine it runs on even for a general question ("a web server is slow: what should I check
//! first?") and then answers in a sentence about the wrong machine; without tools it gives the
//! checklist the question asks for. So on the local provider, unless the user chose a tools
//! mode, tools are offered only when the question points at this machine: `here`, `this
//! server`, `my disk`, `localhost`, a URL or an absolute path. HTTP models are always offered
//! them (they tell the two apart themselves).

/// Phrases that point at the machine mitchell runs on.
const HERE: &[&str] = &[
    "here",
    "this machine",
    "this server",
    "this host",
    "this box",
    "this system",
    "this node",
    "this vm",
    "this container",
    "this cluster",
    "this computer",
    "this laptop",
    "this disk",
    "my machine",
    "my server",
    "my laptop",
    "my disk",
    "my box",
    "my computer",
    "local machine",
    "localhost",
    "right now",
];

/// True when `question` is about this machine (see the module docs).
pub fn is_about_this_system(question: &str) -> bool {
    let text = question.to_lowercase();
    if text.contains("http://") || text.contains("https://") || text.contains("127.0.0.1") {
        return true;
    }
    if text
        .split_whitespace()
        .any(|w| w.starts_with('/') && w.len() > 1 && w[1..].starts_with(char::is_alphanumeric))
    {
        return true;
    }
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    HERE.iter().any(|phrase| {
        let parts: Vec<&str> = phrase.split(' ').collect();
        words.windows(parts.len()).any(|w| w == parts.as_slice())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_about_this_machine_are_told_apart_from_general_ones() {
        for here in [
            "How full is the root disk here? Give the Use% figure.",
            "Is nginx running on this server?",
            "why is my laptop slow right now",
            "check https://example.test/health",
            "what is in /etc/hosts?",
            "is anything listening on localhost:5432",
        ] {
            assert!(is_about_this_system(here), "{here}");
        }
        for general in [
            "A Linux web server is slow and load average is 20. What should I check first?",
            "Our startup has five engineers and three services. Should we move to Kubernetes now?",
            "Where do production secrets live?",
            "Is there a cheaper option than 24/7 on-call?",
            "What does thereafter mean in an SLA?",
        ] {
            assert!(!is_about_this_system(general), "{general}");
        }
    }
}
