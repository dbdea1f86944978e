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
//!   are decoded by [`iso2022cn`](super::iso2022cn): GB 2312 through GBK, CNS 11643 planes 1
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

use std::fmt;

use encoding_rs::Encoding;
use serde::{Deserialize, Serialize};

/// The decoders and encoders of the WHATWG encodings: encoding_rs, or in the web page's build
/// (`browser-charsets` on wasm32) the browser's `TextDecoder` and std. Both offer `decode`,
/// `Decoder::{new, feed}` and `encode` with the same signatures.
#[cfg(not(all(feature = "browser-charsets", target_arch = "wasm32")))]
#[path = "charset/native.rs"]
pub(crate) mod backend;
#[cfg(all(feature = "browser-charsets", target_arch = "wasm32"))]
#[path = "charset/browser.rs"]
pub(crate) mod backend;
/// UTF-8, UTF-16 and byte order marks with std: the browser backend's, tested natively too.
#[cfg(any(test, all(feature = "browser-charsets", target_arch = "wasm32")))]
#[path = "charset/portable.rs"]
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
    /// (decoded as far as [`iso2022cn`](super::iso2022cn) can).
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

impl fmt::Display for CharsetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CharsetError::Unknown { label } => write!(f, "unknown charset {label:?}"),
            CharsetError::Unsupported { label, reason } => {
                write!(f, "unsupported charset {label:?}: {reason}")
            }
        }
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
            let (t, bad) = super::iso2022cn::decode(bytes);
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
/// For encoding_rs charsets each [`feed`](Self::feed) returns the text completed by that
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

    /// Feeds one piece; returns the text it completed (always empty when not streaming).
    pub fn feed(&mut self, bytes: &[u8], last: bool) -> String {
        self.saw_8bit |= bytes.iter().any(|&b| b >= 0x80);
        let Some(dec) = self.inner.as_mut() else {
            self.pending.extend_from_slice(bytes);
            return String::new();
        };
        let (out, bad) = dec.feed(bytes, last);
        self.had_errors |= bad;
        out
    }

    /// Ends the stream: the text of the non-streaming charsets, whether errors occurred, and
    /// whether 8-bit bytes came under an ASCII label.
    pub fn finish(mut self) -> (String, bool, bool) {
        let text = if self.inner.is_some() {
            String::new()
        } else {
            let d = decode_charset(self.charset, &self.pending);
            self.had_errors |= d.had_errors;
            d.text
        };
        (text, self.had_errors, self.ascii && self.saw_8bit)
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
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn fast_labels_match_the_table() {
        for label in ["utf-8", "UTF-8", "Utf-8", "us-ascii", "US-ASCII"] {
            assert_eq!(
                follow(label),
                follow_table(label),
                "fast path for {label:?} differs from the table"
            );
        }
    }

    #[test]
    fn labels_resolve_to_expected_encodings() {
        let cases: &[(&str, &str)] = &[
            ("UTF-8", "UTF-8"),
            ("utf8", "UTF-8"),
            (" \"utf-8\" ", "UTF-8"),
            ("us-ascii", "windows-1252"),
            ("iso-8859-1", "windows-1252"),
            ("latin1", "windows-1252"),
            ("latin-1", "windows-1252"),
            ("ISO-8859-15", "ISO-8859-15"),
            ("ks_c_5601-1987", "EUC-KR"),
            ("ks_c_5601", "EUC-KR"),
            ("x-euc-kr", "EUC-KR"),
            ("cp949", "EUC-KR"),
            ("windows-949", "EUC-KR"),
            ("euc-kr", "EUC-KR"),
            ("x-sjis", "Shift_JIS"),
            ("cp932", "Shift_JIS"),
            ("csISO2022JP", "ISO-2022-JP"),
            ("iso-2022-jp-2", "ISO-2022-JP"),
            ("gb2312", "GBK"),
            ("cp936", "GBK"),
            ("GB18030", "gb18030"),
            ("big5", "Big5"),
            ("cp950", "Big5"),
            ("koi8-r", "KOI8-R"),
            ("x-mac-roman", "macintosh"),
            ("x-mac-cyrillic", "x-mac-cyrillic"),
            ("windows-1251", "windows-1251"),
            ("cp1250", "windows-1250"),
            ("tis-620", "windows-874"),
            ("utf-16le", "UTF-16LE"),
            ("utf-16be", "UTF-16BE"),
        ];
        for (label, want) in cases {
            let got = lookup(label).map(|e| e.name());
            assert_eq!(got, Some(*want), "label {label:?}");
        }
        let special: &[(&str, &str)] = &[
            ("utf-16", "UTF-16"),
            ("UCS-2", "UTF-16"),
            ("utf-7", "UTF-7"),
            ("unicode-1-1-utf-7", "UTF-7"),
            ("utf-32", "UTF-32"),
            ("ISO-2022-KR", "ISO-2022-KR"),
            ("hz-gb-2312", "HZ-GB-2312"),
            ("ISO-2022-CN", "ISO-2022-CN"),
            ("csISO2022CN", "ISO-2022-CN"),
            ("iso-2022-cn-ext", "ISO-2022-CN-EXT"),
        ];
        for (label, want) in special {
            assert_eq!(
                resolve(label).map(Charset::name),
                Ok(*want),
                "label {label:?}"
            );
        }
    }

    #[test]
    fn unknown_and_unsupported_labels_are_errors() {
        for label in [
            "",
            "x-unknown",
            "unknown-8bit",
            "utf-9",
            "\u{e9}",
            &"a".repeat(200),
        ] {
            assert!(
                matches!(resolve(label), Err(CharsetError::Unknown { .. })),
                "label {label:?} gave {:?}",
                resolve(label)
            );
            assert!(decode(label, b"x").is_err(), "label {label:?}");
        }
        assert!(matches!(
            resolve("replacement"),
            Err(CharsetError::Unsupported { .. })
        ));
        assert_eq!(lookup("utf-7"), None, "UTF-7 has no encoding_rs encoding");
    }

    #[test]
    fn decodes_each_family() {
        let cases: &[(&str, &[u8], &str, &str, bool)] = &[
            ("euc-kr", b"\xbe\xc8\xb3\xe7", "안녕", "EUC-KR", false),
            (
                "ks_c_5601-1987",
                b"\xc7\xd1\xb1\xdb",
                "한글",
                "EUC-KR",
                false,
            ),
            ("shift_jis", b"\x93\xfa\x96\x7b", "日本", "Shift_JIS", false),
            (
                "iso-2022-jp",
                b"\x1b$BF|K\\\x1b(B",
                "日本",
                "ISO-2022-JP",
                false,
            ),
            ("gb2312", b"\xd6\xd0\xce\xc4", "中文", "GBK", false),
            ("big5", b"\xa4\xa4\xa4\xe5", "中文", "Big5", false),
            ("koi8-r", b"\xf0\xd2\xc9", "При", "KOI8-R", false),
            ("iso-8859-2", b"\xb1", "ą", "ISO-8859-2", false),
            ("utf-8", b"\xef\xbb\xbfcaf\xc3\xa9", "café", "UTF-8", false),
            ("utf-8", b"a\xffb", "a\u{FFFD}b", "UTF-8", true),
            ("utf-16", b"\x00h\x00i", "hi", "UTF-16BE", false),
            ("utf-16", b"\xff\xfeh\x00i\x00", "hi", "UTF-16LE", false),
            ("utf-16le", b"h\x00", "h", "UTF-16LE", false),
            ("utf-32", b"\x00\x00\x00h", "h", "UTF-32BE", false),
            (
                "utf-32",
                b"\xff\xfe\x00\x00h\x00\x00\x00",
                "h",
                "UTF-32LE",
                false,
            ),
            ("utf-32le", b"h\x00\x00", "\u{FFFD}", "UTF-32LE", true),
            (
                "utf-7",
                b"Hi Mom -+Jjo--!",
                "Hi Mom -\u{263A}-!",
                "UTF-7",
                false,
            ),
            ("utf-7", b"1 +- 1", "1 + 1", "UTF-7", false),
            ("utf-7", b"+ZeVnLIqe-", "日本語", "UTF-7", false),
            ("utf-7", b"+2D3eAQ-", "\u{1F601}", "UTF-7", false),
            ("utf-7", b"+2D3-", "\u{FFFD}", "UTF-7", true),
            (
                "iso-2022-kr",
                b"\x1b$)C\x0e>H3g\x0f!",
                "안녕!",
                "ISO-2022-KR",
                false,
            ),
            (
                "hz-gb-2312",
                b"a~~b~{VPND~}c",
                "a~b中文c",
                "HZ-GB-2312",
                false,
            ),
            ("hz-gb-2312", b"~x", "\u{FFFD}x", "HZ-GB-2312", true),
            (
                "iso-2022-cn",
                b"\x1b$)A\x0eVPND\x0f",
                "中文",
                "ISO-2022-CN",
                false,
            ),
            (
                "iso-2022-cn-ext",
                b"\x1b$)G\x0eD!\x0f \x1b$+I\x1bO!!",
                "一 \u{FFFD}",
                "ISO-2022-CN-EXT",
                true,
            ),
        ];
        for (label, bytes, text, enc, bad) in cases {
            let d = decode(label, bytes).unwrap_or_else(|e| panic!("{label}: {e}"));
            assert_eq!(
                (d.text.as_str(), d.encoding, d.had_errors),
                (*text, *enc, *bad),
                "label {label:?} bytes {bytes:?}"
            );
        }
    }

    #[test]
    fn us_ascii_reports_8bit() {
        let d = decode("us-ascii", b"caf\xe9").expect("known");
        assert_eq!(
            (d.text.as_str(), d.ascii_with_8bit),
            ("café", true),
            "us-ascii 8-bit"
        );
        let d = decode("us-ascii", b"cafe").expect("known");
        assert!(!d.ascii_with_8bit, "plain ascii");
        let d = decode("iso-8859-1", b"caf\xe9").expect("known");
        assert!(!d.ascii_with_8bit, "latin1 is not ascii");
    }

    #[test]
    fn stream_decoder_joins_split_characters() {
        let (cs, ascii) = resolve_with_ascii("utf-8").expect("known");
        let mut s = StreamDecoder::new(cs, ascii);
        assert!(s.is_streaming());
        let a = s.feed(b"\xec\x95", false);
        let b = s.feed(b"\x88x", true);
        assert_eq!((a.as_str(), b.as_str()), ("", "안x"), "split utf-8");
        let (rest, bad, _) = s.finish();
        assert_eq!((rest.as_str(), bad), ("", false));
        let (cs, ascii) = resolve_with_ascii("utf-7").expect("known");
        let mut s = StreamDecoder::new(cs, ascii);
        assert!(!s.is_streaming());
        s.feed(b"+ZeV", false);
        s.feed(b"nLA-", true);
        assert_eq!(s.finish().0, "日本", "utf-7 joined");
    }

    /// Every encoding of the WHATWG Encoding Standard except "replacement": the single-byte
    /// ones (`portable::SINGLE_BYTE`) and these.
    const MULTI_BYTE_AND_UTF: &[&Encoding] = &[
        encoding_rs::UTF_8,
        encoding_rs::GBK,
        encoding_rs::GB18030,
        encoding_rs::BIG5,
        encoding_rs::EUC_JP,
        encoding_rs::ISO_2022_JP,
        encoding_rs::SHIFT_JIS,
        encoding_rs::EUC_KR,
        encoding_rs::UTF_16BE,
        encoding_rs::UTF_16LE,
        encoding_rs::X_USER_DEFINED,
    ];

    fn all_whatwg() -> impl Iterator<Item = &'static Encoding> {
        portable::SINGLE_BYTE
            .iter()
            .chain(MULTI_BYTE_AND_UTF)
            .copied()
    }

    /// The backend of this build (in the `browser-charsets` build on wasm32: the browser's
    /// `TextDecoder`) gives what encoding_rs gives, text and error flag, for well-formed text
    /// and for random bytes, whole and cut into pieces, in every WHATWG encoding.
    #[test]
    fn backend_matches_encoding_rs() {
        let mut rng = crate::testutil::XorShift::new(0xC0DE_C0DE);
        let sample = "Grüße, Привет, Ελληνικά, עברית, العربية, ไทย, 안녕하세요, 日本語のテキスト, \
                      中文字符, 繁體中文, ½ € © … ~ \\ ¥ 😀";
        for e in all_whatwg() {
            let (valid, _, _) = e.output_encoding().encode(sample);
            let mut inputs = vec![valid.into_owned()];
            for round in 0..150 {
                let len = rng.below(32);
                let mut b = rng.bytes(len, b"\x1b$B(J@AI\x0e\x0fa~", round % 2 == 0);
                if round % 5 == 0 {
                    b.splice(0..0, [0xEF, 0xBB, 0xBF]);
                }
                inputs.push(b);
            }
            for bytes in &inputs {
                for bom in [Bom::Keep, Bom::Remove] {
                    let (t, used, bad) = backend::decode(e, bom, bytes);
                    let (want, want_bad) = match bom {
                        Bom::Remove => e.decode_with_bom_removal(bytes),
                        _ => e.decode_without_bom_handling(bytes),
                    };
                    assert_eq!(
                        (t.as_str(), used.name(), bad),
                        (want.as_ref(), e.name(), want_bad),
                        "{} {bom:?} {bytes:02X?}",
                        e.name()
                    );
                }
                let mut cuts: Vec<usize> = (0..1 + rng.below(3))
                    .map(|_| rng.below(bytes.len() + 1))
                    .collect();
                cuts.sort_unstable();
                let mut ours = backend::Decoder::new(e, Bom::Remove);
                let mut theirs = e.new_decoder_with_bom_removal();
                let (mut a, mut b, mut bad_a, mut bad_b) =
                    (String::new(), String::new(), false, false);
                let mut from = 0;
                for (i, &to) in cuts.iter().chain([bytes.len()].iter()).enumerate() {
                    let piece = bytes.get(from..to).unwrap_or_default();
                    let last = i == cuts.len();
                    let (t, bad) = ours.feed(piece, last);
                    a.push_str(&t);
                    bad_a |= bad;
                    b.reserve(theirs.max_utf8_buffer_length(piece.len()).unwrap_or(0) + 16);
                    let (_, _, bad) = theirs.decode_to_string(piece, &mut b, last);
                    bad_b |= bad;
                    from = to;
                }
                assert_eq!(
                    (a.as_str(), bad_a),
                    (b.as_str(), bad_b),
                    "{} cut at {cuts:?}: {bytes:02X?}",
                    e.name()
                );
            }
        }
    }

    /// Every code of the multi-byte encodings (GB18030's four-byte codes sampled) and every
    /// byte of the single-byte ones, concatenated, decodes in this build's backend as in
    /// encoding_rs: in the browser-charsets build, Chromium's mapping tables against
    /// encoding_rs's, character by character.
    #[test]
    fn every_code_decodes_as_in_encoding_rs() {
        let range = |lo: u8, hi: u8| lo..=hi;
        let pairs = |leads: &[std::ops::RangeInclusive<u8>],
                     trails: &[std::ops::RangeInclusive<u8>]| {
            let mut v = Vec::new();
            for l in leads.iter().cloned().flatten() {
                for t in trails.iter().cloned().flatten() {
                    v.extend_from_slice(&[l, t]);
                }
            }
            v
        };
        // (encoding, bytes put before each chunk, bytes per code, the codes)
        let mut cases: Vec<(&'static Encoding, &[u8], usize, Vec<u8>)> = vec![
            (
                encoding_rs::GBK,
                b"",
                2,
                pairs(
                    &[range(0x81, 0xFE)],
                    &[range(0x40, 0x7E), range(0x80, 0xFE)],
                ),
            ),
            (
                encoding_rs::BIG5,
                b"",
                2,
                pairs(
                    &[range(0x81, 0xFE)],
                    &[range(0x40, 0x7E), range(0xA1, 0xFE)],
                ),
            ),
            (
                encoding_rs::EUC_KR,
                b"",
                2,
                pairs(&[range(0x81, 0xFE)], &[range(0x41, 0xFE)]),
            ),
            (
                encoding_rs::SHIFT_JIS,
                b"",
                2,
                pairs(
                    &[range(0x81, 0x9F), range(0xE0, 0xFC)],
                    &[range(0x40, 0x7E), range(0x80, 0xFC)],
                ),
            ),
            (
                encoding_rs::EUC_JP,
                b"",
                2,
                pairs(
                    &[range(0xA1, 0xFE), range(0x8E, 0x8E)],
                    &[range(0xA1, 0xFE)],
                ),
            ),
            (
                encoding_rs::EUC_JP,
                b"",
                3,
                pairs(&[range(0xA1, 0xFE)], &[range(0xA1, 0xFE)])
                    .chunks(2)
                    .flat_map(|p| [0x8F, p[0], p[1]])
                    .collect(),
            ),
            (
                encoding_rs::ISO_2022_JP,
                b"\x1b$B",
                2,
                pairs(&[range(0x21, 0x7E)], &[range(0x21, 0x7E)]),
            ),
            (
                encoding_rs::ISO_2022_JP,
                b"\x1b(I",
                1,
                (0x21..=0x5F).collect(),
            ),
            (
                encoding_rs::ISO_2022_JP,
                b"\x1b(J",
                1,
                (0x20..=0x7E).collect(),
            ),
        ];
        let mut gb = pairs(
            &[range(0x81, 0xFE)],
            &[range(0x40, 0x7E), range(0x80, 0xFE)],
        );
        cases.push((encoding_rs::GB18030, b"", 2, std::mem::take(&mut gb)));
        for b1 in [0x81, 0x82, 0x83, 0x84, 0x85, 0x90, 0x95, 0xE3, 0xE4, 0xFE] {
            for b2 in 0x30..=0x39 {
                for b3 in 0x81..=0xFE {
                    for b4 in 0x30..=0x39 {
                        gb.extend_from_slice(&[b1, b2, b3, b4]);
                    }
                }
            }
        }
        cases.push((encoding_rs::GB18030, b"", 4, gb));
        let all_bytes: Vec<u8> = (0..=255).collect();
        for &e in portable::SINGLE_BYTE
            .iter()
            .chain([encoding_rs::X_USER_DEFINED].iter())
        {
            cases.push((e, b"", 1, all_bytes.clone()));
        }
        let rs = |e: &'static Encoding, b: &[u8]| {
            let (t, bad) = e.decode_without_bom_handling(b);
            (t.into_owned(), bad)
        };
        let ours = |e: &'static Encoding, b: &[u8]| {
            let (t, _, bad) = backend::decode(e, Bom::Keep, b);
            (t, bad)
        };
        let mut diffs = Vec::new();
        for (e, prefix, unit, codes) in &cases {
            // Chunks of 256 codes; a chunk that differs is compared code by code.
            for chunk in codes.chunks(256 * unit) {
                let bytes = [*prefix, chunk].concat();
                if ours(e, &bytes) == rs(e, &bytes) {
                    continue;
                }
                for code in chunk.chunks(*unit) {
                    let bytes = [*prefix, code].concat();
                    let (a, b) = (ours(e, &bytes), rs(e, &bytes));
                    if a != b {
                        diffs.push(format!(
                            "{} {code:02X?}: backend {:?} {}, encoding_rs {:?} {}",
                            e.name(),
                            a.0,
                            a.1,
                            b.0,
                            b.1
                        ));
                    }
                }
            }
        }
        assert!(
            diffs.is_empty(),
            "{} codes differ:\n{}",
            diffs.len(),
            diffs
                .iter()
                .take(60)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        );
    }

    /// The four Big5 codes that decode to two code points (which the browser backend decodes
    /// itself, as Chromium gets them wrong), in every context and cut at every pair of points.
    #[test]
    fn big5_two_code_point_codes_split_anywhere() {
        let bytes: &[u8] =
            b"a\x88\x62\x88\x64b\xa4\x40\x88\xa3\x88\xa5\x88\x40\xa4\x88\x62\x88\x88\x62\x88";
        let (whole, _, bad) = backend::decode(encoding_rs::BIG5, Bom::Remove, bytes);
        let (want, want_bad) = encoding_rs::BIG5.decode_without_bom_handling(bytes);
        assert_eq!((whole.as_str(), bad), (want.as_ref(), want_bad), "whole");
        assert!(
            whole.starts_with("a\u{CA}\u{304}\u{CA}\u{30C}b"),
            "{whole:?}"
        );
        for x in 0..=bytes.len() {
            for y in x..=bytes.len() {
                let mut d = backend::Decoder::new(encoding_rs::BIG5, Bom::Remove);
                let mut text = String::new();
                let mut any_bad = false;
                for (piece, last) in [(0, x, false), (x, y, false), (y, bytes.len(), true)]
                    .map(|(from, to, last)| (bytes.get(from..to).unwrap_or_default(), last))
                {
                    let (t, bad) = d.feed(piece, last);
                    text.push_str(&t);
                    any_bad |= bad;
                }
                assert_eq!(
                    (text.as_str(), any_bad),
                    (want.as_ref(), want_bad),
                    "cut at {x} and {y}"
                );
            }
        }
    }

    /// In ISO-2022-JP, after a failed escape sequence (`ESC $` or `ESC (` followed by a byte
    /// that ends none), the WHATWG decoder's "escape" state returns an error and puts the lead
    /// and the byte back ("restore « lead, byte » to ioQueue", Encoding Standard §12.2.1 step
    /// 8); if that byte is an error in the state it is read again in (SO, SI or above 0x7F in
    /// ASCII; ESC as a JIS X 0208 trail byte, …) that is a second error. encoding_rs follows the
    /// standard (two U+FFFD); Chromium's `TextDecoder` gives one, which is why the browser
    /// backend runs the ISO-2022-JP state machine itself. Every build gives the standard's text.
    #[test]
    fn iso2022jp_failed_escape_is_two_errors() {
        let cases: &[(&[u8], &str, &str)] = &[
            (b"\x1b$\x0ez", "\u{FFFD}$\u{FFFD}z", "\u{FFFD}$z"),
            (b"\x1b(\x0fz", "\u{FFFD}(\u{FFFD}z", "\u{FFFD}(z"),
            (b"\x1b$\x80z", "\u{FFFD}$\u{FFFD}z", "\u{FFFD}$z"),
            (b"\x1b(\xffz", "\u{FFFD}(\u{FFFD}z", "\u{FFFD}(z"),
        ];
        for (bytes, standard, chromium) in cases {
            let (rs, rs_bad) = encoding_rs::ISO_2022_JP.decode_without_bom_handling(bytes);
            assert_eq!(
                (rs.as_ref(), rs_bad),
                (*standard, true),
                "encoding_rs {bytes:02X?}"
            );
            let d = decode_charset(Charset::Whatwg(encoding_rs::ISO_2022_JP), bytes);
            assert_eq!(
                (d.text.as_str(), d.had_errors),
                (*standard, true),
                "{bytes:02X?} (Chromium's TextDecoder gives {chromium:?})"
            );
        }
    }

    #[test]
    fn hostile_bytes_never_panic() {
        let mut rng = crate::testutil::XorShift::new(0x9E37_79B9_7F4A_7C15);
        let labels = [
            "utf-7",
            "utf-16",
            "utf-32",
            "iso-2022-kr",
            "hz-gb-2312",
            "iso-2022-cn",
            "iso-2022-cn-ext",
            "iso-2022-jp",
            "euc-kr",
            "us-ascii",
            "gb18030",
        ];
        for round in 0..200 {
            let buf = rng.bytes(round % 61, b"", true);
            for l in labels {
                let d = decode(l, &buf).expect("known label");
                assert!(
                    d.text.len() <= buf.len() * 3 + 4,
                    "{l}: output {} for input {}",
                    d.text.len(),
                    buf.len()
                );
            }
        }
    }
}
