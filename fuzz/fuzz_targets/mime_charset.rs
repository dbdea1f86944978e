//! Charset decoders: `mime::charset::decode` with a label taken from the input (every
//! encoding_rs label, UTF-7, ISO-2022-CN, …) and the streaming `StreamDecoder` fed the same
//! bytes in input-chosen pieces: both give the same text and the same error flag.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailscope_core::mime::charset::{decode, resolve_with_ascii, StreamDecoder};

/// Labels that reach every decoder family, picked by the first byte.
const LABELS: &[&str] = &[
    "utf-8",
    "us-ascii",
    "iso-8859-1",
    "windows-1252",
    "euc-kr",
    "ks_c_5601-1987",
    "shift_jis",
    "euc-jp",
    "iso-2022-jp",
    "gb2312",
    "gbk",
    "gb18030",
    "big5",
    "utf-16",
    "utf-16le",
    "utf-16be",
    "utf-7",
    "iso-2022-cn",
    "iso-2022-kr",
    "koi8-r",
    "x-mac-cyrillic",
    "tis-620",
];

fuzz_target!(|input: &[u8]| {
    let Some((&pick, data)) = input.split_first() else {
        return;
    };
    let (label, piece) = if usize::from(pick) < LABELS.len() * 8 {
        (
            LABELS[usize::from(pick) % LABELS.len()].to_string(),
            usize::from(pick / 32) + 1,
        )
    } else {
        // Any label: the part of the input up to the first NUL.
        let end = data
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(data.len().min(40));
        (String::from_utf8_lossy(&data[..end]).into_owned(), 3)
    };
    let whole = decode(&label, data);
    let Ok((charset, ascii)) = resolve_with_ascii(&label) else {
        assert!(whole.is_err(), "{label:?} decodes but does not resolve");
        return;
    };
    let Ok(whole) = whole else {
        panic!("{label:?} resolves but does not decode");
    };
    let mut stream = StreamDecoder::new(charset, ascii);
    let mut text = String::new();
    let pieces: Vec<&[u8]> = data.chunks(piece).collect();
    for (i, p) in pieces.iter().enumerate() {
        stream.feed(p, i + 1 == pieces.len(), &mut text);
    }
    if pieces.is_empty() {
        stream.feed(&[], true, &mut text);
    }
    let (had_errors, ascii_8bit) = stream.finish(&mut text);
    assert_eq!(text, whole.text, "{label:?} streamed in pieces of {piece}");
    assert_eq!(had_errors, whole.had_errors, "{label:?}");
    assert_eq!(ascii_8bit, whole.ascii_with_8bit, "{label:?}");
});
