//! Tests of charset resolution and decoding, both backends.

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
    let (mut a, mut b, mut rest) = (String::new(), String::new(), String::new());
    s.feed(b"\xec\x95", false, &mut a);
    s.feed(b"\x88x", true, &mut b);
    assert_eq!((a.as_str(), b.as_str()), ("", "안x"), "split utf-8");
    let (bad, _) = s.finish(&mut rest);
    assert_eq!((rest.as_str(), bad), ("", false));
    let (cs, ascii) = resolve_with_ascii("utf-7").expect("known");
    let mut s = StreamDecoder::new(cs, ascii);
    assert!(!s.is_streaming());
    let mut text = String::new();
    s.feed(b"+ZeV", false, &mut text);
    s.feed(b"nLA-", true, &mut text);
    assert_eq!(text, "", "utf-7 is not streamed");
    s.finish(&mut text);
    assert_eq!(text, "日本", "utf-7 joined");
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
            let (mut a, mut b, mut bad_a, mut bad_b) = (String::new(), String::new(), false, false);
            let mut from = 0;
            for (i, &to) in cuts.iter().chain([bytes.len()].iter()).enumerate() {
                let piece = bytes.get(from..to).unwrap_or_default();
                let last = i == cuts.len();
                bad_a |= ours.feed(piece, last, &mut a);
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
                any_bad |= d.feed(piece, last, &mut text);
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
