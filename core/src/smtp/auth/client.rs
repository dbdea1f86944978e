//! The client side: [`ClientExchange`] turns credentials into the lines a client sends.

use super::{decode_base64, encode_base64, hmac_md5, to_hex, AuthError, Credentials, Mechanism};

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
