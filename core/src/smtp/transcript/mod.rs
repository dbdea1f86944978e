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
//!   client's, and lines between a 354 reply and the `.` line are message content. After the
//!   server's 220 reply to the client's STARTTLS the connection carries TLS (RFC 3207 §4.2):
//!   the rest is not split into lines but into runs of TLS records, one per side
//!   ([`TranscriptLine::opaque`]; the side is read from the plaintext handshake messages and
//!   guessed after them, see `tls.rs`). They become [`Parsed::Tls`] entries, neither parsed nor
//!   linted, in state [`SessionState::Tls`]. swaks shows TLS lines decrypted (` ~> `, `<~ `):
//!   they are read as usual and marked [`Entry::tls`].
//!
//! [`Transcript::annotate_with`] then follows the conversation: it parses each command and
//! reply, groups multi-line replies, keeps the DATA content as one entry, and **replays** the
//! dialogue through the core's command-order rules, [`crate::smtp::session::order::Order`]
//! (RFC 5321 §4.1.4; the same rules the server session uses to refuse commands). The state
//! follows the recorded server's answers: each reply moves the order state on for the command
//! it answers ([`Order::answer`](crate::smtp::session::order::Order::answer)), so a MAIL the
//! server refused leaves no transaction open and a following RCPT is out of sequence. Commands
//! still waiting for their reply are assumed answered positively (what a pipelining client may
//! assume, RFC 2920 §3.1), so a RCPT pipelined behind an unanswered MAIL is in order; when a
//! reply says otherwise the assumption is redone from the server's actual state. Each command
//! is checked with [`Order::check`](crate::smtp::session::order::Order::check) against that
//! state; `state_before`/`state_after` show it ([`SessionState`]).
//!
//! Lints: commands out of sequence, pipelining without PIPELINING, AUTH without TLS, 8-bit
//! content without 8BITMIME, extensions used without being offered, SIZE exceeded, no QUIT.
//! AUTH exchanges are decoded with [`crate::smtp::auth::decode_exchange`]; the password, the
//! XOAUTH2 token and the base64 lines that carry them are masked unless
//! [`AnnotateOptions::reveal_secrets`] is set (user names and CRAM-MD5 digests are not
//! secrets). The DATA content goes through [`lint_message`] (the seam for the MIME linter).
//! The result serialises to the versioned JSON document described in
//! [`AnnotatedTranscript::to_json`].
//!
//! Limits: at most [`MAX_TRANSCRIPT_BYTES`] bytes and [`MAX_TRANSCRIPT_LINES`] lines are read;
//! the rest is dropped and [`Transcript::truncated`] says so. Every step is total: any bytes
//! give a transcript and an annotation, never a panic.

use serde::{Deserialize, Serialize};

use crate::lint::Lint;
use crate::smtp::auth::DecodedAuth;
use crate::smtp::capability::Capabilities;
use crate::smtp::command::Command;
use crate::smtp::enhanced::EnhancedCode;
use crate::smtp::reply::{CodeExplanation, Reply};
use crate::span::Span;

mod annotate;
pub mod ladder;
mod tls;

pub use annotate::MAX_PENDING;

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
    /// Whether the line was sent inside TLS (swaks `~>` / `<~`, and the TLS records of a raw
    /// capture).
    pub tls: bool,
    /// Encrypted TLS records of a raw capture after the 220 reply to STARTTLS, not a protocol
    /// line: `bytes` are a run of records from one side (RFC 3207 §4.2).
    #[serde(default)]
    pub opaque: bool,
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

/// A line of the input that was not read: neither protocol (no `S:`/`C:` or swaks marker) nor
/// blank nor a swaks information line (`===`, `***`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IgnoredLine {
    /// Line number in the input, from 1.
    pub line: usize,
    /// The line without its ending.
    pub span: Span,
    /// The line as text (invalid UTF-8 replaced).
    pub text: String,
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
    /// The session had not ended when the transcript was taken: it ends with [`OPEN_NOTE`], or
    /// the caller says so (a live session). An open dialogue is not judged as ended: no
    /// `smtp.no-quit` or `smtp.quit-unanswered`.
    pub open: bool,
}

/// The information line that ends the transcript of a session still in progress (swaks form).
/// The sandbox stores a message when its data ends, before the session does; the transcript
/// stored then ends with this line, and is replaced by the whole session's when it ends.
pub const OPEN_NOTE: &str = "=== session still open";

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

/// Whether a data line whose wire bytes are `wire` ends the data: only `CRLF "." CRLF` does
/// ([RFC 5321 §4.1.1.4](https://www.rfc-editor.org/rfc/rfc5321#section-4.1.1.4)), so the line
/// is `.` CRLF and the line before it (if any) ended in CRLF. A `.` next to a bare LF is
/// content, as the server reads it ([`crate::smtp::data::DataReceiver`]); the lines after it are
/// still message data, not commands.
fn ends_data(wire: &[u8], after_crlf: bool) -> bool {
    after_crlf && wire == b".\r\n"
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
        Transcript::read(input, format).0
    }

    /// Reads a transcript in the given form and lists the lines it ignored ([`IgnoredLine`]).
    pub fn parse_as_with_ignored(input: &[u8], format: Format) -> (Transcript, Vec<IgnoredLine>) {
        Transcript::read(input, format)
    }

    /// Reads a transcript, detecting its form, and lists the lines it ignored
    /// ([`IgnoredLine`]: not blank, not protocol, not a swaks information line).
    pub fn parse_with_ignored(input: &[u8]) -> (Transcript, Vec<IgnoredLine>) {
        Transcript::read(input, Transcript::detect(input))
    }

    fn read(input: &[u8], format: Format) -> (Transcript, Vec<IgnoredLine>) {
        let (raw_lines, mut truncated) = split_lines(input);
        let mut ignored = Vec::new();
        let mut lines = Vec::with_capacity(raw_lines.len());
        let mut skipped = 0;
        let mut in_data = false;
        // Whether the last data line ended in CRLF (the data starts after the DATA line's).
        let mut data_after_crlf = true;
        let mut lenient_dot = false;
        let mut open = false;
        let mut starttls = StartTlsWatch::default();
        for (number, (span, content, ending)) in raw_lines.into_iter().enumerate() {
            let line = content.slice(input);
            // After a `.` that only a lenient server takes for the end of data, a reply line says
            // this server did (the smuggling it allows); anything else is still message content.
            if format == Format::Raw && in_data && lenient_dot && is_reply_start(line) {
                in_data = false;
            }
            lenient_dot = false;
            // Message content is not protocol: a body line reading STARTTLS asks for nothing.
            let content_line = in_data;
            let marked = match format {
                Format::Prefixed => prefixed_marker(line).map(|(d, skip)| (d, skip, false)),
                Format::Swaks => swaks_marker(line),
                Format::Raw => {
                    let direction = if in_data {
                        if ends_data(span.slice(input), data_after_crlf) {
                            in_data = false;
                        } else {
                            lenient_dot = line == b".";
                        }
                        data_after_crlf = ending == Ending::Crlf;
                        Direction::Client
                    } else if is_reply_start(line) {
                        if line.starts_with(b"354") {
                            in_data = true;
                            data_after_crlf = true;
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
                let info =
                    format == Format::Swaks && SWAKS_INFO.iter().any(|p| line.starts_with(p));
                open = (info && line == OPEN_NOTE.as_bytes())
                    || (open && line.trim_ascii().is_empty());
                if !info && !line.trim_ascii().is_empty() {
                    ignored.push(IgnoredLine {
                        line: number + 1,
                        span: content,
                        text: String::from_utf8_lossy(line).into_owned(),
                    });
                }
                continue;
            };
            open = false;
            let content = Span::new((content.start + skip).min(content.end), content.end);
            let bytes = content.slice(input).to_vec();
            if format == Format::Raw && !content_line {
                starttls.see(direction, &bytes);
            }
            lines.push(TranscriptLine {
                direction,
                span,
                content,
                text: String::from_utf8_lossy(&bytes).into_owned(),
                bytes,
                ending,
                tls,
                opaque: false,
            });
            if starttls.tls_started {
                // RFC 3207 §4.2: after the 220 the connection carries TLS records, not lines.
                let limit = input.len().min(MAX_TRANSCRIPT_BYTES);
                let room = MAX_TRANSCRIPT_LINES.saturating_sub(lines.len());
                lines.extend(tls::opaque_runs(input, span.end, limit, room));
                truncated = input.len() > MAX_TRANSCRIPT_BYTES;
                break;
            }
        }
        (
            Transcript {
                format,
                lines,
                skipped,
                truncated,
                open,
            },
            ignored,
        )
    }

    /// Follows the conversation and explains every entry, with secrets masked (see the module
    /// documentation and [`Transcript::annotate_with`]).
    pub fn annotate(&self) -> AnnotatedTranscript {
        self.annotate_with(&AnnotateOptions::default())
    }

    /// Follows the conversation and explains every entry: the lines are replayed through the
    /// core's command-order rules ([`crate::smtp::session::order`]) with the recorded replies.
    pub fn annotate_with(&self, options: &AnnotateOptions) -> AnnotatedTranscript {
        let mut a = annotate::Annotator::new(self.format, *options);
        for line in &self.lines {
            a.line(line);
        }
        a.finish(self)
    }
}

/// How [`Transcript::annotate_with`] presents what it finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AnnotateOptions {
    /// Show AUTH secrets decoded and as sent: the PLAIN and LOGIN password, the XOAUTH2 bearer
    /// token, and the base64 lines carrying them. Off by default: they are replaced by
    /// [`SECRET_MASK`] and their length, so an annotation can be shared; user names stay.
    pub reveal_secrets: bool,
}

/// What a masked secret shows instead of its value (followed by its length).
pub const SECRET_MASK: &str = "••••••";

/// `secret` masked: [`SECRET_MASK`] and its length in characters, e.g.
/// `•••••• (8 characters hidden)`.
pub fn mask_secret(secret: &str) -> String {
    format!(
        "{SECRET_MASK} ({} characters hidden)",
        secret.chars().count()
    )
}

/// Reads and annotates a transcript in one step, with secrets masked; lines that were not read
/// are listed in [`AnnotatedTranscript::ignored`].
pub fn annotate(input: &[u8]) -> AnnotatedTranscript {
    annotate_with(input, &AnnotateOptions::default())
}

/// Reads and annotates a transcript in one step, with the given options; lines that were not
/// read are listed in [`AnnotatedTranscript::ignored`].
pub fn annotate_with(input: &[u8], options: &AnnotateOptions) -> AnnotatedTranscript {
    let (transcript, ignored) = Transcript::parse_with_ignored(input);
    let mut annotated = transcript.annotate_with(options);
    annotated.ignored = ignored;
    annotated
}

/// Watches a raw capture for the 220 reply to STARTTLS, after which the bytes are TLS.
#[derive(Default)]
struct StartTlsWatch {
    /// The client sent STARTTLS and no final reply code other than 2xx came since.
    asked: bool,
    /// The 220 arrived: what follows is TLS.
    tls_started: bool,
}

impl StartTlsWatch {
    fn see(&mut self, direction: Direction, line: &[u8]) {
        match direction {
            Direction::Client => {
                if line.trim_ascii().eq_ignore_ascii_case(b"STARTTLS") {
                    self.asked = true;
                }
            }
            Direction::Server if self.asked && line.get(3) != Some(&b'-') => {
                if line.starts_with(b"220") {
                    self.tls_started = true;
                } else if !line.starts_with(b"2") {
                    // Refused (454, 502, …): the dialogue goes on in the clear. Other 2xx
                    // replies answer commands pipelined before STARTTLS.
                    self.asked = false;
                }
            }
            Direction::Server => {}
        }
    }
}

/// Where the session is, as the replay sees it (RFC 5321 §4.1.4): the order state of
/// [`crate::smtp::session::order::Order`], or how the next lines are read (SASL, message, TLS).
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
    /// TLS records after STARTTLS in a raw capture: nothing more can be read without the keys.
    Tls,
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
    /// Encrypted TLS records (a raw capture after the 220 reply to STARTTLS): not decodable
    /// without the session keys, so neither parsed nor linted.
    Tls {
        /// Octets of records in this run.
        octets: usize,
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
    /// The session was still open ([`Transcript::open`]): the dialogue is not judged as ended.
    pub open: bool,
    /// Whether AUTH secrets are shown ([`AnnotateOptions::reveal_secrets`]); when not, they
    /// read [`SECRET_MASK`] and their length.
    pub secrets_revealed: bool,
    /// The dialogue.
    pub entries: Vec<Entry>,
    /// Findings about the whole dialogue (such as `smtp.no-quit`).
    pub lints: Vec<Lint>,
    /// Lines of the input that were not read (filled by [`annotate_with`]; empty when
    /// annotating an already split [`Transcript`]).
    pub ignored: Vec<IgnoredLine>,
}

/// Version of the JSON document made by [`AnnotatedTranscript::to_json`].
pub const JSON_VERSION: u32 = 1;

impl AnnotatedTranscript {
    /// The versioned JSON document:
    ///
    /// ```text
    /// { "version": 1, "format": "prefixed"|"swaks"|"raw", "truncated": bool, "open": bool,
    ///   "secrets_revealed": bool,
    ///   "entries": [ { "direction", "span": {start,end}, "text", "tls", "parsed": {"kind", …},
    ///                  "state_before", "state_after", "explanation", "lints": [Lint…] } ],
    ///   "lints": [ { "code", "severity", "span", "message", "reference" } ],
    ///   "ignored": [ { "line", "span": {start,end}, "text" } ] }
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

#[cfg(test)]
mod tests;
