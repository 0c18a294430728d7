//! The one pure decision of what `ask` sends: TEXT arguments, piped stdin, or TEXT, a blank
//! line and stdin. Enforces the stdin cap and rejects non-UTF-8 input. Reading stdin is the
//! caller's job (at most `max_input + 1` bytes, so an oversized input is detected).

/// Why the input cannot be sent; every variant is a usage error (exit 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("stdin is larger than {max} bytes (raise it with --max-input)")]
    TooLarge { max: u64 },
    #[error("stdin is not valid UTF-8 text (mitchell reads text only)")]
    NotUtf8,
    #[error("nothing to ask: pass TEXT or pipe something on stdin")]
    Empty,
}

/// Builds the prompt. `stdin` is `None` when stdin is a terminal (nothing is read from it).
pub fn prompt_from(
    text: &[String],
    stdin: Option<Vec<u8>>,
    max_input: u64,
) -> Result<String, InputError> {
    let stdin = match stdin {
        Some(bytes) if bytes.len() as u64 > max_input => {
            return Err(InputError::TooLarge { max: max_input });
        }
        Some(bytes) => String::from_utf8(bytes).map_err(|_| InputError::NotUtf8)?,
        None => String::new(),
    };
    let text = text.join(" ");
    let prompt = match (text.trim().is_empty(), stdin.trim().is_empty()) {
        (true, true) => return Err(InputError::Empty),
        (false, true) => text,
        (true, false) => stdin,
        (false, false) => format!("{text}\n\n{stdin}"),
    };
    Ok(prompt)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| (*w).to_owned()).collect()
    }

    #[test]
    fn text_stdin_and_both() {
        assert_eq!(
            prompt_from(&args(&["why", "{{x}}"]), None, 10),
            Ok("why {{x}}".into())
        );
        assert_eq!(
            prompt_from(&[], Some(b"log\n".to_vec()), 10),
            Ok("log\n".into())
        );
        assert_eq!(
            prompt_from(&args(&["explain"]), Some(b"${HOME}".to_vec()), 10),
            Ok("explain\n\n${HOME}".into())
        );
        assert_eq!(
            prompt_from(&args(&["q"]), Some(Vec::new()), 10),
            Ok("q".into())
        );
    }

    #[test]
    fn limits_and_bad_input() {
        assert_eq!(
            prompt_from(&[], Some(vec![b'a'; 11]), 10),
            Err(InputError::TooLarge { max: 10 })
        );
        assert_eq!(
            prompt_from(&[], Some(vec![0xff]), 10),
            Err(InputError::NotUtf8)
        );
        assert_eq!(
            prompt_from(&[], Some(b" \n".to_vec()), 10),
            Err(InputError::Empty)
        );
        assert_eq!(prompt_from(&[], None, 10), Err(InputError::Empty));
    }
}
