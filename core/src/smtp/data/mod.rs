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
//!
//! The parts: transparency and `encode_data` here, the server's end-of-data detection in
//! `receive`, BDAT chunking in `bdat`.

mod bdat;
mod receive;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

/// CRLF normalisation is shared with the MIME side; it lives in [`codec::crlf`](crate::codec::crlf).
pub use crate::codec::crlf::{normalize_crlf, LineEndingChange, LineEndingFix, Normalized};
pub use bdat::{bdat_chunks, BdatChunk, BdatReceiver};
pub use receive::{lint_data, DataReceiver, Feed, ReceivedData};

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
