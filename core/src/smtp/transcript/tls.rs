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
