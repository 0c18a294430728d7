//! A pure Server-Sent Events parser: bytes in, events out. No I/O, no JSON.
//!
//! Works on bytes and decodes UTF-8 only per complete line, so a read that ends inside a
//! multi-byte character is harmless. `\n`, `\r\n` and a lone `\r` end a line, also when a
//! `\r\n` pair is split across two reads. Comments (`:`) are skipped; `data:` lines are joined
//! with `\n`; a blank line dispatches the event. Besides the standard fields it keeps the legacy
//! llama.cpp `error:` field (§4.7), which a spec-following parser would silently drop.

/// One dispatched event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` field (empty when absent).
    pub event: String,
    /// The `data:` lines joined with `\n`.
    pub data: String,
    /// The non-standard `error:` field of old llama.cpp servers.
    pub error: Option<String>,
}

/// A line that is not valid UTF-8.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the stream sent a line that is not valid UTF-8")]
pub struct InvalidUtf8;

/// The incremental parser. Feed it reads in any chunking; call `finish` at end of stream.
#[derive(Debug, Default)]
pub struct SseParser {
    /// The start of a line whose end has not arrived yet.
    partial: Vec<u8>,
    /// The previous read ended with `\r`: a leading `\n` in the next read belongs to it.
    skip_lf: bool,
    event: String,
    data: String,
    has_data: bool,
    error: Option<String>,
}

impl SseParser {
    pub fn new() -> Self {
        SseParser::default()
    }

    /// Consumes one read, appending every event it completes to `out`.
    pub fn feed(&mut self, mut bytes: &[u8], out: &mut Vec<SseEvent>) -> Result<(), InvalidUtf8> {
        if self.skip_lf && !bytes.is_empty() {
            self.skip_lf = false;
            if bytes[0] == b'\n' {
                bytes = &bytes[1..];
            }
        }
        while let Some(pos) = bytes.iter().position(|&b| b == b'\n' || b == b'\r') {
            if self.partial.is_empty() {
                self.line(&bytes[..pos], out)?;
            } else {
                let mut line = std::mem::take(&mut self.partial);
                line.extend_from_slice(&bytes[..pos]);
                let result = self.line(&line, out);
                line.clear();
                self.partial = line;
                result?;
            }
            let mut end = pos + 1;
            if bytes[pos] == b'\r' {
                match bytes.get(end) {
                    Some(b'\n') => end += 1,
                    Some(_) => {}
                    None => self.skip_lf = true,
                }
            }
            bytes = &bytes[end..];
        }
        self.partial.extend_from_slice(bytes);
        Ok(())
    }

    /// Bytes held for an event that has not ended yet (its unfinished line and data so far).
    pub fn pending(&self) -> usize {
        self.partial.len() + self.data.len()
    }

    /// End of stream: a last line without its line end, and an event without its blank line,
    /// are still delivered (§4.8).
    pub fn finish(&mut self, out: &mut Vec<SseEvent>) -> Result<(), InvalidUtf8> {
        if !self.partial.is_empty() {
            let line = std::mem::take(&mut self.partial);
            self.line(&line, out)?;
        }
        self.dispatch(out);
        Ok(())
    }

    fn line(&mut self, line: &[u8], out: &mut Vec<SseEvent>) -> Result<(), InvalidUtf8> {
        if line.is_empty() {
            self.dispatch(out);
            return Ok(());
        }
        if line[0] == b':' {
            return Ok(());
        }
        let line = std::str::from_utf8(line).map_err(|_| InvalidUtf8)?;
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match field {
            "data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            "event" => value.clone_into(&mut self.event),
            "error" => self.error = Some(value.to_owned()),
            _ => {}
        }
        Ok(())
    }

    fn dispatch(&mut self, out: &mut Vec<SseEvent>) {
        if self.has_data || self.error.is_some() {
            out.push(SseEvent {
                event: std::mem::take(&mut self.event),
                data: std::mem::take(&mut self.data),
                error: self.error.take(),
            });
        }
        self.event.clear();
        self.has_data = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(pieces: &[&[u8]]) -> Vec<SseEvent> {
        let mut p = SseParser::new();
        let mut out = Vec::new();
        for piece in pieces {
            p.feed(piece, &mut out).unwrap();
        }
        p.finish(&mut out).unwrap();
        out
    }

    fn data(events: &[SseEvent]) -> Vec<&str> {
        events.iter().map(|e| e.data.as_str()).collect()
    }

    #[test]
    fn line_endings_of_every_kind() {
        for text in [
            "data: a\n\ndata: b\n\n",
            "data: a\r\n\r\ndata: b\r\n\r\n",
            "data: a\r\rdata: b\r\r",
        ] {
            assert_eq!(data(&parse_all(&[text.as_bytes()])), ["a", "b"], "{text:?}");
        }
    }

    #[test]
    fn crlf_split_across_reads_is_one_line_end() {
        let events = parse_all(&[b"data: a\r", b"\n\r", b"\ndata: b\r\n\r\n"]);
        assert_eq!(data(&events), ["a", "b"]);
    }

    #[test]
    fn multibyte_character_split_across_reads() {
        let text = "data: 😊\n\n".as_bytes();
        let events = parse_all(&[&text[..8], &text[8..]]);
        assert_eq!(data(&events), ["😊"]);
    }

    #[test]
    fn comments_fields_and_joined_data() {
        let text = b": keep-alive\nevent: error\ndata:{\"a\":\ndata: 1}\nid: 7\nretry\n\n";
        let events = parse_all(&[text]);
        assert_eq!(events[0].event, "error");
        assert_eq!(events[0].data, "{\"a\":\n1}");
    }

    #[test]
    fn legacy_error_field_and_unterminated_last_event() {
        let events = parse_all(&[b"error: {\"code\":400}\n\ndata: [DONE]"]);
        assert_eq!(events[0].error.as_deref(), Some("{\"code\":400}"));
        assert_eq!(events[1].data, "[DONE]");
    }

    #[test]
    fn invalid_utf8_is_an_error() {
        let mut p = SseParser::new();
        assert_eq!(p.feed(b"data: \xff\n", &mut Vec::new()), Err(InvalidUtf8));
    }
}
