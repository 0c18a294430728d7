//! Strips terminal control and escape sequences from untrusted model text before it reaches a
//! terminal. Stateful, because a sequence can be split across two stream deltas. Keeps `\n` and
//! `\t`; drops other C0 controls, DEL, C1 controls, CSI, OSC and other ESC sequences.

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum State {
    #[default]
    Text,
    /// Saw ESC.
    Escape,
    /// Inside `ESC [` … final byte.
    Csi,
    /// Inside `ESC ]` … BEL or `ESC \`.
    Osc,
    /// Inside an OSC, saw ESC (maybe the start of `ESC \`).
    OscEscape,
}

/// A streaming sanitizer; feed it deltas in order.
#[derive(Debug, Default)]
pub struct Sanitizer {
    state: State,
}

impl Sanitizer {
    /// Returns `text` with control sequences removed, carrying state to the next call.
    pub fn clean(&mut self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for ch in text.chars() {
            self.state = match (self.state, ch) {
                (State::Text, '\x1b') => State::Escape,
                (State::Text, '\n' | '\t') => {
                    out.push(ch);
                    State::Text
                }
                (State::Text, c) if c.is_control() => State::Text,
                (State::Text, c) => {
                    out.push(c);
                    State::Text
                }
                (State::Escape, '[') => State::Csi,
                (State::Escape, ']') => State::Osc,
                // Two-byte escapes (`ESC c`, `ESC 7`, …) end at their second character; CSI
                // ends at its final byte.
                (State::Escape, _) => State::Text,
                (State::Csi, c) if ('\x40'..='\x7e').contains(&c) => State::Text,
                (State::Csi, _) => State::Csi,
                (State::Osc | State::OscEscape, '\x07') | (State::OscEscape, '\\') => State::Text,
                (State::Osc | State::OscEscape, '\x1b') => State::OscEscape,
                (State::Osc | State::OscEscape, _) => State::Osc,
            };
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_csi_osc_and_controls_but_keeps_newlines() {
        let mut s = Sanitizer::default();
        let dirty = "a\x1b[31mred\x1b[0m\x1b]0;title\x07b\x07\r\nc\td\u{9b}";
        assert_eq!(s.clean(dirty), "aredb\nc\td");
    }

    #[test]
    fn sequence_split_across_deltas() {
        let mut s = Sanitizer::default();
        let joined = s.clean("x\x1b[3") + &s.clean("1my");
        assert_eq!(joined, "xy");
    }

    #[test]
    fn unicode_passes_through() {
        let mut s = Sanitizer::default();
        assert_eq!(s.clean("Olá 😊 │ ▼"), "Olá 😊 │ ▼");
    }
}
