//! Charset names and decoding (WHATWG labels plus mail aliases), through encoding_rs or the
//! browser's `TextDecoder`.
//!
//! MIME names the charset of text in `charset=` parameters ([RFC 2046 §4.1.2]), in RFC 2047
//! encoded-words and in RFC 2231 extended parameters. The names come from the IANA registry,
//! but real mail uses many more: Microsoft code page names (`cp949`, `ks_c_5601-1987`, `cp932`),
//! Java names (`x-sjis`), and plain typos. [`resolve`] maps a label to a [`Charset`]:
//!
//! 1. a small table of mail aliases that the WHATWG Encoding Standard lacks (`cp949`,
//!    `ks_c_5601`, `x-euc-kr`, `cp932`, `iso-2022-jp-2`, `cp936`, `euc-cn`, `cp950`, `latin-1`,
//!    `iso646-us`, …) and the labels whose WHATWG meaning is wrong for mail (below);
//! 2. every label of the [WHATWG Encoding Standard](https://encoding.spec.whatwg.org/#names-and-labels)
//!    through [`encoding_rs::Encoding::for_label`].
//!
//! Decisions that differ from a web browser, on purpose:
//! - `us-ascii` decodes as windows-1252 (as WHATWG says for every Latin-1 label), but
//!   [`Decoded::ascii_with_8bit`] tells the caller that 8-bit bytes appeared under an ASCII
//!   label, so it can lint `mime.charset-mismatch`.
//! - `utf-16`, `ucs-2`, `unicode`, `unicode-1-1`, `csunicode` and `iso-10646-ucs-2`: a byte
//!   order mark decides; without one the text is big-endian ([RFC 2781 §4.3]). WHATWG says
//!   little-endian, which is right for web pages and wrong for mail.
//! - `utf-7` ([RFC 2152]) is decoded here (old Outlook and some bulk mailers send it); the web
//!   platform refuses it.
//! - `utf-32`/`ucs-4` (BOM, else big-endian), `utf-32be`, `utf-32le` are decoded here.
//! - `iso-2022-kr` ([RFC 1557], old Korean mail) and `hz-gb-2312` ([RFC 1843]) are decoded here
//!   by mapping them onto EUC-KR and GBK; WHATWG maps them to the "replacement" encoding that
//!   turns the whole text into one U+FFFD. `iso-2022-cn` and `iso-2022-cn-ext` ([RFC 1922])
//!   are decoded by [`iso2022cn`]: GB 2312 through GBK, CNS 11643 planes 1
//!   and 2 through Big5; characters it cannot map become U+FFFD (reported as
//!   `mime.charset-mismatch`).
//! - The WHATWG "replacement" encoding is never returned.
//!
//! # Two backends, one result
//! The WHATWG encodings are decoded (and encoded) by one of two backends behind the same
//! private interface (`backend::{decode, Decoder, encode}`):
//! - **encoding_rs**, in every build but one: native (CLI, relay), the web page's parse worker,
//!   and the tests by default.
//! - **the browser**, in the web page's build (feature `browser-charsets` on `wasm32`; without
//!   the feature, or off wasm32, the feature changes nothing): UTF-8 is decoded with std
//!   (`String::from_utf8_lossy` replaces the same maximal subparts as WHATWG), UTF-16LE/BE,
//!   the byte order marks and ISO-2022-JP's state machine by hand (see below), every other
//!   encoding by the browser's `TextDecoder`, which
//!   implements the same [Encoding Standard](https://encoding.spec.whatwg.org/) as
//!   encoding_rs. Malformed input is found with a `fatal` decoder (a second, replacing pass
//!   runs only when it throws); an unexpected JavaScript exception gives U+FFFD and
//!   [`Decoded::had_errors`], never a panic. None of encoding_rs's decoders or encoders is
//!   linked, so its tables (about 110 KB gzip) stay out of the page. Encoding works for UTF-8,
//!   US-ASCII and the single-byte charsets (their index is read back from `TextDecoder`); the
//!   multi-byte legacy charsets give
//!   [`EncodeError::Unavailable`](super::encoded_word::EncodeError::Unavailable), and the page
//!   asks its parse worker instead.
//!
//! The standard fixes every output, error flag included, so both backends give the same
//! results; the core's tests (the golden MIME corpus among them) run against both, and tests
//! compare the browser backend with encoding_rs over every encoding: random and well-formed
//! text, whole and in pieces, and every code of every multi-byte encoding. Two places where
//! Chromium's `TextDecoder` departs from the standard were found:
//! - Big5 0x8862, 0x8864, 0x88A3, 0x88A5, which WHATWG maps to two code points each (Ê̄ Ê̌ ê̄
//!   ê̌): Chromium gives other text without an error. The browser backend decodes these four
//!   codes itself, so the page gets the standard's text.
//! - ISO-2022-JP after a failed escape sequence (`ESC $` or `ESC (` and a byte that ends
//!   none): when that byte is then an error too, the standard (and encoding_rs) gives two
//!   U+FFFD, Chromium one. So the browser backend runs the ISO-2022-JP state machine itself,
//!   as the standard writes it, and asks `TextDecoder` (EUC-JP) only for the JIS X 0208
//!   characters.
//!
//! [RFC 2046 §4.1.2]: https://www.rfc-editor.org/rfc/rfc2046#section-4.1.2
//! [RFC 2781 §4.3]: https://www.rfc-editor.org/rfc/rfc2781#section-4.3
//! [RFC 2152]: https://www.rfc-editor.org/rfc/rfc2152
//! [RFC 1557]: https://www.rfc-editor.org/rfc/rfc1557
//! [RFC 1843]: https://www.rfc-editor.org/rfc/rfc1843
//! [RFC 1922]: https://www.rfc-editor.org/rfc/rfc1922

pub mod iso2022cn;

use crate::lint::msg;
use std::fmt;

use encoding_rs::Encoding;
use serde::{Deserialize, Serialize};

/// The decoders and encoders of the WHATWG encodings: encoding_rs, or in the web page's build
/// (`browser-charsets` on wasm32) the browser's `TextDecoder` and std. Both offer `decode`,
/// `Decoder::{new, feed}` and `encode` with the same signatures.
#[cfg(not(all(feature = "browser-charsets", target_arch = "wasm32")))]
#[path = "native.rs"]
pub(crate) mod backend;
#[cfg(all(feature = "browser-charsets", target_arch = "wasm32"))]
#[path = "browser.rs"]
pub(crate) mod backend;
/// UTF-8, UTF-16 and byte order marks with std: the browser backend's, tested natively too.
#[cfg(any(test, all(feature = "browser-charsets", target_arch = "wasm32")))]
mod portable;

/// What a decoder does with a byte order mark at the start of the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bom {
    /// Nothing: a mark is text (U+FEFF).
    Keep,
    /// Removes the mark of the decoder's own encoding (UTF-8 `EF BB BF`, UTF-16LE `FF FE`,
    /// UTF-16BE `FE FF`), as WHATWG "decode with BOM removal".
    Remove,
    /// Any mark (UTF-8, UTF-16LE, UTF-16BE) picks the encoding and is removed; without one the
    /// decoder's encoding is used (WHATWG "decode").
    Sniff,
}

/// Why the backend could not encode a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EncodeFailure {
    /// This character has no representation in the encoding.
    Unmappable(char),
    /// The encoder gave up without a character to blame.
    #[cfg_attr(
        all(feature = "browser-charsets", target_arch = "wasm32"),
        allow(dead_code)
    )]
    NoEncoder,
    /// This build has no encoder for the encoding (the browser backend's multi-byte ones).
    #[cfg_attr(
        not(all(feature = "browser-charsets", target_arch = "wasm32")),
        allow(dead_code)
    )]
    Unavailable,
}

/// Longest charset label looked up; longer labels are unknown (the longest IANA name is 45).
pub const MAX_LABEL_LEN: usize = 64;

/// A charset a label resolved to: an encoding_rs encoding or one decoded by this module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Charset {
    /// An encoding of the WHATWG Encoding Standard, decoded by encoding_rs (in the web page's
    /// build: by the browser, see the [module docs](self)).
    Whatwg(&'static Encoding),
    /// UTF-16 with a byte order mark, or big-endian without one (RFC 2781 §4.3).
    Utf16,
    /// UTF-32 with a byte order mark, or big-endian without one.
    Utf32,
    /// UTF-32 big-endian.
    Utf32Be,
    /// UTF-32 little-endian.
    Utf32Le,
    /// UTF-7 (RFC 2152).
    Utf7,
    /// ISO-2022-KR (RFC 1557): 7-bit KS X 1001 with SO/SI shifts.
    Iso2022Kr,
    /// HZ-GB-2312 (RFC 1843): 7-bit GB 2312 between `~{` and `~}`.
    HzGb2312,
    /// ISO-2022-CN (RFC 1922): 7-bit GB 2312 and CNS 11643 planes 1–2 with SO/SI and SS2.
    Iso2022Cn,
    /// ISO-2022-CN-EXT (RFC 1922): ISO-2022-CN plus ISO-IR-165 and CNS 11643 planes 3–7
    /// (decoded as far as [`iso2022cn`] can).
    Iso2022CnExt,
}

impl Charset {
    /// Canonical name of the charset, as shown to users (`EUC-KR`, `UTF-7`, …).
    pub fn name(self) -> &'static str {
        match self {
            Charset::Whatwg(e) => e.name(),
            Charset::Utf16 => "UTF-16",
            Charset::Utf32 => "UTF-32",
            Charset::Utf32Be => "UTF-32BE",
            Charset::Utf32Le => "UTF-32LE",
            Charset::Utf7 => "UTF-7",
            Charset::Iso2022Kr => "ISO-2022-KR",
            Charset::HzGb2312 => "HZ-GB-2312",
            Charset::Iso2022Cn => "ISO-2022-CN",
            Charset::Iso2022CnExt => "ISO-2022-CN-EXT",
        }
    }

    /// The encoding_rs encoding, when this charset is one (UTF-16 gives UTF-16BE, the encoding
    /// used when there is no byte order mark).
    pub fn encoding(self) -> Option<&'static Encoding> {
        match self {
            Charset::Whatwg(e) => Some(e),
            Charset::Utf16 => Some(encoding_rs::UTF_16BE),
            _ => None,
        }
    }
}

/// Text decoded from bytes in a charset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decoded {
    /// The text; malformed byte sequences became U+FFFD.
    pub text: String,
    /// Canonical name of the encoding actually used (`windows-1252` for `us-ascii`, `UTF-16LE`
    /// when a little-endian byte order mark overrode `utf-16`).
    pub encoding: &'static str,
    /// Whether some bytes were malformed in the charset and replaced by U+FFFD.
    pub had_errors: bool,
    /// Whether the label named US-ASCII but bytes above 0x7F appeared (they were decoded as
    /// windows-1252).
    pub ascii_with_8bit: bool,
}

/// Why a charset label could not be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum CharsetError {
    /// No known charset has this name. Callers lint `mime.charset-unknown`.
    Unknown {
        /// The label as given (lossy UTF-8, at most [`MAX_LABEL_LEN`] bytes kept).
        label: String,
    },
    /// The charset is known but Mailscope cannot decode (or encode) it.
    Unsupported {
        /// The label as given.
        label: String,
        /// Why it is not supported.
        reason: &'static str,
    },
}

impl CharsetError {
    /// Why, as a message that can be translated ([`crate::i18n::message`]).
    pub fn message(&self) -> crate::lint::Message {
        match self {
            CharsetError::Unknown { label } => {
                msg!("unknown charset {label}", label = format_args!("{label:?}"))
            }
            CharsetError::Unsupported { label, reason } => msg!(
                "unsupported charset {label}: {reason}",
                label = format_args!("{label:?}")
            )
            .text("reason", crate::lint::Message::new(reason)),
        }
    }
}

impl fmt::Display for CharsetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.message().fmt(f)
    }
}

impl std::error::Error for CharsetError {}

/// What an alias in [`MAIL_ALIASES`] stands for.
#[derive(Clone, Copy)]
enum Target {
    Label(&'static str),
    Special(Charset),
}

/// Labels used in mail that WHATWG lacks or that mean something else in mail.
const MAIL_ALIASES: &[(&str, Target)] = &[
    // Korean: Microsoft's code page 949 (Unified Hangul Code) is what WHATWG calls EUC-KR.
    ("cp949", Target::Label("euc-kr")),
    ("ms949", Target::Label("euc-kr")),
    ("x-windows-949", Target::Label("euc-kr")),
    ("uhc", Target::Label("euc-kr")),
    ("ks_c_5601", Target::Label("euc-kr")),
    ("ks_c_5601_1987", Target::Label("euc-kr")),
    ("x-euc-kr", Target::Label("euc-kr")),
    ("euckr", Target::Label("euc-kr")),
    ("x-uhc", Target::Label("euc-kr")),
    // Japanese.
    ("cp932", Target::Label("shift_jis")),
    ("x-ms-cp932", Target::Label("shift_jis")),
    ("windows-932", Target::Label("shift_jis")),
    ("shiftjis", Target::Label("shift_jis")),
    ("x-shift_jis", Target::Label("shift_jis")),
    ("iso-2022-jp-1", Target::Label("iso-2022-jp")),
    ("iso-2022-jp-2", Target::Label("iso-2022-jp")),
    ("iso-2022-jp-3", Target::Label("iso-2022-jp")),
    ("csiso2022jp2", Target::Label("iso-2022-jp")),
    ("eucjp", Target::Label("euc-jp")),
    ("ujis", Target::Label("euc-jp")),
    ("x-eucjp", Target::Label("euc-jp")),
    // Chinese.
    ("cp936", Target::Label("gbk")),
    ("ms936", Target::Label("gbk")),
    ("windows-936", Target::Label("gbk")),
    ("euc-cn", Target::Label("gbk")),
    ("x-euc-cn", Target::Label("gbk")),
    ("euccn", Target::Label("gbk")),
    ("gb2312-80", Target::Label("gbk")),
    ("x-gb18030", Target::Label("gb18030")),
    ("cp950", Target::Label("big5")),
    ("ms950", Target::Label("big5")),
    ("windows-950", Target::Label("big5")),
    ("x-big5", Target::Label("big5")),
    ("big5hkscs", Target::Label("big5")),
    ("hz-gb-2312", Target::Special(Charset::HzGb2312)),
    ("hz", Target::Special(Charset::HzGb2312)),
    ("iso-2022-cn", Target::Special(Charset::Iso2022Cn)),
    ("csiso2022cn", Target::Special(Charset::Iso2022Cn)),
    ("iso-2022-cn-ext", Target::Special(Charset::Iso2022CnExt)),
    ("csiso2022cnext", Target::Special(Charset::Iso2022CnExt)),
    ("iso-2022-kr", Target::Special(Charset::Iso2022Kr)),
    ("csiso2022kr", Target::Special(Charset::Iso2022Kr)),
    // Western.
    ("latin-1", Target::Label("windows-1252")),
    ("iso8859_1", Target::Label("windows-1252")),
    ("8859-1", Target::Label("windows-1252")),
    ("iso-8859-1:1987", Target::Label("windows-1252")),
    ("us", Target::Label("us-ascii")),
    ("iso646-us", Target::Label("us-ascii")),
    ("ansi_x3.4-1986", Target::Label("us-ascii")),
    ("cp367", Target::Label("us-ascii")),
    ("ibm367", Target::Label("us-ascii")),
    ("csascii", Target::Label("us-ascii")),
    ("iso-ir-6", Target::Label("us-ascii")),
    ("646", Target::Label("us-ascii")),
    ("x-mac-roman", Target::Label("macintosh")),
    ("x-mac-ukrainian", Target::Label("x-mac-cyrillic")),
    ("cp1250", Target::Label("windows-1250")),
    ("koi8r", Target::Label("koi8-r")),
    ("koi8u", Target::Label("koi8-u")),
    ("tis620", Target::Label("tis-620")),
    ("utf8", Target::Label("utf-8")),
    ("utf-8-bom", Target::Label("utf-8")),
    // Unicode forms with mail (not web) defaults.
    ("utf-16", Target::Special(Charset::Utf16)),
    ("utf16", Target::Special(Charset::Utf16)),
    ("ucs-2", Target::Special(Charset::Utf16)),
    ("ucs2", Target::Special(Charset::Utf16)),
    ("unicode", Target::Special(Charset::Utf16)),
    ("unicode-1-1", Target::Special(Charset::Utf16)),
    ("csunicode", Target::Special(Charset::Utf16)),
    ("iso-10646-ucs-2", Target::Special(Charset::Utf16)),
    ("unicodefeff", Target::Special(Charset::Utf16)),
    ("utf-32", Target::Special(Charset::Utf32)),
    ("utf32", Target::Special(Charset::Utf32)),
    ("ucs-4", Target::Special(Charset::Utf32)),
    ("iso-10646-ucs-4", Target::Special(Charset::Utf32)),
    ("utf-32be", Target::Special(Charset::Utf32Be)),
    ("utf-32le", Target::Special(Charset::Utf32Le)),
    ("utf-7", Target::Special(Charset::Utf7)),
    ("utf7", Target::Special(Charset::Utf7)),
    ("unicode-1-1-utf-7", Target::Special(Charset::Utf7)),
    ("csunicode11utf7", Target::Special(Charset::Utf7)),
    ("x-utf-7", Target::Special(Charset::Utf7)),
];

/// Labels that name US-ASCII (decoded as windows-1252, with 8-bit bytes reported).
const ASCII_LABELS: &[&str] = &["us-ascii", "ascii", "ansi_x3.4-1968"];

/// The label with surrounding whitespace and quotes removed, or `None` if it is empty, too long
/// or not ASCII.
fn clean(label: &str) -> Option<&str> {
    let l = label.trim_matches(|c: char| c.is_ascii_whitespace() || c == '"' || c == '\'');
    if l.is_empty() || l.len() > MAX_LABEL_LEN || !l.is_ascii() {
        None
    } else {
        Some(l)
    }
}

fn follow(label: &str) -> Result<(Charset, bool), &'static str> {
    // Fast path for the labels nearly all mail uses; neither is in MAIL_ALIASES, so this is
    // what the table walk below gives (checked by a test).
    if label.eq_ignore_ascii_case("utf-8") {
        return Ok((Charset::Whatwg(encoding_rs::UTF_8), false));
    }
    if label.eq_ignore_ascii_case("us-ascii") {
        return Ok((Charset::Whatwg(encoding_rs::WINDOWS_1252), true));
    }
    follow_table(label)
}

/// [`follow`] through the alias table and the WHATWG labels.
fn follow_table(label: &str) -> Result<(Charset, bool), &'static str> {
    let mut name = label;
    for (alias, target) in MAIL_ALIASES {
        if alias.eq_ignore_ascii_case(name) {
            match *target {
                Target::Label(l) => {
                    name = l;
                    break;
                }
                Target::Special(c) => return Ok((c, false)),
            }
        }
    }
    let ascii = ASCII_LABELS.iter().any(|a| a.eq_ignore_ascii_case(name));
    match Encoding::for_label_no_replacement(name.as_bytes()) {
        // WHATWG maps `utf-16` to UTF-16LE; the aliases above caught the unmarked labels, so an
        // explicit `utf-16le`/`utf-16be` lands here and is kept.
        Some(e) => Ok((Charset::Whatwg(e), ascii)),
        None if Encoding::for_label(name.as_bytes()).is_some() => {
            Err("the WHATWG Encoding Standard maps this label to the replacement encoding")
        }
        None => Err(""),
    }
}

/// Resolves a charset label (case-insensitive, surrounding whitespace and quotes ignored) to a
/// [`Charset`], per the rules in the [module documentation](self).
pub fn resolve(label: &str) -> Result<Charset, CharsetError> {
    let Some(l) = clean(label) else {
        return Err(unknown(label));
    };
    match follow(l) {
        Ok((c, _)) => Ok(c),
        Err("") => Err(unknown(label)),
        Err(reason) => Err(CharsetError::Unsupported {
            label: short(label),
            reason,
        }),
    }
}

/// The encoding_rs encoding for a label: every WHATWG label plus the mail aliases of this
/// module. `None` for unknown labels and for the charsets that encoding_rs cannot handle
/// (UTF-7, UTF-32, ISO-2022-KR, HZ, ISO-2022-CN; [`decode`] still decodes those). `utf-16` gives UTF-16BE.
pub fn lookup(label: &str) -> Option<&'static Encoding> {
    resolve(label).ok().and_then(Charset::encoding)
}

fn short(label: &str) -> String {
    let mut end = label.len().min(MAX_LABEL_LEN);
    while !label.is_char_boundary(end) {
        end -= 1;
    }
    label.get(..end).unwrap_or_default().to_string()
}

fn unknown(label: &str) -> CharsetError {
    CharsetError::Unknown {
        label: short(label),
    }
}

/// Decodes `bytes` in the charset named by `label` ([RFC 2046 §4.1.2]). Malformed sequences
/// become U+FFFD and set [`Decoded::had_errors`]; an unknown or unsupported label is an error
/// (callers lint `mime.charset-unknown` and usually fall back to [`decode_utf8_lossy`]).
///
/// [RFC 2046 §4.1.2]: https://www.rfc-editor.org/rfc/rfc2046#section-4.1.2
pub fn decode(label: &str, bytes: &[u8]) -> Result<Decoded, CharsetError> {
    let Some(l) = clean(label) else {
        return Err(unknown(label));
    };
    let (charset, ascii) = match follow(l) {
        Ok(x) => x,
        Err("") => return Err(unknown(label)),
        Err(reason) => {
            return Err(CharsetError::Unsupported {
                label: short(label),
                reason,
            })
        }
    };
    let mut d = decode_charset(charset, bytes);
    d.ascii_with_8bit = ascii && bytes.iter().any(|&b| b >= 0x80);
    Ok(d)
}

/// Decodes `bytes` in an already resolved charset.
pub fn decode_charset(charset: Charset, bytes: &[u8]) -> Decoded {
    let (text, encoding, had_errors) = match charset {
        Charset::Whatwg(e) => {
            let (t, _, bad) = backend::decode(e, Bom::Remove, bytes);
            (t, e.name(), bad)
        }
        Charset::Utf16 => {
            // A BOM (either order, or UTF-8's) decides; without one, big-endian.
            let (t, used, bad) = backend::decode(encoding_rs::UTF_16BE, Bom::Sniff, bytes);
            (t, used.name(), bad)
        }
        Charset::Utf32 => {
            let (le, skip) = match bytes {
                [0xFF, 0xFE, 0, 0, ..] => (true, 4),
                [0, 0, 0xFE, 0xFF, ..] => (false, 4),
                _ => (false, 0),
            };
            let (t, bad) = decode_utf32(bytes.get(skip..).unwrap_or_default(), le);
            (t, if le { "UTF-32LE" } else { "UTF-32BE" }, bad)
        }
        Charset::Utf32Be => {
            let (t, bad) = decode_utf32(bytes, false);
            (t, "UTF-32BE", bad)
        }
        Charset::Utf32Le => {
            let (t, bad) = decode_utf32(bytes, true);
            (t, "UTF-32LE", bad)
        }
        Charset::Utf7 => {
            let (t, bad) = decode_utf7(bytes);
            (t, "UTF-7", bad)
        }
        Charset::Iso2022Kr => {
            let (t, bad) = decode_iso2022kr(bytes);
            (t, "ISO-2022-KR", bad)
        }
        Charset::HzGb2312 => {
            let (t, bad) = decode_hz(bytes);
            (t, "HZ-GB-2312", bad)
        }
        Charset::Iso2022Cn | Charset::Iso2022CnExt => {
            let (t, bad) = iso2022cn::decode(bytes);
            (t, charset.name(), bad)
        }
    };
    Decoded {
        text,
        encoding,
        had_errors,
        ascii_with_8bit: false,
    }
}

/// `bytes` as text when they are valid UTF-8: the check every decoder runs first, validated
/// with SIMD where the target has it (several times faster than `std::str::from_utf8` on
/// text that is not ASCII).
pub fn utf8(bytes: &[u8]) -> Option<&str> {
    simdutf8::basic::from_utf8(bytes).ok()
}

/// Decodes bytes as UTF-8, replacing malformed sequences: the fallback for unknown charsets and
/// for raw 8-bit header text ([RFC 6532 §3.2](https://www.rfc-editor.org/rfc/rfc6532#section-3.2)).
pub fn decode_utf8_lossy(bytes: &[u8]) -> Decoded {
    let (text, _, bad) = backend::decode(encoding_rs::UTF_8, Bom::Keep, bytes);
    Decoded {
        text,
        encoding: "UTF-8",
        had_errors: bad,
        ascii_with_8bit: false,
    }
}

/// A decoder fed in pieces, so that a character split across two RFC 2047 encoded-words is
/// decoded whole (RFC 2047 §5 forbids the split; mailers do it anyway).
///
/// For encoding_rs charsets each [`feed`](Self::feed) appends the text completed by that
/// piece; for the charsets decoded by this module the pieces are collected and decoded by
/// [`finish`](Self::finish).
pub struct StreamDecoder {
    charset: Charset,
    inner: Option<backend::Decoder>,
    pending: Vec<u8>,
    had_errors: bool,
    ascii: bool,
    saw_8bit: bool,
}

impl StreamDecoder {
    /// A decoder for `charset`; `ascii` says whether the label named US-ASCII (see
    /// [`resolve_with_ascii`]).
    pub fn new(charset: Charset, ascii: bool) -> Self {
        let inner = match charset {
            Charset::Whatwg(e) => Some(backend::Decoder::new(e, Bom::Remove)),
            Charset::Utf16 => Some(backend::Decoder::new(encoding_rs::UTF_16BE, Bom::Sniff)),
            _ => None,
        };
        StreamDecoder {
            charset,
            inner,
            pending: Vec::new(),
            had_errors: false,
            ascii,
            saw_8bit: false,
        }
    }

    /// Canonical name of the charset being decoded.
    pub fn charset_name(&self) -> &'static str {
        self.charset.name()
    }

    /// Whether [`feed`](Self::feed) yields text per piece.
    pub fn is_streaming(&self) -> bool {
        self.inner.is_some()
    }

    /// Feeds one piece, appending the text it completed to `out` (nothing when not
    /// streaming).
    pub fn feed(&mut self, bytes: &[u8], last: bool, out: &mut String) {
        self.saw_8bit |= !bytes.is_ascii();
        let Some(dec) = self.inner.as_mut() else {
            self.pending.extend_from_slice(bytes);
            return;
        };
        self.had_errors |= dec.feed(bytes, last, out);
    }

    /// Ends the stream, appending the text of the non-streaming charsets to `out`; returns
    /// whether errors occurred and whether 8-bit bytes came under an ASCII label.
    pub fn finish(mut self, out: &mut String) -> (bool, bool) {
        if self.inner.is_none() {
            let d = decode_charset(self.charset, &self.pending);
            self.had_errors |= d.had_errors;
            out.push_str(&d.text);
        }
        (self.had_errors, self.ascii && self.saw_8bit)
    }
}

/// Resolves a label for streaming use: the charset and whether it names US-ASCII.
pub fn resolve_with_ascii(label: &str) -> Result<(Charset, bool), CharsetError> {
    let Some(l) = clean(label) else {
        return Err(unknown(label));
    };
    match follow(l) {
        Ok(x) => Ok(x),
        Err("") => Err(unknown(label)),
        Err(reason) => Err(CharsetError::Unsupported {
            label: short(label),
            reason,
        }),
    }
}

fn decode_utf32(bytes: &[u8], le: bool) -> (String, bool) {
    let mut out = String::with_capacity(bytes.len() / 4 + 1);
    let mut bad = false;
    let mut chunks = bytes.chunks_exact(4);
    for c in &mut chunks {
        let arr = [c[0], c[1], c[2], c[3]];
        let v = if le {
            u32::from_le_bytes(arr)
        } else {
            u32::from_be_bytes(arr)
        };
        match char::from_u32(v) {
            Some(ch) => out.push(ch),
            None => {
                bad = true;
                out.push('\u{FFFD}');
            }
        }
    }
    if !chunks.remainder().is_empty() {
        bad = true;
        out.push('\u{FFFD}');
    }
    (out, bad)
}

fn b64_value(b: u8) -> Option<u8> {
    match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Appends UTF-16 code units, pairing surrogates.
struct Utf16Sink {
    high: Option<u16>,
    bad: bool,
}

impl Utf16Sink {
    fn push(&mut self, out: &mut String, unit: u16) {
        if let Some(h) = self.high.take() {
            if (0xDC00..0xE000).contains(&unit) {
                let c = 0x10000 + ((u32::from(h) - 0xD800) << 10) + (u32::from(unit) - 0xDC00);
                out.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
                return;
            }
            self.bad = true;
            out.push('\u{FFFD}');
        }
        if (0xD800..0xDC00).contains(&unit) {
            self.high = Some(unit);
        } else if (0xDC00..0xE000).contains(&unit) {
            self.bad = true;
            out.push('\u{FFFD}');
        } else {
            out.push(char::from_u32(u32::from(unit)).unwrap_or('\u{FFFD}'));
        }
    }

    fn flush(&mut self, out: &mut String) {
        if self.high.take().is_some() {
            self.bad = true;
            out.push('\u{FFFD}');
        }
    }
}

/// UTF-7 (RFC 2152 §"Rules"): direct ASCII, `+-` for `+`, and `+` base64 of UTF-16BE ended by
/// any non-base64 character (a `-` is absorbed).
fn decode_utf7(bytes: &[u8]) -> (String, bool) {
    let mut out = String::with_capacity(bytes.len());
    let mut sink = Utf16Sink {
        high: None,
        bad: false,
    };
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        i += 1;
        if b != b'+' {
            sink.flush(&mut out);
            if b < 0x80 {
                out.push(char::from(b));
            } else {
                sink.bad = true;
                out.push('\u{FFFD}');
            }
            continue;
        }
        if bytes.get(i) == Some(&b'-') {
            sink.flush(&mut out);
            out.push('+');
            i += 1;
            continue;
        }
        let mut acc: u32 = 0;
        let mut bits = 0u32;
        while let Some(v) = bytes.get(i).copied().and_then(b64_value) {
            i += 1;
            acc = (acc << 6) | u32::from(v);
            bits += 6;
            if bits >= 16 {
                bits -= 16;
                sink.push(&mut out, ((acc >> bits) & 0xFFFF) as u16);
            }
            acc &= (1 << bits) - 1;
        }
        if bits >= 6 || acc != 0 {
            sink.bad = true;
        }
        if bytes.get(i) == Some(&b'-') {
            i += 1;
        }
    }
    sink.flush(&mut out);
    (out, sink.bad)
}

/// ISO-2022-KR (RFC 1557) → EUC-KR bytes: `ESC $ ) C` designates KS X 1001 to G1, SO shifts to
/// it (bytes 0x21–0x7E get their high bit set), SI shifts back; a line end also shifts back.
fn decode_iso2022kr(bytes: &[u8]) -> (String, bool) {
    let mut euc = Vec::with_capacity(bytes.len());
    let mut shifted = false;
    let mut bad = false;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        i += 1;
        match b {
            0x1B => {
                if bytes.get(i..i + 3) == Some(b"$)C") {
                    i += 3;
                } else {
                    bad = true;
                    euc.push(0xFF);
                }
            }
            0x0E => shifted = true,
            0x0F => shifted = false,
            b'\r' | b'\n' => {
                shifted = false;
                euc.push(b);
            }
            0x21..=0x7E if shifted => euc.push(b | 0x80),
            0x80.. => {
                bad = true;
                euc.push(0xFF);
            }
            _ => euc.push(b),
        }
    }
    let (t, _, e) = backend::decode(encoding_rs::EUC_KR, Bom::Keep, &euc);
    (t, bad || e)
}

/// HZ (RFC 1843) → GBK bytes: `~{` enters GB mode (byte pairs get their high bit set), `~}`
/// leaves it, `~~` is `~`, `~` + newline is a line continuation.
fn decode_hz(bytes: &[u8]) -> (String, bool) {
    let mut gb = Vec::with_capacity(bytes.len());
    let mut gb_mode = false;
    let mut bad = false;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        i += 1;
        if b == b'~' {
            let next = bytes.get(i).copied();
            i += 1;
            match next {
                Some(b'{') => gb_mode = true,
                Some(b'}') => gb_mode = false,
                Some(b'~') if !gb_mode => gb.push(b'~'),
                Some(b'\n') if !gb_mode => {}
                Some(b'\r') if !gb_mode && bytes.get(i) == Some(&b'\n') => i += 1,
                _ => {
                    bad = true;
                    gb.push(0xFF);
                    i -= usize::from(next.is_some());
                }
            }
            continue;
        }
        match b {
            b'\r' | b'\n' => {
                if gb_mode {
                    bad = true;
                    gb_mode = false;
                }
                gb.push(b);
            }
            0x21..=0x7E if gb_mode => gb.push(b | 0x80),
            0x80.. => {
                bad = true;
                gb.push(0xFF);
            }
            _ => gb.push(b),
        }
    }
    let (t, _, e) = backend::decode(encoding_rs::GBK, Bom::Keep, &gb);
    (t, bad || e)
}

#[cfg(test)]
mod tests;
