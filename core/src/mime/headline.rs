//! The three fields a message list shows — From, To and Subject — unfolded and decoded
//! (RFC 5322 §3.6, RFC 2047 encoded-words in any charset). The sandbox's HTTP API sends them
//! with each message and the web Mailbox reads them, so both use this one reader.

use serde::{Deserialize, Serialize};

use crate::mime::header::parse_header_section;
use crate::mime::parse::decode_field_text;

/// From, To and Subject of a message; `None` for a field that is absent.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Headline {
    /// `From:`, decoded.
    pub from: Option<String>,
    /// `To:`, decoded.
    pub to: Option<String>,
    /// `Subject:`, decoded.
    pub subject: Option<String>,
}

impl Headline {
    /// Reads the top-level header section of `raw` (total: any bytes give a value).
    pub fn read(raw: &[u8]) -> Headline {
        let section = parse_header_section(raw, 0, raw.len());
        let field = |name: &str| {
            section
                .fields
                .iter()
                .find(|f| f.name(raw).eq_ignore_ascii_case(name.as_bytes()))
                .map(|f| decode_field_text(f.raw_value(raw)).into_owned())
        };
        Headline {
            from: field("from"),
            to: field("to"),
            subject: field("subject"),
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn headlines_are_decoded() {
        let raw = b"From: =?UTF-8?B?7JWo66as7Iqk?= <alice@example.org>\r\nTo: bob@example.net\r\nSubject: =?EUC-KR?B?vsiz58fPvLy/5C4=?=\r\n\r\nhi\r\n";
        let h = Headline::read(raw);
        assert_eq!(h.subject.as_deref(), Some("안녕하세요."), "{h:?}");
        assert_eq!(
            h.from.as_deref(),
            Some("앨리스 <alice@example.org>"),
            "{h:?}"
        );
        assert_eq!(h.to.as_deref(), Some("bob@example.net"));
        let folded = Headline::read(b"subject: a\r\n b\r\n\r\n");
        assert_eq!(folded.subject.as_deref(), Some("a b"), "unfolded, any case");
        assert_eq!(
            serde_json::to_string(&Headline::read(b"Subject: x\r\n\r\n")).ok(),
            Some(r#"{"from":null,"to":null,"subject":"x"}"#.to_string())
        );
    }

    #[test]
    fn garbage_gives_empty_fields() {
        let none = Headline::read(b"\xff\x00garbage");
        assert_eq!((none.from, none.subject), (None, None));
        let mut rng = crate::testutil::XorShift::new(7);
        for _ in 0..300 {
            let len = rng.below(200);
            let bytes = rng.bytes(len, b"Subject:From =?\r\n\tB?", true);
            let _ = Headline::read(&bytes);
        }
    }
}
