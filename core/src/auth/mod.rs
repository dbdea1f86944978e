//! Message authentication: DKIM ([RFC 6376](https://www.rfc-editor.org/rfc/rfc6376), RFC 8301,
//! RFC 8463), SPF ([RFC 7208](https://www.rfc-editor.org/rfc/rfc7208)), DMARC
//! ([RFC 7489](https://www.rfc-editor.org/rfc/rfc7489)) and ARC
//! ([RFC 8617](https://www.rfc-editor.org/rfc/rfc8617)), each explained step by step with the
//! bytes that decide it, and the message's own Authentication-Results (RFC 8601) beside them.
//!
//! ```text
//!   message bytes, IP, HELO, MAIL FROM, now ──► Check::new ──► poll_queries() ─► [Query]
//!                                                  ▲                               │ caller asks
//!   Answer (records, NXDOMAIN, temp failure) ──────┴── handle_answer(query, …) ◄───┘ a resolver,
//!                                                                                    a zone file
//!   poll_report() ──► Report { dkim: [steps, canonical bytes], spf: tree, dmarc: alignment,
//!                              arc: sets, authentication_results: stated vs ours }
//! ```
//!
//! Sans-IO like the rest of the core: no check does DNS or reads a clock. A check says which
//! queries (name and type) it needs; the caller answers them from wherever it likes (a
//! resolver, a zone file through [`zone::Zone`], records pasted by a user) and the check goes
//! on. Evaluation replays from the start over the answers given so far, so an answer may come
//! in any order and a check is a pure function of its inputs and answers.
//!
//! Results use the words of [RFC 8601 §2.7](https://www.rfc-editor.org/rfc/rfc8601#section-2.7):
//! [`Verdict`].

pub mod arc;
pub mod check;
pub mod dkim;
pub mod dmarc;
pub mod dns;
pub mod lints;
pub mod results;
pub mod spf;
pub mod stamp;
pub mod tags;
pub mod zone;

use serde::{Deserialize, Serialize};

use crate::lint::{LintDef, Message};

pub use check::{Check, Envelope, Report};
pub use dns::{Answer, Answers, Pending, Query, Record, RecordType};

/// Every `auth.*` lint, in catalog order (documented in `docs/lints.md`).
pub const CATALOG: &[&LintDef] = lints::ALL;

/// A result word of RFC 8601 §2.7 (DKIM §2.7.1, SPF §2.7.2, DMARC as RFC 7489 §11.2 registers
/// it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// No check could be made: no signature, no record, no identity.
    None,
    /// The check succeeded.
    Pass,
    /// The check failed.
    Fail,
    /// SPF: the domain says the host is probably not authorized.
    Softfail,
    /// SPF: the domain makes no assertion; DKIM: the signature could not be processed.
    Neutral,
    /// DKIM: the signature verified but local policy does not accept it.
    Policy,
    /// A transient error (a DNS lookup failed); a later retry may succeed.
    Temperror,
    /// A permanent error: a record or signature that cannot be interpreted.
    Permerror,
}

impl Verdict {
    /// The lowercase word, as in an Authentication-Results field.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::None => "none",
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Softfail => "softfail",
            Verdict::Neutral => "neutral",
            Verdict::Policy => "policy",
            Verdict::Temperror => "temperror",
            Verdict::Permerror => "permerror",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One step of a check, for people: what was done, what came of it, and the bytes it rests
/// on. The texts are messages, translated by [`crate::i18n::message`]; JSON carries their
/// English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// What the step does, e.g. "Hash the canonical body (sha256)".
    #[serde(with = "crate::lint::english")]
    pub title: Message,
    /// What it found.
    #[serde(with = "crate::lint::english")]
    pub detail: Message,
    /// The bytes of the message it is about, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<crate::span::Span>,
    /// Whether the step succeeded; `None` for steps that only report.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ok: Option<bool>,
}

impl Step {
    /// A step that reports `detail`.
    pub fn note(title: Message, detail: Message) -> Step {
        Step {
            title,
            detail,
            span: None,
            ok: None,
        }
    }

    /// This step, about the bytes at `span`.
    pub fn at(mut self, span: crate::span::Span) -> Step {
        self.span = Some(span);
        self
    }

    /// This step, succeeded or failed.
    pub fn ok(mut self, ok: bool) -> Step {
        self.ok = Some(ok);
        self
    }
}

/// "result: reason", the result word as data and the reason translated.
pub(crate) fn said(result: Verdict, reason: Message) -> Message {
    Message::joined([Message::datum(result), reason], ": ")
}

/// Lowercases a domain and drops one trailing dot, the form every comparison here uses.
pub(crate) fn normalize_domain(domain: &str) -> String {
    domain.trim_end_matches('.').to_ascii_lowercase()
}
