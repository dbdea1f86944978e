//! Decoding captured exchanges: [`decode_exchange`] reads the lines of an AUTH dialogue back
//! into user, password and what was wrong with them.

use crate::lint::msg;
use serde::{Deserialize, Serialize};

use crate::lint::Lint;
use crate::smtp::lints;
use crate::span::Span;

use super::{decode_base64, Mechanism, MAX_AUTH_LINE};

/// One line of a captured AUTH exchange, after the `AUTH <mech>` command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthLine<'a> {
    /// `true` for a client line (a response), `false` for a server `334` challenge.
    pub from_client: bool,
    /// The base64 text: the whole client line without CRLF, or the text after `334 `.
    pub payload: &'a [u8],
    /// Offset of `payload` in the caller's input; lint spans are shifted by it.
    pub offset: usize,
}

/// What a captured exchange said, decoded. Fields the exchange did not carry stay `None`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DecodedAuth {
    /// The mechanism name.
    pub mechanism: String,
    /// PLAIN authorization identity (empty means "same as authcid").
    pub authzid: Option<String>,
    /// User name (PLAIN authcid, LOGIN username, CRAM-MD5 user, XOAUTH2 user).
    pub authcid: Option<String>,
    /// Password in clear (PLAIN, LOGIN).
    pub password: Option<String>,
    /// Server prompts, decoded (LOGIN `Username:`/`Password:`, the CRAM-MD5 challenge, the
    /// XOAUTH2 JSON error).
    pub challenges: Vec<String>,
    /// CRAM-MD5 digest as 32 lowercase hex digits.
    pub digest: Option<String>,
    /// XOAUTH2 bearer token.
    pub token: Option<String>,
    /// The client cancelled with `*` (RFC 4954 §4).
    pub cancelled: bool,
    /// What was malformed.
    pub lints: Vec<Lint>,
}

/// Decodes a captured exchange: `initial` is the initial response after `AUTH <mech>` (with its
/// offset), `lines` the following challenges and responses in order. Total: malformed payloads
/// become `smtp.auth-plain-malformed` / `smtp.auth-payload-malformed` lints.
pub fn decode_exchange(
    mechanism: &Mechanism,
    initial: Option<(&[u8], usize)>,
    lines: &[AuthLine<'_>],
) -> DecodedAuth {
    let mut out = DecodedAuth {
        mechanism: mechanism.to_string(),
        ..DecodedAuth::default()
    };
    let mut client_lines: Vec<(&[u8], usize)> = Vec::new();
    if let Some((payload, offset)) = initial {
        // "=" is an empty initial response (RFC 4954 §4).
        client_lines.push((if payload == b"=" { b"" } else { payload }, offset));
    }
    for line in lines {
        if line.from_client {
            if line.payload == b"*" {
                out.cancelled = true;
                continue;
            }
            client_lines.push((line.payload, line.offset));
        } else {
            let text = match decode_base64(line.payload) {
                Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                // XOAUTH2 error challenges and some servers' prompts are not base64; keep them.
                Err(_) => String::from_utf8_lossy(line.payload).into_owned(),
            };
            out.challenges.push(text);
        }
    }
    for &(payload, offset) in &client_lines {
        if payload.len() > MAX_AUTH_LINE {
            out.lints.push(lints::LINE_TOO_LONG.at(
                Span::new(offset, offset + payload.len()),
                msg!("AUTH line of {n} bytes is longer than {MAX_AUTH_LINE} octets, the limit RFC 4954 §4 considers sufficient; a server whose buffer is smaller answers 500", n = payload.len(), MAX_AUTH_LINE),
            ));
        }
    }
    let def = if *mechanism == Mechanism::Plain {
        &lints::AUTH_PLAIN_MALFORMED
    } else {
        &lints::AUTH_PAYLOAD_MALFORMED
    };
    let mut decoded: Vec<(Vec<u8>, Span)> = Vec::new();
    for &(payload, offset) in &client_lines {
        let span = Span::new(offset, offset + payload.len());
        match decode_base64(payload) {
            Ok(bytes) => decoded.push((bytes, span)),
            Err(e) => out.lints.push(def.at(
                Span::new(
                    offset + e.offset().min(payload.len()),
                    offset + payload.len(),
                ),
                msg!(
                    "{mechanism} response is not valid base64: {e}",
                    mechanism,
                    e
                ),
            )),
        }
    }
    match mechanism {
        Mechanism::Plain => decode_plain_into(&mut out, &decoded),
        Mechanism::Login => {
            let mut it = decoded.iter();
            if let Some((user, _)) = it.next() {
                out.authcid = Some(String::from_utf8_lossy(user).into_owned());
            }
            if let Some((pass, _)) = it.next() {
                out.password = Some(String::from_utf8_lossy(pass).into_owned());
            }
            for (_, span) in it {
                out.lints.push(lints::AUTH_PAYLOAD_MALFORMED.at(
                    *span,
                    msg!("LOGIN carries exactly two responses (username, password); this one is extra"),
                ));
            }
        }
        Mechanism::CramMd5 => {
            if let Some((bytes, span)) = decoded.first() {
                match parse_cram_md5_response(bytes) {
                    Some((user, digest)) => {
                        out.authcid = Some(user);
                        out.digest = Some(digest);
                    }
                    None => out.lints.push(lints::AUTH_PAYLOAD_MALFORMED.at(
                        *span,
                        msg!("CRAM-MD5 response must be `user SP 32-lowercase-hex-digest` (RFC 2195 §2)"),
                    )),
                }
            }
        }
        Mechanism::Xoauth2 => {
            if let Some((bytes, span)) = decoded.first() {
                match parse_xoauth2(bytes) {
                    Some((user, token)) => {
                        out.authcid = Some(user);
                        out.token = Some(token);
                    }
                    None => out.lints.push(lints::AUTH_PAYLOAD_MALFORMED.at(
                        *span,
                        msg!("XOAUTH2 response must be `user=U ^A auth=Bearer T ^A ^A`"),
                    )),
                }
            }
        }
        Mechanism::Other(_) => {}
    }
    out
}

fn decode_plain_into(out: &mut DecodedAuth, decoded: &[(Vec<u8>, Span)]) {
    let Some((bytes, span)) = decoded.first() else {
        return;
    };
    match split_plain(bytes) {
        Ok((authzid, authcid, password)) => {
            out.authzid = Some(String::from_utf8_lossy(authzid).into_owned());
            out.authcid = Some(String::from_utf8_lossy(authcid).into_owned());
            out.password = Some(String::from_utf8_lossy(password).into_owned());
            if authcid.is_empty() {
                out.lints.push(lints::AUTH_PLAIN_MALFORMED.at(
                    *span,
                    msg!("PLAIN authcid is empty; RFC 4616 §2 requires 1 or more octets"),
                ));
            }
        }
        Err(nuls) => out.lints.push(lints::AUTH_PLAIN_MALFORMED.at(
            *span,
            msg!("PLAIN payload has {nuls} NUL separator(s); it must be exactly authzid NUL authcid NUL password (RFC 4616 §2)", nuls),
        )),
    }
}

/// The mechanism a bare client payload (a base64 line captured without its `AUTH` command)
/// belongs to, read from its shape: PLAIN when it decodes to exactly authzid NUL authcid NUL
/// password ([RFC 4616 §2](https://www.rfc-editor.org/rfc/rfc4616#section-2)), XOAUTH2 when it
/// is `user=…\x01auth=Bearer …\x01\x01`, CRAM-MD5 when it is a user and a 32-digit hex digest
/// ([RFC 2195 §2](https://www.rfc-editor.org/rfc/rfc2195#section-2)), otherwise LOGIN (whose
/// answers are bare text, the user name first). `None` when the line is not base64.
pub fn guess_mechanism(line: &[u8]) -> Option<Mechanism> {
    let bytes = decode_base64(line.trim_ascii()).ok()?;
    Some(if split_plain(&bytes).is_ok() {
        Mechanism::Plain
    } else if parse_xoauth2(&bytes).is_some() {
        Mechanism::Xoauth2
    } else if parse_cram_md5_response(&bytes).is_some() {
        Mechanism::CramMd5
    } else {
        Mechanism::Login
    })
}

/// The three parts of a PLAIN payload: `(authzid, authcid, password)`.
pub type PlainParts<'a> = (&'a [u8], &'a [u8], &'a [u8]);

/// Splits a decoded PLAIN payload into `(authzid, authcid, password)`; `Err(n)` gives the number
/// of NULs when it is not exactly two ([RFC 4616 §2](https://www.rfc-editor.org/rfc/rfc4616#section-2)).
pub fn split_plain(payload: &[u8]) -> Result<PlainParts<'_>, usize> {
    let mut parts = payload.split(|&b| b == 0);
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(z), Some(c), Some(p), None) => Ok((z, c, p)),
        _ => Err(payload.iter().filter(|&&b| b == 0).count()),
    }
}

/// Splits a decoded CRAM-MD5 response into user and lowercase-hex digest.
pub(super) fn parse_cram_md5_response(bytes: &[u8]) -> Option<(String, String)> {
    let sp = bytes.iter().rposition(|&b| b == b' ')?;
    let (user, digest) = (bytes.get(..sp)?, bytes.get(sp + 1..)?);
    let ok = !user.is_empty()
        && digest.len() == 32
        && digest
            .iter()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b));
    ok.then(|| {
        (
            String::from_utf8_lossy(user).into_owned(),
            String::from_utf8_lossy(digest).into_owned(),
        )
    })
}

/// Splits a decoded XOAUTH2 response into user and bearer token.
pub(super) fn parse_xoauth2(bytes: &[u8]) -> Option<(String, String)> {
    let body = bytes.strip_suffix(b"\x01\x01")?;
    let mut user = None;
    let mut token = None;
    for field in body.split(|&b| b == 1) {
        if let Some(u) = field.strip_prefix(b"user=") {
            user = Some(String::from_utf8_lossy(u).into_owned());
        } else if let Some(t) = field.strip_prefix(b"auth=") {
            let t = t.strip_prefix(b"Bearer ")?;
            token = Some(String::from_utf8_lossy(t).into_owned());
        } else {
            return None;
        }
    }
    Some((user?, token?))
}
