//! Joins the byte pieces of tokens into UTF-8 text for `StreamEvent::Text`, holding back a
//! character split across tokens. Pure; no llama.cpp here.

/// Joins token bytes into text, holding back an incomplete UTF-8 sequence.
#[derive(Debug, Default)]
pub struct Utf8Stream {
    pending: Vec<u8>,
}

impl Utf8Stream {
    /// Adds a token's bytes; returns the text that is complete so far.
    pub fn push(&mut self, bytes: &[u8]) -> Option<String> {
        self.pending.extend_from_slice(bytes);
        let valid = match std::str::from_utf8(&self.pending) {
            Ok(_) => self.pending.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            // Invalid bytes, not just incomplete: let them through lossily.
            Err(_) => self.pending.len(),
        };
        if valid == 0 {
            return None;
        }
        let rest = self.pending.split_off(valid);
        let text = String::from_utf8_lossy(&self.pending).into_owned();
        self.pending = rest;
        Some(text)
    }

    /// What is left at the end (lossy if it never completed).
    pub fn finish(&mut self) -> Option<String> {
        (!self.pending.is_empty()).then(|| String::from_utf8_lossy(&self.pending).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::Utf8Stream;

    #[test]
    fn utf8_split_across_tokens() {
        let mut s = Utf8Stream::default();
        let e = "é".as_bytes();
        assert_eq!(s.push(&e[..1]), None);
        assert_eq!(s.push(&e[1..]).as_deref(), Some("é"));
        assert_eq!(s.finish(), None);
    }
}
