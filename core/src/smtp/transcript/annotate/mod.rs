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

use std::collections::VecDeque;

use crate::lint::Lint;
use crate::smtp::auth::{decode_exchange, AuthLine, Mechanism};
use crate::smtp::capability::{Capabilities, Extension};
use crate::smtp::command::{parse_command, Body, Command};
use crate::smtp::lints;
use crate::smtp::reply::{explain_code, parse_reply, Reply};
use crate::smtp::session::order::{Order, OrderError, Step};
use crate::span::Span;

use super::{
    is_reply_start, lint_message, mask_secret, AnnotateOptions, AnnotatedTranscript, Direction,
    Entry, Format, Parsed, SessionState, Transcript, TranscriptLine,
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

/// An AUTH exchange being collected for [`decode_exchange`].
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
                    let done = line.bytes == b".";
                    let block = self.data.get_or_insert_with(|| {
                        Block::new(Direction::Client, line.tls, line.span.start)
                    });
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

    /// Parses the buffered server lines; `force` turns an incomplete reply into an entry.
    fn try_reply(&mut self, force: bool) {
        let Some(block) = self.reply.take() else {
            return;
        };
        match parse_reply(&block.buf) {
            Ok(Some((reply, _))) => self.reply_entry(block, reply),
            Ok(None) if !force => self.reply = Some(block),
            Ok(None) => {
                let lint = lints::REPLY_INVALID.at(
                    block.map.span(Span::new(0, block.buf.len())),
                    "reply ends without a final line (`ddd SP text`)",
                );
                self.invalid(block, "incomplete reply: no final line".into(), lint);
            }
            Err(e) => {
                let lint = lints::REPLY_INVALID
                    .at(block.map.span(Span::new(0, block.buf.len())), e.to_string());
                self.invalid(block, e.to_string(), lint);
            }
        }
    }

    fn invalid(&mut self, block: Block, error: String, lint: Lint) {
        let before = self.state();
        // An unreadable reply still answers the oldest outstanding command, with nothing
        // known of its outcome: the state stays as it was.
        if block.direction == Direction::Server && self.greeted {
            if self.pending.pop_front().is_some() {
                self.rebuild_projection();
            }
            if self.mode == Mode::Sasl {
                self.mode = Mode::Commands;
            }
        }
        self.entries.push(Entry {
            direction: block.direction,
            span: block.span,
            text: block.text,
            tls: block.tls || self.tls(),
            parsed: Parsed::Invalid {
                error: error.clone(),
            },
            state_before: before,
            state_after: self.state(),
            explanation: format!("could not be read: {error}"),
            lints: vec![lint],
            auth: None,
        });
    }

    fn reply_entry(&mut self, block: Block, mut reply: Reply) {
        let before = self.state();
        // The 220 answering STARTTLS is still sent in the clear.
        let tls_before = self.tls();
        let mut entry_lints: Vec<Lint> = reply.lints.drain(..).map(|l| block.map.lint(l)).collect();
        reply.span = block.map.span(reply.span);
        for l in &mut reply.lines {
            l.span = block.map.span(l.span);
        }
        let code = reply.code;
        let positive = reply.is_positive();
        let mut capabilities = None;
        let mut notes = Vec::new();
        if let Some(any) = reply.enhanced_any() {
            if any.code.class != reply.class() {
                entry_lints.push(lints::ENHANCED_CODE_MISMATCH.at(
                    any.span,
                    format!(
                        "enhanced code {} has class {} but the reply code is {code}",
                        any.code, any.code.class
                    ),
                ));
            }
        }
        if !self.greeted {
            self.greeted = true;
            notes.push(match code {
                220 => "The server's greeting: it is ready for EHLO (RFC 5321 §4.3.1)",
                554 => "The server refuses service; the client should QUIT (RFC 5321 §4.3.1)",
                _ => "The first reply is the greeting (RFC 5321 §4.3.1)",
            });
            self.confirmed.answer(Step::Greeting, code);
            self.rebuild_projection();
        } else {
            match self.answer(code) {
                None => entry_lints.push(lints::OUT_OF_SEQUENCE.at(
                    reply.span,
                    format!("reply {code} arrived with no command waiting for it"),
                )),
                Some(p) => match p.step {
                    Step::Hello(hello) if code / 100 == 2 => {
                        if hello == crate::smtp::session::order::Hello::Ehlo {
                            // The reply's line spans are already mapped to the input, so the
                            // capability lints are too.
                            let mut caps = Capabilities::from_reply(&reply);
                            entry_lints.append(&mut caps.lints);
                            notes.push("The server lists the extensions it offers");
                            self.caps = Some(caps.clone());
                            capabilities = Some(caps);
                        } else {
                            self.caps = None;
                            notes.push("HELO accepted: no extensions may be used");
                        }
                    }
                    Step::Mail if !positive => notes.push("MAIL refused: no transaction is open"),
                    Step::Rcpt if !positive => notes.push("Recipient refused"),
                    Step::Data if code == 354 => {
                        self.mode = Mode::Data;
                        notes.push(
                            "The client now sends the message, ending with a line holding only '.'",
                        );
                    }
                    Step::EndOfData => notes.push(if positive {
                        "The server has taken responsibility for the message"
                    } else {
                        "The message was refused; the transaction is over"
                    }),
                    Step::StartTls if code == 220 => {
                        self.caps = None;
                        notes.push("TLS starts now and the session is back at its start: the client must forget the earlier extensions and should send EHLO again, which a mail transaction needs (RFC 3207 §4.2, RFC 5321 §4.1.4)");
                    }
                    Step::Auth => self.auth_reply(&reply, &mut notes),
                    Step::Quit if code == 221 => self.quit_answered = true,
                    _ => {}
                },
            }
        }
        if code == 421 {
            // RFC 5321 §3.8: the server closes; nothing outstanding will be answered.
            self.pending.clear();
            self.rebuild_projection();
            self.mode = Mode::Commands;
        }
        let enhanced = reply.enhanced().map(|e| e.code);
        let explained = explain_code(code);
        let mut explanation = explained.to_string();
        if let Some(e) = enhanced {
            explanation.push_str(". ");
            explanation.push_str(&e.explain());
        }
        for n in notes {
            explanation.push_str(". ");
            explanation.push_str(n);
        }
        self.entries.push(Entry {
            direction: Direction::Server,
            span: block.span,
            text: block.text,
            tls: block.tls || tls_before,
            parsed: Parsed::Reply {
                reply,
                enhanced,
                code: explained,
                capabilities,
            },
            state_before: before,
            state_after: self.state(),
            explanation,
            lints: entry_lints,
            auth: None,
        });
    }

    /// A reply to AUTH or to a SASL response: 334 asks for the next response, anything else
    /// ends the exchange.
    fn auth_reply(&mut self, reply: &Reply, notes: &mut Vec<&'static str>) {
        if reply.code != 334 {
            self.finish_auth();
            self.mode = Mode::Commands;
            return;
        }
        if let Some(capture) = self.auth.as_mut() {
            if let Some(first) = reply
                .lines
                .first()
                .filter(|_| capture.lines.len() < MAX_AUTH_LINES)
            {
                // Never longer than the line, so the span stays in the input.
                let payload: Vec<u8> = first
                    .text
                    .trim_start()
                    .bytes()
                    .take(first.span.len())
                    .collect();
                let offset = first.span.end.saturating_sub(payload.len());
                capture.lines.push((false, payload, offset, None));
            }
        }
        self.mode = Mode::Sasl;
        notes.push("The next client line is a base64 SASL response (RFC 4954 §4)");
    }

    fn not_offered(&self, lints: &mut Vec<Lint>, span: Span, ext: Extension, what: &str) {
        if !self.has(ext) {
            let why = if self.caps.is_none() {
                "no EHLO reply listed extensions (HELO, or none yet since the connection or STARTTLS)"
            } else {
                "the EHLO reply did not offer it"
            };
            lints.push(lints::EXTENSION_NOT_OFFERED.at(span, format!("{what} used but {why}")));
        }
    }

    fn command(&mut self, line: &TranscriptLine) {
        let mut block = Block::new(Direction::Client, line.tls, line.span.start);
        block.add(line, self.format);
        let parsed = match parse_command(&block.buf) {
            Ok(Some((p, _))) => p.into_owned(),
            Ok(None) => {
                let lint = lints::SYNTAX_INVALID.at(
                    line.content,
                    "command line without a line end at the end of the capture",
                );
                self.invalid(block, "incomplete command line".into(), lint);
                return;
            }
            Err(e) => {
                let lint = lints::LINE_TOO_LONG.at(line.content, e.to_string());
                self.invalid(block, e.to_string(), lint);
                return;
            }
        };
        let span = line.content;
        let mut entry_lints: Vec<Lint> = parsed
            .lints
            .iter()
            .cloned()
            .map(|l| block.map.lint(l))
            .collect();
        let before = self.state();
        let cmd = parsed.command;
        let step = Step::of(&cmd);
        // The command-order rules of the core (RFC 5321 §4.1.4), against what the server's
        // replies so far and the pipelined commands before this one make of the session.
        if let Err(e) = self.projected.check(step) {
            // Talking before the greeting breaks a SHOULD (RFC 5321 §4.3.1), the rest a MUST.
            let def = if matches!(e, OrderError::BeforeGreeting { .. }) {
                &lints::BEFORE_GREETING
            } else {
                &lints::OUT_OF_SEQUENCE
            };
            entry_lints.push(def.at(span, e.to_string()));
        }
        // Pipelining: a command sent while replies are outstanding.
        if let Some(&last) = self.pending.back() {
            if !self.has(Extension::Pipelining) {
                entry_lints.push(lints::PIPELINING_NOT_OFFERED.at(
                    span,
                    format!(
                        "{} sent before the reply to the previous command, but the server did not offer PIPELINING",
                        cmd.verb()
                    ),
                ));
            } else if last.ends_group() {
                entry_lints.push(lints::PIPELINING_NOT_OFFERED.at(
                    span,
                    format!(
                        "{} sent before the reply to a command that must end a pipelined group (EHLO, DATA, VRFY, EXPN, NOOP, QUIT, STARTTLS, AUTH; RFC 2920 §3.1)",
                        cmd.verb()
                    ),
                ));
            }
        }
        let mut auth = None;
        match &cmd {
            Command::Helo { .. } | Command::Ehlo { .. } | Command::Rset => {
                self.txn = Txn::default();
            }
            Command::Mail { params, .. } => {
                if params.size.is_some() {
                    self.not_offered(&mut entry_lints, span, Extension::Size, "SIZE=");
                }
                match params.body {
                    Some(Body::EightBitMime) => self.not_offered(
                        &mut entry_lints,
                        span,
                        Extension::EightBitMime,
                        "BODY=8BITMIME",
                    ),
                    Some(Body::BinaryMime) => self.not_offered(
                        &mut entry_lints,
                        span,
                        Extension::BinaryMime,
                        "BODY=BINARYMIME",
                    ),
                    _ => {}
                }
                if params.smtputf8 {
                    self.not_offered(&mut entry_lints, span, Extension::SmtpUtf8, "SMTPUTF8");
                }
                if params.ret.is_some() || params.envid.is_some() {
                    self.not_offered(&mut entry_lints, span, Extension::Dsn, "RET=/ENVID=");
                }
                if params.auth.is_some() {
                    self.not_offered(&mut entry_lints, span, Extension::Auth, "AUTH=");
                }
                let limit = self.caps.as_ref().and_then(Capabilities::size_limit);
                if let (Some(n), Some(l)) = (params.size, limit) {
                    if n > l {
                        entry_lints.push(lints::SIZE_EXCEEDED.at(
                            span,
                            format!("SIZE={n} exceeds the server's SIZE limit of {l} octets; it answers 552 (RFC 1870 §6.1)"),
                        ));
                    }
                }
                self.txn = Txn {
                    declared_size: params.size,
                    body: params.body,
                    smtputf8: params.smtputf8,
                };
            }
            Command::Rcpt { to, params } => {
                if to.is_utf8() && !self.txn.smtputf8 {
                    entry_lints.push(lints::UTF8_WITHOUT_SMTPUTF8.at(
                        parsed.path.map_or(span, |p| block.map.span(p)),
                        "non-ASCII recipient, but MAIL FROM did not carry SMTPUTF8",
                    ));
                }
                if params.notify.is_some() || params.orcpt.is_some() {
                    self.not_offered(&mut entry_lints, span, Extension::Dsn, "NOTIFY=/ORCPT=");
                }
            }
            Command::Bdat { size, .. } => {
                self.not_offered(&mut entry_lints, span, Extension::Chunking, "BDAT");
                if *size > 0 {
                    self.chunk = Some((
                        Block::new(Direction::Client, line.tls, line.span.end),
                        *size,
                    ));
                }
            }
            Command::StartTls => {
                self.not_offered(&mut entry_lints, span, Extension::StartTls, "STARTTLS");
            }
            Command::Auth {
                mechanism,
                initial_response,
            } => {
                self.finish_auth();
                // The initial response is the last word of the line, taken from the input bytes
                // (the parsed value is lossy UTF-8).
                let initial = initial_response.as_ref().map(|_| {
                    let ir = line
                        .bytes
                        .rsplit(|&b| b == b' ')
                        .next()
                        .unwrap_or_default()
                        .to_vec();
                    let offset = line.content.start + line.bytes.len().saturating_sub(ir.len());
                    (ir, offset)
                });
                let mechanism = Mechanism::parse(mechanism);
                // RFC 4954 §4 speaks of plaintext password mechanisms; a bearer token is as
                // readable. CRAM-MD5 and unknown mechanisms send no readable secret.
                let readable = matches!(
                    mechanism,
                    Mechanism::Plain | Mechanism::Login | Mechanism::Xoauth2
                );
                if readable && !self.tls() {
                    entry_lints.push(lints::AUTH_WITHOUT_TLS.at(
                        span,
                        format!(
                            "AUTH {} on a connection without TLS: the password or token can be read on the path; servers should not permit plaintext password mechanisms without TLS (RFC 4954 §4); use STARTTLS first",
                            mechanism.as_str()
                        ),
                    ));
                }
                auth = Some(AuthCapture {
                    entry: self.entries.len(),
                    mechanism,
                    initial,
                    lines: Vec::new(),
                });
                self.not_offered(&mut entry_lints, span, Extension::Auth, "AUTH");
            }
            Command::Quit => self.quit_sent = true,
            _ => {}
        }
        if auth.is_some() {
            self.auth = auth;
        }
        self.push_pending(step);
        let explanation = cmd.explain().to_string();
        self.entries.push(Entry {
            direction: Direction::Client,
            span: block.span,
            text: block.text,
            tls: line.tls || self.tls(),
            parsed: Parsed::Command { command: cmd },
            state_before: before,
            state_after: self.state(),
            explanation,
            lints: entry_lints,
            auth: None,
        });
    }

    fn sasl_response(&mut self, line: &TranscriptLine) {
        let before = self.state();
        let index = self.entries.len();
        if let Some(capture) = self.auth.as_mut() {
            if capture.lines.len() < MAX_AUTH_LINES {
                capture
                    .lines
                    .push((true, line.bytes.clone(), line.content.start, Some(index)));
            }
        }
        let mut entry_lints = Vec::new();
        if !self.pending.is_empty() {
            entry_lints.push(lints::OUT_OF_SEQUENCE.at(
                line.content,
                "SASL response sent before the server's challenge",
            ));
        }
        self.push_pending(Step::Auth);
        let explanation = if line.bytes == b"*" {
            "'*' cancels the authentication exchange; the server answers 501 (RFC 4954 §4)"
        } else {
            "the client's base64 answer to the server's 334 challenge (RFC 4954 §4)"
        };
        self.entries.push(Entry {
            direction: Direction::Client,
            span: line.span,
            text: line.text.clone(),
            tls: line.tls || self.tls(),
            parsed: Parsed::SaslResponse {
                text: line.text.clone(),
            },
            state_before: before,
            state_after: before,
            explanation: explanation.into(),
            lints: entry_lints,
            auth: None,
        });
    }

    /// Decodes the AUTH exchange that just ended and attaches it to its AUTH entry; unless
    /// secrets are to be shown, masks the password, the token and the client lines that carry
    /// them.
    fn finish_auth(&mut self) {
        let Some(capture) = self.auth.take() else {
            return;
        };
        let lines: Vec<AuthLine<'_>> = capture
            .lines
            .iter()
            .map(|(from_client, payload, offset, _)| AuthLine {
                from_client: *from_client,
                payload,
                offset: *offset,
            })
            .collect();
        let initial = capture.initial.as_ref().map(|(p, o)| (p.as_slice(), *o));
        let mut decoded = decode_exchange(&capture.mechanism, initial, &lines);
        if !self.options.reveal_secrets {
            decoded.password = decoded.password.as_deref().map(mask_secret);
            decoded.token = decoded.token.as_deref().map(mask_secret);
            self.mask_client_lines(&capture);
        }
        if let Some(entry) = self.entries.get_mut(capture.entry) {
            entry.lints.append(&mut decoded.lints);
            entry.auth = Some(decoded);
        }
    }

    /// Masks the base64 client payloads that carry a secret: every PLAIN and XOAUTH2 payload,
    /// LOGIN's second one (the password; the first is the user name). CRAM-MD5 sends a digest,
    /// not a secret; other mechanisms are left as they are.
    fn mask_client_lines(&mut self, capture: &AuthCapture) {
        let first_secret = match capture.mechanism {
            Mechanism::Plain | Mechanism::Xoauth2 => 0,
            Mechanism::Login => 1,
            Mechanism::CramMd5 | Mechanism::Other(_) => return,
        };
        // Client payloads in order: the initial response (on the AUTH entry), then responses.
        let mut client: Vec<(Option<usize>, usize, bool)> = Vec::new();
        if let Some((ir, _)) = &capture.initial {
            client.push((Some(capture.entry), ir.len(), true));
        }
        for (from_client, payload, _, entry) in &capture.lines {
            if *from_client && payload.as_slice() != b"*" {
                client.push((*entry, payload.len(), false));
            }
        }
        for (index, len, initial) in client.into_iter().skip(first_secret) {
            let Some(entry) = index.and_then(|i| self.entries.get_mut(i)) else {
                continue;
            };
            let masked = mask_secret_len(len);
            if initial {
                if let Parsed::Command {
                    command:
                        Command::Auth {
                            initial_response, ..
                        },
                } = &mut entry.parsed
                {
                    *initial_response = Some(masked.clone().into());
                }
                // The initial response is the last word of the line.
                let keep = entry
                    .text
                    .rfind(' ')
                    .map_or(0, |i| i + 1)
                    .min(entry.text.len());
                entry.text.truncate(keep);
                entry.text.push_str(&masked);
            } else {
                entry.text = masked.clone();
                if let Parsed::SaslResponse { text } = &mut entry.parsed {
                    *text = masked;
                }
            }
        }
    }

    fn finish_data(&mut self, terminated: bool) {
        let Some(block) = self.data.take() else {
            return;
        };
        let before = self.state();
        let mut entry_lints: Vec<Lint> = lint_message(&block.buf)
            .into_iter()
            .map(|l| block.map.lint(l))
            .collect();
        if let Some(i) = block.buf.iter().position(|&b| b >= 0x80) {
            let declared = matches!(self.txn.body, Some(Body::EightBitMime | Body::BinaryMime))
                || self.txn.smtputf8;
            let offered = self.has(Extension::EightBitMime) || self.has(Extension::SmtpUtf8);
            if !(declared && offered) {
                let why = if !offered {
                    "the server did not offer 8BITMIME"
                } else {
                    "MAIL FROM did not declare BODY=8BITMIME"
                };
                entry_lints.push(lints::EIGHTBIT_WITHOUT_8BITMIME.at(
                    block.map.span(Span::new(i, i + 1)),
                    format!("the message holds 8-bit bytes but {why} (RFC 6152 §3)"),
                ));
            }
        }
        // Message size without the final ".\r\n" (dot-stuffing counted: close enough).
        let size = if terminated {
            block.buf.len().saturating_sub(3)
        } else {
            block.buf.len()
        } as u64;
        let limit = self.caps.as_ref().and_then(Capabilities::size_limit);
        let whole = block.map.span(Span::new(0, block.buf.len()));
        if let Some(l) = limit.filter(|&l| size > l) {
            entry_lints.push(lints::SIZE_EXCEEDED.at(
                whole,
                format!(
                    "the message is {size} octets; the server's SIZE limit is {l}, so it rejects the message with 552 (RFC 1870 §4)"
                ),
            ));
        } else if let Some(d) = self.txn.declared_size.filter(|&d| size > d) {
            entry_lints.push(lints::SIZE_EXCEEDED.at(
                whole,
                format!(
                    "the message is {size} octets but MAIL FROM declared SIZE={d}: permitted (RFC 1870 §6.3), but the server may reject it after the data"
                ),
            ));
        }
        // The message ends here (with its '.' line, or the transcript elides the rest): the
        // next server reply answers the end of data.
        self.mode = Mode::Commands;
        self.push_pending(Step::EndOfData);
        self.txn = Txn::default();
        let explanation = if terminated {
            "the message content; a line holding only '.' ends it, and lines starting with '.' are sent with an extra '.' (dot-stuffing, RFC 5321 §4.1.1.4, §4.5.2)"
        } else {
            "the message content, not ended by a line holding only '.' in the transcript (RFC 5321 §4.1.1.4)"
        };
        self.entries.push(Entry {
            direction: Direction::Client,
            span: block.span,
            text: block.text,
            tls: block.tls || self.tls(),
            parsed: Parsed::Message {
                octets: block.buf.len(),
                lines: block.lines,
                terminated,
            },
            state_before: before,
            state_after: self.state(),
            explanation: explanation.into(),
            lints: entry_lints,
            auth: None,
        });
    }

    fn finish_chunk(&mut self, block: Block, size: u64) {
        let state = self.state();
        let octets = block.buf.len();
        let mut explanation =
            "the content of a BDAT chunk: exactly the announced number of octets, no dot-stuffing (RFC 3030 §2)"
                .to_string();
        if octets as u64 != size {
            explanation.push_str(&format!(
                ". The transcript shows {octets} octets for a chunk of {size}"
            ));
        }
        self.entries.push(Entry {
            direction: Direction::Client,
            span: block.span,
            text: block.text,
            tls: block.tls || self.tls(),
            parsed: Parsed::Chunk { size, octets },
            state_before: state,
            state_after: state,
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
        if !self.entries.is_empty() && !closed_by_server && self.mode != Mode::Tls {
            if !self.quit_sent {
                self.lints.push(lints::NO_QUIT.at(
                    Span::new(end, end),
                    "the dialogue ends without QUIT; the client closed the connection, which RFC 5321 §4.1.1.10 forbids",
                ));
            } else if !self.quit_answered {
                self.lints.push(lints::QUIT_UNANSWERED.at(
                    Span::new(end, end),
                    "QUIT was sent but the dialogue ends before the server's 221 reply; the client should wait for it",
                ));
            }
        }
        AnnotatedTranscript {
            format: self.format,
            truncated: transcript.truncated,
            secrets_revealed: self.options.reveal_secrets,
            entries: self.entries,
            lints: self.lints,
            ignored: Vec::new(),
        }
    }
}

/// [`mask_secret`] for a value known only by its length.
fn mask_secret_len(len: usize) -> String {
    format!("{} ({len} characters hidden)", super::SECRET_MASK)
}
