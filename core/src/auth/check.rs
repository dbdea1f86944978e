//! The whole-message check: DKIM, SPF and DMARC together, driven by the caller's answers.
//!
//! Call order: [`Check::new`] with the message, the [`Envelope`] and the time; then, until
//! [`Check::poll_queries`] returns nothing, answer each query with [`Check::handle_answer`];
//! then [`Check::poll_report`]. [`Check::run`] does the loop for a synchronous source of
//! answers (a zone file).

use serde::{Deserialize, Serialize};

use crate::mime::header::{parse_header_section, HeaderSection};

use super::arc::{self, ArcResult, PreparedChain};
use super::dkim::{self, DkimResult, Prepared};
use super::dmarc::{self, DmarcResult};
use super::dns::{Answer, Answers, Pending, Query};
use super::results::{self, AuthResults};
use super::spf::{self, SpfResult};
use super::{lints, Verdict};
use crate::lint::Lint;
use crate::span::Span;

/// What the receiving server knew about the sender: the SMTP client's address, its HELO name
/// and the MAIL FROM address (empty for the null sender `<>`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Envelope {
    /// The SMTP client's IP address; SPF is not checked without it.
    pub ip: Option<std::net::IpAddr>,
    /// The HELO/EHLO name.
    pub helo: Option<String>,
    /// The MAIL FROM address; `Some("")` is the null sender.
    pub mail_from: Option<String>,
}

/// All verdicts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// One result per DKIM-Signature field, in header order.
    pub dkim: Vec<DkimResult>,
    /// SPF, when an IP address was given.
    pub spf: Option<SpfResult>,
    /// DMARC.
    pub dmarc: DmarcResult,
    /// ARC.
    pub arc: ArcResult,
    /// The Authentication-Results fields of the message, top (latest) first, each result set
    /// beside Mailscope's own verdict.
    pub authentication_results: Vec<Stated>,
}

/// An Authentication-Results field of the message, read and compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stated {
    /// The field.
    pub field: Span,
    /// Its results, if it could be read.
    pub parsed: Option<AuthResults>,
    /// Each result beside Mailscope's verdict for the same method and identifier.
    pub comparisons: Vec<Comparison>,
    /// Findings (a field that cannot be read).
    pub lints: Vec<Lint>,
}

/// One stated result beside Mailscope's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    /// The method (`dkim`, `spf`, `dmarc`, …).
    pub method: String,
    /// What the field says.
    pub stated: String,
    /// The identifier it is about (`header.d`, `smtp.mailfrom`, `header.from`), if given.
    pub identifier: Option<String>,
    /// Mailscope's verdict for the same check, when it made one.
    pub ours: Option<Verdict>,
    /// Whether the two agree (`None` when Mailscope has no verdict to compare).
    pub agrees: Option<bool>,
}

fn domain_of(value: &str) -> String {
    super::normalize_domain(value.rsplit_once('@').map_or(value, |(_, d)| d))
}

/// Reads the Authentication-Results fields and sets their results beside `report`'s.
fn stated(message: &[u8], headers: &HeaderSection, report: &Report) -> Vec<Stated> {
    let mut out = Vec::new();
    for f in headers
        .fields
        .iter()
        .filter(|f| f.is(message, "Authentication-Results"))
    {
        let mut s = Stated {
            field: f.span,
            parsed: None,
            comparisons: Vec::new(),
            lints: Vec::new(),
        };
        match results::parse(f.raw_value(message), f.value.start) {
            Err(e) => s.lints.push(lints::AUTHRES_SYNTAX.at(e.span, e.reason)),
            Ok(parsed) => {
                for r in &parsed.results {
                    let (identifier, ours) = match r.method.as_str() {
                        "dkim" => {
                            let d = r
                                .prop("header", "d")
                                .map(domain_of)
                                .or_else(|| r.prop("header", "i").map(domain_of));
                            let sel = r.prop("header", "s").map(str::to_ascii_lowercase);
                            let ours = report
                                .dkim
                                .iter()
                                .find(|k| {
                                    d.is_some()
                                        && k.domain == d
                                        && (sel.is_none() || k.selector == sel)
                                })
                                .map(|k| k.result);
                            (d, ours)
                        }
                        "spf" => {
                            let id = r
                                .prop("smtp", "mailfrom")
                                .or_else(|| r.prop("smtp", "helo"))
                                .map(domain_of);
                            let ours = report
                                .spf
                                .as_ref()
                                .filter(|s| id.as_ref().is_none_or(|i| *i == s.domain))
                                .map(|s| s.result);
                            (id, ours)
                        }
                        "dmarc" => {
                            let id = r.prop("header", "from").map(domain_of);
                            let ours = Some(report.dmarc.result).filter(|_| {
                                id.as_ref()
                                    .is_none_or(|i| Some(i) == report.dmarc.from_domain.as_ref())
                            });
                            (id, ours)
                        }
                        _ => (None, None),
                    };
                    s.comparisons.push(Comparison {
                        method: r.method.clone(),
                        stated: r.result.clone(),
                        identifier,
                        ours,
                        agrees: ours.map(|v| v.as_str() == r.result),
                    });
                }
                s.parsed = Some(parsed);
            }
        }
        out.push(s);
    }
    out
}

/// A message being checked.
#[derive(Debug, Clone)]
pub struct Check {
    message: Vec<u8>,
    headers: HeaderSection,
    envelope: Envelope,
    now: u64,
    dkim: Vec<Prepared>,
    arc: PreparedChain,
    answers: Answers,
}

/// `message` with every bare LF turned into CRLF (files on disk often use LF; signatures are
/// made over the wire form).
pub fn to_wire(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + message.len() / 32);
    for (i, &b) in message.iter().enumerate() {
        if b == b'\n' && (i == 0 || message[i - 1] != b'\r') {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

impl Check {
    /// Starts checking `message` (any line ends; spans in the report are into its wire form,
    /// [`Check::message`]) received with `envelope` at `now` (seconds since the Unix epoch).
    pub fn new(message: &[u8], envelope: Envelope, now: u64) -> Check {
        let message = to_wire(message);
        let headers = parse_header_section(&message, 0, message.len());
        let dkim = dkim::prepare(&message, &headers);
        let arc = arc::prepare(&message, &headers);
        Check {
            message,
            headers,
            envelope,
            now,
            dkim,
            arc,
            answers: Answers::new(),
        }
    }

    /// The message in wire form, which the report's spans point into.
    pub fn message(&self) -> &[u8] {
        &self.message
    }

    /// Records the answer to `query`.
    pub fn handle_answer(&mut self, query: Query, answer: Answer) {
        self.answers.insert(query, answer);
    }

    /// The queries that must be answered before the checks can go on (none when done).
    #[must_use]
    pub fn poll_queries(&self) -> Vec<Query> {
        self.evaluate().err().unwrap_or_default()
    }

    /// The report, once every query is answered.
    #[must_use]
    pub fn poll_report(&self) -> Option<Report> {
        self.evaluate().ok()
    }

    /// Answers every query with `source` and returns the report.
    pub fn run(mut self, mut source: impl FnMut(&Query) -> Answer) -> Report {
        loop {
            match self.evaluate() {
                Ok(report) => return report,
                Err(queries) => {
                    for q in queries {
                        let a = source(&q);
                        self.handle_answer(q, a);
                    }
                }
            }
        }
    }

    fn evaluate(&self) -> Result<Report, Vec<Query>> {
        let mut pending = Vec::new();
        let mut note = |p: Pending| {
            if !pending.contains(&p.0) {
                pending.push(p.0);
            }
        };
        let mut dkim = Vec::new();
        for p in &self.dkim {
            match dkim::finish(p, &self.answers, self.now) {
                Ok(r) => dkim.push(r),
                Err(p) => note(p),
            }
        }
        let spf = match self.envelope.ip {
            None => None,
            Some(ip) => match spf::check(
                ip,
                self.envelope.helo.as_deref(),
                self.envelope.mail_from.as_deref(),
                &self.answers,
            ) {
                Ok(r) => Some(r),
                Err(p) => {
                    note(p);
                    None
                }
            },
        };
        let discovered = dmarc::discover(&self.message, &self.headers, &self.answers);
        let discovered = match discovered {
            Ok(d) => Some(d),
            Err(p) => {
                note(p);
                None
            }
        };
        let arc = match arc::finish(&self.arc, &self.answers, self.now) {
            Ok(a) => Some(a),
            Err(p) => {
                note(p);
                None
            }
        };
        if !pending.is_empty() {
            return Err(pending);
        }
        let (Some(discovered), Some(arc)) = (discovered, arc) else {
            return Err(pending);
        };
        let dmarc = dmarc::evaluate(discovered, &dkim, spf.as_ref());
        let mut report = Report {
            dkim,
            spf,
            dmarc,
            arc,
            authentication_results: Vec::new(),
        };
        report.authentication_results = stated(&self.message, &self.headers, &report);
        Ok(report)
    }
}
