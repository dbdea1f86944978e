//! RFC 2047 encoded-words.
//!
//! ```text
//! encoded-word = "=?" charset ["*" language] "?" encoding "?" encoded-text "?="   ; RFC 2047 §2, RFC 2231 §5
//! ```
//!
//! [`decode_unstructured`] decodes the value of an unstructured field such as Subject and
//! explains every word step by step ([`WordExplanation`]: charset, encoding, the octets the
//! encoded text stands for, the text they decode to). It follows the standard and the practice
//! of mail clients:
//!
//! - B (base64) and Q encodings in every charset [`super::charset`] knows, with the RFC 2231
//!   language suffix (`=?UTF-8*ko?B?…?=`) split off.
//! - Whitespace (including folding) between two adjacent encoded-words is dropped (§6.2).
//! - Adjacent words in the same charset are decoded as one byte stream, so a multi-byte
//!   character split across two words (forbidden by §5, common in practice) comes out whole.
//! - Malformed words are reported (`mime.encoded-word-invalid`, `mime.charset-unknown`) and kept:
//!   a word that cannot be decoded at all stays in the text as written; a word with bad base64
//!   or Q characters is decoded as far as it can be. Text that starts like a B or Q word but is
//!   not one (white space in the encoded text, no closing `?=`) is reported too.
//! - Words that touch other text without whitespace are decoded, with an info lint
//!   (`mime.encoded-word-unseparated`), as Thunderbird, Gmail and Outlook do.
//! - Outside encoded-words, line breaks of folding are removed (RFC 5322 §2.2.3) and raw 8-bit
//!   bytes are read as UTF-8 (RFC 6532); reporting them is the header parser's job
//!   (`mime.8bit-header`).
//!
//! Decoding is total and linear: every scan for a word stops at the next `?` or whitespace.
//!
//! [`encode`] and [`encode_words`] do the reverse for `mailscope header encode` and the builder:
//! words of at most [`MAX_WORD_LEN`] characters that never split a character.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::codec;
use crate::lint::Lint;
use crate::mime::charset::{self, Charset, CharsetError, EncodeFailure, StreamDecoder};
use crate::mime::header;
use crate::mime::lints;
use crate::span::Span;

/// Longest encoded-word RFC 2047 §2 allows, `=?` and `?=` included. Longer words are decoded
/// and reported.
pub const MAX_WORD_LEN: usize = 75;
/// Longest `charset*language` part scanned when looking for a word; beyond it the text is not
/// an encoded-word.
pub const MAX_CHARSET_FIELD: usize = 96;
/// Longest encoding field scanned (a valid one is one letter).
pub const MAX_ENCODING_FIELD: usize = 8;
/// Most words explained per decoded text; further words are decoded into the text but not
/// explained ([`DecodedText::words_truncated`]).
pub const MAX_WORDS: usize = 1024;
/// Most findings kept per decoded text, so that a field of many tiny broken words cannot grow
/// the findings beyond a bound.
pub const MAX_LINTS: usize = 64;

/// Adds a finding unless [`MAX_LINTS`] are already there.
fn add(lints: &mut Vec<Lint>, lint: Lint) {
    if lints.len() < MAX_LINTS {
        lints.push(lint);
    }
}

/// The two encodings of RFC 2047 §4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Encoding {
    /// §4.1: base64.
    B,
    /// §4.2: a quoted-printable variant where `_` is a space.
    Q,
}

/// Where a piece of text was found; it decides which extra findings apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Context {
    /// An unstructured field body such as Subject (RFC 5322 §3.2.5).
    Unstructured,
    /// The words of a phrase, e.g. a display name (RFC 2047 §5(3)).
    Phrase,
    /// The content of a quoted-string, where RFC 2047 §5(3) forbids encoded-words: they are
    /// decoded and reported.
    QuotedString,
    /// A MIME parameter value (RFC 2047 §5 forbids words there; the caller reports that).
    Parameter,
}

/// One encoded-word and how it was decoded: the step-by-step explanation the UI shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WordExplanation {
    /// The whole word, `=?` to `?=`, in the input.
    pub span: Span,
    /// The charset as written (language suffix removed).
    pub charset: String,
    /// The RFC 2231 §5 language suffix, if any (`ko` in `=?UTF-8*ko?B?…?=`).
    pub language: Option<String>,
    /// The encoding letter as written, uppercased (`B`, `Q`, or something invalid).
    pub encoding: String,
    /// The encoded text between the third `?` and the final `?=`.
    pub encoded_text: String,
    /// The octets the encoded text stands for (empty when the encoding is unknown).
    pub raw_bytes: Vec<u8>,
    /// The text this word contributed. When adjacent words share a charset, a character split
    /// between them belongs to the word that completes it.
    pub text: String,
    /// Whether the word was decoded; `false` leaves it in the text as written.
    pub decoded: bool,
    /// Whether the whitespace before this word was dropped because it separated two
    /// encoded-words (§6.2).
    pub joined: bool,
}

/// Decoded text with its explanation and findings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DecodedText {
    /// The decoded text, unfolded.
    pub text: String,
    /// Every encoded-word found, in order.
    pub words: Vec<WordExplanation>,
    /// Findings; spans are relative to the input.
    pub lints: Vec<Lint>,
    /// Whether more than [`MAX_WORDS`] words were found, so that `words` is incomplete.
    #[serde(default)]
    pub words_truncated: bool,
}

impl DecodedText {
    fn explain(&mut self, w: WordExplanation) {
        if self.words.len() < MAX_WORDS {
            self.words.push(w);
        } else {
            self.words_truncated = true;
        }
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
    let mut out = DecodedText::default();
    let items = scan(raw, &mut out.lints);
    let mut plans: Vec<Option<Plan>> = Vec::with_capacity(items.len());
    for item in &items {
        plans.push(match item {
            Item::Word(w) => plan_word(raw, w, context, &mut out.lints),
            Item::Text(_) => None,
        });
    }
    // Per item: [decodable, dropped whitespace, continues the charset group, joined], filled in
    // three passes as each depends on the one before (one allocation instead of four).
    let mut flags: Vec<[bool; 4]> = plans.iter().map(|p| [p.is_some(); 4]).collect();
    let decodable = |flags: &[[bool; 4]], k: usize| flags.get(k).is_some_and(|f| f[0]);
    let is_ws = |s: Span| {
        s.slice(raw)
            .iter()
            .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
    };
    // §6.2: whitespace only between two decodable words is dropped.
    for (k, item) in items.iter().enumerate() {
        let drop = match item {
            Item::Text(s) => {
                is_ws(*s) && k > 0 && decodable(&flags, k - 1) && decodable(&flags, k + 1)
            }
            Item::Word(_) => false,
        };
        if let Some(f) = flags.get_mut(k) {
            f[1] = drop;
        }
    }
    let is_dropped = |flags: &[[bool; 4]], k: usize| flags.get(k).is_some_and(|f| f[1]);
    // The decodable word before each decodable word, when only dropped whitespace separates them.
    let prev_word = |flags: &[[bool; 4]], k: usize| -> Option<usize> {
        if k >= 1 && decodable(flags, k - 1) {
            Some(k - 1)
        } else if k >= 2 && is_dropped(flags, k - 1) {
            Some(k - 2)
        } else {
            None
        }
    };
    let key = |k: usize| {
        plans
            .get(k)
            .and_then(Option::as_ref)
            .map(|p| (p.charset, p.ascii))
    };
    // Whether each decodable word continues the charset group of the word before it, and
    // whether it is joined to a word before it.
    for k in 0..items.len() {
        // ISO-2022-JP words each end in ASCII (RFC 1468); joined, the escape back to JIS
        // right after the escape to ASCII is an error under WHATWG rules, so they stay apart.
        let prev = prev_word(&flags, k);
        let cont = decodable(&flags, k)
            && prev.is_some_and(|p| key(p) == key(k))
            && key(k).map(|(c, _)| c) != Some(Charset::Whatwg(encoding_rs::ISO_2022_JP));
        if let Some(f) = flags.get_mut(k) {
            f[2] = cont;
            f[3] = prev.is_some();
        }
    }
    let cont = |k: usize| flags.get(k).is_some_and(|f| f[2]);

    let mut group: Option<Group> = None;
    for (k, item) in items.iter().enumerate() {
        match item {
            Item::Text(s) => {
                if !is_dropped(&flags, k) {
                    push_plain(&mut out.text, s.slice(raw));
                }
            }
            Item::Word(w) => {
                let Some(plan) = plans.get_mut(k).and_then(Option::take) else {
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
                let last = !(cont(k + 1) || (is_dropped(&flags, k + 1) && cont(k + 2)));
                let joined = flags.get(k).is_some_and(|f| f[3]);
                group
                    .get_or_insert_with(|| Group::new(plan.charset, plan.ascii, w.span))
                    .feed(raw, w, plan, (joined, last, explain), &mut out);
            }
        }
    }
    if let Some(g) = group.take() {
        g.finish(&mut out);
    }
    unseparated_lints(raw, &items, &flags, &mut out.lints);
    out
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
fn scan(raw: &[u8], lints: &mut Vec<Lint>) -> Vec<Item> {
    let mut items = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    while i < raw.len() {
        if raw.get(i) == Some(&b'=') && raw.get(i + 1) == Some(&b'?') {
            if let Some(w) = word_at(raw, i) {
                if text_start < i {
                    items.push(Item::Text(Span::new(text_start, i)));
                }
                i = w.span.end;
                text_start = i;
                items.push(Item::Word(w));
                continue;
            }
            if let Some((span, why)) = near_miss(raw, i) {
                add(
                    lints,
                    lints::ENCODED_WORD_INVALID.at(span, format!("{why}; left as written")),
                );
            }
        }
        i += 1;
    }
    if text_start < raw.len() {
        items.push(Item::Text(Span::new(text_start, raw.len())));
    }
    items
}

/// Longest stretch after `=?charset?B?` searched for the closing `?=` of a word that is not
/// one (bounds the work per `=?`, so scanning stays linear).
const NEAR_MISS_WINDOW: usize = 2 * MAX_WORD_LEN;

/// Why the text at `start`, which begins like an encoded-word with a B or Q encoding, is not
/// one: white space inside the encoded text, or no closing `?=`. The span covers the text up
/// to the `?=` (or the end of the non-space run when there is none).
fn near_miss(raw: &[u8], start: usize) -> Option<(Span, String)> {
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
                format!(
                    "looks like an encoded-word ({label}, {enc}) but its encoded text contains white space, which RFC 2047 §2 forbids inside an encoded-word, so it is not one"
                ),
            ))
        }
        _ => Some((
            Span::new(start, after_enc + space.unwrap_or(window.len())),
            format!(
                "looks like an encoded-word ({label}, {enc}) but has no closing \"?=\" (RFC 2047 §2), so it is not one"
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

/// A word that can be decoded: its charset and the octets of its encoded text.
struct Plan {
    charset: Charset,
    ascii: bool,
    bytes: Vec<u8>,
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

fn plan_word(raw: &[u8], w: &RawWord, context: Context, lints: &mut Vec<Lint>) -> Option<Plan> {
    // Borrowed: labels are ASCII in all but hostile input.
    let cs_field = String::from_utf8_lossy(w.charset.slice(raw));
    let label = cs_field.split_once('*').map_or(&*cs_field, |(l, _)| l);
    let enc_field = w.encoding.slice(raw);
    let text = w.text.slice(raw);
    let (bytes, problem) = match enc_field {
        b"B" | b"b" => decode_b(text),
        b"Q" | b"q" => decode_q(text),
        _ => {
            let enc = lossy(enc_field).to_ascii_uppercase();
            add(
                lints,
                lints::ENCODED_WORD_INVALID.at(
                    w.span,
                    format!(
                    "unknown encoding {enc:?} (RFC 2047 §4 defines B and Q); word left as written"
                ),
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
                lints::CHARSET_UNKNOWN.at(w.span, format!("{e}; encoded-word left as written")),
            );
            return None;
        }
    };
    if let Some(p) = problem {
        add(lints, lints::ENCODED_WORD_INVALID.at(w.span, p));
    }
    if w.span.len() > MAX_WORD_LEN {
        add(
            lints,
            lints::ENCODED_WORD_INVALID.at(
                w.span,
                format!(
                    "encoded-word is {} characters long; RFC 2047 §2 allows {MAX_WORD_LEN}",
                    w.span.len()
                ),
            ),
        );
    }
    if context == Context::QuotedString {
        add(
            lints,
            lints::ENCODED_WORD_INVALID.at(
                w.span,
                "encoded-word inside a quoted-string (RFC 2047 §5(3) forbids it); decoded anyway",
            ),
        );
    }
    Some(Plan {
        charset,
        ascii,
        bytes,
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

    /// Decodes one more word; `flags` are (joined to the previous word, last of the group,
    /// build the explanation).
    fn feed(
        &mut self,
        raw: &[u8],
        w: &RawWord,
        plan: Plan,
        (joined, last, explain): (bool, bool, bool),
        out: &mut DecodedText,
    ) {
        self.span.end = w.span.end;
        if !explain {
            let t = self.decoder.feed(&plan.bytes, last);
            if self.decoder.is_streaming() {
                out.text.push_str(&t);
            }
            return;
        }
        let text = if self.decoder.is_streaming() {
            let t = self.decoder.feed(&plan.bytes, last);
            out.text.push_str(&t);
            t
        } else {
            self.decoder.feed(&plan.bytes, last);
            charset::decode_charset(plan.charset, &plan.bytes).text
        };
        let (charset, language, encoding) = word_labels(raw, w);
        out.explain(WordExplanation {
            span: w.span,
            charset,
            language,
            encoding,
            encoded_text: lossy(w.text.slice(raw)),
            raw_bytes: plan.bytes,
            text,
            decoded: true,
            joined,
        });
    }

    fn finish(self, out: &mut DecodedText) {
        let name = self.decoder.charset_name();
        let (rest, bad, ascii_8bit) = self.decoder.finish();
        out.text.push_str(&rest);
        if bad {
            add(
                &mut out.lints,
                lints::CHARSET_MISMATCH.at(
                    self.span,
                    format!("encoded-word octets are not valid {name}; replaced by U+FFFD"),
                ),
            );
        }
        if ascii_8bit {
            add(&mut out.lints, lints::CHARSET_MISMATCH.at(
                self.span,
                "encoded-word declares US-ASCII but holds 8-bit octets (decoded as windows-1252)",
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
    while let Some(at) = header::find_byte(b'=', rest) {
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
    for line in bytes.split(|&b| b == b'\r' || b == b'\n') {
        match std::str::from_utf8(line) {
            Ok(s) => out.push_str(s),
            Err(_) => out.push_str(&String::from_utf8_lossy(line)),
        }
    }
}

/// `flags[k][0]` says whether item `k` is a decodable word.
fn unseparated_lints(raw: &[u8], items: &[Item], flags: &[[bool; 4]], lints: &mut Vec<Lint>) {
    let ws = |b: Option<&u8>| matches!(b, Some(b' ' | b'\t' | b'\r' | b'\n'));
    for (k, item) in items.iter().enumerate() {
        let Item::Word(w) = item else { continue };
        if !flags.get(k).is_some_and(|f| f[0]) {
            continue;
        }
        let left = match k.checked_sub(1).and_then(|p| items.get(p)) {
            Some(Item::Text(s)) => !ws(s.slice(raw).last()),
            Some(Item::Word(_)) => true,
            None => false,
        };
        let right = match items.get(k + 1) {
            Some(Item::Text(s)) => !ws(s.slice(raw).first()),
            _ => false,
        };
        if left || right {
            add(lints, lints::ENCODED_WORD_UNSEPARATED.at(
                w.span,
                "encoded-word touches other text without whitespace (RFC 2047 §5); decoded anyway",
            ));
        }
    }
}

/// RFC 2047 §4.1: base64 without line breaks, decoded by [`codec::base64::decode`]: invalid
/// characters are skipped, data after padding is read on, and missing padding is tolerated;
/// each is reported.
fn decode_b(text: &[u8]) -> (Vec<u8>, Option<String>) {
    let d = codec::base64::decode(text);
    let problem = if d.defects.is_empty() {
        None
    } else {
        b_problem(text)
    };
    (d.bytes, problem)
}

/// Explains what is wrong with B-encoded text: the first invalid character, else data after
/// `=`, else a lone final character, else a length that is not a multiple of 4. Called only
/// when the decoder recorded a defect.
fn b_problem(text: &[u8]) -> Option<String> {
    let is_sym = |b: u8| b.is_ascii_alphanumeric() || b == b'+' || b == b'/';
    if let Some(&b) = text.iter().find(|&&b| !is_sym(b) && b != b'=') {
        return Some(format!(
            "invalid base64 character {:?} skipped",
            char::from(b)
        ));
    }
    let first_pad = text.iter().position(|&b| b == b'=').unwrap_or(text.len());
    if text
        .get(first_pad..)
        .unwrap_or_default()
        .iter()
        .any(|&b| is_sym(b))
    {
        return Some("base64 data after '=' padding".to_string());
    }
    if first_pad % 4 == 1 {
        return Some("base64 text ends with a lone character (6 bits dropped)".to_string());
    }
    let total = text.len();
    (!total.is_multiple_of(4)).then(|| {
        format!("base64 text is {total} characters, not a multiple of 4 (missing '=' padding)")
    })
}

/// RFC 2047 §4.2: `_` is a space, `=XX` an octet; a bad `=` escape is kept as written and
/// reported, as are 8-bit or control octets.
fn decode_q(text: &[u8]) -> (Vec<u8>, Option<String>) {
    let mut out = Vec::with_capacity(text.len());
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
                        "'=' not followed by two hex digits; kept as written".to_string()
                    });
                    out.push(b'=');
                }
            },
            0x21..=0x7E => out.push(b),
            _ => {
                problem.get_or_insert_with(|| {
                    format!("octet 0x{b:02X} is not allowed in Q-encoded text; kept")
                });
                out.push(b);
            }
        }
    }
    (out, problem)
}

/// Why text could not be encoded as encoded-words.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncodeError {
    /// The charset label is unknown or unsupported.
    Charset(CharsetError),
    /// The charset is known but has no encoder (UTF-16, UTF-7, UTF-32, ISO-2022-KR, HZ).
    NoEncoder {
        /// The canonical charset name.
        charset: &'static str,
    },
    /// A character has no representation in the charset.
    Unmappable {
        /// The character.
        ch: char,
        /// The canonical charset name.
        charset: &'static str,
    },
    /// The charset has an encoder, but not in this build: the web page is built with the
    /// `browser-charsets` feature, which decodes legacy charsets through the browser's
    /// `TextDecoder` and leaves out encoding_rs's tables (the web platform has no encoder for
    /// them). The page's parse worker and the native builds have them; UTF-8 and US-ASCII
    /// always encode.
    Unavailable {
        /// The canonical charset name.
        charset: &'static str,
    },
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::Charset(e) => e.fmt(f),
            EncodeError::NoEncoder { charset } => {
                write!(f, "cannot encode into {charset}: no encoder")
            }
            EncodeError::Unmappable { ch, charset } => {
                write!(
                    f,
                    "{ch:?} (U+{:04X}) cannot be written in {charset}",
                    u32::from(*ch)
                )
            }
            EncodeError::Unavailable { charset } => write!(
                f,
                "cannot encode into {charset} here: this build of the page leaves out the \
                 encoding tables (the browser decodes legacy charsets itself but cannot encode \
                 them); the parse worker has them"
            ),
        }
    }
}

impl std::error::Error for EncodeError {}

/// Q-encoding of one octet inside a word: characters safe in every context (RFC 2047 §5(3))
/// stay, space becomes `_`, the rest `=XX`.
fn q_len(b: u8) -> usize {
    if b.is_ascii_alphanumeric() || matches!(b, b'!' | b'*' | b'+' | b'-' | b'/' | b' ') {
        1
    } else {
        3
    }
}

fn payload_len(bytes: &[u8], enc: Encoding) -> usize {
    match enc {
        Encoding::B => bytes.len().div_ceil(3) * 4,
        Encoding::Q => bytes.iter().map(|&b| q_len(b)).sum(),
    }
}

fn write_payload(out: &mut String, bytes: &[u8], enc: Encoding) {
    match enc {
        Encoding::B => out.push_str(&codec::base64::encode(bytes)),
        Encoding::Q => {
            for &b in bytes {
                if b == b' ' {
                    out.push('_');
                } else if q_len(b) == 1 {
                    out.push(char::from(b));
                } else {
                    let [hi, lo] = codec::hex::upper_pair(b);
                    out.push('=');
                    out.push(char::from(hi));
                    out.push(char::from(lo));
                }
            }
        }
    }
}

/// Encodes `s` in `enc`, failing on the first unmappable character.
fn encode_str(
    e: &'static encoding_rs::Encoding,
    s: &str,
    name: &'static str,
) -> Result<Vec<u8>, EncodeError> {
    charset::backend::encode(e, s).map_err(|f| match f {
        EncodeFailure::Unmappable(ch) => EncodeError::Unmappable { ch, charset: name },
        EncodeFailure::NoEncoder => EncodeError::NoEncoder { charset: name },
        EncodeFailure::Unavailable => EncodeError::Unavailable { charset: name },
    })
}

/// Encodes `text` as RFC 2047 encoded-words in `charset` with `encoding`, each at most
/// [`MAX_WORD_LEN`] characters, never splitting a character between words (§5). Stateful
/// charsets (ISO-2022-JP) return to ASCII at the end of each word. An empty text gives no words.
pub fn encode_words(
    text: &str,
    charset_label: &str,
    encoding: Encoding,
) -> Result<Vec<String>, EncodeError> {
    encode_words_max(text, charset_label, encoding, MAX_WORD_LEN)
}

/// [`encode_words`] with words of at most `max_len` characters (at least room for one
/// character is always kept), for callers that place words after other text on a line.
pub fn encode_words_max(
    text: &str,
    charset_label: &str,
    encoding: Encoding,
    max_len: usize,
) -> Result<Vec<String>, EncodeError> {
    let ascii_label = ["us-ascii", "ascii"]
        .iter()
        .any(|a| a.eq_ignore_ascii_case(charset_label.trim()));
    let (e, name): (&'static encoding_rs::Encoding, &'static str) = if ascii_label {
        if let Some(ch) = text.chars().find(|c| !c.is_ascii()) {
            return Err(EncodeError::Unmappable {
                ch,
                charset: "US-ASCII",
            });
        }
        (encoding_rs::UTF_8, "US-ASCII")
    } else {
        match charset::resolve(charset_label).map_err(EncodeError::Charset)? {
            Charset::Whatwg(e) if e.output_encoding() == e => (e, e.name()),
            other => {
                return Err(EncodeError::NoEncoder {
                    charset: other.name(),
                })
            }
        }
    };
    let overhead = name.len() + 7; // "=?" name "?X?" … "?="
    let budget = max_len.min(MAX_WORD_LEN).saturating_sub(overhead).max(8);
    let stateful = e == encoding_rs::ISO_2022_JP;
    let mut words = Vec::new();
    let mut start = 0;
    let mut current: Vec<u8> = Vec::new();
    let emit = |bytes: &[u8], words: &mut Vec<String>| {
        let mut w = String::with_capacity(MAX_WORD_LEN);
        w.push_str("=?");
        w.push_str(name);
        w.push_str(match encoding {
            Encoding::B => "?B?",
            Encoding::Q => "?Q?",
        });
        write_payload(&mut w, bytes, encoding);
        w.push_str("?=");
        words.push(w);
    };
    for (idx, ch) in text.char_indices() {
        let end = idx + ch.len_utf8();
        let candidate = if stateful {
            encode_str(e, text.get(start..end).unwrap_or_default(), name)?
        } else {
            let mut c = current.clone();
            let mut buf = [0u8; 4];
            c.extend_from_slice(&encode_str(e, ch.encode_utf8(&mut buf), name)?);
            c
        };
        if payload_len(&candidate, encoding) > budget && start < idx {
            emit(&current, &mut words);
            start = idx;
            current = encode_str(e, text.get(idx..end).unwrap_or_default(), name)?;
        } else {
            current = candidate;
        }
    }
    if start < text.len() {
        emit(&current, &mut words);
    }
    Ok(words)
}

/// Encodes `text` as encoded-words joined by single spaces (which decoders drop, §6.2): the
/// output of `mailscope header encode`.
pub fn encode(text: &str, charset_label: &str, encoding: Encoding) -> Result<String, EncodeError> {
    Ok(encode_words(text, charset_label, encoding)?.join(" "))
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn codes(d: &DecodedText) -> Vec<&str> {
        d.lints.iter().map(|l| l.code.as_ref()).collect()
    }

    #[test]
    fn decodes_table() {
        let cases: &[(&str, &str, &[&str])] = &[
            ("=?EUC-KR?B?vsiz58fPvLy/5C4=?=", "안녕하세요.", &[]),
            ("=?ks_c_5601-1987?B?vsiz58fPvLy/5C4=?=", "안녕하세요.", &[]),
            ("=?UTF-8?Q?caf=C3=A9_au_lait?=", "café au lait", &[]),
            ("=?utf-8?q?caf=c3=a9?=", "café", &[]),
            ("=?UTF-8*ko?B?7JWI64WV?=", "안녕", &[]),
            ("=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=", "日本語", &[]),
            ("=?Shift_JIS?B?k/qWe4zq?=", "日本語", &[]),
            (
                "=?iso-8859-1?q?this=20is=20some=20text?=",
                "this is some text",
                &[],
            ),
            ("plain text", "plain text", &[]),
            ("a =?US-ASCII?Q?b?= c", "a b c", &[]),
            // §8 examples of RFC 2047.
            (
                "(=?ISO-8859-1?Q?a?=)",
                "(a)",
                &["mime.encoded-word-unseparated"],
            ),
            ("=?ISO-8859-1?Q?a?= b", "a b", &[]),
            ("=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=", "ab", &[]),
            ("=?ISO-8859-1?Q?a?=  \r\n   =?ISO-8859-1?Q?b?=", "ab", &[]),
            ("=?ISO-8859-1?Q?a_b?=", "a b", &[]),
            ("=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=", "a b", &[]),
            // Folding outside words is unfolded.
            ("Hello\r\n world", "Hello world", &[]),
            // A multi-byte character split across two words.
            ("=?UTF-8?B?7JU=?= =?UTF-8?B?iA==?=", "안", &[]),
            ("=?UTF-8?Q?=EC=95?= =?UTF-8?Q?=88?=", "안", &[]),
            // Malformed words are reported, not dropped.
            (
                "=?UTF-8?X?abc?=",
                "=?UTF-8?X?abc?=",
                &["mime.encoded-word-invalid"],
            ),
            (
                "=?x-nope?Q?abc?=",
                "=?x-nope?Q?abc?=",
                &["mime.charset-unknown"],
            ),
            (
                "=?UTF-8?B?aGVsbG8?=",
                "hello",
                &["mime.encoded-word-invalid"],
            ),
            (
                "=?UTF-8?B?aGV*sbG8=?=",
                "hello",
                &["mime.encoded-word-invalid"],
            ),
            // Data after padding starts a new quantum, as in transfer decoding (codec::base64).
            ("=?UTF-8?B?QQ==QQ==?=", "AA", &["mime.encoded-word-invalid"]),
            ("=?UTF-8?Q?a=ZZb?=", "a=ZZb", &["mime.encoded-word-invalid"]),
            ("=?UTF-8?B?/w==?=", "\u{FFFD}", &["mime.charset-mismatch"]),
            ("=?us-ascii?Q?caf=E9?=", "café", &["mime.charset-mismatch"]),
            // Not words at all.
            (
                "=?UTF-8?Q?a b?=",
                "=?UTF-8?Q?a b?=",
                &["mime.encoded-word-invalid"],
            ),
            ("=?", "=?", &[]),
            ("=?=?=?", "=?=?=?", &[]),
            ("=??Q?a?=", "=??Q?a?=", &[]),
            // Unknown-charset word keeps surrounding whitespace.
            (
                "=?x-nope?Q?a?= =?UTF-8?Q?b?=",
                "=?x-nope?Q?a?= b",
                &["mime.charset-unknown"],
            ),
        ];
        for (raw, want, want_codes) in cases {
            let d = decode_unstructured(raw.as_bytes());
            assert_eq!(
                (d.text.as_str(), codes(&d)),
                (*want, want_codes.to_vec()),
                "input {raw:?}"
            );
        }
    }

    #[test]
    fn explains_each_word() {
        let raw = "Re: =?UTF-8?B?7JU=?=\r\n =?UTF-8?B?iOuFlQ==?= x";
        let d = decode_unstructured(raw.as_bytes());
        assert_eq!(d.text, "Re: 안녕 x");
        assert_eq!(d.words.len(), 2, "{:?}", d.words);
        let (a, b) = (&d.words[0], &d.words[1]);
        assert_eq!(
            (
                a.span,
                a.charset.as_str(),
                a.encoding.as_str(),
                a.raw_bytes.as_slice(),
                a.text.as_str(),
                a.joined
            ),
            (Span::new(4, 20), "UTF-8", "B", &[0xEC, 0x95][..], "", false)
        );
        assert_eq!(
            (
                b.span.slice(raw.as_bytes()),
                b.raw_bytes.as_slice(),
                b.text.as_str(),
                b.joined
            ),
            (
                &b"=?UTF-8?B?iOuFlQ==?="[..],
                &[0x88, 0xEB, 0x85, 0x95][..],
                "안녕",
                true
            )
        );
        let d = decode_unstructured(b"=?UTF-8*en-us?Q?hi?=");
        assert_eq!(
            (d.words[0].charset.as_str(), d.words[0].language.as_deref()),
            ("UTF-8", Some("en-us"))
        );
    }

    #[test]
    fn context_rules() {
        let d = decode_text(b"=?UTF-8?Q?J=C3=B6rg?=", Context::QuotedString);
        assert_eq!(
            (d.text.as_str(), codes(&d)),
            ("Jörg", vec!["mime.encoded-word-invalid"])
        );
        let long = format!("=?UTF-8?Q?{}?=", "a".repeat(80));
        let d = decode_unstructured(long.as_bytes());
        assert_eq!(
            (d.text.len(), codes(&d)),
            (80, vec!["mime.encoded-word-invalid"])
        );
    }

    #[test]
    fn encodes_and_round_trips() {
        let texts = [
            "안녕하세요. 반갑습니다, 오늘은 날씨가 좋네요! 한글 메일 제목 테스트입니다",
            "Grüße aus Köln — ein ziemlich langer Betreff, der umgebrochen werden muss",
            "日本語のメールの件名です。長い件名は複数のエンコードワードに分割されます。",
            "emoji 😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀",
            "a_b=c?d",
            "",
        ];
        let charsets = ["UTF-8", "EUC-KR", "ISO-2022-JP", "Shift_JIS", "iso-8859-1"];
        for text in texts {
            for cs in charsets {
                for enc in [Encoding::B, Encoding::Q] {
                    let words = match encode_words(text, cs, enc) {
                        Ok(w) => w,
                        Err(EncodeError::Unmappable { .. }) => continue,
                        // The page's build has no multi-byte legacy encoders (checked below).
                        Err(EncodeError::Unavailable { .. })
                            if BROWSER_CHARSETS && MULTI_BYTE.contains(&cs) =>
                        {
                            continue
                        }
                        Err(e) => panic!("{cs}: {e}"),
                    };
                    assert!(
                        !(BROWSER_CHARSETS && MULTI_BYTE.contains(&cs) && !text.is_empty()),
                        "{cs}: the browser-charsets build encoded {text:?} as {words:?}"
                    );
                    for w in &words {
                        assert!(
                            w.len() <= MAX_WORD_LEN,
                            "{cs} {enc:?}: word {w} is {} long",
                            w.len()
                        );
                    }
                    let joined = words.join("\r\n ");
                    let d = decode_unstructured(joined.as_bytes());
                    assert_eq!(d.text, text, "{cs} {enc:?}: {joined}");
                    assert!(d.lints.is_empty(), "{cs} {enc:?}: {:?}", d.lints);
                    // Never split a character: every word decodes on its own without errors.
                    for w in &words {
                        let alone = decode_unstructured(w.as_bytes());
                        assert!(
                            alone.lints.is_empty(),
                            "{cs} {enc:?}: word {w} alone: {:?}",
                            alone.lints
                        );
                    }
                }
            }
        }
        assert_eq!(
            encode("é", "utf-8", Encoding::Q),
            Ok("=?UTF-8?Q?=C3=A9?=".to_string())
        );
        assert_eq!(
            encode("hi", "us-ascii", Encoding::B),
            Ok("=?US-ASCII?B?aGk=?=".to_string())
        );
        assert!(matches!(
            encode("é", "us-ascii", Encoding::Q),
            Err(EncodeError::Unmappable { ch: 'é', .. })
        ));
        assert!(matches!(
            encode("x", "utf-16", Encoding::B),
            Err(EncodeError::NoEncoder { .. })
        ));
        assert!(matches!(
            encode("x", "nope", Encoding::B),
            Err(EncodeError::Charset(_))
        ));
        assert!(matches!(
            encode("한", "iso-8859-1", Encoding::B),
            Err(EncodeError::Unmappable { ch: '한', .. })
        ));
    }

    /// Whether this is the web page's build, where only UTF-8, US-ASCII and the single-byte
    /// charsets encode.
    const BROWSER_CHARSETS: bool = cfg!(all(feature = "browser-charsets", target_arch = "wasm32"));
    const MULTI_BYTE: [&str; 3] = ["EUC-KR", "ISO-2022-JP", "Shift_JIS"];

    #[test]
    fn legacy_encoders_in_each_build() {
        let cases: &[(&str, &str, Encoding, &str)] = &[
            ("한", "euc-kr", Encoding::B, "=?EUC-KR?B?x9E=?="),
            (
                "日本",
                "iso-2022-jp",
                Encoding::B,
                "=?ISO-2022-JP?B?GyRCRnxLXBsoQg==?=",
            ),
            (
                "日本",
                "shift_jis",
                Encoding::Q,
                "=?Shift_JIS?Q?=93=FA=96=7B?=",
            ),
            ("中文", "gb18030", Encoding::Q, "=?gb18030?Q?=D6=D0=CE=C4?="),
            ("中文", "big5", Encoding::Q, "=?Big5?Q?=A4=A4=A4=E5?="),
        ];
        for (text, label, enc, native) in cases {
            let got = encode(text, label, *enc);
            if BROWSER_CHARSETS {
                let name = charset::resolve(label)
                    .map(Charset::name)
                    .unwrap_or_default();
                assert_eq!(
                    got,
                    Err(EncodeError::Unavailable { charset: name }),
                    "{label}"
                );
            } else {
                assert_eq!(got.as_deref(), Ok(*native), "{label}");
            }
        }
        // Single-byte charsets, UTF-8 and US-ASCII encode in every build.
        let everywhere: &[(&str, &str, Encoding, Result<&str, char>)] = &[
            ("é", "iso-8859-1", Encoding::Q, Ok("=?windows-1252?Q?=E9?=")),
            (
                "€ ok",
                "windows-1252",
                Encoding::Q,
                Ok("=?windows-1252?Q?=80_ok?="),
            ),
            ("Жук", "koi8-r", Encoding::B, Ok("=?KOI8-R?B?9tXL?=")),
            ("ą", "iso-8859-2", Encoding::Q, Ok("=?ISO-8859-2?Q?=B1?=")),
            ("€", "iso-8859-15", Encoding::Q, Ok("=?ISO-8859-15?Q?=A4?=")),
            ("한", "iso-8859-2", Encoding::Q, Err('한')),
            ("\u{FFFD}", "windows-874", Encoding::Q, Err('\u{FFFD}')),
            ("é", "utf-8", Encoding::Q, Ok("=?UTF-8?Q?=C3=A9?=")),
            ("hi", "us-ascii", Encoding::Q, Ok("=?US-ASCII?Q?hi?=")),
        ];
        for (text, label, enc, want) in everywhere {
            let got = encode(text, label, *enc);
            match want {
                Ok(w) => assert_eq!(got.as_deref(), Ok(*w), "{label}"),
                Err(ch) => assert!(
                    matches!(got, Err(EncodeError::Unmappable { ch: c, .. }) if c == *ch),
                    "{label}: expected {ch:?} unmappable, got {got:?}"
                ),
            }
        }
    }

    #[test]
    fn unavailable_says_what_why_and_where() {
        let msg = EncodeError::Unavailable { charset: "EUC-KR" }.to_string();
        for part in ["EUC-KR", "leaves out the encoding tables", "parse worker"] {
            assert!(msg.contains(part), "message {msg:?} lacks {part:?}");
        }
    }

    /// Bug: text that starts like a word but is not one came back unchanged with no finding.
    #[test]
    fn near_misses_say_why_nothing_was_decoded() {
        for (raw, span, needle) in [
            ("=?UTF-8?B?not base64!!?=", (0, 24), "contains white space"),
            ("=?EUC-KR?B?vsiz58fPvLy/5C4=", (0, 27), "no closing \"?=\""),
            ("Re: =?UTF-8?q?caf=C3=A9 ok", (4, 23), "no closing \"?=\""),
        ] {
            let d = decode_unstructured(raw.as_bytes());
            assert_eq!(d.text, raw, "left as written");
            assert_eq!(codes(&d), vec!["mime.encoded-word-invalid"], "{raw}");
            let lint = &d.lints[0];
            assert_eq!((lint.span.start, lint.span.end), span, "{raw}");
            assert!(lint.message.contains(needle), "{raw}: {}", lint.message);
        }
        // A real word after a broken start is still decoded.
        let d = decode_unstructured(b"=?UTF-8?B?abc =?UTF-8?Q?x?=");
        assert_eq!(d.text, "=?UTF-8?B?abc x");
        assert_eq!(codes(&d), vec!["mime.encoded-word-invalid"]);
        // Plain text with `=?` that is not shaped like a word stays silent.
        for raw in ["a=?b", "what=?", "=?UTF-8?X?a b?="] {
            assert!(
                decode_unstructured(raw.as_bytes()).lints.is_empty(),
                "{raw}"
            );
        }
    }

    #[test]
    fn b_problems_are_explained() {
        let cases: &[(&str, &[u8], Option<&str>)] = &[
            ("QUJD", b"ABC", None),
            ("QUI=", b"AB", None),
            (
                "QU*JD",
                b"ABC",
                Some("invalid base64 character '*' skipped"),
            ),
            ("QQ==QQ==", b"AA", Some("base64 data after '=' padding")),
            (
                "QUJDR",
                b"ABC",
                Some("base64 text ends with a lone character (6 bits dropped)"),
            ),
            (
                "QUI",
                b"AB",
                Some("base64 text is 3 characters, not a multiple of 4 (missing '=' padding)"),
            ),
            ("QUJD====", b"ABC", None),
        ];
        for (text, bytes, problem) in cases {
            let (got, why) = decode_b(text.as_bytes());
            assert_eq!(
                (got.as_slice(), why.as_deref()),
                (*bytes, *problem),
                "B text {text:?}"
            );
        }
    }

    #[test]
    fn text_only_matches_the_explained_decoding() {
        let mut inputs: Vec<Vec<u8>> = [
            "plain text, no words",
            "=?UTF-8?B?7JU=?= =?UTF-8?B?iA==?=",
            "a =?ISO-8859-1?Q?a?=  \r\n   =?ISO-8859-1?Q?b?= c",
            "=?EUC-KR?B?vsiz58fPvLy/5C4=?=x",
            "=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?= =?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=",
            "=?x-nope?Q?a?= =?UTF-8?Q?b?= =?UTF-8?Z?c?= =?US-ASCII?Q?=E9?=",
            "=?UTF-8?B?aGV*sbG8=?= caf\u{e9}\r\n folded",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
        let mut rng = crate::testutil::XorShift::new(99);
        for round in 0..200 {
            inputs.push(rng.bytes(round % 60, b"=?QqBb_UTF8 \r\n*\xe9AZaz09+/", round % 5 == 0));
        }
        for ctx in [
            Context::Unstructured,
            Context::Phrase,
            Context::QuotedString,
        ] {
            for raw in &inputs {
                let full = decode_text(raw, ctx);
                let only = decode_text_only(raw, ctx);
                assert_eq!(
                    (&only.text, &only.lints),
                    (&full.text, &full.lints),
                    "{ctx:?} {:?}",
                    String::from_utf8_lossy(raw)
                );
                assert!(only.words.is_empty(), "no explanation expected");
            }
        }
    }

    #[test]
    fn hostile_inputs_do_not_panic_and_stay_linear() {
        let mut rng = crate::testutil::XorShift::new(0x2545_F491_4F6C_DD1D);
        let alphabet = b"=?Qqb_B-UTF8 \r\n\t*\xff\xe9AZaz09+/";
        for round in 0..300 {
            let buf = rng.bytes(round % 97, alphabet, round % 2 == 1);
            let d = decode_unstructured(&buf);
            assert!(
                d.text.len() <= buf.len() * 3 + 3,
                "output too large for {buf:?}"
            );
            for l in &d.lints {
                assert!(l.span.end <= buf.len(), "span {:?} out of input", l.span);
            }
        }
        // Many word starts and words: output stays proportional.
        let broken = "=?x?Q?a?=".repeat(10_000);
        let d = decode_unstructured(broken.as_bytes());
        assert_eq!(d.lints.len(), MAX_LINTS, "findings are capped");
        for n in [1_000usize, 8_000] {
            let s = "=?=?UTF-8?Q?a?=".repeat(n);
            let d = decode_unstructured(s.as_bytes());
            assert_eq!(d.text.len(), n * 3, "n={n}: '=?' and 'a' per repetition");
            assert_eq!(
                (d.words.len(), d.words_truncated),
                (n.min(MAX_WORDS), n > MAX_WORDS),
                "n={n}"
            );
        }
    }
}
