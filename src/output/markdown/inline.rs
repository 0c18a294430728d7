//! Inline markdown of one block (emphasis, strong, strike-through, inline code, links, hard
//! breaks) turned into styled pieces by pulldown-cmark, and the greedy word wrap of those pieces
//! into rows at a display width (unicode-width aware, words longer than a row are split).
//! Block structure is decided by the line machine in `blocks`; this file never sees a block
//! marker.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::style::{self, BLUE, CYAN, Piece, Style, char_width};

/// One unit of the wrap: a word (pieces without spaces), a space, or a forced line break.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Word(Vec<Piece>),
    Space(Style),
    Break,
}

/// The inline content of a block as tokens, and whether it is settled: `false` when the text
/// shows a delimiter (`*`, `_`, `` ` ``, `[` …) that more text could still pair up, so a
/// prefix of it must not be printed yet.
pub struct Inline {
    pub tokens: Vec<Token>,
    pub settled: bool,
}

/// Parses `text` (the block's content, markers removed) with `base` as the outer style.
pub fn parse(text: &str, base: Style) -> Inline {
    let escaped;
    let mut source = text.trim_start();
    if is_plain(source) {
        // Nothing in it is markup: the words as they are (what the parser would give, for a
        // fraction of its cost on the few words a streaming paragraph adds at a time).
        let mut tokens = Vec::new();
        push_text(&mut tokens, source.trim_end(), base);
        return Inline {
            tokens,
            settled: true,
        };
    }
    if !starts_as_paragraph(source) {
        escaped = escape_start(source);
        source = &escaped;
    }
    let mut tokens = Vec::new();
    let mut settled = true;
    let mut stack = vec![base];
    let mut links: Vec<(String, usize)> = Vec::new();
    let mut text_since_link = String::new();
    let mut blocks = 0usize;
    let current = |stack: &[Style]| stack.last().copied().unwrap_or_default();
    for event in Parser::new_ext(source, Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Text(t) => {
                settled &= settled_text(&t);
                text_since_link.push_str(&t);
                push_text(&mut tokens, &t, current(&stack));
            }
            Event::Code(t) => {
                text_since_link.push_str(&t);
                let code = Style {
                    fg: Some(CYAN),
                    ..current(&stack)
                };
                push_text(&mut tokens, &t, code);
            }
            Event::InlineHtml(t) | Event::Html(t) => {
                settled = false;
                push_text(&mut tokens, &t, current(&stack));
            }
            Event::SoftBreak => tokens.push(Token::Space(current(&stack))),
            Event::HardBreak => tokens.push(Token::Break),
            Event::Start(tag) => match tag {
                Tag::Emphasis => stack.push(Style {
                    italic: true,
                    ..current(&stack)
                }),
                Tag::Strong => stack.push(Style {
                    bold: true,
                    ..current(&stack)
                }),
                Tag::Strikethrough => stack.push(Style {
                    strike: true,
                    ..current(&stack)
                }),
                Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } => {
                    links.push((dest_url.to_string(), text_since_link.len()));
                    stack.push(Style {
                        underline: true,
                        fg: Some(BLUE),
                        ..current(&stack)
                    });
                }
                _ => {
                    blocks += 1;
                    if blocks > 1 {
                        tokens.push(Token::Break);
                    }
                }
            },
            Event::End(tag) => match tag {
                TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough => {
                    stack.pop();
                }
                TagEnd::Link | TagEnd::Image => {
                    stack.pop();
                    if let Some((url, start)) = links.pop() {
                        let shown = &text_since_link[start.min(text_since_link.len())..];
                        let address = url.strip_prefix("mailto:").unwrap_or(&url);
                        if !url.is_empty() && shown != url && shown != address {
                            tokens.push(Token::Space(current(&stack)));
                            let dim = Style {
                                dim: true,
                                ..current(&stack)
                            };
                            push_text(&mut tokens, &format!("({url})"), dim);
                        }
                    }
                }
                _ => {}
            },
            _ => {}
        }
    }
    Inline { tokens, settled }
}

/// Whether `text` is words and spaces only, with nothing CommonMark reads as markup: it starts
/// with a letter (no block marker, list number or indentation), has no inline delimiter,
/// escape, entity, HTML or link bracket, and no line break (hard or soft).
fn is_plain(text: &str) -> bool {
    text.chars().next().is_some_and(char::is_alphabetic)
        && !text.contains([
            '\\', '`', '*', '_', '~', '[', ']', '<', '>', '&', '!', '\n', '\r',
        ])
}

/// Whether pulldown-cmark reads `text` as a plain paragraph (not a list, heading, quote …).
fn starts_as_paragraph(text: &str) -> bool {
    matches!(
        Parser::new(text).next(),
        Some(Event::Start(Tag::Paragraph)) | None
    )
}

/// Escapes what makes `text` start a block: its first punctuation character, or the `.`/`)`
/// after a leading number.
fn escape_start(text: &str) -> String {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 {
        return format!("{}\\{}", &text[..digits], &text[digits..]);
    }
    match text.chars().next() {
        Some(c) if c.is_ascii_punctuation() => format!("\\{text}"),
        _ => text.to_owned(),
    }
}

/// `false` when a literal delimiter in `text` could still be closed by text yet to come.
/// An `_` inside a word and a `*`, `_` or `~` between spaces never pair up.
fn settled_text(text: &str) -> bool {
    let mut before: Option<char> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let after = chars.peek().copied();
        let settled = match c {
            '<' => after.is_some_and(char::is_whitespace),
            '`' | '[' | ']' | '\\' => false,
            '_' if before.is_some_and(char::is_alphanumeric)
                && after.is_some_and(char::is_alphanumeric) =>
            {
                true
            }
            '*' | '_' | '~' => {
                before.is_some_and(char::is_whitespace) && after.is_some_and(char::is_whitespace)
            }
            _ => true,
        };
        if !settled {
            return false;
        }
        before = Some(c);
    }
    true
}

fn push_text(tokens: &mut Vec<Token>, text: &str, style: Style) {
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix([' ', '\t', '\n']) {
            tokens.push(Token::Space(style));
            rest = after;
            continue;
        }
        let end = rest.find([' ', '\t', '\n']).unwrap_or(rest.len());
        let piece = Piece::new(&rest[..end], style);
        // A word continues the previous one when no space came between (`**a**b`).
        match tokens.last_mut() {
            Some(Token::Word(pieces)) => pieces.push(piece),
            _ => tokens.push(Token::Word(vec![piece])),
        }
        rest = &rest[end..];
    }
}

/// One output row: pieces and their display width.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row {
    pub pieces: Vec<Piece>,
    pub width: usize,
}

impl Row {
    pub fn starting_with(prefix: &[Piece]) -> Self {
        let mut row = Row::default();
        for piece in prefix {
            row.push(piece.clone());
        }
        row
    }

    pub fn push(&mut self, piece: Piece) {
        self.width += style::width(&piece.text);
        self.pieces.push(piece);
    }
}

/// Greedy wrap of `tokens` to `width` columns; the first row starts with `first`, the others
/// with `rest`. Spaces at a break are dropped; a word wider than a row is split by character.
/// (The renderer drives a `Wrapper` itself; this is the whole-text form its tests compare to.)
#[cfg(test)]
pub fn wrap(tokens: &[Token], width: usize, first: &[Piece], rest: &[Piece]) -> Vec<Row> {
    let mut wrapper = Wrapper::new(Row::starting_with(first), false);
    wrapper.feed(tokens, width, rest);
    wrapper.finish()
}

/// The greedy wrap as a state that more tokens can continue: the rows done, the open row and
/// whether it holds a word yet (a space before the first word of a row is dropped).
pub struct Wrapper {
    rows: Vec<Row>,
    row: Row,
    has_word: bool,
    spaces: Vec<Style>,
}

impl Wrapper {
    /// A wrap whose open row is `row`.
    pub fn new(row: Row, has_word: bool) -> Self {
        Wrapper {
            rows: Vec::new(),
            row,
            has_word,
            spaces: Vec::new(),
        }
    }

    pub fn feed(&mut self, tokens: &[Token], width: usize, rest: &[Piece]) {
        for token in tokens {
            match token {
                Token::Break => {
                    let done = std::mem::replace(&mut self.row, Row::starting_with(rest));
                    self.rows.push(done);
                    self.has_word = false;
                    self.spaces.clear();
                }
                Token::Space(style) => {
                    if self.has_word {
                        self.spaces.push(*style);
                    }
                }
                Token::Word(pieces) => {
                    let word: usize = pieces.iter().map(|p| style::width(&p.text)).sum();
                    if self.has_word && self.row.width + self.spaces.len() + word > width {
                        let done = std::mem::replace(&mut self.row, Row::starting_with(rest));
                        self.rows.push(done);
                        self.spaces.clear();
                    }
                    for style in self.spaces.drain(..) {
                        self.row.push(Piece::new(" ", style));
                    }
                    for piece in pieces {
                        push_splitting(&mut self.rows, &mut self.row, piece, width, rest);
                    }
                    self.has_word = true;
                }
            }
        }
    }

    /// Whether the open row holds a word and no space waits after it: a wrap that stopped
    /// here continues exactly as one that never stopped.
    pub fn at_word_end(&self) -> bool {
        self.has_word && self.spaces.is_empty()
    }

    /// Every row, the open one last.
    pub fn finish(mut self) -> Vec<Row> {
        self.rows.push(self.row);
        self.rows
    }
}

/// Appends `piece` to `row`, starting new rows when it does not fit in an empty row either.
fn push_splitting(rows: &mut Vec<Row>, row: &mut Row, piece: &Piece, width: usize, rest: &[Piece]) {
    let rest_width: usize = rest.iter().map(|p| style::width(&p.text)).sum();
    if row.width + style::width(&piece.text) <= width || width <= rest_width {
        row.push(piece.clone());
        return;
    }
    let mut chunk = String::new();
    let mut chunk_width = 0;
    for ch in piece.text.chars() {
        let w = char_width(ch);
        if row.width + chunk_width + w > width && row.width + chunk_width > rest_width {
            row.push(Piece::new(std::mem::take(&mut chunk), piece.style));
            rows.push(std::mem::replace(row, Row::starting_with(rest)));
            chunk_width = 0;
        }
        chunk.push(ch);
        chunk_width += w;
    }
    row.push(Piece::new(chunk, piece.style));
}

/// The rows as text, joined by newlines, with no newline after the last.
pub fn write_rows(rows: &[Row], color: bool) -> String {
    let mut out = String::new();
    for (i, row) in rows.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        write_pieces(&mut out, &row.pieces, color);
    }
    out
}

/// One row's pieces, appended to `out`.
pub fn write_pieces(out: &mut String, pieces: &[Piece], color: bool) {
    for piece in pieces {
        style::write_piece(out, piece, color);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(text: &str, width: usize) -> String {
        let inline = parse(text, Style::default());
        write_rows(&wrap(&inline.tokens, width, &[], &[]), false)
    }

    #[test]
    fn emphasis_markers_are_removed() {
        assert_eq!(
            plain("a **bold** and *it* `code`", 80),
            "a bold and it code"
        );
    }

    #[test]
    fn wraps_at_word_boundaries() {
        assert_eq!(plain("one two three four", 9), "one two\nthree\nfour");
    }

    #[test]
    fn long_words_are_split() {
        assert_eq!(plain("abcdefghij", 4), "abcd\nefgh\nij");
    }

    #[test]
    fn wide_characters_wrap_by_width() {
        assert_eq!(plain("日本語 日本語", 7), "日本語\n日本語");
    }

    #[test]
    fn links_show_their_target() {
        assert_eq!(
            plain("see [the docs](https://x.test/d) or <https://y.test>", 80),
            "see the docs (https://x.test/d) or https://y.test"
        );
    }

    #[test]
    fn plain_words_take_the_short_way_and_match_the_parser() {
        for text in [
            "tok1 tok2  tok3\ttok4 ",
            "日本語 and ümlaut, 2 / 3 = 0.6 (about) #tag",
        ] {
            assert!(is_plain(text.trim_start()), "{text}");
            let mut parsed = Vec::new();
            let source = text.trim_end();
            for event in Parser::new(source) {
                if let Event::Text(t) = event {
                    push_text(&mut parsed, &t, Style::default());
                }
            }
            assert_eq!(parse(text, Style::default()).tokens, parsed, "{text}");
        }
        for text in [
            "- item",
            "1. one",
            "a *b*",
            "a\nb",
            "# h",
            "a &amp; b",
            "see <x>",
        ] {
            assert!(!is_plain(text), "{text}");
        }
    }

    #[test]
    fn block_markers_in_content_stay_text() {
        assert_eq!(plain("1. not a list", 80), "1. not a list");
        assert_eq!(plain("- not a list", 80), "- not a list");
    }

    #[test]
    fn open_delimiters_are_not_settled() {
        assert!(!parse("a **b", Style::default()).settled);
        assert!(!parse("run `ls", Style::default()).settled);
        assert!(parse("a **b** c", Style::default()).settled);
        assert!(parse("snake_case and 2 * 3", Style::default()).settled);
    }
}
