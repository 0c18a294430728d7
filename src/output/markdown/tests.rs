//! The renderer on whole documents, and the property that makes it safe to stream: the same
//! text split at every offset into deltas prints exactly the same bytes.

use std::fmt::Write as _;

use super::MarkdownStream;

const ANSWER: &str = "# Restore plan

Take **one** snapshot and *verify* it with `restic check`; see [the runbook](https://runbook.test/restore).

| Tier | RPO | Owner |
|------|----:|-------|
| gold | 5 min | **sre** |
| bronze | 24 h | team |

```bash
restic snapshots --json | jq '.[0].id'
echo \"done\"
```

1. Stop the writers before the snapshot is taken, so nothing changes underneath the copy.
2. Restore into a scratch volume
   and compare checksums.
   - nested detail
- [ ] rehearse quarterly

> Quoted advice with **bold**
> spanning two lines.

---
Last line without a newline";

fn streamed(text: &str, splits: &[usize], width: usize, color: bool) -> String {
    streamed_with(&mut MarkdownStream::new(width, color), text, splits)
}

/// Streams `text` through `md` (reused, so the highlighter loads once), split at `splits`.
fn streamed_with(md: &mut MarkdownStream, text: &str, splits: &[usize]) -> String {
    let mut out = String::new();
    let mut start = 0;
    for &end in splits.iter().chain(std::iter::once(&text.len())) {
        out.push_str(&md.push(&text[start..end]));
        start = end;
    }
    out.push_str(&md.finish());
    out
}

fn strip_sgr(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn every_split_point_prints_the_same_bytes() {
    for (width, color) in [(80, false), (80, true), (32, true)] {
        let mut md = MarkdownStream::new(width, color);
        let whole = streamed_with(&mut md, ANSWER, &[]);
        for offset in (1..ANSWER.len()).filter(|i| ANSWER.is_char_boundary(*i)) {
            assert_eq!(
                streamed_with(&mut md, ANSWER, &[offset]),
                whole,
                "split at {offset} (width {width}, colour {color})"
            );
        }
    }
}

#[test]
fn character_by_character_prints_the_same_bytes() {
    let boundaries: Vec<usize> = (1..ANSWER.len())
        .filter(|i| ANSWER.is_char_boundary(*i))
        .collect();
    for width in [80, 40, 21] {
        assert_eq!(
            streamed(ANSWER, &boundaries, width, true),
            streamed(ANSWER, &[], width, true),
            "width {width}"
        );
    }
}

#[test]
fn layout_without_colour() {
    let out = streamed(ANSWER, &[], 60, false);
    let expected = "\
# Restore plan

Take one snapshot and verify it with restic check; see the
runbook (https://runbook.test/restore).

 Tier   │   RPO │ Owner
────────┼───────┼───────
 gold   │ 5 min │ sre
 bronze │  24 h │ team

  restic snapshots --json | jq '.[0].id'
  echo \"done\"

1. Stop the writers before the snapshot is taken, so nothing
   changes underneath the copy.
2. Restore into a scratch volume and compare checksums.
   ◦ nested detail
• ☐ rehearse quarterly

│ Quoted advice with bold spanning two lines.

────────────────────────────────────────────────────────────
Last line without a newline
";
    assert_eq!(out, expected);
}

#[test]
fn colour_changes_no_layout() {
    let coloured = streamed(ANSWER, &[], 60, true);
    assert!(coloured.contains("\x1b["), "{coloured:?}");
    assert_eq!(strip_sgr(&coloured), streamed(ANSWER, &[], 60, false));
}

#[test]
fn no_markers_or_fences_survive() {
    let out = streamed(ANSWER, &[], 80, true);
    assert!(!out.contains("**"), "{out}");
    assert!(!out.contains("```"), "{out}");
    assert!(!out.contains('`'), "{out}");
}

#[test]
fn words_stream_before_the_line_ends() {
    let mut md = MarkdownStream::new(80, false);
    assert_eq!(md.push("Take one snap"), "Take one");
    assert_eq!(md.push("shot now"), " snapshot");
    assert_eq!(md.finish(), " now\n");
}

#[test]
fn open_emphasis_holds_the_words_back() {
    let mut md = MarkdownStream::new(80, false);
    assert_eq!(md.push("a **bold move "), "");
    assert_eq!(md.push("here** ok\n"), "a bold move here ok");
    assert_eq!(md.finish(), "\n");
}

#[test]
fn a_table_prints_once_complete() {
    let mut md = MarkdownStream::new(80, false);
    assert_eq!(md.push("| a | b |\n|---|---|\n| 1 | 2 |\n"), "");
    assert_eq!(md.push("\n"), " a │ b\n───┼───\n 1 │ 2\n");
}

#[test]
fn code_lines_print_as_they_end() {
    let mut md = MarkdownStream::new(80, false);
    assert_eq!(md.push("```sh\nls -l\nech"), "  ls -l\n");
    assert_eq!(md.push("o hi\n```\n"), "  echo hi\n");
}

#[test]
fn unclosed_fence_ends_with_the_answer() {
    let mut md = MarkdownStream::new(80, false);
    let out = md.render("```\ncode");
    assert_eq!(out, "  code\n");
    assert_eq!(md.render("after"), "after\n");
}

#[test]
fn lines_starting_with_punctuation_or_emoji_stream_the_same() {
    let text = "\"Quoted\" start, then *more* words here\n😀 emoji line with `code` in it\n\n(parenthesised) text that wraps around the narrow width\n2024 was a year\n";
    let mut md = MarkdownStream::new(24, true);
    let whole = streamed_with(&mut md, text, &[]);
    for offset in (1..text.len()).filter(|i| text.is_char_boundary(*i)) {
        assert_eq!(
            streamed_with(&mut md, text, &[offset]),
            whole,
            "split at {offset}"
        );
    }
    let boundaries: Vec<usize> = (1..text.len())
        .filter(|i| text.is_char_boundary(*i))
        .collect();
    assert_eq!(streamed_with(&mut md, text, &boundaries), whole);
}

/// A long paragraph whose markup crosses rows (bold, a link, code, a hard break, a `*` between
/// spaces, wide characters), fed whole, word by word and character by character, lays out as
/// the whole paragraph parsed and wrapped at once: the renderer's settled points (where later
/// text no longer re-lays out earlier text) change nothing.
#[test]
fn a_long_paragraph_streamed_lays_out_as_parsed_whole() {
    let mut text = String::new();
    for i in 0..60 {
        write!(
            text,
            "word{i} **bold {i} across** then [a link](https://x.test/{i}) and `code {i}` 2 * 3 日本語{i} "
        )
        .unwrap();
        if i % 17 == 16 {
            text.push_str("end  \ncontinued ");
        }
        if i % 23 == 22 {
            text.push_str("soft\nbreak ");
        }
    }
    let text = text.trim_end();
    for (width, color) in [(80, false), (33, true), (20, false)] {
        let parsed = super::inline::parse(text, super::style::Style::default());
        let oracle =
            super::inline::write_rows(&super::inline::wrap(&parsed.tokens, width, &[], &[]), color)
                + "\n";
        let words: Vec<usize> = text.match_indices(' ').map(|(i, _)| i + 1).collect();
        let chars: Vec<usize> = (1..text.len())
            .filter(|i| text.is_char_boundary(*i))
            .collect();
        for (how, splits) in [("whole", vec![]), ("by word", words), ("by char", chars)] {
            assert_eq!(
                streamed(text, &splits, width, color),
                oracle,
                "{how}, width {width}, colour {color}"
            );
        }
    }
}

/// Each word of a long paragraph shows as soon as the space after it arrives, however long
/// the paragraph has grown (no bursts every quarter of its length).
#[test]
fn a_long_paragraph_shows_every_word_as_it_arrives() {
    let mut md = MarkdownStream::new(60, false);
    let mut shown = String::new();
    for i in 0..2000 {
        shown.push_str(&md.push(&format!("w{i} ")));
        let last = shown.split_whitespace().last().unwrap_or("");
        assert_eq!(last, format!("w{i}"), "after word {i}");
    }
    shown.push_str(&md.finish());
    assert_eq!(shown.split_whitespace().count(), 2000);
}
