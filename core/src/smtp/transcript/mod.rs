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
        Transcript::read(input, format).0
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
        let mut starttls = StartTlsWatch::default();
        for (number, (span, content, ending)) in raw_lines.into_iter().enumerate() {
            let line = content.slice(input);
            // Message content is not protocol: a body line reading STARTTLS asks for nothing.
            let content_line = in_data;
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
                let info =
                    format == Format::Swaks && SWAKS_INFO.iter().any(|p| line.starts_with(p));
                if !info && !line.trim_ascii().is_empty() {
                    ignored.push(IgnoredLine {
                        line: number + 1,
                        span: content,
                        text: String::from_utf8_lossy(line).into_owned(),
                    });
                }
                continue;
            };
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
    /// { "version": 1, "format": "prefixed"|"swaks"|"raw", "truncated": bool,
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
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::smtp::capability::Extension;
    use crate::smtp::reply::parse_reply;

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
                Parsed::Tls { .. } => "tls",
            })
            .collect()
    }

    /// Bug: an import dropped lines it could not read without saying so.
    #[test]
    fn ignored_lines_are_listed() {
        let input = b"S: 220 x\nC: EHLO c\nS 250 no colon\n\n   \nC: QUIT\nS: 221 bye\n";
        let t = annotate(input);
        assert_eq!(t.entries.len(), 4, "{:?}", t.entries);
        assert_eq!(
            t.ignored,
            vec![IgnoredLine {
                line: 3,
                span: Span::new(19, 33),
                text: "S 250 no colon".into(),
            }],
            "blank lines are not listed"
        );
        assert_eq!(t.to_json()["ignored"][0]["line"], 3);
        // swaks information lines are expected, not ignored; text without a marker is.
        let swaks =
            annotate(b"=== Trying 127.0.0.1:25...\n<-  220 x\n -> QUIT\n<-  221 bye\nstray\n");
        assert_eq!(swaks.format, Format::Swaks);
        let texts: Vec<&str> = swaks.ignored.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, vec!["stray"]);
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
            (Some("user"), Some("•••••• (4 characters hidden)")),
            "the password is masked by default, the user name is not"
        );
        assert_eq!(auth.challenges, ["Username:", "Password:"]);
        assert_eq!(a.to_json()["entries"][7]["auth"]["authcid"], "user");
        assert_eq!(
            (a.entries[9].text.as_str(), a.entries[11].text.as_str()),
            ("dXNlcg==", "•••••• (8 characters hidden)"),
            "LOGIN: the user line stays, the password line is masked"
        );
        let shown = t.annotate_with(&AnnotateOptions {
            reveal_secrets: true,
        });
        let auth = shown.entries[7].auth.as_ref().expect("AUTH LOGIN decoded");
        assert_eq!(auth.password.as_deref(), Some("pass"));
        assert_eq!(shown.entries[11].text, "cGFzcw==");
        assert_eq!(shown.to_json()["secrets_revealed"], true);
        assert_eq!(a.to_json()["secrets_revealed"], false);
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
        // Talking before the greeting breaks a SHOULD of RFC 5321 §4.3.1: a warning.
        (
            "C: EHLO c\nS: 220 x\nS: 250 x\nC: QUIT\nS: 221 bye\n",
            &["smtp.before-greeting"],
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
        ("S: 220 x\nC: QUIT\n", &["smtp.quit-unanswered"]),
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
        (
            "S: 220 x\nC: POST / HTTP/1.1\nS: 221 2.7.0 Error: not SMTP\n",
            &["smtp.http-request", "smtp.no-quit"],
        ),
        (
            "S: 220 x\nC: Host: 127.0.0.1:2525\nS: 221 2.7.0 Error: not SMTP\n",
            &["smtp.http-request", "smtp.no-quit"],
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
            b"\x16\x03\x01\x00\x05\x01",
            b"\x17\x03\x03\xff\xff",
            b"220 2.0.0 Ready to start TLS\r\n",
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

    /// (transcript, expected lint codes, expected (state_before, state_after) of every entry)
    type ReplayCase = (
        &'static str,
        &'static [&'static str],
        &'static [(&'static str, &'static str)],
    );

    const REPLAY: &[ReplayCase] = &[
        // A pipelined group whose MAIL the server refused: the RCPT and DATA behind it were
        // in order when sent; the RCPT sent after the refusals is not.
        (
            "S: 220 x\nC: EHLO c\nS: 250-x\nS: 250 PIPELINING\nC: MAIL FROM:<a@b.example>\nC: RCPT TO:<c@d.example>\nC: DATA\nS: 550 5.7.1 sender refused\nS: 503 5.5.1 need MAIL\nS: 503 5.5.1 need MAIL\nC: RCPT TO:<c@d.example>\nS: 503 5.5.1 need MAIL\nC: QUIT\nS: 221 bye\n",
            &["smtp.out-of-sequence"],
            &[
                ("connected", "greeted"),
                ("greeted", "ready"),
                ("ready", "ready"),
                ("ready", "mail"),
                ("mail", "rcpt"),
                ("rcpt", "rcpt"),
                ("rcpt", "ready"),
                ("ready", "ready"),
                ("ready", "ready"),
                ("ready", "ready"),
                ("ready", "ready"),
                ("ready", "closed"),
                ("closed", "closed"),
            ],
        ),
        // Every recipient refused: DATA has no recipient to go to.
        (
            "S: 220 x\nC: HELO c\nS: 250 x\nC: MAIL FROM:<a@b.example>\nS: 250 ok\nC: RCPT TO:<c@d.example>\nS: 550 no\nC: DATA\nS: 554 no valid recipients\nC: QUIT\nS: 221 bye\n",
            &["smtp.out-of-sequence"],
            &[
                ("connected", "greeted"),
                ("greeted", "ready"),
                ("ready", "ready"),
                ("ready", "mail"),
                ("mail", "mail"),
                ("mail", "rcpt"),
                ("rcpt", "mail"),
                ("mail", "mail"),
                ("mail", "mail"),
                ("mail", "closed"),
                ("closed", "closed"),
            ],
        ),
        // A refused EHLO leaves the session greeted; the HELO after it is accepted, and AUTH
        // after HELO breaks RFC 4954 §4 (the old tracker missed this).
        (
            "S: 220 x\nC: EHLO c\nS: 502 no EHLO\nC: HELO c\nS: 250 x\nC: AUTH PLAIN AGEAYg==\nS: 503 5.5.1 send EHLO first\nC: QUIT\nS: 221 bye\n",
            &[
                "smtp.auth-without-tls",
                "smtp.extension-not-offered",
                "smtp.out-of-sequence",
            ],
            &[
                ("connected", "greeted"),
                ("greeted", "ready"),
                ("ready", "greeted"),
                ("greeted", "ready"),
                ("ready", "ready"),
                ("ready", "ready"),
                ("ready", "ready"),
                ("ready", "closed"),
                ("closed", "closed"),
            ],
        ),
        // STARTTLS refused: no TLS; accepted: EHLO needed again, then AUTH is fine.
        (
            "S: 220 x\nC: EHLO c\nS: 250-x\nS: 250 STARTTLS\nC: STARTTLS\nS: 454 4.7.0 not now\nC: STARTTLS\nS: 220 2.0.0 go\nC: EHLO c\nS: 250-x\nS: 250 AUTH PLAIN\nC: AUTH PLAIN AGEAYg==\nS: 235 2.7.0 ok\nC: AUTH PLAIN AGEAYg==\nS: 503 5.5.1 already\nC: QUIT\nS: 221 bye\n",
            &["smtp.out-of-sequence"],
            &[
                ("connected", "greeted"),
                ("greeted", "ready"),
                ("ready", "ready"),
                ("ready", "greeted"),
                ("greeted", "ready"),
                ("ready", "greeted"),
                ("greeted", "greeted"),
                ("greeted", "ready"),
                ("ready", "ready"),
                ("ready", "ready"),
                ("ready", "ready"),
                ("ready", "ready"),
                ("ready", "ready"),
                ("ready", "closed"),
                ("closed", "closed"),
            ],
        ),
        // 421 closes whatever was outstanding; no QUIT is needed after it.
        (
            "S: 220 x\nC: EHLO c\nS: 250-x\nS: 250 PIPELINING\nC: MAIL FROM:<a@b.example>\nC: RCPT TO:<c@d.example>\nS: 421 4.3.2 shutting down\n",
            &[],
            &[
                ("connected", "greeted"),
                ("greeted", "ready"),
                ("ready", "ready"),
                ("ready", "mail"),
                ("mail", "rcpt"),
                ("rcpt", "closed"),
            ],
        ),
    ];

    fn state_names(a: &AnnotatedTranscript) -> Vec<(String, String)> {
        let name = |s: SessionState| {
            serde_json::to_value(s)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        };
        a.entries
            .iter()
            .map(|e| (name(e.state_before), name(e.state_after)))
            .collect()
    }

    #[test]
    fn replay_follows_the_recorded_replies() {
        for &(input, lints, states) in REPLAY {
            let a = annotate(input.as_bytes());
            assert_eq!(codes(&a), lints, "lints of\n{input}\n{:#?}", a.all_lints());
            let want: Vec<(String, String)> = states
                .iter()
                .map(|&(b, a)| (b.to_owned(), a.to_owned()))
                .collect();
            assert_eq!(state_names(&a), want, "states of\n{input}");
        }
    }

    #[test]
    fn out_of_sequence_messages_come_from_the_order_rules() {
        use crate::smtp::session::order::{Order, OrderError};
        let a = annotate(REPLAY[0].0.as_bytes());
        let lint = smtp_lints(&a)[0];
        let expected = OrderError::NoTransaction { verb: "RCPT" };
        assert_eq!(lint.message, expected.to_string());
        assert_eq!(
            Order::greeted().check(crate::smtp::session::order::Step::Rcpt),
            Err(OrderError::NoTransaction { verb: "RCPT" })
        );
    }

    #[test]
    fn secrets_are_masked_unless_revealed() {
        use base64_helper::b64;
        // (transcript, mechanism, user, password or token when revealed, masked lines)
        let plain = b64(b"\0alice\0wonderland");
        let xoauth = b64(b"user=alice@example.org\x01auth=Bearer ya29.secret-token\x01\x01");
        let cram = b64(b"alice 3dbc88f0624776a737b39093f6eb6427");
        let cases: Vec<(String, Option<&str>, Option<&str>, Vec<usize>)> = vec![
            (
                format!("S: 220 x\nC: EHLO c\nS: 250 AUTH PLAIN\nC: AUTH PLAIN {plain}\nS: 235 ok\nC: QUIT\nS: 221 bye\n"),
                Some("alice"),
                Some("wonderland"),
                vec![3],
            ),
            (
                format!("S: 220 x\nC: EHLO c\nS: 250 AUTH PLAIN\nC: AUTH PLAIN\nS: 334 \nC: {plain}\nS: 235 ok\nC: QUIT\nS: 221 bye\n"),
                Some("alice"),
                Some("wonderland"),
                vec![5],
            ),
            (
                format!("S: 220 x\nC: EHLO c\nS: 250 AUTH LOGIN\nC: AUTH LOGIN {}\nS: 334 UGFzc3dvcmQ6\nC: {}\nS: 235 ok\nC: QUIT\nS: 221 bye\n", b64(b"alice"), b64(b"wonderland")),
                Some("alice"),
                Some("wonderland"),
                vec![5],
            ),
            (
                format!("S: 220 x\nC: EHLO c\nS: 250 AUTH XOAUTH2\nC: AUTH XOAUTH2 {xoauth}\nS: 235 ok\nC: QUIT\nS: 221 bye\n"),
                Some("alice@example.org"),
                Some("ya29.secret-token"),
                vec![3],
            ),
            (
                format!("S: 220 x\nC: EHLO c\nS: 250 AUTH CRAM-MD5\nC: AUTH CRAM-MD5\nS: 334 PDQxOTI5NDIzNDEuMTI4Mjg0NzJAc291cmNlZm91ci5hbmRyZXcuY211LmVkdT4=\nC: {cram}\nS: 235 ok\nC: QUIT\nS: 221 bye\n"),
                Some("alice"),
                None,
                vec![],
            ),
        ];
        for (input, user, secret, masked_entries) in cases {
            let t = Transcript::parse(input.as_bytes());
            let hidden = t.annotate();
            let shown = t.annotate_with(&AnnotateOptions {
                reveal_secrets: true,
            });
            assert!(!hidden.secrets_revealed && shown.secrets_revealed);
            let auth_of = |a: &AnnotatedTranscript| {
                a.entries
                    .iter()
                    .find_map(|e| e.auth.clone())
                    .unwrap_or_else(|| panic!("no AUTH decoded in\n{input}"))
            };
            let (h, s) = (auth_of(&hidden), auth_of(&shown));
            assert_eq!(h.authcid.as_deref(), user, "user stays visible:\n{input}");
            assert_eq!(s.authcid.as_deref(), user, "{input}");
            let revealed = s.password.clone().or(s.token.clone());
            assert_eq!(revealed.as_deref(), secret, "revealed secret of\n{input}");
            if let Some(secret) = secret {
                let masked = mask_secret(secret);
                let hidden_secret = h.password.clone().or(h.token.clone());
                assert_eq!(hidden_secret, Some(masked), "{input}");
            } else {
                assert!(
                    h.digest.is_some() && h.digest == s.digest,
                    "CRAM-MD5 digest is shown"
                );
            }
            for (i, (he, se)) in hidden.entries.iter().zip(&shown.entries).enumerate() {
                let masked = he.text.contains(SECRET_MASK);
                assert_eq!(
                    masked,
                    masked_entries.contains(&i),
                    "entry {i} {:?} of\n{input}",
                    he.text
                );
                assert!(!se.text.contains(SECRET_MASK), "revealed entry {i}");
                if masked {
                    // Nothing of the secret's base64 is left, in the text or the JSON.
                    let json = serde_json::to_string(&hidden.to_json()).unwrap_or_default();
                    let b64_line = se.text.rsplit(' ').next().unwrap_or_default();
                    assert!(!he.text.contains(b64_line), "{}", he.text);
                    assert!(!json.contains(b64_line), "JSON leaks {b64_line}");
                    if let Some(secret) = secret {
                        assert!(!json.contains(secret), "JSON leaks {secret}");
                    }
                }
            }
        }
    }

    mod base64_helper {
        pub(super) fn b64(bytes: &[u8]) -> String {
            crate::smtp::auth::encode_base64(bytes)
        }
    }

    /// A TLS record: content type, TLS 1.2 legacy version, length, payload.
    fn record(kind: u8, payload: &[u8]) -> Vec<u8> {
        let mut r = vec![
            kind,
            3,
            if kind == 22 && payload.first() == Some(&1) {
                1
            } else {
                3
            },
        ];
        r.extend_from_slice(&(payload.len() as u16).to_be_bytes());
        r.extend_from_slice(payload);
        r
    }

    /// A handshake message: type, 24-bit length, body.
    fn handshake(kind: u8, body: &[u8]) -> Vec<u8> {
        let n = body.len() as u32;
        let mut h = vec![kind, (n >> 16) as u8, (n >> 8) as u8, n as u8];
        h.extend_from_slice(body);
        h
    }

    /// A ClientHello as a real client sends it: random, session id, cipher suites, SNI.
    fn client_hello() -> Vec<u8> {
        let mut body = vec![3, 3];
        body.extend((0u8..32).map(|i| i.wrapping_mul(37) ^ 0xa5));
        body.push(32);
        body.extend((0u8..32).map(|i| i.wrapping_mul(11) ^ 0x5a));
        body.extend_from_slice(&[0, 6, 0x13, 0x01, 0x13, 0x02, 0xc0, 0x2f, 1, 0]);
        let host = b"mx.example.org";
        let mut sni = vec![0, 0];
        let list = (host.len() + 3) as u16;
        sni.extend_from_slice(&(list + 2).to_be_bytes());
        sni.extend_from_slice(&list.to_be_bytes());
        sni.push(0);
        sni.extend_from_slice(&(host.len() as u16).to_be_bytes());
        sni.extend_from_slice(host);
        body.extend_from_slice(&(sni.len() as u16).to_be_bytes());
        body.extend_from_slice(&sni);
        record(22, &handshake(1, &body))
    }

    #[test]
    fn raw_capture_after_starttls_is_opaque_tls() {
        let mut input = b"220 mx.example.org ESMTP\r\nEHLO client.example\r\n250-mx.example.org\r\n250-PIPELINING\r\n250 STARTTLS\r\nSTARTTLS\r\n220 2.0.0 Ready to start TLS\r\n".to_vec();
        let clear = input.len();
        let hello = client_hello();
        input.extend_from_slice(&hello);
        let mut server = record(22, &handshake(2, &[3, 3, 0x11, 0x22, 0x0d, 0x0a]));
        server.extend(record(20, &[1]));
        server.extend(record(23, b"\x8f\r\n250 looks like text\r\n\x00\x17\x03"));
        input.extend_from_slice(&server);
        let t = Transcript::parse(&input);
        assert_eq!(t.format, Format::Raw);
        assert!(!t.truncated);
        let opaque: Vec<(Direction, usize)> = t
            .lines
            .iter()
            .filter(|l| l.opaque)
            .map(|l| (l.direction, l.bytes.len()))
            .collect();
        assert_eq!(
            opaque,
            [
                (Direction::Client, hello.len()),
                (Direction::Server, server.len())
            ],
            "one run per side"
        );
        let a = t.annotate();
        assert_eq!(codes(&a), Vec::<String>::new(), "{:#?}", a.all_lints());
        assert_eq!(
            kinds(&a),
            ["reply", "command", "reply", "command", "reply", "tls", "tls"]
        );
        let tls: Vec<&Entry> = a
            .entries
            .iter()
            .filter(|e| matches!(e.parsed, Parsed::Tls { .. }))
            .collect();
        assert_eq!(tls[0].span, Span::new(clear, clear + hello.len()));
        assert_eq!(tls[1].span.end, input.len());
        assert_eq!(
            tls[0].text,
            format!(
                "TLS ({} bytes, encrypted — not decodable without keys)",
                hello.len()
            )
        );
        for e in &tls {
            assert!(e.tls && e.lints.is_empty(), "{e:?}");
            assert_eq!(e.state_after, SessionState::Tls);
        }
        assert_eq!(tls[0].state_before, SessionState::Greeted, "after the 220");
        assert_eq!(a.to_json()["entries"][6]["parsed"]["kind"], "tls");
        assert_eq!(a.to_json()["entries"][6]["state_after"], "tls");
        // The 220 itself is read in the clear.
        assert!(!a.entries[4].tls);

        // A message line reading STARTTLS asks for nothing.
        let body = b"220 x\r\nHELO c\r\n250 x\r\nMAIL FROM:<a@b.example>\r\n250 ok\r\nRCPT TO:<c@d.example>\r\n250 ok\r\nDATA\r\n354 go\r\nSTARTTLS\r\n.\r\n220 odd but clear\r\nQUIT\r\n221 bye\r\n";
        assert!(Transcript::parse(body).lines.iter().all(|l| !l.opaque));

        // Refused STARTTLS: the dialogue goes on in the clear, lines stay lines.
        let refused = b"220 x\r\nEHLO c\r\n250-x\r\n250 STARTTLS\r\nSTARTTLS\r\n454 4.7.0 TLS not available\r\nQUIT\r\n221 bye\r\n";
        let t = Transcript::parse(refused);
        assert!(t.lines.iter().all(|l| !l.opaque));
        assert_eq!(codes(&t.annotate()), Vec::<String>::new());

        // S:/C: transcripts have no records: a 220 to STARTTLS leaves the lines as they are,
        // marked as inside TLS.
        let prefixed = "S: 220 x\nC: EHLO c\nS: 250-x\nS: 250 STARTTLS\nC: STARTTLS\nS: 220 go\nC: EHLO c\nS: 250 x\nC: QUIT\nS: 221 bye\n";
        let a = annotate(prefixed.as_bytes());
        assert_eq!(kinds(&a).iter().filter(|k| **k == "tls").count(), 0);
        assert!(a.entries[5..].iter().all(|e| e.tls), "after STARTTLS");
        assert_eq!(codes(&a), Vec::<String>::new(), "{:#?}", a.all_lints());
    }

    #[test]
    fn garbage_after_starttls_stays_bounded() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        const HEAD: &[u8] = b"220 x\r\nSTARTTLS\r\n220 go\r\n";
        for round in 0..200 {
            let mut input = HEAD.to_vec();
            let n = (round * 37) % 3000;
            for _ in 0..n {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                // Mostly record-looking bytes, to exercise the record walk.
                input.push(match x % 5 {
                    0 => 0x16,
                    1 => 0x03,
                    2 => 0x17,
                    _ => (x >> 8) as u8,
                });
            }
            let t = Transcript::parse_as(&input, Format::Raw);
            let covered: usize = t
                .lines
                .iter()
                .filter(|l| l.opaque)
                .map(|l| l.span.len())
                .sum();
            assert_eq!(
                covered,
                input.len() - HEAD.len(),
                "round {round}: every byte in a run"
            );
            let a = t.annotate();
            assert!(a.entries.iter().all(|e| e.span.end <= input.len()));
            for l in a.all_lints() {
                assert!(
                    l.span.start <= HEAD.len() && (n == 0 || l.code != "smtp.no-quit"),
                    "round {round}: no lint on TLS bytes, no QUIT expected inside TLS: {l:?}"
                );
            }
        }
        // Runs are capped by the line limit: the last one takes the rest.
        let mut many = HEAD.to_vec();
        for i in 0..50 {
            many.extend(record(22, &handshake(if i % 2 == 0 { 1 } else { 2 }, b"x")));
        }
        let lines = tls::opaque_runs(&many, HEAD.len(), many.len(), 10);
        assert_eq!(lines.len(), 10);
        assert_eq!(lines.last().map(|l| l.span.end), Some(many.len()));
    }
}
