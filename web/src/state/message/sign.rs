//! DKIM signing in the composer: the "Sign with DKIM" section's fields, the request the worker
//! signs with (the core's [`sign`], RFC 6376 §5, with RSA or Ed25519 keys), what comes back
//! (the DKIM-Signature field and the key record to publish), and what can go wrong, in the
//! reader's terms. The crypto runs in the worker ([`crate::worker`]); the page checks the
//! fields it can check without it.

use mailscope_core::auth::dkim::sign::{sign, SignOptions, SigningKey};
use serde::{Deserialize, Serialize};

use crate::state::error::UserError;
use crate::state::i18n::{tr, trf, Lang};

/// The selector offered at first (`s=`; the key record lives at
/// `<selector>._domainkey.<domain>`).
pub const DEFAULT_SELECTOR: &str = "mailscope";

/// The "Sign with DKIM" section of the composer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DkimForm {
    /// Whether the message is signed.
    pub on: bool,
    /// `d=` as typed; empty: the From address's domain.
    pub domain: String,
    /// `s=`.
    pub selector: String,
    /// The private key, PEM (PKCS#8 RSA or Ed25519, or PKCS#1 RSA).
    pub key: String,
}

impl Default for DkimForm {
    fn default() -> Self {
        DkimForm {
            on: false,
            domain: String::new(),
            selector: DEFAULT_SELECTOR.into(),
            key: String::new(),
        }
    }
}

/// What the worker signs with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignRequest {
    /// `d=`.
    pub domain: String,
    /// `s=`.
    pub selector: String,
    /// The private key, PEM.
    pub key: String,
    /// `t=`, Unix seconds (RFC 6376 §3.5 recommends it).
    pub timestamp: Option<u64>,
}

impl SignRequest {
    /// Whether both sign the same way (the time aside: a new time comes with a new Date, so
    /// with another message).
    pub fn same_signer(&self, other: &SignRequest) -> bool {
        (&self.domain, &self.selector, &self.key) == (&other.domain, &other.selector, &other.key)
    }
}

/// A signature made by the worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signed {
    /// The DKIM-Signature field, CR LF included, to put on top of the message.
    pub field: String,
    /// The key record as a zone-file line: what to publish in DNS, or to paste as a record.
    pub record: String,
}

/// Why the message cannot be signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignError {
    /// No key was given.
    NoKey,
    /// The key is not a PEM private key the core reads.
    NotPem,
    /// No domain was typed and the From address has none.
    NoDomain,
    /// No selector was typed.
    NoSelector,
    /// The domain or the selector holds something a DNS name cannot.
    BadName(String),
    /// The core refused (its reason).
    Refused(String),
}

impl UserError for SignError {
    fn what(&self, lang: Lang) -> String {
        match self {
            SignError::NoKey => tr(lang, "There is no private key to sign with.").into(),
            SignError::NotPem => tr(
                lang,
                "The key is not a PEM private key: it should start with -----BEGIN PRIVATE KEY----- (RSA or Ed25519) or -----BEGIN RSA PRIVATE KEY-----.",
            )
            .into(),
            SignError::NoDomain => tr(
                lang,
                "There is no domain to sign for: the Domain field is empty and the From address has no domain.",
            )
            .into(),
            SignError::NoSelector => tr(lang, "The selector is empty.").into(),
            SignError::BadName(name) => trf(
                lang,
                "{name} cannot be part of a DNS name: use letters, digits, hyphens and dots (an international domain in its xn-- form).",
                &[("name", name)],
            ),
            SignError::Refused(detail) => trf(
                lang,
                "The message cannot be signed: {detail}.",
                &[("detail", detail)],
            ),
        }
    }

    fn next_step(&self, lang: Lang) -> String {
        match self {
            SignError::NoKey | SignError::NotPem => tr(
                lang,
                "Paste the whole PEM file, header and footer lines included, or press Make a test key.",
            )
            .into(),
            SignError::NoDomain => tr(
                lang,
                "Type the domain whose DNS will publish the key, such as example.org, or give the From field an address.",
            )
            .into(),
            SignError::NoSelector | SignError::BadName(_) => tr(
                lang,
                "Type a selector such as mail2026 and a domain such as example.org.",
            )
            .into(),
            SignError::Refused(_) => {
                tr(lang, "Check the From field: a DKIM signature must sign it.").into()
            }
        }
    }
}

/// Whether `name` can be a DNS name (or a selector: labels of letters, digits, hyphens and
/// underscores, RFC 6376 §3.1).
fn dns_name(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    !name.is_empty()
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

impl DkimForm {
    /// The request to sign with: the typed domain or else `from_domain`, checked here; the key
    /// is read by the worker.
    pub fn request(
        &self,
        from_domain: Option<&str>,
        timestamp: Option<u64>,
    ) -> Result<SignRequest, SignError> {
        let domain = match self.domain.trim() {
            "" => from_domain.unwrap_or_default().trim(),
            typed => typed,
        };
        if domain.is_empty() {
            return Err(SignError::NoDomain);
        }
        let selector = self.selector.trim();
        if selector.is_empty() {
            return Err(SignError::NoSelector);
        }
        if let Some(bad) = [domain, selector].into_iter().find(|n| !dns_name(n)) {
            return Err(SignError::BadName(bad.to_string()));
        }
        if self.key.trim().is_empty() {
            return Err(SignError::NoKey);
        }
        Ok(SignRequest {
            domain: domain.to_string(),
            selector: selector.to_string(),
            key: self.key.clone(),
            timestamp,
        })
    }
}

/// Signs `message` (wire form) as `request` says, with the core: the field to put on top and
/// the record to publish. Runs in the worker.
pub fn sign_message(message: &[u8], request: &SignRequest) -> Result<Signed, SignError> {
    let key = SigningKey::from_pem(request.key.trim()).map_err(|_| SignError::NotPem)?;
    let options = SignOptions {
        timestamp: request.timestamp,
        ..SignOptions::new(&request.domain, &request.selector)
    };
    let field = sign(message, &key, &options).map_err(SignError::Refused)?;
    Ok(Signed {
        field: String::from_utf8_lossy(&field).into_owned(),
        record: key.dns_record(&request.selector, &request.domain),
    })
}

/// A fresh Ed25519 test key as PEM, made from 32 random bytes the caller draws (the worker,
/// from the browser's generator).
pub fn test_key_pem(seed: &[u8; 32]) -> Result<String, String> {
    SigningKey::from_ed25519_seed(seed).to_pem()
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::state::message::auth::{authenticate, AuthInput, AuthOutcome};

    const MESSAGE: &[u8] =
        b"From: a@example.org\r\nTo: b@example.net\r\nSubject: hi\r\n\r\nHello.\r\n";

    fn form(key: &str) -> DkimForm {
        DkimForm {
            on: true,
            key: key.into(),
            ..DkimForm::default()
        }
    }

    #[test]
    fn a_test_key_signs_and_its_record_makes_the_check_pass() {
        let pem = test_key_pem(&[42; 32]).expect("PEM");
        let request = form(&pem)
            .request(Some("example.org"), Some(1_700_000_000))
            .expect("a valid request");
        assert_eq!(
            (request.domain.as_str(), request.selector.as_str()),
            ("example.org", DEFAULT_SELECTOR)
        );
        let signed = sign_message(MESSAGE, &request).expect("signed");
        assert!(signed
            .field
            .starts_with("DKIM-Signature: v=1; a=ed25519-sha256;"));
        assert!(signed
            .field
            .contains(" d=example.org; s=mailscope; t=1700000000;"));
        assert!(
            signed
                .record
                .starts_with("mailscope._domainkey.example.org. IN TXT \"v=DKIM1; k=ed25519; p="),
            "{}",
            signed.record
        );
        let mut message = signed.field.clone().into_bytes();
        message.extend_from_slice(MESSAGE);
        let input = AuthInput {
            records: signed.record.clone(),
            ..AuthInput::default()
        };
        match authenticate(&message, &input, &[], 1_700_000_100) {
            Ok(AuthOutcome::Done(view)) => {
                let results: Vec<&str> = view.dkim.iter().map(|d| d.result.as_str()).collect();
                assert_eq!(results, ["pass"], "{:#?}", view.dkim);
            }
            other => panic!("expected a report, got {other:?}"),
        }
    }

    #[test]
    fn fields_are_checked_in_the_readers_terms() {
        let pem = test_key_pem(&[1; 32]).expect("PEM");
        let cases: &[(DkimForm, Option<&str>, SignError)] = &[
            (form(&pem), None, SignError::NoDomain),
            (
                DkimForm {
                    selector: " ".into(),
                    ..form(&pem)
                },
                Some("example.org"),
                SignError::NoSelector,
            ),
            (
                DkimForm {
                    domain: "exa mple.org".into(),
                    ..form(&pem)
                },
                Some("example.org"),
                SignError::BadName("exa mple.org".into()),
            ),
            (
                DkimForm {
                    selector: "a..b".into(),
                    ..form(&pem)
                },
                Some("example.org"),
                SignError::BadName("a..b".into()),
            ),
            (form(""), Some("example.org"), SignError::NoKey),
        ];
        for (form, from, want) in cases {
            assert_eq!(form.request(*from, None).as_ref(), Err(want), "{form:?}");
            assert!(!want.what(Lang::En).is_empty() && !want.next_step(Lang::En).is_empty());
        }
        let typed = DkimForm {
            domain: "mail.example.com".into(),
            ..form(&pem)
        };
        assert_eq!(
            typed
                .request(Some("example.org"), None)
                .map(|r| r.domain)
                .as_deref(),
            Ok("mail.example.com"),
            "a typed domain wins over the From's"
        );
        let not_pem = form("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 me@host")
            .request(Some("example.org"), None)
            .expect("the page cannot tell");
        assert_eq!(sign_message(MESSAGE, &not_pem), Err(SignError::NotPem));
        assert!(SignError::NotPem
            .what(Lang::En)
            .contains("BEGIN PRIVATE KEY"));
        let unsigned = sign_message(
            b"Subject: no sender\r\n\r\nhi\r\n",
            &form(&pem)
                .request(Some("example.org"), None)
                .expect("valid"),
        );
        assert!(
            matches!(unsigned, Err(SignError::Refused(ref why)) if why.contains("From")),
            "{unsigned:?}"
        );
    }

    #[test]
    fn the_same_signer_ignores_the_time() {
        let a = form("k").request(Some("example.org"), Some(1)).expect("a");
        let b = form("k").request(Some("example.org"), Some(2)).expect("b");
        assert!(a.same_signer(&b));
        let c = form("other")
            .request(Some("example.org"), Some(1))
            .expect("c");
        assert!(!a.same_signer(&c));
    }
}
