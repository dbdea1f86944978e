//! The whole-message check: DKIM, SPF and DMARC together, driven by the caller's answers.
//!
//! Call order: [`Check::new`] with the message, the [`Envelope`] and the time; then, until
//! [`Check::poll_queries`] returns nothing, answer each query with [`Check::handle_answer`];
//! then [`Check::poll_report`]. [`Check::run`] does the loop for a synchronous source of
//! answers (a zone file).

use serde::{Deserialize, Serialize};

use crate::mime::header::{parse_header_section, HeaderSection};

use super::dkim::{self, DkimResult, Prepared};
use super::dmarc::{self, DmarcResult};
use super::dns::{Answer, Answers, Pending, Query};
use super::spf::{self, SpfResult};

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
}

/// A message being checked.
#[derive(Debug, Clone)]
pub struct Check {
    message: Vec<u8>,
    headers: HeaderSection,
    envelope: Envelope,
    now: u64,
    dkim: Vec<Prepared>,
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
        Check {
            message,
            headers,
            envelope,
            now,
            dkim,
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
        if !pending.is_empty() {
            return Err(pending);
        }
        let discovered = discovered.ok_or_else(Vec::new)?;
        let dmarc = dmarc::evaluate(discovered, &dkim, spf.as_ref());
        Ok(Report { dkim, spf, dmarc })
    }
}
