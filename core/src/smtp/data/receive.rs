//! The server side: incremental end-of-data detection ([`DataReceiver`]), reporting the bare
//! LF/CR sequences SMTP smuggling relies on.

use crate::lint::msg;
use serde::{Deserialize, Serialize};

use crate::lint::Lint;
use crate::smtp::lints;
use crate::span::Span;

use super::{MAX_DATA_LINTS, MAX_TEXT_LINE};

/// How the line a byte sits on was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Start {
    Crlf,
    Lf,
    Cr,
}

impl Start {
    pub(super) fn shown(self) -> &'static str {
        match self {
            Start::Crlf => "\\r\\n",
            Start::Lf => "\\n",
            Start::Cr => "\\r",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum State {
    /// Inside a line.
    Mid,
    /// Saw a CR that may start CRLF.
    Cr,
    /// At the start of a line begun by this ending.
    Start(Start),
    /// Saw `.` at the start of a line.
    Dot(Start),
    /// Saw `.` CR at the start of a line.
    DotCr(Start),
    /// Saw CRLF.CRLF.
    Done,
}

/// Whether [`DataReceiver::feed`] found the end of the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Feed {
    /// All bytes were message data; feed more.
    NeedMore,
    /// `CRLF . CRLF` ended the data; `consumed` bytes of this chunk belong to it, the rest are
    /// the next commands.
    Complete {
        /// Bytes of the chunk up to and including the terminator.
        consumed: usize,
    },
}

/// A message received with DATA or BDAT, with what was found in it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReceivedData {
    /// The message, un-stuffed, line endings as received. Empty past the size limit.
    pub body: Vec<u8>,
    /// Size of the message in bytes, counted even past the limit.
    pub size: u64,
    /// Whether the size limit was exceeded (the body was then discarded).
    pub size_exceeded: bool,
    /// Bare LFs seen.
    pub bare_lf: usize,
    /// Bare CRs seen.
    pub bare_cr: usize,
    /// Smuggling sequences seen.
    pub smuggling: usize,
    /// Lines starting with an un-doubled `.`.
    pub dot_not_stuffed: usize,
    /// Whether any byte had the high bit set (needs 8BITMIME, RFC 6152).
    pub eight_bit: bool,
    /// Findings (at most [`MAX_DATA_LINTS`]); spans are offsets in the bytes fed.
    pub lints: Vec<Lint>,
    /// Findings beyond [`MAX_DATA_LINTS`], counted only.
    pub lints_dropped: usize,
}

impl ReceivedData {
    /// Whether a careful server refuses the message: it holds bare line endings or a smuggling
    /// sequence (as Postfix's `smtpd_forbid_bare_newline` does).
    pub fn has_bare_line_endings(&self) -> bool {
        self.bare_lf > 0 || self.bare_cr > 0 || self.smuggling > 0
    }
}

/// Incremental receiver of DATA content (after the `354` reply): feed any chunks, it un-stuffs
/// dots and stops exactly after `CRLF . CRLF`
/// ([RFC 5321 §4.1.1.4](https://www.rfc-editor.org/rfc/rfc5321#section-4.1.1.4)), reporting
/// `smtp.smuggling-sequence`, `smtp.bare-lf`, `smtp.bare-cr`, `smtp.dot-not-stuffed`,
/// `smtp.line-too-long` and `smtp.size-exceeded`. Memory is bounded by `max_size`.
///
/// Call order: [`DataReceiver::new`], [`DataReceiver::feed`] until it returns
/// [`Feed::Complete`], then [`DataReceiver::finish`].
#[derive(Debug, Clone)]
pub struct DataReceiver {
    state: State,
    max_size: usize,
    offset: usize,
    line_start: usize,
    line_long: bool,
    dot_at: usize,
    out: ReceivedData,
    lints_dropped: usize,
}

impl DataReceiver {
    /// A receiver that keeps at most `max_size` bytes of message (the server's SIZE limit).
    pub fn new(max_size: usize) -> Self {
        DataReceiver {
            state: State::Start(Start::Crlf),
            max_size,
            offset: 0,
            line_start: 0,
            line_long: false,
            dot_at: 0,
            out: ReceivedData::default(),
            lints_dropped: 0,
        }
    }

    /// Whether the terminator has been seen.
    pub fn is_complete(&self) -> bool {
        self.state == State::Done
    }

    /// Bytes fed so far (up to the terminator).
    pub fn bytes_seen(&self) -> usize {
        self.offset
    }

    /// Findings not kept because [`MAX_DATA_LINTS`] was reached.
    pub fn lints_dropped(&self) -> usize {
        self.lints_dropped
    }

    /// Feeds the next chunk of bytes. After [`Feed::Complete`] further calls consume nothing.
    pub fn feed(&mut self, chunk: &[u8]) -> Feed {
        if self.state == State::Done {
            return Feed::Complete { consumed: 0 };
        }
        let mut i = 0;
        while let Some(&b) = chunk.get(i) {
            let pos = self.offset;
            let mut advance = true;
            match self.state {
                State::Done => break,
                State::Mid | State::Start(_) if b == b'\r' => self.state = State::Cr,
                State::Mid | State::Start(_) if b == b'\n' => {
                    self.bare(Start::Lf, pos);
                    self.emit(b"\n");
                    self.end_line(pos + 1);
                    self.state = State::Start(Start::Lf);
                }
                State::Mid => {
                    // The run of ordinary bytes up to the next CR or LF (at least `b`), in one
                    // piece.
                    let rest = chunk.get(i..).unwrap_or_default();
                    let n = rest
                        .iter()
                        .position(|&c| c == b'\r' || c == b'\n')
                        .unwrap_or(rest.len());
                    self.emit_run(rest.get(..n).unwrap_or_default());
                    i += n;
                    self.offset += n;
                    advance = false;
                }
                State::Start(kind) => {
                    if b == b'.' {
                        self.dot_at = pos;
                        self.state = State::Dot(kind);
                    } else {
                        // The byte starts a run of ordinary bytes: handled in `Mid`.
                        self.state = State::Mid;
                        advance = false;
                    }
                }
                State::Cr => {
                    if b == b'\n' {
                        self.emit(b"\r\n");
                        self.end_line(pos + 1);
                        self.state = State::Start(Start::Crlf);
                    } else {
                        self.bare(Start::Cr, pos.saturating_sub(1));
                        self.emit(b"\r");
                        self.end_line(pos);
                        self.state = State::Start(Start::Cr);
                        advance = false;
                    }
                }
                State::Dot(kind) => match b {
                    b'\r' => self.state = State::DotCr(kind),
                    b'\n' => {
                        self.smuggling(kind, "\\n", pos + 1);
                        self.bare(Start::Lf, pos);
                        self.emit_dot(kind);
                        self.emit(b"\n");
                        self.end_line(pos + 1);
                        self.state = State::Start(Start::Lf);
                    }
                    _ => {
                        if kind == Start::Crlf && b != b'.' {
                            self.push_lint(lints::DOT_NOT_STUFFED.at(
                                Span::new(self.dot_at, self.dot_at + 1),
                                msg!("line starts with a single '.', which the receiver strips; the client must send '..'"),
                            ));
                            self.out.dot_not_stuffed += 1;
                        }
                        self.emit_dot(kind);
                        self.state = State::Mid;
                        advance = false;
                    }
                },
                State::DotCr(kind) => {
                    if b == b'\n' {
                        if kind == Start::Crlf {
                            self.state = State::Done;
                            self.offset += 1;
                            return Feed::Complete { consumed: i + 1 };
                        }
                        self.smuggling(kind, "\\r\\n", pos + 1);
                        self.emit_dot(kind);
                        self.emit(b"\r\n");
                        self.end_line(pos + 1);
                        self.state = State::Start(Start::Crlf);
                    } else {
                        // `<kind> . CR` and no LF: a bare CR ends the dot line.
                        self.smuggling(kind, "\\r", pos);
                        self.bare(Start::Cr, pos.saturating_sub(1));
                        self.emit_dot(kind);
                        self.emit(b"\r");
                        self.end_line(pos);
                        self.state = State::Start(Start::Cr);
                        advance = false;
                    }
                }
            }
            if advance {
                i += 1;
                self.offset += 1;
                if self.state == State::Mid || matches!(self.state, State::Dot(_)) {
                    self.check_line_length(self.offset);
                }
            }
        }
        Feed::NeedMore
    }

    /// The message and findings. Call after [`Feed::Complete`]; before it, returns what arrived
    /// so far (a connection closed mid-message).
    pub fn finish(mut self) -> ReceivedData {
        self.out.lints_dropped = self.lints_dropped;
        self.out
    }

    /// The dot at the start of a line: stripped after CRLF (transparency), kept after a bare
    /// line ending (not a line start for a strict receiver).
    fn emit_dot(&mut self, kind: Start) {
        if kind != Start::Crlf {
            self.emit(b".");
        }
    }

    fn emit(&mut self, bytes: &[u8]) {
        self.out.size += bytes.len() as u64;
        if bytes.iter().any(|b| *b >= 0x80) {
            self.out.eight_bit = true;
        }
        if self.out.size_exceeded {
            return;
        }
        if self.out.size > self.max_size as u64 {
            self.exceed_size(self.offset);
            return;
        }
        self.out.body.extend_from_slice(bytes);
    }

    /// Emits `run`, bytes of one line without CR or LF that start at `self.offset` (state
    /// `Mid`), and checks the line length after each of them: the same counters, body and
    /// findings, in the same order, as [`Self::emit`] and [`Self::check_line_length`] byte by
    /// byte, but copying the run in one piece. Does not advance `self.offset`.
    fn emit_run(&mut self, run: &[u8]) {
        let start = self.offset;
        let before = self.out.size;
        self.out.size += run.len() as u64;
        if !self.out.eight_bit && run.iter().any(|b| *b >= 0x80) {
            self.out.eight_bit = true;
        }
        // Index in the run of the byte that passes the size limit, if one does.
        let mut size_at = None;
        if !self.out.size_exceeded {
            if self.out.size > self.max_size as u64 {
                // `before <= max_size` (not yet exceeded), so the byte is the one at
                // `max_size - before`, which is inside the run.
                let k = (self.max_size as u64).saturating_sub(before);
                size_at = Some(usize::try_from(k).unwrap_or(usize::MAX));
            } else {
                self.out.body.extend_from_slice(run);
            }
        }
        // Index of the first byte after which the line is too long (see `check_line_length`):
        // the first `k` with `start + k + 1 - line_start + 2 > MAX_TEXT_LINE`.
        let mut line_at = None;
        let end = start.saturating_add(run.len());
        if !self.line_long && end.saturating_sub(self.line_start) + 2 > MAX_TEXT_LINE {
            let k = (self.line_start.saturating_add(MAX_TEXT_LINE - 2)).saturating_sub(start);
            line_at = Some(k);
        }
        // Byte by byte, the size check of a byte comes before its line check.
        match (size_at, line_at) {
            (Some(s), Some(l)) if l < s => {
                self.check_line_length(start.saturating_add(l) + 1);
                self.exceed_size(start.saturating_add(s));
            }
            (s, l) => {
                if let Some(s) = s {
                    self.exceed_size(start.saturating_add(s));
                }
                if let Some(l) = l {
                    self.check_line_length(start.saturating_add(l) + 1);
                }
            }
        }
    }

    /// The message passed the size limit at byte `at`: discard the body, report it.
    fn exceed_size(&mut self, at: usize) {
        self.out.size_exceeded = true;
        self.out.body = Vec::new();
        self.push_lint(lints::SIZE_EXCEEDED.at(
            Span::new(at, at + 1),
            msg!(
                "message exceeds the size limit of {max} bytes; the rest is discarded",
                max = self.max_size
            ),
        ));
    }

    fn bare(&mut self, kind: Start, pos: usize) {
        let span = Span::new(pos, pos + 1);
        if kind == Start::Lf {
            self.out.bare_lf += 1;
            self.push_lint(lints::BARE_LF.at(
                span,
                msg!("bare LF in message data; lines must end in CRLF"),
            ));
        } else {
            self.out.bare_cr += 1;
            self.push_lint(lints::BARE_CR.at(
                span,
                msg!("bare CR in message data; lines must end in CRLF"),
            ));
        }
    }

    /// Reports `<before> . <after>`; `end` is one past its last byte.
    fn smuggling(&mut self, before: Start, after: &str, end: usize) {
        self.out.smuggling += 1;
        let start = match before {
            Start::Crlf => self.dot_at.saturating_sub(2),
            _ => self.dot_at.saturating_sub(1),
        };
        self.push_lint(lints::SMUGGLING_SEQUENCE.at(
            Span::new(start, end),
            msg!("`{before}.{after}` is not the end of data (only \\r\\n.\\r\\n is); servers that accept it can be made to run the rest as commands", before = before.shown(), after),
        ));
    }

    fn end_line(&mut self, next_start: usize) {
        self.line_start = next_start;
        self.line_long = false;
    }

    fn check_line_length(&mut self, now: usize) {
        // +2 for the CRLF the line will end with.
        if !self.line_long && now.saturating_sub(self.line_start) + 2 > MAX_TEXT_LINE {
            self.line_long = true;
            let span = Span::new(self.line_start, now);
            self.push_lint(lints::LINE_TOO_LONG.at(
                span,
                msg!(
                    "text line is longer than {MAX_TEXT_LINE} octets including CRLF",
                    MAX_TEXT_LINE
                ),
            ));
        }
    }

    fn push_lint(&mut self, lint: Lint) {
        if self.out.lints.len() < MAX_DATA_LINTS {
            self.out.lints.push(lint);
        } else {
            self.lints_dropped += 1;
        }
    }
}

/// All findings in the DATA bytes a client sent (after `354`, up to and including the
/// terminator): what [`DataReceiver`] reports. Bytes after the terminator are ignored.
pub fn lint_data(wire: &[u8]) -> Vec<Lint> {
    let mut rx = DataReceiver::new(usize::MAX);
    let _ = rx.feed(wire);
    rx.finish().lints
}
