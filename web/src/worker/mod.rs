//! The worker: heavy work off the page's main thread — reading and parsing messages, encoding
//! encoded-words in legacy charsets, reading the Mailbox API's JSON, writing a transcript's
//! JSON export, checking and making DKIM signatures (the crypto is not in the page's code). `web/src/bin/worker.rs` runs [`start`] in a Web Worker; the page talks to it
//! through [`crate::services::worker`]; [`protocol`] is the channel between them.

pub mod protocol;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, File, FileReaderSync, MessageEvent};

use crate::services::file::{js_text, Slices};
use crate::state::learn::dkim::dkim_lesson;
use crate::state::mailbox::views_from_json;
use crate::state::message::auth::authenticate;
use crate::state::message::sign::{sign_message, test_key_pem};
use crate::state::message::{FileError, Inspected};
use crate::state::tools::words::encode_text;
use protocol::{parsed_side, Envelope, JobError, Side, WorkerEvent, WorkerRequest};

/// The final answer to a request, and what goes beside it.
type Answer = Result<(WorkerEvent, Vec<Side>), JobError>;

/// Does what `request` asks; `progress` hears the events sent before the answer.
pub fn answer(
    request: WorkerRequest,
    side: Vec<Side>,
    progress: &mut dyn FnMut(WorkerEvent),
) -> Answer {
    let mut side = side.into_iter();
    match request {
        WorkerRequest::ParseFile => {
            let Some(Side::File(file)) = side.next() else {
                return Err(JobError::BadRequest);
            };
            let bytes = read(&file, progress).map_err(JobError::File)?;
            parse(file.name(), bytes, progress)
        }
        WorkerRequest::ParseBytes { name } => {
            let Some(Side::Bytes(bytes)) = side.next() else {
                return Err(JobError::BadRequest);
            };
            parse(name, bytes, progress)
        }
        WorkerRequest::Encode { text, charset, b } => encode_text(&text, &charset, b)
            .map(|words| (WorkerEvent::Encoded { words }, Vec::new()))
            .map_err(|e| JobError::Encode {
                detail: e.to_string(),
            }),
        WorkerRequest::ReadApi { doc } => {
            let Some(Side::Bytes(json)) = side.next() else {
                return Err(JobError::BadRequest);
            };
            views_from_json(doc, &json)
                .map(|views| (WorkerEvent::Views { views }, Vec::new()))
                .map_err(|detail| JobError::NotApiJson { detail })
        }
        WorkerRequest::Authenticate {
            input,
            looked_up,
            now,
        } => {
            let Some(Side::Bytes(message)) = side.next() else {
                return Err(JobError::BadRequest);
            };
            authenticate(&message, &input, &looked_up, now)
                .map(|outcome| (WorkerEvent::Authenticated { outcome }, Vec::new()))
                .map_err(JobError::Auth)
        }
        WorkerRequest::Sign { request } => {
            let Some(Side::Bytes(message)) = side.next() else {
                return Err(JobError::BadRequest);
            };
            sign_message(&message, &request)
                .map(|signed| (WorkerEvent::Signed { signed }, Vec::new()))
                .map_err(JobError::Sign)
        }
        WorkerRequest::MakeKey => {
            let mut seed = [0u8; 32];
            getrandom::getrandom(&mut seed).map_err(|e| JobError::Key {
                detail: e.to_string(),
            })?;
            test_key_pem(&seed)
                .map(|pem| (WorkerEvent::Key { pem }, Vec::new()))
                .map_err(|detail| JobError::Key { detail })
        }
        WorkerRequest::DkimLesson { demo } => dkim_lesson(demo)
            .map(|view| {
                let view = Box::new(view);
                (WorkerEvent::DkimLesson { view }, Vec::new())
            })
            .map_err(|detail| JobError::Lesson { detail }),
        WorkerRequest::ExportJson { source } => Ok((
            WorkerEvent::Exported {
                json: source.json(),
            },
            Vec::new(),
        )),
    }
}

fn parse(name: String, bytes: Vec<u8>, progress: &mut dyn FnMut(WorkerEvent)) -> Answer {
    progress(WorkerEvent::Parsing {
        size: bytes.len() as u64,
    });
    let transfer = Inspected::open(name, bytes)
        .map_err(JobError::NotText)?
        .into_transfer()
        .map_err(|detail| JobError::Unsent { detail })?;
    Ok((WorkerEvent::Parsed, parsed_side(transfer)))
}

/// Reads a file synchronously (allowed in workers) in slices, reporting progress.
fn read(file: &File, progress: &mut dyn FnMut(WorkerEvent)) -> Result<Vec<u8>, FileError> {
    let mut slices = Slices::new(file)?;
    let reader = FileReaderSync::new().map_err(|e| FileError::Unreadable {
        detail: js_text(&e),
    })?;
    while let Some(slice) = slices.next_slice()? {
        let buffer = reader
            .read_as_array_buffer(&slice)
            .map_err(|e| FileError::Unreadable {
                detail: js_text(&e),
            })?;
        let loaded = slices.push(&buffer);
        progress(WorkerEvent::Progress {
            loaded,
            total: slices.total(),
        });
    }
    Ok(slices.bytes)
}

/// Posts one message to the page.
fn post(scope: &DedicatedWorkerGlobalScope, id: u32, event: WorkerEvent, side: Vec<Side>) {
    let sent = Envelope {
        id,
        body: event,
        side,
    }
    .into_js()
    .and_then(|(message, transfer)| {
        scope
            .post_message_with_transfer(&message, &transfer)
            .map_err(|e| js_text(&e))
    });
    if let Err(e) = sent {
        web_sys::console::error_1(&format!("worker: cannot post an answer: {e}").into());
    }
}

/// Runs the worker in this `DedicatedWorkerGlobalScope`: answers every request, then says
/// [`WorkerEvent::Ready`].
pub fn start() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let inner = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let (id, answer) = match Envelope::<WorkerRequest>::from_js(&e.data()) {
            Ok(request) => {
                let id = request.id;
                let mut progress = |event| post(&inner, id, event, Vec::new());
                (id, answer(request.body, request.side, &mut progress))
            }
            Err(_) => (0, Err(JobError::BadRequest)),
        };
        let (event, side) =
            answer.unwrap_or_else(|error| (WorkerEvent::Failed { error }, Vec::new()));
        post(&inner, id, event, side);
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as its page needs it; the handler must too.
    on_message.forget();
    post(&scope, 0, WorkerEvent::Ready, Vec::new());
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use mailscope_core::sniff::NotText;

    use super::*;
    use crate::state::error::UserError;
    use crate::state::i18n::Lang;
    use crate::state::mailbox::{ApiDoc, ApiViews};
    use crate::state::transcript::ExportSource;
    use crate::worker::protocol::WorkerError;

    fn ask(request: WorkerRequest, side: Vec<Side>) -> (Vec<WorkerEvent>, Answer) {
        let mut heard = Vec::new();
        let answer = answer(request, side, &mut |e| heard.push(e));
        (heard, answer)
    }

    #[test]
    fn messages_are_parsed_and_handed_over_whole() {
        let raw = b"Subject: hi\r\n\r\nbody\r\n".to_vec();
        let (heard, answer) = ask(
            WorkerRequest::ParseBytes {
                name: "m.eml".into(),
            },
            vec![Side::Bytes(raw.clone())],
        );
        assert_eq!(heard, [WorkerEvent::Parsing { size: 21 }]);
        let (event, side) = answer.expect("parsed");
        assert_eq!(event, WorkerEvent::Parsed);
        let t = protocol::parsed_from_side(side).expect("side list");
        let doc = Inspected::from_transfer(t).expect("view-model");
        assert_eq!((doc.subject(), &doc.input), (Some("hi"), &raw));
    }

    #[test]
    fn empty_and_binary_files_are_refused_with_the_reason() {
        let parse = |raw: &[u8]| {
            let request = WorkerRequest::ParseBytes {
                name: "m.eml".into(),
            };
            ask(request, vec![Side::Bytes(raw.to_vec())]).1.err()
        };
        assert_eq!(parse(b""), Some(JobError::NotText(NotText::Empty)));
        assert_eq!(
            parse(b"\r\n \r\n"),
            Some(JobError::NotText(NotText::OnlyWhiteSpace))
        );
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10";
        let e = parse(png).expect("a PNG is refused");
        assert!(
            matches!(e, JobError::NotText(NotText::Binary { nul: true, .. })),
            "{e:?}"
        );
        let shown = WorkerError::Job(e);
        assert!(shown.what(Lang::En).contains("not a message"), "{shown:?}");
        assert!(shown.next_step(Lang::En).contains(".eml"), "{shown:?}");
    }

    #[test]
    fn every_kind_of_request_is_answered() {
        let (_, answer) = ask(
            WorkerRequest::Encode {
                text: "안녕".into(),
                charset: "EUC-KR".into(),
                b: true,
            },
            Vec::new(),
        );
        assert_eq!(
            answer.map(|a| a.0),
            Ok(WorkerEvent::Encoded {
                words: "=?EUC-KR?B?vsiz5w==?=".into()
            })
        );
        let (_, answer) = ask(
            WorkerRequest::Encode {
                text: "☃".into(),
                charset: "EUC-KR".into(),
                b: true,
            },
            Vec::new(),
        );
        assert!(
            matches!(&answer, Err(JobError::Encode { detail }) if detail.contains('☃')),
            "{answer:?}"
        );
        let (_, answer) = ask(
            WorkerRequest::ReadApi { doc: ApiDoc::List },
            vec![Side::Bytes(br#"{"version":1,"messages":[]}"#.to_vec())],
        );
        assert_eq!(
            answer.map(|a| a.0),
            Ok(WorkerEvent::Views {
                views: ApiViews::default()
            })
        );
        let (_, answer) = ask(
            WorkerRequest::ReadApi { doc: ApiDoc::One },
            vec![Side::Bytes(b"<html>".to_vec())],
        );
        assert!(matches!(answer, Err(JobError::NotApiJson { .. })));
        let (_, answer) = ask(
            WorkerRequest::ExportJson {
                source: ExportSource::Text {
                    input: b"S: 220 mx ESMTP\r\nC: QUIT\r\n".to_vec(),
                    format: None,
                },
            },
            Vec::new(),
        );
        assert!(
            matches!(&answer, Ok((WorkerEvent::Exported { json }, _)) if json.contains("\"version\"")),
            "{answer:?}"
        );
        let (_, answer) = ask(WorkerRequest::MakeKey, Vec::new());
        let Ok((WorkerEvent::Key { pem }, _)) = answer else {
            panic!("a key: {answer:?}");
        };
        let (_, again) = ask(WorkerRequest::MakeKey, Vec::new());
        assert!(
            matches!(&again, Ok((WorkerEvent::Key { pem: other }, _)) if *other != pem),
            "each key is fresh: {again:?}"
        );
        let request = crate::state::message::sign::SignRequest {
            domain: "example.org".into(),
            selector: "s".into(),
            key: pem,
            timestamp: None,
        };
        let message = b"From: a@example.org\r\n\r\nhi\r\n".to_vec();
        let (_, answer) = ask(
            WorkerRequest::Sign {
                request: request.clone(),
            },
            vec![Side::Bytes(message)],
        );
        assert!(
            matches!(&answer, Ok((WorkerEvent::Signed { signed }, _)) if signed.record.starts_with("s._domainkey.example.org. IN TXT")),
            "{answer:?}"
        );
        let (_, answer) = ask(
            WorkerRequest::Sign {
                request: crate::state::message::sign::SignRequest {
                    key: "not a key".into(),
                    ..request.clone()
                },
            },
            vec![Side::Bytes(b"From: a@example.org\r\n\r\n".to_vec())],
        );
        assert_eq!(
            answer.err(),
            Some(JobError::Sign(
                crate::state::message::sign::SignError::NotPem
            ))
        );
        let (_, answer) = ask(
            WorkerRequest::DkimLesson {
                demo: crate::state::learn::dkim::DkimDemo::Verify,
            },
            Vec::new(),
        );
        assert!(
            matches!(&answer, Ok((WorkerEvent::DkimLesson { view }, _)) if view.check.as_ref().is_some_and(|c| c.result == "pass")),
            "{answer:?}"
        );
        for request in [
            WorkerRequest::Sign { request },
            WorkerRequest::ParseFile,
            WorkerRequest::ParseBytes { name: "x".into() },
            WorkerRequest::ReadApi { doc: ApiDoc::List },
        ] {
            assert_eq!(ask(request, Vec::new()).1.err(), Some(JobError::BadRequest));
        }
    }
}
