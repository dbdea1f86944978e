//! The one pass over every line of the input: bare LF, over-long lines, and the index of
//! candidate delimiter lines ([RFC 2046 §5.1.1](https://www.rfc-editor.org/rfc/rfc2046#section-5.1.1)).

use crate::lint::msg;
use std::collections::HashMap;

use crate::mime::header;
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
#[derive(Default)]
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
/// One pass over the input in blocks of [`BLOCK`] bytes rather than one search per line (for
/// 76-character base64 lines that costs more than decoding them): per block, how many LFs
/// have no CR before them, how many LFs there are, and how many lines start with `--`, counted
/// in byte-wide lanes that the compiler turns into vector compares even for the baseline
/// x86-64 target. Delimiter lines, and the first bare LF, are then found inside the blocks
/// that have one, and a line is measured only where [`LONG_LINE_BLOCKS`] blocks in a row have
/// no LF (the only place a line over [`MAX_LINE`] can be): no line is walked otherwise.
pub(super) fn scan_lines(input: &[u8]) -> LineScan<'_> {
    let mut s = LineScan::default();
    let mut lf_free_run = 0usize;
    for start in (0..input.len()).step_by(BLOCK) {
        let end = (start + BLOCK).min(input.len());
        let counts = block_counts(input, start);
        if counts.bare > 0 && s.first_bare.is_none() {
            s.first_bare = (start..end)
                .find(|&at| {
                    input.get(at) == Some(&b'\n')
                        && at.checked_sub(1).and_then(|p| input.get(p)) != Some(&b'\r')
                })
                .map(|at| Span::new(at, at + 1));
        }
        s.bare += usize::from(counts.bare);
        lf_free_run = if counts.lfs == 0 { lf_free_run + 1 } else { 0 };
        if lf_free_run == LONG_LINE_BLOCKS {
            // One line covers these blocks (an LF would end it): measure that line, once.
            let run_start = start + BLOCK - LONG_LINE_BLOCKS * BLOCK;
            let line = input
                .get(..run_start)
                .and_then(|before| memchr::memrchr(b'\n', before))
                .map_or(0, |lf| lf + 1);
            let (content_end, _) = header::line_at(input, line, input.len());
            if content_end - line > MAX_LINE {
                s.long += 1;
                s.first_long.get_or_insert(Span::new(line, content_end));
            }
        }
        if counts.dash_lines > 0 {
            for at in start..end {
                let line_start = at == 0 || input.get(at - 1) == Some(&b'\n');
                if line_start && input.get(at..at + 2) == Some(b"--") {
                    file_delimiter(&mut s, input, at);
                }
            }
        }
    }
    s
}

/// Bytes per block of [`scan_lines`].
const BLOCK: usize = 192;

/// Consecutive blocks without an LF that any line longer than [`MAX_LINE`] covers: its
/// `MAX_LINE + 1` or more bytes without an LF lose less than a block at each end to
/// alignment. Fewer blocks in a row prove that no line is too long.
const LONG_LINE_BLOCKS: usize = (MAX_LINE + 1 - 2 * (BLOCK - 1)) / BLOCK;

/// What [`block_counts`] counts in one block.
struct BlockCounts {
    /// LFs with no CR before them.
    bare: u8,
    /// LFs.
    lfs: u8,
    /// Lines that start with `--` in the block.
    dash_lines: u8,
}

/// The counts of the block starting at `start`: each byte seen with the one before it (an LF
/// before the input's first byte, which starts a line) and the one after it.
fn block_counts(input: &[u8], start: usize) -> BlockCounts {
    let views = start
        .checked_sub(1)
        .and_then(|p| {
            Some((
                input.get(p..p + BLOCK)?,
                input.get(start + 1..start + 1 + BLOCK)?,
            ))
        })
        .and_then(|(prev, next)| Some((prev, input.get(start..start + BLOCK)?, next)));
    if let Some((prev, cur, next)) = views {
        return count_in(prev, cur, next);
    }
    // The first and the last block: copied between an LF and a zero (neither counts).
    let mut buf = [0u8; BLOCK + 2];
    buf[0] = start
        .checked_sub(1)
        .and_then(|p| input.get(p))
        .copied()
        .unwrap_or(b'\n');
    let rest = input.get(start..).unwrap_or_default();
    let rest = rest.get(..BLOCK + 1).unwrap_or(rest);
    if let Some(dst) = buf.get_mut(1..1 + rest.len()) {
        dst.copy_from_slice(rest);
    }
    // Only the block's own bytes are looked at; the byte after it only as a neighbour.
    let own = rest.len().min(BLOCK);
    let (prev, cur, next) = (&buf[..own], &buf[1..1 + own], &buf[2..2 + own]);
    count_in(prev, cur, next)
}

/// [`block_counts`] over equally long views (at most [`BLOCK`] bytes, so a count fits a `u8`).
fn count_in(prev: &[u8], cur: &[u8], next: &[u8]) -> BlockCounts {
    let (mut bare, mut lfs, mut dash_lines) = (0u8, 0u8, 0u8);
    for ((&p, &c), &n) in prev.iter().zip(cur).zip(next) {
        let lf = u8::from(c == b'\n');
        lfs = lfs.wrapping_add(lf);
        bare = bare.wrapping_add(lf & u8::from(p != b'\r'));
        let dashes = u8::from(c == b'-') & u8::from(n == b'-') & u8::from(p == b'\n');
        dash_lines = dash_lines.wrapping_add(dashes);
    }
    BlockCounts {
        bare,
        lfs,
        dash_lines,
    }
}

/// Files the line starting at `pos` (which starts with `--`) under the boundary it would
/// delimit: the text after `--` without transport padding (as a delimiter), and that text
/// without a final `--` (as a close delimiter).
fn file_delimiter<'a>(s: &mut LineScan<'a>, input: &'a [u8], pos: usize) {
    let (content_end, next) = header::line_at(input, pos, input.len());
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

/// Counts bare LF line endings and over-long lines, and finds the first of each, line by line:
/// what [`scan_lines`] must find, for the tests.
#[cfg(test)]
fn walk_lines(s: &mut LineScan<'_>, input: &[u8]) {
    let mut pos = 0;
    while pos < input.len() {
        let (content_end, next) = header::line_at(input, pos, input.len());
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
        let mut s = LineScan::default();
        walk_lines(&mut s, input);
        (s.bare, s.first_bare, s.long, s.first_long)
    }

    #[test]
    fn delimiter_lines_and_bare_lfs_at_the_edges_of_the_input() {
        let input = b"--a\n--a--\r\n";
        let s = scan_lines(input);
        let found: Vec<(usize, bool)> = s.delimiters[&b"a"[..]]
            .iter()
            .map(|d| (d.line, d.close))
            .collect();
        assert_eq!(found, [(0, false), (4, true)]);
        assert_eq!((s.bare, s.first_bare), (1, Some(Span::new(3, 4))));
        assert!(
            scan_lines(b"x-\n-").delimiters.is_empty(),
            "no line starts with --"
        );
        assert_eq!(scan_lines(b"\n").bare, 1, "an LF first is bare");
    }

    #[test]
    fn the_whole_input_passes_find_what_walking_every_line_finds() {
        for len in [MAX_LINE - 1, MAX_LINE, MAX_LINE + 1, 1500] {
            for prefix in (0..3 * BLOCK + 20).step_by(13) {
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

    #[test]
    fn many_long_lines_and_bare_lfs_are_counted_as_walking_finds_them() {
        // Lines of lengths around the limit and far over it, CRLF or LF, in a fixed
        // pseudo-random order (a small LCG): counts and first spans equal a line-by-line walk.
        let lengths = [
            0,
            1,
            76,
            500,
            MAX_LINE - 1,
            MAX_LINE,
            MAX_LINE + 1,
            1200,
            2500,
        ];
        let mut x: u32 = 1;
        let mut next = |n: usize| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (x >> 16) as usize % n
        };
        for _ in 0..300 {
            let mut input = Vec::new();
            for _ in 0..next(12) {
                input.extend(std::iter::repeat_n(b'q', lengths[next(lengths.len())]));
                input.extend_from_slice(if next(3) == 0 { b"\n" } else { b"\r\n" });
            }
            input.extend(std::iter::repeat_n(b'z', lengths[next(lengths.len())]));
            let s = scan_lines(&input);
            assert_eq!(
                (s.bare, s.first_bare, s.long, s.first_long),
                walked(&input),
                "{} bytes",
                input.len()
            );
        }
    }
}
