//! ESMTP parameters of MAIL and RCPT (RFC 5321 §4.1.2 and the extensions that define them):
//! their types and how they are read and checked.

use crate::lint::msg;
use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::smtp::lints;
use crate::span::Span;

use super::owned;
use super::parse::{find, text, Parser};
use super::path::Path;

/// The BODY parameter of MAIL: RFC 6152 (8BITMIME) and RFC 3030 (BINARYMIME).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Body {
    /// `BODY=7BIT`: 7-bit US-ASCII content (RFC 6152 §2).
    #[serde(rename = "7BIT")]
    SevenBit,
    /// `BODY=8BITMIME`: 8-bit MIME content in lines (RFC 6152 §2).
    #[serde(rename = "8BITMIME")]
    EightBitMime,
    /// `BODY=BINARYMIME`: binary MIME content, sent with BDAT (RFC 3030 §3).
    #[serde(rename = "BINARYMIME")]
    BinaryMime,
}

impl Body {
    /// The value as written on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Body::SevenBit => "7BIT",
            Body::EightBitMime => "8BITMIME",
            Body::BinaryMime => "BINARYMIME",
        }
    }
}

/// The RET parameter of MAIL (DSN, RFC 3461 §4.3): what a failure report returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Ret {
    /// `RET=FULL`: the whole message.
    #[serde(rename = "FULL")]
    Full,
    /// `RET=HDRS`: only the headers.
    #[serde(rename = "HDRS")]
    Hdrs,
}

impl Ret {
    /// The value as written on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Ret::Full => "FULL",
            Ret::Hdrs => "HDRS",
        }
    }
}

/// One value of the NOTIFY parameter of RCPT (DSN, RFC 3461 §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Notify {
    /// `NEVER`: no notification at all; must stand alone.
    #[serde(rename = "NEVER")]
    Never,
    /// `SUCCESS`: report successful delivery.
    #[serde(rename = "SUCCESS")]
    Success,
    /// `FAILURE`: report failed delivery.
    #[serde(rename = "FAILURE")]
    Failure,
    /// `DELAY`: report delayed delivery.
    #[serde(rename = "DELAY")]
    Delay,
}

impl Notify {
    /// The value as written on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Notify::Never => "NEVER",
            Notify::Success => "SUCCESS",
            Notify::Failure => "FAILURE",
            Notify::Delay => "DELAY",
        }
    }
}

/// An ESMTP parameter `keyword[=value]` that has no typed field (RFC 5321 §4.1.2 esmtp-param).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Param<'a> {
    /// The keyword as written.
    pub keyword: Cow<'a, str>,
    /// The value after `=`, if any.
    pub value: Option<Cow<'a, str>>,
}

impl<'a> Param<'a> {
    /// The same parameter, owning its data.
    pub fn into_owned(self) -> Param<'static> {
        Param {
            keyword: owned(self.keyword),
            value: self.value.map(owned),
        }
    }
}

/// The parameters of MAIL FROM.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailParams<'a> {
    /// `SIZE=n`: declared message size in octets (RFC 1870 §6; the size is defined in §5).
    pub size: Option<u64>,
    /// `BODY=`: content type of the message (RFC 6152, RFC 3030).
    pub body: Option<Body>,
    /// `SMTPUTF8`: the transaction uses UTF-8 addresses and headers (RFC 6531 §3.4).
    pub smtputf8: bool,
    /// `RET=`: what a DSN returns (RFC 3461 §4.3).
    pub ret: Option<Ret>,
    /// `ENVID=`: envelope identifier, xtext (RFC 3461 §4.4).
    pub envid: Option<Cow<'a, str>>,
    /// `AUTH=`: the authenticated originator, xtext mailbox or `<>` (RFC 4954 §5).
    pub auth: Option<Cow<'a, str>>,
    /// Other parameters, kept in order (also known ones whose value was invalid).
    pub other: Vec<Param<'a>>,
}

impl<'a> MailParams<'a> {
    /// The same parameters, owning their data.
    pub fn into_owned(self) -> MailParams<'static> {
        MailParams {
            size: self.size,
            body: self.body,
            smtputf8: self.smtputf8,
            ret: self.ret,
            envid: self.envid.map(owned),
            auth: self.auth.map(owned),
            other: self.other.into_iter().map(Param::into_owned).collect(),
        }
    }
}

/// The parameters of RCPT TO.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RcptParams<'a> {
    /// `NOTIFY=`: when to send a DSN (RFC 3461 §4.1).
    pub notify: Option<Vec<Notify>>,
    /// `ORCPT=`: original recipient, `addr-type;xtext` (RFC 3461 §4.2).
    pub orcpt: Option<Cow<'a, str>>,
    /// Other parameters, kept in order (also known ones whose value was invalid).
    pub other: Vec<Param<'a>>,
}

impl<'a> RcptParams<'a> {
    /// The same parameters, owning their data.
    pub fn into_owned(self) -> RcptParams<'static> {
        RcptParams {
            notify: self.notify,
            orcpt: self.orcpt.map(owned),
            other: self.other.into_iter().map(Param::into_owned).collect(),
        }
    }
}

impl<'a> Parser<'a> {
    /// Splits a parameter into keyword and value, checking the generic esmtp-param syntax.
    pub(super) fn split_param(
        &mut self,
        span: Span,
        word: &'a [u8],
    ) -> (&'a [u8], Option<&'a [u8]>) {
        let (kw, value) = match find(word, 0, |b| b == b'=') {
            Some(eq) => (
                word.get(..eq).unwrap_or_default(),
                Some(word.get(eq + 1..).unwrap_or_default()),
            ),
            None => (word, None),
        };
        if !is_esmtp_keyword(kw) {
            self.lints.push(lints::PARAM_INVALID.at(
                span,
                msg!("a parameter keyword is a letter or digit followed by letters, digits or '-' (RFC 5321 §4.1.2)"),
            ));
        } else if let Some(v) = value {
            if !is_esmtp_value_utf8(v) {
                self.lints.push(lints::PARAM_INVALID.at(
                    span,
                    msg!("a parameter value is one or more printable characters other than '=' and space (RFC 5321 §4.1.2)"),
                ));
            }
        }
        (kw, value)
    }

    pub(super) fn mail_params(
        &mut self,
        raw: &[(Span, &'a [u8])],
        from: &Path<'a>,
        path_span: Span,
    ) -> MailParams<'a> {
        let mut params = MailParams::default();
        let mut seen: Vec<Vec<u8>> = Vec::new();
        for &(span, word) in raw {
            let (kw, value) = self.split_param(span, word);
            let upper = kw.to_ascii_uppercase();
            let duplicate = seen.contains(&upper);
            if duplicate {
                self.lints.push(lints::PARAM_INVALID.at(
                    span,
                    msg!(
                        "parameter {name} given twice",
                        name = String::from_utf8_lossy(&upper)
                    ),
                ));
            }
            seen.push(upper.clone());
            let keep = |params: &mut MailParams<'a>| {
                params.other.push(Param {
                    keyword: text(kw),
                    value: value.map(text),
                })
            };
            if duplicate {
                keep(&mut params);
                continue;
            }
            let ok = match (upper.as_slice(), value) {
                (b"SIZE", Some(v)) => parse_u64(v).map(|n| params.size = Some(n)).is_some(),
                (b"BODY", Some(v)) => {
                    let body = if v.eq_ignore_ascii_case(b"7BIT") {
                        Some(Body::SevenBit)
                    } else if v.eq_ignore_ascii_case(b"8BITMIME") {
                        Some(Body::EightBitMime)
                    } else if v.eq_ignore_ascii_case(b"BINARYMIME") {
                        Some(Body::BinaryMime)
                    } else {
                        None
                    };
                    body.map(|b| params.body = Some(b)).is_some()
                }
                (b"SMTPUTF8", None) => {
                    params.smtputf8 = true;
                    true
                }
                (b"RET", Some(v)) => {
                    let ret = if v.eq_ignore_ascii_case(b"FULL") {
                        Some(Ret::Full)
                    } else if v.eq_ignore_ascii_case(b"HDRS") {
                        Some(Ret::Hdrs)
                    } else {
                        None
                    };
                    ret.map(|r| params.ret = Some(r)).is_some()
                }
                (b"ENVID", Some(v)) if is_esmtp_value(v) => {
                    params.envid = Some(text(v));
                    true
                }
                (b"AUTH", Some(v)) if is_esmtp_value(v) => {
                    params.auth = Some(text(v));
                    true
                }
                (b"SIZE" | b"BODY" | b"SMTPUTF8" | b"RET" | b"ENVID" | b"AUTH", _) => false,
                _ => {
                    keep(&mut params);
                    true
                }
            };
            if !ok {
                self.lints.push(
                    lints::PARAM_INVALID.at(
                        span,
                        msg!(
                            "invalid {name} parameter: {rule}",
                            name = String::from_utf8_lossy(&upper)
                        )
                        .text("rule", mail_param_rule(&upper)),
                    ),
                );
                keep(&mut params);
            }
        }
        if from.is_utf8() && !params.smtputf8 {
            self.lints.push(lints::UTF8_WITHOUT_SMTPUTF8.at(
                path_span,
                msg!("the reverse-path contains non-ASCII bytes but MAIL FROM lacks the SMTPUTF8 parameter"),
            ));
        }
        params
    }

    pub(super) fn rcpt_params(&mut self, raw: &[(Span, &'a [u8])]) -> RcptParams<'a> {
        let mut params = RcptParams::default();
        let mut seen: Vec<Vec<u8>> = Vec::new();
        for &(span, word) in raw {
            let (kw, value) = self.split_param(span, word);
            let upper = kw.to_ascii_uppercase();
            let duplicate = seen.contains(&upper);
            if duplicate {
                self.lints.push(lints::PARAM_INVALID.at(
                    span,
                    msg!(
                        "parameter {name} given twice",
                        name = String::from_utf8_lossy(&upper)
                    ),
                ));
            }
            seen.push(upper.clone());
            let other = Param {
                keyword: text(kw),
                value: value.map(text),
            };
            if duplicate {
                params.other.push(other);
                continue;
            }
            let ok = match (upper.as_slice(), value) {
                (b"NOTIFY", Some(v)) => match parse_notify(v) {
                    Some(list) => {
                        params.notify = Some(list);
                        true
                    }
                    None => false,
                },
                (b"ORCPT", Some(v)) if is_esmtp_value(v) && v.contains(&b';') => {
                    params.orcpt = Some(text(v));
                    true
                }
                (b"NOTIFY" | b"ORCPT", _) => false,
                _ => {
                    params.other.push(other.clone());
                    true
                }
            };
            if !ok {
                let rule = if upper == b"NOTIFY" {
                    "NOTIFY=NEVER or a comma list of SUCCESS, FAILURE, DELAY (RFC 3461 §4.1)"
                } else {
                    "ORCPT=addr-type;xtext (RFC 3461 §4.2)"
                };
                self.lints
                    .push(lints::PARAM_INVALID.at(span, msg!("invalid parameter: {rule}", rule)));
                params.other.push(other);
            }
        }
        params
    }
}

fn mail_param_rule(upper: &[u8]) -> crate::lint::Message {
    match upper {
        b"SIZE" => msg!("SIZE=decimal octets (RFC 1870 §6)"),
        b"BODY" => msg!("BODY=7BIT, 8BITMIME or BINARYMIME (RFC 6152 §2, RFC 3030 §3)"),
        b"SMTPUTF8" => msg!("SMTPUTF8 takes no value (RFC 6531 §3.4)"),
        b"RET" => msg!("RET=FULL or HDRS (RFC 3461 §4.3)"),
        b"ENVID" => msg!("ENVID=xtext (RFC 3461 §4.4)"),
        _ => msg!("AUTH=xtext mailbox or <> (RFC 4954 §5)"),
    }
}

fn parse_notify(v: &[u8]) -> Option<Vec<Notify>> {
    let mut list = Vec::new();
    for item in v.split(|&b| b == b',') {
        let n = if item.eq_ignore_ascii_case(b"NEVER") {
            Notify::Never
        } else if item.eq_ignore_ascii_case(b"SUCCESS") {
            Notify::Success
        } else if item.eq_ignore_ascii_case(b"FAILURE") {
            Notify::Failure
        } else if item.eq_ignore_ascii_case(b"DELAY") {
            Notify::Delay
        } else {
            return None;
        };
        if list.contains(&n) {
            return None;
        }
        list.push(n);
    }
    if list.contains(&Notify::Never) && list.len() > 1 {
        return None;
    }
    Some(list)
}

/// Decimal digits only, at most 20 of them, no overflow.
pub(super) fn parse_u64(v: &[u8]) -> Option<u64> {
    if v.is_empty() || v.len() > 20 || !v.iter().all(u8::is_ascii_digit) {
        return None;
    }
    v.iter().try_fold(0u64, |n, &d| {
        n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    })
}

pub(super) fn is_esmtp_keyword(k: &[u8]) -> bool {
    k.first().is_some_and(u8::is_ascii_alphanumeric)
        && k.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'-')
}

/// RFC 5321 §4.1.2 esmtp-value: 1*(%d33-60 / %d62-126).
pub(super) fn is_esmtp_value(v: &[u8]) -> bool {
    !v.is_empty() && v.iter().all(|&b| (33..=126).contains(&b) && b != b'=')
}

/// RFC 6531 §3.3: esmtp-value may also hold UTF-8 (non-ASCII) characters.
fn is_esmtp_value_utf8(v: &[u8]) -> bool {
    !v.is_empty()
        && std::str::from_utf8(v).is_ok()
        && v.iter()
            .all(|&b| b >= 0x80 || ((33..=126).contains(&b) && b != b'='))
}
