//! BDAT ([RFC 3030 §2](https://www.rfc-editor.org/rfc/rfc3030#section-2)): cutting a message
//! into chunks and reading them back.

use crate::lint::msg;
use crate::smtp::lints;
use crate::span::Span;

use super::receive::ReceivedData;

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
                    msg!(
                        "BDAT message exceeds the size limit of {max} bytes",
                        max = self.max_size
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
