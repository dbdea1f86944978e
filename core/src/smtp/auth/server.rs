//! The server side: [`ServerExchange`] checks what a client sends against known users.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::decode::{parse_cram_md5_response, parse_xoauth2};
use super::{
    decode_base64, encode_base64, hmac_md5, split_plain, to_hex, Mechanism, LOGIN_PASSWORD_PROMPT,
    LOGIN_USERNAME_PROMPT, MAX_AUTH_LINE,
};

/// Why a server refuses an AUTH exchange, with the reply it gives
/// ([RFC 4954 §4, §6](https://www.rfc-editor.org/rfc/rfc4954#section-6)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum AuthFailure {
    /// The client sent `*`: `501 5.7.0`.
    Cancelled,
    /// A response was not base64 or not in the mechanism's form: `501 5.5.2`.
    Malformed,
    /// The credentials are wrong: `535 5.7.8`.
    BadCredentials,
    /// The mechanism is not offered: `504 5.5.4`.
    UnsupportedMechanism,
    /// A response is longer than [`MAX_AUTH_LINE`]: `500 5.5.6`.
    LineTooLong,
}

impl AuthFailure {
    /// The reply code, enhanced status code and text a server sends for this failure.
    pub fn reply(self) -> (u16, &'static str, &'static str) {
        match self {
            AuthFailure::Cancelled => (501, "5.7.0", "Authentication cancelled"),
            AuthFailure::Malformed => (501, "5.5.2", "Cannot decode response"),
            AuthFailure::BadCredentials => (535, "5.7.8", "Authentication credentials invalid"),
            AuthFailure::UnsupportedMechanism => (504, "5.5.4", "Unrecognized authentication type"),
            AuthFailure::LineTooLong => (500, "5.5.6", "Authentication exchange line too long"),
        }
    }
}

impl std::fmt::Display for AuthFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (code, esc, text) = self.reply();
        write!(f, "{code} {esc} {text}")
    }
}

impl std::error::Error for AuthFailure {}

/// What the server does next in an AUTH exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerStep {
    /// Send `334 <this base64 text>` and wait for the next client line.
    Challenge(String),
    /// Authenticated as this user: send `235 2.7.0`.
    Success(String),
    /// Refuse with [`AuthFailure::reply`].
    Failure(AuthFailure),
}

/// The server half of one AUTH exchange. The user table maps user names to passwords (XOAUTH2
/// compares the bearer token with the password; a sandbox has no token issuer).
///
/// Call order: [`ServerExchange::start`] with the optional initial response, then
/// [`ServerExchange::handle_line`] for each client line while the last step was
/// [`ServerStep::Challenge`].
#[derive(Debug, Clone)]
pub struct ServerExchange {
    mechanism: Mechanism,
    cram_challenge: String,
    login_user: Option<Vec<u8>>,
    step: usize,
}

impl ServerExchange {
    /// Starts an exchange. `cram_challenge` is the CRAM-MD5 challenge the caller made (RFC 2195
    /// suggests `<random.timestamp@hostname>`; the core has no RNG or clock); other mechanisms
    /// ignore it. Returns the exchange and its first step.
    pub fn start(
        mechanism: Mechanism,
        initial: Option<&[u8]>,
        cram_challenge: &str,
        users: &BTreeMap<String, String>,
    ) -> (ServerExchange, ServerStep) {
        let mut ex = ServerExchange {
            mechanism,
            cram_challenge: cram_challenge.to_owned(),
            login_user: None,
            step: 0,
        };
        let step = match (&ex.mechanism, initial) {
            (Mechanism::Other(_), _) => ServerStep::Failure(AuthFailure::UnsupportedMechanism),
            (Mechanism::CramMd5, Some(_)) => ServerStep::Failure(AuthFailure::Malformed),
            (Mechanism::CramMd5, None) => {
                ServerStep::Challenge(encode_base64(ex.cram_challenge.as_bytes()))
            }
            (Mechanism::Login, None) => ServerStep::Challenge(LOGIN_USERNAME_PROMPT.into()),
            (Mechanism::Plain | Mechanism::Xoauth2, None) => ServerStep::Challenge(String::new()),
            (_, Some(line)) => {
                // "=" is the empty initial response (RFC 4954 §4).
                let line = if line == b"=" { &b""[..] } else { line };
                ex.handle_line(line, users)
            }
        };
        (ex, step)
    }

    /// Handles one client line (without CRLF).
    pub fn handle_line(&mut self, line: &[u8], users: &BTreeMap<String, String>) -> ServerStep {
        if line == b"*" {
            return ServerStep::Failure(AuthFailure::Cancelled);
        }
        if line.len() > MAX_AUTH_LINE {
            return ServerStep::Failure(AuthFailure::LineTooLong);
        }
        let Ok(bytes) = decode_base64(line) else {
            return ServerStep::Failure(AuthFailure::Malformed);
        };
        self.step += 1;
        match self.mechanism {
            Mechanism::Plain => match verify_plain(&bytes, users) {
                Ok(user) => ServerStep::Success(user),
                Err(f) => ServerStep::Failure(f),
            },
            Mechanism::Login => match self.login_user.take() {
                None => {
                    self.login_user = Some(bytes);
                    ServerStep::Challenge(LOGIN_PASSWORD_PROMPT.into())
                }
                Some(user) => match verify_login(&user, &bytes, users) {
                    Some(user) => ServerStep::Success(user),
                    None => ServerStep::Failure(AuthFailure::BadCredentials),
                },
            },
            Mechanism::CramMd5 => {
                let Some((user, digest)) = parse_cram_md5_response(&bytes) else {
                    return ServerStep::Failure(AuthFailure::Malformed);
                };
                match users.get(&user) {
                    Some(password)
                        if verify_cram_md5(
                            self.cram_challenge.as_bytes(),
                            password,
                            digest.as_bytes(),
                        ) =>
                    {
                        ServerStep::Success(user)
                    }
                    _ => ServerStep::Failure(AuthFailure::BadCredentials),
                }
            }
            Mechanism::Xoauth2 => {
                let Some((user, token)) = parse_xoauth2(&bytes) else {
                    return ServerStep::Failure(AuthFailure::Malformed);
                };
                match users.get(&user) {
                    Some(p) if ct_eq(p.as_bytes(), token.as_bytes()) => ServerStep::Success(user),
                    _ => ServerStep::Failure(AuthFailure::BadCredentials),
                }
            }
            Mechanism::Other(_) => ServerStep::Failure(AuthFailure::UnsupportedMechanism),
        }
    }
}

/// Checks a decoded PLAIN payload against `users`; returns the authenticated user. An authzid
/// other than empty or the authcid itself is refused (no proxy authorization here).
pub fn verify_plain(
    payload: &[u8],
    users: &BTreeMap<String, String>,
) -> Result<String, AuthFailure> {
    let (authzid, authcid, password) = split_plain(payload).map_err(|_| AuthFailure::Malformed)?;
    if authcid.is_empty() || (!authzid.is_empty() && authzid != authcid) {
        return Err(AuthFailure::BadCredentials);
    }
    let user = std::str::from_utf8(authcid).map_err(|_| AuthFailure::BadCredentials)?;
    match users.get(user) {
        Some(p) if ct_eq(p.as_bytes(), password) => Ok(user.to_owned()),
        _ => Err(AuthFailure::BadCredentials),
    }
}

/// Checks a LOGIN user name and password against `users`.
pub fn verify_login(
    user: &[u8],
    password: &[u8],
    users: &BTreeMap<String, String>,
) -> Option<String> {
    let user = std::str::from_utf8(user).ok()?;
    let stored = users.get(user)?;
    ct_eq(stored.as_bytes(), password).then(|| user.to_owned())
}

/// Checks a CRAM-MD5 hex digest (as sent, lowercase hex) for `challenge` and `password`
/// ([RFC 2195 §2](https://www.rfc-editor.org/rfc/rfc2195#section-2)).
pub fn verify_cram_md5(challenge: &[u8], password: &str, digest_hex: &[u8]) -> bool {
    let expected = to_hex(&hmac_md5(password.as_bytes(), challenge));
    ct_eq(expected.as_bytes(), digest_hex)
}

/// Equality whose time does not depend on where the inputs differ (length still shows).
fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
