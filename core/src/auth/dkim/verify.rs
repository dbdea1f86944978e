//! DKIM verification ([RFC 6376 §6](https://www.rfc-editor.org/rfc/rfc6376#section-6)) in two
//! halves: [`prepare`] (no DNS: parse, select, canonicalize, hash the body) and [`finish`]
//! (with the key record's answer: key checks and the signature itself).

use crate::lint::{msg, Message};
use serde::{Deserialize, Serialize};

use crate::auth::dns::{Answer, Answers, Pending, Query, RecordType};
use crate::auth::{lints, said, Step, Verdict};
use crate::codec::base64;
use crate::lint::Lint;
use crate::mime::header::{Field, HeaderSection};
use crate::span::Span;

use super::key::{self, PublicKey};
use super::signature::{self, Kind, Signature, SignatureError};
use super::{canon, Algorithm};

/// Most DKIM-Signature fields verified per message; later ones are reported as not checked.
pub const MAX_SIGNATURES: usize = 16;

/// Header fields whose repetition changes what a reader sees; signing each once more than it
/// occurs keeps a second one from being added (RFC 6376 §8.15).
const OVERSIGN: &[&str] = &["from", "subject", "to", "cc", "reply-to", "date"];

/// A signature with everything computed that needs no DNS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    /// The DKIM-Signature field.
    pub field: Field,
    /// The signature, or why it cannot be used.
    pub parsed: Result<Signature, SignatureError>,
    /// The header block as hashed: the selected fields, then this field with `b=` emptied and
    /// no final CRLF.
    pub canonical_header: Vec<u8>,
    /// The canonical body as hashed (cut at `l=`).
    pub canonical_body: Vec<u8>,
    /// The body hash computed from [`Prepared::canonical_body`].
    pub body_hash: Vec<u8>,
    /// The fields the header block was made from, as received: the selected ones in `h=`
    /// order, then the signature field.
    pub signed_fields: Vec<Span>,
    /// The body as received.
    pub body: Span,
    /// `l=` larger than the canonical body: the byte count of the body.
    pub body_too_short: Option<usize>,
    /// Steps so far.
    pub steps: Vec<Step>,
    /// Findings so far.
    pub lints: Vec<Lint>,
}

/// What the key lookup found, for the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyInfo {
    /// The name queried.
    pub name: String,
    /// The answer, for people (JSON: the English text).
    #[serde(with = "crate::lint::english")]
    pub answer: Message,
    /// `k=`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_type: Option<key::KeyType>,
    /// Key length in bits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bits: Option<usize>,
    /// `t=` flags.
    pub flags: Vec<String>,
}

/// The signer's body hash and the one computed, base64.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BodyHash {
    /// `bh=`.
    pub expected: String,
    /// The hash of the canonical body.
    pub computed: String,
}

/// The result of one signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DkimResult {
    /// `d=`.
    pub domain: Option<String>,
    /// `s=`.
    pub selector: Option<String>,
    /// `a=`.
    pub algorithm: Option<Algorithm>,
    /// The RFC 8601 result word.
    pub result: Verdict,
    /// Why, for people (JSON: the English text).
    #[serde(with = "crate::lint::english")]
    pub reason: Message,
    /// The bytes responsible for the result.
    pub span: Span,
    /// The DKIM-Signature field.
    pub field: Span,
    /// `i=` (or `@d`).
    pub auid: Option<String>,
    /// The body hash, when it was compared.
    pub body_hash: Option<BodyHash>,
    /// The key lookup.
    pub key: Option<KeyInfo>,
    /// Every step.
    pub steps: Vec<Step>,
    /// Findings.
    pub lints: Vec<Lint>,
    /// The header block as hashed.
    #[serde(skip)]
    pub canonical_header: Vec<u8>,
    /// The body as hashed.
    #[serde(skip)]
    pub canonical_body: Vec<u8>,
    /// The fields the header block was made from, as received (selected ones in `h=` order,
    /// then the signature field): beside [`DkimResult::canonical_header`], what
    /// canonicalization changed.
    #[serde(skip)]
    pub signed_fields: Vec<Span>,
    /// The body as received, beside [`DkimResult::canonical_body`].
    #[serde(skip)]
    pub body: Span,
}

/// The index in `fields` of the field each `h=` name signs, bottom-up (§5.4.2): the n-th
/// occurrence of a name in `h=` takes the n-th field of that name counting from the bottom,
/// or nothing (over-signing) when there are no more. `skip` (the signature itself) is never
/// taken.
pub fn select(
    message: &[u8],
    fields: &[Field],
    names: &[String],
    skip: usize,
) -> Vec<Option<usize>> {
    let mut used = vec![false; fields.len()];
    names
        .iter()
        .map(|name| {
            let found = (0..fields.len()).rev().find(|&i| {
                i != skip
                    && !used[i]
                    && fields[i]
                        .name(message)
                        .trim_ascii()
                        .eq_ignore_ascii_case(name.as_bytes())
            });
            if let Some(i) = found {
                used[i] = true;
            }
            found
        })
        .collect()
}

/// The field's name as written, up to the colon: with the spaces of the obsolete `Name :` form,
/// which simple canonicalization keeps (RFC 6376 §3.4.1) and relaxed removes.
fn raw_name<'a>(message: &'a [u8], f: &Field) -> &'a [u8] {
    Span::new(f.span.start, f.value.start.saturating_sub(1)).slice(message)
}

/// Canonical header block of `sig` in `field` (index `index` of `headers`).
fn header_block(
    message: &[u8],
    headers: &HeaderSection,
    index: usize,
    sig: &Signature,
    steps: &mut Vec<Step>,
    lints: &mut Vec<Lint>,
    signed: &mut Vec<Span>,
) -> Vec<u8> {
    let fields = &headers.fields;
    let picks = select(message, fields, &sig.signed_headers, index);
    let mut out = Vec::new();
    let mut lines = Vec::new();
    for (name, pick) in sig.signed_headers.iter().zip(&picks) {
        match pick {
            Some(i) => {
                let f = &fields[*i];
                signed.push(f.span);
                canon::header(
                    &mut out,
                    sig.header_canon,
                    raw_name(message, f),
                    f.raw_value(message),
                );
                lines.push(msg!("{name}: field at byte {at}", name, at = f.span.start));
            }
            None => lines.push(msg!("{name}: none left (signs its absence)", name)),
        }
    }
    for name in OVERSIGN {
        let present = fields
            .iter()
            .filter(|f| {
                f.name(message)
                    .trim_ascii()
                    .eq_ignore_ascii_case(name.as_bytes())
            })
            .count();
        let listed = sig.signed_headers.iter().filter(|n| n == name).count();
        if listed > 0 && listed <= present {
            let h = sig.tag("h").map_or(Span::default(), |t| t.value_span);
            lints.push(lints::DKIM_HEADER_ADDABLE.at(h, msg!("h= lists {name} {listed} time(s) and the message has {present}: another {name} field can be added without breaking the signature", name, listed, present)));
        }
    }
    steps.push(
        Step::note(
            msg!(
                "Select the signed header fields bottom-up ({n} names in h=)",
                n = sig.signed_headers.len()
            ),
            Message::joined(lines, "\n"),
        )
        .at(sig.span_of("h", Span::default())),
    );
    // The signature field itself, with the value of b= (and the whitespace around it) removed.
    let field = &fields[index];
    signed.push(field.span);
    let value = field.value;
    let blank = sig
        .tag("b")
        .map_or(Span::new(value.end, value.end), |t| t.raw_value_span);
    let mut unsigned = Vec::with_capacity(value.len());
    unsigned.extend_from_slice(Span::new(value.start, blank.start).slice(message));
    unsigned.extend_from_slice(Span::new(blank.end, value.end).slice(message));
    canon::header(
        &mut out,
        sig.header_canon,
        raw_name(message, field),
        &unsigned,
    );
    out.truncate(out.len() - 2);
    steps.push(Step::note(
        msg!("Canonicalize the header block (c={c})", c = sig.header_canon.as_str()),
        msg!("{n} bytes: the {fields} selected fields, then this DKIM-Signature with b= emptied and no final CRLF", n = out.len(), fields = picks.iter().flatten().count()),
    ));
    out
}

/// Everything that needs no DNS, for each DKIM-Signature field of `message` (at most
/// [`MAX_SIGNATURES`]). `message` is in wire form; `headers` is its header section.
pub fn prepare(message: &[u8], headers: &HeaderSection) -> Vec<Prepared> {
    headers
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| {
            f.name(message)
                .trim_ascii()
                .eq_ignore_ascii_case(b"DKIM-Signature")
        })
        .take(MAX_SIGNATURES)
        .map(|(index, _)| prepare_field(message, headers, index, Kind::Dkim))
        .collect()
}

/// Everything that needs no DNS for the signature field at `index` of `headers`, read as
/// `kind` (DKIM-Signature or ARC-Message-Signature: both sign header fields and the body).
pub fn prepare_field(
    message: &[u8],
    headers: &HeaderSection,
    index: usize,
    kind: Kind,
) -> Prepared {
    let body = message.get(headers.body_start..).unwrap_or_default();
    let field = &headers.fields[index];
    let title = msg!(
        "Read the {name} field",
        name = String::from_utf8_lossy(field.name(message).trim_ascii())
    );
    let parsed = signature::parse_as(message, field, kind);
    let mut steps = Vec::new();
    let mut lints = Vec::new();
    let mut p = Prepared {
        field: *field,
        parsed: parsed.clone(),
        canonical_header: Vec::new(),
        canonical_body: Vec::new(),
        body_hash: Vec::new(),
        signed_fields: Vec::new(),
        body: Span::new(headers.body_start.min(message.len()), message.len()),
        body_too_short: None,
        steps: Vec::new(),
        lints: Vec::new(),
    };
    match &parsed {
        Err(e) => {
            steps.push(Step::note(title, e.reason.clone()).at(e.span).ok(false));
            lints.push(lints::DKIM_SYNTAX.at(e.span, e.reason.clone()));
        }
        Ok(sig) => {
            lints.extend(sig.lints.iter().cloned());
            steps.push(
                Step::note(
                    title,
                    Message::datum(format!(
                        "d={} s={} a={} c={}/{} h={}{}",
                        sig.domain,
                        sig.selector,
                        sig.algorithm.as_str(),
                        sig.header_canon.as_str(),
                        sig.body_canon.as_str(),
                        sig.signed_headers.join(":"),
                        sig.length.map(|l| format!(" l={l}")).unwrap_or_default()
                    )),
                )
                .at(field.span)
                .ok(true),
            );
            p.canonical_header = header_block(
                message,
                headers,
                index,
                sig,
                &mut steps,
                &mut lints,
                &mut p.signed_fields,
            );
            let mut cbody = canon::body(body, sig.body_canon);
            let whole = cbody.len();
            if let Some(l) = sig.length {
                match usize::try_from(l) {
                    Ok(l) if l <= whole => cbody.truncate(l),
                    _ => p.body_too_short = Some(whole),
                }
            }
            steps.push(
                Step::note(
                    msg!("Canonicalize the body (c=…/{c})", c = sig.body_canon.as_str()),
                    match sig.length {
                        Some(l) => msg!("{whole} canonical bytes, of which l={l} are signed; {after} bytes after them are not", whole, l, after = whole.saturating_sub(cbody.len())),
                        None => msg!("{whole} bytes, all signed", whole),
                    },
                )
                .at(Span::new(headers.body_start.min(message.len()), message.len())),
            );
            p.body_hash = sig.algorithm.digest(&cbody);
            p.canonical_body = cbody;
        }
    }
    p.steps = steps;
    p.lints = lints;
    p
}

/// Completes a prepared signature with the key record's answer, at time `now` (seconds since
/// the Unix epoch).
pub fn finish(p: &Prepared, answers: &Answers, now: u64) -> Result<DkimResult, Pending> {
    let mut r = DkimResult {
        domain: None,
        selector: None,
        algorithm: None,
        result: Verdict::Permerror,
        reason: Message::default(),
        span: p.field.span,
        field: p.field.span,
        auid: None,
        body_hash: None,
        key: None,
        steps: p.steps.clone(),
        lints: p.lints.clone(),
        canonical_header: p.canonical_header.clone(),
        canonical_body: p.canonical_body.clone(),
        signed_fields: p.signed_fields.clone(),
        body: p.body,
    };
    let sig = match &p.parsed {
        Err(e) => {
            r.domain.clone_from(&e.domain);
            r.selector.clone_from(&e.selector);
            r.reason =
                msg!("the signature cannot be read: {reason}").text("reason", e.reason.clone());
            r.span = e.span;
            return Ok(r);
        }
        Ok(sig) => sig,
    };
    r.domain = Some(sig.domain.clone());
    r.selector = Some(sig.selector.clone());
    r.algorithm = Some(sig.algorithm);
    r.auid = Some(sig.auid.clone());
    let done = |mut r: DkimResult, result: Verdict, reason: Message, span: Span| {
        r.steps.push(
            Step::note(msg!("Result"), said(result, reason.clone()))
                .at(span)
                .ok(result == Verdict::Pass),
        );
        r.result = result;
        r.reason = reason;
        r.span = span;
        Ok(r)
    };
    if let Some(x) = sig.expiration.filter(|&x| x < now) {
        let span = sig.span_of("x", p.field.span);
        r.lints.push(lints::DKIM_EXPIRED.at(
            span,
            msg!(
                "x={x} is {seconds} seconds before the time of the check",
                x,
                seconds = now - x
            ),
        ));
        return done(
            r,
            Verdict::Permerror,
            msg!("the signature expired (x={x} is before now, {now})", x, now),
            span,
        );
    }
    if let Some(t) = sig.timestamp.filter(|&t| t > now.saturating_add(300)) {
        r.lints.push(lints::DKIM_EXPIRED.at(
            sig.span_of("t", p.field.span),
            msg!(
                "t={t} is {seconds} seconds after the time of the check",
                t,
                seconds = t - now
            ),
        ));
    }
    // The key.
    let query = Query::new(&sig.key_name(), RecordType::Txt);
    let answer = answers.ask(query.clone())?;
    let mut info = KeyInfo {
        name: query.name.clone(),
        answer: answer.said(),
        key_type: None,
        bits: None,
        flags: Vec::new(),
    };
    r.steps.push(Step::note(
        msg!("Fetch the key: {query}", query),
        answer.said(),
    ));
    let s_span = sig.span_of("s", p.field.span);
    let record = match answer {
        Answer::Error(e) => {
            r.key = Some(info);
            return done(
                r,
                Verdict::Temperror,
                msg!("the key lookup failed: {e}", e),
                s_span,
            );
        }
        _ if answer.txts().next().is_none() => {
            r.key = Some(info);
            return done(
                r,
                Verdict::Permerror,
                msg!("no key record at {name} ({answer})", name = &query.name)
                    .text("answer", answer.said()),
                s_span,
            );
        }
        _ => {
            let parsed: Vec<_> = answer.txts().map(key::parse).collect();
            match parsed.iter().find_map(|k| k.as_ref().ok()) {
                Some(k) => k.clone(),
                None => {
                    let reason = parsed
                        .into_iter()
                        .find_map(Result::err)
                        .map(|e| e.reason)
                        .unwrap_or_else(|| msg!("no TXT string is a key record"));
                    r.lints.push(
                        lints::DKIM_KEY_SYNTAX.at(
                            s_span,
                            msg!("the key record at {name}: {reason}", name = &query.name)
                                .text("reason", reason.clone()),
                        ),
                    );
                    r.key = Some(info);
                    return done(
                        r,
                        Verdict::Permerror,
                        msg!("the key record cannot be read: {reason}").text("reason", reason),
                        s_span,
                    );
                }
            }
        }
    };
    info.key_type = Some(record.key_type);
    info.bits = record.key.as_ref().map(PublicKey::bits);
    info.flags.clone_from(&record.flags);
    r.key = Some(info);
    r.steps.push(Step::note(
        msg!("Read the key record"),
        Message::joined(
            [Message::datum(format!("k={}", record.key_type.as_str()))]
                .into_iter()
                .chain(Some(match &record.key {
                    Some(k) => msg!("{bits} bits", bits = k.bits()),
                    None => msg!("p= empty: revoked"),
                }))
                .chain(
                    record
                        .hashes
                        .as_ref()
                        .map(|h| Message::datum(format!("h={}", h.join(":")))),
                )
                .chain(
                    (!record.flags.is_empty())
                        .then(|| Message::datum(format!("t={}", record.flags.join(":")))),
                ),
            ", ",
        ),
    ));
    if record.has_flag("y") {
        r.lints.push(lints::DKIM_TESTING.at(
            s_span,
            msg!(
                "{name} has t=y: the domain is testing DKIM",
                name = &query.name
            ),
        ));
    }
    let Some(key) = &record.key else {
        return done(
            r,
            Verdict::Permerror,
            msg!(
                "the key at {name} is revoked (p= is empty)",
                name = &query.name
            ),
            s_span,
        );
    };
    let a_span = sig.span_of("a", p.field.span);
    if record.key_type != sig.algorithm.key_type() {
        return done(
            r,
            Verdict::Permerror,
            msg!(
                "a={a} needs a {needed} key; the record has k={k}",
                a = sig.algorithm.as_str(),
                needed = sig.algorithm.key_type().as_str(),
                k = record.key_type.as_str()
            ),
            a_span,
        );
    }
    if let Some(h) = &record.hashes {
        if !h.iter().any(|h| h == sig.algorithm.hash_name()) {
            return done(
                r,
                Verdict::Permerror,
                msg!(
                    "the key allows only h={h}, not {hash}",
                    h = h.join(":"),
                    hash = sig.algorithm.hash_name()
                ),
                a_span,
            );
        }
    }
    if !record.services.iter().any(|s| s == "*" || s == "email") {
        return done(
            r,
            Verdict::Permerror,
            msg!(
                "the key is for s={s}, not email",
                s = record.services.join(":")
            ),
            s_span,
        );
    }
    if record.has_flag("s") {
        let idomain = sig.auid.rsplit_once('@').map_or("", |(_, d)| d);
        if !idomain.eq_ignore_ascii_case(&sig.domain) {
            return done(
                r,
                Verdict::Fail,
                msg!(
                    "the key has t=s: i= must be in d={d} itself, not {idomain}",
                    d = &sig.domain,
                    idomain
                ),
                sig.span_of("i", p.field.span),
            );
        }
    }
    let bits = key.bits();
    if matches!(key, PublicKey::Rsa(_)) && bits < 1024 {
        r.lints.push(lints::DKIM_KEY_TOO_SHORT.at(
            s_span,
            msg!(
                "the RSA key at {name} has {bits} bits",
                name = &query.name,
                bits
            ),
        ));
        return done(r, Verdict::Fail, msg!("the RSA key has {bits} bits; keys under 1024 bits are not accepted (RFC 8301 §3.2)", bits), s_span);
    }
    if matches!(key, PublicKey::Rsa(_)) && bits < 2048 {
        r.lints.push(lints::DKIM_WEAK_KEY.at(
            s_span,
            msg!(
                "the RSA key at {name} has {bits} bits",
                name = &query.name,
                bits
            ),
        ));
    }
    if sig.kind != Kind::ArcSeal {
        // The body hash.
        let bh_span = sig.span_of("bh", p.field.span);
        if let Some(whole) = p.body_too_short {
            return done(
                r,
                Verdict::Permerror,
                msg!(
                    "l= is larger than the canonical body ({whole} bytes)",
                    whole
                ),
                sig.span_of("l", p.field.span),
            );
        }
        let expected = base64::encode(&sig.body_hash);
        let computed = base64::encode(&p.body_hash);
        let body_ok = sig.body_hash == p.body_hash;
        r.steps.push(
            Step::note(
                msg!(
                    "Hash the canonical body ({hash}) and compare with bh=",
                    hash = sig.algorithm.hash_name()
                ),
                msg!("bh= {expected}\ncomputed {computed}", expected, computed),
            )
            .at(bh_span)
            .ok(body_ok),
        );
        r.body_hash = Some(BodyHash { expected, computed });
        if !body_ok {
            return done(
                r,
                Verdict::Fail,
                msg!("the body hash did not verify: the body was changed after signing"),
                bh_span,
            );
        }
    }
    // The signature.
    let b_span = sig.span_of("b", p.field.span);
    let verified = verify(key, sig.algorithm, &p.canonical_header, &sig.signature);
    r.steps.push(Step::note(msg!("Verify b= over the header block ({a})", a = sig.algorithm.as_str()), if verified { msg!("the signature matches the key") } else { msg!("the signature does not match: a signed header field was changed, or the key is not the signer's") }).at(b_span).ok(verified));
    if !verified {
        return done(r, Verdict::Fail, msg!("the signature did not verify: a signed header field was changed (or the key does not match)"), b_span);
    }
    if sig.algorithm == Algorithm::RsaSha1 {
        return done(r, Verdict::Fail, msg!("the signature verifies but uses rsa-sha1, which verifiers MUST NOT accept (RFC 8301 §3.1)"), a_span);
    }
    done(
        r,
        Verdict::Pass,
        msg!("signed by {d}", d = &sig.domain),
        b_span,
    )
}

/// Whether `signature` is a valid signature of `data` under `key` with `algorithm`.
pub fn verify(key: &PublicKey, algorithm: Algorithm, data: &[u8], signature: &[u8]) -> bool {
    let digest = algorithm.digest(data);
    match (key, algorithm) {
        (PublicKey::Rsa(k), Algorithm::RsaSha256) => k
            .verify(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &digest, signature)
            .is_ok(),
        (PublicKey::Rsa(k), Algorithm::RsaSha1) => k
            .verify(rsa::Pkcs1v15Sign::new::<sha1::Sha1>(), &digest, signature)
            .is_ok(),
        (PublicKey::Ed25519(k), Algorithm::Ed25519Sha256) => {
            ed25519_dalek::Signature::from_slice(signature)
                .is_ok_and(|s| k.verify_strict(&digest, &s).is_ok())
        }
        _ => false,
    }
}
