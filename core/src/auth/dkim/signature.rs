//! The DKIM-Signature field ([RFC 6376 §3.5](https://www.rfc-editor.org/rfc/rfc6376#section-3.5)).

use crate::auth::lints;
use crate::auth::tags::{self, Tag};
use crate::codec::base64;
use crate::lint::Lint;
use crate::lint::{msg, Message};
use crate::mime::header::Field;
use crate::span::Span;

use super::{Algorithm, Canon};

/// Which kind of signature field: DKIM's, or one of ARC's two (RFC 8617 §4.1.2, §4.1.3), which
/// share DKIM's tags with a few differences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// DKIM-Signature.
    Dkim,
    /// ARC-Message-Signature: no `v=`; `i=` is the instance; signs the body like DKIM.
    ArcMessage,
    /// ARC-Seal: no `v=`, `h=` or `bh=`; `cv=`; relaxed header canonicalization only.
    ArcSeal,
}

/// A DKIM-Signature (or ARC signature) field, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// The kind of field.
    pub kind: Kind,
    /// ARC: the instance (`i=`, 1 to 50).
    pub instance: Option<u32>,
    /// ARC-Seal: the chain validation status (`cv=`: none, pass or fail).
    pub cv: Option<String>,
    /// The signing algorithm (`a=`).
    pub algorithm: Algorithm,
    /// The signature (`b=`, decoded).
    pub signature: Vec<u8>,
    /// The body hash the signer computed (`bh=`, decoded).
    pub body_hash: Vec<u8>,
    /// Header canonicalization (`c=` before the slash).
    pub header_canon: Canon,
    /// Body canonicalization (`c=` after the slash; simple when absent).
    pub body_canon: Canon,
    /// The signing domain (`d=`), lowercase.
    pub domain: String,
    /// The selector (`s=`), lowercase.
    pub selector: String,
    /// The signed header field names (`h=`), lowercase, in order.
    pub signed_headers: Vec<String>,
    /// The agent or user identifier (`i=`); `@d` when absent.
    pub auid: String,
    /// The body length count (`l=`).
    pub length: Option<u64>,
    /// The signing time (`t=`), seconds since the Unix epoch.
    pub timestamp: Option<u64>,
    /// The expiry time (`x=`).
    pub expiration: Option<u64>,
    /// Every tag, with spans into the message.
    pub tags: Vec<Tag>,
    /// Findings that do not make the signature unusable (`l=`, rsa-sha1).
    pub lints: Vec<Lint>,
}

impl Signature {
    /// The tag called `name`.
    pub fn tag(&self, name: &str) -> Option<&Tag> {
        tags::get(&self.tags, name)
    }

    /// The span of tag `name`'s value, or `fallback`.
    pub fn span_of(&self, name: &str, fallback: Span) -> Span {
        self.tag(name).map_or(fallback, |t| t.value_span)
    }

    /// The DNS name of the key record: `s._domainkey.d` (§3.6.2.1).
    pub fn key_name(&self) -> String {
        format!("{}._domainkey.{}", self.selector, self.domain)
    }
}

/// Why a DKIM-Signature field cannot be used (PERMFAIL in RFC 6376 §6.1.1 terms).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureError {
    /// What is wrong.
    pub reason: Message,
    /// The bytes responsible.
    pub span: Span,
    /// `d=`, when it could be read.
    pub domain: Option<String>,
    /// `s=`, when it could be read.
    pub selector: Option<String>,
}

/// Reads the DKIM-Signature `field` of `message`; spans are offsets into `message`.
pub fn parse(message: &[u8], field: &Field) -> Result<Signature, SignatureError> {
    parse_as(message, field, Kind::Dkim)
}

/// Reads a signature field of `kind`; spans are offsets into `message`.
pub fn parse_as(message: &[u8], field: &Field, kind: Kind) -> Result<Signature, SignatureError> {
    let value = field.raw_value(message);
    let fail = |reason: Message, span: Span, tags: &[Tag]| SignatureError {
        reason,
        span,
        domain: tags::get(tags, "d").map(|t| t.value.to_ascii_lowercase()),
        selector: tags::get(tags, "s").map(|t| t.value.to_ascii_lowercase()),
    };
    let tags = tags::parse(value, field.value.start).map_err(|e| fail(e.reason, e.span, &[]))?;
    let tags = tags.as_slice();
    let need = |name: &str| {
        tags::get(tags, name).ok_or_else(|| {
            fail(
                msg!("the required tag {name}= is missing", name),
                field.span,
                tags,
            )
        })
    };
    if kind == Kind::Dkim {
        let v = need("v")?;
        if v.value != "1" {
            return Err(fail(
                msg!("v={v} is not version 1", v = &v.value),
                v.value_span,
                tags,
            ));
        }
    }
    let a = need("a")?;
    let algorithm = match a.value.to_ascii_lowercase().as_str() {
        "rsa-sha256" => Algorithm::RsaSha256,
        "rsa-sha1" => Algorithm::RsaSha1,
        "ed25519-sha256" => Algorithm::Ed25519Sha256,
        other => {
            return Err(fail(
                msg!("a={other} is not a known signing algorithm", other),
                a.value_span,
                tags,
            ))
        }
    };
    let b64 = |name: &str| -> Result<Vec<u8>, SignatureError> {
        let t = need(name)?;
        base64::decode_strict(tags::squeeze(&t.value).as_bytes()).map_err(|e| {
            fail(
                msg!("{name}= is not base64: {e}", name, e),
                t.value_span,
                tags,
            )
        })
    };
    let signature = b64("b")?;
    let body_hash = if kind == Kind::ArcSeal {
        if let Some(t) = tags::get(tags, "h").or(tags::get(tags, "bh")) {
            return Err(fail(
                msg!("an ARC-Seal has no {name}= tag", name = &t.name),
                t.name_span,
                tags,
            ));
        }
        Vec::new()
    } else {
        b64("bh")?
    };
    let (header_canon, body_canon) = match tags::get(tags, "c") {
        _ if kind == Kind::ArcSeal => (Canon::Relaxed, Canon::Relaxed),
        None => (Canon::Simple, Canon::Simple),
        Some(c) => {
            let (h, b) = c.value.split_once('/').unwrap_or((&c.value, "simple"));
            match (
                Canon::from_name(&h.to_ascii_lowercase()),
                Canon::from_name(&b.to_ascii_lowercase()),
            ) {
                (Some(h), Some(b)) => (h, b),
                _ => {
                    return Err(fail(
                        msg!("c={c} is not simple or relaxed (header/body)", c = &c.value),
                        c.value_span,
                        tags,
                    ))
                }
            }
        }
    };
    let d = need("d")?;
    let domain = crate::auth::normalize_domain(&d.value);
    if domain.is_empty() || domain.contains(|c: char| c.is_ascii_whitespace()) {
        return Err(fail(
            msg!("d={d} is not a domain", d = &d.value),
            d.value_span,
            tags,
        ));
    }
    let s = need("s")?;
    let selector = s.value.to_ascii_lowercase();
    if selector.is_empty() {
        return Err(fail(msg!("s= is empty"), s.value_span, tags));
    }
    let signed_headers: Vec<String> = match kind {
        Kind::ArcSeal => Vec::new(),
        Kind::Dkim | Kind::ArcMessage => {
            let h = need("h")?;
            let names: Vec<String> = h
                .value
                .split(':')
                .map(|n| tags::squeeze(n).to_ascii_lowercase())
                .collect();
            if names.iter().any(String::is_empty) {
                return Err(fail(msg!("h= has an empty field name"), h.value_span, tags));
            }
            if kind == Kind::Dkim && !names.iter().any(|n| n == "from") {
                return Err(fail(
                    msg!("h= does not list From, which MUST be signed (RFC 6376 §5.4)"),
                    h.value_span,
                    tags,
                ));
            }
            names
        }
    };
    let mut instance = None;
    let mut cv = None;
    if kind != Kind::Dkim {
        let i = need("i")?;
        instance = Some(
            i.value
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=50).contains(n))
                .ok_or_else(|| {
                    fail(
                        msg!("i={i} is not an instance from 1 to 50", i = &i.value),
                        i.value_span,
                        tags,
                    )
                })?,
        );
    }
    if kind == Kind::ArcSeal {
        let c = need("cv")?;
        let value = c.value.to_ascii_lowercase();
        if !["none", "pass", "fail"].contains(&value.as_str()) {
            return Err(fail(
                msg!("cv={cv} is not none, pass or fail", cv = &c.value),
                c.value_span,
                tags,
            ));
        }
        cv = Some(value);
    }
    let auid = match tags::get(tags, "i") {
        _ if kind != Kind::Dkim => format!("@{domain}"),
        None => format!("@{domain}"),
        Some(i) => {
            let Some((_, idomain)) = i.value.rsplit_once('@') else {
                return Err(fail(
                    msg!("i={i} has no @domain", i = &i.value),
                    i.value_span,
                    tags,
                ));
            };
            let idomain = crate::auth::normalize_domain(idomain);
            if idomain != domain && !idomain.ends_with(&format!(".{domain}")) {
                return Err(fail(
                    msg!(
                        "the domain of i={i} is not d={domain} or below it",
                        i = &i.value,
                        domain
                    ),
                    i.value_span,
                    tags,
                ));
            }
            i.value.clone()
        }
    };
    let number = |name: &str| -> Result<Option<u64>, SignatureError> {
        tags::get(tags, name)
            .map(|t| {
                // At most 76 bits of value are meaningful (§3.5); more digits than u64 holds
                // are refused rather than wrapped.
                if t.value.is_empty() || !t.value.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(fail(
                        msg!("{name}={value} is not a number", name, value = &t.value),
                        t.value_span,
                        tags,
                    ));
                }
                t.value.parse().map_err(|_| {
                    fail(
                        msg!("{name}={value} is too large", name, value = &t.value),
                        t.value_span,
                        tags,
                    )
                })
            })
            .transpose()
    };
    let length = number("l")?;
    let timestamp = number("t")?;
    let expiration = number("x")?;
    if let (Some(t), Some(x)) = (timestamp, expiration) {
        if x < t {
            return Err(fail(
                msg!("x={x} is before t={t}; x= MUST be later", x, t),
                Span::new(field.value.start, field.value.end),
                tags,
            ));
        }
    }
    if let Some(q) = tags::get(tags, "q") {
        if !q
            .value
            .split(':')
            .any(|m| tags::squeeze(m).eq_ignore_ascii_case("dns/txt"))
        {
            return Err(fail(
                msg!("q={q} offers no dns/txt query method", q = &q.value),
                q.value_span,
                tags,
            ));
        }
    }
    let mut lints = Vec::new();
    if let Some(l) = tags::get(tags, "l") {
        lints.push(lints::DKIM_L_TAG.at(l.value_span, msg!("l={l}: only the first {l} bytes of the canonical body are signed; text appended after them leaves the signature valid", l = &l.value)));
    }
    if algorithm == Algorithm::RsaSha1 {
        lints.push(lints::DKIM_SHA1.at(
            a.value_span,
            msg!("a=rsa-sha1: SHA-1 is retired for DKIM (RFC 8301 §3.1); the signature is not accepted"),
        ));
    }
    Ok(Signature {
        kind,
        instance,
        cv,
        algorithm,
        signature,
        body_hash,
        header_canon,
        body_canon,
        domain,
        selector,
        signed_headers,
        auid,
        length,
        timestamp,
        expiration,
        tags: tags.to_vec(),
        lints,
    })
}
