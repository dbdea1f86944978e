//! The encrypted part of a raw capture: after the 220 reply to STARTTLS the connection carries
//! TLS records ([RFC 3207 §4.2](https://www.rfc-editor.org/rfc/rfc3207#section-4.2),
//! [RFC 8446 §5.1](https://www.rfc-editor.org/rfc/rfc8446#section-5.1)), which cannot be read
//! without the session keys. They are cut into runs by the side that sent them.
//!
//! A raw capture has no direction markers, so the side is read from the records themselves:
//! the plaintext handshake messages say who sent them (ClientHello, ClientKeyExchange: the
//! client; ServerHello, Certificate, ServerKeyExchange, ServerHelloDone: the server). After the
//! first ChangeCipherSpec or application-data record the contents are encrypted, and a record
//! is taken to come from the same side as the one before: a guess, said so in the entry.

use crate::span::Span;

use super::{Direction, Ending, TranscriptLine};

/// TLS record header: content type, legacy version (2), length (2) (RFC 8446 §5.1).
const HEADER: usize = 5;

/// The runs of TLS records in `input[start..limit]`, one [`TranscriptLine`] (with
/// [`TranscriptLine::opaque`] set) per run of records from one side, at most `room` of them
/// (the last run takes the rest). Bytes that do not parse as records join the run before them
/// (or make one client run).
pub(super) fn opaque_runs(
    input: &[u8],
    start: usize,
    limit: usize,
    room: usize,
) -> Vec<TranscriptLine> {
    let mut runs: Vec<(Direction, Span)> = Vec::new();
    let mut pos = start;
    let mut direction = Direction::Client;
    let mut encrypted = false;
    while pos < limit {
        let rest = input.get(pos..limit).unwrap_or_default();
        let record = match (rest.first(), rest.get(1), rest.get(3..HEADER)) {
            (Some(&kind @ 20..=24), Some(3), Some(len)) => {
                let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
                Some((kind, (HEADER + len).min(rest.len())))
            }
            _ => None,
        };
        let Some((kind, size)) = record else {
            // Not a record: the rest is one opaque run.
            push(&mut runs, direction, Span::new(pos, limit), room);
            break;
        };
        match kind {
            20 | 23 => encrypted = true,
            22 if !encrypted => {
                direction = match rest.get(HEADER) {
                    Some(1 | 16) => Direction::Client,
                    Some(2 | 11 | 12 | 13 | 14) => Direction::Server,
                    _ => direction,
                };
            }
            _ => {}
        }
        push(&mut runs, direction, Span::new(pos, pos + size), room);
        pos += size.max(1);
    }
    runs.into_iter()
        .map(|(direction, span)| {
            let bytes = span.slice(input).to_vec();
            TranscriptLine {
                direction,
                span,
                content: span,
                text: format!("TLS ({} bytes, encrypted)", bytes.len()),
                bytes,
                ending: Ending::None,
                tls: true,
                opaque: true,
            }
        })
        .collect()
}

/// Adds a record to the run before when it is from the same side (or there is no room for
/// another run), else starts a run.
fn push(runs: &mut Vec<(Direction, Span)>, direction: Direction, span: Span, room: usize) {
    let full = runs.len() >= room;
    match runs.last_mut() {
        Some((d, last)) if *d == direction || full => last.end = span.end,
        _ if full => {}
        _ => runs.push((direction, span)),
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn sides_follow_the_plaintext_handshake() {
        use Direction::{Client as C, Server as S};
        // (records as (content type, first payload byte), expected runs as (side, records))
        let cases: &[(&[(u8, u8)], &[(Direction, usize)])] = &[
            (&[(22, 1)], &[(C, 1)]),
            (&[(22, 1), (22, 2), (22, 11), (22, 14)], &[(C, 1), (S, 3)]),
            // TLS 1.2: the client's key exchange, then encrypted records inherit the side.
            (
                &[(22, 1), (22, 2), (22, 16), (20, 1), (22, 2)],
                &[(C, 1), (S, 1), (C, 3)],
            ),
            // Application data first: a client run (the guess).
            (&[(23, 0)], &[(C, 1)]),
            (&[], &[]),
        ];
        for &(records, expected) in cases {
            let mut input = Vec::new();
            for &(kind, first) in records {
                input.extend_from_slice(&[kind, 3, 3, 0, 2, first, 0]);
            }
            let runs = opaque_runs(&input, 0, input.len(), 100);
            let got: Vec<(Direction, usize)> = runs
                .iter()
                .map(|l| (l.direction, l.bytes.len() / 7))
                .collect();
            assert_eq!(got, expected, "records {records:?}");
            assert!(runs.iter().all(|l| l.opaque && l.tls));
        }
        // Not records at all: one run of everything; a record cut short ends the input.
        let runs = opaque_runs(b"hello\r\n", 0, 7, 100);
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].span, Span::new(0, 7));
        let runs = opaque_runs(&[22, 3, 1, 0xff, 0xff, 1, 0], 0, 7, 100);
        assert_eq!(runs[0].span, Span::new(0, 7));
        assert!(opaque_runs(b"abc", 0, 3, 0).is_empty(), "no room, no runs");
    }
}
