//! The panels next to lesson steps ([`Demo`]), computed by the core from a step's data or the
//! session of the last "Try it".

use mailscope_core::mime::dsn::{parse_delivery_status, DeliveryStatus};
use mailscope_core::smtp::auth::DecodedAuth;
use mailscope_core::smtp::transcript::{Direction, Parsed};

use super::alignment::AlignDemo;
use super::dkim::DkimDemo;
use super::error::LearnError;
use crate::state::session::SessionModel;
use crate::state::tools::bytes::{decode_auth, dot_stuffing, Stuffed};
use crate::state::tools::words::{decode_words, WordsReading};

/// A panel next to a step, computed by the core from the step's data or the session so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Demo {
    /// Each write on the wire with its size: what a socket client reads and writes.
    Writes,
    /// The capabilities of the last EHLO reply, explained by the core.
    Capabilities,
    /// The AUTH exchange in the transcript, base64 decoded by the core.
    AuthDecoded,
    /// Round trips made and saved.
    RoundTrips,
    /// Dot-stuffing of a text, as the core does it.
    DotStuff(&'static str),
    /// Encoded-words decoded step by step by the core.
    EncodedWord(&'static str),
    /// A bounce's `message/delivery-status` part read by the core.
    Bounce(&'static str),
    /// Messages the in-browser server accepted.
    Received,
    /// A panel of the DKIM lesson, signed and verified by the core in the worker.
    Dkim(DkimDemo),
    /// A panel of the SPF + DMARC alignment lesson (checked in the worker).
    Alignment(AlignDemo),
}

/// One write on the wire, for the socket lesson.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteRow {
    /// `write()` by the client or `read()` of what the server wrote.
    pub client: bool,
    /// Bytes in the write.
    pub bytes: usize,
    /// CRLF-terminated lines in it.
    pub lines: usize,
}

/// A message sent and the server's answer to its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// Octets on the wire.
    pub octets: usize,
    /// The reply code.
    pub code: u16,
    /// The reply's first line, after the code.
    pub text: String,
}

/// Each message of the transcript with the reply to its end (none yet: not listed).
fn answers(session: &SessionModel) -> Vec<Answer> {
    let entries = &session.annotated.entries;
    entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match e.parsed {
            Parsed::Message { octets, .. } => {
                entries[i + 1..].iter().find_map(|r| match &r.parsed {
                    Parsed::Reply { reply, .. } => Some(Answer {
                        octets,
                        code: reply.code,
                        text: reply
                            .lines
                            .first()
                            .map(|l| l.text.clone())
                            .unwrap_or_default(),
                    }),
                    _ => None,
                })
            }
            _ => None,
        })
        .collect()
}

/// What a [`Demo`] shows, computed from the core.
#[derive(Debug, Clone, PartialEq)]
pub enum DemoView {
    /// The writes so far.
    Writes(Vec<WriteRow>),
    /// `(keyword, explanation, reference)` per capability of the last EHLO reply.
    Capabilities(Vec<(String, String, String)>),
    /// The AUTH exchange decoded.
    Auth(Result<DecodedAuth, LearnError>),
    /// `(round trips, saved)`.
    RoundTrips(usize, usize),
    /// Dot-stuffing.
    DotStuff(Stuffed),
    /// Encoded-words.
    Words(Box<WordsReading>),
    /// A delivery status report.
    Bounce(Box<DeliveryStatus>),
    /// `(queue id, size)` of each message the in-browser server accepted.
    Received(Vec<(String, usize)>),
    /// Each message sent to a server behind the relay, whose store the page cannot see: the
    /// octets sent (dot-stuffing and the final `.` line included) and the server's answer.
    Answered(Vec<Answer>),
    /// A panel of the DKIM lesson: the view fetches it from the worker (the crypto is not in
    /// the page's code; see [`super::dkim::dkim_lesson`]).
    Dkim(DkimDemo),
    /// A panel of the alignment lesson: the view has the worker check it.
    Alignment(AlignDemo),
    /// The demo needs the session: press Try it.
    NeedsRun,
}

/// The `S:`/`C:` lines of the last AUTH exchange, as the Tools view's AUTH decoder reads them.
fn auth_exchange(session: &SessionModel) -> Option<String> {
    let text = session.export_text();
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().rposition(|l| l.starts_with("C: AUTH "))?;
    let mut out = Vec::new();
    for line in lines.iter().skip(start) {
        if let Some(c) = line.strip_prefix("C: ") {
            out.push(c.to_string());
        } else if let Some(s) = line.strip_prefix("S: ") {
            if s.starts_with("334") {
                out.push(s.to_string());
            } else {
                break;
            }
        }
    }
    Some(out.join("\n"))
}

/// Computes the panel of `demo` with the session of the last "Try it".
pub fn demo_view(demo: Demo, session: Option<&SessionModel>) -> DemoView {
    match demo {
        Demo::DotStuff(text) => return DemoView::DotStuff(dot_stuffing(text)),
        Demo::EncodedWord(text) => return DemoView::Words(Box::new(decode_words(text))),
        Demo::Bounce(text) => {
            return DemoView::Bounce(Box::new(parse_delivery_status(text.as_bytes())))
        }
        Demo::Dkim(d) => return DemoView::Dkim(d),
        Demo::Alignment(d) => return DemoView::Alignment(d),
        _ => {}
    }
    let Some(s) = session else {
        return DemoView::NeedsRun;
    };
    match demo {
        Demo::Writes => DemoView::Writes(
            s.chunks
                .iter()
                .map(|c| {
                    let bytes = c.span.slice(&s.wire);
                    WriteRow {
                        client: c.direction == Direction::Client,
                        bytes: bytes.len(),
                        lines: bytes.windows(2).filter(|w| w == b"\r\n").count(),
                    }
                })
                .collect(),
        ),
        Demo::Capabilities => DemoView::Capabilities(
            s.annotated
                .entries
                .iter()
                .rev()
                .find_map(|e| match &e.parsed {
                    Parsed::Reply {
                        capabilities: Some(caps),
                        ..
                    } => Some(
                        caps.entries
                            .iter()
                            .map(|c| {
                                (
                                    c.capability.keyword().to_string(),
                                    c.capability.explain().to_string(),
                                    c.capability.reference().to_string(),
                                )
                            })
                            .collect(),
                    ),
                    _ => None,
                })
                .unwrap_or_default(),
        ),
        Demo::AuthDecoded => DemoView::Auth(
            auth_exchange(s)
                .ok_or(LearnError::NoAuthYet)
                .and_then(|t| decode_auth(&t).map_err(LearnError::Decode)),
        ),
        Demo::RoundTrips => {
            DemoView::RoundTrips(s.ladder.round_trips.len(), s.ladder.saved_by_pipelining)
        }
        Demo::Received if s.target.is_relay() => DemoView::Answered(answers(s)),
        Demo::Received => DemoView::Received(s.received.clone()),
        Demo::DotStuff(_)
        | Demo::EncodedWord(_)
        | Demo::Bounce(_)
        | Demo::Dkim(_)
        | Demo::Alignment(_) => DemoView::NeedsRun,
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::state::learn::run::run_script;
    use crate::state::learn::script::{DOTS, LESSONS, SAMPLE_DATE, SAMPLE_DSN};
    use crate::state::session::form::sample_message;

    #[test]
    fn demos_come_from_the_core() {
        let (s, _) = run_script(&LESSONS[6], 0, 0);
        match demo_view(Demo::AuthDecoded, Some(&s)) {
            DemoView::Auth(Ok(d)) => assert_eq!(
                (d.authcid.as_deref(), d.password.as_deref()),
                (Some("alice"), Some("wonderland")),
                "PLAIN decoded"
            ),
            other => panic!("expected decoded AUTH, got {other:?}"),
        }
        let (s, _) = run_script(&LESSONS[6], 2, 0);
        match demo_view(Demo::AuthDecoded, Some(&s)) {
            DemoView::Auth(Ok(d)) => assert_eq!(d.authcid.as_deref(), Some("alice"), "CRAM-MD5"),
            other => panic!("expected decoded CRAM-MD5, got {other:?}"),
        }
        match demo_view(Demo::EncodedWord("=?EUC-KR?B?vsiz58fPvLy/5C4=?="), None) {
            DemoView::Words(w) => assert_eq!(w.text, "안녕하세요.", "EUC-KR decoded"),
            other => panic!("expected words, got {other:?}"),
        }
        match demo_view(Demo::DotStuff(DOTS), None) {
            DemoView::DotStuff(d) => assert!(d.wire.contains("..two"), "{}", d.wire),
            other => panic!("expected dot-stuffing, got {other:?}"),
        }
        match demo_view(Demo::Bounce(SAMPLE_DSN), None) {
            DemoView::Bounce(d) => {
                let status: Vec<_> = d.recipients.iter().map(|r| r.status.clone()).collect();
                assert_eq!(
                    status,
                    [Some("5.1.1".to_string()), Some("4.7.1".to_string())]
                );
                assert!(d.lints.is_empty(), "{:?}", d.lints);
            }
            other => panic!("expected a DSN, got {other:?}"),
        }
        let sample = sample_message("alice@example.org", "bob@example.net", SAMPLE_DATE)
            .expect("sample message");
        assert!(
            sample.contains("multipart/mixed")
                && sample.contains("Content-Transfer-Encoding: base64"),
            "the MIME lesson's claims hold: {sample}"
        );
        let (s, _) = run_script(&LESSONS[4], 0, 0);
        match demo_view(Demo::Capabilities, Some(&s)) {
            DemoView::Capabilities(c) => {
                assert!(c.iter().any(|(k, _, _)| k == "PIPELINING"), "{c:?}")
            }
            other => panic!("expected capabilities, got {other:?}"),
        }
        let keywords = |upto| match demo_view(
            Demo::Capabilities,
            Some(&run_script(&LESSONS[5], upto, 0).0),
        ) {
            DemoView::Capabilities(c) => c.into_iter().map(|(k, _, _)| k).collect::<Vec<_>>(),
            other => panic!("expected capabilities, got {other:?}"),
        };
        let before = keywords(0);
        let after = keywords(2);
        assert!(
            before.iter().any(|k| k == "STARTTLS") && !before.iter().any(|k| k == "AUTH"),
            "before TLS: {before:?}"
        );
        assert!(
            after.iter().any(|k| k == "AUTH") && !after.iter().any(|k| k == "STARTTLS"),
            "after TLS: {after:?}"
        );
        let (s, _) = run_script(&LESSONS[2], 1, 0);
        match demo_view(Demo::Writes, Some(&s)) {
            DemoView::Writes(w) => {
                assert_eq!(w.len(), 3, "greeting, EHLO, reply: {w:?}");
                assert!(w[2].lines > 1, "multi-line EHLO reply");
            }
            other => panic!("expected writes, got {other:?}"),
        }
        assert_eq!(demo_view(Demo::Received, None), DemoView::NeedsRun);
        assert_eq!(
            demo_view(Demo::Dkim(DkimDemo::EditBody), None),
            DemoView::Dkim(DkimDemo::EditBody),
            "the DKIM panels need no session"
        );
    }
}
