//! The ladder (sequence) diagram of a dialogue: one arrow per write, the round trips, what
//! pipelining saved, and where TLS begins. Every view and every transport takes these figures
//! from here, so the same dialogue gives the same numbers wherever it ran.
//!
//! **Writes.** An arrow is one write: the bytes one side handed to the connection at once. A
//! live session knows them ([`Ladder::from_writes`]: each chunk the client wrote or the server's
//! bytes as they arrived). A recorded transcript does not; [`Ladder::inferred`] takes a run of
//! consecutive client entries as one write (what a client sends before it reads, RFC 2920 §3.1)
//! and each server entry (a reply, all its lines) as its own write.
//!
//! **Round trips.** A *turn* is a maximal run of client writes with no server write between them.
//! A turn followed by at least one server write is one **round trip**: the client spoke, then
//! had to wait for the server. It spans the turn and the server writes up to the next client
//! write. The server's greeting (before any client write) and a last turn still unanswered are
//! not round trips. The TCP connect and a TLS handshake are not in the dialogue's bytes and are
//! not counted.
//!
//! **Pipelining** ([RFC 2920](https://www.rfc-editor.org/rfc/rfc2920) §3.1, §4): a round trip
//! whose writes carry several commands is a *pipelined group*; without pipelining each command
//! would have been its own round trip, so the group **saved** its commands minus one. Message
//! content, BDAT chunk data and SASL responses are not commands.
//!
//! **TLS** ([RFC 3207](https://www.rfc-editor.org/rfc/rfc3207) §4.2): after the write carrying
//! the server's 220 reply to STARTTLS, every write travels inside TLS; with implicit TLS (or
//! swaks `~>` lines without the STARTTLS dialogue) the boundary is the first write whose
//! entries were inside TLS.
//!
//! **Time.** When writes carry a time ([`Write::at_ms`], live sessions), a round trip's time is
//! from its first client write to its last server write.

use serde::Serialize;

use super::{AnnotatedTranscript, Direction, Entry, Parsed};
use crate::smtp::command::Command;
use crate::span::Span;

/// One write on the wire, as a live session records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Write {
    /// Who wrote it.
    pub direction: Direction,
    /// Its bytes in the transcript input (the session's wire).
    pub span: Span,
    /// Milliseconds since the session started, when known.
    pub at_ms: Option<u64>,
}

/// One arrow of the ladder: a write and what it carried.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Arrow {
    /// Client → server or server → client.
    pub direction: Direction,
    /// The write's bytes in the transcript input.
    pub span: Span,
    /// The entries ([`AnnotatedTranscript::entries`] indices) it carries, in order; an entry
    /// split over two writes (a reply arriving in two reads) is in both.
    pub entries: Vec<usize>,
    /// Commands that start in this write.
    pub commands: usize,
    /// Milliseconds since the session started, when known.
    pub at_ms: Option<u64>,
    /// Inside TLS.
    pub tls: bool,
    /// The round trip ([`Ladder::round_trips`] index) it belongs to; `None` for the greeting
    /// and an unanswered last turn.
    pub round_trip: Option<usize>,
}

/// A client turn and the server's answer (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RoundTrip {
    /// Its first arrow (a client write).
    pub first: usize,
    /// Its last arrow (a server write).
    pub last: usize,
    /// Commands the client's writes carried.
    pub commands: usize,
    /// Milliseconds from the first client write to the last server write, when known.
    pub elapsed_ms: Option<u64>,
}

impl RoundTrip {
    /// Several commands before their replies (RFC 2920).
    pub fn pipelined(&self) -> bool {
        self.commands > 1
    }

    /// Round trips the group saved: its commands minus one.
    pub fn saved(&self) -> usize {
        self.commands.saturating_sub(1)
    }
}

/// The ladder diagram of a dialogue.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Ladder {
    /// One per write, in order.
    pub arrows: Vec<Arrow>,
    /// The round trips, in order.
    pub round_trips: Vec<RoundTrip>,
    /// Round trips saved by pipelining (the sum of [`RoundTrip::saved`]).
    pub saved_by_pipelining: usize,
    /// The first arrow inside TLS, if any.
    pub tls_from: Option<usize>,
    /// Whether the writes were recorded ([`Ladder::from_writes`]) rather than inferred.
    pub writes_known: bool,
}

impl Ladder {
    /// The ladder of a live session whose writes are known; `writes` index the same input as
    /// `annotated`'s entry spans, in order.
    pub fn from_writes(annotated: &AnnotatedTranscript, writes: &[Write]) -> Ladder {
        let entries = &annotated.entries;
        let arrows = writes
            .iter()
            .map(|w| {
                // Entries are in input order: the first whose end is past the write's start.
                let from = entries.partition_point(|e| e.span.end <= w.span.start);
                let carried: Vec<usize> = (from..entries.len())
                    .take_while(|&i| entries[i].span.start < w.span.end.max(w.span.start + 1))
                    .collect();
                let commands = carried
                    .iter()
                    .filter(|&&i| is_command(&entries[i]) && entries[i].span.start >= w.span.start)
                    .count();
                Arrow {
                    direction: w.direction,
                    span: w.span,
                    entries: carried,
                    commands,
                    at_ms: w.at_ms,
                    tls: false,
                    round_trip: None,
                }
            })
            .collect();
        Ladder::finish(annotated, arrows, true)
    }

    /// The ladder of a recorded transcript whose writes are not known: consecutive client
    /// entries make one write, each server entry is one.
    pub fn inferred(annotated: &AnnotatedTranscript) -> Ladder {
        let mut arrows: Vec<Arrow> = Vec::new();
        let mut last_client = false;
        for (i, entry) in annotated.entries.iter().enumerate() {
            let client = entry.direction == Direction::Client;
            let command = usize::from(is_command(entry));
            match arrows.last_mut() {
                Some(arrow) if client && last_client => {
                    arrow.entries.push(i);
                    arrow.commands += command;
                    arrow.span = Span::new(arrow.span.start, entry.span.end);
                }
                _ => arrows.push(Arrow {
                    direction: entry.direction,
                    span: entry.span,
                    entries: vec![i],
                    commands: command,
                    at_ms: None,
                    tls: false,
                    round_trip: None,
                }),
            }
            last_client = client;
        }
        Ladder::finish(annotated, arrows, false)
    }

    fn finish(annotated: &AnnotatedTranscript, mut arrows: Vec<Arrow>, known: bool) -> Ladder {
        let tls_from = tls_boundary(annotated, &arrows);
        if let Some(from) = tls_from {
            for arrow in arrows.iter_mut().skip(from) {
                arrow.tls = true;
            }
        }
        // Turns: (first arrow, commands, last server arrow so far).
        let mut turns: Vec<(usize, usize, Option<usize>)> = Vec::new();
        for (i, arrow) in arrows.iter().enumerate() {
            match (arrow.direction, turns.last_mut()) {
                (Direction::Client, Some(turn)) if turn.2.is_none() => turn.1 += arrow.commands,
                (Direction::Client, _) => turns.push((i, arrow.commands, None)),
                (Direction::Server, Some(turn)) => turn.2 = Some(i),
                (Direction::Server, None) => {}
            }
        }
        let mut round_trips: Vec<RoundTrip> = Vec::new();
        for (first, commands, last) in turns {
            let Some(last) = last else { continue };
            let elapsed_ms = match (arrows[first].at_ms, arrows[last].at_ms) {
                (Some(a), Some(b)) => Some(b.saturating_sub(a)),
                _ => None,
            };
            for arrow in &mut arrows[first..=last] {
                arrow.round_trip = Some(round_trips.len());
            }
            round_trips.push(RoundTrip {
                first,
                last,
                commands,
                elapsed_ms,
            });
        }
        Ladder {
            saved_by_pipelining: round_trips.iter().map(RoundTrip::saved).sum(),
            arrows,
            round_trips,
            tls_from,
            writes_known: known,
        }
    }

    /// The arrow that carries entry `entry` first, if any.
    pub fn arrow_of(&self, entry: usize) -> Option<usize> {
        self.arrows.iter().position(|a| a.entries.contains(&entry))
    }
}

fn is_command(entry: &Entry) -> bool {
    matches!(entry.parsed, Parsed::Command { .. })
}

/// The first arrow inside TLS: the one after the arrow carrying the 220 reply to STARTTLS, or
/// the first whose entries travelled inside TLS.
fn tls_boundary(annotated: &AnnotatedTranscript, arrows: &[Arrow]) -> Option<usize> {
    let entries = &annotated.entries;
    let starttls = entries.iter().position(|e| {
        matches!(
            &e.parsed,
            Parsed::Command {
                command: Command::StartTls
            }
        )
    });
    let ready = starttls.and_then(|s| {
        entries
            .iter()
            .enumerate()
            .skip(s + 1)
            .find(|(_, e)| matches!(&e.parsed, Parsed::Reply { reply, .. } if reply.code == 220))
            .map(|(i, _)| i)
    });
    let after_ready = ready
        .and_then(|r| arrows.iter().rposition(|a| a.entries.contains(&r)))
        .map(|a| a + 1)
        .filter(|&a| a < arrows.len());
    let first_tls = arrows
        .iter()
        .position(|a| a.entries.iter().any(|&i| entries[i].tls));
    match (after_ready, first_tls) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests;
