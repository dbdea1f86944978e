//! The DNS questions a check asks and the answers a caller gives back.
//!
//! A check never resolves a name itself: evaluation code calls [`Answers::ask`], which either
//! returns the answer the caller supplied or stops evaluation with [`Pending`] naming the
//! query. The caller answers it ([`Answers::insert`]) and evaluation starts again.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Serialize};

use crate::lint::{msg, Message};

/// The record types the checks ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum RecordType {
    /// IPv4 address.
    A,
    /// IPv6 address.
    Aaaa,
    /// Mail exchanger.
    Mx,
    /// Text (DKIM keys, SPF and DMARC records).
    Txt,
    /// Reverse pointer (SPF `ptr` and the `%{p}` macro).
    Ptr,
}

impl RecordType {
    /// The type's mnemonic, as in a zone file.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordType::A => "A",
            RecordType::Aaaa => "AAAA",
            RecordType::Mx => "MX",
            RecordType::Txt => "TXT",
            RecordType::Ptr => "PTR",
        }
    }
}

/// One DNS question.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Query {
    /// The name asked for, lowercase, without a trailing dot.
    pub name: String,
    /// The record type asked for.
    #[serde(rename = "type")]
    pub rtype: RecordType,
}

impl Query {
    /// A question for `rtype` records of `name` (normalized to lowercase, no trailing dot).
    pub fn new(name: &str, rtype: RecordType) -> Query {
        Query {
            name: super::normalize_domain(name),
            rtype,
        }
    }
}

impl std::fmt::Display for Query {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.name, self.rtype.as_str())
    }
}

/// One record of an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data", rename_all = "UPPERCASE")]
pub enum Record {
    /// An IPv4 address.
    A(Ipv4Addr),
    /// An IPv6 address.
    Aaaa(Ipv6Addr),
    /// A mail exchanger.
    Mx {
        /// Lower is preferred.
        preference: u16,
        /// The exchanger's name, without a trailing dot.
        exchange: String,
    },
    /// A TXT record: its character-strings joined without separators (RFC 7208 §3.3,
    /// RFC 6376 §3.6.2.2).
    Txt(Vec<u8>),
    /// A PTR target, without a trailing dot.
    Ptr(String),
}

impl std::fmt::Display for Record {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Record::A(ip) => write!(f, "A {ip}"),
            Record::Aaaa(ip) => write!(f, "AAAA {ip}"),
            Record::Mx {
                preference,
                exchange,
            } => write!(f, "MX {preference} {exchange}"),
            Record::Txt(t) => write!(f, "TXT \"{}\"", String::from_utf8_lossy(t).escape_debug()),
            Record::Ptr(name) => write!(f, "PTR {name}"),
        }
    }
}

/// The answer to one [`Query`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "records", rename_all = "lowercase")]
pub enum Answer {
    /// The name exists; these are its records of the type asked for (possibly none).
    Records(Vec<Record>),
    /// The name does not exist (NXDOMAIN).
    Nxdomain,
    /// No usable answer (timeout, SERVFAIL): the reason, for people.
    Error(String),
}

impl Answer {
    /// The records, or none for NXDOMAIN and errors.
    pub fn records(&self) -> &[Record] {
        match self {
            Answer::Records(r) => r,
            Answer::Nxdomain | Answer::Error(_) => &[],
        }
    }

    /// Whether the answer is a "void lookup" of RFC 7208 §4.6.4: NXDOMAIN or no records.
    pub fn is_void(&self) -> bool {
        matches!(self, Answer::Nxdomain) || matches!(self, Answer::Records(r) if r.is_empty())
    }

    /// The TXT strings of the answer.
    pub fn txts(&self) -> impl Iterator<Item = &[u8]> {
        self.records().iter().filter_map(|r| match r {
            Record::Txt(t) => Some(t.as_slice()),
            _ => None,
        })
    }

    /// One line for people: the records, "NXDOMAIN", "no records" or the error.
    pub fn describe(&self) -> String {
        self.said().english()
    }

    /// [`Answer::describe`] as a message, for people in any language.
    pub fn said(&self) -> Message {
        match self {
            Answer::Records(r) if r.is_empty() => msg!("no records"),
            Answer::Records(r) => Message::datum(
                r.iter()
                    .map(Record::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            Answer::Nxdomain => msg!("NXDOMAIN (no such name)"),
            Answer::Error(e) => msg!("lookup failed: {e}", e),
        }
    }
}

/// Evaluation stopped: this query must be answered first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending(pub Query);

/// The answers supplied so far, by query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answers {
    map: BTreeMap<Query, Answer>,
}

impl Answers {
    /// No answers yet.
    pub fn new() -> Answers {
        Answers::default()
    }

    /// Records the answer to `query`.
    pub fn insert(&mut self, query: Query, answer: Answer) {
        self.map.insert(query, answer);
    }

    /// The answer to `query`, or [`Pending`] when the caller has not supplied it yet.
    pub fn ask(&self, query: Query) -> Result<&Answer, Pending> {
        self.map.get(&query).ok_or(Pending(query))
    }

    /// Whether `query` has an answer.
    pub fn has(&self, query: &Query) -> bool {
        self.map.contains_key(query)
    }
}
