//! The encoding_rs backend: every build except the web page's (`browser-charsets` on wasm32).
//!
//! Each function is the encoding_rs call the charset code made before the backends were split,
//! so results are unchanged.

use encoding_rs::{CoderResult, Encoding};

use super::{Bom, EncodeFailure};

/// Decodes a whole buffer: the text, the encoding used (another one only when [`Bom::Sniff`]
/// found a byte order mark) and whether malformed bytes became U+FFFD.
pub(crate) fn decode(
    encoding: &'static Encoding,
    bom: Bom,
    bytes: &[u8],
) -> (String, &'static Encoding, bool) {
    match bom {
        Bom::Keep => {
            let (t, bad) = encoding.decode_without_bom_handling(bytes);
            (t.into_owned(), encoding, bad)
        }
        Bom::Remove => {
            let (t, bad) = encoding.decode_with_bom_removal(bytes);
            (t.into_owned(), encoding, bad)
        }
        Bom::Sniff => {
            let (t, used, bad) = encoding.decode(bytes);
            (t.into_owned(), used, bad)
        }
    }
}

/// A decoder fed in pieces; a character split between pieces is decoded whole.
pub(crate) struct Decoder(encoding_rs::Decoder);

impl Decoder {
    /// A decoder for `encoding` treating a byte order mark as `bom` says.
    pub(crate) fn new(encoding: &'static Encoding, bom: Bom) -> Self {
        Decoder(match bom {
            Bom::Keep => encoding.new_decoder_without_bom_handling(),
            Bom::Remove => encoding.new_decoder_with_bom_removal(),
            Bom::Sniff => encoding.new_decoder(),
        })
    }

    /// Decodes one piece (`last` for the final one), appending the text it completed to
    /// `out`; returns whether malformed bytes became U+FFFD.
    pub(crate) fn feed(&mut self, bytes: &[u8], last: bool, out: &mut String) -> bool {
        let dec = &mut self.0;
        let mut had_errors = false;
        let mut src = bytes;
        loop {
            // Room for what most text needs (1½ bytes of UTF-8 per byte covers the CJK
            // double-byte charsets), not the worst case `max_utf8_buffer_length` gives: that
            // reallocated the text for nearly every encoded-word. When the room runs out the
            // decoder stops with `OutputFull` and the loop makes more.
            out.reserve(src.len().saturating_add(src.len() / 2).saturating_add(16));
            let (res, read, bad) = dec.decode_to_string(src, out, last);
            had_errors |= bad;
            src = src.get(read..).unwrap_or_default();
            if matches!(res, CoderResult::InputEmpty) {
                break;
            }
        }
        had_errors
    }
}

/// Encodes `text` in `encoding` (an output encoding), failing on the first character it cannot
/// represent.
pub(crate) fn encode(encoding: &'static Encoding, text: &str) -> Result<Vec<u8>, EncodeFailure> {
    let mut encoder = encoding.new_encoder();
    let mut out = Vec::with_capacity(
        encoder
            .max_buffer_length_from_utf8_without_replacement(text.len())
            .unwrap_or(text.len().saturating_mul(4).saturating_add(8)),
    );
    let (res, _) = encoder.encode_from_utf8_to_vec_without_replacement(text, &mut out, true);
    match res {
        encoding_rs::EncoderResult::InputEmpty => Ok(out),
        encoding_rs::EncoderResult::Unmappable(ch) => Err(EncodeFailure::Unmappable(ch)),
        encoding_rs::EncoderResult::OutputFull => Err(EncodeFailure::NoEncoder),
    }
}
