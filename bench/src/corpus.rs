//! The benchmark corpora, generated from a fixed seed so every run measures the same bytes.
//!
//! Messages mix what real mail carries: text in UTF-8, EUC-KR, ISO-2022-JP, Shift_JIS, GB18030,
//! KOI8-R and ISO-8859-1/windows-1252 bodies (7bit, 8bit, quoted-printable, base64), RFC 2047
//! encoded-word headers in those charsets, multipart/alternative, multipart/related,
//! multipart/mixed with base64 attachments and RFC 2231 file names, forwarded message/rfc822
//! parts, and a share of malformed messages (missing close delimiter, bad base64, unknown
//! charset, broken encoded-words, bare LF line endings).

use encoding_rs::{Encoding, EUC_KR, GB18030, ISO_2022_JP, KOI8_R, SHIFT_JIS, UTF_8, WINDOWS_1252};

/// A small, fast deterministic generator (SplitMix64).
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// A number in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(n + 8);
        while out.len() < n {
            out.extend_from_slice(&self.next_u64().to_le_bytes());
        }
        out.truncate(n);
        out
    }
}

/// A language sample and the charsets it is commonly sent in.
struct Lang {
    subject: &'static str,
    sentences: &'static [&'static str],
    charsets: &'static [(&'static str, &'static Encoding)],
}

const LANGS: &[Lang] = &[
    Lang {
        subject: "Quarterly report and meeting notes",
        sentences: &[
            "Please find the quarterly figures attached.",
            "The meeting moved to Thursday at 10:00 in room 4.",
            "Let me know if anything in the draft looks wrong.",
            "Thanks again for the quick turnaround on the review!",
        ],
        charsets: &[("us-ascii", UTF_8), ("utf-8", UTF_8)],
    },
    Lang {
        subject: "안녕하세요. 회의 일정 안내입니다",
        sentences: &[
            "안녕하세요. 다음 주 회의 일정을 알려드립니다.",
            "첨부된 보고서를 확인해 주시기 바랍니다.",
            "궁금한 점이 있으면 언제든지 연락 주세요.",
            "감사합니다. 좋은 하루 보내세요.",
        ],
        charsets: &[
            ("euc-kr", EUC_KR),
            ("ks_c_5601-1987", EUC_KR),
            ("utf-8", UTF_8),
        ],
    },
    Lang {
        subject: "こんにちは、会議の資料について",
        sentences: &[
            "いつもお世話になっております。",
            "来週の会議の資料を添付いたします。",
            "ご不明な点がございましたらお知らせください。",
            "よろしくお願いいたします。",
        ],
        charsets: &[
            ("iso-2022-jp", ISO_2022_JP),
            ("shift_jis", SHIFT_JIS),
            ("utf-8", UTF_8),
        ],
    },
    Lang {
        subject: "你好，关于下周的会议安排",
        sentences: &[
            "您好，附件是本季度的报告。",
            "会议改到星期四上午十点。",
            "如有问题请随时联系我。",
        ],
        charsets: &[("gb18030", GB18030), ("gbk", GB18030), ("utf-8", UTF_8)],
    },
    Lang {
        subject: "Привет! Отчёт за квартал",
        sentences: &[
            "Добрый день, отчёт во вложении.",
            "Встреча перенесена на четверг.",
            "Спасибо за быструю проверку!",
        ],
        charsets: &[("koi8-r", KOI8_R), ("utf-8", UTF_8)],
    },
    Lang {
        subject: "Grüße aus München – Änderungen",
        sentences: &[
            "Schöne Grüße aus der Straße am Fluss.",
            "Die Besprechung ist auf Donnerstag verschoben.",
            "Bitte prüfen Sie die Änderungen im Entwurf.",
        ],
        charsets: &[
            ("iso-8859-1", WINDOWS_1252),
            ("windows-1252", WINDOWS_1252),
            ("utf-8", UTF_8),
        ],
    },
];

const NAMES: &[&str] = &[
    "Alice Example",
    "Bob Smith",
    "김민수",
    "山田太郎",
    "Jörg Müller",
    "Иван Петров",
    "Carol O'Neil",
];

const CRLF: &[u8] = b"\r\n";

/// Base64 with 76-column lines ([RFC 2045 §6.8](https://www.rfc-editor.org/rfc/rfc2045#section-6.8)).
pub(crate) fn base64_lines(data: &[u8]) -> Vec<u8> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::with_capacity(data.len() * 4 / 3 + data.len() / 38 + 8);
    let mut col = 0;
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let quad = [
            ALPHABET[(n >> 18) as usize & 63],
            ALPHABET[(n >> 12) as usize & 63],
            if chunk.len() > 1 {
                ALPHABET[(n >> 6) as usize & 63]
            } else {
                b'='
            },
            if chunk.len() > 2 {
                ALPHABET[n as usize & 63]
            } else {
                b'='
            },
        ];
        out.extend_from_slice(&quad);
        col += 4;
        if col == 76 {
            out.extend_from_slice(CRLF);
            col = 0;
        }
    }
    if col > 0 {
        out.extend_from_slice(CRLF);
    }
    out
}

fn base64_word(data: &[u8]) -> String {
    let mut s = base64_lines(data);
    s.retain(|&b| b != b'\r' && b != b'\n');
    String::from_utf8(s).unwrap_or_default()
}

/// Quoted-printable with soft breaks at 76 columns ([RFC 2045 §6.7](https://www.rfc-editor.org/rfc/rfc2045#section-6.7)).
fn quoted_printable(data: &[u8]) -> Vec<u8> {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = Vec::with_capacity(data.len() * 2);
    let mut col = 0;
    let mut i = 0;
    while i < data.len() {
        let b = data[i];
        if b == b'\r' && data.get(i + 1) == Some(&b'\n') {
            out.extend_from_slice(CRLF);
            col = 0;
            i += 2;
            continue;
        }
        let literal = (b' '..=b'~').contains(&b) && b != b'=';
        let width = if literal { 1 } else { 3 };
        if col + width > 75 {
            out.extend_from_slice(b"=\r\n");
            col = 0;
        }
        if literal {
            out.push(b);
        } else {
            out.extend_from_slice(&[b'=', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
        }
        col += width;
        i += 1;
    }
    out
}

fn encoded_word(text: &str, charset: &str, enc: &'static Encoding) -> String {
    let (bytes, _, _) = enc.encode(text);
    format!("=?{charset}?B?{}?=", base64_word(&bytes))
}

/// Text of about `size` bytes in `lang`, lines joined by CRLF.
fn paragraph(rng: &mut Rng, lang: &Lang, size: usize) -> String {
    let mut s = String::with_capacity(size + 80);
    while s.len() < size {
        s.push_str(rng.pick::<&str>(lang.sentences));
        s.push_str(if rng.chance(30) { "\r\n" } else { " " });
    }
    s.push_str("\r\n");
    s
}

fn address(rng: &mut Rng, n: usize) -> String {
    let name = *rng.pick(NAMES);
    let addr = format!("user{n}@example{}.org", rng.below(9));
    if name.is_ascii() {
        format!("\"{name}\" <{addr}>")
    } else {
        format!("{} <{addr}>", encoded_word(name, "utf-8", UTF_8))
    }
}

/// How an entity is damaged, for the malformed share of the corpus.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Defect {
    None,
    NoCloseDelimiter,
    BadBase64,
    UnknownCharset,
    BrokenWord,
    BareLf,
}

/// A text leaf: header lines and body.
fn text_part(rng: &mut Rng, lang: &Lang, html: bool, size: usize, defect: Defect) -> Vec<u8> {
    let (label, enc) = *rng.pick(lang.charsets);
    let label = if defect == Defect::UnknownCharset {
        "x-unknown-8bit"
    } else {
        label
    };
    let mut text = paragraph(rng, lang, size);
    if html {
        text = format!(
            "<html><body><p>{}</p></body></html>\r\n",
            text.replace("\r\n", "<br>\r\n")
        );
    }
    let (bytes, _, _) = enc.encode(&text);
    let subtype = if html { "html" } else { "plain" };
    let ascii = bytes.is_ascii();
    let cte = match (ascii, rng.below(3)) {
        (true, 0) | (true, 1) => "7bit",
        (_, 0) if label != "iso-2022-jp" => "8bit",
        (_, 1) => "quoted-printable",
        _ => "base64",
    };
    let mut out = format!(
        "Content-Type: text/{subtype}; charset=\"{label}\"\r\nContent-Transfer-Encoding: {cte}\r\n\r\n"
    )
    .into_bytes();
    match cte {
        "quoted-printable" => out.extend_from_slice(&quoted_printable(&bytes)),
        "base64" => {
            let mut b = base64_lines(&bytes);
            if defect == Defect::BadBase64 && b.len() > 10 {
                let mid = b.len() / 2;
                b[mid] = b'!';
            }
            out.extend_from_slice(&b);
        }
        _ => out.extend_from_slice(&bytes),
    }
    out
}

fn attachment(rng: &mut Rng, size: usize) -> Vec<u8> {
    let kinds: &[(&str, &str)] = &[
        ("application/pdf", "report"),
        ("image/png", "chart"),
        ("application/zip", "archive"),
        ("application/octet-stream", "data"),
    ];
    let (ctype, stem) = *rng.pick(kinds);
    let ext = ctype.rsplit('/').next().unwrap_or("bin");
    let mut out = if rng.chance(50) {
        format!(
            "Content-Type: {ctype}; name=\"{stem}.{ext}\"\r\nContent-Disposition: attachment; filename=\"{stem}.{ext}\"\r\n"
        )
    } else {
        // RFC 2231 file name in UTF-8, split into continuations.
        format!(
            "Content-Type: {ctype}\r\nContent-Disposition: attachment;\r\n filename*0*=UTF-8''%EB%B3%B4%EA%B3%A0%EC%84%9C;\r\n filename*1=\"-{stem}.{ext}\"\r\n"
        )
    }
    .into_bytes();
    out.extend_from_slice(b"Content-Transfer-Encoding: base64\r\n\r\n");
    out.extend_from_slice(&base64_lines(&rng.bytes(size)));
    out
}

fn multipart(rng: &mut Rng, subtype: &str, parts: Vec<Vec<u8>>, defect: Defect) -> Vec<u8> {
    let boundary = format!("=_b{:016x}", rng.next_u64());
    let mut out =
        format!("Content-Type: multipart/{subtype}; boundary=\"{boundary}\"\r\n\r\n").into_bytes();
    out.extend_from_slice(b"This is a multi-part message in MIME format.\r\n");
    for p in parts {
        out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        out.extend_from_slice(&p);
        if !p.ends_with(CRLF) {
            out.extend_from_slice(CRLF);
        }
    }
    if defect != Defect::NoCloseDelimiter {
        out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    }
    out
}

/// Top-level header fields (without the MIME ones, which the body's first lines carry).
fn top_header(rng: &mut Rng, lang: &Lang, n: usize, defect: Defect) -> Vec<u8> {
    let (label, enc) = *rng.pick(lang.charsets);
    let subject = if lang.subject.is_ascii() {
        lang.subject.to_string()
    } else if defect == Defect::BrokenWord {
        format!("=?{label}?B?{}?= tail", "####")
    } else {
        encoded_word(lang.subject, label, enc)
    };
    let mut h = String::new();
    for hop in 0..rng.range(1, 4) {
        h.push_str(&format!(
            "Received: from mx{hop}.example.net (mx{hop}.example.net [192.0.2.{hop}])\r\n\tby mail.example.org with ESMTPS id {:x}\r\n\tfor <user{n}@example.org>; Tue, 1 Jul 2025 10:52:{hop:02} +0200\r\n",
            rng.next_u64()
        ));
    }
    h.push_str(&format!("From: {}\r\n", address(rng, n)));
    let to: Vec<String> = (0..rng.range(1, 4)).map(|i| address(rng, n + i)).collect();
    h.push_str(&format!("To: {}\r\n", to.join(",\r\n ")));
    if rng.chance(40) {
        h.push_str(&format!("Cc: {}\r\n", address(rng, n + 7)));
    }
    h.push_str(&format!("Subject: {subject}\r\n"));
    h.push_str(&format!(
        "Date: {}, {} Jul 2025 {:02}:{:02}:{:02} +0900\r\n",
        rng.pick(&["Mon", "Tue", "Wed", "Thu", "Fri"]),
        rng.range(1, 28),
        rng.below(24),
        rng.below(60),
        rng.below(60)
    ));
    h.push_str(&format!(
        "Message-ID: <{:x}.{n}@example.org>\r\nMIME-Version: 1.0\r\nX-Mailer: bench-generator 1.0\r\n",
        rng.next_u64()
    ));
    h.into_bytes()
}

/// How big a message's pieces are.
#[derive(Clone, Copy)]
pub(crate) struct Sizes {
    /// Text body size range in bytes.
    pub(crate) text: (usize, usize),
    /// Attachment size range in bytes (before base64).
    pub(crate) attachment: (usize, usize),
}

/// One message; `n` varies names and ids.
pub(crate) fn message(rng: &mut Rng, n: usize, sizes: Sizes) -> Vec<u8> {
    let lang = rng.pick(LANGS);
    let defect = if rng.chance(10) {
        *rng.pick(&[
            Defect::NoCloseDelimiter,
            Defect::BadBase64,
            Defect::UnknownCharset,
            Defect::BrokenWord,
            Defect::BareLf,
        ])
    } else {
        Defect::None
    };
    let text_size = rng.range(sizes.text.0, sizes.text.1);
    let att = |rng: &mut Rng| rng.range(sizes.attachment.0, sizes.attachment.1);
    let mut msg = top_header(rng, lang, n, defect);
    let body = match rng.below(6) {
        0 => text_part(rng, lang, false, text_size, defect),
        1 => {
            let parts = vec![
                text_part(rng, lang, false, text_size, defect),
                text_part(rng, lang, true, text_size, defect),
            ];
            multipart(rng, "alternative", parts, defect)
        }
        2 | 3 => {
            let parts = vec![
                text_part(rng, lang, false, text_size, defect),
                text_part(rng, lang, true, text_size, defect),
            ];
            let alt = multipart(rng, "alternative", parts, Defect::None);
            let mut parts = vec![alt];
            for _ in 0..rng.range(1, 3) {
                let size = att(rng);
                parts.push(attachment(rng, size));
            }
            multipart(rng, "mixed", parts, defect)
        }
        4 => {
            let html = text_part(rng, lang, true, text_size, defect);
            let size = att(rng) / 4;
            let mut image = b"Content-ID: <logo@example.org>\r\n".to_vec();
            image.extend_from_slice(&attachment(rng, size));
            multipart(rng, "related", vec![html, image], defect)
        }
        _ => {
            // A forward: a note and the original message as message/rfc822.
            let inner_lang = rng.pick(LANGS);
            let mut inner = top_header(rng, inner_lang, n + 100, Defect::None);
            let parts = vec![
                text_part(rng, inner_lang, false, text_size, Defect::None),
                text_part(rng, inner_lang, true, text_size, Defect::None),
            ];
            let inner_body = multipart(rng, "alternative", parts, Defect::None);
            inner.extend_from_slice(&inner_body);
            let mut fwd = b"Content-Type: message/rfc822\r\n\r\n".to_vec();
            fwd.extend_from_slice(&inner);
            let note = text_part(rng, lang, false, text_size / 4 + 16, defect);
            multipart(rng, "mixed", vec![note, fwd], defect)
        }
    };
    msg.extend_from_slice(&body);
    if defect == Defect::BareLf {
        msg.retain(|&b| b != b'\r');
    }
    msg
}

/// A corpus: `count` messages generated from `seed`.
pub(crate) fn corpus(seed: u64, count: usize, sizes: Sizes) -> Vec<Vec<u8>> {
    let mut rng = Rng::new(seed);
    (0..count).map(|n| message(&mut rng, n, sizes)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailscope_core::mime::parse::parse_message;

    const SMALL: Sizes = Sizes {
        text: (200, 2_000),
        attachment: (100, 4_000),
    };

    #[test]
    fn corpus_is_deterministic() {
        let a = corpus(7, 20, SMALL);
        let b = corpus(7, 20, SMALL);
        assert_eq!(a, b, "same seed, same corpus");
        assert_ne!(a, corpus(8, 20, SMALL), "another seed, another corpus");
    }

    #[test]
    fn corpus_parses_with_the_charsets_it_names() {
        let msgs = corpus(1, 200, SMALL);
        let all: Vec<u8> = msgs.concat();
        for label in [
            "euc-kr",
            "iso-2022-jp",
            "shift_jis",
            "utf-8",
            "koi8-r",
            "gb18030",
        ] {
            assert!(
                all.windows(label.len()).any(|w| w == label.as_bytes()),
                "corpus names charset {label}"
            );
        }
        let mut texts = 0;
        for m in &msgs {
            let parsed = parse_message(m);
            texts += (0..parsed.entities.len())
                .filter(|&i| parsed.text(i).is_some())
                .count();
        }
        assert!(
            texts >= 200,
            "at least one text part per message, found {texts}"
        );
    }

    #[test]
    fn base64_and_qp_match_known_values() {
        assert_eq!(base64_lines(b"hello"), b"aGVsbG8=\r\n".to_vec());
        assert_eq!(base64_lines(b""), Vec::<u8>::new());
        assert_eq!(
            quoted_printable("é=\r\n".as_bytes()),
            b"=C3=A9=3D\r\n".to_vec()
        );
        let long = quoted_printable(&[b'a'; 200]);
        assert!(
            long.split(|&b| b == b'\n').all(|l| l.len() <= 77),
            "QP lines are at most 76 characters plus CR"
        );
    }
}
