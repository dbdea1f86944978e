#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::decode::decode_b;
use super::*;
use crate::mime::charset::{self, Charset};

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
        let mut got = b"before".to_vec();
        let why = decode_b(text.as_bytes(), &mut got);
        let got = got.strip_prefix(b"before").unwrap_or_default();
        assert_eq!(
            (got, why.map(|m| m.english()).as_deref()),
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
