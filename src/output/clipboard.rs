//! Copying text to the clipboard through the terminal: the OSC 52 sequence
//! (`ESC ] 52 ; c ; BASE64 BEL`), which the terminal emulator (not this process) turns into a
//! clipboard write, so it works over ssh too. It is written only to a terminal — stderr, else
//! stdout — never to a pipe or a file. Whether the terminal honours it cannot be asked, so
//! `known_support` reads the environment for emulators known to; the caller says which it was.

use crate::config::Env;

/// The base64 alphabet of RFC 4648 (with padding), as OSC 52 expects.
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// `bytes` in standard base64 with `=` padding.
pub fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                // Six bits, always below 64.
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The sequence that sets the clipboard (`c`) to `text`.
pub fn osc52(text: &str) -> String {
    format!("\x1b]52;c;{}\x07", base64(text.as_bytes()))
}

/// Where the sequence goes: the first of stderr and stdout that is a terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Stderr,
    Stdout,
}

impl Target {
    /// `None` when neither stream is a terminal: nothing is sent.
    pub fn choose(stderr_is_tty: bool, stdout_is_tty: bool) -> Option<Target> {
        if stderr_is_tty {
            Some(Target::Stderr)
        } else if stdout_is_tty {
            Some(Target::Stdout)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Target::Stderr => "stderr",
            Target::Stdout => "stdout",
        }
    }
}

/// True when the environment names a terminal emulator that sets the clipboard from OSC 52
/// (kitty, WezTerm, Alacritty, foot, Ghostty, iTerm2, Windows Terminal, Contour). Inside tmux
/// or screen it depends on their settings, so it is not known.
pub fn known_support(env: &Env) -> bool {
    if env.non_empty("TMUX").is_some() || env.non_empty("STY").is_some() {
        return false;
    }
    let term = env.non_empty("TERM").unwrap_or("");
    let program = env.non_empty("TERM_PROGRAM").unwrap_or("");
    env.non_empty("KITTY_WINDOW_ID").is_some()
        || env.non_empty("WT_SESSION").is_some()
        || matches!(
            term,
            "xterm-kitty"
                | "alacritty"
                | "foot"
                | "foot-extra"
                | "xterm-ghostty"
                | "wezterm"
                | "contour"
        )
        || matches!(program, "iTerm.app" | "WezTerm" | "ghostty")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(base64(plain.as_bytes()), encoded, "{plain}");
        }
        assert_eq!(base64(&[0xff, 0xfe, 0x00]), "//4A");
    }

    #[test]
    fn the_sequence_is_osc_52_with_bel() {
        assert_eq!(osc52("hi"), "\x1b]52;c;aGk=\x07");
    }

    #[test]
    fn only_a_terminal_gets_the_sequence() {
        assert_eq!(Target::choose(true, true), Some(Target::Stderr));
        assert_eq!(Target::choose(false, true), Some(Target::Stdout));
        assert_eq!(Target::choose(false, false), None);
    }

    #[test]
    fn support_is_known_only_for_named_emulators_outside_multiplexers() {
        let env = |pairs: &[(&str, &str)]| Env::from_pairs(pairs.iter().copied());
        assert!(known_support(&env(&[("TERM", "xterm-kitty")])));
        assert!(known_support(&env(&[
            ("TERM", "xterm-256color"),
            ("TERM_PROGRAM", "WezTerm")
        ])));
        assert!(known_support(&env(&[("WT_SESSION", "abc")])));
        assert!(!known_support(&env(&[("TERM", "xterm")])));
        assert!(!known_support(&env(&[
            ("TERM", "xterm-kitty"),
            ("TMUX", "/tmp/t,1,0")
        ])));
        assert!(!known_support(&env(&[])));
    }
}
