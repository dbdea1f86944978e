//! The DKIM lesson's panels ([`DkimDemo`]): the core signs a fixed sample message with a fixed
//! test key, verifies it against the key record, and verifies it again after one edit of the
//! body or of a signed header field, showing the step that fails. The crypto runs in the
//! worker ([`crate::worker`], request `DkimLesson`), like the Authenticity panel's.
//!
//! Teaching data: the message and the Ed25519 key of RFC 8463 Appendix A (the key is a
//! published **test key**, never to be used for real mail), `d=football.example.com`,
//! `s=brisbane`, signed at the RFC's own time `t=1528637909`.

use mailscope_core::auth::dkim::sign::{sign, SignOptions, SigningKey};
use mailscope_core::auth::tags;
use mailscope_core::codec::base64;
use serde::{Deserialize, Serialize};

use crate::state::i18n::key;
use crate::state::message::auth::{authenticate, AuthInput, AuthOutcome, SignatureView};

/// `d=` of the lesson.
pub const DOMAIN: &str = "football.example.com";
/// `s=` of the lesson.
pub const SELECTOR: &str = "brisbane";
/// The Ed25519 private key (the seed, base64) of RFC 8463 Appendix A.1: a published test key.
pub const TEST_SEED: &str = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=";
/// `t=`: the time RFC 8463 Appendix A.3's signatures carry.
pub const SIGNED_AT: u64 = 1_528_637_909;
/// The clock of the verification: a minute after signing.
pub const CHECKED_AT: u64 = SIGNED_AT + 60;

/// The message of RFC 8463 Appendix A.3, without its signatures.
pub const SAMPLE: &str = "From: Joe SixPack <joe@football.example.com>\r\n\
To: Suzie Q <suzie@shopping.example.net>\r\n\
Subject: Is dinner ready?\r\n\
Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n\
Message-ID: <20030712040037.46341.5F8J@football.example.com>\r\n\
\r\n\
Hi.\r\n\
\r\n\
We lost the game.  Are you hungry yet?\r\n\
\r\n\
Joe.\r\n";

/// The one-byte edit of the body: `?` becomes `!`.
pub const BODY_EDIT: (&str, &str) = ("Are you hungry yet?", "Are you hungry yet!");
/// The one-byte edit of a signed header field (Subject).
pub const HEADER_EDIT: (&str, &str) = ("Subject: Is dinner ready?", "Subject: Is dinner ready!");

/// A panel of the DKIM lesson.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DkimDemo {
    /// The message and the DKIM-Signature the core makes, tag by tag.
    Sign,
    /// The verification, step by step, with the key record: pass.
    Verify,
    /// One byte of the body changed: the body hash step fails.
    EditBody,
    /// One byte of a signed header field changed: the signature step fails.
    EditHeader,
    /// Where to sign a message of one's own: the composer.
    Composer,
}

/// One tag of the DKIM-Signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagView {
    /// The name.
    pub name: String,
    /// The value, as written.
    pub value: String,
}

/// What a DKIM lesson panel shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DkimLessonView {
    /// The message as checked: signed, and edited for the edit demos.
    pub message: String,
    /// The DKIM-Signature's tags, in order.
    pub tags: Vec<TagView>,
    /// The key record, as a zone-file line.
    pub record: String,
    /// The edit made (before, after), for the edit demos.
    pub edit: Option<(String, String)>,
    /// The verification of the signature (none for [`DkimDemo::Sign`]).
    pub check: Option<SignatureView>,
}

/// What a tag means, in English (translated by the page): RFC 6376 §3.5.
pub fn tag_meaning(name: &str) -> Option<&'static str> {
    Some(match name {
        "v" => key("version: always 1"),
        "a" => key("the algorithm: ed25519-sha256 signs a SHA-256 hash with Ed25519 (RFC 8463 §3)"),
        "c" => key("canonicalization of the header block / of the body (RFC 6376 §3.4): relaxed forgives whitespace and the case of field names"),
        "d" => key("the signing domain: who takes responsibility; the key is looked up under it"),
        "s" => key("the selector: the key record is at selector._domainkey.domain (RFC 6376 §3.6.2.1)"),
        "t" => key("when it was signed, in seconds since 1970"),
        "h" => key("the header fields signed, in order; a name listed once more than the field occurs means no such field may be added (RFC 6376 §5.4.2)"),
        "bh" => key("the hash of the canonicalized body, base64 (RFC 6376 §3.7)"),
        "b" => key("the signature of the selected header fields and of this field with b= empty, base64 (RFC 6376 §3.7)"),
        _ => return None,
    })
}

fn test_key() -> Result<SigningKey, String> {
    let seed = base64::decode_strict(TEST_SEED.as_bytes()).map_err(|e| e.to_string())?;
    let seed: [u8; 32] = seed
        .try_into()
        .map_err(|_| "the test key is not 32 bytes".to_string())?;
    Ok(SigningKey::from_ed25519_seed(&seed))
}

/// Computes a panel with the core (in the worker: it signs and verifies).
pub fn dkim_lesson(demo: DkimDemo) -> Result<DkimLessonView, String> {
    let key = test_key()?;
    let options = SignOptions {
        timestamp: Some(SIGNED_AT),
        ..SignOptions::new(DOMAIN, SELECTOR)
    };
    let field = sign(SAMPLE.as_bytes(), &key, &options)?;
    let field = String::from_utf8_lossy(&field).into_owned();
    let value = field.split_once(':').map_or("", |(_, v)| v);
    let tags = tags::parse(value.as_bytes(), 0)
        .map_err(|e| e.reason.template.to_string())?
        .into_iter()
        .map(|t| TagView {
            value: tags::squeeze(&t.value),
            name: t.name,
        })
        .collect();
    let record = key.dns_record(SELECTOR, DOMAIN);
    let signed = format!("{field}{SAMPLE}");
    let edit = match demo {
        DkimDemo::EditBody => Some(BODY_EDIT),
        DkimDemo::EditHeader => Some(HEADER_EDIT),
        DkimDemo::Sign | DkimDemo::Verify | DkimDemo::Composer => None,
    };
    let message = match edit {
        Some((before, after)) => signed.replacen(before, after, 1),
        None => signed,
    };
    let check = match demo {
        DkimDemo::Sign | DkimDemo::Composer => None,
        DkimDemo::Verify | DkimDemo::EditBody | DkimDemo::EditHeader => {
            let input = AuthInput {
                records: record.clone(),
                ..AuthInput::default()
            };
            match authenticate(message.as_bytes(), &input, &[], CHECKED_AT) {
                Ok(AuthOutcome::Done(view)) => view.dkim.into_iter().next(),
                Ok(AuthOutcome::Needs(_)) => None,
                Err(e) => return Err(format!("{e:?}")),
            }
        }
    };
    Ok(DkimLessonView {
        message,
        tags,
        record,
        edit: edit.map(|(b, a)| (b.to_string(), a.to_string())),
        check,
    })
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::state::message::auth::StepView;

    fn view(demo: DkimDemo) -> DkimLessonView {
        dkim_lesson(demo).unwrap_or_else(|e| panic!("{demo:?}: {e}"))
    }

    /// The template of each step and whether it succeeded.
    fn steps(v: &DkimLessonView) -> Vec<(String, Option<bool>)> {
        v.check
            .as_ref()
            .expect("a check")
            .steps
            .iter()
            .map(|s: &StepView| (s.title.template.to_string(), s.ok))
            .collect()
    }

    const BODY_STEP: &str = "Hash the canonical body ({hash}) and compare with bh=";
    const SIGNATURE_STEP: &str = "Verify b= over the header block ({a})";

    #[test]
    fn the_signature_is_shown_tag_by_tag_with_the_rfc_8463_key() {
        let v = view(DkimDemo::Sign);
        let get = |name: &str| {
            v.tags
                .iter()
                .find(|t| t.name == name)
                .map(|t| t.value.clone())
        };
        assert_eq!(get("a").as_deref(), Some("ed25519-sha256"));
        assert_eq!(get("d").as_deref(), Some(DOMAIN));
        assert_eq!(get("s").as_deref(), Some(SELECTOR));
        assert_eq!(get("t").as_deref(), Some("1528637909"));
        assert_eq!(
            get("h").as_deref(),
            Some("from:from:subject:subject:date:date:to:to:message-id"),
            "From, Subject, Date and To over-signed"
        );
        // RFC 8463 §A.3's body hash: the same body, the same relaxed canonicalization.
        assert_eq!(
            get("bh").as_deref(),
            Some("2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=")
        );
        for t in &v.tags {
            assert!(tag_meaning(&t.name).is_some(), "tag {} explained", t.name);
        }
        // RFC 8463 §A.2's record: the test key's public half.
        assert_eq!(
            v.record,
            "brisbane._domainkey.football.example.com. IN TXT \"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\""
        );
        assert!(v
            .message
            .starts_with("DKIM-Signature: v=1; a=ed25519-sha256;"));
        assert!(v.message.ends_with(SAMPLE));
        assert_eq!((v.check, v.edit), (None, None));
    }

    #[test]
    fn the_untouched_message_passes_every_step() {
        let v = view(DkimDemo::Verify);
        let check = v.check.clone().expect("a check");
        assert_eq!(check.result, "pass", "{:#?}", check.steps);
        let all = steps(&v);
        assert!(all.iter().all(|(_, ok)| *ok != Some(false)), "{all:#?}");
        for step in [BODY_STEP, SIGNATURE_STEP] {
            assert!(
                all.contains(&(step.to_string(), Some(true))),
                "{step}: {all:#?}"
            );
        }
    }

    #[test]
    fn one_byte_of_the_body_fails_the_body_hash() {
        let signed = view(DkimDemo::Verify).message;
        let v = view(DkimDemo::EditBody);
        let changed = signed
            .bytes()
            .zip(v.message.bytes())
            .filter(|(a, b)| a != b)
            .count();
        assert_eq!((changed, signed.len()), (1, v.message.len()), "one byte");
        let check = v.check.clone().expect("a check");
        assert_eq!(check.result, "fail");
        let failed: Vec<_> = steps(&v)
            .into_iter()
            .filter(|(_, ok)| *ok == Some(false))
            .collect();
        assert_eq!(
            failed,
            [
                (BODY_STEP.into(), Some(false)),
                ("Result".into(), Some(false))
            ]
        );
        let (signed_hash, computed) = check.body_hash.expect("both hashes");
        assert_ne!(signed_hash, computed);
    }

    #[test]
    fn one_byte_of_a_signed_header_fails_the_signature() {
        let v = view(DkimDemo::EditHeader);
        assert!(v.message.contains(HEADER_EDIT.1));
        let check = v.check.clone().expect("a check");
        assert_eq!(check.result, "fail");
        let all = steps(&v);
        assert!(
            all.contains(&(BODY_STEP.to_string(), Some(true))),
            "the body is untouched: {all:#?}"
        );
        let failed: Vec<_> = all
            .into_iter()
            .filter(|(_, ok)| *ok == Some(false))
            .collect();
        assert_eq!(
            failed,
            [
                (SIGNATURE_STEP.into(), Some(false)),
                ("Result".into(), Some(false))
            ]
        );
    }
}
