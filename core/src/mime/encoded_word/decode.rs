//! Decoding (RFC 2047 §6): finding the words, planning each one, decoding adjacent words in
//! one charset as one byte stream, and explaining every step.

use crate::codec;
use crate::lint::Lint;
use crate::lint::{msg, Message};
use crate::mime::charset::{self, Charset, StreamDecoder};
use crate::mime::lints;
use crate::span::Span;

use super::{
    Context, DecodedText, WordExplanation, MAX_CHARSET_FIELD, MAX_ENCODING_FIELD, MAX_LINTS,
    MAX_WORD_LEN,
};

/// Adds a finding unless [`MAX_LINTS`] are already there.
fn add(lints: &mut Vec<Lint>, lint: Lint) {
    if lints.len() < MAX_LINTS {
        lints.push(lint);
    }
}

/// Decodes an unstructured field body (RFC 2047 §5(1)); spans are relative to `raw`.
pub fn decode_unstructured(raw: &[u8]) -> DecodedText {
    decode_text(raw, Context::Unstructured)
}

/// Decodes text that may contain encoded-words, found in `context`; spans are relative to
/// `raw`.
pub fn decode_text(raw: &[u8], context: Context) -> DecodedText {
    decode(raw, context, true)
}

/// [`decode_text`] without the step-by-step explanation: the same `text` and `lints`, but
/// `words` stays empty, which saves the per-word copies when only the text is wanted (header
/// display, display names).
pub fn decode_text_only(raw: &[u8], context: Context) -> DecodedText {
    decode(raw, context, false)
}

fn decode(raw: &[u8], context: Context, explain: bool) -> DecodedText {
    if !has_word_start(raw) {
        // Fast path: no `=?`, so no encoded-word, no explanation and no finding.
        let mut text = String::with_capacity(raw.len());
        push_plain(&mut text, raw);
        return DecodedText {
            text,
            ..DecodedText::default()
        };
    }
    let mut out = DecodedText {
        // Decoded text is rarely longer than its encoded form.
        text: String::with_capacity(raw.len()),
        ..DecodedText::default()
    };
    // One entry per piece and one buffer for the octets of every word: the allocations do not
    // grow by one list and one buffer per word.
    let mut slots = scan(raw, &mut out.lints);
    let mut octets = Vec::new();
    for slot in &mut slots {
        if let Item::Word(w) = &slot.item {
            slot.plan = plan_word(raw, w, context, &mut out.lints, &mut octets);
        }
        slot.flags = [slot.plan.is_some(); 4];
    }
    // Per slot, `flags` are [decodable, dropped whitespace, continues the charset group,
    // joined], filled in three passes as each depends on the one before.
    let decodable = |slots: &[Slot], k: usize| slots.get(k).is_some_and(|s| s.flags[0]);
    let is_ws = |s: Span| {
        s.slice(raw)
            .iter()
            .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
    };
    // §6.2: whitespace only between two decodable words is dropped.
    for k in 0..slots.len() {
        let drop = match slots.get(k).map(|s| &s.item) {
            Some(Item::Text(s)) => {
                is_ws(*s) && k > 0 && decodable(&slots, k - 1) && decodable(&slots, k + 1)
            }
            _ => false,
        };
        if let Some(slot) = slots.get_mut(k) {
            slot.flags[1] = drop;
        }
    }
    let is_dropped = |slots: &[Slot], k: usize| slots.get(k).is_some_and(|s| s.flags[1]);
    // The decodable word before each decodable word, when only dropped whitespace separates them.
    let prev_word = |slots: &[Slot], k: usize| -> Option<usize> {
        if k >= 1 && decodable(slots, k - 1) {
            Some(k - 1)
        } else if k >= 2 && is_dropped(slots, k - 1) {
            Some(k - 2)
        } else {
            None
        }
    };
    let key = |slots: &[Slot], k: usize| {
        slots
            .get(k)
            .and_then(|s| s.plan.as_ref())
            .map(|p| (p.charset, p.ascii))
    };
    // Whether each decodable word continues the charset group of the word before it, and
    // whether it is joined to a word before it.
    for k in 0..slots.len() {
        // ISO-2022-JP words each end in ASCII (RFC 1468); joined, the escape back to JIS
        // right after the escape to ASCII is an error under WHATWG rules, so they stay apart.
        let prev = prev_word(&slots, k);
        let cont = decodable(&slots, k)
            && prev.is_some_and(|p| key(&slots, p) == key(&slots, k))
            && key(&slots, k).map(|(c, _)| c) != Some(Charset::Whatwg(encoding_rs::ISO_2022_JP));
        if let Some(slot) = slots.get_mut(k) {
            slot.flags[2] = cont;
            slot.flags[3] = prev.is_some();
        }
    }
    let cont = |k: usize| slots.get(k).is_some_and(|s| s.flags[2]);

    let mut group: Option<Group> = None;
    for (k, slot) in slots.iter().enumerate() {
        match &slot.item {
            Item::Text(s) => {
                if !is_dropped(&slots, k) {
                    push_plain(&mut out.text, s.slice(raw));
                }
            }
            Item::Word(w) => {
                let Some(plan) = &slot.plan else {
                    if explain {
                        out.explain(undecoded(raw, w));
                    }
                    push_plain(&mut out.text, w.span.slice(raw));
                    continue;
                };
                if !cont(k) {
                    if let Some(g) = group.take() {
                        g.finish(&mut out);
                    }
                }
                let last = !(cont(k + 1) || (is_dropped(&slots, k + 1) && cont(k + 2)));
                let bytes = octets.get(plan.bytes.clone()).unwrap_or_default();
                group
                    .get_or_insert_with(|| Group::new(plan.charset, plan.ascii, w.span))
                    .feed(
                        raw,
                        w,
                        (plan.charset, bytes),
                        (slot.flags[3], last, explain),
                        &mut out,
                    );
            }
        }
    }
    if let Some(g) = group.take() {
        g.finish(&mut out);
    }
    unseparated_lints(raw, &slots, &mut out.lints);
    out
}

/// One piece of the input, what decoding it takes, and its flags (see [`decode`]).
struct Slot {
    item: Item,
    plan: Option<Plan>,
    flags: [bool; 4],
}

/// A piece of the input: plain text or something shaped like an encoded-word.
enum Item {
    Text(Span),
    Word(RawWord),
}

/// The fields of a word-shaped piece, as spans into the input.
struct RawWord {
    span: Span,
    charset: Span,
    encoding: Span,
    text: Span,
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Splits the input into text and word-shaped pieces. Linear: each attempt stops at the next
/// `?`, whitespace, or a field limit. Text that starts like a word but is not one (a space in
/// the encoded text, no closing `?=`) stays text and is reported in `lints`: otherwise nothing
/// would say why it was not decoded.
fn scan(raw: &[u8], lints: &mut Vec<Lint>) -> Vec<Slot> {
    let mut items = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    while i < raw.len() {
        if raw.get(i) == Some(&b'=') && raw.get(i + 1) == Some(&b'?') {
            if let Some(w) = word_at(raw, i) {
                if text_start < i {
                    items.push(Slot::new(Item::Text(Span::new(text_start, i))));
                }
                i = w.span.end;
                text_start = i;
                items.push(Slot::new(Item::Word(w)));
                continue;
            }
            if let Some((span, why)) = near_miss(raw, i) {
                add(
                    lints,
                    lints::ENCODED_WORD_INVALID
                        .at(span, msg!("{why}; left as written").text("why", why)),
                );
            }
        }
        i += 1;
    }
    if text_start < raw.len() {
        items.push(Slot::new(Item::Text(Span::new(text_start, raw.len()))));
    }
    items
}

impl Slot {
    fn new(item: Item) -> Self {
        Slot {
            item,
            plan: None,
            flags: [false; 4],
        }
    }
}

/// Longest stretch after `=?charset?B?` searched for the closing `?=` of a word that is not
/// one (bounds the work per `=?`, so scanning stays linear).
const NEAR_MISS_WINDOW: usize = 2 * MAX_WORD_LEN;

/// Why the text at `start`, which begins like an encoded-word with a B or Q encoding, is not
/// one: white space inside the encoded text, or no closing `?=`. The span covers the text up
/// to the `?=` (or the end of the non-space run when there is none).
fn near_miss(raw: &[u8], start: usize) -> Option<(Span, Message)> {
    let (charset, after_cs) = field(raw, start + 2, MAX_CHARSET_FIELD)?;
    let (encoding, after_enc) = field(raw, after_cs, MAX_ENCODING_FIELD)?;
    if charset.is_empty() || !matches!(encoding.slice(raw), b"B" | b"b" | b"Q" | b"q") {
        return None;
    }
    let label = lossy(charset.slice(raw));
    let enc = lossy(encoding.slice(raw)).to_ascii_uppercase();
    let window = raw.get(after_enc..).unwrap_or_default();
    let window = window.get(..NEAR_MISS_WINDOW).unwrap_or(window);
    let is_ws = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let space = window.iter().position(is_ws);
    let close = window.windows(2).position(|p| p == b"?=");
    match (close, space) {
        // Ends in `?=` before any white space: not a near miss of this kind.
        (Some(_), None) => None,
        (Some(c), Some(w)) if c < w => None,
        // White space inside, then `?=`, and no other word start in between.
        (Some(c), Some(_)) if !window.get(..c).is_some_and(|t| t.windows(2).any(|p| p == b"=?")) => {
            Some((
                Span::new(start, after_enc + c + 2),
                msg!(
                    "looks like an encoded-word ({label}, {enc}) but its encoded text contains white space, which RFC 2047 §2 forbids inside an encoded-word, so it is not one",
                    label,
                    enc
                ),
            ))
        }
        _ => Some((
            Span::new(start, after_enc + space.unwrap_or(window.len())),
            msg!(
                "looks like an encoded-word ({label}, {enc}) but has no closing \"?=\" (RFC 2047 §2), so it is not one",
                label,
                enc
            ),
        )),
    }
}

/// Reads `field ?` from `from`, at most `max` bytes of field, none of them whitespace or
/// control characters. Returns the field span and the offset after the `?`.
fn field(raw: &[u8], from: usize, max: usize) -> Option<(Span, usize)> {
    let mut j = from;
    loop {
        let b = *raw.get(j)?;
        if b == b'?' {
            return Some((Span::new(from, j), j + 1));
        }
        if b <= b' ' || b == 0x7F || j - from >= max {
            return None;
        }
        j += 1;
    }
}

fn word_at(raw: &[u8], start: usize) -> Option<RawWord> {
    let (charset, after_cs) = field(raw, start + 2, MAX_CHARSET_FIELD)?;
    if charset.is_empty() {
        return None;
    }
    let (encoding, after_enc) = field(raw, after_cs, MAX_ENCODING_FIELD)?;
    if encoding.is_empty() {
        return None;
    }
    let mut j = after_enc;
    loop {
        let b = *raw.get(j)?;
        if b == b'?' {
            if raw.get(j + 1) == Some(&b'=') {
                return Some(RawWord {
                    span: Span::new(start, j + 2),
                    charset,
                    encoding,
                    text: Span::new(after_enc, j),
                });
            }
            return None;
        }
        if matches!(b, b' ' | b'\t' | b'\r' | b'\n') {
            return None;
        }
        j += 1;
    }
}

/// A word that can be decoded: its charset and where the octets of its encoded text are in
/// the field's octet buffer.
struct Plan {
    charset: Charset,
    ascii: bool,
    bytes: std::ops::Range<usize>,
}

/// A word's charset label (RFC 2231 §5 language suffix removed), language, and encoding
/// letter uppercased, as the explanation shows them.
fn word_labels(raw: &[u8], w: &RawWord) -> (String, Option<String>, String) {
    let cs_field = lossy(w.charset.slice(raw));
    let (label, language) = match cs_field.split_once('*') {
        Some((l, lang)) => (l.to_string(), Some(lang.to_string())),
        None => (cs_field.clone(), None),
    };
    let enc = lossy(w.encoding.slice(raw)).to_ascii_uppercase();
    (label, language, enc)
}

/// Plans one word: its octets are appended to `octets`, unless it cannot be decoded (unknown
/// encoding or charset, reported in `lints`).
fn plan_word(
    raw: &[u8],
    w: &RawWord,
    context: Context,
    lints: &mut Vec<Lint>,
    octets: &mut Vec<u8>,
) -> Option<Plan> {
    // Borrowed: labels are ASCII in all but hostile input.
    let cs_field = String::from_utf8_lossy(w.charset.slice(raw));
    let label = cs_field.split_once('*').map_or(&*cs_field, |(l, _)| l);
    let enc_field = w.encoding.slice(raw);
    let text = w.text.slice(raw);
    let b_encoded = match enc_field {
        b"B" | b"b" => true,
        b"Q" | b"q" => false,
        _ => {
            let enc = lossy(enc_field).to_ascii_uppercase();
            add(
                lints,
                lints::ENCODED_WORD_INVALID.at(
                    w.span,
                    msg!("unknown encoding {enc} (RFC 2047 §4 defines B and Q); word left as written", enc = format_args!("{enc:?}")),
                ),
            );
            return None;
        }
    };
    let (charset, ascii) = match charset::resolve_with_ascii(label) {
        Ok(x) => x,
        Err(e) => {
            add(
                lints,
                lints::CHARSET_UNKNOWN.at(
                    w.span,
                    msg!("{e}; encoded-word left as written").text("e", e.message()),
                ),
            );
            return None;
        }
    };
    let start = octets.len();
    let problem = if b_encoded {
        decode_b(text, octets)
    } else {
        decode_q(text, octets)
    };
    if let Some(p) = problem {
        add(lints, lints::ENCODED_WORD_INVALID.at(w.span, p));
    }
    if w.span.len() > MAX_WORD_LEN {
        add(
            lints,
            lints::ENCODED_WORD_INVALID.at(
                w.span,
                msg!(
                    "encoded-word is {n} characters long; RFC 2047 §2 allows {MAX_WORD_LEN}",
                    n = w.span.len(),
                    MAX_WORD_LEN
                ),
            ),
        );
    }
    if context == Context::QuotedString {
        add(
            lints,
            lints::ENCODED_WORD_INVALID.at(
                w.span,
                msg!("encoded-word inside a quoted-string (RFC 2047 §5(3) forbids it); decoded anyway"),
            ),
        );
    }
    Some(Plan {
        charset,
        ascii,
        bytes: start..octets.len(),
    })
}

/// Adjacent decodable words in one charset, decoded as one byte stream.
struct Group {
    decoder: StreamDecoder,
    span: Span,
}

impl Group {
    fn new(charset: Charset, ascii: bool, span: Span) -> Self {
        Group {
            decoder: StreamDecoder::new(charset, ascii),
            span,
        }
    }

    /// Decodes one more word, given its charset and octets; `flags` are (joined to the
    /// previous word, last of the group, build the explanation).
    fn feed(
        &mut self,
        raw: &[u8],
        w: &RawWord,
        (charset, bytes): (Charset, &[u8]),
        (joined, last, explain): (bool, bool, bool),
        out: &mut DecodedText,
    ) {
        self.span.end = w.span.end;
        let before = out.text.len();
        self.decoder.feed(bytes, last, &mut out.text);
        if !explain {
            return;
        }
        let text = if self.decoder.is_streaming() {
            out.text.get(before..).unwrap_or_default().to_owned()
        } else {
            charset::decode_charset(charset, bytes).text
        };
        let (charset, language, encoding) = word_labels(raw, w);
        out.explain(WordExplanation {
            span: w.span,
            charset,
            language,
            encoding,
            encoded_text: lossy(w.text.slice(raw)),
            raw_bytes: bytes.to_vec(),
            text,
            decoded: true,
            joined,
        });
    }

    fn finish(self, out: &mut DecodedText) {
        let name = self.decoder.charset_name();
        let (bad, ascii_8bit) = self.decoder.finish(&mut out.text);
        if bad {
            add(
                &mut out.lints,
                lints::CHARSET_MISMATCH.at(
                    self.span,
                    msg!(
                        "encoded-word octets are not valid {name}; replaced by U+FFFD",
                        name
                    ),
                ),
            );
        }
        if ascii_8bit {
            add(&mut out.lints, lints::CHARSET_MISMATCH.at(
                self.span,
                msg!("encoded-word declares US-ASCII but holds 8-bit octets (decoded as windows-1252)"),
            ));
        }
    }
}

fn undecoded(raw: &[u8], w: &RawWord) -> WordExplanation {
    let (charset, language, encoding) = word_labels(raw, w);
    WordExplanation {
        span: w.span,
        charset,
        language,
        encoding,
        encoded_text: lossy(w.text.slice(raw)),
        raw_bytes: Vec::new(),
        text: lossy(w.span.slice(raw)),
        decoded: false,
        joined: false,
    }
}

/// Whether `raw` contains `=?`, the only way an encoded-word can start.
pub(crate) fn has_word_start(raw: &[u8]) -> bool {
    let mut rest = raw;
    while let Some(at) = memchr::memchr(b'=', rest) {
        if rest.get(at + 1) == Some(&b'?') {
            return true;
        }
        rest = rest.get(at + 1..).unwrap_or_default();
    }
    false
}

/// Appends text outside encoded-words: folding line breaks (CR, LF) removed, 8-bit bytes read
/// as UTF-8 (lossy, line by line).
pub(crate) fn push_plain(out: &mut String, bytes: &[u8]) {
    let mut rest = bytes;
    loop {
        let brk = memchr::memchr2(b'\r', b'\n', rest);
        let line = rest.get(..brk.unwrap_or(rest.len())).unwrap_or_default();
        match charset::utf8(line) {
            Some(s) => out.push_str(s),
            None => out.push_str(&String::from_utf8_lossy(line)),
        }
        match brk {
            Some(at) => rest = rest.get(at + 1..).unwrap_or_default(),
            None => break,
        }
    }
}

/// Decodable words (`flags[0]`) that touch other text.
fn unseparated_lints(raw: &[u8], slots: &[Slot], lints: &mut Vec<Lint>) {
    let ws = |b: Option<&u8>| matches!(b, Some(b' ' | b'\t' | b'\r' | b'\n'));
    for (k, slot) in slots.iter().enumerate() {
        let Item::Word(w) = &slot.item else { continue };
        if !slot.flags[0] {
            continue;
        }
        let left = match k.checked_sub(1).and_then(|p| slots.get(p)).map(|s| &s.item) {
            Some(Item::Text(s)) => !ws(s.slice(raw).last()),
            Some(Item::Word(_)) => true,
            None => false,
        };
        let right = match slots.get(k + 1).map(|s| &s.item) {
            Some(Item::Text(s)) => !ws(s.slice(raw).first()),
            _ => false,
        };
        if left || right {
            add(lints, lints::ENCODED_WORD_UNSEPARATED.at(
                w.span,
                msg!("encoded-word touches other text without whitespace (RFC 2047 §5); decoded anyway"),
            ));
        }
    }
}

/// RFC 2047 §4.1: base64 without line breaks, decoded by [`codec::base64::decode`] onto
/// `out`: invalid characters are skipped, data after padding is read on, and missing padding is
/// tolerated; each is reported.
pub(super) fn decode_b(text: &[u8], out: &mut Vec<u8>) -> Option<Message> {
    let d = codec::base64::decode_onto(text, std::mem::take(out));
    *out = d.bytes;
    if d.defects.is_empty() {
        None
    } else {
        b_problem(text)
    }
}

/// Explains what is wrong with B-encoded text: the first invalid character, else data after
/// `=`, else a lone final character, else a length that is not a multiple of 4. Called only
/// when the decoder recorded a defect.
fn b_problem(text: &[u8]) -> Option<Message> {
    let is_sym = |b: u8| b.is_ascii_alphanumeric() || b == b'+' || b == b'/';
    if let Some(&b) = text.iter().find(|&&b| !is_sym(b) && b != b'=') {
        return Some(msg!(
            "invalid base64 character {c} skipped",
            c = format_args!("{:?}", char::from(b))
        ));
    }
    let first_pad = text.iter().position(|&b| b == b'=').unwrap_or(text.len());
    if text
        .get(first_pad..)
        .unwrap_or_default()
        .iter()
        .any(|&b| is_sym(b))
    {
        return Some(msg!("base64 data after '=' padding"));
    }
    if first_pad % 4 == 1 {
        return Some(msg!(
            "base64 text ends with a lone character (6 bits dropped)"
        ));
    }
    let total = text.len();
    (!total.is_multiple_of(4)).then(|| {
        msg!(
            "base64 text is {total} characters, not a multiple of 4 (missing '=' padding)",
            total
        )
    })
}

/// RFC 2047 §4.2: `_` is a space, `=XX` an octet, appended to `out`; a bad `=` escape is
/// kept as written and reported, as are 8-bit or control octets.
fn decode_q(text: &[u8], out: &mut Vec<u8>) -> Option<Message> {
    out.reserve(text.len());
    let mut problem = None;
    let mut i = 0;
    while let Some(&b) = text.get(i) {
        i += 1;
        match b {
            b'_' => out.push(b' '),
            b'=' => match codec::hex::pair_at(text, i) {
                Some(octet) => {
                    out.push(octet);
                    i += 2;
                }
                None => {
                    problem.get_or_insert_with(|| {
                        msg!("'=' not followed by two hex digits; kept as written")
                    });
                    out.push(b'=');
                }
            },
            0x21..=0x7E => out.push(b),
            _ => {
                problem.get_or_insert_with(|| {
                    msg!(
                        "octet {octet} is not allowed in Q-encoded text; kept",
                        octet = format_args!("0x{b:02X}")
                    )
                });
                out.push(b);
            }
        }
    }
    problem
}
