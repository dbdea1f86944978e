//! The one pass over every line of the input: bare LF, over-long lines, and the index of
//! candidate delimiter lines ([RFC 2046 §5.1.1](https://www.rfc-editor.org/rfc/rfc2046#section-5.1.1)).

use crate::lint::msg;
use std::collections::HashMap;

use crate::mime::lints;
use crate::span::Span;

use super::{Parser, MAX_LINE};

/// A line that starts with `--`: a possible delimiter line (RFC 2046 §5.1.1).
#[derive(Debug, Clone, Copy)]
pub(super) struct DelimLine {
    /// Start of the line.
    pub(super) line: usize,
    /// End of the line's content (before CR LF).
    pub(super) content_end: usize,
    /// Start of the next line.
    pub(super) next: usize,
    /// Whether the line is the close delimiter of the boundary it is filed under.
    pub(super) close: bool,
}

/// What one pass over every line of the input finds.
pub(super) struct LineScan<'a> {
    bare: usize,
    first_bare: Option<Span>,
    long: usize,
    first_long: Option<Span>,
    /// Lines starting with `--`, filed under the boundary they would delimit: the text after
    /// `--` without transport padding (as a delimiter), and that text without a final `--`
    /// (as a close delimiter). In input order.
    pub(super) delimiters: HashMap<&'a [u8], Vec<DelimLine>>,
}

/// Bare LF, over-long lines, and the index of candidate delimiter lines, so that each
/// multipart finds its delimiters without rescanning its body and the whole parse stays linear
/// however deep multiparts nest.
///
/// Done as whole-input passes rather than line by line (for 76-character base64 lines a search
/// per line costs more than the decoding): one substring search for `--`, one counting pass
/// for LFs not after a CR, and one LF search per [`LONG_LINE_WINDOW`] bytes, which proves that
/// no line is too long; only input that fails a proof is walked line by line.
pub(super) fn scan_lines(input: &[u8]) -> LineScan<'_> {
    let mut s = LineScan {
        bare: 0,
        first_bare: None,
        long: 0,
        first_long: None,
        delimiters: HashMap::new(),
    };
    // `--` is rare outside delimiter lines (never in base64), so its search skips most bytes.
    for at in memchr::memmem::find_iter(input, b"--") {
        if at == 0 || input.get(at - 1) == Some(&b'\n') {
            file_delimiter(&mut s, input, at);
        }
    }
    if count_bare_lf(input) > 0 || !lines_are_short(input) {
        walk_lines(&mut s, input);
    }
    s
}

/// Bytes per window of [`lines_are_short`]: a line longer than [`MAX_LINE`] runs, with its
/// ending, over at least `MAX_LINE + 1` bytes without an LF, and so covers one whole window.
const LONG_LINE_WINDOW: usize = MAX_LINE.div_ceil(2);

/// Whether every whole window of [`LONG_LINE_WINDOW`] bytes holds an LF, which proves that no
/// line is longer than [`MAX_LINE`].
fn lines_are_short(input: &[u8]) -> bool {
    input
        .chunks_exact(LONG_LINE_WINDOW)
        .all(|w| memchr::memchr(b'\n', w).is_some())
}

/// How many LFs have no CR before them. Counted per 64-byte block in byte-wide lanes, which
/// the compiler turns into vector compares and adds even for the baseline x86-64 target.
fn count_bare_lf(input: &[u8]) -> usize {
    fn bare(after: &[u8], before: &[u8]) -> u8 {
        after
            .iter()
            .zip(before)
            .map(|(&b, &p)| u8::from(b == b'\n') & u8::from(p != b'\r'))
            .fold(0, u8::wrapping_add)
    }
    let after = input.get(1..).unwrap_or_default();
    let mut n = usize::from(input.first() == Some(&b'\n'));
    let blocks = after.chunks_exact(64).zip(input.chunks_exact(64));
    let whole = blocks.len() * 64;
    for (a, b) in blocks {
        n += usize::from(bare(a, b));
    }
    let (a, b) = (after.get(whole..), input.get(whole..));
    n + usize::from(bare(a.unwrap_or_default(), b.unwrap_or_default()))
}

/// Files the line starting at `pos` (which starts with `--`) under the boundary it would
/// delimit: the text after `--` without transport padding (as a delimiter), and that text
/// without a final `--` (as a close delimiter).
fn file_delimiter<'a>(s: &mut LineScan<'a>, input: &'a [u8], pos: usize) {
    let (content_end, next) = line_end(input, pos);
    let line = input.get(pos..content_end).unwrap_or_default();
    let Some(rest) = line.strip_prefix(b"--") else {
        return;
    };
    let mut t = rest;
    while let [head @ .., b' ' | b'\t'] = t {
        t = head;
    }
    let entry = DelimLine {
        line: pos,
        content_end,
        next,
        close: false,
    };
    s.delimiters.entry(t).or_default().push(entry);
    if let Some(b) = t.strip_suffix(b"--") {
        s.delimiters.entry(b).or_default().push(DelimLine {
            close: true,
            ..entry
        });
    }
}

/// The line starting at `pos`: (end of its content, before CR LF or LF; start of the next).
fn line_end(input: &[u8], pos: usize) -> (usize, usize) {
    let rest = input.get(pos..).unwrap_or_default();
    match memchr::memchr(b'\n', rest).map(|i| pos + i) {
        Some(lf) if lf > pos && input.get(lf - 1) == Some(&b'\r') => (lf - 1, lf + 1),
        Some(lf) => (lf, lf + 1),
        None => (input.len(), input.len()),
    }
}

/// Counts bare LF line endings and over-long lines, and finds the first of each, line by line.
fn walk_lines(s: &mut LineScan<'_>, input: &[u8]) {
    let mut pos = 0;
    while pos < input.len() {
        let (content_end, next) = line_end(input, pos);
        if next > content_end && content_end + 1 == next {
            s.bare += 1;
            s.first_bare.get_or_insert(Span::new(content_end, next));
        }
        if content_end - pos > MAX_LINE {
            s.long += 1;
            s.first_long.get_or_insert(Span::new(pos, content_end));
        }
        pos = next;
    }
}

/// Reports bare LF line endings and over-long lines, once per message each.
pub(super) fn line_lints(p: &mut Parser<'_>, scan: &LineScan<'_>) {
    let entity_at = |offset: usize| {
        p.entities
            .iter()
            .rposition(|e| e.span.start <= offset && offset < e.span.end)
            .unwrap_or(0)
    };
    let bare_entity = scan.first_bare.map(|s| entity_at(s.start));
    let long_entity = scan.first_long.map(|s| entity_at(s.start));
    if let (Some(span), Some(e)) = (scan.first_bare, bare_entity) {
        p.lint(
            e,
            &lints::BARE_LF,
            span,
            msg!(
                "{n} line(s) end in LF alone instead of CRLF; the first is here",
                n = scan.bare
            ),
        );
    }
    if let (Some(span), Some(e)) = (scan.first_long, long_entity) {
        p.lint(
            e,
            &lints::LINE_TOO_LONG,
            span,
            msg!(
                "{n} line(s) longer than {MAX_LINE} characters; the first has {len}",
                n = scan.long,
                MAX_LINE,
                len = span.len()
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    /// What [`walk_lines`] alone finds: every line looked at.
    fn walked(input: &[u8]) -> (usize, Option<Span>, usize, Option<Span>) {
        let mut s = LineScan {
            bare: 0,
            first_bare: None,
            long: 0,
            first_long: None,
            delimiters: HashMap::new(),
        };
        walk_lines(&mut s, input);
        (s.bare, s.first_bare, s.long, s.first_long)
    }

    #[test]
    fn the_whole_input_passes_find_what_walking_every_line_finds() {
        for len in [MAX_LINE - 1, MAX_LINE, MAX_LINE + 1, 1500] {
            for prefix in (0..LONG_LINE_WINDOW + 20).step_by(37) {
                for ending in ["\r\n", "\n", ""] {
                    let mut input = "x".repeat(prefix).into_bytes();
                    input.extend_from_slice(b"\r\n");
                    input.extend(std::iter::repeat_n(b'a', len));
                    input.extend_from_slice(ending.as_bytes());
                    input.extend_from_slice(b"--b\r\nshort\r\n");
                    let s = scan_lines(&input);
                    let got = (s.bare, s.first_bare, s.long, s.first_long);
                    assert_eq!(got, walked(&input), "len {len} prefix {prefix} {ending:?}");
                    // Without an ending, the a's and `--b` are one line.
                    let line = len + if ending.is_empty() { 3 } else { 0 };
                    assert_eq!(s.long, usize::from(line > MAX_LINE), "len {len}");
                    let delims = s.delimiters.get(&b"b"[..]).map_or(0, Vec::len);
                    assert_eq!(delims, usize::from(!ending.is_empty()), "{ending:?}");
                }
            }
        }
    }
}
