//! The byte pump: moves bytes between the core's client session and the [`Transport`] until
//! neither has any, keeps every write on the wire ([`WireChunk`]) and reads the wire back as an
//! annotated transcript after each pump.
//!
//! [`Transport`]: super::transport::Transport

use mailscope_core::smtp::session::ClientEvent;
use mailscope_core::smtp::transcript::ladder::{Ladder, Write};
use mailscope_core::smtp::transcript::{AnnotateOptions, Direction};
use mailscope_core::span::Span;

use super::notes::{NoteKind, SIDE_RELAY};
use super::transport::Incoming;
use super::SessionModel;
use crate::state::transcript::read_wire;

/// Most wire bytes kept for one session (the in-browser server keeps messages up to its SIZE).
pub const MAX_WIRE_BYTES: usize = 16 * 1024 * 1024;
/// Most transfer steps in one pump (a safety net; a session settles in a few).
const MAX_PUMP_STEPS: usize = 10_000;

/// One write on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WireChunk {
    /// Who wrote it.
    pub direction: Direction,
    /// Its bytes in [`SessionModel::wire`].
    pub span: Span,
    /// Milliseconds since the session started.
    pub at_ms: u64,
    /// Written inside TLS.
    pub tls: bool,
}

/// The pump and the wire it fills.
impl SessionModel {
    /// The writes as [`read_wire`] takes them.
    pub(super) fn wire_chunks(&self) -> Vec<(Span, Direction, bool)> {
        self.chunks
            .iter()
            .map(|c| (c.span, c.direction, c.tls))
            .collect()
    }

    pub(super) fn log(&mut self, direction: Direction, bytes: &[u8], now: u64, tls: bool) {
        if bytes.is_empty() || self.wire.len() + bytes.len() > MAX_WIRE_BYTES {
            return;
        }
        let start = self.wire.len();
        self.wire.extend_from_slice(bytes);
        self.chunks.push(WireChunk {
            direction,
            span: Span::new(start, self.wire.len()),
            at_ms: now.saturating_sub(self.started_at),
            tls,
        });
    }

    /// Moves bytes between the client session and the transport until neither has any, like
    /// the core's own transfer loop. The same loop serves the in-browser server and the relay.
    pub(super) fn pump(&mut self, now: u64) {
        self.clock = self.clock.max(now);
        for _ in 0..MAX_PUMP_STEPS {
            let Some(conn) = self.conn.as_mut() else {
                return;
            };
            conn.client.handle_time(now);
            conn.transport.handle_time(now);
            let mut moved = false;
            let mut out = Vec::new();
            let mut server_events = Vec::new();
            let mut relay_notes = Vec::new();
            let mut tls_up = false;
            while let Some(incoming) = conn.transport.poll() {
                moved = true;
                match incoming {
                    Incoming::Data { bytes, tls } => {
                        if conn.client_tracks {
                            conn.client.handle_input(&bytes);
                        }
                        out.push((Direction::Server, bytes, tls));
                    }
                    Incoming::TlsUp => {
                        conn.client.tls_established();
                        tls_up = true;
                    }
                    Incoming::Server(e) => server_events.push(e),
                    Incoming::Note { text, error } => relay_notes.push((text, error)),
                    Incoming::Closed => {
                        self.server_closed = true;
                    }
                }
            }
            let mut client_events = Vec::new();
            while let Some(e) = conn.client.poll_event() {
                client_events.push(e);
            }
            let client_tls = client_events.contains(&ClientEvent::TlsRequested);
            if client_tls {
                conn.transport.start_tls();
            }
            while let Some(bytes) = conn.client.poll_output() {
                conn.transport.send(&bytes);
                out.push((Direction::Client, bytes, conn.client.is_tls()));
                moved = true;
            }
            while let Some(e) = conn.client.poll_event() {
                client_events.push(e);
            }
            for (direction, bytes, tls) in out {
                self.log(direction, &bytes, now, tls);
            }
            for (text, error) in relay_notes {
                let kind = if error {
                    NoteKind::Error
                } else {
                    NoteKind::Info
                };
                self.note(now, SIDE_RELAY, text, kind);
            }
            for e in server_events {
                self.server_event(e, now);
            }
            for e in client_events {
                self.client_event(e, now);
            }
            if !moved && !client_tls && !tls_up {
                break;
            }
        }
        self.reannotate();
    }

    /// Reads the wire back: each write is split into lines by the core (raw form), given its
    /// known direction, and the whole dialogue is annotated.
    pub(super) fn reannotate(&mut self) {
        self.transcript = read_wire(&self.wire, &self.wire_chunks());
        // A session in progress is not judged as ended (no "no QUIT" while it is open).
        self.transcript.open = self.is_connected();
        self.annotated = self.transcript.annotate_with(&AnnotateOptions {
            reveal_secrets: self.reveal_secrets,
        });
        let writes: Vec<Write> = self
            .chunks
            .iter()
            .map(|c| Write {
                direction: c.direction,
                span: c.span,
                at_ms: Some(c.at_ms),
            })
            .collect();
        self.ladder = Ladder::from_writes(&self.annotated, &writes);
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use mailscope_core::smtp::auth::{Credentials, Mechanism};
    use mailscope_core::smtp::transcript::Direction;

    use crate::state::session::tests::{codes, send};
    use crate::state::session::{Action, SessionModel};

    #[test]
    fn pipelined_group_saves_round_trips() {
        let mut m = SessionModel::default();
        m.apply(Action::Connect { now: 0 });
        send(&mut m, "EHLO c", 1);
        m.apply(Action::SetPipelining(true));
        for line in [
            "MAIL FROM:<a@example.org>",
            "RCPT TO:<b@example.net>",
            "RCPT TO:<unknown@sandbox.test>",
            "DATA",
        ] {
            send(&mut m, line, 2);
        }
        assert_eq!(m.group.len(), 4, "queued");
        m.apply(Action::SendGroup { now: 3 });
        assert_eq!(m.ladder.saved_by_pipelining, 3);
        assert_eq!(m.ladder.round_trips.len(), 2);
        assert!(m.ladder.round_trips[1].pipelined());
        let sent: Vec<_> = m
            .chunks
            .iter()
            .filter(|c| c.direction == Direction::Client)
            .collect();
        assert_eq!(sent.len(), 2, "EHLO, then the whole group in one write");
        let rows = m.rows();
        assert!(
            rows.iter().any(|r| r.wire.starts_with("550 5.1.1")),
            "failing recipient refused: {:?}",
            codes(&m)
        );
        assert!(m.ready_for_data());
    }

    #[test]
    fn auth_secrets_are_masked_until_the_reader_asks() {
        let mut m = SessionModel::default();
        m.apply(Action::Connect { now: 0 });
        send(&mut m, "EHLO c", 1);
        m.apply(Action::AuthStart {
            mechanism: Mechanism::Plain,
            credentials: Credentials::new("alice", "wonderland"),
            now: 2,
        });
        assert!(m.is_authenticated());
        let shown = |m: &SessionModel| format!("{:?}", m.rows());
        for secret in ["wonderland", "AGFsaWNlAHdvbmRlcmxhbmQ="] {
            assert!(!shown(&m).contains(secret), "masked by default: {secret}");
        }
        m.apply(Action::RevealSecrets(true));
        for secret in ["wonderland", "AGFsaWNlAHdvbmRlcmxhbmQ="] {
            assert!(shown(&m).contains(secret), "shown on request: {secret}");
        }
        m.apply(Action::RevealSecrets(false));
        assert!(!shown(&m).contains("wonderland"), "masked again");
    }
}
