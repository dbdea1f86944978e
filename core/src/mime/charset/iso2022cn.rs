//! ISO-2022-CN and ISO-2022-CN-EXT ([RFC 1922]), which encoding_rs lacks (the WHATWG Encoding
//! Standard maps both labels to the "replacement" encoding).
//!
//! Both are 7-bit: ASCII by default; a designator names the set of the double-byte characters
//! that follow a shift ([RFC 1922 §2]):
//!
//! | sequence | role | set | decoded through |
//! |---|---|---|---|
//! | `ESC $ ) A` | SO designation (G1) | GB 2312 | encoding_rs GBK: the pair + 0x8080 is the EUC-CN code |
//! | `ESC $ ) G` | SO designation (G1) | CNS 11643 plane 1 | encoding_rs Big5, by the correspondence below |
//! | `ESC $ ) E` | SO designation (G1), `-EXT` | ISO-IR-165 | its GB 2312 rows through GBK; the additions are U+FFFD |
//! | `ESC $ * H` | SS2 designation (G2) | CNS 11643 plane 2 | encoding_rs Big5, by the correspondence below |
//! | `ESC $ + I`…`M` | SS3 designation (G3), `-EXT` | CNS 11643 planes 3–7 | not decoded: U+FFFD |
//!
//! ("encoding_rs GBK/Big5" means the WHATWG GBK and Big5 decoders: encoding_rs's, or the
//! browser's `TextDecoder` in the web page's build, which give the same characters; see
//! [`charset`](super).)
//!
//! SO (0x0E) shifts to G1 until SI (0x0F); `ESC N` (SS2) and `ESC O` (SS3) take the next two
//! bytes from G2 or G3. A designation holds only until the end of its line: each line starts
//! in ASCII with nothing designated and must designate again before its first SO, SS2 or SS3
//! ([RFC 1922 §2]). So a CR or LF resets the designations and the shift state here, and a
//! shift with no designation earlier on the same line is an error (glibc's `iconv` is more
//! lenient and keeps the previous line's designation).
//!
//! # CNS 11643 through Big5
//! CNS 11643-1986 planes 1 and 2 hold the Hanzi of Big5 levels 1 and 2 in the same
//! (radical and stroke) order, so the two correspond in order: plane 1 0x4421–0x7D4B ⇔ Big5 0xA440–0xC67E (level 1, 5,401
//! characters), plane 2 0x2121–0x7244 ⇔ Big5 0xC940–0xF9D5 (level 2, 7,650 characters; Big5
//! has 7,652 because 0xC94A and 0xDDFC duplicate 0xA461 兀 and 0xDCD1 嗀). The known
//! exceptions, characters Big5 sorted elsewhere, are listed in [`PLANE1_MOVED`] and
//! [`PLANE2_MOVED`]; the symbol rows of plane 1 (0x2121–0x2570) correspond in the runs of
//! [`PLANE1_SYMBOLS`]; [`PLANE1_VARIANTS`] lists the one code whose Big5 counterpart decodes to
//! another variant of the character. The whole mapping was checked against the CNS 11643
//! table of GNU libc's `EUC-TW` converter: each of the 13,439 mapped codes decodes through
//! encoding_rs Big5 to the scalar value glibc gives (a fingerprint of all of them is a test
//! below, next to checks of well-known characters). Anything else
//! (other plane 1 symbols, planes 3–7, unassigned codes) becomes U+FFFD and sets the error
//! flag, which the callers report as `mime.charset-mismatch`.
//!
//! The decoder is total and linear: bytes above 0x7F, unknown escapes, a shift without a
//! designation and a pair cut short by a control byte or the end each give one U+FFFD.
//!
//! [RFC 1922]: https://www.rfc-editor.org/rfc/rfc1922
//! [RFC 1922 §2]: https://www.rfc-editor.org/rfc/rfc1922#section-2

use encoding_rs::Encoding;

use super::{backend, Bom};

/// Plane 1 Hanzi that Big5 level 1 sorts elsewhere: (CNS code, Big5 code).
pub const PLANE1_MOVED: &[(u16, u16)] = &[
    (0x5753, 0xACFE), // 耄 U+8004
    (0x6B50, 0xBE52), // 銬 U+92AC
    (0x7535, 0xC2CB), // 薦 U+85A6
    (0x782D, 0xC456), // 嚨 U+56A8
    (0x7865, 0xC3B9), // 羅 U+7F85
];

/// Plane 2 Hanzi that Big5 level 2 sorts elsewhere: (CNS code, Big5 code).
pub const PLANE2_MOVED: &[(u16, u16)] = &[
    (0x214C, 0xC9BE), // 刉 U+5209
    (0x224D, 0xCAF7), // 攷 U+6537
    (0x376F, 0xDADF), // 笻 U+7B3B
    (0x3E63, 0xD6CC), // 筇 U+7B47
    (0x3F6A, 0xD77A), // 莚 U+839A
    (0x554B, 0xEBF1), // 錥 U+9325
    (0x5722, 0xECDE), // 徻 U+5FBB
    (0x5A28, 0xF0CB), // 螤 U+87A4
    (0x5D74, 0xF056), // 磿 U+78FF
    (0x642F, 0xEEEB), // 鎀 U+9380
    (0x664D, 0xF4B5), // 舋 U+820B
    (0x6761, 0xF16B), // 鎥 U+93A5
    (0x6934, 0xF268), // 瀪 U+702A
    (0x6A4B, 0xF663), // 鐼 U+943C
    (0x7166, 0xF9C4), // 鬮 U+9B2E
    (0x7240, 0xF9C6), // 爩 U+7229
];

/// Plane 1 codes whose Big5 counterpart decodes to a different variant in encoding_rs:
/// (CNS code, scalar value). CNS 0x7641 is 彞 U+5F5E; Big5 0xC255 decodes to 彝 U+5F5D.
pub const PLANE1_VARIANTS: &[(u16, char)] = &[(0x7641, '\u{5F5E}')];

/// Big5 level 1 codes outside the order-preserving sequence (the targets of
/// [`PLANE1_MOVED`]), ascending.
const PLANE1_SKIPPED: [u16; 5] = [0xACFE, 0xBE52, 0xC2CB, 0xC3B9, 0xC456];

/// Big5 level 2 codes outside the order-preserving sequence, ascending: the targets of
/// [`PLANE2_MOVED`] and 0xC94A, 0xDDFC, which duplicate level 1 characters.
const PLANE2_SKIPPED: [u16; 18] = [
    0xC94A, 0xC9BE, 0xCAF7, 0xD6CC, 0xD77A, 0xDADF, 0xDDFC, 0xEBF1, 0xECDE, 0xEEEB, 0xF056, 0xF0CB,
    0xF16B, 0xF268, 0xF4B5, 0xF663, 0xF9C4, 0xF9C6,
];

/// Plane 1 symbol runs that correspond one to one: (first CNS code, first Big5 code, length).
/// Codes run through each row's 94 cells and each Big5 lead's 157 trail bytes.
pub const PLANE1_SYMBOLS: &[(u16, u16, u16)] = &[
    (0x2121, 0xA140, 5),
    (0x2127, 0xA146, 15),
    (0x2136, 0xA157, 2),
    (0x213E, 0xA15D, 44),
    (0x216A, 0xA1AC, 1),
    (0x216C, 0xA1AD, 21),
    (0x2225, 0xA1C4, 1),
    (0x2227, 0xA1C6, 27),
    (0x2242, 0xA1E2, 1),
    (0x2245, 0xA1E4, 14),
    (0x2255, 0xA1F4, 2),
    (0x2257, 0xA1F7, 1),
    (0x2259, 0xA1F8, 4),
    (0x225F, 0xA1FE, 78),
    (0x2421, 0xA2AF, 29),
    (0x243F, 0xA2CD, 1),
    (0x2441, 0xA2CF, 142),
];

/// Index of a 94×94 code (rows and cells 0x21–0x7E) counted from `first_row`, or `None`
/// outside the grid.
fn grid_index(code: u16, first_row: u8) -> Option<usize> {
    let [row, cell] = code.to_be_bytes();
    if !(0x21..=0x7E).contains(&row) || !(0x21..=0x7E).contains(&cell) || row < first_row {
        return None;
    }
    Some(usize::from(row - first_row) * 94 + usize::from(cell - 0x21))
}

/// Index of a Big5 code counted from `first_lead` (trail bytes 0x40–0x7E then 0xA1–0xFE).
fn big5_index(code: u16, first_lead: u8) -> Option<usize> {
    let [lead, trail] = code.to_be_bytes();
    let t = match trail {
        0x40..=0x7E => trail - 0x40,
        0xA1..=0xFE => trail - 0xA1 + 63,
        _ => return None,
    };
    lead.checked_sub(first_lead)
        .map(|l| usize::from(l) * 157 + usize::from(t))
}

/// The Big5 code `index` places after the first code of `first_lead`.
fn big5_at(first_lead: u8, index: usize) -> Option<u16> {
    let lead = u8::try_from(index / 157).ok()?.checked_add(first_lead)?;
    let t = (index % 157) as u8;
    let trail = if t < 63 { 0x40 + t } else { 0xA1 + (t - 63) };
    Some(u16::from_be_bytes([lead, trail]))
}

/// Maps the `n`-th code of an order-preserving range onto Big5 from `first_lead`, stepping
/// over the codes in `skipped` (ascending; those placed elsewhere).
fn nth_big5(first_lead: u8, n: usize, skipped: &[u16]) -> Option<u16> {
    let mut m = n;
    for s in skipped.iter().filter_map(|&b| big5_index(b, first_lead)) {
        if s <= m {
            m += 1;
        }
    }
    big5_at(first_lead, m)
}

/// The Big5 code of a CNS 11643 plane 1 character, or `None` when it has no Big5 counterpart
/// here.
pub fn plane1_to_big5(code: u16) -> Option<u16> {
    if let Some(&(_, b)) = PLANE1_MOVED.iter().find(|(c, _)| *c == code) {
        return Some(b);
    }
    if code < 0x4421 {
        let i = grid_index(code, 0x21)?;
        return PLANE1_SYMBOLS.iter().find_map(|&(c, b, len)| {
            let start = grid_index(c, 0x21)?;
            let off = i.checked_sub(start).filter(|&o| o < usize::from(len))?;
            big5_at(0xA1, big5_index(b, 0xA1)? + off)
        });
    }
    if code > 0x7D4B {
        return None;
    }
    let lin = grid_index(code, 0x44)?;
    let before = PLANE1_MOVED.iter().filter(|(c, _)| *c < code).count();
    nth_big5(0xA4, lin.saturating_sub(before), &PLANE1_SKIPPED).filter(|&b| b <= 0xC67E)
}

/// The Big5 code of a CNS 11643 plane 2 character, or `None` when it has no Big5 counterpart
/// here.
pub fn plane2_to_big5(code: u16) -> Option<u16> {
    if let Some(&(_, b)) = PLANE2_MOVED.iter().find(|(c, _)| *c == code) {
        return Some(b);
    }
    if code > 0x7244 {
        return None;
    }
    let lin = grid_index(code, 0x21)?;
    let before = PLANE2_MOVED.iter().filter(|(c, _)| *c < code).count();
    nth_big5(0xC9, lin.saturating_sub(before), &PLANE2_SKIPPED).filter(|&b| b <= 0xF9D5)
}

/// The character set designated to G1 (SO), G2 (SS2) or G3 (SS3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Set {
    Gb2312,
    IsoIr165,
    Cns(u8),
}

/// Which encoding_rs decoder the pending bytes are for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    Gbk,
    Big5,
}

/// Collects bytes for one encoding_rs decoder at a time: ASCII is the same in both, and 0xFF
/// (invalid in both) stands for a character that cannot be decoded.
struct Sink {
    out: String,
    pending: Vec<u8>,
    target: Target,
    bad: bool,
}

impl Sink {
    fn switch(&mut self, target: Target) {
        if self.target != target {
            self.flush();
            self.target = target;
        }
    }

    fn flush(&mut self) {
        let enc: &'static Encoding = match self.target {
            Target::Gbk => encoding_rs::GBK,
            Target::Big5 => encoding_rs::BIG5,
        };
        let (t, _, bad) = backend::decode(enc, Bom::Keep, &self.pending);
        self.bad |= bad;
        self.out.push_str(&t);
        self.pending.clear();
    }

    fn invalid(&mut self) {
        self.pending.push(0xFF);
    }

    fn pair(&mut self, set: Option<Set>, a: u8, b: u8) {
        let code = u16::from_be_bytes([a, b]);
        if set == Some(Set::Cns(1)) {
            if let Some(&(_, c)) = PLANE1_VARIANTS.iter().find(|v| v.0 == code) {
                self.flush();
                self.out.push(c);
                return;
            }
        }
        let (target, mapped) = match set {
            Some(Set::Gb2312) => (Target::Gbk, Some(code | 0x8080)),
            // ISO-IR-165 is GB 2312 plus rows 0x2A–0x2F and 0x78–0x7E and a few cells in
            // other rows; only the GB 2312 rows are decoded (an added cell inside them, such
            // as in row 0x26 or 0x28, comes out as GBK's character at that code, if any).
            Some(Set::IsoIr165) => (
                Target::Gbk,
                matches!(a, 0x21..=0x29 | 0x30..=0x77).then_some(code | 0x8080),
            ),
            Some(Set::Cns(1)) => (Target::Big5, plane1_to_big5(code)),
            Some(Set::Cns(2)) => (Target::Big5, plane2_to_big5(code)),
            Some(Set::Cns(_)) | None => (self.target, None),
        };
        self.switch(target);
        match mapped {
            Some(m) => self.pending.extend_from_slice(&m.to_be_bytes()),
            None => self.invalid(),
        }
    }
}

/// Decodes ISO-2022-CN or ISO-2022-CN-EXT ([RFC 1922]); both designator families are accepted
/// under either label. Returns the text and whether anything became U+FFFD.
///
/// [RFC 1922]: https://www.rfc-editor.org/rfc/rfc1922
pub fn decode(bytes: &[u8]) -> (String, bool) {
    let mut sink = Sink {
        out: String::with_capacity(bytes.len()),
        pending: Vec::with_capacity(bytes.len().min(1 << 16)),
        target: Target::Gbk,
        bad: false,
    };
    let (mut g1, mut g2, mut g3): (Option<Set>, Option<Set>, Option<Set>) = (None, None, None);
    let mut shifted = false;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        i += 1;
        match b {
            0x1B => {
                let designation = match bytes.get(i..i + 3) {
                    Some(b"$)A") => Some((1, Set::Gb2312)),
                    Some(b"$)G") => Some((1, Set::Cns(1))),
                    Some(b"$)E") => Some((1, Set::IsoIr165)),
                    Some(b"$*H") => Some((2, Set::Cns(2))),
                    Some([b'$', b'+', p @ b'I'..=b'M']) => Some((3, Set::Cns(p - b'I' + 3))),
                    _ => None,
                };
                if let Some((g, set)) = designation {
                    i += 3;
                    match g {
                        1 => g1 = Some(set),
                        2 => g2 = Some(set),
                        _ => g3 = Some(set),
                    }
                    continue;
                }
                let single = match bytes.get(i) {
                    Some(b'N') => Some(g2),
                    Some(b'O') => Some(g3),
                    _ => None,
                };
                match single {
                    Some(set) => {
                        i += 1;
                        match (bytes.get(i), bytes.get(i + 1)) {
                            (Some(&x @ 0x21..=0x7E), Some(&y @ 0x21..=0x7E)) => {
                                i += 2;
                                sink.pair(set, x, y);
                            }
                            _ => sink.invalid(),
                        }
                    }
                    None => sink.invalid(),
                }
            }
            0x0E => {
                if g1.is_none() {
                    sink.invalid();
                }
                shifted = true;
            }
            0x0F => shifted = false,
            b'\r' | b'\n' => {
                (g1, g2, g3, shifted) = (None, None, None, false);
                sink.pending.push(b);
            }
            0x21..=0x7E if shifted => match bytes.get(i) {
                Some(&y @ 0x21..=0x7E) => {
                    i += 1;
                    // A missing designation was reported once, at the SO.
                    if g1.is_some() {
                        sink.pair(g1, b, y);
                    } else {
                        sink.pending.push(0xFF);
                    }
                }
                _ => sink.invalid(),
            },
            0x80.. => sink.invalid(),
            _ => sink.pending.push(b),
        }
    }
    sink.flush();
    let bad = sink.bad;
    (sink.out, bad)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    const SO: u8 = 0x0E;
    const SI: u8 = 0x0F;

    fn cat(parts: &[&[u8]]) -> Vec<u8> {
        parts.concat()
    }

    #[test]
    fn well_known_characters() {
        let cases: &[(&str, Vec<u8>, &str, bool)] = &[
            ("ascii only", b"hello".to_vec(), "hello", false),
            (
                "GB2312 0x3021",
                cat(&[b"\x1b$)A", &[SO], b"0!", &[SI]]),
                "啊",
                false,
            ),
            (
                "GB2312 0x5650",
                cat(&[b"\x1b$)A", &[SO], b"VP", &[SI]]),
                "中",
                false,
            ),
            (
                "GB2312 words then ASCII",
                cat(&[b"a\x1b$)A", &[SO], b"VPND", &[SI], b"b"]),
                "a中文b",
                false,
            ),
            (
                "CNS1 0x4421",
                cat(&[b"\x1b$)G", &[SO], b"D!", &[SI]]),
                "一",
                false,
            ),
            (
                "CNS1 0x4463 0x4546 (中文)",
                cat(&[b"\x1b$)G", &[SO], b"DcEF", &[SI]]),
                "中文",
                false,
            ),
            (
                "CNS1 0x2122 (，)",
                cat(&[b"\x1b$)G", &[SO], b"!\"", &[SI]]),
                "，",
                false,
            ),
            (
                "CNS1 variant 0x7641",
                cat(&[b"\x1b$)G", &[SO], b"vA", &[SI]]),
                "彞",
                false,
            ),
            (
                "CNS1 moved 0x5753",
                cat(&[b"\x1b$)G", &[SO], b"WS", &[SI]]),
                "耄",
                false,
            ),
            (
                "CNS1 last 0x7D4B",
                cat(&[b"\x1b$)G", &[SO], b"}K", &[SI]]),
                "籲",
                false,
            ),
            (
                "CNS2 0x2121 via SS2",
                cat(&[b"\x1b$*H\x1bN!!"]),
                "乂",
                false,
            ),
            ("CNS2 moved 0x214C", cat(&[b"\x1b$*H\x1bN!L"]), "刉", false),
            ("CNS2 last 0x7244", cat(&[b"\x1b$*H\x1bNrD"]), "龘", false),
            (
                "SS2 inside SO text",
                cat(&[b"\x1b$)A\x1b$*H", &[SO], b"VP\x1bN!!VP", &[SI]]),
                "中乂中",
                false,
            ),
            (
                "designation reset at line end",
                cat(&[b"\x1b$)A", &[SO], b"VP\r\n", &[SO], b"VP", &[SI]]),
                "中\r\n\u{FFFD}\u{FFFD}",
                true,
            ),
            (
                "SO without designation",
                cat(&[&[SO], b"VP", &[SI]]),
                "\u{FFFD}\u{FFFD}",
                true,
            ),
            (
                "SS2 without designation",
                b"\x1bN!!".to_vec(),
                "\u{FFFD}",
                true,
            ),
            (
                "plane 3 not decoded",
                b"\x1b$+I\x1bO!!x".to_vec(),
                "\u{FFFD}x",
                true,
            ),
            ("8-bit byte", b"a\xa4b".to_vec(), "a\u{FFFD}b", true),
            ("unknown escape", b"\x1b(Bx".to_vec(), "\u{FFFD}(Bx", true),
            (
                "pair cut by the end",
                cat(&[b"\x1b$)A", &[SO], b"V"]),
                "\u{FFFD}",
                true,
            ),
            (
                "CNS1 unassigned 0x7E7E",
                cat(&[b"\x1b$)G", &[SO], b"~~", &[SI]]),
                "\u{FFFD}",
                true,
            ),
            (
                "ISO-IR-165 GB rows",
                cat(&[b"\x1b$)E", &[SO], b"VP+!", &[SI]]),
                "中\u{FFFD}",
                true,
            ),
        ];
        for (what, input, want, bad) in cases {
            let got = decode(input);
            assert_eq!(
                (got.0.as_str(), got.1),
                (*want, *bad),
                "{what}: bytes {input:?}"
            );
        }
    }

    #[test]
    fn correspondence_ends_and_exceptions() {
        let cases: &[(u16, Option<u16>, Option<u16>)] = &[
            // (code, plane 1 → Big5, plane 2 → Big5)
            (0x2121, Some(0xA140), Some(0xC940)),
            (0x2129, Some(0xA148), Some(0xC948)),
            (0x212A, Some(0xA149), Some(0xC949)),
            // Plane 2 steps over Big5 0xC94A, a duplicate of 0xA461.
            (0x212B, Some(0xA14A), Some(0xC94B)),
            (0x2126, None, Some(0xC945)),
            (0x4421, Some(0xA440), Some(0xDDF9)),
            (0x7D4B, Some(0xC67E), None),
            (0x7D4C, None, None),
            (0x7244, Some(0xBFDA), Some(0xF9D5)),
            (0x7245, Some(0xBFDB), None),
            (0x5753, Some(0xACFE), Some(0xE9C8)),
            (0x5754, Some(0xAFD0), Some(0xE9C9)),
            (0x0000, None, None),
            (0x7F7F, None, None),
            (0xFFFF, None, None),
        ];
        for &(code, p1, p2) in cases {
            assert_eq!(
                (plane1_to_big5(code), plane2_to_big5(code)),
                (p1, p2),
                "code {code:#06X}"
            );
        }
    }

    /// Every code of both planes maps to a distinct Big5 code inside its level.
    #[test]
    fn skipped_lists_are_the_sorted_targets() {
        let mut p1: Vec<u16> = PLANE1_MOVED.iter().map(|m| m.1).collect();
        p1.sort_unstable();
        assert_eq!(p1, PLANE1_SKIPPED, "plane 1");
        let mut p2: Vec<u16> = PLANE2_MOVED
            .iter()
            .map(|m| m.1)
            .chain([0xC94A, 0xDDFC])
            .collect();
        p2.sort_unstable();
        assert_eq!(p2, PLANE2_SKIPPED, "plane 2");
    }

    #[test]
    fn mapping_is_injective_and_in_range() {
        let mut seen = std::collections::HashSet::new();
        let mut counts = [0usize; 2];
        for row in 0x21u16..=0x7E {
            for cell in 0x21u16..=0x7E {
                let code = row << 8 | cell;
                for (plane, mapped) in [(0, plane1_to_big5(code)), (1, plane2_to_big5(code))] {
                    if let Some(b) = mapped {
                        counts[plane] += 1;
                        assert!(
                            seen.insert(b),
                            "{code:#06X} plane {} → {b:#06X} twice",
                            plane + 1
                        );
                        let ok = if plane == 0 {
                            (0xA140..=0xC67E).contains(&b)
                        } else {
                            (0xC940..=0xF9D5).contains(&b)
                        };
                        assert!(ok, "{code:#06X} plane {} → {b:#06X}", plane + 1);
                    }
                }
            }
        }
        let symbols: usize = PLANE1_SYMBOLS.iter().map(|r| usize::from(r.2)).sum();
        assert_eq!(counts, [5401 + symbols, 7650], "mapped codes per plane");
    }

    /// A fingerprint of the whole mapping: FNV-1a 64 over (plane, code, scalar value) of every
    /// mapped code, in order, equals the one computed from the CNS 11643 table of GNU libc's
    /// `EUC-TW` converter (`iconv -f EUC-TW`) over the same 13,439 codes: every Hanzi of
    /// planes 1 and 2 and the plane 1 symbols of [`PLANE1_SYMBOLS`].
    #[test]
    fn whole_mapping_matches_the_libc_table() {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let mut count = 0;
        for plane in [1u8, 2] {
            for row in 0x21u16..=0x7E {
                for cell in 0x21u16..=0x7E {
                    let code = row << 8 | cell;
                    let set = Some(Set::Cns(plane));
                    let mut sink = Sink {
                        out: String::new(),
                        pending: Vec::new(),
                        target: Target::Big5,
                        bad: false,
                    };
                    let [a, b] = code.to_be_bytes();
                    sink.pair(set, a, b);
                    sink.flush();
                    if sink.bad {
                        continue;
                    }
                    let mut chars = sink.out.chars();
                    let (Some(c), None) = (chars.next(), chars.next()) else {
                        panic!("plane {plane} {code:#06X} gave {:?}", sink.out);
                    };
                    count += 1;
                    let bytes = [&[plane][..], &code.to_be_bytes(), &(c as u32).to_be_bytes()];
                    for &x in bytes.concat().iter() {
                        hash ^= u64::from(x);
                        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
                    }
                }
            }
        }
        assert_eq!(
            (count, format!("{hash:#018x}")),
            (13_439, "0x30951c329e4701ec".to_string()),
            "mapped codes and fingerprint"
        );
    }

    #[test]
    fn encoded_words_and_bodies_decode() {
        let cases: &[(&str, &str)] = &[
            ("=?ISO-2022-CN?B?GyQpQQ5WUE5EDw==?=", "中文"),
            ("=?iso-2022-cn?B?GyQpRw5EY0VGDw==?=", "中文"),
            ("=?ISO-2022-CN-EXT?Q?=1B$)A=0EVPND=0F?=", "中文"),
        ];
        for (raw, want) in cases {
            let d = crate::mime::encoded_word::decode_unstructured(raw.as_bytes());
            assert_eq!(d.text, *want, "{raw}");
            assert!(d.lints.is_empty(), "{raw}: {:?}", d.lints);
        }
        let msg = b"Content-Type: text/plain; charset=ISO-2022-CN\r\n\r\n\x1b$)A\x0eVPND\x0f\r\n";
        let v = crate::mime::report::inspect_json(msg);
        let codes: Vec<&str> = v["lints"]
            .as_array()
            .map(|a| a.iter().filter_map(|l| l["code"].as_str()).collect())
            .unwrap_or_default();
        assert!(
            !codes.iter().any(|c| c.starts_with("mime.charset")),
            "charset lints on valid ISO-2022-CN: {codes:?}"
        );
        let bad = b"Content-Type: text/plain; charset=ISO-2022-CN\r\n\r\n\x0eVP\x0f\r\n";
        let v = crate::mime::report::inspect_json(bad);
        let codes: Vec<&str> = v["lints"]
            .as_array()
            .map(|a| a.iter().filter_map(|l| l["code"].as_str()).collect())
            .unwrap_or_default();
        assert!(
            codes.contains(&"mime.charset-mismatch"),
            "SO without designation must lint: {codes:?}"
        );
    }

    #[test]
    fn hostile_bytes_never_panic() {
        let mut rng = crate::testutil::XorShift::new(0x2022_C0DE);
        let alphabet = b"\x1b\x0e\x0f$)*+AGEHIMNO!~\r\nVPD";
        for round in 0..400 {
            let input = rng.bytes(round % 97, alphabet, round % 3 == 0);
            let (text, _) = decode(&input);
            assert!(
                text.chars().count() <= input.len(),
                "{} chars from {} bytes",
                text.chars().count(),
                input.len()
            );
        }
        let long = [b"\x1b$)G\x0e".as_slice(), &b"D!".repeat(50_000)].concat();
        assert_eq!(decode(&long).0.chars().count(), 50_000);
    }
}
