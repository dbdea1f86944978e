//! DMARC ([RFC 7489](https://www.rfc-editor.org/rfc/rfc7489)): the author domain, policy
//! discovery with the organizational domain of the Public Suffix List (the `psl` crate), and
//! the alignment of DKIM and SPF.
//!
//! ```text
//! From ─► author domain ─► _dmarc.author TXT ─(none)─► _dmarc.<organizational domain> TXT
//!                                   │
//!   DKIM pass with d= aligned ──────┼──► pass / fail ─► p= (or sp= for a subdomain), pct=
//!   SPF pass with domain aligned ───┘
//! ```

use crate::lint::{msg, Message};
use serde::{Deserialize, Serialize};

use crate::lint::Lint;
use crate::mime::address::parse_address_list;
use crate::mime::header::HeaderSection;
use crate::span::Span;

use super::dkim::DkimResult;
use super::dns::{Answer, Answers, Pending, Query, RecordType};
use super::spf::SpfResult;
use super::{lints, normalize_domain, tags, Step, Verdict};

/// The organizational domain of `domain` (RFC 7489 §3.2): its registrable domain by the
/// Public Suffix List, or the name itself when it is a public suffix.
pub fn organizational_domain(domain: &str) -> String {
    let d = normalize_domain(domain);
    psl::domain_str(&d).map_or(d.clone(), str::to_owned)
}

/// An alignment mode (`adkim=`, `aspf=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Alignment {
    /// Same organizational domain (the default).
    Relaxed,
    /// The same domain exactly.
    Strict,
}

impl Alignment {
    /// Whether `domain` is aligned with `author` in this mode.
    pub fn aligned(self, domain: &str, author: &str) -> bool {
        let (d, a) = (normalize_domain(domain), normalize_domain(author));
        match self {
            Alignment::Strict => d == a,
            Alignment::Relaxed => organizational_domain(&d) == organizational_domain(&a),
        }
    }
}

/// A DMARC record, read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DmarcRecord {
    /// `p=`.
    pub policy: String,
    /// `sp=` (defaults to `p=`).
    pub subdomain_policy: String,
    /// `adkim=`.
    pub adkim: Alignment,
    /// `aspf=`.
    pub aspf: Alignment,
    /// `pct=`.
    pub pct: u8,
}

/// Reads a DMARC record (§6.3, §6.4). A record whose `p=` or `sp=` is invalid counts as
/// `p=none` when it has `rua=` (§6.6.3 step 6).
pub fn parse_record(txt: &[u8]) -> Result<DmarcRecord, Message> {
    let t = tags::parse(txt, 0).map_err(|e| e.reason)?;
    match t.first() {
        Some(v) if v.name == "v" && v.value == "DMARC1" => {}
        _ => return Err(msg!("the record does not start with v=DMARC1")),
    }
    let policy = |name: &str| -> Result<Option<String>, Message> {
        tags::get(&t, name)
            .map(|p| match p.value.to_ascii_lowercase().as_str() {
                v @ ("none" | "quarantine" | "reject") => Ok(v.to_owned()),
                v => Err(msg!(
                    "{name}={v} is not none, quarantine or reject",
                    name,
                    v
                )),
            })
            .transpose()
    };
    let (p, sp) = match (policy("p"), policy("sp")) {
        (Ok(Some(p)), Ok(sp)) => {
            let sp = sp.unwrap_or_else(|| p.clone());
            (p, sp)
        }
        (p, sp) => {
            let why = p
                .err()
                .or(sp.err())
                .unwrap_or_else(|| msg!("p= is missing"));
            if tags::get(&t, "rua").is_some() {
                ("none".to_owned(), "none".to_owned())
            } else {
                return Err(why);
            }
        }
    };
    let mode = |name: &str| -> Result<Alignment, Message> {
        match tags::get(&t, name).map(|v| v.value.to_ascii_lowercase()) {
            None => Ok(Alignment::Relaxed),
            Some(v) if v == "r" => Ok(Alignment::Relaxed),
            Some(v) if v == "s" => Ok(Alignment::Strict),
            Some(v) => Err(msg!("{name}={v} is not r or s", name, v)),
        }
    };
    let pct = match tags::get(&t, "pct") {
        None => 100,
        Some(v) => v
            .value
            .parse::<u8>()
            .ok()
            .filter(|&n| n <= 100)
            .ok_or_else(|| msg!("pct={pct} is not 0 to 100", pct = &v.value))?,
    };
    Ok(DmarcRecord {
        policy: p,
        subdomain_policy: sp,
        adkim: mode("adkim")?,
        aspf: mode("aspf")?,
        pct,
    })
}

/// What discovery found: the author domain and the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovery {
    /// The author domain, or why there is none.
    pub author: Result<String, Message>,
    /// The From field(s).
    pub from_span: Span,
    /// The record, the domain it was found at, and its text.
    pub record: Option<(DmarcRecord, String, String)>,
    /// A lookup that failed.
    pub temperror: Option<Message>,
    /// Steps so far.
    pub steps: Vec<Step>,
    /// Findings so far.
    pub lints: Vec<Lint>,
}

/// How one DKIM or SPF result aligns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Aligned {
    /// The authenticated domain.
    pub domain: String,
    /// Its result.
    pub result: Verdict,
    /// Whether it passed and aligns with the author domain.
    pub aligned: bool,
}

/// The DMARC result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DmarcResult {
    /// The result word.
    pub result: Verdict,
    /// Why (JSON: the English text).
    #[serde(with = "crate::lint::english")]
    pub reason: Message,
    /// The author (From) domain.
    pub from_domain: Option<String>,
    /// Its organizational domain.
    pub org_domain: Option<String>,
    /// Where the record was found.
    pub record_domain: Option<String>,
    /// The record's text.
    pub record: Option<String>,
    /// The policy that applies (`p=`, or `sp=` for a subdomain): none, quarantine or reject.
    pub policy: Option<String>,
    /// What a receiver following the policy does with this message: none, quarantine, reject.
    pub disposition: String,
    /// `pct=`.
    pub pct: Option<u8>,
    /// `adkim=`.
    pub adkim: Option<Alignment>,
    /// `aspf=`.
    pub aspf: Option<Alignment>,
    /// Each DKIM result and its alignment.
    pub dkim: Vec<Aligned>,
    /// The SPF result and its alignment.
    pub spf: Option<Aligned>,
    /// Every step.
    pub steps: Vec<Step>,
    /// Findings.
    pub lints: Vec<Lint>,
}

fn lookup(
    domain: &str,
    answers: &Answers,
    steps: &mut Vec<Step>,
    lints: &mut Vec<Lint>,
) -> Result<Result<Option<(DmarcRecord, String)>, Message>, Pending> {
    let q = Query::new(&format!("_dmarc.{domain}"), RecordType::Txt);
    let answer = answers.ask(q.clone())?;
    steps.push(Step::note(
        msg!("Look up the policy: {q}", q),
        answer.said(),
    ));
    if let Answer::Error(e) = answer {
        return Ok(Err(msg!("the lookup of {query} failed: {e}", query = q, e)));
    }
    let records: Vec<&[u8]> = answer
        .txts()
        .filter(|t| t.len() >= 8 && t[..8].eq_ignore_ascii_case(b"v=DMARC1"))
        .collect();
    let [one] = records.as_slice() else {
        return Ok(Ok(None));
    };
    let text = String::from_utf8_lossy(one).into_owned();
    match parse_record(one) {
        Ok(r) => Ok(Ok(Some((r, text)))),
        Err(e) => {
            lints.push(lints::DMARC_SYNTAX.at(
                Span::default(),
                msg!("the record at {name}: {e}", name = &q.name).text("e", e.clone()),
            ));
            steps.push(
                Step::note(
                    msg!("Read the record"),
                    msg!("{text}: {e}; ignored", text).text("e", e),
                )
                .ok(false),
            );
            Ok(Ok(None))
        }
    }
}

/// The author domain and the policy record of `message`.
pub fn discover(
    message: &[u8],
    headers: &HeaderSection,
    answers: &Answers,
) -> Result<Discovery, Pending> {
    let froms: Vec<_> = headers
        .fields
        .iter()
        .filter(|f| f.is(message, "From"))
        .collect();
    let from_span = match (froms.first(), froms.last()) {
        (Some(a), Some(b)) => Span::new(a.span.start, b.span.end),
        _ => Span::default(),
    };
    let mut d = Discovery {
        author: Err(Message::default()),
        from_span,
        record: None,
        temperror: None,
        steps: Vec::new(),
        lints: Vec::new(),
    };
    let mut domains: Vec<String> = Vec::new();
    for f in &froms {
        for m in parse_address_list(&f.unfolded(message)).mailboxes() {
            let dom = normalize_domain(
                m.address
                    .rsplit_once('@')
                    .map_or("", |(_, d)| d.trim_end_matches('>')),
            );
            if !domains.contains(&dom) {
                domains.push(dom);
            }
        }
    }
    let author: Result<String, Message> = match (froms.len(), domains.as_slice()) {
        (0, _) => Err(msg!("the message has no From field")),
        (1, [one]) if !one.is_empty() => Ok(one.clone()),
        (1, [_]) | (1, []) => Err(msg!("the From field has no address with a domain")),
        (n, _) if n > 1 => Err(msg!("the message has {n} From fields", n)),
        (_, many) => Err(msg!(
            "the From field has addresses in {n} domains ({domains})",
            n = many.len(),
            domains = many.join(", ")
        )),
    };
    d.author.clone_from(&author);
    let author = match author {
        Ok(a) => a,
        Err(why) => {
            d.lints
                .push(lints::DMARC_MULTIPLE_FROM.at(from_span, why.clone()));
            d.steps.push(
                Step::note(msg!("Find the author domain (From)"), why)
                    .at(from_span)
                    .ok(false),
            );
            return Ok(d);
        }
    };
    d.steps.push(
        Step::note(
            msg!("Find the author domain (From)"),
            Message::datum(author.clone()),
        )
        .at(from_span)
        .ok(true),
    );
    let org = organizational_domain(&author);
    let mut found = lookup(&author, answers, &mut d.steps, &mut d.lints)?;
    let mut at = author.clone();
    if matches!(found, Ok(None)) && org != author {
        d.steps.push(Step::note(
            msg!("No record: try the organizational domain"),
            msg!("{org} (Public Suffix List)", org),
        ));
        found = lookup(&org, answers, &mut d.steps, &mut d.lints)?;
        at = org;
    }
    match found {
        Err(e) => d.temperror = Some(e),
        Ok(Some((r, text))) => d.record = Some((r, at, text)),
        Ok(None) => d.lints.push(lints::DMARC_NO_RECORD.at(
            from_span,
            msg!(
                "no DMARC record at _dmarc.{author} or its organizational domain",
                author
            ),
        )),
    }
    Ok(d)
}

/// The DMARC result from discovery and the DKIM and SPF results.
pub fn evaluate(d: Discovery, dkim: &[DkimResult], spf: Option<&SpfResult>) -> DmarcResult {
    let mut r = DmarcResult {
        result: Verdict::None,
        reason: Message::default(),
        from_domain: d.author.as_ref().ok().cloned(),
        org_domain: d.author.as_ref().ok().map(|a| organizational_domain(a)),
        record_domain: None,
        record: None,
        policy: None,
        disposition: "none".into(),
        pct: None,
        adkim: None,
        aspf: None,
        dkim: Vec::new(),
        spf: None,
        steps: d.steps,
        lints: d.lints,
    };
    let author = match d.author {
        Err(e) => {
            r.result = Verdict::Permerror;
            r.reason = msg!("no single author domain: {e}").text("e", e);
            return r;
        }
        Ok(a) => a,
    };
    if let Some(e) = d.temperror {
        r.result = Verdict::Temperror;
        r.reason = e;
        return r;
    }
    let Some((rec, at, text)) = d.record else {
        r.reason = msg!("{author} publishes no DMARC policy", author);
        return r;
    };
    r.record_domain = Some(at.clone());
    r.record = Some(text);
    r.pct = Some(rec.pct);
    r.adkim = Some(rec.adkim);
    r.aspf = Some(rec.aspf);
    let policy = if at != author {
        rec.subdomain_policy.clone()
    } else {
        rec.policy.clone()
    };
    r.policy = Some(policy.clone());
    for k in dkim {
        if let Some(domain) = &k.domain {
            let aligned = k.result == Verdict::Pass && rec.adkim.aligned(domain, &author);
            r.dkim.push(Aligned {
                domain: domain.clone(),
                result: k.result,
                aligned,
            });
        }
    }
    if let Some(s) = spf {
        r.spf = Some(Aligned {
            domain: s.domain.clone(),
            result: s.result,
            aligned: s.result == Verdict::Pass && rec.aspf.aligned(&s.domain, &author),
        });
    }
    let mode = |m: Alignment| match m {
        Alignment::Strict => msg!("{mode}: the same domain", mode = "strict"),
        Alignment::Relaxed => {
            msg!("{mode}: the same organizational domain", mode = "relaxed")
        }
    };
    let aligned = |a: &Aligned| match a.aligned {
        true => msg!("aligned"),
        false => msg!("not aligned"),
    };
    let lines: Vec<Message> = r
        .dkim
        .iter()
        .map(|a| {
            msg!(
                "DKIM d={d} {result} → {aligned}",
                d = &a.domain,
                result = a.result
            )
            .text("aligned", aligned(a))
        })
        .collect();
    r.steps.push(
        Step::note(
            msg!("DKIM alignment (adkim={mode})").text("mode", mode(rec.adkim)),
            if lines.is_empty() {
                msg!("no DKIM signature")
            } else {
                Message::joined(lines, "\n")
            },
        )
        .ok(r.dkim.iter().any(|a| a.aligned)),
    );
    r.steps.push(
        Step::note(
            msg!("SPF alignment (aspf={mode})").text("mode", mode(rec.aspf)),
            r.spf
                .as_ref()
                .map_or(msg!("SPF not checked (no client IP address given)"), |a| {
                    msg!(
                        "SPF {d} {result} → {aligned}",
                        d = &a.domain,
                        result = a.result
                    )
                    .text("aligned", aligned(a))
                }),
        )
        .ok(r.spf.as_ref().is_some_and(|a| a.aligned)),
    );
    let pass = r.dkim.iter().any(|a| a.aligned) || r.spf.as_ref().is_some_and(|a| a.aligned);
    if pass {
        r.result = Verdict::Pass;
        r.reason = msg!("an identifier aligned with {author} passed", author);
    } else {
        r.result = Verdict::Fail;
        r.reason = msg!("no DKIM or SPF pass aligned with {author}", author);
        r.disposition = policy.clone();
    }
    r.steps.push(
        Step::note(
            msg!("Apply the policy"),
            Message::joined(
                [
                    Message::joined(
                        [
                            Message::datum(format!(
                                "{}={policy}",
                                if at != author { "sp" } else { "p" }
                            )),
                            if rec.pct < 100 {
                                msg!(
                                    ", pct={pct} (applied to that share of failing mail)",
                                    pct = rec.pct
                                )
                            } else {
                                Message::default()
                            },
                        ],
                        "",
                    ),
                    match (pass, policy.as_str()) {
                        (true, _) => msg!("the message passes"),
                        (false, "reject") => {
                            msg!("a receiver following the policy would reject it")
                        }
                        (false, "quarantine") => {
                            msg!("a receiver following the policy would quarantine it")
                        }
                        (false, _) => msg!("a receiver following the policy would only report it"),
                    },
                ],
                ": ",
            ),
        )
        .ok(pass),
    );
    r
}
