//! SMTP transcripts: read a recorded dialogue and explain it line by line.
//!
//! Three forms are read, detected automatically ([`Transcript::parse`]) or chosen
//! ([`Transcript::parse_as`]):
//!
//! - **`S:`/`C:`** as in RFC 5321 Appendix D and most tutorials: `S: 220 …`, `C: EHLO …`;
//!   other lines are comments and skipped.
//! - **swaks** output: ` -> ` client, `<- ` server, ` ~> ` / `<~ ` the same inside TLS,
//!   `<** ` / ` **> ` error replies and commands, `=== ` / `*** ` information lines (skipped).
//! - **raw** two-direction captures: every line is protocol; a line starting with a three-digit
//!   code 200-599 followed by space, `-` or the line end is the server's, any other the
//!   client's, and lines between a 354 reply and the `.` line are message content.
//!
//! [`Transcript::annotate`] then follows the conversation: it parses each command and reply,
//! groups multi-line replies, keeps the DATA content as one entry, tracks the session state
//! (RFC 5321 §4.1.4 command order, §4.3.2 replies) with a small tracker of its own, and reports
//! lints: commands out of sequence, pipelining without PIPELINING, AUTH without TLS, 8-bit
//! content without 8BITMIME, extensions used without being offered, SIZE exceeded, no QUIT.
//! AUTH exchanges are decoded with [`crate::smtp::auth::decode_exchange`] and the DATA content
//! goes through [`lint_message`] (the seam for the MIME linter). The result
//! serialises to the versioned JSON document described in [`AnnotatedTranscript::to_json`].
//!
//! Limits: at most [`MAX_TRANSCRIPT_BYTES`] bytes and [`MAX_TRANSCRIPT_LINES`] lines are read;
//! the rest is dropped and [`Transcript::truncated`] says so. Every step is total: any bytes
//! give a transcript and an annotation, never a panic.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::lint::Lint;
use crate::smtp::auth::{decode_exchange, AuthLine, DecodedAuth, Mechanism};
use crate::smtp::capability::{Capabilities, Extension};
use crate::smtp::command::{parse_command, Body, Command};
use crate::smtp::enhanced::EnhancedCode;
use crate::smtp::lints;
use crate::smtp::reply::{explain_code, parse_reply, CodeExplanation, Reply};
use crate::span::Span;

/// Most input bytes read; the rest of a larger transcript is dropped (8 MiB: a few large
/// messages with their dialogue).
pub const MAX_TRANSCRIPT_BYTES: usize = 8 * 1024 * 1024;
/// Most lines read; the rest is dropped.
pub const MAX_TRANSCRIPT_LINES: usize = 200_000;
/// Longest text line inside a message, CRLF included (RFC 5321 §4.5.3.1.6).
pub use crate::smtp::data::MAX_TEXT_LINE;
/// Most findings [`lint_message`] reports for one message; a message with more defects than
/// this is broken throughout and the rest add nothing.
pub const MAX_MESSAGE_LINTS: usize = 100;

/// Who sent a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// The SMTP client (commands and message content).
    Client,
    /// The SMTP server (replies).
    Server,
}

/// The layout a transcript was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// `S:` / `C:` prefixes (RFC 5321 Appendix D, tutorials).
    Prefixed,
    /// swaks output (` -> `, `<- `, ` ~> `, `<~ `).
    Swaks,
    /// A raw capture of both directions without markers.
    Raw,
}

/// How a line ended in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ending {
    /// CR LF.
    Crlf,
    /// LF alone.
    Lf,
    /// End of input without a line end.
    None,
}

/// One protocol line of a transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptLine {
    /// Who sent it.
    pub direction: Direction,
    /// The whole line in the input, marker and line ending included.
    pub span: Span,
    /// The protocol bytes in the input (after the marker, before the line ending).
    pub content: Span,
    /// The protocol bytes themselves (a copy of `content`); not serialised (see `text`).
    #[serde(skip)]
    pub bytes: Vec<u8>,
    /// The protocol bytes as text (lossy UTF-8).
    pub text: String,
    /// How the line ended in the input. For the `S:`/`C:` and swaks forms this is the text
    /// file's line ending, and the wire form is taken to end in CRLF.
    pub ending: Ending,
    /// Whether the line was sent inside TLS (swaks `~>` / `<~`).
    pub tls: bool,
}

impl TranscriptLine {
    /// The bytes as they were (or are taken to have been) on the wire, line ending included.
    pub fn wire(&self, format: Format) -> Vec<u8> {
        let mut out = self.bytes.clone();
        match (format, self.ending) {
            (Format::Raw, Ending::Lf) => out.push(b'\n'),
            (Format::Raw, Ending::None) => {}
            _ => out.extend_from_slice(b"\r\n"),
        }
        out
    }
}

/// A transcript split into directed protocol lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transcript {
    /// The layout it was read as.
    pub format: Format,
    /// The protocol lines, in order.
    pub lines: Vec<TranscriptLine>,
    /// Lines skipped as comments or information (swaks `===`, text around `S:`/`C:`).
    pub skipped: usize,
    /// Whether input beyond [`MAX_TRANSCRIPT_BYTES`] or [`MAX_TRANSCRIPT_LINES`] was dropped.
    pub truncated: bool,
}

/// swaks markers: (prefix, direction, tls). Longer prefixes first.
const SWAKS_MARKERS: &[(&[u8], Direction, bool)] = &[
    (b"<~* ", Direction::Server, true),
    (b" ~> ", Direction::Client, true),
    (b"<~ ", Direction::Server, true),
    (b" -> ", Direction::Client, false),
    (b"<- ", Direction::Server, false),
    (b"<** ", Direction::Server, false),
    (b" **> ", Direction::Client, false),
];
const SWAKS_INFO: &[&[u8]] = &[b"=== ", b"*** ", b"==="];

/// A line of the input: (whole span, content span without the line ending, ending).
fn split_lines(input: &[u8]) -> (Vec<(Span, Span, Ending)>, bool) {
    let mut out = Vec::new();
    let limit = input.len().min(MAX_TRANSCRIPT_BYTES);
    let mut truncated = input.len() > MAX_TRANSCRIPT_BYTES;
    let mut pos = 0;
    while pos < limit {
        if out.len() >= MAX_TRANSCRIPT_LINES {
            truncated = true;
            break;
        }
        let rest = input.get(pos..limit).unwrap_or_default();
        match rest.iter().position(|&b| b == b'\n') {
            Some(nl) => {
                let end = pos + nl + 1;
                let (content_end, ending) = if nl > 0 && rest.get(nl - 1) == Some(&b'\r') {
                    (pos + nl - 1, Ending::Crlf)
                } else {
                    (pos + nl, Ending::Lf)
                };
                out.push((Span::new(pos, end), Span::new(pos, content_end), ending));
                pos = end;
            }
            None => {
                if truncated {
                    // The last line was cut by the byte limit: drop it rather than misread it.
                    break;
                }
                out.push((Span::new(pos, limit), Span::new(pos, limit), Ending::None));
                pos = limit;
            }
        }
    }
    (out, truncated)
}

fn prefixed_marker(line: &[u8]) -> Option<(Direction, usize)> {
    let indent = line
        .iter()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count();
    let rest = line.get(indent..)?;
    let direction = match rest.first()? {
        b'S' | b's' => Direction::Server,
        b'C' | b'c' => Direction::Client,
        _ => return None,
    };
    if rest.get(1) != Some(&b':') {
        return None;
    }
    let skip = if rest.get(2) == Some(&b' ') { 3 } else { 2 };
    Some((direction, indent + skip))
}

fn swaks_marker(line: &[u8]) -> Option<(Direction, usize, bool)> {
    SWAKS_MARKERS
        .iter()
        .find(|(p, _, _)| line.starts_with(p))
        .map(|&(p, d, tls)| {
            // swaks pads server lines with a second space: `<-  250 …`.
            let mut skip = p.len();
            if d == Direction::Server {
                skip += line
                    .get(skip..)
                    .unwrap_or_default()
                    .iter()
                    .take_while(|&&b| b == b' ')
                    .count();
            }
            (d, skip, tls)
        })
}

fn is_reply_start(line: &[u8]) -> bool {
    matches!(line.first(), Some(b'2'..=b'5'))
        && line.get(1).is_some_and(u8::is_ascii_digit)
        && line.get(2).is_some_and(u8::is_ascii_digit)
        && matches!(line.get(3), None | Some(b' ' | b'-' | b'\t'))
}

impl Transcript {
    /// Reads a transcript, detecting its form from the first lines.
    pub fn parse(input: &[u8]) -> Transcript {
        let format = Transcript::detect(input);
        Transcript::parse_as(input, format)
    }

    /// Guesses the form: the marker style used by most of the first 200 non-empty lines.
    pub fn detect(input: &[u8]) -> Format {
        let (lines, _) = split_lines(input.get(..input.len().min(64 * 1024)).unwrap_or(input));
        let (mut prefixed, mut swaks) = (0usize, 0usize);
        for (_, content, _) in lines.iter().filter(|l| !l.1.is_empty()).take(200) {
            let line = content.slice(input);
            if prefixed_marker(line).is_some() {
                prefixed += 1;
            } else if swaks_marker(line).is_some() || SWAKS_INFO.iter().any(|p| line.starts_with(p))
            {
                swaks += 1;
            }
        }
        if prefixed == 0 && swaks == 0 {
            Format::Raw
        } else if prefixed >= swaks {
            Format::Prefixed
        } else {
            Format::Swaks
        }
    }

    /// Reads a transcript in the given form.
    pub fn parse_as(input: &[u8], format: Format) -> Transcript {
        let (raw_lines, truncated) = split_lines(input);
        let mut lines = Vec::with_capacity(raw_lines.len());
        let mut skipped = 0;
        let mut in_data = false;
        for (span, content, ending) in raw_lines {
            let line = content.slice(input);
            let marked = match format {
                Format::Prefixed => prefixed_marker(line).map(|(d, skip)| (d, skip, false)),
                Format::Swaks => swaks_marker(line),
                Format::Raw => {
                    let direction = if in_data {
                        if line == b"." {
                            in_data = false;
                        }
                        Direction::Client
                    } else if is_reply_start(line) {
                        if line.starts_with(b"354") {
                            in_data = true;
                        }
                        Direction::Server
                    } else {
                        Direction::Client
                    };
                    Some((direction, 0, false))
                }
            };
            let Some((direction, skip, tls)) = marked else {
                skipped += 1;
                continue;
            };
            let content = Span::new((content.start + skip).min(content.end), content.end);
            let bytes = content.slice(input).to_vec();
            lines.push(TranscriptLine {
                direction,
                span,
                content,
                text: String::from_utf8_lossy(&bytes).into_owned(),
                bytes,
                ending,
                tls,
            });
        }
        Transcript {
            format,
            lines,
            skipped,
            truncated,
        }
    }

    /// Follows the conversation and explains every entry (see the module documentation).
    pub fn annotate(&self) -> AnnotatedTranscript {
        let mut a = Annotator::new(self.format);
        for line in &self.lines {
            a.line(line);
        }
        a.finish(self)
    }
}

/// Reads and annotates a transcript in one step.
pub fn annotate(input: &[u8]) -> AnnotatedTranscript {
    Transcript::parse(input).annotate()
}

/// Where the session is, as the tracker sees it (RFC 5321 §4.1.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SessionState {
    /// Connected, waiting for the server's greeting.
    Connected,
    /// Greeting received; no EHLO/HELO accepted yet (also after STARTTLS).
    Greeted,
    /// EHLO/HELO accepted, no mail transaction open.
    Ready,
    /// In a SASL exchange after a 334 reply to AUTH.
    Authenticating,
    /// MAIL sent or accepted, no recipient yet.
    Mail,
    /// At least one RCPT sent or accepted.
    Rcpt,
    /// Sending the message after the 354 reply to DATA.
    Data,
    /// Sending BDAT chunks, the last one not yet sent.
    Chunking,
    /// The connection is closed (221 to QUIT, or 421).
    Closed,
}

/// What an entry was read as.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Parsed {
    /// A client command.
    Command {
        /// The typed command.
        command: Command<'static>,
    },
    /// A server reply (one or more lines).
    Reply {
        /// The parsed reply.
        reply: Reply,
        /// Its enhanced status code, when the class matches.
        enhanced: Option<EnhancedCode>,
        /// The meaning of the reply code.
        code: CodeExplanation,
        /// The extensions, when this is the reply to EHLO.
        capabilities: Option<Capabilities>,
    },
    /// The message content sent after 354, up to and including the `.` line.
    Message {
        /// Octets on the wire, dot-stuffing and the final `.` line included.
        octets: usize,
        /// Lines, the final `.` line included.
        lines: usize,
        /// Whether the final `.` line arrived.
        terminated: bool,
    },
    /// The content of a BDAT chunk.
    Chunk {
        /// The size announced by BDAT.
        size: u64,
        /// Octets seen in the transcript.
        octets: usize,
    },
    /// A client line answering a 334 challenge (base64, or `*` to cancel).
    SaslResponse {
        /// The line as sent.
        text: String,
    },
    /// A line that could not be read as a command or reply.
    Invalid {
        /// Why.
        error: String,
    },
}

/// One step of the dialogue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    /// Who sent it.
    pub direction: Direction,
    /// The lines it covers in the input, markers included.
    pub span: Span,
    /// The protocol text (lines joined by `\n`, lossy UTF-8).
    pub text: String,
    /// Whether it travelled inside TLS.
    pub tls: bool,
    /// What it was read as.
    pub parsed: Parsed,
    /// The session state before this entry.
    pub state_before: SessionState,
    /// The session state after it (for commands: assuming the reply will be positive).
    pub state_after: SessionState,
    /// One or more sentences explaining it, with RFC sections.
    pub explanation: String,
    /// What is wrong with it; spans are offsets into the transcript input.
    pub lints: Vec<Lint>,
    /// On an AUTH command: the whole exchange decoded (user, password, challenges…) once it
    /// ended, by [`crate::smtp::auth::decode_exchange`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth: Option<DecodedAuth>,
}

/// A transcript with every entry explained.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnnotatedTranscript {
    /// The form the transcript was read as.
    pub format: Format,
    /// Whether input beyond the limits was dropped.
    pub truncated: bool,
    /// The dialogue.
    pub entries: Vec<Entry>,
    /// Findings about the whole dialogue (such as `smtp.no-quit`).
    pub lints: Vec<Lint>,
}

/// Version of the JSON document made by [`AnnotatedTranscript::to_json`].
pub const JSON_VERSION: u32 = 1;

impl AnnotatedTranscript {
    /// The versioned JSON document:
    ///
    /// ```text
    /// { "version": 1, "format": "prefixed"|"swaks"|"raw", "truncated": bool,
    ///   "entries": [ { "direction", "span": {start,end}, "text", "tls", "parsed": {"kind", …},
    ///                  "state_before", "state_after", "explanation", "lints": [Lint…] } ],
    ///   "lints": [ { "code", "severity", "span", "message", "reference" } ] }
    /// ```
    pub fn to_json(&self) -> serde_json::Value {
        #[derive(Serialize)]
        struct Doc<'a> {
            version: u32,
            #[serde(flatten)]
            body: &'a AnnotatedTranscript,
        }
        serde_json::to_value(Doc {
            version: JSON_VERSION,
            body: self,
        })
        .unwrap_or(serde_json::Value::Null)
    }

    /// Every lint, of the entries and the whole dialogue, in input order.
    pub fn all_lints(&self) -> Vec<&Lint> {
        let mut all: Vec<&Lint> = self
            .entries
            .iter()
            .flat_map(|e| e.lints.iter())
            .chain(self.lints.iter())
            .collect();
        all.sort_by_key(|l| l.span.start);
        all
    }
}

/// Lints the message carried in DATA: the DATA-level checks of
/// [`crate::smtp::data::lint_data`] (bare LF and CR, lines over [`MAX_TEXT_LINE`] octets, dot
/// lines not stuffed, smuggling sequences), then the MIME and RFC 5322 lints of the message
/// itself ([`crate::mime::parse::parse_message`]: missing Date/From, invalid encoded-words,
/// boundaries, transfer encodings, …).
///
/// `data` is the content as on the wire after the 354 reply, up to and including the final `.`
/// line when there is one (still dot-stuffed, line endings as captured); lint spans are offsets
/// into `data`. The message is parsed as it stands on the wire minus the final `.` line, so
/// spans need no mapping; dot-stuffing only doubles a leading `.`, which no MIME rule reads.
/// Line-ending findings come from the SMTP checks only (`mime.bare-lf` would repeat
/// `smtp.bare-lf`). At most [`MAX_MESSAGE_LINTS`] findings are returned.
pub fn lint_message(data: &[u8]) -> Vec<Lint> {
    let mut out = crate::smtp::data::lint_data(data);
    let message = strip_end_of_data(data);
    if !message.is_empty() {
        let parsed = crate::mime::parse::parse_message(message);
        out.extend(
            parsed
                .lints
                .into_iter()
                .map(|l| l.lint)
                .filter(|l| l.code != crate::mime::lints::BARE_LF.code),
        );
    }
    out.truncate(MAX_MESSAGE_LINTS);
    out
}

/// `data` without its final `.` line (`.CRLF`, or `.LF` in a lenient capture); the line
/// ending before the dot stays, as it belongs to the message's last line.
fn strip_end_of_data(data: &[u8]) -> &[u8] {
    if data == b".\r\n" || data == b".\n" {
        return &[];
    }
    for end in [&b"\r\n.\r\n"[..], b"\n.\r\n", b"\n.\n"] {
        if let Some(head) = data.strip_suffix(end) {
            let ending = if end.starts_with(b"\r") { 2 } else { 1 };
            return data.get(..head.len() + ending).unwrap_or(data);
        }
    }
    data
}

/// Maps offsets in a reconstructed wire buffer back to the transcript input.
#[derive(Default)]
struct Map {
    /// (offset in buffer, wire length, content span in input)
    segs: Vec<(usize, usize, Span)>,
}

impl Map {
    fn push(&mut self, buf_start: usize, wire_len: usize, content: Span) {
        self.segs.push((buf_start, wire_len, content));
    }

    /// Maps `off`, looking it up in the segment holding byte `key`.
    fn offset(&self, off: usize, key: usize) -> usize {
        // Segments are in buffer order: the last one starting at or before `key`.
        let idx = self.segs.partition_point(|(start, _, _)| *start <= key);
        let seg = self.segs.get(idx.saturating_sub(1));
        match seg {
            Some(&(start, _, content)) => {
                (content.start + off.saturating_sub(start)).min(content.end)
            }
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

/// What a reply will answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    Helo { ehlo: bool, before: SessionState },
    Mail,
    Rcpt,
    Data,
    EndOfData,
    Bdat { last: bool },
    Rset,
    StartTls,
    Auth,
    SaslResponse,
    Quit,
    Other,
}

impl Pending {
    /// RFC 2920 §3.1, RFC 3207 §4.2, RFC 4954 §4: commands that must end a pipelined group.
    fn ends_group(self) -> bool {
        matches!(
            self,
            Pending::Helo { .. }
                | Pending::Data
                | Pending::StartTls
                | Pending::Auth
                | Pending::SaslResponse
                | Pending::Quit
                | Pending::Other
        )
    }
}

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
        self.map.push(self.buf.len(), wire.len(), extent);
        self.buf.extend_from_slice(&wire);
        self.text.push_str(&line.text);
        self.lines += 1;
    }
}

#[derive(Default)]
struct Txn {
    body: Option<Body>,
    declared_size: Option<u64>,
    smtputf8: bool,
    rcpt_ok: usize,
    rcpt_pending: usize,
}

struct Annotator {
    format: Format,
    entries: Vec<Entry>,
    lints: Vec<Lint>,
    state: SessionState,
    tls: bool,
    caps: Option<Capabilities>,
    said_helo: bool,
    authenticated: bool,
    pending: VecDeque<Pending>,
    txn: Txn,
    quit_sent: bool,
    quit_answered: bool,
    closed_by_server: bool,
    reply: Option<Block>,
    auth: Option<AuthCapture>,
    data: Option<Block>,
    chunk: Option<(Block, u64)>,
}

const MAX_PENDING: usize = 10_000;
/// Most challenge/response lines kept for decoding one AUTH exchange.
const MAX_AUTH_LINES: usize = 64;

/// An AUTH exchange being collected for [`decode_exchange`].
struct AuthCapture {
    /// Index of the AUTH command's entry.
    entry: usize,
    mechanism: Mechanism,
    initial: Option<(Vec<u8>, usize)>,
    /// (from client, base64 payload, offset in the input)
    lines: Vec<(bool, Vec<u8>, usize)>,
}

impl Annotator {
    fn new(format: Format) -> Annotator {
        Annotator {
            format,
            entries: Vec::new(),
            lints: Vec::new(),
            state: SessionState::Connected,
            tls: false,
            caps: None,
            said_helo: false,
            authenticated: false,
            pending: VecDeque::new(),
            txn: Txn::default(),
            quit_sent: false,
            quit_answered: false,
            closed_by_server: false,
            reply: None,
            auth: None,
            data: None,
            chunk: None,
        }
    }

    fn has(&self, ext: Extension) -> bool {
        self.caps.as_ref().is_some_and(|c| c.has(ext))
    }

    fn line(&mut self, line: &TranscriptLine) {
        if self.format == Format::Swaks && line.tls {
            self.tls = true;
        }
        match line.direction {
            Direction::Server => {
                if self.state == SessionState::Data {
                    // The server answers before a '.' line: the transcript left out the end of
                    // the message (swaks --suppress-data, tutorials that elide the body).
                    self.finish_data(false);
                    if self.pending.len() < MAX_PENDING {
                        self.pending.push_back(Pending::EndOfData);
                    }
                    self.state = SessionState::Ready;
                    self.txn = Txn::default();
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
                } else if self.state == SessionState::Data {
                    let done = line.bytes == b".";
                    let block = self.data.get_or_insert_with(|| {
                        Block::new(Direction::Client, line.tls, line.span.start)
                    });
                    block.add(line, self.format);
                    if done {
                        self.finish_data(true);
                    }
                } else if self.state == SessionState::Authenticating {
                    self.sasl_response(line);
                } else {
                    self.command(line);
                }
            }
        }
    }

    fn push_entry(&mut self, entry: Entry) {
        self.entries.push(entry);
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
        let state = self.state;
        // An unreadable reply still answers the oldest outstanding command.
        if block.direction == Direction::Server && state != SessionState::Connected {
            self.pending.pop_front();
        }
        self.push_entry(Entry {
            direction: block.direction,
            span: block.span,
            text: block.text,
            tls: block.tls || self.tls,
            parsed: Parsed::Invalid {
                error: error.clone(),
            },
            state_before: state,
            state_after: state,
            explanation: format!("could not be read: {error}"),
            lints: vec![lint],
            auth: None,
        });
    }

    fn reply_entry(&mut self, block: Block, mut reply: Reply) {
        let before = self.state;
        // The 220 answering STARTTLS is still sent in the clear.
        let tls_before = self.tls;
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
        if self.state == SessionState::Connected {
            notes.push(match code {
                220 => "The server's greeting: it is ready for EHLO (RFC 5321 §4.3.1)",
                554 => "The server refuses service; the client should QUIT (RFC 5321 §4.3.1)",
                _ => "The first reply is the greeting (RFC 5321 §4.3.1)",
            });
            self.state = if code == 421 {
                SessionState::Closed
            } else {
                SessionState::Greeted
            };
        } else {
            match self.pending.pop_front() {
                None => entry_lints.push(lints::OUT_OF_SEQUENCE.at(
                    reply.span,
                    format!("reply {code} arrived with no command waiting for it"),
                )),
                Some(p) => match p {
                    Pending::Helo { ehlo, before } => {
                        if code == 250 {
                            self.said_helo = true;
                            if self.state != SessionState::Closed {
                                self.state = SessionState::Ready;
                            }
                            if ehlo {
                                // The reply's line spans are already mapped to the input,
                                // so the capability lints are too.
                                let mut caps = Capabilities::from_reply(&reply);
                                entry_lints.append(&mut caps.lints);
                                notes.push("The server lists the extensions it offers");
                                self.caps = Some(caps.clone());
                                capabilities = Some(caps);
                            } else {
                                self.caps = None;
                                notes.push("HELO accepted: no extensions may be used");
                            }
                        } else if matches!(self.state, SessionState::Ready) && !self.said_helo {
                            self.state = before;
                        }
                    }
                    Pending::Mail => {
                        if !positive
                            && matches!(self.state, SessionState::Mail | SessionState::Rcpt)
                        {
                            self.state = SessionState::Ready;
                            notes.push("MAIL refused: no transaction is open");
                        }
                    }
                    Pending::Rcpt => {
                        self.txn.rcpt_pending = self.txn.rcpt_pending.saturating_sub(1);
                        if positive {
                            self.txn.rcpt_ok += 1;
                        } else {
                            notes.push("Recipient refused");
                            if self.txn.rcpt_ok + self.txn.rcpt_pending == 0
                                && self.state == SessionState::Rcpt
                            {
                                self.state = SessionState::Mail;
                            }
                        }
                    }
                    Pending::Data => {
                        if code == 354 {
                            self.state = SessionState::Data;
                            notes.push("The client now sends the message, ending with a line holding only '.'");
                        }
                    }
                    Pending::EndOfData => {
                        notes.push(if positive {
                            "The server has taken responsibility for the message"
                        } else {
                            "The message was refused; the transaction is over"
                        });
                    }
                    Pending::Bdat { last } => {
                        if (last || !positive)
                            && matches!(self.state, SessionState::Chunking | SessionState::Rcpt)
                        {
                            self.state = SessionState::Ready;
                        }
                    }
                    Pending::StartTls => {
                        if code == 220 {
                            self.tls = true;
                            self.caps = None;
                            self.said_helo = false;
                            self.authenticated = false;
                            self.state = SessionState::Greeted;
                            notes.push("TLS starts now; the client must send EHLO again and forget the earlier extensions (RFC 3207 §4.2)");
                        }
                    }
                    Pending::Auth | Pending::SaslResponse => {
                        if let (Some(capture), true) = (self.auth.as_mut(), code == 334) {
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
                                capture.lines.push((false, payload, offset));
                            }
                        }
                        if code != 334 {
                            self.finish_auth();
                        }
                        if code == 334 {
                            self.state = SessionState::Authenticating;
                            notes.push(
                                "The next client line is a base64 SASL response (RFC 4954 §4)",
                            );
                        } else {
                            if code == 235 {
                                self.authenticated = true;
                            }
                            if self.state == SessionState::Authenticating {
                                self.state = SessionState::Ready;
                            }
                        }
                    }
                    Pending::Quit => {
                        if code == 221 {
                            self.quit_answered = true;
                            self.state = SessionState::Closed;
                        }
                    }
                    Pending::Rset | Pending::Other => {}
                },
            }
        }
        if code == 421 {
            self.state = SessionState::Closed;
            self.closed_by_server = true;
            self.pending.clear();
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
        self.push_entry(Entry {
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
            state_after: self.state,
            explanation,
            lints: entry_lints,
            auth: None,
        });
    }

    fn expect(&self, lints: &mut Vec<Lint>, span: Span, ok: bool, message: impl Into<String>) {
        if !ok {
            lints.push(lints::OUT_OF_SEQUENCE.at(span, message));
        }
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
        let before = self.state;
        let cmd = parsed.command;
        use SessionState as S;
        if before == S::Connected {
            entry_lints.push(lints::OUT_OF_SEQUENCE.at(
                span,
                "the client spoke before the server's greeting (RFC 5321 §4.3.1)",
            ));
        } else if before == S::Closed {
            entry_lints
                .push(lints::OUT_OF_SEQUENCE.at(span, "command after the connection was closed"));
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
        let in_txn = matches!(before, S::Mail | S::Rcpt | S::Chunking);
        let pending = match &cmd {
            Command::Helo { .. } | Command::Ehlo { .. } => {
                let ehlo = matches!(cmd, Command::Ehlo { .. });
                self.txn = Txn::default();
                if !matches!(self.state, S::Connected | S::Closed) {
                    self.state = S::Ready;
                }
                Pending::Helo { ehlo, before }
            }
            Command::Mail { params, .. } => {
                let ok = before == S::Ready;
                let msg = match before {
                    S::Greeted => "MAIL before EHLO/HELO was accepted (RFC 5321 §4.1.4)",
                    S::Mail | S::Rcpt | S::Chunking => {
                        "MAIL inside an open transaction; send RSET first (RFC 5321 §4.1.4)"
                    }
                    _ => "MAIL is not allowed here (RFC 5321 §4.1.4)",
                };
                if !matches!(before, S::Connected | S::Closed) {
                    self.expect(&mut entry_lints, span, ok, msg);
                }
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
                            format!("SIZE={n} exceeds the server's SIZE limit of {l} octets; it answers 552 (RFC 1870 §6)"),
                        ));
                    }
                }
                self.txn = Txn {
                    declared_size: params.size,
                    body: params.body,
                    smtputf8: params.smtputf8,
                    ..Txn::default()
                };
                if !matches!(before, S::Connected | S::Closed) {
                    self.state = S::Mail;
                }
                Pending::Mail
            }
            Command::Rcpt { to, params } => {
                let ok = matches!(before, S::Mail | S::Rcpt);
                if !matches!(before, S::Connected | S::Closed) {
                    self.expect(
                        &mut entry_lints,
                        span,
                        ok,
                        "RCPT before MAIL: no transaction is open (RFC 5321 §4.1.4)",
                    );
                }
                if to.is_utf8() && !self.txn.smtputf8 {
                    entry_lints.push(lints::UTF8_WITHOUT_SMTPUTF8.at(
                        parsed.path.map_or(span, |p| block.map.span(p)),
                        "non-ASCII recipient, but MAIL FROM did not carry SMTPUTF8",
                    ));
                }
                if params.notify.is_some() || params.orcpt.is_some() {
                    self.not_offered(&mut entry_lints, span, Extension::Dsn, "NOTIFY=/ORCPT=");
                }
                if ok {
                    self.txn.rcpt_pending += 1;
                    self.state = S::Rcpt;
                }
                Pending::Rcpt
            }
            Command::Data => {
                let msg = match before {
                    S::Mail => {
                        "DATA before any RCPT (RFC 5321 §4.1.4); the server answers 503 or 554"
                    }
                    _ => "DATA outside a transaction: MAIL and RCPT come first (RFC 5321 §4.1.4)",
                };
                if !matches!(before, S::Connected | S::Closed) {
                    self.expect(&mut entry_lints, span, before == S::Rcpt, msg);
                }
                Pending::Data
            }
            Command::Bdat { size, last } => {
                self.not_offered(&mut entry_lints, span, Extension::Chunking, "BDAT");
                if !matches!(before, S::Connected | S::Closed) {
                    self.expect(
                        &mut entry_lints,
                        span,
                        matches!(before, S::Rcpt | S::Chunking),
                        "BDAT outside a transaction with recipients (RFC 3030 §2)",
                    );
                }
                if matches!(before, S::Rcpt | S::Chunking) {
                    self.state = if *last { S::Ready } else { S::Chunking };
                }
                if *size > 0 {
                    self.chunk = Some((
                        Block::new(Direction::Client, line.tls, line.span.end),
                        *size,
                    ));
                }
                Pending::Bdat { last: *last }
            }
            Command::Rset => {
                self.state = before.min_ready();
                self.txn = Txn::default();
                Pending::Rset
            }
            Command::StartTls => {
                self.not_offered(&mut entry_lints, span, Extension::StartTls, "STARTTLS");
                if self.tls {
                    entry_lints.push(lints::OUT_OF_SEQUENCE.at(
                        span,
                        "STARTTLS on a connection that already uses TLS (RFC 3207 §4.2)",
                    ));
                } else if in_txn {
                    entry_lints.push(
                        lints::OUT_OF_SEQUENCE
                            .at(span, "STARTTLS inside a mail transaction (RFC 3207 §4)"),
                    );
                }
                Pending::StartTls
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
                self.auth = Some(AuthCapture {
                    entry: self.entries.len(),
                    mechanism: Mechanism::parse(mechanism),
                    initial,
                    lines: Vec::new(),
                });
                self.not_offered(&mut entry_lints, span, Extension::Auth, "AUTH");
                if !self.tls {
                    entry_lints.push(lints::AUTH_WITHOUT_TLS.at(
                        span,
                        "AUTH on a connection without TLS: the credentials can be read on the path; use STARTTLS first",
                    ));
                }
                if in_txn {
                    entry_lints.push(
                        lints::OUT_OF_SEQUENCE
                            .at(span, "AUTH inside a mail transaction (RFC 4954 §4)"),
                    );
                } else if self.authenticated {
                    entry_lints.push(
                        lints::OUT_OF_SEQUENCE
                            .at(span, "AUTH after a successful AUTH (RFC 4954 §4)"),
                    );
                } else if before == S::Greeted {
                    entry_lints
                        .push(lints::OUT_OF_SEQUENCE.at(span, "AUTH before EHLO (RFC 4954 §4)"));
                }
                Pending::Auth
            }
            Command::Quit => {
                self.quit_sent = true;
                Pending::Quit
            }
            _ => Pending::Other,
        };
        if self.pending.len() < MAX_PENDING {
            self.pending.push_back(pending);
        }
        let explanation = cmd.explain().to_string();
        self.push_entry(Entry {
            direction: Direction::Client,
            span: block.span,
            text: block.text,
            tls: line.tls || self.tls,
            parsed: Parsed::Command { command: cmd },
            state_before: before,
            state_after: self.state,
            explanation,
            lints: entry_lints,
            auth: None,
        });
    }

    fn sasl_response(&mut self, line: &TranscriptLine) {
        let before = self.state;
        if let Some(capture) = self.auth.as_mut() {
            if capture.lines.len() < MAX_AUTH_LINES {
                capture
                    .lines
                    .push((true, line.bytes.clone(), line.content.start));
            }
        }
        let mut entry_lints = Vec::new();
        if !self.pending.is_empty() {
            entry_lints.push(lints::OUT_OF_SEQUENCE.at(
                line.content,
                "SASL response sent before the server's challenge",
            ));
        }
        if self.pending.len() < MAX_PENDING {
            self.pending.push_back(Pending::SaslResponse);
        }
        let explanation = if line.bytes == b"*" {
            "'*' cancels the authentication exchange; the server answers 501 (RFC 4954 §4)"
        } else {
            "the client's base64 answer to the server's 334 challenge (RFC 4954 §4)"
        };
        self.push_entry(Entry {
            direction: Direction::Client,
            span: line.span,
            text: line.text.clone(),
            tls: line.tls || self.tls,
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

    /// Decodes the AUTH exchange that just ended and attaches it to its AUTH entry.
    fn finish_auth(&mut self) {
        let Some(capture) = self.auth.take() else {
            return;
        };
        let lines: Vec<AuthLine<'_>> = capture
            .lines
            .iter()
            .map(|(from_client, payload, offset)| AuthLine {
                from_client: *from_client,
                payload,
                offset: *offset,
            })
            .collect();
        let initial = capture.initial.as_ref().map(|(p, o)| (p.as_slice(), *o));
        let mut decoded = decode_exchange(&capture.mechanism, initial, &lines);
        if let Some(entry) = self.entries.get_mut(capture.entry) {
            entry.lints.append(&mut decoded.lints);
            entry.auth = Some(decoded);
        }
    }

    fn finish_data(&mut self, terminated: bool) {
        let Some(block) = self.data.take() else {
            return;
        };
        let before = self.state;
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
                    "the message is {size} octets; the server's SIZE limit is {l} (RFC 1870 §6)"
                ),
            ));
        } else if let Some(d) = self.txn.declared_size.filter(|&d| size > d) {
            entry_lints.push(lints::SIZE_EXCEEDED.at(
                whole,
                format!(
                    "the message is {size} octets but MAIL FROM declared SIZE={d} (RFC 1870 §6)"
                ),
            ));
        }
        if terminated {
            if self.pending.len() < MAX_PENDING {
                self.pending.push_back(Pending::EndOfData);
            }
            self.state = SessionState::Ready;
            self.txn = Txn::default();
        }
        let explanation = if terminated {
            "the message content; a line holding only '.' ends it, and lines starting with '.' are sent with an extra '.' (dot-stuffing, RFC 5321 §4.1.1.4, §4.5.2)"
        } else {
            "the message content, not ended by a line holding only '.' before the transcript ends (RFC 5321 §4.1.1.4)"
        };
        self.push_entry(Entry {
            direction: Direction::Client,
            span: block.span,
            text: block.text,
            tls: block.tls || self.tls,
            parsed: Parsed::Message {
                octets: block.buf.len(),
                lines: block.lines,
                terminated,
            },
            state_before: before,
            state_after: self.state,
            explanation: explanation.into(),
            lints: entry_lints,
            auth: None,
        });
    }

    fn finish_chunk(&mut self, block: Block, size: u64) {
        let state = self.state;
        let octets = block.buf.len();
        let mut explanation =
            "the content of a BDAT chunk: exactly the announced number of octets, no dot-stuffing (RFC 3030 §2)"
                .to_string();
        if octets as u64 != size {
            explanation.push_str(&format!(
                ". The transcript shows {octets} octets for a chunk of {size}"
            ));
        }
        self.push_entry(Entry {
            direction: Direction::Client,
            span: block.span,
            text: block.text,
            tls: block.tls || self.tls,
            parsed: Parsed::Chunk { size, octets },
            state_before: state,
            state_after: state,
            explanation,
            lints: Vec::new(),
            auth: None,
        });
    }

    fn finish(mut self, transcript: &Transcript) -> AnnotatedTranscript {
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
        if !self.entries.is_empty() && !self.closed_by_server {
            if !self.quit_sent {
                self.lints.push(lints::NO_QUIT.at(
                    Span::new(end, end),
                    "the dialogue ends without QUIT; the client dropped the connection",
                ));
            } else if !self.quit_answered {
                self.lints.push(lints::NO_QUIT.at(
                    Span::new(end, end),
                    "QUIT was sent but the server's 221 reply is missing",
                ));
            }
        }
        AnnotatedTranscript {
            format: self.format,
            truncated: transcript.truncated,
            entries: self.entries,
            lints: self.lints,
        }
    }
}

impl SessionState {
    fn min_ready(self) -> SessionState {
        match self {
            SessionState::Connected | SessionState::Greeted | SessionState::Closed => self,
            _ => SessionState::Ready,
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    /// The SMTP findings of a dialogue, sorted (the MIME findings of DATA content are tested in
    /// `data_is_linted_as_a_message_too`).
    fn codes(t: &AnnotatedTranscript) -> Vec<String> {
        let mut c: Vec<String> = smtp_lints(t).iter().map(|l| l.code.to_string()).collect();
        c.sort();
        c
    }

    fn smtp_lints(t: &AnnotatedTranscript) -> Vec<&Lint> {
        t.all_lints()
            .into_iter()
            .filter(|l| l.code.starts_with("smtp."))
            .collect()
    }

    fn kinds(t: &AnnotatedTranscript) -> Vec<&'static str> {
        t.entries
            .iter()
            .map(|e| match &e.parsed {
                Parsed::Command { .. } => "command",
                Parsed::Reply { .. } => "reply",
                Parsed::Message { .. } => "message",
                Parsed::Chunk { .. } => "chunk",
                Parsed::SaslResponse { .. } => "sasl",
                Parsed::Invalid { .. } => "invalid",
            })
            .collect()
    }

    const RFC_EXAMPLE: &str = "\
The example of RFC 5321 Appendix D.1:

   S: 220 foo.com Simple Mail Transfer Service Ready
   C: EHLO bar.com
   S: 250-foo.com greets bar.com
   S: 250-8BITMIME
   S: 250-SIZE
   S: 250-DSN
   S: 250 HELP
   C: MAIL FROM:<Smith@bar.com>
   S: 250 OK
   C: RCPT TO:<Jones@foo.com>
   S: 250 OK
   C: RCPT TO:<Green@foo.com>
   S: 550 No such user here
   C: RCPT TO:<Brown@foo.com>
   S: 250 OK
   C: DATA
   S: 354 Start mail input; end with <CRLF>.<CRLF>
   C: Blah blah blah...
   C: ...etc. etc. etc.
   C: .
   S: 250 OK
   C: QUIT
   S: 221 foo.com Service closing transmission channel
";

    #[test]
    fn reads_the_rfc_example() {
        let t = Transcript::parse(RFC_EXAMPLE.as_bytes());
        assert_eq!(t.format, Format::Prefixed);
        assert_eq!((t.lines.len(), t.skipped), (23, 2));
        let a = t.annotate();
        assert_eq!(codes(&a), Vec::<String>::new(), "{:#?}", a.all_lints());
        assert_eq!(
            kinds(&a),
            [
                "reply", "command", "reply", "command", "reply", "command", "reply", "command",
                "reply", "command", "reply", "command", "reply", "message", "reply", "command",
                "reply"
            ]
        );
        use SessionState as S;
        let states: Vec<(S, S)> = a
            .entries
            .iter()
            .map(|e| (e.state_before, e.state_after))
            .collect();
        assert_eq!(states[0], (S::Connected, S::Greeted));
        assert_eq!(states[2], (S::Ready, S::Ready), "EHLO reply");
        assert_eq!(states[3], (S::Ready, S::Mail), "MAIL");
        assert_eq!(
            states[8],
            (S::Rcpt, S::Rcpt),
            "550 to Green keeps the accepted Jones"
        );
        assert_eq!(states[12], (S::Rcpt, S::Data), "354");
        assert_eq!(states[13], (S::Data, S::Ready), "message");
        assert_eq!(states[16].1, S::Closed);
        let Parsed::Reply {
            capabilities: Some(caps),
            ..
        } = &a.entries[2].parsed
        else {
            panic!("EHLO reply lacks capabilities: {:?}", a.entries[2].parsed)
        };
        assert!(caps.has(Extension::Dsn) && caps.has(Extension::Help));
        assert_eq!(caps.domain, "foo.com");
        let Parsed::Message {
            lines, terminated, ..
        } = a.entries[13].parsed
        else {
            panic!("expected the message")
        };
        assert_eq!((lines, terminated), (3, true));
        // The same file with Windows line endings reads the same.
        let crlf = RFC_EXAMPLE.replace('\n', "\r\n");
        let b = annotate(crlf.as_bytes());
        assert_eq!(codes(&b), Vec::<String>::new(), "{:#?}", b.all_lints());
        assert_eq!(kinds(&b), kinds(&a));
        // Spans point at the original lines.
        let e = &a.entries[1];
        assert_eq!(
            e.span.slice(RFC_EXAMPLE.as_bytes()),
            b"   C: EHLO bar.com\n"
        );
        assert!(
            e.explanation.contains("RFC 5321 §4.1.1.1"),
            "{}",
            e.explanation
        );
        assert!(
            a.entries[4].explanation.contains("250"),
            "{}",
            a.entries[4].explanation
        );
    }

    const SWAKS: &str = "\
=== Trying mx.example.org:587...
=== Connected to mx.example.org.
<-  220 mx.example.org ESMTP
 -> EHLO client.example
<-  250-mx.example.org
<-  250-PIPELINING
<-  250-STARTTLS
<-  250 8BITMIME
 -> STARTTLS
<-  220 2.0.0 Ready to start TLS
=== TLS started with cipher TLSv1.3:TLS_AES_256_GCM_SHA384:256
 ~> EHLO client.example
<~  250-mx.example.org
<~  250-PIPELINING
<~  250-ENHANCEDSTATUSCODES
<~  250-AUTH PLAIN LOGIN
<~  250 8BITMIME
 ~> AUTH LOGIN
<~  334 VXNlcm5hbWU6
 ~> dXNlcg==
<~  334 UGFzc3dvcmQ6
 ~> cGFzcw==
<~  235 2.7.0 Authentication successful
 ~> MAIL FROM:<user@example.org>
<~  250 2.1.0 Ok
 ~> RCPT TO:<rcpt@example.net>
<~* 550 5.1.1 <rcpt@example.net>: Recipient address rejected
 ~> QUIT
<~  221 2.0.0 Bye
=== Connection closed with remote host.
";

    #[test]
    fn reads_swaks_output() {
        let t = Transcript::parse(SWAKS.as_bytes());
        assert_eq!(t.format, Format::Swaks);
        assert_eq!(t.skipped, 4);
        assert_eq!(
            t.lines[0].text, "220 mx.example.org ESMTP",
            "server padding removed"
        );
        let a = t.annotate();
        assert_eq!(codes(&a), Vec::<String>::new(), "{:#?}", a.all_lints());
        assert_eq!(
            kinds(&a),
            [
                "reply", "command", "reply", "command", "reply", "command", "reply", "command",
                "reply", "sasl", "reply", "sasl", "reply", "command", "reply", "command", "reply",
                "command", "reply"
            ]
        );
        let tls: Vec<bool> = a.entries.iter().map(|e| e.tls).collect();
        assert_eq!(
            &tls[..5],
            [false; 5],
            "before and including the 220 to STARTTLS"
        );
        assert!(tls[5..].iter().all(|&t| t), "after STARTTLS: {tls:?}");
        assert_eq!(
            a.entries[4].state_after,
            SessionState::Greeted,
            "STARTTLS resets to greeted"
        );
        assert_eq!(a.entries[8].state_after, SessionState::Authenticating);
        assert_eq!(a.entries[12].state_after, SessionState::Ready);
        let auth = a.entries[7].auth.as_ref().expect("AUTH LOGIN decoded");
        assert_eq!(
            (auth.authcid.as_deref(), auth.password.as_deref()),
            (Some("user"), Some("pass"))
        );
        assert_eq!(auth.challenges, ["Username:", "Password:"]);
        assert_eq!(a.to_json()["entries"][7]["auth"]["authcid"], "user");
        let Parsed::Reply { enhanced, .. } = &a.entries[16].parsed else {
            panic!("expected the 550 reply")
        };
        assert_eq!(enhanced.map(|e| e.to_string()).as_deref(), Some("5.1.1"));
        assert!(a.entries[16]
            .explanation
            .contains("Bad destination mailbox address"));
    }

    #[test]
    fn swaks_error_markers() {
        let t = Transcript::parse(b"=== Connected\n<-  220 x\n -> HELO c\n<** 554 5.7.1 go away\n **> QUIT\n<-  221 bye\n");
        let got: Vec<(Direction, &str)> = t
            .lines
            .iter()
            .map(|l| (l.direction, l.text.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (Direction::Server, "220 x"),
                (Direction::Client, "HELO c"),
                (Direction::Server, "554 5.7.1 go away"),
                (Direction::Client, "QUIT"),
                (Direction::Server, "221 bye"),
            ]
        );
        assert_eq!(codes(&t.annotate()), Vec::<String>::new());
    }

    const RAW: &[u8] = b"220 mx ESMTP\r\nHELO c.example\r\n250 mx\r\nMAIL FROM:<a@b.example>\r\n\
250 ok\r\nRCPT TO:<c@d.example>\r\n250 ok\r\nDATA\r\n354 go\r\nSubject: hi\r\n\r\n\
250 is body text here\r\n..leading dot\r\n.\r\n250 queued\r\nQUIT\r\n221 bye\r\n";

    #[test]
    fn reads_raw_captures() {
        let t = Transcript::parse(RAW);
        assert_eq!(t.format, Format::Raw);
        let dirs: Vec<Direction> = t.lines.iter().map(|l| l.direction).collect();
        assert_eq!(
            dirs[11],
            Direction::Client,
            "body line starting with 250 is content"
        );
        let a = t.annotate();
        assert_eq!(codes(&a), Vec::<String>::new(), "{:#?}", a.all_lints());
        assert_eq!(
            kinds(&a),
            [
                "reply", "command", "reply", "command", "reply", "command", "reply", "command",
                "reply", "message", "reply", "command", "reply"
            ]
        );
        let Parsed::Message { octets, lines, .. } = a.entries[9].parsed else {
            panic!("expected the message")
        };
        assert_eq!((octets, lines), (56, 5));
        assert_eq!(a.entries[9].span.slice(RAW).len(), 56);
    }

    /// (transcript in S:/C: form, expected lint codes)
    const LINTS: &[(&str, &[&str])] = &[
        (
            "S: 220 x\nC: EHLO c\nS: 250 x\nC: RCPT TO:<a@b.example>\nS: 503 5.5.1 need MAIL\nC: QUIT\nS: 221 bye\n",
            &["smtp.out-of-sequence"],
        ),
        (
            "S: 220 x\nC: EHLO c\nS: 250 x\nC: MAIL FROM:<a@b.example>\nS: 250 ok\nC: DATA\nS: 503 need RCPT\nC: QUIT\nS: 221 bye\n",
            &["smtp.out-of-sequence"],
        ),
        (
            "S: 220 x\nC: MAIL FROM:<a@b.example>\nS: 503 say hello\nC: QUIT\nS: 221 bye\n",
            &["smtp.out-of-sequence"],
        ),
        (
            "S: 220 x\nC: QUIT\nS: 221 bye\nC: NOOP\n",
            &["smtp.out-of-sequence"],
        ),
        (
            "S: 220 x\nS: 250 unasked\nC: QUIT\nS: 221 bye\n",
            &["smtp.out-of-sequence"],
        ),
        (
            "S: 220 x\nC: EHLO c\nS: 250-x\nS: 250 8BITMIME\nC: MAIL FROM:<a@b.example>\nC: RCPT TO:<c@d.example>\nS: 250 ok\nS: 250 ok\nC: QUIT\nS: 221 bye\n",
            &["smtp.pipelining-not-offered"],
        ),
        (
            "S: 220 x\nC: EHLO c\nS: 250-x\nS: 250 PIPELINING\nC: MAIL FROM:<a@b.example>\nC: RCPT TO:<c@d.example>\nC: DATA\nS: 250 ok\nS: 250 ok\nS: 354 go\nC: hi\nC: .\nS: 250 ok\nC: QUIT\nS: 221 bye\n",
            &[],
        ),
        (
            "S: 220 x\nC: EHLO c\nS: 250-x\nS: 250 PIPELINING\nC: EHLO c\nC: NOOP\nS: 250 x\nS: 250 ok\nC: QUIT\nS: 221 bye\n",
            &["smtp.pipelining-not-offered"],
        ),
        ("S: 220 x\nC: EHLO c\nS: 250 x\n", &["smtp.no-quit"]),
        ("S: 220 x\nC: QUIT\n", &["smtp.no-quit"]),
        ("S: 220 x\nC: EHLO c\nS: 421 4.3.2 shutting down\n", &[]),
        (
            "S: 220 x\nC: EHLO c\nS: 250-x\nS: 250 AUTH PLAIN\nC: AUTH PLAIN AGEAYg==\nS: 235 2.7.0 ok\nC: QUIT\nS: 221 bye\n",
            &["smtp.auth-without-tls"],
        ),
        (
            "S: 220 x\nC: EHLO c\nS: 250-x\nS: 250 SIZE 1000\nC: MAIL FROM:<a@b.example> SIZE=5000\nS: 552 5.3.4 too big\nC: QUIT\nS: 221 bye\n",
            &["smtp.size-exceeded"],
        ),
        (
            "S: 220 x\nC: EHLO c\nS: 250-x\nS: 250 SIZE 10\nC: MAIL FROM:<a@b.example>\nS: 250 ok\nC: RCPT TO:<c@d.example>\nS: 250 ok\nC: DATA\nS: 354 go\nC: 0123456789abcdef\nC: .\nS: 552 too big\nC: QUIT\nS: 221 bye\n",
            &["smtp.size-exceeded"],
        ),
        (
            "S: 220 x\nC: EHLO c\nS: 250-x\nS: 250 SIZE\nC: MAIL FROM:<a@b.example> SIZE=3\nS: 250 ok\nC: RCPT TO:<c@d.example>\nS: 250 ok\nC: DATA\nS: 354 go\nC: 0123456789abcdef\nC: .\nS: 250 ok\nC: QUIT\nS: 221 bye\n",
            &["smtp.size-exceeded"],
        ),
        (
            "S: 220 x\nC: EHLO c\nS: 250-x\nS: 250 AUTH PLAIN\nC: AUTH PLAIN Zm9v\nS: 535 5.7.8 no\nC: QUIT\nS: 221 bye\n",
            &["smtp.auth-plain-malformed", "smtp.auth-without-tls"],
        ),
        (
            "S: 220 x\nC: EHLO c\nS: 250-x\nS: 250 AUTH PLAIN\nC: AUTH PLAIN\nS: 334 \nC: !!!\nS: 501 bad\nC: QUIT\nS: 221 bye\n",
            &["smtp.auth-plain-malformed", "smtp.auth-without-tls"],
        ),
        (
            "S: 220 x\nC: EHLO c\nS: 250 x\nC: MAIL FROM:<a@b.example>\nS: 250 ok\nC: RCPT TO:<c@d.example>\nS: 250 ok\nC: DATA\nS: 354 go\nC: h\u{e9}llo\nC: .\nS: 250 ok\nC: QUIT\nS: 221 bye\n",
            &["smtp.8bit-without-8bitmime"],
        ),
        (
            "S: 220 x\nC: EHLO c\nS: 250-x\nS: 250 8BITMIME\nC: MAIL FROM:<a@b.example> BODY=8BITMIME\nS: 250 ok\nC: RCPT TO:<c@d.example>\nS: 250 ok\nC: DATA\nS: 354 go\nC: h\u{e9}llo\nC: .\nS: 250 ok\nC: QUIT\nS: 221 bye\n",
            &[],
        ),
        (
            "S: 220 x\nC: EHLO c\nS: 250 x\nC: MAIL FROM:<a@b.example>\nS: 250 ok\nC: RCPT TO:<c@d.example>\nS: 550 4.1.1 odd\nC: QUIT\nS: 221 bye\n",
            &["smtp.enhanced-code-mismatch"],
        ),
        (
            "S: 220 x\nC: EHLO c\nS: 250 x\nC: MAIL FROM:<a@b.example> SIZE=100\nS: 250 ok\nC: QUIT\nS: 221 bye\n",
            &["smtp.extension-not-offered"],
        ),
        (
            "S: 220 x\nC: EHLO c\nS: 250 x\nC: STARTTLS\nS: 454 no TLS\nC: QUIT\nS: 221 bye\n",
            &["smtp.extension-not-offered"],
        ),
        (
            "S: 220 x\nC: HELO c\nS: 250 x\nC: MAIL FROM:<a@b.example>\nS: 250 ok\nC: RCPT TO:<c@d.example>\nS: 250 ok\nC: BDAT 4 LAST\nC: abcd\nS: 250 ok\nC: QUIT\nS: 221 bye\n",
            &["smtp.extension-not-offered"],
        ),
        (
            "S: 220 x\nC: EHLO c\nS: 250 x\nC: MAIL FROM:<a@b.example>\nS: 250 ok\nC: RCPT TO:<\u{fc}@b.example>\nS: 553 no\nC: QUIT\nS: 221 bye\n",
            &["smtp.utf8-without-smtputf8"],
        ),
        (
            "S: 220 x\nC: NOOP\nS: 25O oops\nC: QUIT\nS: 221 bye\n",
            &["smtp.reply-invalid"],
        ),
        (
            "S: 220 x\nC: NOOP\nS: 250-first\nC: QUIT\nS: 221 bye\n",
            &["smtp.reply-invalid"],
        ),
        (
            "S: 220 x\nC: EHLO c\nS: 250 x\nC: MAIL FROM: <a@b.example>\nS: 250 ok\nC: QUIT\nS: 221 bye\n",
            &["smtp.space-after-colon"],
        ),
        (
            "S: 220 x\nC: FOO\nS: 500 what\nC: QUIT\nS: 221 bye\n",
            &["smtp.unknown-command"],
        ),
    ];

    #[test]
    fn dialogue_lints() {
        for &(input, expected) in LINTS {
            let a = annotate(input.as_bytes());
            assert_eq!(a.format, Format::Prefixed, "{input}");
            assert_eq!(
                codes(&a),
                expected,
                "lints of\n{input}\n{:#?}",
                a.all_lints()
            );
            for l in a.all_lints() {
                assert!(
                    l.span.end <= input.len(),
                    "span {:?} out of range in\n{input}",
                    l.span
                );
            }
        }
    }

    #[test]
    fn lint_spans_point_into_the_input() {
        let input = "S: 220 x\nC: EHLO c\nS: 250 x\nC: MAIL FROM: <a@b.example>\nS: 250 ok\nC: QUIT\nS: 221 bye\n";
        let a = annotate(input.as_bytes());
        let lint = a.all_lints()[0].clone();
        let at = input.find("FROM: ").unwrap() + 5;
        assert_eq!(lint.span, Span::new(at, at + 1), "space after colon");
        let input = b"220 x\r\nEHLO c\r\n250 x\r\nMAIL FROM:<a@b.example>\r\n250 ok\r\nRCPT TO:<c@d.example>\r\n250 ok\r\nDATA\r\n354 go\r\nbare\n.\r\n250 ok\r\nQUIT\r\n221 bye\r\n";
        let a = annotate(input);
        let lints = smtp_lints(&a);
        let got: Vec<&str> = lints.iter().map(|l| &*l.code).collect();
        // "\n.\r\n" ends the data for this lenient reading, which is what smuggling exploits.
        assert_eq!(
            got,
            ["smtp.bare-lf", "smtp.smuggling-sequence"],
            "{lints:#?}"
        );
        assert_eq!(lints[0].span.slice(input), b"\n");
        assert_eq!(lints[0].span.start, find(input, b"bare\n") + 4);
    }

    fn find(hay: &[u8], needle: &[u8]) -> usize {
        hay.windows(needle.len())
            .position(|w| w == needle)
            .unwrap_or(usize::MAX)
    }

    #[test]
    fn message_seam_checks_lines() {
        let mut data = b"ok\r\nbare\n".to_vec();
        data.extend(std::iter::repeat_n(b'x', 1200));
        data.extend(b"\r\n.\r\n");
        let got: Vec<(String, usize)> = lint_message(&data)
            .into_iter()
            .filter(|l| l.code.starts_with("smtp."))
            .map(|l| (l.code.to_string(), l.span.start))
            .collect();
        assert_eq!(
            got,
            [
                ("smtp.bare-lf".to_string(), 8),
                ("smtp.line-too-long".to_string(), 9),
            ]
        );
        assert!(lint_message(b"").is_empty());
        assert!(lint_message(b"hello\r\n.\r\n")
            .iter()
            .all(|l| l.code.starts_with("mime.")));
        let codes: Vec<String> = lint_message(b"a\r\n.hidden\n.\nmore\r\n.\r\n")
            .into_iter()
            .map(|l| l.code.to_string())
            .collect();
        assert!(
            codes.iter().any(|c| c == "smtp.smuggling-sequence"),
            "smuggling found: {codes:?}"
        );
    }

    #[test]
    fn elided_message_end() {
        let input = "S: 220 x\nC: EHLO c\nS: 250 x\nC: MAIL FROM:<a@b.example>\nS: 250 ok\nC: RCPT TO:<c@d.example>\nS: 250 ok\nC: DATA\nS: 354 go\nC: Subject: hi\nS: 250 queued\nC: QUIT\nS: 221 bye\n";
        let a = annotate(input.as_bytes());
        assert_eq!(codes(&a), Vec::<String>::new(), "{:#?}", a.all_lints());
        let Some(Parsed::Message {
            terminated, lines, ..
        }) = a
            .entries
            .iter()
            .map(|e| &e.parsed)
            .find(|p| matches!(p, Parsed::Message { .. }))
        else {
            panic!("no message entry")
        };
        assert_eq!((*terminated, *lines), (false, 1));
        assert_eq!(
            a.entries.last().map(|e| e.state_after),
            Some(SessionState::Closed)
        );
    }

    #[test]
    fn json_document() {
        let a = annotate(LINTS[0].0.as_bytes());
        let v = a.to_json();
        assert_eq!(v["version"], 1);
        assert_eq!(v["format"], "prefixed");
        let entries = v["entries"].as_array().expect("entries array");
        assert_eq!(entries.len(), a.entries.len());
        assert_eq!(entries[1]["parsed"]["kind"], "command");
        assert_eq!(entries[1]["parsed"]["command"]["verb"], "EHLO");
        assert_eq!(entries[0]["parsed"]["kind"], "reply");
        assert_eq!(entries[0]["state_after"], "greeted");
        let lint = &entries[3]["lints"][0];
        assert_eq!(lint["code"], "smtp.out-of-sequence");
        assert_eq!(lint["severity"], "error");
        assert!(lint["reference"]
            .as_str()
            .is_some_and(|r| r.starts_with("RFC ")));
        let a = annotate(b"S: 220 x\n");
        assert_eq!(a.to_json()["lints"][0]["code"], "smtp.no-quit");
    }

    #[test]
    fn bdat_chunks_are_one_entry() {
        let input = "S: 220 x\nC: EHLO c\nS: 250-x\nS: 250-PIPELINING\nS: 250 CHUNKING\nC: MAIL FROM:<a@b.example>\nS: 250 ok\nC: RCPT TO:<c@d.example>\nS: 250 ok\nC: BDAT 9\nC: abc\nC: def\nS: 250 ok\nC: BDAT 0 LAST\nS: 250 ok\nC: QUIT\nS: 221 bye\n";
        let a = annotate(input.as_bytes());
        assert_eq!(codes(&a), Vec::<String>::new(), "{:#?}", a.all_lints());
        let chunk = a.entries.iter().find_map(|e| match e.parsed {
            Parsed::Chunk { size, octets } => Some((size, octets)),
            _ => None,
        });
        assert_eq!(chunk, Some((9, 10)), "two lines with CRLF are 10 octets");
        assert_eq!(
            a.entries.last().map(|e| e.state_after),
            Some(SessionState::Closed)
        );
    }

    #[test]
    fn limits_truncate() {
        let many = "C: NOOP\n".repeat(MAX_TRANSCRIPT_LINES + 3);
        let t = Transcript::parse(many.as_bytes());
        assert!(t.truncated);
        assert_eq!(t.lines.len(), MAX_TRANSCRIPT_LINES);
        let mut big = vec![b'a'; MAX_TRANSCRIPT_BYTES + 10];
        big[10] = b'\n';
        let t = Transcript::parse_as(&big, Format::Raw);
        assert!(t.truncated);
        assert_eq!(t.lines.len(), 1, "the line cut by the limit is dropped");
        let a = t.annotate();
        assert!(a.truncated);
        assert!(!Transcript::parse(b"C: QUIT\n").truncated);
    }

    #[test]
    fn huge_replies_and_messages_stay_bounded() {
        let mut input = String::from("S: 220 x\nC: EHLO c\n");
        input.push_str(&"S: 250-X-EXT\n".repeat(3000));
        input.push_str("S: 250 END\nC: QUIT\nS: 221 bye\n");
        let a = annotate(input.as_bytes());
        assert!(
            codes(&a).iter().any(|c| c == "smtp.reply-invalid"),
            "over-long reply is reported: {:?}",
            codes(&a)
        );
        assert!(a.entries.len() < 20, "{} entries", a.entries.len());
        let data = "bare\n".repeat(MAX_MESSAGE_LINTS * 3);
        let n = lint_message(data.as_bytes()).len();
        assert!(n > 10 && n <= MAX_MESSAGE_LINTS, "{n} lints");
    }

    #[test]
    fn detects_formats() {
        let cases: &[(&[u8], Format)] = &[
            (b"S: 220 x\nC: QUIT\n", Format::Prefixed),
            (b"  s: 220 x\n  c: QUIT\n", Format::Prefixed),
            (b"<-  220 x\n -> QUIT\n", Format::Swaks),
            (b"=== Trying\n", Format::Swaks),
            (b"220 x\r\nQUIT\r\n", Format::Raw),
            (b"", Format::Raw),
        ];
        for &(input, format) in cases {
            assert_eq!(Transcript::detect(input), format, "input {input:?}");
        }
    }

    #[test]
    fn hostile_input_never_panics() {
        use crate::smtp::command::parse_command;
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        const PIECES: &[&[u8]] = &[
            b"S: ",
            b"C: ",
            b" -> ",
            b"<-  ",
            b" ~> ",
            b"<~ ",
            b"=== ",
            b"250",
            b"250-",
            b"354 ",
            b"220 ",
            b"334 ",
            b"221 ",
            b"421 ",
            b"550 5.1.1 ",
            b"EHLO x",
            b"MAIL FROM:<a@b>",
            b"RCPT TO:<",
            b"DATA",
            b"BDAT 5",
            b"BDAT 99999999999 LAST",
            b"AUTH PLAIN",
            b"STARTTLS",
            b"QUIT",
            b".",
            b"\r\n",
            b"\n",
            b"\r",
            b"\0",
            b"\xff\xfe",
            b" ",
            b"PIPELINING",
        ];
        for i in 0..3000 {
            let mut input = Vec::new();
            let n = next() % 40;
            for _ in 0..n {
                let r = next();
                if r % 4 == 0 {
                    input.extend((0..r % 7).map(|k| (r >> (8 * k)) as u8));
                } else {
                    input.extend_from_slice(PIECES[(r >> 8) as usize % PIECES.len()]);
                }
            }
            let _ = parse_command(&input);
            let _ = parse_reply(&input);
            for format in [Format::Prefixed, Format::Swaks, Format::Raw] {
                let t = Transcript::parse_as(&input, format);
                let a = t.annotate();
                for l in a.all_lints() {
                    assert!(l.span.end <= input.len(), "iteration {i}: {l:?}");
                    assert!(l.span.start <= l.span.end, "iteration {i}: {l:?}");
                }
                for e in &a.entries {
                    assert!(
                        e.span.end <= input.len(),
                        "iteration {i}: entry span {:?}",
                        e.span
                    );
                }
                let _ = a.to_json();
            }
        }
    }

    #[test]
    fn data_is_linted_as_a_message_too() {
        let data = b"Subject: =?EUC-KR?B?vsiz58fPvLy/5C4=?=\r\n\r\nhello\r\n.\r\n";
        let codes: Vec<String> = lint_message(data)
            .into_iter()
            .map(|l| l.code.into_owned())
            .collect();
        assert!(codes.iter().any(|c| c == "mime.missing-from"), "{codes:?}");
        assert!(codes.iter().any(|c| c == "mime.missing-date"), "{codes:?}");
        assert!(!codes.iter().any(|c| c == "mime.bare-lf"), "{codes:?}");
        for (input, want) in [
            (&b"a\r\n.\r\n"[..], &b"a\r\n"[..]),
            (b"a\n.\n", b"a\n"),
            (b".\r\n", b""),
            (b"a\r\nb", b"a\r\nb"),
        ] {
            assert_eq!(strip_end_of_data(input), want, "{input:?}");
        }
    }
}
