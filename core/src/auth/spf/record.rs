//! SPF records ([RFC 7208 §4.5, §12](https://www.rfc-editor.org/rfc/rfc7208#section-12)).
//!
//! ```text
//! record    = "v=spf1" *( 1*SP ( directive / modifier ) ) *SP
//! directive = [ qualifier ] mechanism            ; qualifier = "+" / "-" / "?" / "~"
//! mechanism = all / include / a / mx / ptr / ip4 / ip6 / exists
//! modifier  = redirect / explanation / unknown-modifier
//! ```

use crate::lint::{msg, Message};
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::auth::Verdict;
use crate::span::Span;

use super::macros::{self, MacroString};

/// A qualifier and the result it gives when its mechanism matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Qualifier {
    /// `+` (the default): pass.
    Pass,
    /// `-`: fail.
    Fail,
    /// `~`: softfail.
    Softfail,
    /// `?`: neutral.
    Neutral,
}

impl Qualifier {
    /// The result a match gives.
    pub fn verdict(self) -> Verdict {
        match self {
            Qualifier::Pass => Verdict::Pass,
            Qualifier::Fail => Verdict::Fail,
            Qualifier::Softfail => Verdict::Softfail,
            Qualifier::Neutral => Verdict::Neutral,
        }
    }
}

/// A mechanism (§5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mechanism {
    /// `all`.
    All,
    /// `include:domain`.
    Include(MacroString),
    /// `a[:domain][/cidr4][//cidr6]`.
    A(Option<MacroString>, u8, u8),
    /// `mx[:domain][/cidr4][//cidr6]`.
    Mx(Option<MacroString>, u8, u8),
    /// `ptr[:domain]`.
    Ptr(Option<MacroString>),
    /// `ip4:network[/cidr]`.
    Ip4(Ipv4Addr, u8),
    /// `ip6:network[/cidr]`.
    Ip6(Ipv6Addr, u8),
    /// `exists:domain`.
    Exists(MacroString),
}

impl Mechanism {
    /// Whether evaluating it costs one of the 10 DNS lookups (§4.6.4).
    pub fn counts(&self) -> bool {
        matches!(
            self,
            Mechanism::Include(_)
                | Mechanism::A(..)
                | Mechanism::Mx(..)
                | Mechanism::Ptr(_)
                | Mechanism::Exists(_)
        )
    }
}

/// A term of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// A directive: qualifier and mechanism.
    Directive(Qualifier, Mechanism),
    /// `redirect=domain`.
    Redirect(MacroString),
    /// `exp=domain`.
    Exp(MacroString),
    /// Another modifier, ignored (§6).
    Unknown,
}

/// A record, read; spans are into its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpfRecord {
    /// The terms in order, each with its text's span.
    pub terms: Vec<(Term, Span)>,
}

impl SpfRecord {
    /// `redirect=`, if any, with its span.
    pub fn redirect(&self) -> Option<(&MacroString, Span)> {
        self.terms.iter().find_map(|(t, s)| match t {
            Term::Redirect(m) => Some((m, *s)),
            _ => None,
        })
    }

    /// `exp=`, if any.
    pub fn exp(&self) -> Option<&MacroString> {
        self.terms.iter().find_map(|(t, _)| match t {
            Term::Exp(m) => Some(m),
            _ => None,
        })
    }
}

/// A syntax error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// What is wrong.
    pub reason: Message,
    /// The term responsible, in the record's text.
    pub span: Span,
}

/// Whether a TXT string is an SPF record: `v=spf1` then a space or the end (§4.5).
pub fn is_spf(txt: &[u8]) -> bool {
    txt.len() >= 6 && txt[..6].eq_ignore_ascii_case(b"v=spf1") && (txt.len() == 6 || txt[6] == b' ')
}

fn cidr(text: &str, max: u8) -> Result<u8, Message> {
    match text.parse::<u8>() {
        Ok(n) if n <= max && !(text.len() > 1 && text.starts_with('0')) => Ok(n),
        _ => Err(msg!(
            "/{text} is not a prefix length from 0 to {max}",
            text,
            max
        )),
    }
}

/// `[:domain][/cidr4][//cidr6]`.
fn domain_cidr(rest: &str) -> Result<(Option<MacroString>, u8, u8), Message> {
    let (spec, v6) = match rest.split_once("//") {
        Some((s, v6)) => (s, cidr(v6, 128)?),
        None => (rest, 128),
    };
    let (spec, v4) = match spec.rsplit_once('/') {
        Some((s, v4)) => (s, cidr(v4, 32)?),
        None => (spec, 32),
    };
    let domain = match spec {
        "" => None,
        _ => Some(domain_spec(spec.strip_prefix(':').ok_or_else(|| {
            msg!(
                "{spec}: expected ':domain'",
                spec = format_args!("{spec:?}")
            )
        })?)?),
    };
    Ok((domain, v4, v6))
}

fn domain_spec(text: &str) -> Result<MacroString, Message> {
    if text.is_empty() {
        return Err(msg!("an empty domain"));
    }
    let m = macros::parse(text, false)?;
    // The domain-end rule (§7.1): the last label is a toplabel or a macro.
    if let Some(macros::Piece::Literal(l)) = m.0.last() {
        let last = l.trim_end_matches('.').rsplit('.').next().unwrap_or("");
        let ok = !last.is_empty()
            && last.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && last.bytes().any(|b| b.is_ascii_alphabetic())
            && !last.starts_with('-')
            && !last.ends_with('-');
        if !ok && m.0.len() == 1 {
            return Err(msg!(
                "{text} does not end in a domain label",
                text = format_args!("{text:?}")
            ));
        }
    }
    Ok(m)
}

fn term(text: &str) -> Result<Term, Message> {
    let lower = text.to_ascii_lowercase();
    // A modifier: name "=" …, name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ).
    if let Some((name, _)) = lower.split_once('=') {
        let is_name = name.starts_with(|c: char| c.is_ascii_alphabetic())
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
        if is_name {
            let value = &text[name.len() + 1..];
            return match name {
                "redirect" => Ok(Term::Redirect(domain_spec(value)?)),
                "exp" => Ok(Term::Exp(domain_spec(value)?)),
                _ => macros::parse(value, false).map(|_| Term::Unknown),
            };
        }
    }
    let (q, mech) = match text.as_bytes().first() {
        Some(b'+') => (Qualifier::Pass, &text[1..]),
        Some(b'-') => (Qualifier::Fail, &text[1..]),
        Some(b'~') => (Qualifier::Softfail, &text[1..]),
        Some(b'?') => (Qualifier::Neutral, &text[1..]),
        _ => (Qualifier::Pass, text),
    };
    let name_len = mech.find([':', '/']).unwrap_or(mech.len());
    let (name, rest) = mech.split_at(name_len);
    let m = match name.to_ascii_lowercase().as_str() {
        "all" if rest.is_empty() => Mechanism::All,
        "include" => Mechanism::Include(domain_spec(
            rest.strip_prefix(':')
                .ok_or(msg!("include needs ':domain'"))?,
        )?),
        "exists" => Mechanism::Exists(domain_spec(
            rest.strip_prefix(':')
                .ok_or(msg!("exists needs ':domain'"))?,
        )?),
        "a" => {
            let (d, v4, v6) = domain_cidr(rest)?;
            Mechanism::A(d, v4, v6)
        }
        "mx" => {
            let (d, v4, v6) = domain_cidr(rest)?;
            Mechanism::Mx(d, v4, v6)
        }
        "ptr" => Mechanism::Ptr(match rest {
            "" => None,
            _ => Some(domain_spec(
                rest.strip_prefix(':').ok_or(msg!("ptr takes ':domain'"))?,
            )?),
        }),
        "ip4" => {
            let v = rest.strip_prefix(':').ok_or(msg!("ip4 needs ':address'"))?;
            let (addr, len) = v
                .split_once('/')
                .map_or(Ok((v, 32)), |(a, l)| cidr(l, 32).map(|l| (a, l)))?;
            Mechanism::Ip4(
                addr.parse().map_err(|_| {
                    msg!(
                        "{addr} is not an IPv4 address",
                        addr = format_args!("{addr:?}")
                    )
                })?,
                len,
            )
        }
        "ip6" => {
            let v = rest.strip_prefix(':').ok_or(msg!("ip6 needs ':address'"))?;
            let (addr, len) = v
                .split_once('/')
                .map_or(Ok((v, 128)), |(a, l)| cidr(l, 128).map(|l| (a, l)))?;
            Mechanism::Ip6(
                addr.parse().map_err(|_| {
                    msg!(
                        "{addr} is not an IPv6 address",
                        addr = format_args!("{addr:?}")
                    )
                })?,
                len,
            )
        }
        _ => {
            return Err(msg!(
                "{text} is not a mechanism or modifier",
                text = format_args!("{text:?}")
            ))
        }
    };
    Ok(Term::Directive(q, m))
}

/// Reads a record (`v=spf1 …`).
pub fn parse(text: &str) -> Result<SpfRecord, SyntaxError> {
    let mut terms = Vec::new();
    let mut pos = 0;
    for word in text.split(' ') {
        let span = Span::new(pos, pos + word.len());
        pos += word.len() + 1;
        if word.is_empty() || span.start == 0 {
            continue;
        }
        let t = term(word).map_err(|reason| SyntaxError { reason, span })?;
        let dup = |t: &Term| {
            terms
                .iter()
                .any(|(u, _): &(Term, Span)| std::mem::discriminant(u) == std::mem::discriminant(t))
        };
        if matches!(t, Term::Redirect(_) | Term::Exp(_)) && dup(&t) {
            return Err(SyntaxError {
                reason: msg!(
                    "{word}: the modifier appears twice",
                    word = format_args!("{word:?}")
                ),
                span,
            });
        }
        terms.push((t, span));
    }
    if !is_spf(text.as_bytes()) {
        return Err(SyntaxError {
            reason: msg!("the record does not start with v=spf1"),
            span: Span::new(0, text.len().min(6)),
        });
    }
    Ok(SpfRecord { terms })
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn reads_terms_and_refuses_bad_ones() {
        let r = parse("v=spf1 ip4:192.0.2.0/24 a mx:example.org/24//64 -include:_spf.test ~all exp=e.test foo=bar").unwrap();
        assert_eq!(r.terms.len(), 7);
        assert_eq!(
            r.terms[0].0,
            Term::Directive(
                Qualifier::Pass,
                Mechanism::Ip4("192.0.2.0".parse().unwrap(), 24)
            )
        );
        assert!(matches!(
            r.terms[2].0,
            Term::Directive(Qualifier::Pass, Mechanism::Mx(Some(_), 24, 64))
        ));
        assert_eq!(r.terms[3].1, Span::new(48, 66));
        assert!(r.exp().is_some() && r.redirect().is_none());
        for bad in [
            "v=spf1 ip4:192.0.2.0/33",
            "v=spf1 ip4:300.1.1.1",
            "v=spf1 include",
            "v=spf1 foo",
            "v=spf1 redirect=a.test redirect=b.test",
            "v=spf1 a:%{x}.test",
            "v=spf1 all:x",
            "v=spf1 a/024",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(is_spf(b"v=spf1") && is_spf(b"V=SPF1 -all") && !is_spf(b"v=spf10"));
    }
}
