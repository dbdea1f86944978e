//! Message data: the DATA transparency procedure and end-of-data detection
//! ([RFC 5321 §4.1.1.4, §4.5.2](https://www.rfc-editor.org/rfc/rfc5321#section-4.5.2)), CRLF
//! normalisation, and BDAT chunking ([RFC 3030 §2](https://www.rfc-editor.org/rfc/rfc3030#section-2)).
//!
//! ```text
//!  client: message ──normalize_crlf──► CRLF text ──dot_stuff──► + ".\r\n" ──► wire   (encode_data)
//!  server: wire chunks ──DataReceiver::feed──► un-stuffed body + lints, ends only at CRLF.CRLF
//!  BDAT:   message ──bdat_chunks──► "BDAT n [LAST]" + n bytes ──BdatReceiver──► body
//! ```
//!
//! Only `CRLF "." CRLF` ends the data. The variants with a bare LF or CR around the dot (`\n.\n`,
//! `\r.\r`, `\n.\r\n`, `\r\n.\n`, `\r.\r\n`, …) are what SMTP smuggling exploits: servers that
//! accept them end the message early and read the rest as commands. [`DataReceiver`] reports them
//! as `smtp.smuggling-sequence` and keeps them as message content. It treats only CRLF as a line
//! end: a `.` after a bare LF is content, not the start of a line.

use serde::{Deserialize, Serialize};

use crate::lint::Lint;
use crate::smtp::lints;
use crate::span::Span;

/// CRLF normalisation is shared with the MIME side; it lives in [`codec::crlf`](crate::codec::crlf).
pub use crate::codec::crlf::{normalize_crlf, LineEndingChange, LineEndingFix, Normalized};

/// Longest text line, CRLF included ([RFC 5321 §4.5.3.1.6](https://www.rfc-editor.org/rfc/rfc5321#section-4.5.3.1.6)).
pub const MAX_TEXT_LINE: usize = 1000;
/// Most lints one [`DataReceiver`] keeps; later findings are only counted (bounded memory).
pub const MAX_DATA_LINTS: usize = 64;
/// Default BDAT chunk size used by [`bdat_chunks`] callers that do not care (64 KiB).
pub const DEFAULT_BDAT_CHUNK: usize = 65536;

// ---------------------------------------------------------------------------------------------
// Transparency (CRLF normalisation: `codec::crlf`)
// ---------------------------------------------------------------------------------------------

/// Doubles the `.` that starts any line (after CRLF, or at the very start)
/// ([RFC 5321 §4.5.2](https://www.rfc-editor.org/rfc/rfc5321#section-4.5.2)). Expects CRLF
/// text (see [`normalize_crlf`]); does not add the terminator.
pub fn dot_stuff(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 16);
    let mut at_line_start = true;
    let mut prev = 0u8;
    for &b in text {
        if at_line_start && b == b'.' {
            out.push(b'.');
        }
        out.push(b);
        at_line_start = prev == b'\r' && b == b'\n';
        prev = b;
    }
    out
}

/// Removes the first `.` of every line that starts with one (lines end at CRLF only); the
/// inverse of [`dot_stuff`]. Expects data without the terminating `.` line.
pub fn dot_unstuff(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut at_line_start = true;
    let mut prev = 0u8;
    for &b in data {
        if !(at_line_start && b == b'.') {
            out.push(b);
        }
        at_line_start = prev == b'\r' && b == b'\n';
        prev = b;
    }
    out
}

/// The bytes a client sends after `354`, and what was changed to make them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EncodedData {
    /// CRLF-normalised, dot-stuffed text ending in `CRLF . CRLF`.
    pub wire: Vec<u8>,
    /// Bare line endings that were made CRLF (spans into the message).
    pub changes: Vec<LineEndingChange>,
    /// Whether a CRLF was added so that the terminator starts a line.
    pub added_final_crlf: bool,
}

/// Prepares a message for DATA: CRLF normalisation, dot-stuffing, a final CRLF if missing, and
/// the `.` CRLF terminator ([RFC 5321 §4.1.1.4](https://www.rfc-editor.org/rfc/rfc5321#section-4.1.1.4)).
pub fn encode_data(message: &[u8]) -> EncodedData {
    let normalized = normalize_crlf(message);
    let mut wire = dot_stuff(&normalized.bytes);
    let added_final_crlf = !wire.is_empty() && !wire.ends_with(b"\r\n");
    if added_final_crlf {
        wire.extend_from_slice(b"\r\n");
    }
    wire.extend_from_slice(b".\r\n");
    EncodedData {
        wire,
        changes: normalized.changes,
        added_final_crlf,
    }
}

// ---------------------------------------------------------------------------------------------
// Server side: incremental end-of-data detection
// ---------------------------------------------------------------------------------------------

/// How the line a byte sits on was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Start {
    Crlf,
    Lf,
    Cr,
}

impl Start {
    fn shown(self) -> &'static str {
        match self {
            Start::Crlf => "\\r\\n",
            Start::Lf => "\\n",
            Start::Cr => "\\r",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
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
                                "line starts with a single '.', which the receiver strips; the client must send '..'",
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
            format!(
                "message exceeds the size limit of {} bytes; the rest is discarded",
                self.max_size
            ),
        ));
    }

    fn bare(&mut self, kind: Start, pos: usize) {
        let span = Span::new(pos, pos + 1);
        if kind == Start::Lf {
            self.out.bare_lf += 1;
            self.push_lint(
                lints::BARE_LF.at(span, "bare LF in message data; lines must end in CRLF"),
            );
        } else {
            self.out.bare_cr += 1;
            self.push_lint(
                lints::BARE_CR.at(span, "bare CR in message data; lines must end in CRLF"),
            );
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
            format!(
                "`{}.{after}` is not the end of data (only \\r\\n.\\r\\n is); servers that accept it can be made to run the rest as commands",
                before.shown()
            ),
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
                format!("text line is longer than {MAX_TEXT_LINE} octets including CRLF"),
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

// ---------------------------------------------------------------------------------------------
// BDAT (RFC 3030)
// ---------------------------------------------------------------------------------------------

/// One BDAT chunk of a message ([RFC 3030 §2](https://www.rfc-editor.org/rfc/rfc3030#section-2)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BdatChunk<'a> {
    /// The chunk's bytes, sent right after the command line, unchanged.
    pub data: &'a [u8],
    /// Whether this is the last chunk (`BDAT n LAST`).
    pub last: bool,
}

impl BdatChunk<'_> {
    /// `BDAT <n>[ LAST]\r\n`.
    pub fn command_line(&self) -> String {
        if self.last {
            format!("BDAT {} LAST\r\n", self.data.len())
        } else {
            format!("BDAT {}\r\n", self.data.len())
        }
    }

    /// The command line followed by the chunk bytes.
    pub fn to_wire(&self) -> Vec<u8> {
        let mut out = self.command_line().into_bytes();
        out.extend_from_slice(self.data);
        out
    }
}

/// Splits a message into BDAT chunks of at most `chunk_size` bytes (at least 1), the last marked
/// `LAST`; an empty message is one `BDAT 0 LAST`. No dot-stuffing or line-ending change: BDAT
/// carries bytes as they are.
pub fn bdat_chunks(message: &[u8], chunk_size: usize) -> Vec<BdatChunk<'_>> {
    if message.is_empty() {
        return vec![BdatChunk {
            data: message,
            last: true,
        }];
    }
    let n = message.chunks(chunk_size.max(1)).count();
    message
        .chunks(chunk_size.max(1))
        .enumerate()
        .map(|(i, data)| BdatChunk {
            data,
            last: i + 1 == n,
        })
        .collect()
}

/// Receives BDAT chunks: counts exact byte lengths, keeps at most `max_size` bytes.
///
/// Call order: for each `BDAT n [LAST]` command, [`BdatReceiver::begin_chunk`], then
/// [`BdatReceiver::feed`] until [`BdatReceiver::remaining`] is 0; after the `LAST` chunk,
/// [`BdatReceiver::finish`].
#[derive(Debug, Clone)]
pub struct BdatReceiver {
    max_size: usize,
    remaining: u64,
    last: bool,
    out: ReceivedData,
}

impl BdatReceiver {
    /// A receiver keeping at most `max_size` bytes.
    pub fn new(max_size: usize) -> Self {
        BdatReceiver {
            max_size,
            remaining: 0,
            last: false,
            out: ReceivedData::default(),
        }
    }

    /// Starts a chunk of `size` bytes (`last` for `BDAT n LAST`).
    pub fn begin_chunk(&mut self, size: u64, last: bool) {
        self.remaining = size;
        self.last = last;
    }

    /// Bytes still expected in the current chunk.
    pub fn remaining(&self) -> u64 {
        self.remaining
    }

    /// Bytes received so far in all chunks (also past the size limit).
    pub fn size(&self) -> u64 {
        self.out.size
    }

    /// Whether the current chunk is the last one.
    pub fn is_last(&self) -> bool {
        self.last
    }

    /// Whether the message so far exceeds the size limit.
    pub fn size_exceeded(&self) -> bool {
        self.out.size_exceeded
    }

    /// Consumes up to [`BdatReceiver::remaining`] bytes of `input`; returns how many.
    pub fn feed(&mut self, input: &[u8]) -> usize {
        let take = usize::try_from(self.remaining)
            .unwrap_or(usize::MAX)
            .min(input.len());
        let bytes = input.get(..take).unwrap_or_default();
        self.remaining -= take as u64;
        let start = self.out.size;
        self.out.size += take as u64;
        if bytes.iter().any(|b| *b >= 0x80) {
            self.out.eight_bit = true;
        }
        if !self.out.size_exceeded {
            if self.out.size > self.max_size as u64 {
                self.out.size_exceeded = true;
                self.out.body = Vec::new();
                let at = usize::try_from(start).unwrap_or(usize::MAX);
                self.out.lints.push(lints::SIZE_EXCEEDED.at(
                    Span::new(at, at.saturating_add(take)),
                    format!(
                        "BDAT message exceeds the size limit of {} bytes",
                        self.max_size
                    ),
                ));
            } else {
                self.out.body.extend_from_slice(bytes);
            }
        }
        take
    }

    /// The message received so far.
    pub fn finish(self) -> ReceivedData {
        self.out
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    /// The per-byte `DataReceiver` as it was before the run-copying fast path, kept verbatim
    /// ONLY as a test oracle for the differential test below. Not used by the library.
    mod reference {
        use super::super::{
            lints, Feed, ReceivedData, Start, State, MAX_DATA_LINTS, MAX_TEXT_LINE,
        };
        use crate::lint::Lint;
        use crate::span::Span;

        pub(super) struct OldDataReceiver {
            state: State,
            max_size: usize,
            offset: usize,
            line_start: usize,
            line_long: bool,
            dot_at: usize,
            out: ReceivedData,
            lints_dropped: usize,
        }

        impl OldDataReceiver {
            /// A receiver that keeps at most `max_size` bytes of message (the server's SIZE limit).
            pub(super) fn new(max_size: usize) -> Self {
                OldDataReceiver {
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
            pub(super) fn is_complete(&self) -> bool {
                self.state == State::Done
            }

            /// Bytes fed so far (up to the terminator).
            pub(super) fn bytes_seen(&self) -> usize {
                self.offset
            }

            /// Findings not kept because [`MAX_DATA_LINTS`] was reached.
            pub(super) fn lints_dropped(&self) -> usize {
                self.lints_dropped
            }

            /// Feeds the next chunk of bytes. After [`Feed::Complete`] further calls consume nothing.
            pub(super) fn feed(&mut self, chunk: &[u8]) -> Feed {
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
                            self.emit(&[b]);
                        }
                        State::Start(kind) => {
                            if b == b'.' {
                                self.dot_at = pos;
                                self.state = State::Dot(kind);
                            } else {
                                self.emit(&[b]);
                                self.state = State::Mid;
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
                                        "line starts with a single '.', which the receiver strips; the client must send '..'",
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
            pub(super) fn finish(mut self) -> ReceivedData {
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
                    self.out.size_exceeded = true;
                    self.out.body = Vec::new();
                    let at = self.offset;
                    self.push_lint(lints::SIZE_EXCEEDED.at(
                        Span::new(at, at + 1),
                        format!(
                            "message exceeds the size limit of {} bytes; the rest is discarded",
                            self.max_size
                        ),
                    ));
                    return;
                }
                self.out.body.extend_from_slice(bytes);
            }

            fn bare(&mut self, kind: Start, pos: usize) {
                let span = Span::new(pos, pos + 1);
                if kind == Start::Lf {
                    self.out.bare_lf += 1;
                    self.push_lint(
                        lints::BARE_LF.at(span, "bare LF in message data; lines must end in CRLF"),
                    );
                } else {
                    self.out.bare_cr += 1;
                    self.push_lint(
                        lints::BARE_CR.at(span, "bare CR in message data; lines must end in CRLF"),
                    );
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
                    format!(
                        "`{}.{after}` is not the end of data (only \\r\\n.\\r\\n is); servers that accept it can be made to run the rest as commands",
                        before.shown()
                    ),
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
                        format!("text line is longer than {MAX_TEXT_LINE} octets including CRLF"),
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
    }

    fn codes(lints: &[Lint]) -> Vec<&str> {
        lints.iter().map(|l| &*l.code).collect()
    }

    #[test]
    fn stuffs_and_unstuffs_dots() {
        let cases: &[(&[u8], &[u8])] = &[
            (b".", b".."),
            (b"a\r\n.b\r\n..c\r\n", b"a\r\n..b\r\n...c\r\n"),
            (b"a.b\r\n", b"a.b\r\n"),
            (b"a\n.b", b"a\n.b"),
            (b"", b""),
        ];
        for &(text, stuffed) in cases {
            assert_eq!(dot_stuff(text), stuffed, "stuff {text:?}");
            assert_eq!(dot_unstuff(stuffed), text, "unstuff {stuffed:?}");
        }
        let enc = encode_data(b"Subject: x\n\n.hidden\nlast");
        assert_eq!(enc.wire, b"Subject: x\r\n\r\n..hidden\r\nlast\r\n.\r\n");
        assert_eq!((enc.changes.len(), enc.added_final_crlf), (3, true));
        assert_eq!(encode_data(b"").wire, b".\r\n");
        assert_eq!(encode_data(b"x\r\n").wire, b"x\r\n.\r\n");
    }

    /// (wire bytes, consumed if complete, body, lint codes)
    type Case = (
        &'static [u8],
        Option<usize>,
        &'static [u8],
        &'static [&'static str],
    );
    const RECEIVE: &[Case] = &[
        (b".\r\n", Some(3), b"", &[]),
        (b"hello\r\n.\r\nQUIT\r\n", Some(10), b"hello\r\n", &[]),
        (b"..dot\r\n.\r\n", Some(10), b".dot\r\n", &[]),
        (b".x\r\n.\r\n", Some(7), b"x\r\n", &["smtp.dot-not-stuffed"]),
        (b"hello\r\n.\r", None, b"hello\r\n", &[]),
        // The smuggling variants: never the end of data.
        (
            b"a\n.\nb",
            None,
            b"a\n.\nb",
            &["smtp.bare-lf", "smtp.smuggling-sequence", "smtp.bare-lf"],
        ),
        (
            b"a\r\n.\nb",
            None,
            b"a\r\n\nb",
            &["smtp.smuggling-sequence", "smtp.bare-lf"],
        ),
        (
            b"a\n.\r\nb",
            None,
            b"a\n.\r\nb",
            &["smtp.bare-lf", "smtp.smuggling-sequence"],
        ),
        (
            b"a\r.\rb",
            None,
            b"a\r.\rb",
            &["smtp.bare-cr", "smtp.smuggling-sequence", "smtp.bare-cr"],
        ),
        (
            b"a\r.\r\nb",
            None,
            b"a\r.\r\nb",
            &["smtp.bare-cr", "smtp.smuggling-sequence"],
        ),
        (
            b"a\r\n.\rb",
            None,
            b"a\r\n\rb",
            &["smtp.smuggling-sequence", "smtp.bare-cr"],
        ),
        (
            b".\nMAIL FROM:<x>\r\n",
            None,
            b"\nMAIL FROM:<x>\r\n",
            &["smtp.smuggling-sequence", "smtp.bare-lf"],
        ),
        // Smuggling followed by the real end: one message containing everything.
        (
            b"a\n.\nMAIL FROM:<e@vil>\r\n.\r\n",
            Some(26),
            b"a\n.\nMAIL FROM:<e@vil>\r\n",
            &["smtp.bare-lf", "smtp.smuggling-sequence", "smtp.bare-lf"],
        ),
        (
            b"8bit \xc3\xa9\r\n.\r\n",
            Some(12),
            b"8bit \xc3\xa9\r\n",
            &[],
        ),
    ];

    #[test]
    fn receives_data_in_any_chunking() {
        for &(wire, consumed, body, lint_codes) in RECEIVE {
            // Whole, byte by byte, and split at every position must agree.
            for split in 0..=wire.len() {
                let mut rx = DataReceiver::new(1 << 20);
                let (a, b) = wire.split_at(split);
                let got = match rx.feed(a) {
                    Feed::Complete { consumed } => Some(consumed),
                    Feed::NeedMore => match rx.feed(b) {
                        Feed::Complete { consumed } => Some(split + consumed),
                        Feed::NeedMore => None,
                    },
                };
                let data = rx.finish();
                assert_eq!(got, consumed, "consumed for {wire:?} split at {split}");
                assert_eq!(data.body, body, "body for {wire:?} split at {split}");
                assert_eq!(
                    codes(&data.lints),
                    lint_codes,
                    "lints for {wire:?} split at {split}"
                );
            }
            let mut rx = DataReceiver::new(1 << 20);
            let mut done = None;
            for (i, byte) in wire.iter().enumerate() {
                if let Feed::Complete { consumed } = rx.feed(std::slice::from_ref(byte)) {
                    done = Some(i + consumed);
                    break;
                }
            }
            assert_eq!(done, consumed, "byte-by-byte {wire:?}");
        }
    }

    #[test]
    fn smuggling_spans_cover_the_sequence() {
        let cases: &[(&[u8], Span)] = &[
            (b"a\n.\nb", Span::new(1, 4)),
            (b"a\r\n.\nb", Span::new(1, 5)),
            (b"a\n.\r\nb", Span::new(1, 5)),
            (b"a\r.\rb", Span::new(1, 4)),
            (b"a\r\n.\rb", Span::new(1, 5)),
        ];
        for &(wire, span) in cases {
            let lints = lint_data(wire);
            let found: Vec<Span> = lints
                .iter()
                .filter(|l| l.code == "smtp.smuggling-sequence")
                .map(|l| l.span)
                .collect();
            assert_eq!(found, [span], "{wire:?}");
        }
    }

    #[test]
    fn reports_long_lines_and_size() {
        let mut wire = vec![b'x'; 998];
        wire.extend_from_slice(b"\r\n");
        wire.extend(std::iter::repeat_n(b'y', 999));
        wire.extend_from_slice(b"\r\n.\r\n");
        let lints = lint_data(&wire);
        assert_eq!(
            codes(&lints),
            ["smtp.line-too-long"],
            "only the 1001-octet line"
        );
        assert_eq!(lints[0].span, Span::new(1000, 1999));

        let mut rx = DataReceiver::new(10);
        assert_eq!(
            rx.feed(b"0123456789abc\r\n.\r\n"),
            Feed::Complete { consumed: 18 }
        );
        let data = rx.finish();
        assert!(data.size_exceeded && data.body.is_empty(), "{data:?}");
        assert_eq!(
            (data.size, codes(&data.lints)),
            (15, vec!["smtp.size-exceeded"])
        );
    }

    #[test]
    fn bdat_chunks_and_receiver_agree() {
        let message = b"Subject: hi\r\n\r\n.body with\nbare LF\r\n";
        for size in [1, 5, 16, 1000] {
            let chunks = bdat_chunks(message, size);
            assert!(
                chunks.last().is_some_and(|c| c.last),
                "last chunk marked LAST"
            );
            assert_eq!(chunks.iter().filter(|c| c.last).count(), 1);
            let mut rx = BdatReceiver::new(1000);
            for c in &chunks {
                rx.begin_chunk(c.data.len() as u64, c.last);
                let mut wire = c.data.to_vec();
                wire.extend_from_slice(b"NEXT");
                assert_eq!(rx.feed(&wire), c.data.len(), "exact count for chunk {c:?}");
                assert_eq!(rx.remaining(), 0);
            }
            assert_eq!(rx.finish().body, message, "chunk size {size}");
        }
        assert_eq!(bdat_chunks(b"", 10)[0].command_line(), "BDAT 0 LAST\r\n");
        assert_eq!(bdat_chunks(b"abc", 2)[0].to_wire(), b"BDAT 2\r\nab");
        assert_eq!(bdat_chunks(b"abc", 0).len(), 3, "size 0 means 1");
        let mut rx = BdatReceiver::new(4);
        rx.begin_chunk(u64::MAX, true);
        assert_eq!(rx.feed(b"0123456789"), 10);
        assert!(rx.size_exceeded());
        assert_eq!(rx.remaining(), u64::MAX - 10);
        let data = rx.finish();
        assert_eq!(
            (data.body.len(), codes(&data.lints)),
            (0, vec!["smtp.size-exceeded"])
        );
    }

    #[test]
    fn garbage_never_panics_and_stays_bounded() {
        let mut rng = crate::testutil::XorShift::new(0x2545_f491_4f6c_dd1d);
        let mut next = move || rng.next_u64();
        let alphabet = b"\r\n.a\xff";
        for _ in 0..500 {
            let mut rx = DataReceiver::new(256);
            for _ in 0..20 {
                let len = (next() % 64) as usize;
                let chunk: Vec<u8> = (0..len)
                    .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                    .collect();
                if let Feed::Complete { consumed } = rx.feed(&chunk) {
                    assert!(
                        consumed <= chunk.len(),
                        "consumed {consumed} of {}",
                        chunk.len()
                    );
                    break;
                }
            }
            let seen = rx.bytes_seen();
            let data = rx.finish();
            assert!(
                data.body.len() <= 256,
                "body {} over limit",
                data.body.len()
            );
            assert!(data.lints.len() <= MAX_DATA_LINTS);
            for l in &data.lints {
                assert!(
                    l.span.start <= l.span.end && l.span.end <= seen + 1,
                    "span {:?} past {seen}",
                    l.span
                );
            }
        }
    }

    /// Random DATA-like input biased towards line endings, dots, the smuggling shapes, long
    /// lines, NUL and 8-bit bytes.
    fn random_wire(next: &mut impl FnMut() -> u64) -> Vec<u8> {
        const PIECES: &[&[u8]] = &[
            b"\r",
            b"\n",
            b".",
            b"..",
            b"\r\n",
            b"a",
            b"Subject: x",
            b" ",
            b"\0",
            b"\xff",
            b"\x80",
            b"\x7f",
            b"\xc3\xa9",
            b"\n.\n",
            b"\r.\r",
            b"\n.\r\n",
            b"\r.\r\n",
            b"\r\n.\n",
            b"\r\n.\r",
            b"\r\n..\r\n",
            b"\r\n.x",
            b"\r\n..x",
            b".\r",
            b".\n",
            b"\r\r\n",
            b"\n\r",
        ];
        let len_goal = (next() % 3000) as usize;
        let mut wire = Vec::new();
        if next().is_multiple_of(4) {
            // A first line near the line limit, to meet a size limit near it (see max_size).
            wire.extend(std::iter::repeat_n(b'y', 990 + (next() % 30) as usize));
        }
        while wire.len() < len_goal {
            match next() % 40 {
                0 => {
                    // A long line around the limit.
                    let n = 990 + (next() % 30) as usize;
                    let n = if next().is_multiple_of(4) {
                        (next() % 2100) as usize
                    } else {
                        n
                    };
                    wire.extend(std::iter::repeat_n(b'y', n));
                }
                1 if next().is_multiple_of(8) => wire.extend_from_slice(b"\r\n.\r\n"),
                2..=9 => {
                    let n = (next() % 80) as usize;
                    wire.extend((0..n).map(|k| b'a' + (k % 26) as u8));
                }
                _ => {
                    let piece = PIECES[(next() % PIECES.len() as u64) as usize];
                    wire.extend_from_slice(piece);
                }
            }
        }
        if next().is_multiple_of(3) {
            wire.extend_from_slice(b"\r\n.\r\nQUIT\r\n");
        }
        wire
    }

    #[test]
    fn run_copying_feed_matches_the_per_byte_reference() {
        let mut rng = crate::testutil::XorShift::new(0x9e37_79b9_7f4a_7c15);
        let mut next = move || rng.next_u64();
        // How many cases reached each interesting outcome, so the test cannot pass vacuously.
        let mut seen = [0usize; 6];
        for case in 0..3000 {
            let wire = random_wire(&mut next);
            let max_size = match next() % 6 {
                0 => usize::MAX,
                // The size and the line limits passed at the same byte of a long first line.
                5 => 994 + (next() % 8) as usize,
                1 => 1 << 20,
                2 => (next() % 300) as usize,
                _ => (next() % (wire.len() as u64 + 2)) as usize,
            };
            let max_chunk = match next() % 4 {
                0 => 1,
                1 => 8,
                2 => 200,
                _ => wire.len() + 1,
            };
            let mut new = DataReceiver::new(max_size);
            let mut old = reference::OldDataReceiver::new(max_size);
            let mut rest = wire.as_slice();
            let mut chunks = 0;
            // Keep feeding after the end too: both must then consume nothing.
            while !rest.is_empty() || chunks == 0 {
                let n = (1 + (next() % max_chunk as u64) as usize).min(rest.len());
                let (chunk, tail) = rest.split_at(n);
                rest = tail;
                chunks += 1;
                let (got, want) = (new.feed(chunk), old.feed(chunk));
                assert_eq!(
                    got, want,
                    "case {case}: feed result of chunk {chunks} ({chunk:?}) of {wire:?}, max {max_size}"
                );
                assert_eq!(
                    (new.bytes_seen(), new.is_complete(), new.lints_dropped()),
                    (old.bytes_seen(), old.is_complete(), old.lints_dropped()),
                    "case {case}: state after chunk {chunks} of {wire:?}, max {max_size}"
                );
            }
            let complete = new.is_complete();
            let (got, want) = (new.finish(), old.finish());
            let has = |code: &str| got.lints.iter().any(|l| l.code == code);
            for (k, hit) in [
                complete,
                got.size_exceeded,
                got.lints_dropped > 0,
                has("smtp.line-too-long"),
                got.smuggling > 0,
                got.dot_not_stuffed > 0,
            ]
            .into_iter()
            .enumerate()
            {
                seen[k] += usize::from(hit);
            }
            assert_eq!(
                got, want,
                "case {case}: outcome for {wire:?}, max {max_size}, chunks up to {max_chunk}"
            );
        }
        assert!(
            seen.iter().all(|&n| n >= 50),
            "each outcome (complete, size exceeded, lints dropped, long line, smuggling, dot not stuffed) in >= 50 cases: {seen:?}"
        );
    }
}
