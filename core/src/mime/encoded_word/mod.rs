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
//! [`encode()`] and [`encode_words`] do the reverse for `mailscope header encode` and the builder:
//! words of at most [`MAX_WORD_LEN`] characters that never split a character.
//!
//! The decoding lives in `decode`, the encoding in `encode`.

use serde::{Deserialize, Serialize};

use crate::lint::Lint;
use crate::span::Span;

mod decode;
mod encode;
#[cfg(test)]
mod tests;

pub use decode::{decode_text, decode_text_only, decode_unstructured};
pub(crate) use decode::{has_word_start, push_plain};
pub use encode::{encode, encode_words, encode_words_max, EncodeError};

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
