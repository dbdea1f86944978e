//! AUTH mechanisms ([RFC 4954](https://www.rfc-editor.org/rfc/rfc4954)): PLAIN
//! ([RFC 4616](https://www.rfc-editor.org/rfc/rfc4616)), LOGIN
//! ([draft-murchison-sasl-login](https://datatracker.ietf.org/doc/html/draft-murchison-sasl-login-00)),
//! CRAM-MD5 ([RFC 2195](https://www.rfc-editor.org/rfc/rfc2195)) and XOAUTH2 (Google's
//! `user=…^Aauth=Bearer …^A^A`).
//!
//! ```text
//!  Credentials ──► ClientExchange ──► base64 lines ──► wire ──► ServerExchange ──► user / failure
//!  captured lines ──► decode_exchange ──► DecodedAuth { authzid, authcid, password, …, lints }
//! ```
//!
//! Everything here is pure: the CRAM-MD5 challenge is passed in by the caller (no RNG), MD5
//! ([RFC 1321](https://www.rfc-editor.org/rfc/rfc1321)), HMAC
//! ([RFC 2104](https://www.rfc-editor.org/rfc/rfc2104)) and base64
//! ([RFC 4648 §4](https://www.rfc-editor.org/rfc/rfc4648#section-4)) are implemented below.
//! Decoding is total: any bytes give a [`DecodedAuth`] whose lints say what was wrong.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::lint::Lint;
use crate::smtp::lints;
use crate::span::Span;

// The AUTH line length RFC 4954 §4 considers sufficient (12288 octets, CRLF excluded) is the
// command parser's limit; longer payloads are rejected by
// `ServerExchange` and flagged by `decode_exchange`.
pub use crate::smtp::command::MAX_AUTH_LINE;

/// The LOGIN mechanism's first prompt, `Username:` in base64.
pub const LOGIN_USERNAME_PROMPT: &str = "VXNlcm5hbWU6";
/// The LOGIN mechanism's second prompt, `Password:` in base64.
pub const LOGIN_PASSWORD_PROMPT: &str = "UGFzc3dvcmQ6";

// ---------------------------------------------------------------------------------------------
// Mechanisms and credentials
// ---------------------------------------------------------------------------------------------

/// A SASL mechanism name as used with `AUTH` ([RFC 4954 §4](https://www.rfc-editor.org/rfc/rfc4954#section-4)).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mechanism {
    /// `PLAIN`: one base64 line `authzid NUL authcid NUL password` (RFC 4616 §2).
    Plain,
    /// `LOGIN`: username and password in answer to two prompts.
    Login,
    /// `CRAM-MD5`: `user SP hex(HMAC-MD5(password, challenge))` (RFC 2195).
    CramMd5,
    /// `XOAUTH2`: `user=… ^A auth=Bearer token ^A ^A` (Google, Microsoft).
    Xoauth2,
    /// Any other mechanism name, kept upper-cased.
    Other(String),
}

impl Mechanism {
    /// Reads a mechanism name, case-insensitively (RFC 4422 §3.1).
    pub fn parse(name: &str) -> Mechanism {
        match name.to_ascii_uppercase().as_str() {
            "PLAIN" => Mechanism::Plain,
            "LOGIN" => Mechanism::Login,
            "CRAM-MD5" => Mechanism::CramMd5,
            "XOAUTH2" => Mechanism::Xoauth2,
            other => Mechanism::Other(other.to_owned()),
        }
    }

    /// The name as written after `AUTH`.
    pub fn as_str(&self) -> &str {
        match self {
            Mechanism::Plain => "PLAIN",
            Mechanism::Login => "LOGIN",
            Mechanism::CramMd5 => "CRAM-MD5",
            Mechanism::Xoauth2 => "XOAUTH2",
            Mechanism::Other(name) => name,
        }
    }
}

impl std::fmt::Display for Mechanism {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a client authenticates with. `Debug` hides the secret.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Credentials {
    /// Authorization identity (PLAIN only; usually empty, meaning "same as `username`").
    #[serde(default)]
    pub authzid: String,
    /// Authentication identity (user name).
    pub username: String,
    /// Password, or the OAuth bearer token for XOAUTH2.
    pub secret: String,
}

impl Credentials {
    /// Credentials with an empty authzid.
    pub fn new(username: impl Into<String>, secret: impl Into<String>) -> Self {
        Credentials {
            authzid: String::new(),
            username: username.into(),
            secret: secret.into(),
        }
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("authzid", &self.authzid)
            .field("username", &self.username)
            .field("secret", &"<hidden>")
            .finish()
    }
}

/// Why an AUTH step could not be built or answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum AuthError {
    /// A credential contains a byte the mechanism cannot carry (NUL in PLAIN, `^A` in XOAUTH2).
    ForbiddenByte {
        /// Which field (`"authzid"`, `"username"`, `"secret"`).
        field: &'static str,
        /// The byte found.
        byte: u8,
    },
    /// The server's challenge is not valid base64.
    BadChallenge(Base64Error),
    /// The server sent a challenge the mechanism does not expect at this step.
    UnexpectedChallenge {
        /// The mechanism in use.
        mechanism: String,
        /// How many challenges the mechanism expects.
        expected: usize,
        /// Which challenge (0-based) arrived.
        step: usize,
    },
    /// The mechanism is not implemented here.
    Unsupported(String),
}

impl std::fmt::Display for AuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuthError::ForbiddenByte { field, byte } => {
                write!(
                    f,
                    "{field} contains byte 0x{byte:02x}, which the mechanism cannot carry"
                )
            }
            AuthError::BadChallenge(e) => write!(f, "server challenge is not base64: {e}"),
            AuthError::UnexpectedChallenge {
                mechanism,
                expected,
                step,
            } => write!(
                f,
                "{mechanism} expects {expected} challenge(s), the server sent challenge #{}",
                step + 1
            ),
            AuthError::Unsupported(m) => write!(f, "AUTH mechanism {m} is not supported"),
        }
    }
}

impl std::error::Error for AuthError {}

// ---------------------------------------------------------------------------------------------
// Client side
// ---------------------------------------------------------------------------------------------

/// The client half of one AUTH exchange: builds the initial response and answers each `334`
/// challenge ([RFC 4954 §4](https://www.rfc-editor.org/rfc/rfc4954#section-4)).
///
/// Call order: [`ClientExchange::new`], send `AUTH <mech> [initial]` using
/// [`ClientExchange::initial_response`], then for each `334 <text>` reply call
/// [`ClientExchange::respond`] with `<text>` and send the returned line; stop at `235` or 5xx.
#[derive(Debug, Clone)]
pub struct ClientExchange {
    mechanism: Mechanism,
    credentials: Credentials,
    step: usize,
}

impl ClientExchange {
    /// Prepares an exchange; fails if the credentials cannot be carried by the mechanism.
    pub fn new(mechanism: Mechanism, credentials: Credentials) -> Result<Self, AuthError> {
        match mechanism {
            Mechanism::Plain => {
                for (field, value) in [
                    ("authzid", &credentials.authzid),
                    ("username", &credentials.username),
                    ("secret", &credentials.secret),
                ] {
                    if value.as_bytes().contains(&0) {
                        return Err(AuthError::ForbiddenByte { field, byte: 0 });
                    }
                }
            }
            Mechanism::Xoauth2 => {
                for (field, value) in [
                    ("username", &credentials.username),
                    ("secret", &credentials.secret),
                ] {
                    if value.as_bytes().contains(&1) {
                        return Err(AuthError::ForbiddenByte { field, byte: 1 });
                    }
                }
            }
            Mechanism::CramMd5 => {
                if credentials.username.contains(' ') {
                    return Err(AuthError::ForbiddenByte {
                        field: "username",
                        byte: b' ',
                    });
                }
            }
            Mechanism::Login => {}
            Mechanism::Other(name) => return Err(AuthError::Unsupported(name)),
        }
        Ok(ClientExchange {
            mechanism,
            credentials,
            step: 0,
        })
    }

    /// The mechanism in use.
    pub fn mechanism(&self) -> &Mechanism {
        &self.mechanism
    }

    /// The base64 initial response to put after `AUTH <mech>` (RFC 4954 §4), if the mechanism
    /// has one: PLAIN and XOAUTH2 do; LOGIN and CRAM-MD5 wait for a challenge.
    pub fn initial_response(&self) -> Option<String> {
        match self.mechanism {
            Mechanism::Plain => Some(encode_base64(&plain_payload(&self.credentials))),
            Mechanism::Xoauth2 => Some(encode_base64(&xoauth2_payload(&self.credentials))),
            _ => None,
        }
    }

    /// The line (without CRLF) answering the `334` challenge text `challenge`.
    pub fn respond(&mut self, challenge: &str) -> Result<String, AuthError> {
        let step = self.step;
        self.step += 1;
        let unexpected = |expected| AuthError::UnexpectedChallenge {
            mechanism: self.mechanism.to_string(),
            expected,
            step,
        };
        match self.mechanism {
            Mechanism::Login => {
                // Answer by the prompt when it is one of the usual two, else by position.
                let prompt = decode_base64(challenge.trim().as_bytes())
                    .map(|p| p.to_ascii_lowercase())
                    .unwrap_or_default();
                let wants_password = if prompt.starts_with(b"password") {
                    true
                } else if prompt.starts_with(b"username") || prompt.starts_with(b"user name") {
                    false
                } else {
                    step == 1
                };
                if step > 1 {
                    return Err(unexpected(2));
                }
                let value = if wants_password {
                    &self.credentials.secret
                } else {
                    &self.credentials.username
                };
                Ok(encode_base64(value.as_bytes()))
            }
            Mechanism::CramMd5 => {
                if step > 0 {
                    return Err(unexpected(1));
                }
                let challenge =
                    decode_base64(challenge.trim().as_bytes()).map_err(AuthError::BadChallenge)?;
                Ok(encode_base64(
                    cram_md5_response(
                        &self.credentials.username,
                        &self.credentials.secret,
                        &challenge,
                    )
                    .as_bytes(),
                ))
            }
            // A 334 after the XOAUTH2 initial response carries a JSON error; the client answers
            // with an empty line and the server then sends the final failure.
            Mechanism::Xoauth2 if step == 0 => Ok(String::new()),
            Mechanism::Plain if step == 0 => {
                // The server asked for the response instead of taking an initial one.
                Ok(encode_base64(&plain_payload(&self.credentials)))
            }
            _ => Err(unexpected(1)),
        }
    }
}

/// `authzid NUL authcid NUL passwd` (RFC 4616 §2).
fn plain_payload(c: &Credentials) -> Vec<u8> {
    let mut out = Vec::with_capacity(c.authzid.len() + c.username.len() + c.secret.len() + 2);
    out.extend_from_slice(c.authzid.as_bytes());
    out.push(0);
    out.extend_from_slice(c.username.as_bytes());
    out.push(0);
    out.extend_from_slice(c.secret.as_bytes());
    out
}

/// `user=U ^A auth=Bearer T ^A ^A`.
fn xoauth2_payload(c: &Credentials) -> Vec<u8> {
    format!("user={}\x01auth=Bearer {}\x01\x01", c.username, c.secret).into_bytes()
}

/// The CRAM-MD5 response before base64: `user SP lowercase-hex(HMAC-MD5(password, challenge))`
/// ([RFC 2195 §2](https://www.rfc-editor.org/rfc/rfc2195#section-2)).
pub fn cram_md5_response(user: &str, password: &str, challenge: &[u8]) -> String {
    format!(
        "{user} {}",
        to_hex(&hmac_md5(password.as_bytes(), challenge))
    )
}

// ---------------------------------------------------------------------------------------------
// Decoding captured exchanges
// ---------------------------------------------------------------------------------------------

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
                format!(
                    "AUTH line of {} bytes is longer than {MAX_AUTH_LINE} octets, the limit RFC 4954 §4 considers sufficient; a server whose buffer is smaller answers 500",
                    payload.len()
                ),
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
                format!("{mechanism} response is not valid base64: {e}"),
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
                    "LOGIN carries exactly two responses (username, password); this one is extra",
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
                        "CRAM-MD5 response must be `user SP 32-lowercase-hex-digest` (RFC 2195 §2)",
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
                        "XOAUTH2 response must be `user=U ^A auth=Bearer T ^A ^A`",
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
                    "PLAIN authcid is empty; RFC 4616 §2 requires 1 or more octets",
                ));
            }
        }
        Err(nuls) => out.lints.push(lints::AUTH_PLAIN_MALFORMED.at(
            *span,
            format!(
                "PLAIN payload has {nuls} NUL separator(s); it must be exactly authzid NUL authcid NUL password (RFC 4616 §2)"
            ),
        )),
    }
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
fn parse_cram_md5_response(bytes: &[u8]) -> Option<(String, String)> {
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
fn parse_xoauth2(bytes: &[u8]) -> Option<(String, String)> {
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

// ---------------------------------------------------------------------------------------------
// Server side
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// base64 and hex (re-exported from crate::codec), MD5, HMAC
// ---------------------------------------------------------------------------------------------

pub use crate::codec::base64::{
    decode_strict as decode_base64, encode as encode_base64, Base64Error,
};
pub use crate::codec::hex::lower as to_hex;

/// The MD5 digest of `data` ([RFC 1321](https://www.rfc-editor.org/rfc/rfc1321)). Used only
/// for CRAM-MD5; MD5 is broken for collision resistance.
pub fn md5(data: &[u8]) -> [u8; 16] {
    const S: [u32; 64] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5,
        9, 14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10,
        15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ];
    const K: [u32; 64] = [
        0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613,
        0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193,
        0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d,
        0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed,
        0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122,
        0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
        0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665, 0xf4292244,
        0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
        0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb,
        0xeb86d391,
    ];
    let mut state: [u32; 4] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
    let bit_len = (data.len() as u64).wrapping_mul(8);
    let mut msg = data.to_vec();
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bit_len.to_le_bytes());
    for block in msg.chunks_exact(64) {
        let mut m = [0u32; 16];
        for (word, bytes) in m.iter_mut().zip(block.chunks_exact(4)) {
            *word = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        }
        let [mut a, mut b, mut c, mut d] = state;
        for i in 0..64 {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let f = f.wrapping_add(a).wrapping_add(K[i]).wrapping_add(m[g]);
            a = d;
            d = c;
            c = b;
            b = b.wrapping_add(f.rotate_left(S[i]));
        }
        state[0] = state[0].wrapping_add(a);
        state[1] = state[1].wrapping_add(b);
        state[2] = state[2].wrapping_add(c);
        state[3] = state[3].wrapping_add(d);
    }
    let mut out = [0u8; 16];
    for (dst, word) in out.chunks_exact_mut(4).zip(state) {
        dst.copy_from_slice(&word.to_le_bytes());
    }
    out
}

/// HMAC-MD5 ([RFC 2104 §2](https://www.rfc-editor.org/rfc/rfc2104#section-2), B = 64).
pub fn hmac_md5(key: &[u8], message: &[u8]) -> [u8; 16] {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..16].copy_from_slice(&md5(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = Vec::with_capacity(64 + message.len());
    inner.extend(k.iter().map(|b| b ^ 0x36));
    inner.extend_from_slice(message);
    let inner_hash = md5(&inner);
    let mut outer = Vec::with_capacity(64 + 16);
    outer.extend(k.iter().map(|b| b ^ 0x5c));
    outer.extend_from_slice(&inner_hash);
    md5(&outer)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn users() -> BTreeMap<String, String> {
        [("alice", "wonderland"), ("tim", "tanstaaftanstaaf")]
            .into_iter()
            .map(|(u, p)| (u.to_owned(), p.to_owned()))
            .collect()
    }

    #[test]
    fn md5_matches_rfc_1321_test_suite() {
        let cases: &[(&[u8], &str)] = &[
            (b"", "d41d8cd98f00b204e9800998ecf8427e"),
            (b"a", "0cc175b9c0f1b6a831c399e269772661"),
            (b"abc", "900150983cd24fb0d6963f7d28e17f72"),
            (b"message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            (
                b"abcdefghijklmnopqrstuvwxyz",
                "c3fcd3d76192e4007dfb496cca67e13b",
            ),
            (
                b"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
                "57edf4a22be3c955ac49da2e2107b67a",
            ),
        ];
        for &(input, hex) in cases {
            assert_eq!(to_hex(&md5(input)), hex, "md5 of {input:?}");
        }
    }

    #[test]
    fn hmac_md5_matches_rfc_2104_vectors() {
        let cases: &[(&[u8], &[u8], &str)] = &[
            (&[0x0b; 16], b"Hi There", "9294727a3638bb1c13f48ef8158bfc9d"),
            (
                b"Jefe",
                b"what do ya want for nothing?",
                "750c783e6ab0b503eaa86e310a5db738",
            ),
            (&[0xaa; 16], &[0xdd; 50], "56be34521d144c88dbb8c733f0e8b3f6"),
            // RFC 2202 test 6: key longer than the block size.
            (
                &[0xaa; 80],
                b"Test Using Larger Than Block-Size Key - Hash Key First",
                "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd",
            ),
        ];
        for &(key, msg, hex) in cases {
            assert_eq!(to_hex(&hmac_md5(key, msg)), hex, "hmac of {msg:?}");
        }
    }

    #[test]
    fn rfc_2195_worked_example_verifies() {
        let challenge_b64 = "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+";
        let challenge = decode_base64(challenge_b64.as_bytes()).unwrap();
        assert_eq!(challenge, b"<1896.697170952@postoffice.reston.mci.net>");
        let mut client = ClientExchange::new(
            Mechanism::CramMd5,
            Credentials::new("tim", "tanstaaftanstaaf"),
        )
        .unwrap();
        assert_eq!(client.initial_response(), None);
        let response = client.respond(challenge_b64).unwrap();
        assert_eq!(
            response, "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw",
            "RFC 2195 client response"
        );
        assert!(verify_cram_md5(
            &challenge,
            "tanstaaftanstaaf",
            b"b913a602c7eda7a495b4e6e7334d3890"
        ));
        let (mut server, first) = ServerExchange::start(
            Mechanism::CramMd5,
            None,
            "<1896.697170952@postoffice.reston.mci.net>",
            &users(),
        );
        assert_eq!(first, ServerStep::Challenge(challenge_b64.to_owned()));
        assert_eq!(
            server.handle_line(response.as_bytes(), &users()),
            ServerStep::Success("tim".into())
        );
    }

    #[test]
    fn client_exchanges_build_expected_lines() {
        // (mechanism, credentials, expected initial, challenges, expected responses)
        type Case = (
            Mechanism,
            Credentials,
            Option<&'static str>,
            &'static [&'static str],
            &'static [&'static str],
        );
        let cases: Vec<Case> = vec![
            (
                Mechanism::Plain,
                Credentials::new("alice", "wonderland"),
                Some("AGFsaWNlAHdvbmRlcmxhbmQ="),
                &[],
                &[],
            ),
            (
                Mechanism::Plain,
                Credentials { authzid: "admin".into(), ..Credentials::new("alice", "wonderland") },
                Some("YWRtaW4AYWxpY2UAd29uZGVybGFuZA=="),
                &[""],
                &["YWRtaW4AYWxpY2UAd29uZGVybGFuZA=="],
            ),
            (
                Mechanism::Login,
                Credentials::new("alice", "wonderland"),
                None,
                &[LOGIN_USERNAME_PROMPT, LOGIN_PASSWORD_PROMPT],
                &["YWxpY2U=", "d29uZGVybGFuZA=="],
            ),
            (
                Mechanism::Xoauth2,
                Credentials::new("someuser@example.com", "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"),
                Some("dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ=="),
                &["eyJzdGF0dXMiOiI0MDEifQ=="],
                &[""],
            ),
        ];
        for (mech, creds, initial, challenges, responses) in cases {
            let mut ex = ClientExchange::new(mech.clone(), creds).unwrap();
            assert_eq!(ex.initial_response().as_deref(), initial, "{mech} initial");
            for (c, r) in challenges.iter().zip(responses.iter()) {
                assert_eq!(ex.respond(c).as_deref(), Ok(*r), "{mech} answer to {c}");
            }
        }
        let mut login = ClientExchange::new(Mechanism::Login, Credentials::new("a", "b")).unwrap();
        let _ = login.respond(LOGIN_USERNAME_PROMPT);
        let _ = login.respond(LOGIN_PASSWORD_PROMPT);
        assert!(
            matches!(
                login.respond("x"),
                Err(AuthError::UnexpectedChallenge { step: 2, .. })
            ),
            "third LOGIN challenge must fail"
        );
        assert_eq!(
            ClientExchange::new(Mechanism::Plain, Credentials::new("a\0b", "c")).err(),
            Some(AuthError::ForbiddenByte {
                field: "username",
                byte: 0
            })
        );
        assert!(matches!(
            ClientExchange::new(Mechanism::parse("gssapi"), Credentials::new("a", "b")),
            Err(AuthError::Unsupported(m)) if m == "GSSAPI"
        ));
    }

    #[test]
    fn decodes_captured_exchanges() {
        let plain = decode_exchange(
            &Mechanism::Plain,
            Some((b"AGFsaWNlAHdvbmRlcmxhbmQ=", 11)),
            &[],
        );
        assert_eq!(
            (
                plain.authzid.as_deref(),
                plain.authcid.as_deref(),
                plain.password.as_deref()
            ),
            (Some(""), Some("alice"), Some("wonderland"))
        );
        assert!(plain.lints.is_empty(), "lints: {:?}", plain.lints);

        let login = decode_exchange(
            &Mechanism::Login,
            None,
            &[
                AuthLine {
                    from_client: false,
                    payload: b"VXNlcm5hbWU6",
                    offset: 0,
                },
                AuthLine {
                    from_client: true,
                    payload: b"YWxpY2U=",
                    offset: 20,
                },
                AuthLine {
                    from_client: false,
                    payload: b"UGFzc3dvcmQ6",
                    offset: 30,
                },
                AuthLine {
                    from_client: true,
                    payload: b"d29uZGVybGFuZA==",
                    offset: 50,
                },
            ],
        );
        assert_eq!(login.challenges, ["Username:", "Password:"]);
        assert_eq!(
            (login.authcid.as_deref(), login.password.as_deref()),
            (Some("alice"), Some("wonderland"))
        );

        let cram = decode_exchange(
            &Mechanism::CramMd5,
            None,
            &[
                AuthLine {
                    from_client: false,
                    payload: b"PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+",
                    offset: 0,
                },
                AuthLine {
                    from_client: true,
                    payload: b"dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw",
                    offset: 70,
                },
            ],
        );
        assert_eq!(
            cram.challenges,
            ["<1896.697170952@postoffice.reston.mci.net>"]
        );
        assert_eq!(
            (cram.authcid.as_deref(), cram.digest.as_deref()),
            (Some("tim"), Some("b913a602c7eda7a495b4e6e7334d3890"))
        );

        let xo = decode_exchange(
            &Mechanism::Xoauth2,
            Some((b"dXNlcj1hQGIBYXV0aD1CZWFyZXIgdG9rAQE=", 0)),
            &[],
        );
        assert_eq!(
            (xo.authcid.as_deref(), xo.token.as_deref()),
            (Some("a@b"), Some("tok"))
        );
    }

    #[test]
    fn flags_malformed_payloads() {
        // (mechanism, initial response, offset, expected lint code, expected span)
        let cases: &[(Mechanism, &[u8], usize, &str, Span)] = &[
            // "alice\0wonderland": one NUL only.
            (
                Mechanism::Plain,
                b"YWxpY2UAd29uZGVybGFuZA==",
                5,
                "smtp.auth-plain-malformed",
                Span::new(5, 29),
            ),
            // "\0a\0b\0c": three NULs.
            (
                Mechanism::Plain,
                b"AGEAYgBj",
                0,
                "smtp.auth-plain-malformed",
                Span::new(0, 8),
            ),
            // "\0\0pw": empty authcid.
            (
                Mechanism::Plain,
                b"AABwdw==",
                0,
                "smtp.auth-plain-malformed",
                Span::new(0, 8),
            ),
            (
                Mechanism::Plain,
                b"not base64!",
                10,
                "smtp.auth-plain-malformed",
                Span::new(21, 21),
            ),
            (
                Mechanism::Plain,
                b"AGFs*WNl",
                0,
                "smtp.auth-plain-malformed",
                Span::new(4, 8),
            ),
            // "tim short" — digest not 32 hex.
            (
                Mechanism::CramMd5,
                b"dGltIHNob3J0",
                0,
                "smtp.auth-payload-malformed",
                Span::new(0, 12),
            ),
            // "user=a" without the ^A^A trailer.
            (
                Mechanism::Xoauth2,
                b"dXNlcj1h",
                0,
                "smtp.auth-payload-malformed",
                Span::new(0, 8),
            ),
            (
                Mechanism::Login,
                b"%%%%",
                3,
                "smtp.auth-payload-malformed",
                Span::new(3, 7),
            ),
        ];
        for (mech, payload, offset, code, span) in cases {
            let d = decode_exchange(mech, Some((payload, *offset)), &[]);
            let got: Vec<(&str, Span)> = d.lints.iter().map(|l| (&*l.code, l.span)).collect();
            assert_eq!(got, [(*code, *span)], "{mech} {payload:?}");
        }
        let cancelled = decode_exchange(
            &Mechanism::Login,
            None,
            &[AuthLine {
                from_client: true,
                payload: b"*",
                offset: 0,
            }],
        );
        assert!(
            cancelled.cancelled && cancelled.lints.is_empty(),
            "{cancelled:?}"
        );
    }

    #[test]
    fn server_exchanges_accept_and_refuse() {
        let u = users();
        // (mechanism, initial, client lines, expected final step)
        type Case = (
            Mechanism,
            Option<&'static [u8]>,
            &'static [&'static [u8]],
            ServerStep,
        );
        let cases: &[Case] = &[
            (
                Mechanism::Plain,
                Some(b"AGFsaWNlAHdvbmRlcmxhbmQ="),
                &[],
                ServerStep::Success("alice".into()),
            ),
            (
                Mechanism::Plain,
                None,
                &[b"AGFsaWNlAHdvbmRlcmxhbmQ="],
                ServerStep::Success("alice".into()),
            ),
            // wrong password "wonderlan"
            (
                Mechanism::Plain,
                Some(b"AGFsaWNlAHdvbmRlcmxhbg=="),
                &[],
                ServerStep::Failure(AuthFailure::BadCredentials),
            ),
            (
                Mechanism::Plain,
                Some(b"@@@@"),
                &[],
                ServerStep::Failure(AuthFailure::Malformed),
            ),
            (
                Mechanism::Plain,
                Some(b"="),
                &[],
                ServerStep::Failure(AuthFailure::Malformed),
            ),
            (
                Mechanism::Login,
                None,
                &[b"YWxpY2U=", b"d29uZGVybGFuZA=="],
                ServerStep::Success("alice".into()),
            ),
            (
                Mechanism::Login,
                None,
                &[b"YWxpY2U=", b"eA=="],
                ServerStep::Failure(AuthFailure::BadCredentials),
            ),
            (
                Mechanism::Login,
                None,
                &[b"*"],
                ServerStep::Failure(AuthFailure::Cancelled),
            ),
            (
                Mechanism::CramMd5,
                None,
                &[b"dGltIDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAw"],
                ServerStep::Failure(AuthFailure::BadCredentials),
            ),
            (
                Mechanism::Other("NTLM".into()),
                None,
                &[],
                ServerStep::Failure(AuthFailure::UnsupportedMechanism),
            ),
        ];
        for (mech, initial, lines, expected) in cases {
            let (mut ex, mut step) = ServerExchange::start(mech.clone(), *initial, "<1@x>", &u);
            for line in *lines {
                assert!(
                    matches!(step, ServerStep::Challenge(_)),
                    "{mech}: expected a challenge before {line:?}, got {step:?}"
                );
                step = ex.handle_line(line, &u);
            }
            assert_eq!(&step, expected, "{mech} {initial:?} {lines:?}");
        }
        let long = vec![b'A'; MAX_AUTH_LINE + 4];
        let (mut ex, _) = ServerExchange::start(Mechanism::Login, None, "", &u);
        assert_eq!(
            ex.handle_line(&long, &u),
            ServerStep::Failure(AuthFailure::LineTooLong)
        );
    }

    #[test]
    fn garbage_never_panics() {
        let mut rng = crate::testutil::XorShift::new(0x9e37_79b9_7f4a_7c15);
        let mut next = move || rng.next_u64();
        let u = users();
        let alphabet = b"AZaz09+/=\0\x01 *";
        for _ in 0..2000 {
            let len = (next() % 40) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    let r = next();
                    if r % 3 == 0 {
                        r as u8
                    } else {
                        alphabet[(r >> 8) as usize % alphabet.len()]
                    }
                })
                .collect();
            for mech in [
                Mechanism::Plain,
                Mechanism::Login,
                Mechanism::CramMd5,
                Mechanism::Xoauth2,
            ] {
                let d = decode_exchange(
                    &mech,
                    Some((&bytes, 0)),
                    &[AuthLine {
                        from_client: true,
                        payload: &bytes,
                        offset: 50,
                    }],
                );
                for l in &d.lints {
                    assert!(
                        l.span.end <= 50 + bytes.len(),
                        "span {:?} out of input",
                        l.span
                    );
                }
                let (mut ex, _) = ServerExchange::start(mech.clone(), None, "<c>", &u);
                let _ = ex.handle_line(&bytes, &u);
                let _ = ex.handle_line(&bytes, &u);
            }
            if let Ok(text) = std::str::from_utf8(&bytes) {
                let mut c =
                    ClientExchange::new(Mechanism::Login, Credentials::new("a", "b")).unwrap();
                let _ = c.respond(text);
                let mut c =
                    ClientExchange::new(Mechanism::CramMd5, Credentials::new("a", "b")).unwrap();
                let _ = c.respond(text);
            }
        }
    }
}
