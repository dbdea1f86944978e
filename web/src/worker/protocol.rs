//! The page ⇄ worker protocol, in one place.
//!
//! The page ([`crate::services::worker`]) sends [`WorkerRequest`]s; the worker
//! (`web/src/bin/worker.rs`, [`crate::worker`]) answers each with zero or more progress
//! [`WorkerEvent`]s and one final event ([`WorkerEvent::is_final`]). Before anything else the
//! worker sends [`WorkerEvent::Ready`] once its wasm runs; the page sends nothing before.
//!
//! Every message is an [`Envelope`]: a request number, the request or event in postcard's
//! binary form ([`crate::state::binary`]), and a side list of large values ([`Side`]) that do
//! not go through postcard — bytes are transferred (moved, not copied) and a `File` is handed
//! over as it is. Each variant documents what its side list holds. On the JavaScript side a
//! message is an `Array`: `[Uint8Array(postcard), ...side]`.
//!
//! Requests are handled one after the other. Which errors reach the reader and how:
//! [`JobError`] (the work failed, sent by the worker) and [`WorkerError`] (the page's view,
//! including a worker that never started or never answered).

use js_sys::{Array, Uint32Array, Uint8Array};
use mailscope_core::sniff::NotText;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};

use crate::state::binary::{decode, encode};
use crate::state::error::UserError;
use crate::state::i18n::{tr, trf, Lang};
use crate::state::learn::dkim::{DkimDemo, DkimLessonView};
use crate::state::mailbox::{ApiDoc, ApiViews};
use crate::state::message::auth::{AuthError, AuthInput, AuthOutcome, LookedUp};
use crate::state::message::sign::{SignError, SignRequest, Signed};
use crate::state::message::{FileError, Transfer};
use crate::state::transcript::ExportSource;

/// The worker's script (built by Trunk from `web/src/bin/worker.rs` with a loader shim; workers
/// keep their unhashed names).
pub const WORKER_URL: &str = "./worker_loader.js";

/// What the page asks the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum WorkerRequest {
    /// Read a file in slices and parse it with the core. Side: `[File]`. Answers:
    /// [`WorkerEvent::Progress`]…, [`WorkerEvent::Parsing`], then [`WorkerEvent::Parsed`].
    ParseFile,
    /// Parse bytes already read. Side: `[Bytes(message)]`. Answers: [`WorkerEvent::Parsing`],
    /// then [`WorkerEvent::Parsed`].
    ParseBytes {
        /// The name the inspector shows (and downloads with).
        name: String,
    },
    /// Encode `text` as RFC 2047 encoded-words in `charset` (the page's build has no legacy
    /// charset tables). Answer: [`WorkerEvent::Encoded`].
    Encode {
        /// The text.
        text: String,
        /// The charset's name.
        charset: String,
        /// B encoding (else Q).
        b: bool,
    },
    /// Read an answer of `mailscope serve`'s Mailbox API. Side: `[Bytes(JSON body)]`. Answer:
    /// [`WorkerEvent::Views`].
    ReadApi {
        /// Which document it is.
        doc: ApiDoc,
    },
    /// Write a transcript's versioned JSON document (the page links no JSON writer for it).
    /// Answer: [`WorkerEvent::Exported`].
    ExportJson {
        /// The transcript, as the page read it.
        source: ExportSource,
    },
    /// Check a message's DKIM, SPF, DMARC and ARC with the reader's records (the signature
    /// crypto stays out of the page). Side: `[Bytes(message)]`. Answer:
    /// [`WorkerEvent::Authenticated`].
    Authenticate {
        /// IP, HELO, MAIL FROM and records.
        input: AuthInput,
        /// The answers `mailscope serve` looked up so far.
        looked_up: Vec<LookedUp>,
        /// The clock, Unix seconds (signature times are judged against it).
        now: u64,
    },
    /// Sign a message with DKIM (the composer). Side: `[Bytes(message)]`. Answer:
    /// [`WorkerEvent::Signed`].
    Sign {
        /// The key, domain, selector and time.
        request: SignRequest,
    },
    /// Make a fresh Ed25519 test key from the browser's random numbers. Answer:
    /// [`WorkerEvent::Key`].
    MakeKey,
    /// Compute a panel of the DKIM lesson (it signs and verifies). Answer:
    /// [`WorkerEvent::DkimLesson`].
    DkimLesson {
        /// Which panel.
        demo: DkimDemo,
    },
}

/// What the worker tells the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum WorkerEvent {
    /// The worker runs and takes requests (request number 0).
    Ready,
    /// Bytes of the file read so far, of `total`.
    Progress {
        /// Read so far.
        loaded: u64,
        /// The file's size.
        total: u64,
    },
    /// Reading done; the core parses this many bytes.
    Parsing {
        /// The message's size.
        size: u64,
    },
    /// The parsed message. Side: `[Bytes(view-model), Bytes(message), Words(line starts),
    /// Bytes(body)…]` ([`Transfer`], see [`parsed_side`]).
    Parsed,
    /// The encoded-words, joined by spaces.
    Encoded {
        /// The words.
        words: String,
    },
    /// The Mailbox's views of the API answer.
    Views {
        /// One per message, in the answer's order, and the sandbox's address.
        views: ApiViews,
    },
    /// The transcript's JSON document, pretty-printed.
    Exported {
        /// The document.
        json: String,
    },
    /// The checks' report, as the Authenticity panel shows it, or what to look up first.
    Authenticated {
        /// The outcome.
        outcome: AuthOutcome,
    },
    /// The DKIM-Signature field and the key record.
    Signed {
        /// The signature.
        signed: Signed,
    },
    /// A fresh private key.
    Key {
        /// PKCS#8 PEM.
        pem: String,
    },
    /// A panel of the DKIM lesson.
    DkimLesson {
        /// What it shows.
        view: Box<DkimLessonView>,
    },
    /// The request failed.
    Failed {
        /// Why.
        error: JobError,
    },
}

impl WorkerEvent {
    /// Whether this event ends its request.
    pub fn is_final(&self) -> bool {
        !matches!(
            self,
            WorkerEvent::Ready | WorkerEvent::Progress { .. } | WorkerEvent::Parsing { .. }
        )
    }
}

/// A large value beside a message, outside postcard.
#[derive(Debug, Clone)]
pub enum Side {
    /// Bytes (a `Uint8Array`, its buffer transferred).
    Bytes(Vec<u8>),
    /// 32-bit numbers (a `Uint32Array`, its buffer transferred).
    Words(Vec<u32>),
    /// A file to read (structured-cloned: the browser shares it, nothing is read on the page).
    File(web_sys::File),
}

/// One message of the channel: request `id` (0 for [`WorkerEvent::Ready`]), its body and its
/// side list.
#[derive(Debug, Clone)]
pub struct Envelope<T> {
    /// The request number the answers repeat.
    pub id: u32,
    /// The request or event.
    pub body: T,
    /// The large values that go beside it.
    pub side: Vec<Side>,
}

impl<T: Serialize> Envelope<T> {
    /// The message as JavaScript posts it, and the buffers to transfer with it.
    pub fn into_js(self) -> Result<(Array, Array), String> {
        let head = Uint8Array::from(&encode(&(self.id, &self.body))?[..]);
        let transfer = Array::of1(&head.buffer());
        let message = Array::of1(&head);
        for side in self.side {
            let value: JsValue = match side {
                Side::Bytes(bytes) => {
                    let a = Uint8Array::from(&bytes[..]);
                    transfer.push(&a.buffer());
                    a.into()
                }
                Side::Words(words) => {
                    let a = Uint32Array::from(&words[..]);
                    transfer.push(&a.buffer());
                    a.into()
                }
                Side::File(file) => file.into(),
            };
            message.push(&value);
        }
        Ok((message, transfer))
    }
}

impl<T: DeserializeOwned> Envelope<T> {
    /// Reads a message [`Envelope::into_js`] made.
    pub fn from_js(data: &JsValue) -> Result<Envelope<T>, String> {
        let parts = data
            .dyn_ref::<Array>()
            .ok_or("not a message of this protocol")?;
        let head = parts
            .get(0)
            .dyn_into::<Uint8Array>()
            .map_err(|_| "a message without its postcard head")?;
        let (id, body) = decode::<(u32, T)>(&head.to_vec())?;
        let side = parts
            .iter()
            .skip(1)
            .map(|v| {
                if let Some(file) = v.dyn_ref::<web_sys::File>() {
                    Ok(Side::File(file.clone()))
                } else if let Some(a) = v.dyn_ref::<Uint8Array>() {
                    Ok(Side::Bytes(a.to_vec()))
                } else if let Some(a) = v.dyn_ref::<Uint32Array>() {
                    Ok(Side::Words(a.to_vec()))
                } else {
                    Err("a side value of an unknown kind".to_string())
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Envelope { id, body, side })
    }
}

/// The side list of [`WorkerEvent::Parsed`].
pub fn parsed_side(t: Transfer) -> Vec<Side> {
    let mut side = Vec::with_capacity(3 + t.bodies.len());
    side.push(Side::Bytes(t.model));
    side.push(Side::Bytes(t.input));
    side.push(Side::Words(t.line_starts));
    side.extend(t.bodies.into_iter().map(Side::Bytes));
    side
}

/// Reads [`parsed_side`]'s list back.
pub fn parsed_from_side(side: Vec<Side>) -> Result<Transfer, WorkerError> {
    let garbled = |what: &str| WorkerError::Garbled {
        detail: format!("the parsed message has no {what}"),
    };
    let mut side = side.into_iter();
    let Some(Side::Bytes(model)) = side.next() else {
        return Err(garbled("view-model"));
    };
    let Some(Side::Bytes(input)) = side.next() else {
        return Err(garbled("bytes"));
    };
    let Some(Side::Words(line_starts)) = side.next() else {
        return Err(garbled("line offsets"));
    };
    let bodies = side
        .map(|s| match s {
            Side::Bytes(b) => Ok(b),
            _ => Err(garbled("bodies")),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Transfer {
        model,
        input,
        bodies,
        line_starts,
    })
}

/// Why the worker could not do what it was asked (sent by the worker).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobError {
    /// The message's file could not be read.
    File(FileError),
    /// The authenticity checks could not run.
    Auth(AuthError),
    /// The message could not be signed.
    Sign(SignError),
    /// No test key could be made (no random numbers, or the key could not be written).
    Key {
        /// Why.
        detail: String,
    },
    /// A lesson's panel could not be computed (the core refused its fixed data).
    Lesson {
        /// Why.
        detail: String,
    },
    /// What was opened holds no message: it is empty or binary.
    NotText(NotText),
    /// The charset cannot encode the text (the core's explanation, which names the character).
    Encode {
        /// The core's `EncodeError`, in words.
        detail: String,
    },
    /// The Mailbox API's answer is not `mailscope serve`'s JSON.
    NotApiJson {
        /// What the JSON reader found.
        detail: String,
    },
    /// The result could not be written for the trip to the page.
    Unsent {
        /// Why.
        detail: String,
    },
    /// The page sent a request without the side values it needs (a page and worker of
    /// different builds).
    BadRequest,
}

/// Why a request to the worker failed, as the page sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkerError {
    /// The worker could not be started (its script is missing or blocked).
    NotStarted {
        /// The browser's words.
        detail: String,
    },
    /// The worker was started but never said it was ready (its wasm did not load).
    NoAnswer {
        /// How long the page waited.
        seconds: u32,
    },
    /// The worker stopped while working (a crash, or out of memory).
    Stopped {
        /// The browser's words.
        detail: String,
    },
    /// The worker sent something the page cannot read (page and worker of different builds).
    Garbled {
        /// What was wrong.
        detail: String,
    },
    /// The work itself failed.
    Job(JobError),
}

impl WorkerError {
    /// Whether no worker runs at all: the page may do the work itself instead.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            WorkerError::NotStarted { .. } | WorkerError::NoAnswer { .. }
        )
    }
}

/// What to do when the worker's files are missing or stale.
fn rebuild(lang: Lang) -> String {
    tr(
        lang,
        "Reload the page; if it keeps failing, rebuild the UI with cargo xtask run.",
    )
    .into()
}

impl UserError for WorkerError {
    fn what(&self, lang: Lang) -> String {
        match self {
            WorkerError::NotStarted { detail } => trf(
                lang,
                "The background worker did not start: {detail}.",
                &[("detail", detail)],
            ),
            WorkerError::NoAnswer { seconds } => trf(
                lang,
                "The background worker did not answer within {seconds} s.",
                &[("seconds", seconds)],
            ),
            WorkerError::Stopped { detail } => trf(
                lang,
                "The background worker stopped: {detail}.",
                &[("detail", detail)],
            ),
            WorkerError::Garbled { detail } => trf(
                lang,
                "The background worker sent something the page cannot read: {detail}.",
                &[("detail", detail)],
            ),
            WorkerError::Job(JobError::File(e)) => e.what(lang),
            WorkerError::Job(JobError::NotText(NotText::Empty)) => {
                tr(lang, "The file is empty: there is no message to read.").into()
            }
            WorkerError::Job(JobError::NotText(NotText::OnlyWhiteSpace)) => tr(
                lang,
                "The file holds only spaces and empty lines: there is no message to read.",
            )
            .into(),
            WorkerError::Job(JobError::NotText(NotText::Binary {
                nul: true,
                sampled,
                ..
            })) => trf(
                lang,
                "This is not a message: its first {sampled} bytes hold NUL bytes, so it is binary data (an image, an archive, a program), not text.",
                &[("sampled", sampled)],
            ),
            WorkerError::Job(JobError::NotText(NotText::Binary {
                controls, sampled, ..
            })) => trf(
                lang,
                "This is not a message: {controls} of its first {sampled} bytes are control characters, so it is binary data, not text.",
                &[("controls", controls), ("sampled", sampled)],
            ),
            WorkerError::Job(JobError::Auth(AuthError::BadIp(text))) => trf(
                lang,
                "{text} is not an IP address.",
                &[("text", text)],
            ),
            WorkerError::Job(JobError::Auth(AuthError::BadRecords(detail))) => trf(
                lang,
                "The records cannot be read: {detail}.",
                &[("detail", detail)],
            ),
            WorkerError::Job(JobError::Sign(e)) => e.what(lang),
            WorkerError::Job(JobError::Key { detail }) => trf(
                lang,
                "No test key could be made: {detail}.",
                &[("detail", detail)],
            ),
            WorkerError::Job(JobError::Lesson { detail }) => trf(
                lang,
                "The lesson's panel could not be computed: {detail}.",
                &[("detail", detail)],
            ),
            WorkerError::Job(JobError::Encode { detail }) => detail.clone(),
            WorkerError::Job(JobError::NotApiJson { detail }) => trf(
                lang,
                "The answer is not mailscope serve's JSON ({detail}).",
                &[("detail", detail)],
            ),
            WorkerError::Job(JobError::Unsent { detail }) => trf(
                lang,
                "The background worker could not hand over its result: {detail}.",
                &[("detail", detail)],
            ),
            WorkerError::Job(JobError::BadRequest) => tr(
                lang,
                "The background worker did not understand the page's request.",
            )
            .into(),
        }
    }

    fn next_step(&self, lang: Lang) -> String {
        match self {
            WorkerError::NotStarted { .. }
            | WorkerError::NoAnswer { .. }
            | WorkerError::Garbled { .. }
            | WorkerError::Job(
                JobError::BadRequest | JobError::Unsent { .. } | JobError::Lesson { .. },
            ) => rebuild(lang),
            WorkerError::Stopped { .. } => tr(
                lang,
                "Try again; a very large message may need more memory than the browser gives a page.",
            )
            .into(),
            WorkerError::Job(JobError::File(e)) => e.next_step(lang),
            WorkerError::Job(JobError::Sign(e)) => e.next_step(lang),
            WorkerError::Job(JobError::Key { .. }) => tr(
                lang,
                "Try again, or paste a key made elsewhere (openssl genpkey -algorithm ed25519).",
            )
            .into(),
            WorkerError::Job(JobError::Auth(AuthError::BadIp(_))) => tr(
                lang,
                "Type the SMTP client's IPv4 or IPv6 address, such as 192.0.2.25, or leave it empty to skip SPF.",
            )
            .into(),
            WorkerError::Job(JobError::Auth(AuthError::BadRecords(_))) => tr(
                lang,
                "Write one record per line as in a zone file: NAME TTL IN TXT \"…\" (or A, AAAA, MX).",
            )
            .into(),
            WorkerError::Job(JobError::NotText(_)) => tr(
                lang,
                "Open an email message saved as text (.eml: header fields, an empty line, then the body); most mail programs save one with \"Save as\" or \"Show original\".",
            )
            .into(),
            WorkerError::Job(JobError::Encode { .. }) => {
                tr(lang, "Choose another charset, such as UTF-8.").into()
            }
            WorkerError::Job(JobError::NotApiJson { .. }) => tr(
                lang,
                "Is the page served by something else? Open the URL that mailscope serve prints.",
            )
            .into(),
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::state::mailbox::MetaView;

    #[test]
    fn requests_and_events_survive_the_codec() {
        let requests = [
            WorkerRequest::ParseFile,
            WorkerRequest::ParseBytes {
                name: "pasted".into(),
            },
            WorkerRequest::Encode {
                text: "안녕".into(),
                charset: "EUC-KR".into(),
                b: true,
            },
            WorkerRequest::ReadApi { doc: ApiDoc::List },
            WorkerRequest::Sign {
                request: SignRequest {
                    domain: "example.org".into(),
                    selector: "s".into(),
                    key: "-----BEGIN PRIVATE KEY-----".into(),
                    timestamp: Some(1),
                },
            },
            WorkerRequest::MakeKey,
            WorkerRequest::DkimLesson {
                demo: DkimDemo::EditBody,
            },
            WorkerRequest::ExportJson {
                source: ExportSource::Text {
                    input: b"S: 220 x\r\n".to_vec(),
                    format: None,
                },
            },
        ];
        for r in requests {
            let bytes = encode(&(7u32, &r)).expect("encodes");
            assert_eq!(decode::<(u32, WorkerRequest)>(&bytes), Ok((7, r)));
        }
        let events = [
            WorkerEvent::Ready,
            WorkerEvent::Progress {
                loaded: 1 << 21,
                total: 1 << 24,
            },
            WorkerEvent::Parsing { size: 5 },
            WorkerEvent::Parsed,
            WorkerEvent::Encoded {
                words: "=?EUC-KR?B?vsiz5w==?=".into(),
            },
            WorkerEvent::Views {
                views: ApiViews {
                    views: vec![MetaView {
                        id: 3,
                        ..MetaView::default()
                    }],
                    sandbox: Some("127.0.0.1:2525".into()),
                },
            },
            WorkerEvent::Exported { json: "{}".into() },
            WorkerEvent::Signed {
                signed: Signed {
                    field: "DKIM-Signature: v=1\r\n".into(),
                    record: "s._domainkey.example.org. IN TXT \"p=\"".into(),
                },
            },
            WorkerEvent::Key { pem: "PEM".into() },
            WorkerEvent::DkimLesson {
                view: Box::new(
                    crate::state::learn::dkim::dkim_lesson(DkimDemo::EditHeader)
                        .expect("the lesson's panel"),
                ),
            },
            WorkerEvent::Failed {
                error: JobError::File(FileError::TooLarge {
                    name: "a".into(),
                    size: 2,
                    max: 1,
                }),
            },
        ];
        let finals: Vec<bool> = events.iter().map(WorkerEvent::is_final).collect();
        assert_eq!(
            finals,
            [false, false, false, true, true, true, true, true, true, true, true],
            "progress events leave the request open"
        );
        for e in events {
            let bytes = encode(&(9u32, &e)).expect("encodes");
            assert_eq!(decode::<(u32, WorkerEvent)>(&bytes), Ok((9, e)));
        }
    }

    /// A finding crosses the worker with its message template, so the page can show it in
    /// Korean (JSON, for people and programs, carries the English text only).
    #[test]
    fn a_finding_keeps_its_template_across_the_worker() {
        let m = mailscope_core::mime::parse::parse_message(
            b"From: a@example.org\r\nDate: Tue, 15 January 2008 16:02:43 -0500\r\n\r\nhi\r\n",
        );
        let lint = m
            .lints
            .first()
            .map(|l| l.lint.clone())
            .expect("a Date finding");
        let bytes = encode(&lint).expect("encodes");
        let back: mailscope_core::Lint = decode(&bytes).expect("decodes");
        assert_eq!(back, lint);
        let json = serde_json::to_string(&lint).unwrap_or_default();
        assert!(!json.contains("template"), "{json}");
        let ko = crate::state::i18n::builtin_pack(crate::state::i18n::Lang::Ko);
        assert!(
            ko.core
                .messages
                .iter()
                .any(|(en, _)| *en == back.text.template),
            "the Korean pack carries the template of {:?}",
            back.message
        );
    }

    #[test]
    fn a_parsed_message_travels_in_the_side_list() {
        let t = Transfer {
            model: vec![1, 2],
            input: b"Subject: x\r\n\r\nhi".to_vec(),
            bodies: vec![vec![9], vec![]],
            line_starts: vec![0, 12, 14],
        };
        let back = parsed_from_side(parsed_side(t.clone()));
        assert_eq!(back, Ok(t));
        let short = vec![Side::Bytes(vec![1])];
        assert!(matches!(
            parsed_from_side(short),
            Err(WorkerError::Garbled { .. })
        ));
    }

    #[test]
    fn a_worker_that_never_starts_says_what_to_do() {
        for e in [
            WorkerError::NotStarted {
                detail: "404".into(),
            },
            WorkerError::NoAnswer { seconds: 20 },
        ] {
            assert!(e.is_unavailable());
            assert!(e.next_step(Lang::En).contains("cargo xtask run"), "{e:?}");
        }
        assert!(!WorkerError::Job(JobError::BadRequest).is_unavailable());
    }
}
