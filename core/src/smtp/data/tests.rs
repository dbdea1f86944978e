#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::lint::Lint;
use crate::span::Span;

/// The per-byte `DataReceiver` as it was before the run-copying fast path, kept verbatim
/// ONLY as a test oracle for the differential test below. Not used by the library.
mod reference {
    use super::super::receive::{Start, State};
    use super::super::{Feed, ReceivedData, MAX_DATA_LINTS, MAX_TEXT_LINE};
    use crate::lint::msg;
    use crate::lint::Lint;
    use crate::smtp::lints;
    use crate::span::Span;

    pub(super) struct OldDataReceiver {
        state: State,
        max_size: usize,
        offset: usize,
        line_start: usize,
        line_long: bool,
        dot_at: usize,
        out: ReceivedData,
        lints_dropped: usize,
    }

    impl OldDataReceiver {
        /// A receiver that keeps at most `max_size` bytes of message (the server's SIZE limit).
        pub(super) fn new(max_size: usize) -> Self {
            OldDataReceiver {
                state: State::Start(Start::Crlf),
                max_size,
                offset: 0,
                line_start: 0,
                line_long: false,
                dot_at: 0,
                out: ReceivedData::default(),
                lints_dropped: 0,
            }
        }

        /// Whether the terminator has been seen.
        pub(super) fn is_complete(&self) -> bool {
            self.state == State::Done
        }

        /// Bytes fed so far (up to the terminator).
        pub(super) fn bytes_seen(&self) -> usize {
            self.offset
        }

        /// Findings not kept because [`MAX_DATA_LINTS`] was reached.
        pub(super) fn lints_dropped(&self) -> usize {
            self.lints_dropped
        }

        /// Feeds the next chunk of bytes. After [`Feed::Complete`] further calls consume nothing.
        pub(super) fn feed(&mut self, chunk: &[u8]) -> Feed {
            if self.state == State::Done {
                return Feed::Complete { consumed: 0 };
            }
            let mut i = 0;
            while let Some(&b) = chunk.get(i) {
                let pos = self.offset;
                let mut advance = true;
                match self.state {
                    State::Done => break,
                    State::Mid | State::Start(_) if b == b'\r' => self.state = State::Cr,
                    State::Mid | State::Start(_) if b == b'\n' => {
                        self.bare(Start::Lf, pos);
                        self.emit(b"\n");
                        self.end_line(pos + 1);
                        self.state = State::Start(Start::Lf);
                    }
                    State::Mid => {
                        self.emit(&[b]);
                    }
                    State::Start(kind) => {
                        if b == b'.' {
                            self.dot_at = pos;
                            self.state = State::Dot(kind);
                        } else {
                            self.emit(&[b]);
                            self.state = State::Mid;
                        }
                    }
                    State::Cr => {
                        if b == b'\n' {
                            self.emit(b"\r\n");
                            self.end_line(pos + 1);
                            self.state = State::Start(Start::Crlf);
                        } else {
                            self.bare(Start::Cr, pos.saturating_sub(1));
                            self.emit(b"\r");
                            self.end_line(pos);
                            self.state = State::Start(Start::Cr);
                            advance = false;
                        }
                    }
                    State::Dot(kind) => match b {
                        b'\r' => self.state = State::DotCr(kind),
                        b'\n' => {
                            self.smuggling(kind, "\\n", pos + 1);
                            self.bare(Start::Lf, pos);
                            self.emit_dot(kind);
                            self.emit(b"\n");
                            self.end_line(pos + 1);
                            self.state = State::Start(Start::Lf);
                        }
                        _ => {
                            if kind == Start::Crlf && b != b'.' {
                                self.push_lint(lints::DOT_NOT_STUFFED.at(
                                    Span::new(self.dot_at, self.dot_at + 1),
                                    msg!("line starts with a single '.', which the receiver strips; the client must send '..'"),
                                ));
                                self.out.dot_not_stuffed += 1;
                            }
                            self.emit_dot(kind);
                            self.state = State::Mid;
                            advance = false;
                        }
                    },
                    State::DotCr(kind) => {
                        if b == b'\n' {
                            if kind == Start::Crlf {
                                self.state = State::Done;
                                self.offset += 1;
                                return Feed::Complete { consumed: i + 1 };
                            }
                            self.smuggling(kind, "\\r\\n", pos + 1);
                            self.emit_dot(kind);
                            self.emit(b"\r\n");
                            self.end_line(pos + 1);
                            self.state = State::Start(Start::Crlf);
                        } else {
                            // `<kind> . CR` and no LF: a bare CR ends the dot line.
                            self.smuggling(kind, "\\r", pos);
                            self.bare(Start::Cr, pos.saturating_sub(1));
                            self.emit_dot(kind);
                            self.emit(b"\r");
                            self.end_line(pos);
                            self.state = State::Start(Start::Cr);
                            advance = false;
                        }
                    }
                }
                if advance {
                    i += 1;
                    self.offset += 1;
                    if self.state == State::Mid || matches!(self.state, State::Dot(_)) {
                        self.check_line_length(self.offset);
                    }
                }
            }
            Feed::NeedMore
        }

        /// The message and findings. Call after [`Feed::Complete`]; before it, returns what arrived
        /// so far (a connection closed mid-message).
        pub(super) fn finish(mut self) -> ReceivedData {
            self.out.lints_dropped = self.lints_dropped;
            self.out
        }

        /// The dot at the start of a line: stripped after CRLF (transparency), kept after a bare
        /// line ending (not a line start for a strict receiver).
        fn emit_dot(&mut self, kind: Start) {
            if kind != Start::Crlf {
                self.emit(b".");
            }
        }

        fn emit(&mut self, bytes: &[u8]) {
            self.out.size += bytes.len() as u64;
            if bytes.iter().any(|b| *b >= 0x80) {
                self.out.eight_bit = true;
            }
            if self.out.size_exceeded {
                return;
            }
            if self.out.size > self.max_size as u64 {
                self.out.size_exceeded = true;
                self.out.body = Vec::new();
                let at = self.offset;
                self.push_lint(lints::SIZE_EXCEEDED.at(
                    Span::new(at, at + 1),
                    msg!(
                        "message exceeds the size limit of {max} bytes; the rest is discarded",
                        max = self.max_size
                    ),
                ));
                return;
            }
            self.out.body.extend_from_slice(bytes);
        }

        fn bare(&mut self, kind: Start, pos: usize) {
            let span = Span::new(pos, pos + 1);
            if kind == Start::Lf {
                self.out.bare_lf += 1;
                self.push_lint(lints::BARE_LF.at(
                    span,
                    msg!("bare LF in message data; lines must end in CRLF"),
                ));
            } else {
                self.out.bare_cr += 1;
                self.push_lint(lints::BARE_CR.at(
                    span,
                    msg!("bare CR in message data; lines must end in CRLF"),
                ));
            }
        }

        /// Reports `<before> . <after>`; `end` is one past its last byte.
        fn smuggling(&mut self, before: Start, after: &str, end: usize) {
            self.out.smuggling += 1;
            let start = match before {
                Start::Crlf => self.dot_at.saturating_sub(2),
                _ => self.dot_at.saturating_sub(1),
            };
            self.push_lint(lints::SMUGGLING_SEQUENCE.at(
                Span::new(start, end),
                msg!("`{before}.{after}` is not the end of data (only \\r\\n.\\r\\n is); servers that accept it can be made to run the rest as commands", before = before.shown(), after),
            ));
        }

        fn end_line(&mut self, next_start: usize) {
            self.line_start = next_start;
            self.line_long = false;
        }

        fn check_line_length(&mut self, now: usize) {
            // +2 for the CRLF the line will end with.
            if !self.line_long && now.saturating_sub(self.line_start) + 2 > MAX_TEXT_LINE {
                self.line_long = true;
                let span = Span::new(self.line_start, now);
                self.push_lint(lints::LINE_TOO_LONG.at(
                    span,
                    msg!(
                        "text line is longer than {MAX_TEXT_LINE} octets including CRLF",
                        MAX_TEXT_LINE
                    ),
                ));
            }
        }

        fn push_lint(&mut self, lint: Lint) {
            if self.out.lints.len() < MAX_DATA_LINTS {
                self.out.lints.push(lint);
            } else {
                self.lints_dropped += 1;
            }
        }
    }
}

fn codes(lints: &[Lint]) -> Vec<&str> {
    lints.iter().map(|l| &*l.code).collect()
}

#[test]
fn stuffs_and_unstuffs_dots() {
    let cases: &[(&[u8], &[u8])] = &[
        (b".", b".."),
        (b"a\r\n.b\r\n..c\r\n", b"a\r\n..b\r\n...c\r\n"),
        (b"a.b\r\n", b"a.b\r\n"),
        (b"a\n.b", b"a\n.b"),
        (b"", b""),
    ];
    for &(text, stuffed) in cases {
        assert_eq!(dot_stuff(text), stuffed, "stuff {text:?}");
        assert_eq!(dot_unstuff(stuffed), text, "unstuff {stuffed:?}");
    }
    let enc = encode_data(b"Subject: x\n\n.hidden\nlast");
    assert_eq!(enc.wire, b"Subject: x\r\n\r\n..hidden\r\nlast\r\n.\r\n");
    assert_eq!((enc.changes.len(), enc.added_final_crlf), (3, true));
    assert_eq!(encode_data(b"").wire, b".\r\n");
    assert_eq!(encode_data(b"x\r\n").wire, b"x\r\n.\r\n");
}

/// (wire bytes, consumed if complete, body, lint codes)
type Case = (
    &'static [u8],
    Option<usize>,
    &'static [u8],
    &'static [&'static str],
);
const RECEIVE: &[Case] = &[
    (b".\r\n", Some(3), b"", &[]),
    (b"hello\r\n.\r\nQUIT\r\n", Some(10), b"hello\r\n", &[]),
    (b"..dot\r\n.\r\n", Some(10), b".dot\r\n", &[]),
    (b".x\r\n.\r\n", Some(7), b"x\r\n", &["smtp.dot-not-stuffed"]),
    (b"hello\r\n.\r", None, b"hello\r\n", &[]),
    // The smuggling variants: never the end of data.
    (
        b"a\n.\nb",
        None,
        b"a\n.\nb",
        &["smtp.bare-lf", "smtp.smuggling-sequence", "smtp.bare-lf"],
    ),
    (
        b"a\r\n.\nb",
        None,
        b"a\r\n\nb",
        &["smtp.smuggling-sequence", "smtp.bare-lf"],
    ),
    (
        b"a\n.\r\nb",
        None,
        b"a\n.\r\nb",
        &["smtp.bare-lf", "smtp.smuggling-sequence"],
    ),
    (
        b"a\r.\rb",
        None,
        b"a\r.\rb",
        &["smtp.bare-cr", "smtp.smuggling-sequence", "smtp.bare-cr"],
    ),
    (
        b"a\r.\r\nb",
        None,
        b"a\r.\r\nb",
        &["smtp.bare-cr", "smtp.smuggling-sequence"],
    ),
    (
        b"a\r\n.\rb",
        None,
        b"a\r\n\rb",
        &["smtp.smuggling-sequence", "smtp.bare-cr"],
    ),
    (
        b".\nMAIL FROM:<x>\r\n",
        None,
        b"\nMAIL FROM:<x>\r\n",
        &["smtp.smuggling-sequence", "smtp.bare-lf"],
    ),
    // Smuggling followed by the real end: one message containing everything.
    (
        b"a\n.\nMAIL FROM:<e@vil>\r\n.\r\n",
        Some(26),
        b"a\n.\nMAIL FROM:<e@vil>\r\n",
        &["smtp.bare-lf", "smtp.smuggling-sequence", "smtp.bare-lf"],
    ),
    (
        b"8bit \xc3\xa9\r\n.\r\n",
        Some(12),
        b"8bit \xc3\xa9\r\n",
        &[],
    ),
];

#[test]
fn receives_data_in_any_chunking() {
    for &(wire, consumed, body, lint_codes) in RECEIVE {
        // Whole, byte by byte, and split at every position must agree.
        for split in 0..=wire.len() {
            let mut rx = DataReceiver::new(1 << 20);
            let (a, b) = wire.split_at(split);
            let got = match rx.feed(a) {
                Feed::Complete { consumed } => Some(consumed),
                Feed::NeedMore => match rx.feed(b) {
                    Feed::Complete { consumed } => Some(split + consumed),
                    Feed::NeedMore => None,
                },
            };
            let data = rx.finish();
            assert_eq!(got, consumed, "consumed for {wire:?} split at {split}");
            assert_eq!(data.body, body, "body for {wire:?} split at {split}");
            assert_eq!(
                codes(&data.lints),
                lint_codes,
                "lints for {wire:?} split at {split}"
            );
        }
        let mut rx = DataReceiver::new(1 << 20);
        let mut done = None;
        for (i, byte) in wire.iter().enumerate() {
            if let Feed::Complete { consumed } = rx.feed(std::slice::from_ref(byte)) {
                done = Some(i + consumed);
                break;
            }
        }
        assert_eq!(done, consumed, "byte-by-byte {wire:?}");
    }
}

#[test]
fn smuggling_spans_cover_the_sequence() {
    let cases: &[(&[u8], Span)] = &[
        (b"a\n.\nb", Span::new(1, 4)),
        (b"a\r\n.\nb", Span::new(1, 5)),
        (b"a\n.\r\nb", Span::new(1, 5)),
        (b"a\r.\rb", Span::new(1, 4)),
        (b"a\r\n.\rb", Span::new(1, 5)),
    ];
    for &(wire, span) in cases {
        let lints = lint_data(wire);
        let found: Vec<Span> = lints
            .iter()
            .filter(|l| l.code == "smtp.smuggling-sequence")
            .map(|l| l.span)
            .collect();
        assert_eq!(found, [span], "{wire:?}");
    }
}

#[test]
fn reports_long_lines_and_size() {
    let mut wire = vec![b'x'; 998];
    wire.extend_from_slice(b"\r\n");
    wire.extend(std::iter::repeat_n(b'y', 999));
    wire.extend_from_slice(b"\r\n.\r\n");
    let lints = lint_data(&wire);
    assert_eq!(
        codes(&lints),
        ["smtp.line-too-long"],
        "only the 1001-octet line"
    );
    assert_eq!(lints[0].span, Span::new(1000, 1999));

    let mut rx = DataReceiver::new(10);
    assert_eq!(
        rx.feed(b"0123456789abc\r\n.\r\n"),
        Feed::Complete { consumed: 18 }
    );
    let data = rx.finish();
    assert!(data.size_exceeded && data.body.is_empty(), "{data:?}");
    assert_eq!(
        (data.size, codes(&data.lints)),
        (15, vec!["smtp.size-exceeded"])
    );
}

#[test]
fn bdat_chunks_and_receiver_agree() {
    let message = b"Subject: hi\r\n\r\n.body with\nbare LF\r\n";
    for size in [1, 5, 16, 1000] {
        let chunks = bdat_chunks(message, size);
        assert!(
            chunks.last().is_some_and(|c| c.last),
            "last chunk marked LAST"
        );
        assert_eq!(chunks.iter().filter(|c| c.last).count(), 1);
        let mut rx = BdatReceiver::new(1000);
        for c in &chunks {
            rx.begin_chunk(c.data.len() as u64, c.last);
            let mut wire = c.data.to_vec();
            wire.extend_from_slice(b"NEXT");
            assert_eq!(rx.feed(&wire), c.data.len(), "exact count for chunk {c:?}");
            assert_eq!(rx.remaining(), 0);
        }
        assert_eq!(rx.finish().body, message, "chunk size {size}");
    }
    assert_eq!(bdat_chunks(b"", 10)[0].command_line(), "BDAT 0 LAST\r\n");
    assert_eq!(bdat_chunks(b"abc", 2)[0].to_wire(), b"BDAT 2\r\nab");
    assert_eq!(bdat_chunks(b"abc", 0).len(), 3, "size 0 means 1");
    let mut rx = BdatReceiver::new(4);
    rx.begin_chunk(u64::MAX, true);
    assert_eq!(rx.feed(b"0123456789"), 10);
    assert!(rx.size_exceeded());
    assert_eq!(rx.remaining(), u64::MAX - 10);
    let data = rx.finish();
    assert_eq!(
        (data.body.len(), codes(&data.lints)),
        (0, vec!["smtp.size-exceeded"])
    );
}

#[test]
fn garbage_never_panics_and_stays_bounded() {
    let mut rng = crate::testutil::XorShift::new(0x2545_f491_4f6c_dd1d);
    let mut next = move || rng.next_u64();
    let alphabet = b"\r\n.a\xff";
    for _ in 0..500 {
        let mut rx = DataReceiver::new(256);
        for _ in 0..20 {
            let len = (next() % 64) as usize;
            let chunk: Vec<u8> = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            if let Feed::Complete { consumed } = rx.feed(&chunk) {
                assert!(
                    consumed <= chunk.len(),
                    "consumed {consumed} of {}",
                    chunk.len()
                );
                break;
            }
        }
        let seen = rx.bytes_seen();
        let data = rx.finish();
        assert!(
            data.body.len() <= 256,
            "body {} over limit",
            data.body.len()
        );
        assert!(data.lints.len() <= MAX_DATA_LINTS);
        for l in &data.lints {
            assert!(
                l.span.start <= l.span.end && l.span.end <= seen + 1,
                "span {:?} past {seen}",
                l.span
            );
        }
    }
}

/// Random DATA-like input biased towards line endings, dots, the smuggling shapes, long
/// lines, NUL and 8-bit bytes.
fn random_wire(next: &mut impl FnMut() -> u64) -> Vec<u8> {
    const PIECES: &[&[u8]] = &[
        b"\r",
        b"\n",
        b".",
        b"..",
        b"\r\n",
        b"a",
        b"Subject: x",
        b" ",
        b"\0",
        b"\xff",
        b"\x80",
        b"\x7f",
        b"\xc3\xa9",
        b"\n.\n",
        b"\r.\r",
        b"\n.\r\n",
        b"\r.\r\n",
        b"\r\n.\n",
        b"\r\n.\r",
        b"\r\n..\r\n",
        b"\r\n.x",
        b"\r\n..x",
        b".\r",
        b".\n",
        b"\r\r\n",
        b"\n\r",
    ];
    let len_goal = (next() % 3000) as usize;
    let mut wire = Vec::new();
    if next().is_multiple_of(4) {
        // A first line near the line limit, to meet a size limit near it (see max_size).
        wire.extend(std::iter::repeat_n(b'y', 990 + (next() % 30) as usize));
    }
    while wire.len() < len_goal {
        match next() % 40 {
            0 => {
                // A long line around the limit.
                let n = 990 + (next() % 30) as usize;
                let n = if next().is_multiple_of(4) {
                    (next() % 2100) as usize
                } else {
                    n
                };
                wire.extend(std::iter::repeat_n(b'y', n));
            }
            1 if next().is_multiple_of(8) => wire.extend_from_slice(b"\r\n.\r\n"),
            2..=9 => {
                let n = (next() % 80) as usize;
                wire.extend((0..n).map(|k| b'a' + (k % 26) as u8));
            }
            _ => {
                let piece = PIECES[(next() % PIECES.len() as u64) as usize];
                wire.extend_from_slice(piece);
            }
        }
    }
    if next().is_multiple_of(3) {
        wire.extend_from_slice(b"\r\n.\r\nQUIT\r\n");
    }
    wire
}

#[test]
fn run_copying_feed_matches_the_per_byte_reference() {
    let mut rng = crate::testutil::XorShift::new(0x9e37_79b9_7f4a_7c15);
    let mut next = move || rng.next_u64();
    // How many cases reached each interesting outcome, so the test cannot pass vacuously.
    let mut seen = [0usize; 6];
    for case in 0..3000 {
        let wire = random_wire(&mut next);
        let max_size = match next() % 6 {
            0 => usize::MAX,
            // The size and the line limits passed at the same byte of a long first line.
            5 => 994 + (next() % 8) as usize,
            1 => 1 << 20,
            2 => (next() % 300) as usize,
            _ => (next() % (wire.len() as u64 + 2)) as usize,
        };
        let max_chunk = match next() % 4 {
            0 => 1,
            1 => 8,
            2 => 200,
            _ => wire.len() + 1,
        };
        let mut new = DataReceiver::new(max_size);
        let mut old = reference::OldDataReceiver::new(max_size);
        let mut rest = wire.as_slice();
        let mut chunks = 0;
        // Keep feeding after the end too: both must then consume nothing.
        while !rest.is_empty() || chunks == 0 {
            let n = (1 + (next() % max_chunk as u64) as usize).min(rest.len());
            let (chunk, tail) = rest.split_at(n);
            rest = tail;
            chunks += 1;
            let (got, want) = (new.feed(chunk), old.feed(chunk));
            assert_eq!(
                got, want,
                "case {case}: feed result of chunk {chunks} ({chunk:?}) of {wire:?}, max {max_size}"
            );
            assert_eq!(
                (new.bytes_seen(), new.is_complete(), new.lints_dropped()),
                (old.bytes_seen(), old.is_complete(), old.lints_dropped()),
                "case {case}: state after chunk {chunks} of {wire:?}, max {max_size}"
            );
        }
        let complete = new.is_complete();
        let (got, want) = (new.finish(), old.finish());
        let has = |code: &str| got.lints.iter().any(|l| l.code == code);
        for (k, hit) in [
            complete,
            got.size_exceeded,
            got.lints_dropped > 0,
            has("smtp.line-too-long"),
            got.smuggling > 0,
            got.dot_not_stuffed > 0,
        ]
        .into_iter()
        .enumerate()
        {
            seen[k] += usize::from(hit);
        }
        assert_eq!(
            got, want,
            "case {case}: outcome for {wire:?}, max {max_size}, chunks up to {max_chunk}"
        );
    }
    assert!(
        seen.iter().all(|&n| n >= 50),
        "each outcome (complete, size exceeded, lints dropped, long line, smuggling, dot not stuffed) in >= 50 cases: {seen:?}"
    );
}
