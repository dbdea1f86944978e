//! The Authenticity panel's work: the core's DKIM, SPF, DMARC and ARC checks
//! ([`mailscope_core::auth::Check`], sans-IO) answered from DNS records the reader pastes (RFC
//! 1035 master-file lines, read by the core's [`Zone`]) and, when the reader asks, from answers
//! `mailscope serve` looked up (the relay's `lookup` frame), and the report reduced to what the
//! panel shows. It runs in the worker (the signature crypto stays out of the page's code); the view
//! crosses to the page in postcard's binary form, so every field is always written. Texts are
//! the core's messages (templates with values), which the page gives in its language; result
//! words are RFC 8601's, shown as they are.

use std::net::IpAddr;

use mailscope_core::auth::check::{to_wire, Comparison};
use mailscope_core::auth::dkim::DkimResult;
use mailscope_core::auth::dns::{Answer, Query};
use mailscope_core::auth::spf::Node;
use mailscope_core::auth::zone::Zone;
use mailscope_core::auth::{Check, Envelope, Report, Step};
use mailscope_core::lint::Message;
use mailscope_core::span::Span;
use serde::{Deserialize, Serialize};

/// Largest canonical body shown; the rest is counted.
pub const MAX_CANONICAL_SHOWN: usize = 16 * 1024;

/// What the reader gives besides the message.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AuthInput {
    /// The SMTP client's IP address (SPF needs it).
    pub ip: String,
    /// The HELO/EHLO name.
    pub helo: String,
    /// The MAIL FROM address (`<>` or empty: the null sender when HELO is given).
    pub mail_from: String,
    /// DNS records as master-file lines (they win over looked-up answers: a what-if edit).
    pub records: String,
    /// Names the records do not have are looked up through `mailscope serve` (the reader opted
    /// in); otherwise they read as not existing.
    pub lookup: bool,
}

/// A DNS question and its answer as `mailscope serve` gave them, as the JSON of the relay's
/// `answer` frame fields `[query, answer]` (the core's types; postcard cannot carry their
/// tagged form, JSON can).
pub type LookedUp = String;

/// The outcome of one run: the report, or the questions to look up first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuthOutcome {
    /// Every question was answered.
    Done(Box<AuthView>),
    /// These questions (JSON of the core's `Query`) need an answer from `mailscope serve`.
    Needs(Vec<String>),
}

/// Why the checks could not run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuthError {
    /// The IP address cannot be read.
    BadIp(String),
    /// The records cannot be read (the core's reason, with the line).
    BadRecords(String),
}

/// One step of a check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepView {
    /// What the step does.
    pub title: Message,
    /// What it found.
    pub detail: Message,
    /// Whether it succeeded (`None`: it only reports).
    pub ok: Option<bool>,
    /// The bytes it is about.
    pub span: Option<Span>,
}

/// One DKIM signature (or an ARC seal or message signature).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureView {
    /// `d=`.
    pub domain: String,
    /// `s=`.
    pub selector: String,
    /// The RFC 8601 result word.
    pub result: String,
    /// Why.
    pub reason: Message,
    /// The steps.
    pub steps: Vec<StepView>,
    /// The header block as hashed (canonicalized).
    pub canonical_header: String,
    /// The body as hashed, at most [`MAX_CANONICAL_SHOWN`] bytes shown.
    pub canonical_body: String,
    /// The header fields the block was made from, as received (selected fields in `h=` order,
    /// then the signature field).
    pub raw_header: String,
    /// The body as received, at most [`MAX_CANONICAL_SHOWN`] bytes shown.
    pub raw_body: String,
    /// Bytes of the body as received.
    pub raw_body_len: usize,
    /// Bytes of the canonical body.
    pub canonical_body_len: usize,
    /// `bh=` and the computed body hash.
    pub body_hash: Option<(String, String)>,
    /// The key record: name and answer.
    pub key: Option<(String, Message)>,
}

/// SPF.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpfView {
    /// The result word.
    pub result: String,
    /// The domain whose policy decided.
    pub domain: String,
    /// `mailfrom` or `helo`.
    pub identity: String,
    /// Why.
    pub reason: Message,
    /// DNS-querying terms used, and void lookups.
    pub lookups: (usize, usize),
    /// The evaluation as indented lines.
    pub tree: Vec<TreeLine>,
}

/// One line of the SPF evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeLine {
    /// How deep it is.
    pub depth: usize,
    /// The record or term, as written (data).
    pub text: String,
    /// What came of it (empty: nothing to add).
    pub note: Message,
    /// Whether the term matched (`None`: a record, or a term that did not decide).
    pub matched: Option<bool>,
}

/// DMARC or ARC: a result with its steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecksView {
    /// The result word.
    pub result: String,
    /// Why.
    pub reason: Message,
    /// The steps.
    pub steps: Vec<StepView>,
}

/// The whole report as the panel shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthView {
    /// Each DKIM-Signature, in header order.
    pub dkim: Vec<SignatureView>,
    /// SPF (`None`: no IP given).
    pub spf: Option<SpfView>,
    /// DMARC.
    pub dmarc: ChecksView,
    /// ARC.
    pub arc: ChecksView,
    /// Queries answered NXDOMAIN (by the records, or by the DNS when looked up): what to paste
    /// to go further.
    pub unanswered: Vec<String>,
    /// The message's own Authentication-Results fields, top (latest) first, each result beside
    /// Mailscope's verdict.
    pub stated: Vec<StatedView>,
}

/// An Authentication-Results field of the message (RFC 8601), read by the core.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatedView {
    /// Who says so (`authserv-id`); `None` when the field cannot be read.
    pub authserv_id: Option<String>,
    /// Each stated result beside Mailscope's (the core's comparison).
    pub comparisons: Vec<Comparison>,
}

/// Runs every check on `message` with the reader's input and the answers looked up so far, at
/// `now` (Unix seconds).
pub fn authenticate(
    message: &[u8],
    input: &AuthInput,
    looked_up: &[LookedUp],
    now: u64,
) -> Result<AuthOutcome, AuthError> {
    let ip = match input.ip.trim() {
        "" => None,
        text => Some(
            text.trim_matches(|c| c == '[' || c == ']')
                .parse::<IpAddr>()
                .map_err(|_| AuthError::BadIp(text.to_string()))?,
        ),
    };
    let zone = Zone::parse(&input.records).map_err(|e| AuthError::BadRecords(e.to_string()))?;
    let optional = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    let mail_from = match input.mail_from.trim() {
        "<>" => Some(String::new()),
        other => optional(other),
    };
    let envelope = Envelope {
        ip,
        helo: optional(&input.helo),
        mail_from,
    };
    let answers: Vec<(Query, Answer)> = looked_up
        .iter()
        .filter_map(|json| serde_json::from_str(json).ok())
        .collect();
    let mut unanswered: Vec<String> = Vec::new();
    let mut needs: Vec<String> = Vec::new();
    let report = Check::new(message, envelope, now).run(|query| {
        let mut answer = zone.answer(query);
        if matches!(answer, Answer::Nxdomain) && input.lookup {
            match answers.iter().find(|(q, _)| q == query) {
                Some((_, a)) => answer = a.clone(),
                None => {
                    if let Ok(json) = serde_json::to_string(query) {
                        if !needs.contains(&json) {
                            needs.push(json);
                        }
                    }
                }
            }
        }
        let shown = query.to_string();
        if matches!(answer, Answer::Nxdomain) && !unanswered.contains(&shown) {
            unanswered.push(shown);
        }
        answer
    });
    if !needs.is_empty() {
        return Ok(AuthOutcome::Needs(needs));
    }
    Ok(AuthOutcome::Done(Box::new(view(
        &report,
        &to_wire(message),
        unanswered,
    ))))
}

fn steps(steps: &[Step]) -> Vec<StepView> {
    steps
        .iter()
        .map(|s| StepView {
            title: s.title.clone(),
            detail: s.detail.clone(),
            ok: s.ok,
            span: s.span,
        })
        .collect()
}

/// `d` as the panel shows it; `wire` is the message as checked (the spans point into it).
fn signature(d: &DkimResult, wire: &[u8]) -> SignatureView {
    let shown =
        |b: &[u8]| String::from_utf8_lossy(b.get(..MAX_CANONICAL_SHOWN).unwrap_or(b)).into_owned();
    let raw_header: Vec<u8> = d
        .signed_fields
        .iter()
        .flat_map(|s| s.slice(wire).iter().copied())
        .collect();
    SignatureView {
        domain: d.domain.clone().unwrap_or_default(),
        selector: d.selector.clone().unwrap_or_default(),
        result: d.result.as_str().into(),
        reason: d.reason.clone(),
        steps: steps(&d.steps),
        canonical_header: String::from_utf8_lossy(&d.canonical_header).into_owned(),
        canonical_body: shown(&d.canonical_body),
        canonical_body_len: d.canonical_body.len(),
        raw_header: String::from_utf8_lossy(&raw_header).into_owned(),
        raw_body: shown(d.body.slice(wire)),
        raw_body_len: d.body.len(),
        body_hash: d
            .body_hash
            .as_ref()
            .map(|h| (h.expected.clone(), h.computed.clone())),
        key: d.key.as_ref().map(|k| (k.name.clone(), k.answer.clone())),
    }
}

fn tree(node: &Node, depth: usize, out: &mut Vec<TreeLine>) {
    let result = node.result.as_str();
    out.push(match &node.record {
        Some(record) => TreeLine {
            depth,
            text: format!("{}: {record} → {result}", node.domain),
            note: node.reason.clone(),
            matched: None,
        },
        None => TreeLine {
            depth,
            text: format!("{} → {result}", node.domain),
            note: Message::joined([node.answer.clone(), node.reason.clone()], "; "),
            matched: None,
        },
    });
    for t in &node.terms {
        out.push(TreeLine {
            depth: depth + 1,
            text: t.text.clone(),
            note: t.note.clone(),
            matched: t.matched,
        });
        if let Some(child) = &t.child {
            tree(child, depth + 2, out);
        }
    }
}

fn view(r: &Report, wire: &[u8], unanswered: Vec<String>) -> AuthView {
    let mut arc_steps = steps(&r.arc.steps);
    // The latest set's AMS and every seal; older AMS results are steps of their own, marked as
    // information (they do not decide the chain).
    for (k, set) in r.arc.sets.iter().enumerate() {
        let ams = set.message_signature.as_ref().filter(|_| k == 0);
        for (what, d) in [("AMS", ams), ("AS", set.seal.as_ref())] {
            if let Some(d) = d {
                arc_steps.push(StepView {
                    title: Message::datum(format_args!("i={} {what}", set.instance)),
                    detail: Message::joined(
                        [Message::datum(d.result.as_str()), d.reason.clone()],
                        " — ",
                    ),
                    ok: Some(d.result.as_str() == "pass"),
                    span: Some(d.field),
                });
            }
        }
    }
    AuthView {
        dkim: r.dkim.iter().map(|d| signature(d, wire)).collect(),
        spf: r.spf.as_ref().map(|s| {
            let mut lines = Vec::new();
            tree(&s.tree, 0, &mut lines);
            SpfView {
                result: s.result.as_str().into(),
                domain: s.domain.clone(),
                identity: s.identity.clone(),
                reason: s.reason.clone(),
                lookups: (s.lookups, s.void_lookups),
                tree: lines,
            }
        }),
        dmarc: ChecksView {
            result: r.dmarc.result.as_str().into(),
            reason: r.dmarc.reason.clone(),
            steps: steps(&r.dmarc.steps),
        },
        arc: ChecksView {
            result: r.arc.result.as_str().into(),
            reason: r.arc.reason.clone(),
            steps: arc_steps,
        },
        unanswered,
        stated: r
            .authentication_results
            .iter()
            .map(|s| StatedView {
                authserv_id: s.parsed.as_ref().map(|p| p.authserv_id.clone()),
                comparisons: s.comparisons.clone(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use mailscope_core::auth::dkim::sign::{sign, SignOptions, SigningKey};

    use super::*;

    const NOW: u64 = 1_800_000_000;

    /// A test-only Ed25519 key (PKCS#8), made with `openssl genpkey -algorithm ed25519`.
    const KEY: &str = "-----BEGIN PRIVATE KEY-----\n\
        MC4CAQAwBQYDK2VwBCIEIH0u0xXrIe3JvCz7VDw9VCqVzriSqfsYTQXJd8L2j9Q7\n\
        -----END PRIVATE KEY-----\n";

    fn key() -> SigningKey {
        SigningKey::from_pem(KEY).expect("the test key reads")
    }

    fn done(outcome: Result<AuthOutcome, AuthError>) -> AuthView {
        match outcome {
            Ok(AuthOutcome::Done(view)) => *view,
            other => panic!("expected a report, got {other:?}"),
        }
    }

    fn signed() -> Vec<u8> {
        let message = b"From: Joe <joe@example.com>\r\nTo: sue@example.net\r\nSubject: dinner\r\n\
                        Date: Fri, 11 Jul 2003 21:00:37 -0700\r\n\r\nWe lost the game.\r\n";
        let field = sign(message, &key(), &SignOptions::new("example.com", "sel")).expect("signs");
        [field, message.to_vec()].concat()
    }

    fn records() -> String {
        format!(
            "sel._domainkey.example.com. IN TXT \"{}\"\n\
             example.com. IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n\
             _dmarc.example.com. IN TXT \"v=DMARC1; p=reject\"\n",
            key().key_record()
        )
    }

    /// The signed message's envelope with [`records`].
    fn input() -> AuthInput {
        AuthInput {
            ip: "192.0.2.25".into(),
            helo: "mail.example.com".into(),
            mail_from: "joe@example.com".into(),
            records: records(),
            lookup: false,
        }
    }

    #[test]
    fn a_signed_message_verifies_step_by_step_and_an_edit_breaks_the_body_hash() {
        let input = input();
        let v = done(authenticate(&signed(), &input, &[], NOW));
        assert_eq!(v.dkim.len(), 1);
        let d = &v.dkim[0];
        assert_eq!(
            (d.domain.as_str(), d.selector.as_str()),
            ("example.com", "sel")
        );
        assert_eq!(d.result, "pass", "{d:?}");
        assert!(
            d.canonical_header.contains("from:Joe <joe@example.com>"),
            "{}",
            d.canonical_header
        );
        assert_eq!(d.canonical_body, "We lost the game.\r\n");
        // Beside them, the bytes as received: relaxed lowercased the names, kept the values.
        assert!(
            d.raw_header.starts_with("From: Joe <joe@example.com>\r\n"),
            "{}",
            d.raw_header
        );
        assert!(d.raw_header.contains("DKIM-Signature:"), "{}", d.raw_header);
        assert_eq!(d.raw_body, "We lost the game.\r\n");
        assert_eq!(d.raw_body_len, d.raw_body.len());
        assert!(d.body_hash.as_ref().is_some_and(|(a, b)| a == b));
        assert_eq!(v.spf.as_ref().map(|s| s.result.as_str()), Some("pass"));
        assert_eq!(v.dmarc.result, "pass");
        assert!(v.unanswered.is_empty(), "{:?}", v.unanswered);
        // The texts cross to the page as templates with their values, for its language.
        assert_eq!(d.steps[0].title.template, "Read the {name} field");
        assert_eq!(d.reason.english(), "signed by example.com");
        let bytes = postcard::to_allocvec(&v).expect("encodes");
        assert_eq!(
            postcard::from_bytes::<AuthView>(&bytes).ok(),
            Some(v.clone())
        );

        // One byte of the body changed: the body hash step fails.
        let edited = String::from_utf8(signed())
            .expect("text")
            .replace("lost", "won!");
        let v = done(authenticate(edited.as_bytes(), &input, &[], NOW));
        let d = &v.dkim[0];
        assert_eq!(d.result, "fail");
        assert!(d.body_hash.as_ref().is_some_and(|(a, b)| a != b));
        assert!(d.steps.iter().any(|s| s.ok == Some(false)), "{:?}", d.steps);
    }

    /// The message's own Authentication-Results fields come with the core's comparison: a
    /// field that agrees, one that states a DKIM pass Mailscope does not find.
    #[test]
    fn stated_results_are_set_beside_mailscopes() {
        let input = input();
        let message = [
            &b"Authentication-Results: mx.example.net; dkim=pass header.d=example.com;\r\n\tspf=pass smtp.mailfrom=joe@example.com\r\n"[..],
            b"Authentication-Results: relay.test; dkim=pass header.d=bank.test\r\n",
            &signed(),
        ]
        .concat();
        let v = done(authenticate(&message, &input, &[], NOW));
        let ids: Vec<_> = v.stated.iter().map(|s| s.authserv_id.as_deref()).collect();
        assert_eq!(ids, [Some("mx.example.net"), Some("relay.test")]);
        let agrees: Vec<_> = v.stated[0].comparisons.iter().map(|c| c.agrees).collect();
        assert_eq!(agrees, [Some(true), Some(true)]);
        let bank = &v.stated[1].comparisons[0];
        assert_eq!(
            (bank.method.as_str(), bank.stated.as_str(), bank.ours),
            ("dkim", "pass", None),
            "no bank.test signature to compare with"
        );
    }

    #[test]
    fn missing_records_are_listed_and_bad_input_is_said() {
        let input = AuthInput::default();
        let v = done(authenticate(&signed(), &input, &[], NOW));
        assert_eq!(v.dkim[0].result, "permerror", "{:?}", v.dkim[0]);
        assert!(
            v.unanswered
                .iter()
                .any(|q| q == "sel._domainkey.example.com TXT"),
            "{:?}",
            v.unanswered
        );
        assert!(v.spf.is_none(), "no IP, no SPF");
        let bad_ip = AuthInput {
            ip: "not-an-ip".into(),
            ..AuthInput::default()
        };
        assert_eq!(
            authenticate(&signed(), &bad_ip, &[], NOW),
            Err(AuthError::BadIp("not-an-ip".into()))
        );
        let bad_zone = AuthInput {
            records: "example.com. IN TXT \"unclosed".into(),
            ..AuthInput::default()
        };
        assert!(matches!(
            authenticate(&signed(), &bad_zone, &[], NOW),
            Err(AuthError::BadRecords(_))
        ));
    }

    /// With lookups on, what the records lack is asked for first; the answers (as the relay
    /// gives them) then complete the checks; pasted records win over looked-up ones.
    #[test]
    fn missing_names_are_looked_up_when_the_reader_asks() {
        use mailscope_core::auth::{Record, RecordType};
        let input = AuthInput {
            lookup: true,
            ..AuthInput::default()
        };
        let needs = match authenticate(&signed(), &input, &[], NOW) {
            Ok(AuthOutcome::Needs(needs)) => needs,
            other => panic!("{other:?}"),
        };
        let key_query = Query::new("sel._domainkey.example.com", RecordType::Txt);
        assert!(
            needs.contains(&serde_json::to_string(&key_query).expect("json")),
            "{needs:?}"
        );
        let answer = |q: &Query, a: Answer| serde_json::to_string(&(q, a)).expect("json");
        let mut looked_up = vec![answer(
            &key_query,
            Answer::Records(vec![Record::Txt(key().key_record().into_bytes())]),
        )];
        // Every other question: the name does not exist.
        loop {
            match authenticate(&signed(), &input, &looked_up, NOW) {
                Ok(AuthOutcome::Needs(more)) => {
                    for q in more {
                        let q: Query = serde_json::from_str(&q).expect("a query");
                        looked_up.push(answer(&q, Answer::Nxdomain));
                    }
                }
                Ok(AuthOutcome::Done(v)) => {
                    assert_eq!(v.dkim[0].result, "pass", "{:?}", v.dkim[0]);
                    break;
                }
                Err(e) => panic!("{e:?}"),
            }
        }
        // A pasted (revoked) key wins over the looked-up one.
        let revoked = AuthInput {
            records: "sel._domainkey.example.com. IN TXT \"v=DKIM1; k=ed25519; p=\"".into(),
            ..input
        };
        let v = done(authenticate(&signed(), &revoked, &looked_up, NOW));
        assert_eq!(v.dkim[0].result, "permerror", "{:?}", v.dkim[0]);
    }
}
