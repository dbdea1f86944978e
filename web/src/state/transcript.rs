//! Transcript view-models: the rows of an annotated transcript (what the core's
//! [`annotate`](mailscope_core::smtp::transcript::annotate) says about each line) and the
//! import/export of transcripts. No protocol logic: every reading comes from the core.

use mailscope_core::lint::Lint;
use mailscope_core::smtp::auth::DecodedAuth;
use mailscope_core::smtp::transcript::{
    AnnotateOptions, AnnotatedTranscript, Direction, Entry, Format, IgnoredLine, Parsed,
    SessionState, Transcript, TranscriptLine, SECRET_MASK,
};
use mailscope_core::span::Span;
use serde::{Deserialize, Serialize};

use super::error::UserError;
use super::i18n::{key, tr, trf, Lang};

/// Most characters of an entry's wire bytes shown in a row (message content can be large).
pub const MAX_ROW_WIRE_CHARS: usize = 4000;

/// One row of the transcript pane.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// `C:` or `S:`.
    pub direction: Direction,
    /// Milliseconds since the session started, when known (live sessions).
    pub at_ms: Option<u64>,
    /// The bytes as sent, with CR and LF shown as `␍` and `␊` (followed by a real line break).
    pub wire: String,
    /// What the core read it as: "command MAIL", "reply 250", "message", …
    pub kind: String,
    /// The core's explanation, with RFC sections.
    pub explanation: String,
    /// Further explanations: reply code meaning, enhanced status code, capabilities, sizes.
    pub details: Vec<Detail>,
    /// "ready → mail".
    pub state: String,
    /// Findings on this entry.
    pub lints: Vec<Lint>,
    /// An AUTH exchange decoded by the core (on the AUTH line): user, password (masked unless
    /// the reader asked), the server's challenges, the CRAM-MD5 digest.
    pub auth: Option<DecodedAuth>,
    /// Sent inside TLS.
    pub tls: bool,
}

/// One further explanation of a transcript entry.
#[derive(Debug, Clone, PartialEq)]
pub enum Detail {
    /// A sentence of the core's tables (a reply code's meaning, an enhanced status code, a
    /// capability), which the core translates
    /// ([`explain`](mailscope_core::i18n::explain)).
    Core(String),
    /// A template of this crate's text ([`key`]) with its values, shown with [`trf`].
    Text {
        /// The English template.
        template: &'static str,
        /// The value of each hole.
        args: Vec<(&'static str, String)>,
    },
}

impl Detail {
    /// The detail in `lang`.
    pub fn shown(&self, lang: Lang) -> String {
        match self {
            Detail::Core(s) => mailscope_core::i18n::explain(lang, s),
            Detail::Text { template, args } => {
                let args: Vec<(&str, &dyn std::fmt::Display)> = args
                    .iter()
                    .map(|(n, v)| (*n, v as &dyn std::fmt::Display))
                    .collect();
                trf(lang, template, &args)
            }
        }
    }
}

/// The prefix for a direction, as in RFC 5321 Appendix D.
pub fn direction_marker(direction: Direction) -> &'static str {
    match direction {
        Direction::Client => "C:",
        Direction::Server => "S:",
    }
}

/// A session state in the words the transcript uses (`kebab-case`, as in the JSON).
pub fn state_name(state: SessionState) -> &'static str {
    mailscope_core::i18n::session_state(mailscope_core::i18n::Lang::En, state)
}

/// Shows bytes with visible line endings: `␍` for CR, `␊` for LF (then a line break), `·` for
/// other control bytes except TAB. At most `max` characters; the rest is summarised.
pub fn visible_wire(bytes: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    for (count, ch) in text.chars().enumerate() {
        if count >= max {
            let shown: usize = text.chars().take(max).map(char::len_utf8).sum();
            out.push_str(&format!(
                "… ({} more bytes)",
                bytes.len().saturating_sub(shown)
            ));
            break;
        }
        match ch {
            '\r' => out.push('␍'),
            '\n' => out.push_str("␊\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => out.push('·'),
            c => out.push(c),
        }
    }
    out
}

fn kind_and_details(entry: &Entry) -> (String, Vec<Detail>) {
    match &entry.parsed {
        Parsed::Command { command } => (format!("command {}", command.verb()), Vec::new()),
        Parsed::Reply {
            reply,
            enhanced,
            code,
            capabilities,
        } => {
            let mut details = vec![Detail::Core(code.to_string())];
            if let Some(e) = enhanced {
                details.push(Detail::Core(e.explain()));
            }
            if let Some(caps) = capabilities {
                for c in &caps.entries {
                    details.push(Detail::Core(format!(
                        "{}: {} ({})",
                        c.capability.keyword(),
                        c.capability.explain(),
                        c.capability.reference()
                    )));
                }
            }
            (format!("reply {}", reply.code), details)
        }
        Parsed::Message {
            octets,
            lines,
            terminated,
        } => (
            "message".into(),
            vec![Detail::Text {
                template: if *terminated {
                    key("{octets} octets in {lines} lines")
                } else {
                    key("{octets} octets in {lines} lines, not terminated by a . line")
                },
                args: vec![("octets", octets.to_string()), ("lines", lines.to_string())],
            }],
        ),
        Parsed::Chunk { size, octets } => (
            "BDAT chunk".into(),
            vec![Detail::Text {
                template: key("{octets} of {size} announced octets"),
                args: vec![("octets", octets.to_string()), ("size", size.to_string())],
            }],
        ),
        Parsed::SaslResponse { .. } => ("SASL response".into(), Vec::new()),
        Parsed::Tls { octets } => (
            "TLS records".into(),
            vec![Detail::Text {
                template: key("{octets} octets, encrypted"),
                args: vec![("octets", octets.to_string())],
            }],
        ),
        Parsed::Invalid { error } => ("invalid".into(), vec![Detail::Core(error.clone())]),
    }
}

/// The rows of `annotated`, whose spans index `input`; `time_at(offset)` gives the time of the
/// byte at `offset` when known. Lints about the whole dialogue are not in any row (see
/// [`AnnotatedTranscript::lints`]).
pub fn rows(
    annotated: &AnnotatedTranscript,
    input: &[u8],
    time_at: impl Fn(usize) -> Option<u64>,
) -> Vec<Row> {
    annotated
        .entries
        .iter()
        .map(|entry| {
            // A raw capture shows its bytes as they were; in the S:/C: and swaks forms the
            // markers and the file's line endings are not protocol, and each line is taken to
            // have ended in CRLF on the wire (see `TranscriptLine::wire`).
            // An AUTH secret the reader has not asked to see is shown as the core masked it,
            // in every form: its base64 on the wire would give it away.
            let masked = !annotated.secrets_revealed && entry.text.contains(SECRET_MASK);
            let wire = if let Parsed::Tls { .. } = entry.parsed {
                // Encrypted records: the core's summary, not the binary bytes.
                entry.text.as_bytes().to_vec()
            } else if annotated.format == Format::Raw && !masked {
                input
                    .get(entry.span.start..entry.span.end)
                    .unwrap_or_default()
                    .to_vec()
            } else {
                entry
                    .text
                    .split('\n')
                    .flat_map(|l| [l.as_bytes(), b"\r\n"])
                    .flatten()
                    .copied()
                    .collect()
            };
            let (kind, details) = kind_and_details(entry);
            Row {
                direction: entry.direction,
                at_ms: time_at(entry.span.start),
                wire: visible_wire(&wire, MAX_ROW_WIRE_CHARS),
                kind,
                explanation: entry.explanation.clone(),
                details,
                state: format!(
                    "{} → {}",
                    state_name(entry.state_before),
                    state_name(entry.state_after)
                ),
                lints: entry.lints.clone(),
                auth: entry.auth.clone(),
                tls: entry.tls,
            }
        })
        .collect()
}

/// For each row, the earlier row whose explanation it repeats word for word (the first one
/// that said it), so the table shows a text in full once and folds its repeats.
pub fn repeated_explanations(rows: &[Row]) -> Vec<Option<usize>> {
    let mut first: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    rows.iter()
        .enumerate()
        .map(|(i, row)| {
            if row.explanation.is_empty() {
                return None;
            }
            match first.get(row.explanation.as_str()) {
                Some(&earlier) => Some(earlier),
                None => {
                    first.insert(&row.explanation, i);
                    None
                }
            }
        })
        .collect()
}

/// A transcript as `S:`/`C:` text (RFC 5321 Appendix D style), one protocol line per line.
/// Lines inside TLS are marked the same way; reading it back gives the same dialogue.
pub fn export_text(transcript: &Transcript) -> String {
    let mut out = String::new();
    for line in &transcript.lines {
        out.push_str(direction_marker(line.direction));
        out.push(' ');
        out.push_str(&line.text);
        out.push('\n');
    }
    out
}

/// The versioned JSON document of the core ([`AnnotatedTranscript::to_json`]), pretty-printed.
/// Written by the worker ([`ExportSource`]): the page links no JSON writer for it.
pub fn export_json(annotated: &AnnotatedTranscript) -> String {
    serde_json::to_string_pretty(&annotated.to_json()).unwrap_or_else(|e| e.to_string())
}

/// Reads transcript text the way the import panel does: as `format`, or detected when `None`;
/// with the lines that were not read (neither blank, protocol nor swaks information).
pub fn read_text(input: &[u8], format: Option<Format>) -> (Transcript, Vec<IgnoredLine>) {
    match format {
        Some(format) => Transcript::parse_as_with_ignored(input, format),
        None => Transcript::parse_with_ignored(input),
    }
}

/// The core's reading of a transcript with the lines it ignored listed (as `mailscope
/// transcript --json` gives them).
/// AUTH secrets stay masked unless `reveal_secrets`.
fn annotate_read(
    (transcript, ignored): (Transcript, Vec<IgnoredLine>),
    reveal_secrets: bool,
) -> AnnotatedTranscript {
    let mut annotated = transcript.annotate_with(&AnnotateOptions { reveal_secrets });
    annotated.ignored = ignored;
    annotated
}

/// Reads a session's wire back the way the Session view does: each chunk (a write, with its
/// span in `wire`, who wrote it and whether inside TLS) is split into lines by the core (raw
/// form) and given its known direction.
pub fn read_wire(wire: &[u8], chunks: &[(Span, Direction, bool)]) -> Transcript {
    let mut lines: Vec<TranscriptLine> = Vec::new();
    for &(span, direction, tls) in chunks {
        let part = Transcript::parse_as(span.slice(wire), Format::Raw);
        for mut line in part.lines {
            line.direction = direction;
            line.tls = tls;
            line.span = Span::new(line.span.start + span.start, line.span.end + span.start);
            line.content = Span::new(
                line.content.start + span.start,
                line.content.end + span.start,
            );
            lines.push(line);
        }
    }
    Transcript {
        format: Format::Raw,
        lines,
        skipped: 0,
        truncated: false,
        open: false,
    }
}

/// What a transcript's versioned JSON export is made from. The page does not write that JSON
/// (its writer would be ≈ 9 KB gzip of the page's wasm): "Export JSON" sends this to the
/// worker (`services::worker::export_json`), which reads the transcript again
/// exactly as the page did ([`read_text`], [`read_wire`]) and writes the document
/// ([`ExportSource::json`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ExportSource {
    /// Imported text, read as `format` (detected when `None`).
    Text {
        /// The text as pasted or opened.
        input: Vec<u8>,
        /// The form chosen.
        format: Option<Format>,
    },
    /// A session's wire bytes and its writes (span, direction, inside TLS).
    Wire {
        /// Every byte written, both ways, in order.
        wire: Vec<u8>,
        /// The writes.
        chunks: Vec<(Span, Direction, bool)>,
    },
}

impl ExportSource {
    /// The transcript it describes, read as the page read it.
    pub fn transcript(&self) -> Transcript {
        self.read().0
    }

    fn read(&self) -> (Transcript, Vec<IgnoredLine>) {
        match self {
            ExportSource::Text { input, format } => read_text(input, *format),
            ExportSource::Wire { wire, chunks } => (read_wire(wire, chunks), Vec::new()),
        }
    }

    /// The versioned JSON document (AUTH secrets masked, as `mailscope transcript --json`
    /// without `--show-secrets`).
    pub fn json(&self) -> String {
        export_json(&annotate_read(self.read(), false))
    }
}

/// The transcript import panel.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImportModel {
    /// The pasted or dropped transcript.
    pub input: Vec<u8>,
    /// The form to read it as; `None` detects it.
    pub format: Option<Format>,
    /// Where the input came from (a file name, or "pasted").
    pub source: String,
    /// The core's reading of the input.
    pub annotated: Option<AnnotatedTranscript>,
    /// The lines read, for the text export.
    pub transcript: Option<Transcript>,
    /// Show AUTH secrets decoded and as sent.
    pub reveal_secrets: bool,
}

/// What the import panel can do.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportAction {
    /// The text area changed.
    Paste(String),
    /// A file was dropped or opened.
    File {
        /// Its name.
        name: String,
        /// Its bytes.
        bytes: Vec<u8>,
    },
    /// Choose the form (`None`: detect).
    SetFormat(Option<Format>),
    /// Show or mask AUTH secrets.
    RevealSecrets(bool),
    /// Forget the input.
    Clear,
}

impl ImportModel {
    /// Applies `action` and re-reads the input.
    pub fn apply(&mut self, action: ImportAction) {
        match action {
            ImportAction::Paste(text) => {
                self.input = text.into_bytes();
                self.source = key("pasted").into();
            }
            ImportAction::File { name, bytes } => {
                self.input = bytes;
                self.source = name;
            }
            ImportAction::SetFormat(format) => self.format = format,
            ImportAction::RevealSecrets(on) => self.reveal_secrets = on,
            ImportAction::Clear => {
                *self = ImportModel {
                    format: self.format,
                    reveal_secrets: self.reveal_secrets,
                    ..ImportModel::default()
                };
                return;
            }
        }
        self.reread();
    }

    fn reread(&mut self) {
        if self.input.iter().all(u8::is_ascii_whitespace) {
            self.annotated = None;
            self.transcript = None;
            return;
        }
        let (transcript, ignored) = read_text(&self.input, self.format);
        self.annotated = Some(annotate_read(
            (transcript.clone(), ignored),
            self.reveal_secrets,
        ));
        self.transcript = Some(transcript);
    }

    /// What its JSON export is made from.
    pub fn export_source(&self) -> ExportSource {
        ExportSource::Text {
            input: self.input.clone(),
            format: self.format,
        }
    }

    /// The rows of the imported transcript.
    pub fn rows(&self) -> Vec<Row> {
        self.annotated
            .as_ref()
            .map(|a| rows(a, &self.input, |_| None))
            .unwrap_or_default()
    }

    /// Every lint code found, entries and whole dialogue, in input order.
    pub fn lint_codes(&self) -> Vec<String> {
        self.annotated
            .as_ref()
            .map(|a| a.all_lints().iter().map(|l| l.code.to_string()).collect())
            .unwrap_or_default()
    }
}

/// The name of a transcript form, for the format picker.
pub fn format_name(format: Format) -> &'static str {
    match format {
        Format::Prefixed => "S:/C:",
        Format::Swaks => "swaks",
        Format::Raw => key("raw"),
    }
}

/// What can go wrong importing or exporting a transcript, as the reader is told it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TranscriptError {
    /// The browser could not read the file that was opened or dropped.
    Unreadable {
        /// The file's name.
        name: String,
    },
    /// What was dropped holds neither a file nor text.
    NothingDropped,
    /// The browser did not start the download.
    DownloadFailed,
    /// The JSON export could not be written.
    ExportFailed,
}

impl UserError for TranscriptError {
    fn what(&self, lang: Lang) -> String {
        match self {
            TranscriptError::Unreadable { name } => {
                trf(lang, "Could not read {name}.", &[("name", name)])
            }
            TranscriptError::NothingDropped => {
                tr(lang, "Nothing to read in what was dropped.").into()
            }
            TranscriptError::DownloadFailed => {
                tr(lang, "The browser did not start the download.").into()
            }
            TranscriptError::ExportFailed => {
                tr(lang, "The JSON export could not be written.").into()
            }
        }
    }

    fn next_step(&self, lang: Lang) -> String {
        match self {
            TranscriptError::Unreadable { .. } => tr(
                lang,
                "Check that the file still exists and can be opened, or paste its text instead.",
            ),
            TranscriptError::NothingDropped => tr(
                lang,
                "Drop a text file or selected text, or paste the transcript.",
            ),
            TranscriptError::DownloadFailed => tr(
                lang,
                "Allow downloads for this page in the browser, then press the button again.",
            ),
            TranscriptError::ExportFailed => tr(
                lang,
                "Reload the page and press Export JSON again, or use Export S:/C: text.",
            ),
        }
        .to_string()
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    const DIALOGUE: &str = "S: 220 mx.example.org ESMTP\nC: EHLO client.example\nS: 250-mx.example.org\nS: 250-PIPELINING\nS: 250 ENHANCEDSTATUSCODES\nC: MAIL FROM:<a@example.org>\nS: 250 2.1.0 Ok\nC: QUIT\nS: 221 2.0.0 Bye\n";

    #[test]
    fn a_repeated_explanation_points_at_the_first_row_that_gave_it() {
        let (transcript, _) = read_text(
            b"S: 220 mx ESMTP\nC: EHLO c\nS: 250 mx\nC: MAIL FROM:<a@x.org>\nS: 250 2.1.0 Ok\n\
              C: RCPT TO:<b@x.org>\nS: 250 2.1.5 Ok\nC: RCPT TO:<c@x.org>\nS: 250 2.1.5 Ok\n",
            None,
        );
        let annotated = transcript.annotate();
        let rows = rows(&annotated, &[], |_| None);
        let repeats = repeated_explanations(&rows);
        assert_eq!(repeats.len(), rows.len());
        assert_eq!(repeats[..6], [None; 6], "{rows:#?}");
        assert_eq!(
            repeats[7],
            Some(5),
            "the second RCPT: {:?}",
            rows[7].explanation
        );
        assert_eq!(
            repeats[8],
            Some(6),
            "its 250 2.1.5: {:?}",
            rows[8].explanation
        );
        let blank = Row {
            explanation: String::new(),
            ..rows[0].clone()
        };
        assert_eq!(repeated_explanations(&[blank.clone(), blank]), [None, None]);
    }

    #[test]
    fn visible_wire_marks_line_endings() {
        let cases: [(&[u8], usize, &str); 4] = [
            (b"EHLO x\r\n", 100, "EHLO x␍␊\n"),
            (b"bare\n", 100, "bare␊\n"),
            (b"a\x00b", 100, "a·b"),
            (b"abcdef", 3, "abc… (3 more bytes)"),
        ];
        for (input, max, want) in cases {
            assert_eq!(visible_wire(input, max), want, "input {input:?}");
        }
    }

    /// An imported AUTH LOGIN exchange is decoded under its AUTH line; the password (and its
    /// base64 line) stays masked until the reader asks, the user name is shown.
    #[test]
    fn imported_auth_is_decoded_and_its_secret_masked_until_asked() {
        let mut m = ImportModel::default();
        m.apply(ImportAction::Paste(
            "S: 220 mx ESMTP\nC: EHLO c\nS: 250 AUTH LOGIN\nC: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\n\
             C: YWxpY2U=\nS: 334 UGFzc3dvcmQ6\nC: d29uZGVybGFuZA==\nS: 235 2.7.0 ok\nC: QUIT\nS: 221 bye\n"
                .into(),
        ));
        let auth = |m: &ImportModel| {
            m.rows()
                .into_iter()
                .find_map(|r| r.auth)
                .expect("the AUTH line carries the decoded exchange")
        };
        let masked = auth(&m);
        assert_eq!(masked.authcid.as_deref(), Some("alice"));
        assert_eq!(masked.challenges, ["Username:", "Password:"]);
        let shown = format!("{:?}", m.rows());
        assert!(
            !shown.contains("wonderland") && !shown.contains("d29uZGVybGFuZA=="),
            "{shown}"
        );
        m.apply(ImportAction::RevealSecrets(true));
        assert_eq!(auth(&m).password.as_deref(), Some("wonderland"));
        assert!(format!("{:?}", m.rows()).contains("d29uZGVybGFuZA=="));
    }

    /// Bug: a transcript import dropped unreadable lines silently. They are listed, with their
    /// line numbers, in the import and in its JSON export.
    #[test]
    fn lines_that_were_not_read_are_listed() {
        let mut m = ImportModel::default();
        m.apply(ImportAction::Paste(
            "S: 220 x\nthis is not protocol\nC: EHLO c\nS 250 no colon\nS: 250 x\nC: QUIT\nS: 221 bye\n".into(),
        ));
        let ignored: Vec<(usize, &str)> = m
            .annotated
            .as_ref()
            .map(|a| {
                a.ignored
                    .iter()
                    .map(|l| (l.line, l.text.as_str()))
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(
            ignored,
            [(2, "this is not protocol"), (4, "S 250 no colon")]
        );
        let json: serde_json::Value = serde_json::from_str(&m.export_source().json()).unwrap();
        assert_eq!(json["ignored"][1]["line"], 4, "{json}");
    }

    #[test]
    fn imported_dialogue_becomes_rows() {
        let mut m = ImportModel::default();
        m.apply(ImportAction::Paste(DIALOGUE.into()));
        let rows = m.rows();
        let kinds: Vec<&str> = rows.iter().map(|r| r.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "reply 220",
                "command EHLO",
                "reply 250",
                "command MAIL",
                "reply 250",
                "command QUIT",
                "reply 221"
            ],
            "rows"
        );
        let ehlo = &rows[2];
        assert!(
            ehlo.details
                .iter()
                .any(|d| d.shown(Lang::En).starts_with("PIPELINING")),
            "capabilities explained: {:?}",
            ehlo.details
        );
        assert!(
            rows[4]
                .details
                .iter()
                .any(|d| d.shown(Lang::En).starts_with("2.1.0")),
            "enhanced code explained: {:?}",
            rows[4].details
        );
        assert_eq!(rows[3].state, "ready → mail");
        assert_eq!(
            rows[3].wire, "MAIL FROM:<a@example.org>␍␊\n",
            "S:/C: lines are shown as their wire form, without the marker"
        );
        assert!(m.lint_codes().is_empty(), "clean: {:?}", m.lint_codes());
    }

    #[test]
    fn defects_show_their_lint_codes() {
        let mut m = ImportModel::default();
        m.apply(ImportAction::Paste(
            "S: 220 mx\nC: EHLO c\nS: 250 mx\nC: RCPT TO:<b@example.org>\nS: 503 5.5.1 need MAIL\nC: QUIT\nS: 221 bye\n".into(),
        ));
        let codes = m.lint_codes();
        assert!(
            codes.iter().any(|c| c == "smtp.out-of-sequence"),
            "RCPT before MAIL: {codes:?}"
        );
        m.apply(ImportAction::File {
            name: "raw.txt".into(),
            bytes: b"220 mx\r\nEHLO c\n250 mx\r\nQUIT\r\n221 bye\r\n".to_vec(),
        });
        assert_eq!(m.source, "raw.txt");
        assert!(
            m.lint_codes().iter().any(|c| c == "smtp.bare-lf"),
            "bare LF in a raw capture: {:?}",
            m.lint_codes()
        );
        m.apply(ImportAction::Clear);
        assert!(m.annotated.is_none() && m.input.is_empty(), "cleared");
    }

    #[test]
    fn export_round_trips_through_the_importer() {
        let t = Transcript::parse(DIALOGUE.as_bytes());
        let text = export_text(&t);
        assert_eq!(text, DIALOGUE, "S:/C: export");
        let json = export_json(&t.annotate());
        let value: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
        assert_eq!(value["version"], 1, "versioned: {json}");
        assert_eq!(value["entries"].as_array().map(Vec::len), Some(7));
    }

    #[test]
    fn the_worker_writes_the_json_of_what_the_import_panel_shows() {
        let swaks = "=== Trying mx.example.org:25...\n<-  220 mx.example.org ESMTP\n -> EHLO c\n<-  250 mx.example.org\n -> QUIT\n<-  221 Bye\n";
        for (input, format) in [
            (DIALOGUE, None),
            (DIALOGUE, Some(Format::Prefixed)),
            (swaks, None),
            (swaks, Some(Format::Raw)),
        ] {
            let mut m = ImportModel::default();
            m.apply(ImportAction::Paste(input.into()));
            m.apply(ImportAction::SetFormat(format));
            let shown = m.annotated.as_ref().map(export_json).expect("read");
            let source = crate::state::binary::decode::<ExportSource>(
                &crate::state::binary::encode(&m.export_source()).expect("encodes"),
            )
            .expect("decodes");
            assert_eq!(source.json(), shown, "{format:?} of {input:?}");
        }
    }

    #[test]
    fn garbage_never_panics() {
        let mut m = ImportModel::default();
        let mut seed = 7u64;
        for _ in 0..50 {
            let bytes: Vec<u8> = (0..512)
                .map(|_| {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
                    (seed >> 33) as u8
                })
                .collect();
            m.apply(ImportAction::File {
                name: "x".into(),
                bytes,
            });
            let _ = m.rows();
        }
        m.apply(ImportAction::Paste("   \n".into()));
        assert!(m.annotated.is_none(), "blank input reads as nothing");
    }
    #[test]
    fn import_and_export_errors_say_what_to_do() {
        crate::state::i18n::ready_for_tests(Lang::Ko);
        let unreadable = TranscriptError::Unreadable {
            name: "capture.log".into(),
        };
        assert!(unreadable.what(Lang::Ko).contains("capture.log"));
        for e in [
            unreadable,
            TranscriptError::NothingDropped,
            TranscriptError::DownloadFailed,
            TranscriptError::ExportFailed,
        ] {
            assert_ne!(e.what(Lang::En), e.what(Lang::Ko), "{e:?}");
            assert_ne!(e.next_step(Lang::En), e.next_step(Lang::Ko), "{e:?}");
        }
    }
}
