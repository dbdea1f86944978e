//! Encoding (RFC 2047 §5): text as words of at most [`MAX_WORD_LEN`] characters that never
//! split a character.

use std::fmt;

use crate::codec;
use crate::mime::charset::{self, Charset, CharsetError, EncodeFailure};

use super::{Encoding, MAX_WORD_LEN};

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
