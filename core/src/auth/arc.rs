//! ARC ([RFC 8617](https://www.rfc-editor.org/rfc/rfc8617)): chain validation of the ARC sets
//! intermediaries add (ARC-Authentication-Results, ARC-Message-Signature, ARC-Seal, each with
//! an instance `i=`).
//!
//! ```text
//! sets 1..N, complete, no gaps ─► AS(N) cv≠fail ─► AS(1) cv=none, AS(i>1) cv=pass
//!   ─► AMS(N) verified like a DKIM signature (header fields + body)
//!   ─► AS(N)…AS(1) each verified over the ARC fields of sets 1..i (relaxed) ─► pass / fail
//!   ─► AMS(N-1)…AMS(1) verified too, for information: an intermediary that changed the
//!      message after an older set was added breaks that set's AMS, not the chain
//! ```
//!
//! Keys are fetched and signatures verified by the DKIM code ([`super::dkim::verify`]); only the
//! structure, the `cv=` rules and the seal's header block are ARC's own.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::lint::{msg, Message};

use crate::mime::header::{Field, HeaderSection};
use crate::span::Span;

use super::dkim::canon::{self, Canon};
use super::dkim::signature::{self, Kind};
use super::dkim::verify::{self, prepare_field, DkimResult, Prepared};
use super::dns::{Answers, Pending};
use super::{said, tags, Step, Verdict};

/// Most ARC sets a chain may have (RFC 8617 §4.2.1).
pub const MAX_SETS: u32 = 50;

/// One ARC set's results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArcSet {
    /// The instance.
    pub instance: u32,
    /// The seal's `cv=`.
    pub cv: Option<String>,
    /// Who added the set (the seal's `d=`).
    pub domain: Option<String>,
    /// The ARC-Message-Signature. Only the latest set's decides the chain (RFC 8617 §5.2);
    /// older ones are verified to show which hop changed the message.
    pub message_signature: Option<DkimResult>,
    /// The ARC-Seal, when it was verified.
    pub seal: Option<DkimResult>,
}

/// The ARC result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArcResult {
    /// `none` (no ARC fields), `pass` or `fail` (RFC 8617 §4.4: the chain validation status).
    pub result: Verdict,
    /// Why (JSON: the English text).
    #[serde(with = "crate::lint::english")]
    pub reason: Message,
    /// The bytes responsible.
    pub span: Option<Span>,
    /// The sets, latest first.
    pub sets: Vec<ArcSet>,
    /// Every step.
    pub steps: Vec<Step>,
}

/// The fields of one set, by index into the header section.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Members {
    aar: Option<usize>,
    ams: Option<usize>,
    seal: Option<usize>,
}

/// An ARC chain with everything computed that needs no DNS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedChain {
    /// Why the chain fails before any key is fetched, and where.
    structure: Option<(Message, Span)>,
    /// The ARC-Message-Signatures, latest first (the first decides the chain).
    message_signatures: Vec<Prepared>,
    /// The seals, latest first.
    seals: Vec<Prepared>,
    /// Steps so far.
    steps: Vec<Step>,
    /// Whether the message has ARC fields at all.
    present: bool,
}

/// The instance of an ARC field: the `i=` tag of its value (for ARC-Authentication-Results,
/// the tag before the first `;`).
fn instance(message: &[u8], field: &Field) -> Option<u32> {
    let value = field.raw_value(message);
    let head = value.split(|&b| b == b';').next().unwrap_or_default();
    let t = tags::parse(head, 0).ok()?;
    tags::get(&t, "i")?.value.parse().ok()
}

/// The seal's header block (RFC 8617 §5.1.1): the ARC fields of sets 1..=i, each set as AAR,
/// AMS, AS, relaxed; the seal of set i with `b=` emptied and no final CRLF.
fn seal_block(
    message: &[u8],
    headers: &HeaderSection,
    sets: &BTreeMap<u32, Members>,
    upto: u32,
    seal: &signature::Signature,
) -> Vec<u8> {
    let mut out = Vec::new();
    for (_, m) in sets.range(1..=upto) {
        for index in [m.aar, m.ams, m.seal].into_iter().flatten() {
            let f = &headers.fields[index];
            let mut value = f.raw_value(message).to_vec();
            if Some(index) == sets.get(&upto).and_then(|m| m.seal) {
                let blank = seal.tag("b").map_or(Span::default(), |t| t.raw_value_span);
                let (start, end) = (blank.start - f.value.start, blank.end - f.value.start);
                value.drain(start..end);
            }
            canon::header(
                &mut out,
                Canon::Relaxed,
                f.name(message).trim_ascii(),
                &value,
            );
        }
    }
    out.truncate(out.len().saturating_sub(2));
    out
}

/// Collects and checks the ARC sets of `message` and prepares their signatures.
pub fn prepare(message: &[u8], headers: &HeaderSection) -> PreparedChain {
    let mut chain = PreparedChain {
        structure: None,
        message_signatures: Vec::new(),
        seals: Vec::new(),
        steps: Vec::new(),
        present: false,
    };
    let mut sets: BTreeMap<u32, Members> = BTreeMap::new();
    let fail = |chain: &mut PreparedChain, reason: Message, span: Span| {
        if chain.structure.is_none() {
            chain.structure = Some((reason, span));
        }
    };
    for (index, f) in headers.fields.iter().enumerate() {
        let name = f.name(message).trim_ascii().to_ascii_lowercase();
        let slot = match name.as_slice() {
            b"arc-authentication-results" => 0,
            b"arc-message-signature" => 1,
            b"arc-seal" => 2,
            _ => continue,
        };
        chain.present = true;
        let Some(i) = instance(message, f).filter(|i| (1..=MAX_SETS).contains(i)) else {
            fail(
                &mut chain,
                msg!(
                    "an {name} field without a valid i= (1 to {MAX_SETS})",
                    name = String::from_utf8_lossy(f.name(message)),
                    MAX_SETS
                ),
                f.span,
            );
            continue;
        };
        let m = sets.entry(i).or_default();
        let member = match slot {
            0 => &mut m.aar,
            1 => &mut m.ams,
            _ => &mut m.seal,
        };
        if member.is_some() {
            fail(
                &mut chain,
                msg!(
                    "set i={i} has two {name} fields",
                    i,
                    name = String::from_utf8_lossy(f.name(message))
                ),
                f.span,
            );
        }
        *member = Some(index);
    }
    if !chain.present {
        return chain;
    }
    let n = sets.keys().next_back().copied().unwrap_or(0);
    let lines: Vec<String> = sets
        .iter()
        .map(|(i, m)| {
            format!(
                "i={i}: AAR {} AMS {} AS {}",
                m.aar.is_some(),
                m.ams.is_some(),
                m.seal.is_some()
            )
        })
        .collect();
    chain.steps.push(Step::note(
        msg!("Collect the ARC sets ({n})", n),
        Message::datum(lines.join("\n")),
    ));
    for i in 1..=n {
        match sets.get(&i) {
            Some(Members { aar: Some(_), ams: Some(_), seal: Some(_) }) => {}
            _ => fail(&mut chain, msg!("set i={i} is missing or incomplete: each set needs ARC-Authentication-Results, ARC-Message-Signature and ARC-Seal", i), Span::default()),
        }
    }
    if chain.structure.is_some() {
        return chain;
    }
    // Seals, latest first, with their cv= checked.
    for i in (1..=n).rev() {
        // Every set is complete here (checked above); a gap is skipped, never a panic.
        let Some(f) = sets
            .get(&i)
            .and_then(|m| m.seal)
            .and_then(|index| headers.fields.get(index))
        else {
            continue;
        };
        let parsed = signature::parse_as(message, f, Kind::ArcSeal);
        let block = match &parsed {
            Ok(seal) => {
                let want = if i == 1 { "none" } else { "pass" };
                match seal.cv.as_deref() {
                    Some("fail") if i == n => fail(&mut chain, msg!("the latest seal (i={i}) says cv=fail: an earlier hop found the chain broken", i), seal.span_of("cv", f.span)),
                    Some(cv) if cv != want => fail(&mut chain, msg!("the seal of set i={i} says cv={cv}; it must be {want}", i, cv, want), seal.span_of("cv", f.span)),
                    _ => {}
                }
                seal_block(message, headers, &sets, i, seal)
            }
            Err(e) => {
                fail(
                    &mut chain,
                    msg!("the seal of set i={i} cannot be read: {reason}", i)
                        .text("reason", e.reason.clone()),
                    e.span,
                );
                Vec::new()
            }
        };
        let steps = vec![Step::note(
            msg!("Canonicalize the ARC fields of sets 1 to {i} (relaxed)", i),
            msg!(
                "{n} bytes, ARC-Seal i={i} with b= emptied last",
                n = block.len(),
                i
            ),
        )];
        chain.seals.push(Prepared {
            field: *f,
            parsed,
            canonical_header: block,
            canonical_body: Vec::new(),
            body_hash: Vec::new(),
            signed_fields: Vec::new(),
            body: Span::default(),
            body_too_short: None,
            steps,
            lints: Vec::new(),
        });
    }
    // Every set is complete here, so the first is the latest set's.
    for i in (1..=n).rev() {
        if let Some(ams) = sets.get(&i).and_then(|m| m.ams) {
            chain
                .message_signatures
                .push(prepare_field(message, headers, ams, Kind::ArcMessage));
        }
    }
    chain
}

/// Validates the chain with the key records' answers.
pub fn finish(chain: &PreparedChain, answers: &Answers, now: u64) -> Result<ArcResult, Pending> {
    let mut r = ArcResult {
        result: Verdict::None,
        reason: msg!("the message has no ARC fields"),
        span: None,
        sets: Vec::new(),
        steps: chain.steps.clone(),
    };
    if !chain.present {
        return Ok(r);
    }
    let failed = |mut r: ArcResult, reason: Message, span: Option<Span>| {
        r.steps
            .push(Step::note(msg!("Result"), said(Verdict::Fail, reason.clone())).ok(false));
        r.result = Verdict::Fail;
        r.reason = reason;
        r.span = span;
        Ok(r)
    };
    if let Some((reason, span)) = &chain.structure {
        return failed(r, reason.clone(), Some(*span).filter(|s| !s.is_empty()));
    }
    let Some(ams) = chain.message_signatures.first() else {
        return failed(r, msg!("the latest set has no ARC-Message-Signature"), None);
    };
    let ams = verify::finish(ams, answers, now)?;
    let mut older = Vec::new();
    for p in chain.message_signatures.iter().skip(1) {
        older.push(verify::finish(p, answers, now)?);
    }
    let ams_ok = ams.result == Verdict::Pass;
    r.steps.push(
        Step::note(
            msg!("Verify the latest ARC-Message-Signature"),
            said(ams.result, ams.reason.clone()),
        )
        .at(ams.field)
        .ok(ams_ok),
    );
    let mut seals = Vec::new();
    for p in &chain.seals {
        seals.push(verify::finish(p, answers, now)?);
    }
    let message_signatures = std::iter::once(ams.clone()).chain(older);
    for ((p, seal), message_signature) in chain.seals.iter().zip(seals).zip(message_signatures) {
        let sig = p.parsed.as_ref().ok();
        r.sets.push(ArcSet {
            instance: sig.and_then(|s| s.instance).unwrap_or_default(),
            cv: sig.and_then(|s| s.cv.clone()),
            domain: seal.domain.clone(),
            message_signature: Some(message_signature),
            seal: Some(seal),
        });
    }
    if !ams_ok {
        return failed(
            r,
            msg!("the latest ARC-Message-Signature: {reason}").text("reason", ams.reason.clone()),
            Some(ams.span),
        );
    }
    for set in &r.sets {
        let Some(seal) = &set.seal else { continue };
        let ok = seal.result == Verdict::Pass;
        r.steps.push(
            Step::note(
                msg!("Verify the ARC-Seal of set i={i}", i = set.instance),
                said(seal.result, seal.reason.clone()),
            )
            .at(seal.field)
            .ok(ok),
        );
        if !ok {
            let (reason, span) = (
                msg!("the ARC-Seal of set i={i}: {reason}", i = set.instance)
                    .text("reason", seal.reason.clone()),
                seal.span,
            );
            return failed(r, reason, Some(span));
        }
    }
    // Older message signatures: information only (RFC 8617 §5.2 decides with the latest).
    for set in r.sets.iter().skip(1) {
        let Some(ams) = &set.message_signature else {
            continue;
        };
        r.steps.push(
            Step::note(
                msg!(
                    "Verify the ARC-Message-Signature of set i={i} (information: only the latest decides)",
                    i = set.instance
                ),
                said(ams.result, ams.reason.clone()),
            )
            .at(ams.field),
        );
    }
    r.result = Verdict::Pass;
    r.reason = msg!(
        "{n} ARC set(s), every seal and the latest message signature verified",
        n = r.sets.len()
    );
    r.steps
        .push(Step::note(msg!("Result"), said(Verdict::Pass, r.reason.clone())).ok(true));
    Ok(r)
}
