//! `check_host()` ([RFC 7208 §4](https://www.rfc-editor.org/rfc/rfc7208#section-4)) over the
//! caller's answers.

use crate::lint::{msg, Message};
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::auth::dns::{Answer, Answers, Pending, Query, Record, RecordType};
use crate::auth::{lints, Verdict};
use crate::lint::Lint;
use crate::span::Span;

use super::macros::{self, Context, MacroString};
use super::record::{self, Mechanism, SpfRecord, Term};

/// Most DNS-querying terms per check (§4.6.4).
pub const LOOKUP_LIMIT: usize = 10;
/// Most void lookups per check (§4.6.4).
pub const VOID_LIMIT: usize = 2;
/// Most MX or PTR names looked at per mechanism (§4.6.4).
pub const NAME_LIMIT: usize = 10;

/// The evaluation of one term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermEval {
    /// The term as written.
    pub text: String,
    /// Where it is in the record's text.
    pub span: Span,
    /// Each query it made and the answer, as text.
    pub queries: Vec<(String, String)>,
    /// Whether it matched (None: not a mechanism, or an error stopped it).
    pub matched: Option<bool>,
    /// What it found, for people (empty: nothing to add; JSON: the English text).
    #[serde(with = "crate::lint::english")]
    pub note: Message,
    /// The check_host of an include or redirect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub child: Option<Box<Node>>,
}

/// One `check_host()` call: a domain, its record and its terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Node {
    /// The domain checked.
    pub domain: String,
    /// The record found, if any.
    pub record: Option<String>,
    /// The TXT answer, for people (JSON: the English text).
    #[serde(with = "crate::lint::english")]
    pub answer: Message,
    /// The terms evaluated, in order (evaluation stops at the first match).
    pub terms: Vec<TermEval>,
    /// The result of this call.
    pub result: Verdict,
    /// Why (JSON: the English text).
    #[serde(with = "crate::lint::english")]
    pub reason: Message,
}

/// The SPF result of a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpfResult {
    /// The result word.
    pub result: Verdict,
    /// The domain whose policy decided (the MAIL FROM domain, or the HELO name).
    pub domain: String,
    /// Which identity was checked: `mailfrom` or `helo`.
    pub identity: String,
    /// The sender used in macros (`postmaster@helo` for the null sender).
    pub sender: String,
    /// The client address.
    pub ip: IpAddr,
    /// Why, for people (JSON: the English text).
    #[serde(with = "crate::lint::english")]
    pub reason: Message,
    /// The explanation of a fail (`exp=`), expanded.
    pub explanation: Option<String>,
    /// DNS-querying terms used (of [`LOOKUP_LIMIT`]).
    pub lookups: usize,
    /// Void lookups (of [`VOID_LIMIT`]).
    pub void_lookups: usize,
    /// The evaluation tree.
    pub tree: Node,
    /// Findings (spans are into the record of the node they concern; the message says which).
    pub lints: Vec<Lint>,
}

/// The result of SPF for `ip` with `helo` and `mail_from` (`Some("")` for the null sender, whose
/// identity is the HELO name, RFC 7208 §2.4).
pub fn check(
    ip: IpAddr,
    helo: Option<&str>,
    mail_from: Option<&str>,
    answers: &Answers,
) -> Result<SpfResult, Pending> {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    let helo = helo.unwrap_or("").trim_end_matches('.');
    let (identity, sender) = match mail_from.map(|m| m.trim_matches(['<', '>'])) {
        Some(m) if !m.is_empty() => (
            "mailfrom",
            if m.contains('@') {
                m.to_owned()
            } else {
                format!("postmaster@{m}")
            },
        ),
        _ => ("helo", format!("postmaster@{helo}")),
    };
    let domain = crate::auth::normalize_domain(sender.rsplit_once('@').map_or("", |(_, d)| d));
    let mut ev = Eval {
        ip,
        helo,
        sender: &sender,
        answers,
        lookups: 0,
        voids: 0,
        lints: Vec::new(),
    };
    let mut tree = ev.check_host(&domain, 0)?;
    let mut explanation = None;
    if tree.result == Verdict::Fail {
        explanation = ev.explain(&tree, &domain)?;
    }
    if domain.is_empty() {
        tree.reason = msg!("no MAIL FROM domain and no HELO name to check");
    }
    Ok(SpfResult {
        result: tree.result,
        domain,
        identity: identity.to_owned(),
        sender: sender.clone(),
        ip,
        reason: tree.reason.clone(),
        explanation,
        lookups: ev.lookups,
        void_lookups: ev.voids,
        lints: ev.lints,
        tree,
    })
}

/// Why evaluation of a node stopped early.
enum Stop {
    Pending(Pending),
    Error(Verdict, Message),
}

impl From<Pending> for Stop {
    fn from(p: Pending) -> Stop {
        Stop::Pending(p)
    }
}

struct Eval<'a> {
    ip: IpAddr,
    helo: &'a str,
    sender: &'a str,
    answers: &'a Answers,
    lookups: usize,
    voids: usize,
    lints: Vec<Lint>,
}

fn valid_domain(d: &str) -> bool {
    !d.is_empty()
        && d.len() <= 253
        && d.contains('.')
        && d.split('.').all(|l| !l.is_empty() && l.len() <= 63)
}

fn in_net(ip: IpAddr, net: IpAddr, len: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
            u32::from(a) & mask == u32::from(b) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
            u128::from(a) & mask == u128::from(b) & mask
        }
        _ => false,
    }
}

fn addresses(answer: &Answer) -> Vec<IpAddr> {
    answer
        .records()
        .iter()
        .filter_map(|r| match r {
            Record::A(a) => Some(IpAddr::V4(*a)),
            Record::Aaaa(a) => Some(IpAddr::V6(*a)),
            _ => None,
        })
        .collect()
}

impl Eval<'_> {
    fn addr_type(&self) -> RecordType {
        if self.ip.is_ipv4() {
            RecordType::A
        } else {
            RecordType::Aaaa
        }
    }

    /// Asks `query` for a term, noting it and counting a void answer.
    fn ask(&mut self, t: &mut TermEval, query: Query, counts_void: bool) -> Result<Answer, Stop> {
        let answer = self.answers.ask(query.clone())?.clone();
        t.queries.push((query.to_string(), answer.describe()));
        if let Answer::Error(e) = &answer {
            return Err(Stop::Error(
                Verdict::Temperror,
                msg!("the lookup of {query} failed: {e}", query, e),
            ));
        }
        if counts_void && answer.is_void() {
            self.voids += 1;
            if self.voids > VOID_LIMIT {
                self.lints.push(lints::SPF_VOID_LIMIT.at(
                    t.span,
                    msg!(
                        "{query} is void lookup number {n}; at most {VOID_LIMIT} are allowed",
                        query,
                        n = self.voids,
                        VOID_LIMIT
                    ),
                ));
                return Err(Stop::Error(
                    Verdict::Permerror,
                    msg!(
                        "more than {VOID_LIMIT} void lookups (the last: {query})",
                        VOID_LIMIT,
                        query
                    ),
                ));
            }
        }
        Ok(answer)
    }

    fn count(&mut self, t: &TermEval) -> Result<(), Stop> {
        self.lookups += 1;
        if self.lookups > LOOKUP_LIMIT {
            self.lints.push(lints::SPF_LOOKUP_LIMIT.at(
                t.span,
                msg!(
                    "{term} is DNS-querying term number {n}; at most {LOOKUP_LIMIT} are allowed",
                    term = format_args!("{:?}", t.text),
                    n = self.lookups,
                    LOOKUP_LIMIT
                ),
            ));
            return Err(Stop::Error(
                Verdict::Permerror,
                msg!(
                    "more than {LOOKUP_LIMIT} DNS-querying terms (the last: {term})",
                    LOOKUP_LIMIT,
                    term = &t.text
                ),
            ));
        }
        Ok(())
    }

    /// The `p` macro's value: a PTR name of the client that resolves back to it.
    fn validated_ptr(
        &mut self,
        t: &mut TermEval,
        within: Option<&str>,
    ) -> Result<Vec<String>, Stop> {
        let rev = match self.ip {
            IpAddr::V4(v4) => {
                let o = v4.octets();
                format!("{}.{}.{}.{}.in-addr.arpa", o[3], o[2], o[1], o[0])
            }
            IpAddr::V6(v6) => {
                let nibbles: Vec<String> = v6
                    .octets()
                    .iter()
                    .rev()
                    .flat_map(|b| [b & 15, b >> 4])
                    .map(|n| format!("{n:x}"))
                    .collect();
                format!("{}.ip6.arpa", nibbles.join("."))
            }
        };
        let answer = match self.ask(t, Query::new(&rev, RecordType::Ptr), false) {
            Ok(a) => a,
            // A failed PTR lookup makes ptr not match (§5.5).
            Err(Stop::Error(Verdict::Temperror, _)) => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut names: Vec<String> = answer
            .records()
            .iter()
            .filter_map(|r| match r {
                Record::Ptr(n) => Some(crate::auth::normalize_domain(n)),
                _ => None,
            })
            .collect();
        if let Some(target) = within {
            // Names in the target domain first (§5.5).
            names.sort_by_key(|n| !(n == target || n.ends_with(&format!(".{target}"))));
        }
        let mut valid = Vec::new();
        for name in names.into_iter().take(NAME_LIMIT) {
            let a = match self.ask(t, Query::new(&name, self.addr_type()), false) {
                Ok(a) => a,
                Err(Stop::Error(Verdict::Temperror, _)) => continue,
                Err(e) => return Err(e),
            };
            if addresses(&a).contains(&self.ip) {
                valid.push(name);
            }
        }
        Ok(valid)
    }

    fn expand(&mut self, m: &MacroString, domain: &str, t: &mut TermEval) -> Result<String, Stop> {
        let ptr = if m.uses_ptr() {
            self.validated_ptr(t, Some(domain))?
                .into_iter()
                .next()
                .unwrap_or_else(|| "unknown".into())
        } else {
            String::new()
        };
        let cx = Context {
            sender: self.sender,
            domain,
            ip: self.ip,
            helo: self.helo,
            ptr: &ptr,
            receiver: "unknown",
            now: 0,
        };
        Ok(macros::truncate_domain(&m.expand(&cx)))
    }

    fn check_host(&mut self, domain: &str, depth: usize) -> Result<Node, Pending> {
        let mut node = Node {
            domain: domain.to_owned(),
            record: None,
            answer: Message::default(),
            terms: Vec::new(),
            result: Verdict::None,
            reason: Message::default(),
        };
        if !valid_domain(domain) {
            node.reason = msg!(
                "{domain} is not a fully qualified domain name",
                domain = format_args!("{domain:?}")
            );
            return Ok(node);
        }
        let query = Query::new(domain, RecordType::Txt);
        let answer = self.answers.ask(query.clone())?;
        node.answer = answer.said();
        if let Answer::Error(e) = answer {
            node.result = Verdict::Temperror;
            node.reason = msg!("the lookup of {query} failed: {e}", query, e);
            return Ok(node);
        }
        let records: Vec<&[u8]> = answer.txts().filter(|t| record::is_spf(t)).collect();
        let text = match records.as_slice() {
            [] => {
                node.reason = msg!("{domain} publishes no SPF record", domain);
                return Ok(node);
            }
            [one] => String::from_utf8_lossy(one).into_owned(),
            _ => {
                self.lints.push(lints::SPF_MULTIPLE_RECORDS.at(
                    Span::default(),
                    msg!("{domain} has {n} v=spf1 records", domain, n = records.len()),
                ));
                node.result = Verdict::Permerror;
                node.reason = msg!(
                    "{domain} publishes {n} SPF records; there must be one",
                    domain,
                    n = records.len()
                );
                return Ok(node);
            }
        };
        node.record = Some(text.clone());
        let rec = match record::parse(&text) {
            Ok(r) => r,
            Err(e) => {
                self.lints.push(
                    lints::SPF_SYNTAX.at(
                        e.span,
                        msg!("in the record of {domain}: {reason}", domain)
                            .text("reason", e.reason.clone()),
                    ),
                );
                node.result = Verdict::Permerror;
                node.reason = msg!("syntax error in the record of {domain}: {reason}", domain)
                    .text("reason", e.reason);
                return Ok(node);
            }
        };
        match self.terms(&rec, &text, domain, depth, &mut node) {
            Ok(()) => {}
            Err(Stop::Pending(p)) => return Err(p),
            Err(Stop::Error(v, reason)) => {
                node.result = v;
                node.reason = reason;
            }
        }
        Ok(node)
    }

    fn terms(
        &mut self,
        rec: &SpfRecord,
        text: &str,
        domain: &str,
        depth: usize,
        node: &mut Node,
    ) -> Result<(), Stop> {
        for (term, span) in &rec.terms {
            let Term::Directive(q, mech) = term else {
                continue;
            };
            let mut t = TermEval {
                text: span
                    .slice(text.as_bytes())
                    .iter()
                    .map(|&b| char::from(b))
                    .collect(),
                span: *span,
                queries: Vec::new(),
                matched: None,
                note: Message::default(),
                child: None,
            };
            if matches!(mech, Mechanism::Ptr(_)) {
                self.lints.push(lints::SPF_PTR.at(
                    *span,
                    msg!(
                        "{domain} uses {term}",
                        domain,
                        term = format_args!("{:?}", t.text)
                    ),
                ));
            }
            if mech.counts() {
                self.count(&t).inspect_err(|_| node.terms.push(t.clone()))?;
            }
            let result = self.mechanism(mech, domain, depth, &mut t);
            let matched = match result {
                Ok(m) => m,
                Err(e) => {
                    node.terms.push(t);
                    return Err(e);
                }
            };
            t.matched = Some(matched);
            node.terms.push(t);
            if matched {
                node.result = q.verdict();
                node.reason = msg!(
                    "{term} matched {ip}",
                    term = format_args!(
                        "{:?}",
                        node.terms
                            .last()
                            .map(|t| t.text.clone())
                            .unwrap_or_default()
                    ),
                    ip = self.ip
                );
                return Ok(());
            }
        }
        if let Some((target, span)) = rec.redirect() {
            let mut t = TermEval {
                text: span
                    .slice(text.as_bytes())
                    .iter()
                    .map(|&b| char::from(b))
                    .collect(),
                span,
                queries: Vec::new(),
                matched: None,
                note: Message::default(),
                child: None,
            };
            self.count(&t).inspect_err(|_| node.terms.push(t.clone()))?;
            let target = self.expand(target, domain, &mut t)?;
            let child = self.check_host(&target, depth + 1)?;
            node.result = if child.result == Verdict::None {
                Verdict::Permerror
            } else {
                child.result
            };
            node.reason =
                msg!("redirect to {target}: {reason}", target).text("reason", child.reason.clone());
            t.child = Some(Box::new(child));
            node.terms.push(t);
            return Ok(());
        }
        node.result = Verdict::Neutral;
        node.reason = msg!(
            "no mechanism of {domain} matched {ip} (the default is {default})",
            domain,
            ip = self.ip,
            default = Verdict::Neutral
        );
        Ok(())
    }

    fn mechanism(
        &mut self,
        mech: &Mechanism,
        domain: &str,
        depth: usize,
        t: &mut TermEval,
    ) -> Result<bool, Stop> {
        let target = |ev: &mut Self, t: &mut TermEval, m: &Option<MacroString>| match m {
            Some(m) => ev.expand(m, domain, t),
            None => Ok(domain.to_owned()),
        };
        Ok(match mech {
            Mechanism::All => true,
            Mechanism::Ip4(net, len) => in_net(self.ip, IpAddr::V4(*net), *len),
            Mechanism::Ip6(net, len) => in_net(self.ip, IpAddr::V6(*net), *len),
            Mechanism::A(d, v4, v6) => {
                let name = target(self, t, d)?;
                let a = self.ask(t, Query::new(&name, self.addr_type()), true)?;
                let len = if self.ip.is_ipv4() { *v4 } else { *v6 };
                addresses(&a).into_iter().any(|ip| in_net(self.ip, ip, len))
            }
            Mechanism::Mx(d, v4, v6) => {
                let name = target(self, t, d)?;
                let mx = self.ask(t, Query::new(&name, RecordType::Mx), true)?;
                let hosts: Vec<String> = mx
                    .records()
                    .iter()
                    .filter_map(|r| match r {
                        Record::Mx { exchange, .. } if !exchange.is_empty() => {
                            Some(exchange.clone())
                        }
                        _ => None,
                    })
                    .collect();
                if hosts.len() > NAME_LIMIT {
                    self.lints.push(lints::SPF_LOOKUP_LIMIT.at(
                        t.span,
                        msg!(
                            "{name} has {n} MX names; at most {NAME_LIMIT} may be looked up",
                            name,
                            n = hosts.len(),
                            NAME_LIMIT
                        ),
                    ));
                    return Err(Stop::Error(
                        Verdict::Permerror,
                        msg!(
                            "{name} has more than {NAME_LIMIT} MX names",
                            name,
                            NAME_LIMIT
                        ),
                    ));
                }
                let len = if self.ip.is_ipv4() { *v4 } else { *v6 };
                let mut found = false;
                for host in hosts {
                    // Void lookups count the term's own query (the MX), not its exchangers'.
                    let a = self.ask(t, Query::new(&host, self.addr_type()), false)?;
                    if addresses(&a).into_iter().any(|ip| in_net(self.ip, ip, len)) {
                        found = true;
                        break;
                    }
                }
                found
            }
            Mechanism::Ptr(d) => {
                let name = target(self, t, d)?;
                self.validated_ptr(t, Some(&name))?
                    .iter()
                    .any(|n| *n == name || n.ends_with(&format!(".{name}")))
            }
            Mechanism::Exists(m) => {
                let name = self.expand(m, domain, t)?;
                let a = self.ask(t, Query::new(&name, RecordType::A), true)?;
                !a.records().is_empty()
            }
            Mechanism::Include(m) => {
                let name = self.expand(m, domain, t)?;
                let child = self.check_host(&name, depth + 1)?;
                let (verdict, reason) = (child.result, child.reason.clone());
                let term = format!("include:{name}");
                t.note = msg!("{term} gave {verdict}", term, verdict);
                t.child = Some(Box::new(child));
                match verdict {
                    Verdict::Pass => true,
                    Verdict::Fail | Verdict::Softfail | Verdict::Neutral => false,
                    Verdict::Temperror => {
                        return Err(Stop::Error(
                            Verdict::Temperror,
                            msg!("{term}: {reason}", term).text("reason", reason),
                        ))
                    }
                    _ => {
                        return Err(Stop::Error(
                            Verdict::Permerror,
                            msg!("{term} gave {verdict}: {reason}", term, verdict)
                                .text("reason", reason),
                        ))
                    }
                }
            }
        })
    }

    /// The explanation of a fail: the `exp=` of the record that decided (§6.2).
    fn explain(&mut self, tree: &Node, domain: &str) -> Result<Option<String>, Pending> {
        // The deciding record is the last redirect target's, or the top one.
        let mut node = tree;
        let mut domain = domain.to_owned();
        while let Some(child) = node
            .terms
            .last()
            .and_then(|t| t.child.as_deref())
            .filter(|_| {
                node.terms
                    .last()
                    .is_some_and(|t| t.text.to_ascii_lowercase().starts_with("redirect="))
            })
        {
            node = child;
            domain.clone_from(&child.domain);
        }
        let Some(rec) = node.record.as_deref().and_then(|r| record::parse(r).ok()) else {
            return Ok(None);
        };
        let Some(exp) = rec.exp() else {
            return Ok(None);
        };
        let mut scratch = TermEval {
            text: String::new(),
            span: Span::default(),
            queries: Vec::new(),
            matched: None,
            note: Message::default(),
            child: None,
        };
        let name = match self.expand(exp, &domain, &mut scratch) {
            Ok(n) => n,
            Err(Stop::Pending(p)) => return Err(p),
            Err(Stop::Error(..)) => return Ok(None),
        };
        let answer = self.answers.ask(Query::new(&name, RecordType::Txt))?;
        let texts: Vec<&[u8]> = answer.txts().collect();
        let [one] = texts.as_slice() else {
            return Ok(None);
        };
        let Ok(m) = macros::parse(&String::from_utf8_lossy(one), true) else {
            return Ok(None);
        };
        let cx = Context {
            sender: self.sender,
            domain: &domain,
            ip: self.ip,
            helo: self.helo,
            ptr: "unknown",
            receiver: "unknown",
            now: 0,
        };
        Ok(Some(m.expand(&cx)))
    }
}
