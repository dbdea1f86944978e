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

/// One pass over the lines: bare LF, over-long lines, and the index of candidate delimiter
/// lines, so that each multipart finds its delimiters without rescanning its body and the
/// whole parse stays linear however deep multiparts nest.
pub(super) fn scan_lines(input: &[u8]) -> LineScan<'_> {
    let mut s = LineScan {
        bare: 0,
        first_bare: None,
        long: 0,
        first_long: None,
        delimiters: HashMap::new(),
    };
    let mut pos = 0;
    // Every LF of the input, by one vectorised search instead of a loop per line.
    let mut lfs = memchr::memchr_iter(b'\n', input);
    while pos < input.len() {
        let (content_end, next) = match lfs.next() {
            Some(lf) if lf > pos && input.get(lf - 1) == Some(&b'\r') => (lf - 1, lf + 1),
            Some(lf) => (lf, lf + 1),
            None => (input.len(), input.len()),
        };
        if next > content_end && content_end + 1 == next {
            s.bare += 1;
            s.first_bare.get_or_insert(Span::new(content_end, next));
        }
        if content_end - pos > MAX_LINE {
            s.long += 1;
            s.first_long.get_or_insert(Span::new(pos, content_end));
        }
        let line = input.get(pos..content_end).unwrap_or_default();
        if let Some(rest) = line.strip_prefix(b"--") {
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
        pos = next;
    }
    s
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
