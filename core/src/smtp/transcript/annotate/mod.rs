//! The replay behind [`super::Transcript::annotate_with`]: the recorded lines go through the
//! core's command-order rules ([`Order`]) with the recorded server's own replies.
//!
//! Two order states are kept. `confirmed` is the server's state as its recorded replies made
//! it: each reply is applied with [`Order::answer`] to the command it answers (the oldest one
//! outstanding). `projected` is `confirmed` plus every command still waiting for its reply,
//! each assumed answered positively ([`Order::assume_positive`]), which is what a pipelining
//! client may assume (RFC 2920 §3.1). Commands are checked with [`Order::check`] against
//! `projected`: a RCPT pipelined after an unanswered MAIL is in order, a RCPT after a MAIL the
//! server refused is not. When a reply differs from the assumption, `projected` is rebuilt from
//! `confirmed` and the commands still outstanding.
//!
//! The pieces: this file keeps the state and dispatches each line; `reply` reads the server's
//! replies and moves the state on, `command` checks the client's commands, `auth` follows AUTH
//! exchanges and masks their secrets, `content` closes DATA and BDAT content.

mod auth;
mod command;
mod content;
mod reply;

use crate::lint::msg;
use std::collections::VecDeque;

use crate::lint::Lint;
use crate::smtp::auth::Mechanism;
use crate::smtp::capability::{Capabilities, Extension};
use crate::smtp::command::Body;
use crate::smtp::lints;
use crate::smtp::session::order::{Order, Step};
use crate::span::Span;

use super::{
    ends_data, is_reply_start, AnnotateOptions, AnnotatedTranscript, Direction, Entry, Format,
    Parsed, SessionState, Transcript, TranscriptLine,
};

/// Most commands kept waiting for their replies; a longer pipeline is not tracked further
/// (real pipelined groups are a few dozen commands).
pub const MAX_PENDING: usize = 1000;
/// Most challenge/response lines kept for decoding one AUTH exchange.
const MAX_AUTH_LINES: usize = 64;

/// Maps offsets in a reconstructed wire buffer back to the transcript input.
#[derive(Default)]
struct Map {
    /// (offset in buffer, content span in input)
    segs: Vec<(usize, Span)>,
}

impl Map {
    fn push(&mut self, buf_start: usize, content: Span) {
        self.segs.push((buf_start, content));
    }

    /// Maps `off`, looking it up in the segment holding byte `key`.
    fn offset(&self, off: usize, key: usize) -> usize {
        // Segments are in buffer order: the last one starting at or before `key`.
        let idx = self.segs.partition_point(|(start, _)| *start <= key);
        match self.segs.get(idx.saturating_sub(1)) {
            Some(&(start, content)) => (content.start + off.saturating_sub(start)).min(content.end),
            None => 0,
        }
    }

    fn span(&self, s: Span) -> Span {
        let start = self.offset(s.start, s.start);
        // A span ending at a segment boundary belongs to the earlier segment.
        let end = if s.end > s.start {
            self.offset(s.end, s.end - 1)
        } else {
            start
        };
        Span::new(start, end.max(start))
    }

    fn lint(&self, mut l: Lint) -> Lint {
        l.span = self.span(l.span);
        l
    }
}

/// A command waiting for its reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pending {
    step: Step,
}

impl Pending {
    /// RFC 2920 §3.1, RFC 3207 §4.2, RFC 4954 §4: commands that must end a pipelined group.
    fn ends_group(self) -> bool {
        matches!(
            self.step,
            Step::Hello(_) | Step::Data | Step::StartTls | Step::Auth | Step::Quit | Step::Other
        )
    }
}

/// Lines of one direction gathered into one entry, with the wire bytes they stand for.
struct Block {
    direction: Direction,
    tls: bool,
    buf: Vec<u8>,
    map: Map,
    span: Span,
    text: String,
    lines: usize,
}

impl Block {
    fn new(direction: Direction, tls: bool, start: usize) -> Block {
        Block {
            direction,
            tls,
            buf: Vec::new(),
            map: Map::default(),
            span: Span::new(start, start),
            text: String::new(),
            lines: 0,
        }
    }

    fn add(&mut self, line: &TranscriptLine, format: Format) {
        if self.lines == 0 {
            self.span.start = line.span.start;
        } else {
            self.text.push('\n');
        }
        self.span.end = line.span.end;
        let wire = line.wire(format);
        // In a raw capture the line ending is part of the wire bytes and of the input.
        let extent = match format {
            Format::Raw => Span::new(line.content.start, line.span.end),
            _ => line.content,
        };
        self.map.push(self.buf.len(), extent);
        self.buf.extend_from_slice(&wire);
        self.text.push_str(&line.text);
        self.lines += 1;
    }
}

/// What the client declared for the current transaction (for the DATA lints).
#[derive(Default)]
struct Txn {
    body: Option<Body>,
    declared_size: Option<u64>,
    smtputf8: bool,
}

/// How the next client lines are read, by the replies seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Commands.
    Commands,
    /// SASL responses, after a 334 (RFC 4954 §4).
    Sasl,
    /// Message content, after a 354 (RFC 5321 §4.1.1.4).
    Data,
    /// Encrypted TLS records: nothing more can be read.
    Tls,
}

/// An AUTH exchange being collected for [`decode_exchange`](crate::smtp::auth::decode_exchange).
struct AuthCapture {
    /// Index of the AUTH command's entry.
    entry: usize,
    mechanism: Mechanism,
    /// The initial response and its offset in the input.
    initial: Option<(Vec<u8>, usize)>,
    /// (from client, base64 payload, offset in the input, index of the client line's entry)
    lines: Vec<(bool, Vec<u8>, usize, Option<usize>)>,
}

pub(super) struct Annotator {
    format: Format,
    options: AnnotateOptions,
    entries: Vec<Entry>,
    lints: Vec<Lint>,
    /// The server's state by its recorded replies.
    confirmed: Order,
    /// `confirmed` with every outstanding command assumed answered positively.
    projected: Order,
    greeted: bool,
    mode: Mode,
    caps: Option<Capabilities>,
    pending: VecDeque<Pending>,
    txn: Txn,
    quit_sent: bool,
    quit_answered: bool,
    reply: Option<Block>,
    auth: Option<AuthCapture>,
    data: Option<Block>,
    chunk: Option<(Block, u64)>,
}

impl Annotator {
    pub(super) fn new(format: Format, options: AnnotateOptions) -> Annotator {
        Annotator {
            format,
            options,
            entries: Vec::new(),
            lints: Vec::new(),
            confirmed: Order::default(),
            projected: Order::default(),
            greeted: false,
            mode: Mode::Commands,
            caps: None,
            pending: VecDeque::new(),
            txn: Txn::default(),
            quit_sent: false,
            quit_answered: false,
            reply: None,
            auth: None,
            data: None,
            chunk: None,
        }
    }

    /// The state shown on entries: the projected order state, or the reading mode.
    fn state(&self) -> SessionState {
        match self.mode {
            Mode::Tls => return SessionState::Tls,
            Mode::Data => return SessionState::Data,
            Mode::Sasl => return SessionState::Authenticating,
            Mode::Commands => {}
        }
        let o = &self.projected;
        if o.closed {
            SessionState::Closed
        } else if !o.greeted {
            SessionState::Connected
        } else if o.hello.is_none() {
            SessionState::Greeted
        } else if o.bdat {
            SessionState::Chunking
        } else if o.rcpts > 0 {
            SessionState::Rcpt
        } else if o.mail {
            SessionState::Mail
        } else {
            SessionState::Ready
        }
    }

    fn tls(&self) -> bool {
        self.confirmed.tls
    }

    fn has(&self, ext: Extension) -> bool {
        self.caps.as_ref().is_some_and(|c| c.has(ext))
    }

    /// Queues a command (or SASL response, or end of data) for its reply, assuming it is
    /// answered positively.
    fn push_pending(&mut self, step: Step) {
        if self.pending.len() < MAX_PENDING {
            self.pending.push_back(Pending { step });
            self.projected.assume_positive(step);
        }
    }

    /// Applies the server's reply `code` to the oldest outstanding command, if any.
    fn answer(&mut self, code: u16) -> Option<Pending> {
        let p = self.pending.pop_front()?;
        let mut assumed = self.confirmed;
        assumed.assume_positive(p.step);
        self.confirmed.answer(p.step, code);
        if assumed != self.confirmed {
            self.rebuild_projection();
        }
        Some(p)
    }

    fn rebuild_projection(&mut self) {
        self.projected = self.confirmed;
        for p in &self.pending {
            self.projected.assume_positive(p.step);
        }
    }

    pub(super) fn line(&mut self, line: &TranscriptLine) {
        if line.opaque {
            self.opaque(line);
            return;
        }
        if line.tls && !self.confirmed.tls {
            // A line known to be sent inside TLS (swaks `~>`/`<~`, also with --tls-on-connect
            // and no STARTTLS; lines a caller marks, such as a live session on port 465).
            self.confirmed.tls = true;
            self.projected.tls = true;
        }
        match line.direction {
            Direction::Server => {
                if self.mode == Mode::Data {
                    // The server answers before a '.' line: the transcript left out the end of
                    // the message (swaks --suppress-data, tutorials that elide the body).
                    self.finish_data(false);
                }
                let block = self.reply.get_or_insert_with(|| {
                    Block::new(Direction::Server, line.tls, line.span.start)
                });
                block.add(line, self.format);
                // Only a line that is not a continuation (`ddd-`) can complete a reply; parsing
                // just then keeps long multi-line replies linear.
                let continuation = is_reply_start(&line.bytes) && line.bytes.get(3) == Some(&b'-');
                if !continuation || block.lines > crate::smtp::reply::MAX_REPLY_LINES {
                    self.try_reply(false);
                }
            }
            Direction::Client => {
                if self.reply.is_some() {
                    self.try_reply(true);
                }
                if let Some((mut block, size)) = self.chunk.take() {
                    block.add(line, self.format);
                    if block.buf.len() as u64 >= size {
                        self.finish_chunk(block, size);
                    } else {
                        self.chunk = Some((block, size));
                    }
                } else if self.mode == Mode::Data {
                    let block = self.data.get_or_insert_with(|| {
                        Block::new(Direction::Client, line.tls, line.span.start)
                    });
                    let after_crlf = block.buf.is_empty() || block.buf.ends_with(b"\r\n");
                    let done = ends_data(&line.wire(self.format), after_crlf);
                    block.add(line, self.format);
                    if done {
                        self.finish_data(true);
                    }
                } else if self.mode == Mode::Sasl {
                    self.sasl_response(line);
                } else {
                    self.command(line);
                }
            }
        }
    }

    /// A run of encrypted bytes after the 220 to STARTTLS in a raw capture.
    fn opaque(&mut self, line: &TranscriptLine) {
        self.try_reply(true);
        if let Some((block, size)) = self.chunk.take() {
            self.finish_chunk(block, size);
        }
        if self.data.is_some() {
            self.finish_data(false);
        }
        self.finish_auth();
        let before = self.state();
        self.mode = Mode::Tls;
        let n = line.bytes.len();
        let looks_like_tls =
            matches!(line.bytes.first(), Some(0x14..=0x17)) && line.bytes.get(1) == Some(&0x03);
        let mut explanation = format!(
            "{} sent {n} bytes of TLS records after the 220 reply to STARTTLS; they are encrypted and cannot be decoded without the session keys (RFC 3207 §4.2, RFC 8446 §5)",
            match line.direction {
                Direction::Client => "The client",
                Direction::Server => "The server",
            }
        );
        if !looks_like_tls {
            explanation.push_str(
                ". These bytes do not start like a TLS record; which side sent them is a guess",
            );
        }
        self.entries.push(Entry {
            direction: line.direction,
            span: line.span,
            text: format!("TLS ({n} bytes, encrypted — not decodable without keys)"),
            tls: true,
            parsed: Parsed::Tls { octets: n },
            state_before: before,
            state_after: SessionState::Tls,
            explanation,
            lints: Vec::new(),
            auth: None,
        });
    }

    pub(super) fn finish(mut self, transcript: &Transcript) -> AnnotatedTranscript {
        self.try_reply(true);
        self.finish_auth();
        if let Some((block, size)) = self.chunk.take() {
            if block.lines > 0 {
                self.finish_chunk(block, size);
            }
        }
        if self.data.is_some() {
            self.finish_data(false);
        }
        let end = transcript.lines.last().map_or(0, |l| l.span.end);
        // After the STARTTLS handshake of a raw capture nothing more can be read, QUIT included.
        let closed_by_server = self.confirmed.closed && !self.quit_answered;
        if !self.entries.is_empty()
            && !closed_by_server
            && self.mode != Mode::Tls
            && !transcript.open
        {
            if !self.quit_sent {
                self.lints.push(lints::NO_QUIT.at(
                    Span::new(end, end),
                    msg!("the dialogue ends without QUIT; the client closed the connection, which RFC 5321 §4.1.1.10 forbids"),
                ));
            } else if !self.quit_answered {
                self.lints.push(lints::QUIT_UNANSWERED.at(
                    Span::new(end, end),
                    msg!("QUIT was sent but the dialogue ends before the server's 221 reply; the client should wait for it"),
                ));
            }
        }
        AnnotatedTranscript {
            format: self.format,
            truncated: transcript.truncated,
            open: transcript.open,
            secrets_revealed: self.options.reveal_secrets,
            entries: self.entries,
            lints: self.lints,
            ignored: Vec::new(),
        }
    }
}
