//! The browser backend (`browser-charsets` on wasm32, the web page's build): UTF-8 and UTF-16
//! are decoded with std ([`portable`](super::portable)), every other WHATWG encoding by the
//! browser's own `TextDecoder`, which implements the same standard as encoding_rs, so none of
//! encoding_rs's decoders or encoders (and none of its tables) are linked.
//!
//! Malformed input: a `TextDecoder` made with `fatal: true` throws at the first error. A whole
//! buffer is decoded by a fatal decoder, and again by a replacing one only if that threw; a
//! stream feeds both until the fatal one throws. A JavaScript exception nobody expects (an
//! encoding this browser lacks) gives U+FFFD and the error flag, never a panic.
//!
//! Two corrections for Chromium, whose `TextDecoder` departs from the standard there (see the
//! module docs of [`charset`](super)): Big5's four codes that WHATWG maps to two code points
//! are decoded here, and ISO-2022-JP runs in [`portable`](super::portable) with only its
//! JIS X 0208 pairs going to `TextDecoder` as EUC-JP.
//!
//! Encoding: UTF-8 as is; the single-byte encodings through their index, read back from
//! `TextDecoder` once per encoding; the multi-byte ones are [`EncodeFailure::Unavailable`]
//! (the web platform has no encoder for them).

use std::cell::RefCell;

use encoding_rs::{Encoding, UTF_8};
use web_sys::{TextDecodeOptions, TextDecoder, TextDecoderOptions};

use super::portable::{self, Legacy, Stream};
use super::{Bom, EncodeFailure};

/// A `TextDecoder` for `encoding` (its WHATWG name is one of its labels).
fn text_decoder(encoding: &'static Encoding, fatal: bool) -> Option<TextDecoder> {
    let options = TextDecoderOptions::new();
    options.set_fatal(fatal);
    TextDecoder::new_with_label_and_options(encoding.name(), &options).ok()
}

/// The Big5 codes that WHATWG maps to two code points (Encoding Standard §13.1.1: pointers
/// 1133, 1135, 1164 and 1166). Chromium's `TextDecoder` gives other text for them and reports
/// no error, so they are decoded here.
const BIG5_TWO_CODE_POINTS: [(u8, &str); 4] = [
    (0x62, "\u{CA}\u{304}"),
    (0x64, "\u{CA}\u{30C}"),
    (0xA3, "\u{EA}\u{304}"),
    (0xA5, "\u{EA}\u{30C}"),
];

/// The lead byte of [`BIG5_TWO_CODE_POINTS`].
const BIG5_SPECIAL_LEAD: u8 = 0x88;

/// The encodings other than UTF-8 and UTF-16, decoded by `TextDecoder`.
pub(crate) struct Js {
    encoding: &'static Encoding,
    /// The replacing and the fatal decoder of a stream, made at its first piece; the fatal one
    /// is dropped once it has thrown.
    stream: Option<(Option<TextDecoder>, Option<TextDecoder>)>,
    /// Big5: whether the last byte given to `TextDecoder` was a lead byte (the next byte is its
    /// trail, whatever it is).
    big5_lead: bool,
    /// Big5: a lead byte 0x88 at the end of a piece, kept until the next piece shows whether
    /// it starts one of [`BIG5_TWO_CODE_POINTS`].
    big5_held: bool,
}

impl Legacy for Js {
    fn new(encoding: &'static Encoding) -> Self {
        Js {
            encoding,
            stream: None,
            big5_lead: false,
            big5_held: false,
        }
    }

    fn feed(&mut self, bytes: &[u8], last: bool, out: &mut String) -> bool {
        if self.encoding == encoding_rs::BIG5 {
            self.feed_big5(bytes, last, out)
        } else {
            self.feed_js(bytes, last, out)
        }
    }
}

impl Js {
    /// Big5 with the codes of [`BIG5_TWO_CODE_POINTS`] decoded here and everything between
    /// them by `TextDecoder`. A Big5 byte is a lead byte when it is 0x81–0xFE and the byte
    /// before was not a lead byte: the byte after a lead is always taken as its trail (an ASCII
    /// one that forms no code is read again, as ASCII, which is no lead either).
    fn feed_big5(&mut self, bytes: &[u8], last: bool, out: &mut String) -> bool {
        let joined;
        let input: &[u8] = if std::mem::take(&mut self.big5_held) {
            joined = [&[BIG5_SPECIAL_LEAD], bytes].concat();
            &joined
        } else {
            bytes
        };
        let mut bad = false;
        let mut lead = self.big5_lead;
        let mut start = 0;
        let mut i = 0;
        while let Some(&b) = input.get(i) {
            if lead {
                lead = false;
                i += 1;
                continue;
            }
            if b == BIG5_SPECIAL_LEAD {
                let special = input
                    .get(i + 1)
                    .and_then(|t| BIG5_TWO_CODE_POINTS.iter().find(|(x, _)| x == t));
                if let Some((_, text)) = special {
                    bad |= self.feed_js(input.get(start..i).unwrap_or_default(), false, out);
                    out.push_str(text);
                    i += 2;
                    start = i;
                    continue;
                }
                if i + 1 == input.len() && !last {
                    bad |= self.feed_js(input.get(start..i).unwrap_or_default(), false, out);
                    self.big5_lead = false;
                    self.big5_held = true;
                    return bad;
                }
            }
            lead = (0x81..=0xFE).contains(&b);
            i += 1;
        }
        bad |= self.feed_js(input.get(start..).unwrap_or_default(), last, out);
        self.big5_lead = lead && !last;
        bad
    }

    /// Decodes through `TextDecoder`.
    fn feed_js(&mut self, bytes: &[u8], last: bool, out: &mut String) -> bool {
        if self.stream.is_none() && bytes.is_empty() {
            // Nothing held, nothing given.
            return false;
        }
        if self.stream.is_none() && last {
            // A whole buffer: one fatal pass, a replacing pass only if it threw.
            let strict = text_decoder(self.encoding, true).map(|d| d.decode_with_u8_array(bytes));
            if let Some(Ok(text)) = strict {
                out.push_str(&text);
                return false;
            }
            let lossy =
                text_decoder(self.encoding, false).and_then(|d| d.decode_with_u8_array(bytes).ok());
            out.push_str(lossy.as_deref().unwrap_or("\u{FFFD}"));
            return true;
        }
        let (lossy, fatal) = self.stream.get_or_insert_with(|| {
            (
                text_decoder(self.encoding, false),
                text_decoder(self.encoding, true),
            )
        });
        let options = TextDecodeOptions::new();
        options.set_stream(!last);
        let mut bad = false;
        match lossy
            .as_ref()
            .and_then(|d| d.decode_with_u8_array_and_options(bytes, &options).ok())
        {
            Some(text) => out.push_str(&text),
            None if bytes.is_empty() && !last => {}
            None => {
                out.push('\u{FFFD}');
                bad = true;
            }
        }
        if fatal
            .as_ref()
            .is_some_and(|d| d.decode_with_u8_array_and_options(bytes, &options).is_err())
        {
            *fatal = None;
            bad = true;
        }
        if last {
            // Both decoders flushed; the next piece starts a new stream.
            self.stream = None;
        }
        bad
    }
}

/// Decodes a whole buffer: the text, the encoding used (another one only when [`Bom::Sniff`]
/// found a byte order mark) and whether malformed bytes became U+FFFD.
pub(crate) fn decode(
    encoding: &'static Encoding,
    bom: Bom,
    bytes: &[u8],
) -> (String, &'static Encoding, bool) {
    portable::decode::<Js>(encoding, bom, bytes)
}

/// A decoder fed in pieces; a character split between pieces is decoded whole.
pub(crate) struct Decoder(Stream<Js>);

impl Decoder {
    /// A decoder for `encoding` treating a byte order mark as `bom` says.
    pub(crate) fn new(encoding: &'static Encoding, bom: Bom) -> Self {
        Decoder(Stream::new(encoding, bom))
    }

    /// Decodes one piece (`last` for the final one), appending the text it completed to
    /// `out`; returns whether malformed bytes became U+FFFD.
    pub(crate) fn feed(&mut self, bytes: &[u8], last: bool, out: &mut String) -> bool {
        self.0.feed_into(bytes, last, out)
    }
}

thread_local! {
    /// The index of each single-byte encoding used so far (what 0x80–0xFF decode to).
    static INDEXES: RefCell<Vec<(&'static Encoding, Vec<char>)>> = const { RefCell::new(Vec::new()) };
}

/// The index of a single-byte encoding, read back from `TextDecoder`; `None` if the browser
/// does not give one character per byte.
fn single_byte_index(encoding: &'static Encoding) -> Option<Vec<char>> {
    if let Some(found) = INDEXES.with_borrow(|all| {
        all.iter()
            .find(|(e, _)| *e == encoding)
            .map(|(_, index)| index.clone())
    }) {
        return Some(found);
    }
    let text = text_decoder(encoding, false)?
        .decode_with_u8_array(&portable::HIGH_BYTES)
        .ok()?;
    let index: Vec<char> = text.chars().collect();
    if index.len() != portable::HIGH_BYTES.len() {
        return None;
    }
    INDEXES.with_borrow_mut(|all| all.push((encoding, index.clone())));
    Some(index)
}

/// Encodes `text` in `encoding` (an output encoding), failing on the first character it cannot
/// represent, or with [`EncodeFailure::Unavailable`] for the multi-byte legacy encodings.
pub(crate) fn encode(encoding: &'static Encoding, text: &str) -> Result<Vec<u8>, EncodeFailure> {
    if encoding == UTF_8 {
        return Ok(text.as_bytes().to_vec());
    }
    if !portable::SINGLE_BYTE.contains(&encoding) {
        return Err(EncodeFailure::Unavailable);
    }
    let index = single_byte_index(encoding).ok_or(EncodeFailure::Unavailable)?;
    portable::encode_single_byte(&index, text).map_err(EncodeFailure::Unmappable)
}
