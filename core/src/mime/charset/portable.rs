//! Decoding written with std, for the browser backend: UTF-8 (std's lossy decoding replaces
//! the same maximal subparts as the WHATWG UTF-8 decoder), UTF-16LE/BE (the WHATWG shared
//! UTF-16 decoder), byte order mark sniffing and removal, ISO-2022-JP's state machine (its
//! JIS X 0208 pairs go to the [`Legacy`] EUC-JP decoder), and single-byte encoders built by
//! inverting the decoder. Every other encoding goes to a [`Legacy`] decoder (the browser's
//! `TextDecoder`).
//!
//! Compiled in the browser build and in the tests, which check every function here against
//! encoding_rs over edge cases and random inputs split at random points.

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};

use super::Bom;

/// A decoder for the encodings this module does not decode itself.
pub(crate) trait Legacy: Sized {
    /// A decoder for `encoding` (never UTF-8, UTF-16LE, UTF-16BE or ISO-2022-JP).
    fn new(encoding: &'static Encoding) -> Self;
    /// Appends the text completed by `bytes` to `out`; returns whether malformed bytes became
    /// U+FFFD. After a `last` piece the decoder starts afresh.
    fn feed(&mut self, bytes: &[u8], last: bool, out: &mut String) -> bool;
}

/// The byte order marks ([WHATWG Encoding §4.1 "BOM sniff"](https://encoding.spec.whatwg.org/#bom-sniff)):
/// the encoding and the length of the mark, or `None` if more bytes are needed to tell.
/// `default` is the encoding when there is no mark.
fn sniff(
    bytes: &[u8],
    last: bool,
    default: &'static Encoding,
) -> Option<(&'static Encoding, usize)> {
    match bytes {
        [0xEF, 0xBB, 0xBF, ..] => Some((UTF_8, 3)),
        [0xFF, 0xFE, ..] => Some((UTF_16LE, 2)),
        [0xFE, 0xFF, ..] => Some((UTF_16BE, 2)),
        [] | [0xEF] | [0xEF, 0xBB] | [0xFF] | [0xFE] if !last => None,
        _ => Some((default, 0)),
    }
}

/// UTF-8 with an incomplete sequence at the end of a piece kept for the next one.
#[derive(Default)]
struct Utf8 {
    pending: Vec<u8>,
}

impl Utf8 {
    fn feed(&mut self, bytes: &[u8], last: bool, out: &mut String) -> bool {
        let joined;
        let input: &[u8] = if self.pending.is_empty() {
            bytes
        } else {
            self.pending.extend_from_slice(bytes);
            joined = std::mem::take(&mut self.pending);
            &joined
        };
        let mut bad = false;
        let mut chunks = input.utf8_chunks().peekable();
        while let Some(chunk) = chunks.next() {
            out.push_str(chunk.valid());
            let invalid = chunk.invalid();
            if invalid.is_empty() {
                continue;
            }
            // A sequence cut off by the end of the piece is the start of a character that the
            // next piece may finish (`error_len` is `None` only for such a sequence).
            let cut_off = chunks.peek().is_none()
                && std::str::from_utf8(invalid).is_err_and(|e| e.error_len().is_none());
            if cut_off && !last {
                self.pending = invalid.to_vec();
            } else {
                out.push('\u{FFFD}');
                bad = true;
            }
        }
        bad
    }
}

/// The WHATWG shared UTF-16 decoder ([Encoding §14.2.1](https://encoding.spec.whatwg.org/#shared-utf-16-decoder)).
struct Utf16 {
    big_endian: bool,
    lead_byte: Option<u8>,
    lead_surrogate: Option<u16>,
}

impl Utf16 {
    fn new(big_endian: bool) -> Self {
        Utf16 {
            big_endian,
            lead_byte: None,
            lead_surrogate: None,
        }
    }

    fn feed(&mut self, bytes: &[u8], last: bool, out: &mut String) -> bool {
        let mut bad = false;
        for &b in bytes {
            let Some(lead) = self.lead_byte.take() else {
                self.lead_byte = Some(b);
                continue;
            };
            let unit = if self.big_endian {
                u16::from_be_bytes([lead, b])
            } else {
                u16::from_le_bytes([lead, b])
            };
            if let Some(high) = self.lead_surrogate.take() {
                if (0xDC00..=0xDFFF).contains(&unit) {
                    let c =
                        0x10000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(unit) - 0xDC00);
                    out.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
                    continue;
                }
                // The unit after an unpaired lead surrogate is read again below.
                out.push('\u{FFFD}');
                bad = true;
            }
            match unit {
                0xD800..=0xDBFF => self.lead_surrogate = Some(unit),
                0xDC00..=0xDFFF => {
                    out.push('\u{FFFD}');
                    bad = true;
                }
                _ => out.push(char::from_u32(u32::from(unit)).unwrap_or('\u{FFFD}')),
            }
        }
        if last && (self.lead_byte.take().is_some() | self.lead_surrogate.take().is_some()) {
            out.push('\u{FFFD}');
            bad = true;
        }
        bad
    }
}

/// The states of the WHATWG ISO-2022-JP decoder (Encoding Standard §12.2.1).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Jp {
    Ascii,
    Roman,
    Katakana,
    LeadByte,
    TrailByte,
    EscapeStart,
    Escape,
}

/// The WHATWG ISO-2022-JP decoder (Encoding Standard §12.2.1), step by step as the standard
/// writes it; only the JIS X 0208 index lookup is left to an EUC-JP [`Legacy`] decoder: the
/// pair `lead trail` (0x21–0x7E each) has the same index pointer as the EUC-JP pair
/// `lead|0x80 trail|0x80`, and such a pair decodes to exactly one character or one error.
struct Iso2022Jp<L> {
    state: Jp,
    output_state: Jp,
    lead: u8,
    output: bool,
    /// EUC-JP pairs not yet decoded (flushed before anything else is written).
    pairs: Vec<u8>,
    /// Bytes put back by the standard's "restore to ioQueue" (`None` is the end of the queue).
    queue: std::collections::VecDeque<Option<u8>>,
    euc_jp: L,
}

impl<L: Legacy> Iso2022Jp<L> {
    fn new() -> Self {
        Iso2022Jp {
            state: Jp::Ascii,
            output_state: Jp::Ascii,
            lead: 0,
            output: false,
            pairs: Vec::new(),
            queue: std::collections::VecDeque::new(),
            euc_jp: L::new(encoding_rs::EUC_JP),
        }
    }

    fn flush(&mut self, out: &mut String) -> bool {
        if self.pairs.is_empty() {
            return false;
        }
        let bad = self.euc_jp.feed(&self.pairs, true, out);
        self.pairs.clear();
        bad
    }

    fn emit(&mut self, c: char, out: &mut String) -> bool {
        let bad = self.flush(out);
        out.push(c);
        bad
    }

    fn error(&mut self, out: &mut String) -> bool {
        self.flush(out);
        out.push('\u{FFFD}');
        true
    }

    fn feed(&mut self, bytes: &[u8], last: bool, out: &mut String) -> bool {
        let mut bad = false;
        let items = bytes.iter().map(|&b| Some(b)).chain(last.then_some(None));
        for item in items {
            self.queue.push_back(item);
            while let Some(item) = self.queue.pop_front() {
                bad |= self.step(item, out);
            }
        }
        bad |= self.flush(out);
        if last {
            // The stream ended; the next piece starts a new one.
            (self.state, self.output_state, self.lead, self.output) =
                (Jp::Ascii, Jp::Ascii, 0, false);
        }
        bad
    }

    /// One step of the handler for `byte` (`None`: end of queue); returns whether it was an
    /// error.
    fn step(&mut self, byte: Option<u8>, out: &mut String) -> bool {
        match (self.state, byte) {
            (Jp::Ascii | Jp::Roman | Jp::Katakana | Jp::LeadByte, None) => false,
            (Jp::Ascii | Jp::Roman | Jp::Katakana | Jp::LeadByte, Some(0x1B)) => {
                self.state = Jp::EscapeStart;
                false
            }
            (Jp::Ascii, Some(b @ 0x00..=0x7F)) if b != 0x0E && b != 0x0F => {
                self.output = false;
                self.emit(char::from(b), out)
            }
            (Jp::Roman, Some(0x5C)) => {
                self.output = false;
                self.emit('\u{A5}', out)
            }
            (Jp::Roman, Some(0x7E)) => {
                self.output = false;
                self.emit('\u{203E}', out)
            }
            (Jp::Roman, Some(b @ 0x00..=0x7F)) if b != 0x0E && b != 0x0F => {
                self.output = false;
                self.emit(char::from(b), out)
            }
            (Jp::Katakana, Some(b @ 0x21..=0x5F)) => {
                self.output = false;
                let c = char::from_u32(0xFF61 - 0x21 + u32::from(b)).unwrap_or('\u{FFFD}');
                self.emit(c, out)
            }
            (Jp::LeadByte, Some(b @ 0x21..=0x7E)) => {
                self.output = false;
                self.lead = b;
                self.state = Jp::TrailByte;
                false
            }
            (Jp::Ascii | Jp::Roman | Jp::Katakana | Jp::LeadByte, Some(_)) => {
                self.output = false;
                self.error(out)
            }
            (Jp::TrailByte, Some(0x1B)) => {
                self.state = Jp::EscapeStart;
                self.error(out)
            }
            (Jp::TrailByte, Some(b @ 0x21..=0x7E)) => {
                self.state = Jp::LeadByte;
                self.pairs.extend_from_slice(&[self.lead | 0x80, b | 0x80]);
                false
            }
            (Jp::TrailByte, None) => {
                self.state = Jp::LeadByte;
                self.queue.push_front(None);
                self.error(out)
            }
            (Jp::TrailByte, Some(_)) => {
                self.state = Jp::LeadByte;
                self.error(out)
            }
            (Jp::EscapeStart, Some(b @ (0x24 | 0x28))) => {
                self.lead = b;
                self.state = Jp::Escape;
                false
            }
            (Jp::EscapeStart, _) => {
                self.queue.push_front(byte);
                self.output = false;
                self.state = self.output_state;
                self.error(out)
            }
            (Jp::Escape, _) => {
                let lead = std::mem::take(&mut self.lead);
                let state = match (lead, byte) {
                    (0x28, Some(0x42)) => Some(Jp::Ascii),
                    (0x28, Some(0x4A)) => Some(Jp::Roman),
                    (0x28, Some(0x49)) => Some(Jp::Katakana),
                    (0x24, Some(0x40 | 0x42)) => Some(Jp::LeadByte),
                    _ => None,
                };
                if let Some(state) = state {
                    self.state = state;
                    self.output_state = state;
                    let output = std::mem::replace(&mut self.output, true);
                    return if output { self.error(out) } else { false };
                }
                self.queue.push_front(byte);
                self.queue.push_front(Some(lead));
                self.output = false;
                self.state = self.output_state;
                self.error(out)
            }
        }
    }
}

enum State<L> {
    /// Collecting the first bytes until a byte order mark is found or ruled out.
    Sniff(Vec<u8>),
    Utf8(Utf8),
    Utf16(Utf16),
    Iso2022Jp(Box<Iso2022Jp<L>>),
    Legacy(L),
}

/// A decoder fed in pieces, with the byte order mark handled as [`Bom`] says.
pub(crate) struct Stream<L> {
    encoding: &'static Encoding,
    state: State<L>,
    /// Whether a U+FEFF at the very start of the output is still to be removed.
    strip_bom: bool,
}

impl<L: Legacy> Stream<L> {
    /// A decoder for `encoding` (with [`Bom::Sniff`]: the encoding used when the bytes start
    /// with no byte order mark).
    pub(crate) fn new(encoding: &'static Encoding, bom: Bom) -> Self {
        match bom {
            Bom::Sniff => Stream {
                encoding,
                state: State::Sniff(Vec::new()),
                strip_bom: false,
            },
            Bom::Keep => Self::decided(encoding, false),
            Bom::Remove => Self::decided(encoding, true),
        }
    }

    fn decided(encoding: &'static Encoding, remove_bom: bool) -> Self {
        let state = if encoding == UTF_8 {
            State::Utf8(Utf8::default())
        } else if encoding == UTF_16BE {
            State::Utf16(Utf16::new(true))
        } else if encoding == UTF_16LE {
            State::Utf16(Utf16::new(false))
        } else if encoding == encoding_rs::ISO_2022_JP {
            State::Iso2022Jp(Box::new(Iso2022Jp::new()))
        } else {
            State::Legacy(L::new(encoding))
        };
        // Only UTF-8 and UTF-16 have a byte order mark to remove; their decoders give U+FEFF
        // first exactly when the bytes start with it.
        let strip_bom = remove_bom && matches!(state, State::Utf8(_) | State::Utf16(_));
        Stream {
            encoding,
            state,
            strip_bom,
        }
    }

    /// The encoding in use (after sniffing: the one the byte order mark named).
    pub(crate) fn encoding(&self) -> &'static Encoding {
        self.encoding
    }

    /// Appends the text completed by `bytes` to `out`; returns whether malformed bytes became
    /// U+FFFD.
    pub(crate) fn feed_into(&mut self, bytes: &[u8], last: bool, out: &mut String) -> bool {
        if let State::Sniff(held) = &mut self.state {
            let held = std::mem::take(held);
            let joined;
            let input: &[u8] = if held.is_empty() {
                bytes
            } else {
                joined = [held.as_slice(), bytes].concat();
                &joined
            };
            let Some((encoding, len)) = sniff(input, last, self.encoding) else {
                // At most two bytes: a prefix of a byte order mark.
                self.state = State::Sniff(input.to_vec());
                return false;
            };
            *self = Self::decided(encoding, false);
            return self.feed_into(input.get(len..).unwrap_or_default(), last, out);
        }
        let start = out.len();
        let bad = match &mut self.state {
            State::Sniff(_) => false,
            State::Utf8(d) => d.feed(bytes, last, out),
            State::Utf16(d) => d.feed(bytes, last, out),
            State::Iso2022Jp(d) => d.feed(bytes, last, out),
            State::Legacy(d) => d.feed(bytes, last, out),
        };
        if self.strip_bom && out.len() > start {
            self.strip_bom = false;
            if out.get(start..).is_some_and(|s| s.starts_with('\u{FEFF}')) {
                out.drain(start..start + '\u{FEFF}'.len_utf8());
            }
        }
        bad
    }
}

/// Decodes a whole buffer: the text, the encoding used and whether errors occurred.
pub(crate) fn decode<L: Legacy>(
    encoding: &'static Encoding,
    bom: Bom,
    bytes: &[u8],
) -> (String, &'static Encoding, bool) {
    let mut stream = Stream::<L>::new(encoding, bom);
    let mut out = String::with_capacity(bytes.len());
    let bad = stream.feed_into(bytes, true, &mut out);
    (out, stream.encoding(), bad)
}

/// The single-byte encodings of the WHATWG Encoding Standard (§9): ASCII below 0x80, one index
/// entry per byte above. x-user-defined is left out (no mail uses it).
pub(crate) const SINGLE_BYTE: &[&Encoding] = &[
    encoding_rs::IBM866,
    encoding_rs::ISO_8859_2,
    encoding_rs::ISO_8859_3,
    encoding_rs::ISO_8859_4,
    encoding_rs::ISO_8859_5,
    encoding_rs::ISO_8859_6,
    encoding_rs::ISO_8859_7,
    encoding_rs::ISO_8859_8,
    encoding_rs::ISO_8859_8_I,
    encoding_rs::ISO_8859_10,
    encoding_rs::ISO_8859_13,
    encoding_rs::ISO_8859_14,
    encoding_rs::ISO_8859_15,
    encoding_rs::ISO_8859_16,
    encoding_rs::KOI8_R,
    encoding_rs::KOI8_U,
    encoding_rs::MACINTOSH,
    encoding_rs::WINDOWS_874,
    encoding_rs::WINDOWS_1250,
    encoding_rs::WINDOWS_1251,
    encoding_rs::WINDOWS_1252,
    encoding_rs::WINDOWS_1253,
    encoding_rs::WINDOWS_1254,
    encoding_rs::WINDOWS_1255,
    encoding_rs::WINDOWS_1256,
    encoding_rs::WINDOWS_1257,
    encoding_rs::WINDOWS_1258,
    encoding_rs::X_MAC_CYRILLIC,
];

/// The bytes 0x80–0xFF, decoded through a single-byte encoding to get its index.
pub(crate) const HIGH_BYTES: [u8; 128] = {
    let mut b = [0u8; 128];
    let mut i = 0;
    while i < 128 {
        b[i] = 0x80 + i as u8;
        i += 1;
    }
    b
};

/// The WHATWG single-byte encoder (§9.2): ASCII as is, any other character as 0x80 plus its
/// first position in `index` (the text [`HIGH_BYTES`] decode to; U+FFFD marks unmapped
/// bytes); the first character with no position is the error.
pub(crate) fn encode_single_byte(index: &[char], text: &str) -> Result<Vec<u8>, char> {
    let mut out = Vec::with_capacity(text.len());
    for ch in text.chars() {
        if ch.is_ascii() {
            out.push(ch as u8);
            continue;
        }
        match index.iter().position(|&c| c == ch && c != '\u{FFFD}') {
            Some(p) => out.push(0x80 | (p as u8 & 0x7F)),
            None => return Err(ch),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::testutil::XorShift;

    /// encoding_rs as the [`Legacy`] decoder, so that [`Stream`] can be checked against it.
    struct Rs(&'static Encoding, encoding_rs::Decoder);

    impl Legacy for Rs {
        fn new(encoding: &'static Encoding) -> Self {
            Rs(encoding, encoding.new_decoder_without_bom_handling())
        }

        fn feed(&mut self, bytes: &[u8], last: bool, out: &mut String) -> bool {
            let bad = stream_rs(&mut self.1, bytes, last, out);
            if last {
                self.1 = self.0.new_decoder_without_bom_handling();
            }
            bad
        }
    }

    fn stream_rs(d: &mut encoding_rs::Decoder, bytes: &[u8], last: bool, out: &mut String) -> bool {
        out.reserve(d.max_utf8_buffer_length(bytes.len()).unwrap_or(0) + 16);
        let (_, read, bad) = d.decode_to_string(bytes, out, last);
        assert_eq!(read, bytes.len(), "reserved enough for encoding_rs");
        bad
    }

    /// encoding_rs's whole-buffer result for `bom`.
    fn rs_whole(e: &'static Encoding, bom: Bom, bytes: &[u8]) -> (String, &'static str, bool) {
        let (t, used, bad) = match bom {
            Bom::Keep => {
                let (t, bad) = e.decode_without_bom_handling(bytes);
                (t, e, bad)
            }
            Bom::Remove => {
                let (t, bad) = e.decode_with_bom_removal(bytes);
                (t, e, bad)
            }
            Bom::Sniff => e.decode(bytes),
        };
        (t.into_owned(), used.name(), bad)
    }

    fn rs_decoder(e: &'static Encoding, bom: Bom) -> encoding_rs::Decoder {
        match bom {
            Bom::Keep => e.new_decoder_without_bom_handling(),
            Bom::Remove => e.new_decoder_with_bom_removal(),
            Bom::Sniff => e.new_decoder(),
        }
    }

    /// Checks whole-buffer and split decoding of `bytes` against encoding_rs.
    fn check(e: &'static Encoding, bom: Bom, bytes: &[u8], rng: &mut XorShift) {
        let got = decode::<Rs>(e, bom, bytes);
        let want = rs_whole(e, bom, bytes);
        assert_eq!(
            (got.0.as_str(), got.1.name(), got.2),
            (want.0.as_str(), want.1, want.2),
            "{} {bom:?} whole {bytes:02X?}",
            e.name()
        );
        // The same bytes in up to four pieces, cut at random points (empty pieces too).
        let mut cuts: Vec<usize> = (0..rng.below(4))
            .map(|_| rng.below(bytes.len() + 1))
            .collect();
        cuts.sort_unstable();
        let mut ours = Stream::<Rs>::new(e, bom);
        let mut theirs = rs_decoder(e, bom);
        let (mut a, mut b) = (String::new(), String::new());
        let (mut bad_a, mut bad_b) = (false, false);
        let mut from = 0;
        for (i, &to) in cuts.iter().chain([bytes.len()].iter()).enumerate() {
            let piece = bytes.get(from..to).unwrap_or_default();
            let last = i == cuts.len();
            bad_a |= ours.feed_into(piece, last, &mut a);
            bad_b |= stream_rs(&mut theirs, piece, last, &mut b);
            from = to;
        }
        assert_eq!(
            (a.as_str(), bad_a),
            (b.as_str(), bad_b),
            "{} {bom:?} cut at {cuts:?}: {bytes:02X?}",
            e.name()
        );
    }

    const EDGE_UTF8: &[&[u8]] = &[
        b"",
        b"plain",
        b"\xEF\xBB\xBFbom",
        b"\xEF\xBB\xBF",
        b"\xEF\xBB",
        b"\xEF\xBB\xBF\xEF\xBB\xBF",
        b"a\xEF\xBB\xBF",
        b"\xC3\xA9",
        b"\xC3",
        b"\xC3A",
        b"\xE2\x82",
        b"\xE2\x82A",
        b"\xF0\x9F\x98",
        b"\xF0\x9F\x98\x80",
        b"\xF4\x90\x80\x80",
        b"\xED\xA0\x80",
        b"\xED\x9F\xBF",
        b"\xC0\x80",
        b"\xC1\xBF",
        b"\xE0\x80\x80",
        b"\xE0\xA0\x80",
        b"\xF0\x80\x80\x80",
        b"\xF8\x88\x80\x80\x80",
        b"\xFF\xFE",
        b"\x80\x80\x80",
        b"\xF1\x80\x80\xE1\x80\xC2",
        b"\xE1\x80\xE2\xF0\x91\x92\xF1\xBF\x41",
    ];

    const EDGE_UTF16: &[&[u8]] = &[
        b"",
        b"\xFF\xFE",
        b"\xFE\xFF",
        b"\xFF\xFEa\x00",
        b"\xFE\xFF\x00a",
        b"\xFF",
        b"\xFE",
        b"\xEF\xBB\xBF",
        b"\xEF\xBB\xBFa",
        b"\xEF\xBB",
        b"\xEF",
        b"a",
        b"\x00a\x00",
        b"\xD8\x3D\xDE\x00",
        b"\x3D\xD8\x00\xDE",
        b"\xD8\x3D",
        b"\xD8\x3D\x00",
        b"\xD8\x3D\x00a",
        b"\xD8\x3D\xD8\x3D\xDE\x00",
        b"\xDE\x00",
        b"\x00\xDE",
        b"\xFF\xFE\xFF\xFE",
        b"\xFE\xFF\xFF\xFE",
    ];

    /// Random bytes drawn mostly from the bytes that matter to UTF-8 and UTF-16.
    fn random_bytes(rng: &mut XorShift) -> Vec<u8> {
        const ALPHABET: &[u8] = b"\x00a\x41\x7F\x80\x8F\x90\x9F\xA0\xBF\xBB\xC0\xC2\xC3\xDF\xE0\xE1\xED\xEF\xF0\xF1\xF4\xF5\xFF\xFE\xD8\xDB\xDC\xDF";
        let len = rng.below(24);
        let raw = rng.below(3) == 0;
        rng.bytes(len, ALPHABET, raw)
    }

    #[test]
    fn utf8_matches_encoding_rs_and_std() {
        let mut rng = XorShift::new(0x5EED_0008);
        let mut inputs: Vec<Vec<u8>> = EDGE_UTF8.iter().map(|b| b.to_vec()).collect();
        inputs.extend((0..3000).map(|_| random_bytes(&mut rng)));
        for bytes in &inputs {
            for bom in [Bom::Keep, Bom::Remove] {
                check(UTF_8, bom, bytes, &mut rng);
            }
            // std's lossy decoding replaces the same maximal subparts as WHATWG.
            let (rs, _) = UTF_8.decode_without_bom_handling(bytes);
            assert_eq!(
                String::from_utf8_lossy(bytes),
                rs,
                "from_utf8_lossy vs encoding_rs for {bytes:02X?}"
            );
        }
    }

    #[test]
    fn utf16_and_sniffing_match_encoding_rs() {
        let mut rng = XorShift::new(0x5EED_0016);
        let mut inputs: Vec<Vec<u8>> = EDGE_UTF16.iter().map(|b| b.to_vec()).collect();
        inputs.extend(EDGE_UTF8.iter().map(|b| b.to_vec()));
        inputs.extend((0..3000).map(|_| random_bytes(&mut rng)));
        for bytes in &inputs {
            for e in [UTF_16BE, UTF_16LE] {
                for bom in [Bom::Keep, Bom::Remove, Bom::Sniff] {
                    check(e, bom, bytes, &mut rng);
                }
            }
            check(UTF_8, Bom::Sniff, bytes, &mut rng);
            check(encoding_rs::WINDOWS_1252, Bom::Sniff, bytes, &mut rng);
        }
    }

    #[test]
    fn iso2022jp_matches_encoding_rs() {
        let mut rng = XorShift::new(0x5EED_2022);
        let edge: &[&[u8]] = &[
            b"",
            b"plain",
            b"\x1b$BF|K\\\x1b(B",
            b"\x1b$@F|\x1b(J\\~\x1b(I!_\x1b(B~",
            b"\x1b$B\x1b(B",
            b"\x1b$B\x1b$B",
            b"\x1b(Ba",
            b"\x1b",
            b"\x1b$",
            b"\x1b(",
            b"\x1b$BF",
            b"\x1b$BF\x1b(B",
            b"\x1b$BF\n",
            b"\x1b$B\x7f\x7f",
            b"\x1b$B\"x\x1b(B",
            b"\x1b$\x0ez",
            b"\x1b(\x0fz",
            b"\x1b$\x80z",
            b"\x1bz",
            b"\x0e\x0f\x80\xff",
            b"\x1b(I\x60",
        ];
        const ALPHABET: &[u8] = b"\x1b$B(J@I\x0e\x0f!\"0F|K\\~\x7fa\x80\xff\n";
        let mut inputs: Vec<Vec<u8>> = edge.iter().map(|b| b.to_vec()).collect();
        inputs.extend((0..5000).map(|_| {
            let len = rng.below(24);
            rng.bytes(len, ALPHABET, false)
        }));
        for bytes in &inputs {
            for bom in [Bom::Keep, Bom::Remove] {
                check(encoding_rs::ISO_2022_JP, bom, bytes, &mut rng);
            }
        }
    }

    #[test]
    fn single_byte_encoder_matches_encoding_rs() {
        let indexes: Vec<(&Encoding, Vec<char>)> = SINGLE_BYTE
            .iter()
            .map(|&e| {
                let (t, bad) = e.decode_without_bom_handling(&HIGH_BYTES);
                let _ = bad; // unmapped bytes are U+FFFD, which the encoder skips
                (e, t.chars().collect())
            })
            .collect();
        // Every character of any index, plus ASCII and a few that no index has.
        let mut chars: Vec<char> = indexes
            .iter()
            .flat_map(|(_, i)| i.iter().copied())
            .collect();
        chars.extend(['\0', 'a', '\u{7F}', '\u{FFFD}', '한', '😀', '\u{FEFF}']);
        chars.sort_unstable();
        chars.dedup();
        for (e, index) in &indexes {
            assert_eq!(index.len(), 128, "{}: one character per byte", e.name());
            for &ch in &chars {
                let mut buf = [0u8; 4];
                let s = ch.encode_utf8(&mut buf);
                let mut encoder = e.new_encoder();
                let mut want = Vec::with_capacity(8);
                let (res, _) =
                    encoder.encode_from_utf8_to_vec_without_replacement(s, &mut want, true);
                let want = match res {
                    encoding_rs::EncoderResult::InputEmpty => Ok(want),
                    encoding_rs::EncoderResult::Unmappable(c) => Err(c),
                    encoding_rs::EncoderResult::OutputFull => panic!("{}: output full", e.name()),
                };
                assert_eq!(
                    encode_single_byte(index, s),
                    want,
                    "{} encoding {ch:?}",
                    e.name()
                );
            }
        }
        assert_eq!(
            encode_single_byte(&indexes[0].1, "ab\u{0416}c"),
            Ok(vec![b'a', b'b', 0x86, b'c']),
            "IBM866 Ж"
        );
    }
}
