//! What can go wrong in the Tools view, as the reader is told it ([`UserError`]).

use mailscope_core::codec::base64::Base64Error;
use mailscope_core::i18n as core_i18n;
use mailscope_core::mime::charset::CharsetError;
use mailscope_core::mime::encoded_word::EncodeError;
use mailscope_core::smtp::reply::ReplyError;

use crate::state::error::UserError;
use crate::state::i18n::{tr, trf, Lang};

/// Why a tool has no answer for its input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolsError {
    /// The core could not encode the text as encoded-words in the charset.
    Encode(EncodeError),
    /// The parse worker could not encode the text; its reason as it gave it (the worker's
    /// channel carries text).
    Worker(String),
    /// The input is not base64.
    NotBase64(Base64Error),
    /// The charset chosen to read decoded bytes is unknown or not supported.
    Charset(CharsetError),
    /// The AUTH decoder has no line to read.
    NoAuthLine,
    /// The AUTH decoder's first line is another command.
    NotAuth {
        /// The command's verb.
        verb: String,
    },
    /// The AUTH decoder's first line is not a command.
    NotACommand,
    /// The reply inspector's input is not a server reply.
    NotAReply(ReplyError),
}

impl UserError for ToolsError {
    fn what(&self, lang: Lang) -> String {
        match self {
            ToolsError::Encode(e) => encode_what(lang, e),
            ToolsError::Charset(e) => charset_what(lang, e),
            ToolsError::Worker(reason) => trf(
                lang,
                "The parse worker could not encode the text: {reason}",
                &[("reason", reason)],
            ),
            ToolsError::NotBase64(Base64Error::InvalidByte { offset, byte }) => trf(
                lang,
                "This is not base64: the byte 0x{byte} at offset {offset} is outside its alphabet.",
                &[("byte", &format!("{byte:02x}")), ("offset", offset)],
            ),
            ToolsError::NotBase64(Base64Error::BadLength { len }) => trf(
                lang,
                "This is not base64: its length, {len}, is not a multiple of four.",
                &[("len", len)],
            ),
            ToolsError::NotBase64(_) => tr(lang, "This is not base64.").into(),
            ToolsError::NoAuthLine => tr(lang, "There is no AUTH command to decode.").into(),
            ToolsError::NotAuth { verb } => trf(
                lang,
                "The first line is {verb}, not AUTH.",
                &[("verb", verb)],
            ),
            ToolsError::NotACommand => tr(lang, "The first line is neither a command nor base64.").into(),
            ToolsError::NotAReply(ReplyError::Malformed {
                offset,
                expected,
                found,
            }) => trf(
                lang,
                "This is not a server reply: at byte {offset} the core expected {expected} and found {found}.",
                &[
                    ("offset", offset),
                    ("expected", &core_i18n::text(lang, expected)),
                    ("found", &format!("{found:?}")),
                ],
            ),
            ToolsError::NotAReply(ReplyError::LineTooLong { offset }) => trf(
                lang,
                "The line at byte {offset} is longer than a reply line may be.",
                &[("offset", offset)],
            ),
            ToolsError::NotAReply(_) => {
                tr(lang, "This reply has more lines than the core reads.").into()
            }
        }
    }

    fn next_step(&self, lang: Lang) -> String {
        match self {
            ToolsError::Encode(EncodeError::Charset(_)) | ToolsError::Charset(_) => {
                tr(lang, "Type a charset name such as UTF-8, EUC-KR or ISO-2022-JP.")
            }
            ToolsError::Encode(_) | ToolsError::Worker(_) => tr(
                lang,
                "Remove the character, or pick a charset that has it, such as UTF-8.",
            ),
            ToolsError::NotBase64(_) => tr(
                lang,
                "Paste only the base64 text: A-Z, a-z, 0-9, + and /, with = at the end.",
            ),
            ToolsError::NoAuthLine | ToolsError::NotAuth { .. } | ToolsError::NotACommand => tr(
                lang,
                "Paste an AUTH command line first (or a bare base64 payload), then the 334 challenges and the answers, one a line.",
            ),
            ToolsError::NotAReply(_) => tr(
                lang,
                "Paste a reply as the server sent it, such as 250 OK or 550 5.1.1 User unknown.",
            ),
        }
        .to_string()
    }
}

/// Why the core could not encode, in `lang` (the core's reasons are translated by the core).
fn charset_what(lang: Lang, e: &CharsetError) -> String {
    match e {
        CharsetError::Unknown { label } => trf(
            lang,
            "No charset is called {label}.",
            &[("label", &format!("{label:?}"))],
        ),
        CharsetError::Unsupported { label, reason } => trf(
            lang,
            "{label} is a known charset, but Mailscope cannot use it: {reason}.",
            &[("label", label), ("reason", &core_i18n::text(lang, reason))],
        ),
        _ => tr(lang, "Mailscope cannot use this charset.").into(),
    }
}

fn encode_what(lang: Lang, e: &EncodeError) -> String {
    match e {
        EncodeError::Charset(c) => charset_what(lang, c),
        EncodeError::NoEncoder { charset } => trf(
            lang,
            "{charset} can be read but not written: there is no encoder for it.",
            &[("charset", charset)],
        ),
        EncodeError::Unmappable { ch, charset } => trf(
            lang,
            "{ch} (U+{code}) cannot be written in {charset}.",
            &[
                ("ch", &format!("{ch:?}")),
                ("code", &format!("{:04X}", u32::from(*ch))),
                ("charset", charset),
            ],
        ),
        EncodeError::Unavailable { charset } => trf(
            lang,
            "{charset} cannot be encoded on this page.",
            &[("charset", charset)],
        ),
        _ => tr(lang, "The core could not encode this text.").into(),
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::state::i18n::ready_for_tests;

    #[test]
    fn errors_name_what_is_wrong_in_both_languages() {
        ready_for_tests(Lang::Ko);
        let unmappable = ToolsError::Encode(EncodeError::Unmappable {
            ch: '☃',
            charset: "EUC-KR",
        });
        for lang in [Lang::En, Lang::Ko] {
            let what = unmappable.what(lang);
            assert!(what.contains('☃') && what.contains("2603"), "{what}");
            assert!(!unmappable.next_step(lang).is_empty());
        }
        assert_ne!(unmappable.what(Lang::En), unmappable.what(Lang::Ko));
        let b64 = ToolsError::NotBase64(Base64Error::InvalidByte {
            offset: 3,
            byte: b'!',
        });
        assert!(
            b64.what(Lang::En).contains("0x21"),
            "{}",
            b64.what(Lang::En)
        );
        assert_ne!(b64.next_step(Lang::En), b64.next_step(Lang::Ko));
    }
}
