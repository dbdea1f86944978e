//! The SPF + DMARC alignment lesson's panels ([`AlignDemo`]): a shop's newsletter sent through
//! an email service provider (ESP), checked by the core as a receiver would, with the zone of
//! the lesson given as records (nothing is looked up). Each panel changes one thing — the
//! return path, the alignment mode, a DKIM signature — and the checks run again in the worker
//! (the page has no signature crypto), through the same requests as the composer and the
//! Authenticity panel.
//!
//! Teaching data: `shop.example` and `esp.example` are reserved names (RFC 2606), the ESP's
//! address is from TEST-NET-3 (RFC 5737), and the DKIM key is RFC 8463 Appendix A.1's published
//! test key.

use crate::state::message::auth::AuthInput;
use crate::state::message::sign::SignRequest;

/// The message the shop sends.
pub const MESSAGE: &str = "From: Shop <news@shop.example>\r\n\
To: you@example.net\r\n\
Subject: Our winter sale\r\n\
Date: Mon, 7 Dec 2026 09:00:00 +0000\r\n\
Message-ID: <sale-1@em.shop.example>\r\n\
\r\n\
Everything must go.\r\n";

/// The ESP's sending server.
pub const IP: &str = "203.0.113.7";
/// Its HELO name.
pub const HELO: &str = "mta7.esp.example";
/// The ESP's own return path (bounces come back to the ESP).
pub const ESP_RETURN_PATH: &str = "bounces+x7@bounces.esp.example";
/// A return path under the shop's domain, delegated to the ESP.
pub const SHOP_RETURN_PATH: &str = "bounces@em.shop.example";

/// The lesson's DNS: the shop and its return-path subdomain allow the ESP's servers (an
/// `include:` of the ESP's list), the ESP's bounce domain too, and the shop publishes DMARC
/// with `p=reject`.
pub const ZONE: &str = "shop.example. TXT \"v=spf1 include:_spf.esp.example -all\"\n\
em.shop.example. TXT \"v=spf1 include:_spf.esp.example -all\"\n\
bounces.esp.example. TXT \"v=spf1 include:_spf.esp.example -all\"\n\
_spf.esp.example. TXT \"v=spf1 ip4:203.0.113.0/24 -all\"\n";

/// The shop's DMARC record: relaxed alignment (the default).
pub const DMARC_RELAXED: &str = "_dmarc.shop.example. TXT \"v=DMARC1; p=reject\"\n";
/// The same with strict SPF alignment (`aspf=s`).
pub const DMARC_STRICT: &str = "_dmarc.shop.example. TXT \"v=DMARC1; p=reject; aspf=s\"\n";

/// RFC 8463 Appendix A.1's Ed25519 test key, PKCS#8 (a published test key, never for real
/// mail), with which the ESP signs for the shop in the DKIM step.
pub const KEY_PEM: &str = "-----BEGIN PRIVATE KEY-----\n\
MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n\
-----END PRIVATE KEY-----\n";

/// `t=` of the DKIM signature: the message's Date (2026-12-07 09:00:00 UTC).
pub const SIGNED_AT: u64 = 1_796_634_000;
/// The clock of the checks: a minute later.
pub const CHECKED_AT: u64 = SIGNED_AT + 60;

/// A panel of the alignment lesson.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlignDemo {
    /// The ESP's own return path: SPF passes for the ESP's domain, which is not the From's, so
    /// DMARC fails.
    EspReturnPath,
    /// A return path under the shop's domain: SPF passes and is aligned (relaxed), DMARC passes.
    ShopReturnPath,
    /// The same with `aspf=s`: the subdomain is not the From domain itself, DMARC fails.
    Strict,
    /// The ESP's return path again, but the ESP signs with `d=shop.example`: DKIM passes and is
    /// aligned, so DMARC passes.
    DkimAligned,
}

/// What a panel checks: the message (to be signed first, when `sign` says so), the envelope
/// and records, and the time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlignCase {
    /// The message.
    pub message: &'static str,
    /// Envelope and records (the signature's key record is added after signing).
    pub input: AuthInput,
    /// Sign before checking.
    pub sign: Option<SignRequest>,
    /// Unix seconds.
    pub now: u64,
}

/// The case of a panel.
pub fn case(demo: AlignDemo) -> AlignCase {
    let (mail_from, dmarc) = match demo {
        AlignDemo::EspReturnPath | AlignDemo::DkimAligned => (ESP_RETURN_PATH, DMARC_RELAXED),
        AlignDemo::ShopReturnPath => (SHOP_RETURN_PATH, DMARC_RELAXED),
        AlignDemo::Strict => (SHOP_RETURN_PATH, DMARC_STRICT),
    };
    AlignCase {
        message: MESSAGE,
        input: AuthInput {
            ip: IP.into(),
            helo: HELO.into(),
            mail_from: mail_from.into(),
            records: format!("{ZONE}{dmarc}"),
            lookup: false,
        },
        sign: (demo == AlignDemo::DkimAligned).then(|| SignRequest {
            domain: "shop.example".into(),
            selector: "esp".into(),
            key: KEY_PEM.into(),
            timestamp: Some(SIGNED_AT),
        }),
        now: CHECKED_AT,
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::state::learn::dkim::TEST_SEED;
    use crate::state::message::auth::{authenticate, AuthOutcome, AuthView};
    use crate::state::message::sign::sign_message;
    use mailscope_core::auth::dkim::sign::SigningKey;
    use mailscope_core::codec::base64;

    /// What the worker does for a panel: sign when asked, add the key record, check.
    fn run(demo: AlignDemo) -> AuthView {
        let mut c = case(demo);
        let mut message = c.message.to_string();
        if let Some(request) = &c.sign {
            let signed = sign_message(message.as_bytes(), request).expect("signs");
            message = format!("{}{message}", signed.field);
            c.input.records.push_str(&signed.record);
            c.input.records.push('\n');
        }
        match authenticate(message.as_bytes(), &c.input, &[], c.now).expect("runs") {
            AuthOutcome::Done(v) => *v,
            AuthOutcome::Needs(q) => panic!("{demo:?}: every record is given, yet it asks {q:?}"),
        }
    }

    #[test]
    fn the_key_is_rfc_8463s_test_key() {
        let seed: [u8; 32] = base64::decode(TEST_SEED.as_bytes())
            .bytes
            .try_into()
            .expect("32 bytes");
        let record = |k: SigningKey| k.key_record();
        assert_eq!(
            record(SigningKey::from_pem(KEY_PEM).expect("reads")),
            record(SigningKey::from_ed25519_seed(&seed)),
            "the same key"
        );
    }

    /// Each panel says what its lesson step says.
    #[test]
    fn each_step_gets_the_verdicts_its_text_explains() {
        for (demo, dkim, spf_domain, dmarc) in [
            (
                AlignDemo::EspReturnPath,
                None,
                "bounces.esp.example",
                "fail",
            ),
            (AlignDemo::ShopReturnPath, None, "em.shop.example", "pass"),
            (AlignDemo::Strict, None, "em.shop.example", "fail"),
            (
                AlignDemo::DkimAligned,
                Some("pass"),
                "bounces.esp.example",
                "pass",
            ),
        ] {
            let v = run(demo);
            let spf = v.spf.as_ref().expect("SPF checked");
            assert_eq!(spf.result, "pass", "{demo:?}: the ESP's server is allowed");
            assert_eq!(spf.domain, spf_domain, "{demo:?}");
            assert_eq!(v.dkim.first().map(|d| d.result.as_str()), dkim, "{demo:?}");
            assert_eq!(v.dmarc.result, dmarc, "{demo:?}: {:?}", v.dmarc);
            assert!(v.unanswered.is_empty(), "{demo:?}: {:?}", v.unanswered);
        }
    }
}
