//! The STARTTLS guard (RFC 3207 §4.2): the relay notices a `STARTTLS` as the page's last
//! command line, frames the server's replies while it waits for the answer, and refuses any byte
//! the server sends between its reply and the TLS handshake.

use axum::body::Bytes;
use mailscope_core::relay::{Closer, ErrorCode};
use mailscope_core::smtp::{parse_reply, ReplyError};

use super::conn::Conn;
use super::session::{fail, Failure, Session};
use super::MAX_HELD_REPLY;

/// Where the relay is in the STARTTLS exchange (RFC 3207).
#[derive(Debug)]
pub(super) enum Watch {
    /// Bytes flow unchanged.
    Off,
    /// The client's last line was STARTTLS: server replies are passed one whole reply at a time
    /// and the bytes after a 220 are held back.
    Replies(Vec<u8>),
    /// The server said 220: nothing more may come before the handshake.
    AwaitHandshake,
}

/// Tracks the client's current command line, to notice a STARTTLS as the last command sent.
#[derive(Debug, Default)]
pub(super) struct LineTracker {
    line: Vec<u8>,
    last_was_starttls: bool,
}

impl LineTracker {
    /// Feeds client bytes in order; returns whether they end exactly after a `STARTTLS` line.
    pub(super) fn feed_all(&mut self, parts: &[Bytes]) -> bool {
        let mut starttls = self.last_was_starttls && self.line.is_empty();
        for p in parts {
            starttls = self.feed(p);
        }
        starttls
    }

    /// Feeds client bytes; returns whether they end exactly after a `STARTTLS` line.
    ///
    /// Only the line the last newline ends and the bytes after it matter, so the bytes before
    /// are skipped (this runs on every byte the page sends). The current line is kept up to
    /// [`LINE_PREFIX`] bytes.
    fn feed(&mut self, data: &[u8]) -> bool {
        match last_newline(data) {
            None => {
                self.keep_prefix(data);
                if !data.is_empty() {
                    self.last_was_starttls = false;
                }
            }
            Some(nl) => {
                let head = data.get(..nl).unwrap_or_default();
                let tail = data.get(nl + 1..).unwrap_or_default();
                match last_newline(head) {
                    Some(prev) => {
                        self.line.clear();
                        self.keep_prefix(head.get(prev + 1..).unwrap_or_default());
                    }
                    None => self.keep_prefix(head),
                }
                let line = self.line.strip_suffix(b"\r").unwrap_or(&self.line);
                self.last_was_starttls = line.trim_ascii().eq_ignore_ascii_case(b"STARTTLS");
                self.line.clear();
                self.keep_prefix(tail);
                if !tail.is_empty() {
                    self.last_was_starttls = false;
                }
            }
        }
        self.last_was_starttls && self.line.is_empty()
    }

    fn keep_prefix(&mut self, bytes: &[u8]) {
        let room = LINE_PREFIX.saturating_sub(self.line.len());
        self.line
            .extend_from_slice(bytes.get(..room).unwrap_or(bytes));
    }
}

/// Bytes of the current client line the [`LineTracker`] keeps (enough for `STARTTLS` with
/// some white space).
const LINE_PREFIX: usize = 32;

/// The position of the last `\n` in `data`, looking at 64 bytes at a time from the end.
fn last_newline(data: &[u8]) -> Option<usize> {
    let mut end = data.len();
    for block in data.rchunks_exact(64) {
        // No early exit inside a block, so the compiler compares it with vector instructions.
        if block.iter().fold(false, |seen, &b| seen | (b == b'\n')) {
            break;
        }
        end -= 64;
    }
    data.get(..end)
        .unwrap_or_default()
        .iter()
        .rposition(|&b| b == b'\n')
}

impl Session {
    pub(super) async fn on_server_data(&mut self, data: Vec<u8>) -> bool {
        match std::mem::replace(&mut self.watch, Watch::Off) {
            Watch::Off => self.send_data(data).await,
            Watch::AwaitHandshake => self.failure(injection(data.len())).await,
            Watch::Replies(mut held) => {
                held.extend_from_slice(&data);
                loop {
                    match parse_reply(&held) {
                        Ok(Some((reply, used))) => {
                            let rest = held.split_off(used.min(held.len()));
                            if !self.send_data(held).await {
                                return false;
                            }
                            held = rest;
                            if reply.code == 220 {
                                if !held.is_empty() {
                                    return self.failure(injection(held.len())).await;
                                }
                                self.watch = Watch::AwaitHandshake;
                                return true;
                            }
                            if held.is_empty() {
                                self.watch = Watch::Replies(held);
                                return true;
                            }
                        }
                        Ok(None) if held.len() <= MAX_HELD_REPLY => {
                            self.watch = Watch::Replies(held);
                            return true;
                        }
                        // Without a whole, well-formed reply the relay cannot tell where the
                        // answer to STARTTLS ends, so nothing of it may pass: the bytes could
                        // be commands injected ahead of the handshake.
                        Ok(None) => return self.failure(unframed(held.len(), None)).await,
                        Err(e) => return self.failure(unframed(held.len(), Some(e))).await,
                    }
                }
            }
        }
    }

    pub(super) async fn starttls(&mut self, sni: Option<String>) -> Result<(), Failure> {
        match std::mem::replace(&mut self.watch, Watch::Off) {
            Watch::Replies(held) if !held.is_empty() => return Err(injection(held.len())),
            _ => {}
        }
        let stream = match self.conn.take() {
            Some(Conn::Plain(s)) => s,
            Some(tls @ Conn::Tls(_)) => {
                self.conn = Some(tls);
                return Err(fail(
                    ErrorCode::BadRequest,
                    "the connection already uses TLS",
                ));
            }
            None => {
                return Err(fail(
                    ErrorCode::BadRequest,
                    "not connected: connect first, send STARTTLS and wait for the 220 reply",
                ))
            }
        };
        if let Some(sni) = sni {
            self.server_name = sni;
        }
        match self.handshake(stream).await {
            Ok((s, frame)) => {
                self.conn = Some(Conn::Tls(Box::new(s)));
                self.lines = LineTracker::default();
                self.send(&frame).await;
                Ok(())
            }
            Err(f) => {
                // The TCP stream was consumed by the failed handshake.
                let ok = self.error(f.code, f.message.clone()).await;
                if ok {
                    self.end_conn(Closer::Relay, f.message).await;
                }
                Ok(())
            }
        }
    }
}

pub(super) fn injection(n: usize) -> Failure {
    fail(
        ErrorCode::TlsFailed,
        format!(
            "the server sent {n} bytes after its 220 reply to STARTTLS, before the TLS handshake: this breaks RFC 3207 §4.2 (a command-injection risk), so the relay closed the connection and dropped those bytes"
        ),
    )
}

/// The server's replies while the relay waits for the answer to STARTTLS could not be framed:
/// `Some(why)` for a malformed reply, `None` for one that did not end within
/// [`MAX_HELD_REPLY`] bytes.
fn unframed(n: usize, why: Option<ReplyError>) -> Failure {
    let what = match why {
        Some(e) => format!("is not a valid SMTP reply ({e})"),
        None => format!("did not end within {MAX_HELD_REPLY} bytes"),
    };
    fail(
        ErrorCode::TlsFailed,
        format!(
            "the server's reply to STARTTLS {what}: the relay cannot tell where the reply ends, and any byte after it and before the TLS handshake breaks RFC 3207 §4.2 (a command-injection risk), so it closed the connection and dropped those {n} bytes. The server is broken or something on the path tampers with it; try another server or port"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starttls_as_last_line() {
        for (chunks, want) in [
            (vec!["STARTTLS\r\n"], true),
            (vec!["starttls\r\n"], true),
            (vec!["EHLO x\r\nSTARTTLS\r\n"], true),
            (vec!["STARTT", "LS\r\n"], true),
            (vec!["STARTTLS\r\nNOOP\r\n"], false),
            (vec!["STARTTLS\r\nNO"], false),
            (vec!["STARTTLS"], false),
            (vec!["MAIL FROM:<STARTTLS>\r\n"], false),
            (vec!["STARTTLS\r\n", "NOOP\r\n"], false),
        ] {
            let mut t = LineTracker::default();
            let mut got = false;
            for c in &chunks {
                got = t.feed(c.as_bytes());
            }
            assert_eq!(got, want, "{chunks:?}");
            let mut t = LineTracker::default();
            let parts: Vec<Bytes> = chunks.iter().map(|c| Bytes::from(c.as_bytes())).collect();
            assert_eq!(t.feed_all(&parts), want, "{chunks:?} gathered");
        }
    }

    /// The tracker as first written: one byte at a time.
    #[derive(Default)]
    struct ByteTracker {
        line: Vec<u8>,
        last_was_starttls: bool,
    }

    impl ByteTracker {
        fn feed(&mut self, data: &[u8]) -> bool {
            for &b in data {
                if b == b'\n' {
                    let line = self.line.strip_suffix(b"\r").unwrap_or(&self.line);
                    self.last_was_starttls = line.trim_ascii().eq_ignore_ascii_case(b"STARTTLS");
                    self.line.clear();
                } else {
                    if self.line.len() < LINE_PREFIX {
                        self.line.push(b);
                    }
                    self.last_was_starttls = false;
                }
            }
            self.last_was_starttls && self.line.is_empty()
        }
    }

    #[test]
    fn line_tracker_matches_byte_at_a_time() {
        // Pieces that make STARTTLS lines, near misses, long lines and bulk data; chunked at
        // pseudo-random points (xorshift), compared with the byte-at-a-time reference after
        // every chunk.
        let pieces: [&[u8]; 10] = [
            b"STARTTLS\r\n",
            b"starttls\n",
            b"  STARTTLS \r\n",
            b"STARTTLS",
            b"\r\n",
            b"\n",
            b"NOOP\r\n",
            b"                                  STARTTLS\r\n",
            b"STARTTLS                                       \r\n",
            &[b'y'; 300],
        ];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..300 {
            let mut stream = Vec::new();
            for _ in 0..(next() % 12) {
                stream.extend_from_slice(pieces[(next() % pieces.len() as u64) as usize]);
            }
            let (mut fast, mut slow) = (LineTracker::default(), ByteTracker::default());
            let mut rest = &stream[..];
            while !rest.is_empty() {
                let n = ((next() % 200) as usize).min(rest.len());
                let (chunk, after) = rest.split_at(n);
                let (a, b) = (fast.feed(chunk), slow.feed(chunk));
                assert_eq!(
                    (a, &fast.line, fast.last_was_starttls),
                    (b, &slow.line, slow.last_was_starttls),
                    "fast vs byte-at-a-time after {:?} of {:?}",
                    String::from_utf8_lossy(chunk),
                    String::from_utf8_lossy(&stream)
                );
                rest = after;
            }
        }
    }

    #[test]
    fn last_newline_finds_the_last() {
        for (data, want) in [
            (Vec::new(), None),
            (b"\n".to_vec(), Some(0)),
            (vec![b'x'; 200], None),
            (
                [vec![b'x'; 130], b"\n".to_vec(), vec![b'x'; 130]].concat(),
                Some(130),
            ),
            ([b"\n".to_vec(), vec![b'x'; 300]].concat(), Some(0)),
            ([vec![b'x'; 300], b"\n".to_vec()].concat(), Some(300)),
            ([vec![b'\n'; 100], vec![b'x'; 64]].concat(), Some(99)),
        ] {
            assert_eq!(last_newline(&data), want, "{} bytes", data.len());
        }
    }
}
