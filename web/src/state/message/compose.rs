//! The composer: form fields in, the core's [`MessageBuilder`] out, optionally signed with
//! DKIM in the worker ([`super::sign`]), and the produced bytes laid out line by line with
//! encoded-words, folds and CR LF made visible.

use std::rc::Rc;

use mailscope_core::mime::address::parse_address_list;
use mailscope_core::mime::build::{Attachment, MessageBuilder, NameAddr};
use mailscope_core::mime::encoded_word::decode_unstructured;
use mailscope_core::mime::parse::parse_message;
use mailscope_core::span::Span;

use crate::state::message::inspect::{line_starts, marked_segments, Segment};
use crate::state::message::sign::{DkimForm, SignRequest, Signed};
use crate::worker::protocol::{JobError, WorkerError};

/// Lines of the produced message shown before "show all".
pub const WIRE_LINES: usize = 300;

/// A text field of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComposeField {
    /// From (an address list).
    From,
    /// To.
    To,
    /// Cc.
    Cc,
    /// Subject.
    Subject,
    /// The plain-text body.
    Text,
    /// The HTML body.
    Html,
    /// The DKIM signing domain (`d=`).
    DkimDomain,
    /// The DKIM selector (`s=`).
    DkimSelector,
    /// The DKIM private key, PEM.
    DkimKey,
}

/// A signature the worker made (or refused to make), with what it was made for.
#[derive(Debug, Clone, PartialEq)]
pub struct SignedOutput {
    /// The built message it signs.
    pub message: Rc<Vec<u8>>,
    /// How it was asked for.
    pub request: SignRequest,
    /// The signature, or why there is none.
    pub result: Result<Signed, WorkerError>,
}

/// Where signing stands for the current message.
#[derive(Debug, Clone, PartialEq)]
pub enum Signing<'a> {
    /// Signing is off.
    Off,
    /// The worker is signing (or the message is not built yet).
    Busy,
    /// Signed.
    Done(&'a Signed),
    /// Not signed, and why (a field the page can check, the key, or the worker).
    Failed(WorkerError),
}

/// The composer's state.
#[derive(Debug, Clone, PartialEq)]
pub struct ComposeForm {
    /// From, as typed (`Name <addr>`, comma-separated).
    pub from: String,
    /// To.
    pub to: String,
    /// Cc.
    pub cc: String,
    /// Subject.
    pub subject: String,
    /// Plain text.
    pub text: String,
    /// HTML.
    pub html: String,
    /// Attached files (shared, so the state clones cheaply).
    pub attachments: Vec<Rc<Attachment>>,
    /// Sign with DKIM.
    pub dkim: DkimForm,
    /// The last build: the bytes, or why it failed.
    pub output: Option<Result<Rc<Vec<u8>>, String>>,
    /// The last signature the worker answered with.
    pub signed: Option<Rc<SignedOutput>>,
    /// Whether every line of the output is shown.
    pub show_all: bool,
}

impl Default for ComposeForm {
    fn default() -> Self {
        ComposeForm {
            from: "김철수 <chulsoo@example.kr>".into(),
            to: "Zoë Müller <zoe@example.org>".into(),
            cc: String::new(),
            subject: "안녕하세요 — a test from Mailscope".into(),
            text: "Hello! 안녕하세요.\nThis message was composed in Mailscope.\n".into(),
            html: String::new(),
            attachments: Vec::new(),
            dkim: DkimForm::default(),
            output: None,
            signed: None,
            show_all: false,
        }
    }
}

/// Changes to the form.
#[derive(Debug, Clone, PartialEq)]
pub enum ComposeAction {
    /// A text field changed.
    Set(ComposeField, String),
    /// A file was attached.
    Attach(Rc<Attachment>),
    /// Remove the attachment at an index.
    Detach(usize),
    /// Sign with DKIM, or not.
    SignWithDkim(bool),
    /// The result of a build.
    Built(Result<Rc<Vec<u8>>, String>),
    /// The worker's answer to a signing request.
    Signed(Rc<SignedOutput>),
    /// Show every line of the output.
    ShowAll,
}

/// Reads a typed address list with the core's RFC 5322 parser.
pub fn addresses(typed: &str) -> Vec<NameAddr> {
    if typed.trim().is_empty() {
        return Vec::new();
    }
    parse_address_list(typed.as_bytes())
        .mailboxes()
        .into_iter()
        .map(|m| NameAddr {
            name: m.name.clone(),
            address: m.address.clone(),
        })
        .collect()
}

/// A composed message with the envelope to send it with: MAIL FROM is the first From address,
/// RCPT TO every To and Cc address (each once). Handed to the Session view, which sends it to
/// the sandbox through the relay so the whole SMTP dialogue is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// MAIL FROM.
    pub from: String,
    /// RCPT TO, in order.
    pub rcpts: Vec<String>,
    /// The message as built (CRLF line ends; the client dot-stuffs it).
    pub message: Vec<u8>,
}

fn non_empty(s: &str) -> Option<String> {
    (!s.trim().is_empty()).then(|| s.to_string())
}

impl ComposeForm {
    /// The domain of the first From address.
    pub fn from_domain(&self) -> Option<String> {
        let from = addresses(&self.from).into_iter().next()?.address;
        let (_, domain) = from.rsplit_once('@')?;
        (!domain.is_empty()).then(|| domain.to_string())
    }

    /// The built message and how to sign it, when signing is on and the fields are complete:
    /// what the worker is asked. `timestamp` is `t=`.
    pub fn sign_job(&self, timestamp: Option<u64>) -> Option<(Rc<Vec<u8>>, SignRequest)> {
        if !self.dkim.on {
            return None;
        }
        let built = self.output.as_ref()?.as_ref().ok()?.clone();
        let request = self
            .dkim
            .request(self.from_domain().as_deref(), timestamp)
            .ok()?;
        Some((built, request))
    }

    /// Where signing stands for the message as built now (an answer for another message or
    /// other fields is stale: still busy).
    pub fn signing(&self) -> Signing<'_> {
        if !self.dkim.on {
            return Signing::Off;
        }
        let request = match self.dkim.request(self.from_domain().as_deref(), None) {
            Ok(request) => request,
            Err(e) => return Signing::Failed(WorkerError::Job(JobError::Sign(e))),
        };
        let built = match &self.output {
            Some(Ok(built)) => built,
            _ => return Signing::Busy,
        };
        match &self.signed {
            Some(s) if s.message == *built && s.request.same_signer(&request) => match &s.result {
                Ok(signed) => Signing::Done(signed),
                Err(e) => Signing::Failed(e.clone()),
            },
            _ => Signing::Busy,
        }
    }

    /// The message that Download, Inspect, Share and Send use: as built, or with its
    /// DKIM-Signature on top when signing is on (`None` until it is signed).
    pub fn message(&self) -> Option<Rc<Vec<u8>>> {
        let built = self.output.as_ref()?.as_ref().ok()?;
        match self.signing() {
            Signing::Off => Some(built.clone()),
            Signing::Done(signed) => {
                let mut bytes = signed.field.clone().into_bytes();
                bytes.extend_from_slice(built);
                Some(Rc::new(bytes))
            }
            Signing::Busy | Signing::Failed(_) => None,
        }
    }

    /// What "Send to the sandbox" hands over: `None` until the message is built (and signed,
    /// when asked) and has a sender and at least one recipient.
    pub fn outgoing(&self) -> Option<Outgoing> {
        let message = self.message()?.to_vec();
        let from = addresses(&self.from).into_iter().next()?.address;
        let mut rcpts: Vec<String> = Vec::new();
        for a in addresses(&self.to).into_iter().chain(addresses(&self.cc)) {
            if !rcpts.contains(&a.address) {
                rcpts.push(a.address);
            }
        }
        (!rcpts.is_empty()).then_some(Outgoing {
            from,
            rcpts,
            message,
        })
    }

    /// Applies an action.
    pub fn reduce(&mut self, action: ComposeAction) {
        match action {
            ComposeAction::Set(field, value) => {
                let slot = match field {
                    ComposeField::From => &mut self.from,
                    ComposeField::To => &mut self.to,
                    ComposeField::Cc => &mut self.cc,
                    ComposeField::Subject => &mut self.subject,
                    ComposeField::Text => &mut self.text,
                    ComposeField::Html => &mut self.html,
                    ComposeField::DkimDomain => &mut self.dkim.domain,
                    ComposeField::DkimSelector => &mut self.dkim.selector,
                    ComposeField::DkimKey => &mut self.dkim.key,
                };
                *slot = value;
            }
            ComposeAction::SignWithDkim(on) => self.dkim.on = on,
            ComposeAction::Signed(signed) => self.signed = Some(signed),
            ComposeAction::Attach(a) => self.attachments.push(a),
            ComposeAction::Detach(i) => {
                if i < self.attachments.len() {
                    self.attachments.remove(i);
                }
            }
            ComposeAction::Built(result) => {
                self.output = Some(result);
                self.show_all = false;
            }
            ComposeAction::ShowAll => self.show_all = true,
        }
    }

    /// The builder for this form, with the Date and Message-ID the caller supplies.
    pub fn builder(&self, date: String, message_id: String) -> MessageBuilder {
        MessageBuilder {
            from: addresses(&self.from),
            to: addresses(&self.to),
            cc: addresses(&self.cc),
            subject: non_empty(&self.subject),
            date,
            message_id,
            text: non_empty(&self.text),
            html: non_empty(&self.html),
            attachments: self.attachments.iter().map(|a| (**a).clone()).collect(),
            headers: Vec::new(),
        }
    }

    /// The inputs of a build (the form without its output and signing), to rebuild when they
    /// change.
    pub fn inputs(&self) -> ComposeForm {
        ComposeForm {
            dkim: DkimForm::default(),
            output: None,
            signed: None,
            show_all: false,
            ..self.clone()
        }
    }

    /// Builds the message with the core; the error is shown as text.
    pub fn build(&self, date: String, message_id: String, seed: u64) -> Result<Vec<u8>, String> {
        self.builder(date, message_id)
            .build(seed)
            .map_err(|e| e.to_string())
    }
}

/// One line of produced bytes, ready to draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireLine {
    /// Line number (1-based).
    pub number: usize,
    /// Whether this line continues a folded header field.
    pub fold: bool,
    /// The pieces; `highlighted` marks encoded-words.
    pub segments: Vec<Segment>,
}

/// Lays out a message as lines, marking folds and the encoded-words the core finds in every
/// header field. At most `limit` lines.
pub fn wire_lines(bytes: &[u8], limit: usize) -> Vec<WireLine> {
    let msg = parse_message(bytes);
    let mut words: Vec<Span> = Vec::new();
    let mut headers: Vec<Span> = Vec::new();
    for e in &msg.entities {
        headers.push(e.header.span);
        for f in &e.header.fields {
            let decoded = decode_unstructured(f.raw_value(bytes));
            words.extend(decoded.words.iter().map(|w| w.span.shift(f.value.start)));
        }
    }
    let starts = line_starts(bytes);
    starts
        .iter()
        .enumerate()
        .take(limit)
        .map(|(i, &start)| {
            let end = starts.get(i + 1).copied().unwrap_or(bytes.len());
            let span = Span::new(start, end);
            let in_header = headers.iter().any(|h| h.start <= start && start < h.end);
            let fold = in_header && matches!(bytes.get(start), Some(b' ' | b'\t'));
            let marks: Vec<Span> = words
                .iter()
                .filter(|w| w.start < end && w.end > start)
                .copied()
                .collect();
            WireLine {
                number: i + 1,
                fold,
                segments: marked_segments(bytes, span, &marks),
            }
        })
        .collect()
}

/// Number of lines in `bytes`.
pub fn line_count(bytes: &[u8]) -> usize {
    line_starts(bytes).len()
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    const DATE: &str = "Sun, 22 Nov 2026 18:00:00 +0000";

    #[test]
    fn the_default_form_builds_with_encoded_words() {
        let form = ComposeForm::default();
        let bytes = form
            .build(DATE.into(), "<1@mailscope.invalid>".into(), 7)
            .expect("builds");
        let text = String::from_utf8(bytes.clone()).expect("ascii");
        assert!(text.contains("Subject: =?"), "subject encoded: {text}");
        assert!(text.contains("\r\n"), "CRLF line ends");
        let lines = wire_lines(&bytes, usize::MAX);
        assert_eq!(lines.len(), line_count(&bytes));
        let subject = lines
            .iter()
            .find(|l| {
                l.segments
                    .first()
                    .is_some_and(|s| s.text.starts_with("Subject:"))
            })
            .expect("subject line");
        assert!(
            subject
                .segments
                .iter()
                .any(|s| s.highlighted && s.text.starts_with("=?")),
            "the encoded-word is marked: {subject:?}"
        );
        assert!(subject.segments.iter().any(|s| s.text == "CR"));
    }

    #[test]
    fn long_subjects_fold() {
        let mut form = ComposeForm::default();
        form.reduce(ComposeAction::Set(
            ComposeField::Subject,
            "한국어 제목이 아주 길어서 여러 줄로 접혀야 합니다 ".repeat(4),
        ));
        let bytes = form.build(DATE.into(), String::new(), 1).expect("builds");
        assert!(
            wire_lines(&bytes, usize::MAX).iter().any(|l| l.fold),
            "a folded line: {}",
            String::from_utf8_lossy(&bytes)
        );
        assert!(wire_lines(&bytes, 3).len() == 3, "limit respected");
    }

    #[test]
    fn attachments_make_multipart_and_errors_are_text() {
        let mut form = ComposeForm::default();
        form.reduce(ComposeAction::Attach(Rc::new(Attachment {
            filename: "보고서.pdf".into(),
            content_type: "application/pdf".into(),
            data: b"%PDF-1.4".to_vec(),
        })));
        form.reduce(ComposeAction::Set(ComposeField::Html, "<p>hi</p>".into()));
        let bytes = form.build(DATE.into(), String::new(), 3).expect("builds");
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("multipart/mixed"), "{text}");
        assert!(text.contains("filename*="), "RFC 2231 name: {text}");
        form.reduce(ComposeAction::Detach(5));
        form.reduce(ComposeAction::Detach(0));
        assert!(form.attachments.is_empty());
        form.reduce(ComposeAction::Set(ComposeField::From, String::new()));
        let err = form
            .build(DATE.into(), String::new(), 3)
            .expect_err("no From");
        assert!(!err.is_empty());
        form.reduce(ComposeAction::Built(Err(err.clone())));
        assert_eq!(form.output, Some(Err(err)));
        form.reduce(ComposeAction::ShowAll);
        assert!(form.show_all);
    }

    #[test]
    fn the_envelope_to_send_with_comes_from_the_header() {
        let mut form = ComposeForm::default();
        assert_eq!(form.outgoing(), None, "not built yet");
        form.reduce(ComposeAction::Set(
            ComposeField::From,
            "김철수 <kim@example.kr>".into(),
        ));
        form.reduce(ComposeAction::Set(
            ComposeField::To,
            "a@example.org, 이영희 <lee@example.kr>".into(),
        ));
        form.reduce(ComposeAction::Set(
            ComposeField::Cc,
            "a@example.org, c@example.net".into(),
        ));
        let built = form.build(DATE.into(), "<1@mailscope.invalid>".into(), 7);
        form.reduce(ComposeAction::Built(built.map(Rc::new)));
        let out = form
            .outgoing()
            .expect("built, with a sender and recipients");
        assert_eq!(out.from, "kim@example.kr");
        assert_eq!(
            out.rcpts,
            ["a@example.org", "lee@example.kr", "c@example.net"],
            "To then Cc, each once"
        );
        assert!(out.message.starts_with(b"From: "));
        form.reduce(ComposeAction::Set(ComposeField::To, String::new()));
        form.reduce(ComposeAction::Set(ComposeField::Cc, String::new()));
        assert_eq!(form.outgoing(), None, "no recipient");
    }

    #[test]
    fn a_signed_message_is_what_every_action_uses() {
        use crate::state::message::sign::{sign_message, test_key_pem, SignError};
        let mut form = ComposeForm::default();
        let built = Rc::new(
            form.build(DATE.into(), "<1@x.invalid>".into(), 7)
                .expect("builds"),
        );
        form.reduce(ComposeAction::Built(Ok(built.clone())));
        assert_eq!(form.signing(), Signing::Off);
        assert_eq!(form.message(), Some(built.clone()), "unsigned: as built");
        assert_eq!(form.sign_job(None), None, "nothing to sign");
        form.reduce(ComposeAction::SignWithDkim(true));
        let failed = |e| Signing::Failed(WorkerError::Job(JobError::Sign(e)));
        assert_eq!(
            form.signing(),
            failed(SignError::NoKey),
            "the From's domain is taken; the key is missing"
        );
        assert_eq!((form.message(), form.outgoing()), (None, None));
        let pem = test_key_pem(&[3; 32]).expect("PEM");
        form.reduce(ComposeAction::Set(ComposeField::DkimKey, pem));
        assert_eq!(form.signing(), Signing::Busy);
        let (message, request) = form.sign_job(Some(1_800_000_000)).expect("a job");
        assert_eq!(request.domain, "example.kr", "the From's domain");
        let result =
            sign_message(&message, &request).map_err(|e| WorkerError::Job(JobError::Sign(e)));
        let answer = Rc::new(SignedOutput {
            message,
            request,
            result,
        });
        form.reduce(ComposeAction::Signed(answer.clone()));
        let Signing::Done(signed) = form.signing() else {
            panic!("signed: {:?}", form.signing());
        };
        assert!(signed
            .record
            .starts_with("mailscope._domainkey.example.kr. IN TXT"));
        let bytes = form.message().expect("the signed message");
        assert!(bytes.starts_with(b"DKIM-Signature: v=1;"));
        assert!(bytes.ends_with(&built));
        assert_eq!(
            form.outgoing().map(|o| o.message),
            Some(bytes.to_vec()),
            "the sandbox gets the signed message"
        );
        // Another selector: the answer is stale until the worker signs again.
        form.reduce(ComposeAction::Set(ComposeField::DkimSelector, "s2".into()));
        assert_eq!(form.signing(), Signing::Busy);
        form.reduce(ComposeAction::Set(
            ComposeField::DkimSelector,
            "mailscope".into(),
        ));
        assert!(matches!(form.signing(), Signing::Done(_)));
        // A From without a domain and no domain typed.
        form.reduce(ComposeAction::Set(ComposeField::From, "nobody".into()));
        assert_eq!(form.signing(), failed(SignError::NoDomain));
        form.reduce(ComposeAction::SignWithDkim(false));
        assert_eq!(form.signing(), Signing::Off);
    }

    #[test]
    fn addresses_are_read_by_the_core() {
        let cases: &[(&str, Vec<(Option<&str>, &str)>)] = &[
            ("", vec![]),
            ("a@example.org", vec![(None, "a@example.org")]),
            (
                "김철수 <kim@example.kr>, b@example.org",
                vec![(Some("김철수"), "kim@example.kr"), (None, "b@example.org")],
            ),
        ];
        for (typed, want) in cases {
            let got: Vec<(Option<String>, String)> = addresses(typed)
                .into_iter()
                .map(|n| (n.name, n.address))
                .collect();
            let want: Vec<(Option<String>, String)> = want
                .iter()
                .map(|(n, a)| (n.map(String::from), a.to_string()))
                .collect();
            assert_eq!(got, want, "typed {typed:?}");
        }
    }

    #[test]
    fn garbage_fields_build_clean_messages_or_say_why() {
        // A field can neither break the header (a bare CR or LF, an injected field) nor make a
        // message that `wire_lines` lays out differently from the bytes; a build that refuses
        // says why.
        let junk = [
            "\r\n",
            "<<<>>>",
            "=?x?Q?",
            "\u{0}",
            "@@@",
            "a\nb",
            "x\r\nBcc: evil@example.org",
        ];
        let mut built = 0;
        for junk in junk {
            for field in [ComposeField::From, ComposeField::To, ComposeField::Subject] {
                let mut form = ComposeForm::default();
                form.reduce(ComposeAction::Set(field, junk.to_string()));
                let bytes = match form.build(DATE.into(), String::new(), 9) {
                    Ok(bytes) => bytes,
                    Err(why) => {
                        assert!(!why.trim().is_empty(), "{field:?} = {junk:?}: empty error");
                        continue;
                    }
                };
                built += 1;
                let text = String::from_utf8_lossy(&bytes);
                for (i, b) in bytes.iter().enumerate() {
                    let crlf = match b {
                        b'\r' => bytes.get(i + 1) == Some(&b'\n'),
                        b'\n' => i > 0 && bytes[i - 1] == b'\r',
                        _ => true,
                    };
                    assert!(crlf, "{field:?} = {junk:?}: bare CR or LF at {i}: {text:?}");
                }
                let msg = parse_message(&bytes);
                let names: Vec<String> = msg.entities[0]
                    .header
                    .fields
                    .iter()
                    .map(|f| String::from_utf8_lossy(f.name(&bytes)).to_ascii_lowercase())
                    .collect();
                assert!(
                    !names.iter().any(|n| n == "bcc"),
                    "{field:?} = {junk:?}: a field was injected: {names:?}\n{text}"
                );
                for name in ["from", "to", "subject", "date"] {
                    let n = names.iter().filter(|n| *n == name).count();
                    assert!(
                        n == 1 || (n == 0 && name != "from" && name != "date"),
                        "{field:?} = {junk:?}: {n} {name} field(s) in {names:?}\n{text}"
                    );
                }
                let lines = wire_lines(&bytes, usize::MAX);
                assert_eq!(lines.len(), line_count(&bytes), "{field:?} = {junk:?}");
                assert_eq!(wire_lines(&bytes, 50).len(), lines.len().min(50));
            }
        }
        assert!(built > 0, "no junk form built at all");
    }
}
