//! A message signed by the core's DKIM signer with a test key, and the DNS records that make
//! it pass (key, SPF, DMARC), as the browser tests paste them into the Authenticity panel.

use mailscope_core::auth::dkim::sign::{sign, SignOptions, SigningKey};

/// A test-only Ed25519 key (PKCS#8), made with `openssl genpkey -algorithm ed25519`.
const KEY: &str = "-----BEGIN PRIVATE KEY-----\n\
    MC4CAQAwBQYDK2VwBCIEIH0u0xXrIe3JvCz7VDw9VCqVzriSqfsYTQXJd8L2j9Q7\n\
    -----END PRIVATE KEY-----\n";

const MESSAGE: &str = "From: Joe <joe@example.com>\r\nTo: sue@example.net\r\nSubject: dinner\r\n\
    Date: Mon, 7 Dec 2026 10:00:00 +0000\r\nMessage-ID: <1@example.com>\r\n\r\nWe lost the game.\r\n";

/// The message from `domain`, signed for `d=domain s=sel` (Subject `dinner`), and the key
/// record (`v=DKIM1; k=ed25519; p=…`) that verifies it.
pub fn signed_for(domain: &str) -> (String, String) {
    let key = SigningKey::from_pem(KEY).expect("the test key");
    let message = MESSAGE.replace("example.com", domain);
    let field = sign(message.as_bytes(), &key, &SignOptions::new(domain, "sel")).expect("signs");
    (
        format!("{}{message}", String::from_utf8_lossy(&field)),
        key.key_record(),
    )
}

/// The message signed for `d=example.com s=sel` (Subject `dinner`), and its records as zone
/// lines: the key, `example.com` allowing 192.0.2.0/24 through an include, a DMARC policy.
pub fn signed_example() -> (String, String) {
    let (signed, key) = signed_for("example.com");
    let records = format!(
        "sel._domainkey.example.com. IN TXT \"{key}\"\n\
         example.com. IN TXT \"v=spf1 include:_spf.example.com -all\"\n\
         _spf.example.com. IN TXT \"v=spf1 ip4:192.0.2.0/24 ~all\"\n\
         _dmarc.example.com. IN TXT \"v=DMARC1; p=reject\"\n"
    );
    (signed, records)
}
