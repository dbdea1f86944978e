//! A message signed by the core's DKIM signer with a test key, and the DNS records that make
//! it pass (key, SPF, DMARC), as the browser tests paste them into the Authenticity panel.

use mailscope_core::auth::dkim::sign::{sign, SignOptions, SigningKey};

/// A test-only Ed25519 key (PKCS#8), made with `openssl genpkey -algorithm ed25519`.
const KEY: &str = "-----BEGIN PRIVATE KEY-----\n\
    MC4CAQAwBQYDK2VwBCIEIH0u0xXrIe3JvCz7VDw9VCqVzriSqfsYTQXJd8L2j9Q7\n\
    -----END PRIVATE KEY-----\n";

const MESSAGE: &str = "From: Joe <joe@example.com>\r\nTo: sue@example.net\r\nSubject: dinner\r\n\
    Date: Mon, 7 Dec 2026 10:00:00 +0000\r\nMessage-ID: <1@example.com>\r\n\r\nWe lost the game.\r\n";

/// The message signed for `d=example.com s=sel` (Subject `dinner`), and its records as zone
/// lines: the key, `example.com` allowing 192.0.2.0/24 through an include, a DMARC policy.
pub fn signed_example() -> (String, String) {
    let key = SigningKey::from_pem(KEY).expect("the test key");
    let field = sign(
        MESSAGE.as_bytes(),
        &key,
        &SignOptions::new("example.com", "sel"),
    )
    .expect("signs");
    let signed = format!("{}{MESSAGE}", String::from_utf8_lossy(&field));
    let records = format!(
        "sel._domainkey.example.com. IN TXT \"{}\"\n\
         example.com. IN TXT \"v=spf1 include:_spf.example.com -all\"\n\
         _spf.example.com. IN TXT \"v=spf1 ip4:192.0.2.0/24 ~all\"\n\
         _dmarc.example.com. IN TXT \"v=DMARC1; p=reject\"\n",
        key.key_record()
    );
    (signed, records)
}
