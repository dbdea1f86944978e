//! The generated corpus of the authentication differentials: Mailscope's checks against
//! mail-auth (`core/tests/auth_differential.rs`) and against dkimpy and pyspf
//! (`tests/tests/auth_pydiff.rs`) run on these same cases.
//!
//! DKIM: three keys (rsa2048, ed25519, rsa1024) × every canonicalization pair × over-signed,
//! not over-signed and `l=` × body, header, whitespace and refolding edits; two signatures
//! with revoked, missing and swapped keys. ARC: two chains and edits of them. SPF:
//! include/a/mx/ip4/ip6/redirect/exists with macros, softfail, neutral, both limits, two
//! records, a syntax error, for IPv4 and IPv6 clients. DMARC: strict and relaxed alignment
//! with subdomains, by SPF and by DKIM. Each case carries its records as zone text, answered
//! by [`Zone`].
//!
//! The signing keys and the ARC chains are the core's test fixtures
//! (`core/tests/fixtures/auth/`).

use mailscope_core::auth::dkim::sign::{sign, SignOptions, SigningKey};
use mailscope_core::auth::dkim::Canon;
use mailscope_core::auth::zone::Zone;
use mailscope_core::auth::{Check, Envelope, Report};

/// The clock every case is checked at (Unix seconds).
pub const NOW: u64 = 1_700_000_000;

/// One case of the corpus.
pub struct Case {
    /// What the case is, e.g. `dkim ed25519 relaxed/simple over-signed edit=body text`; the
    /// differentials' lists of known differences match on parts of it.
    pub name: String,
    /// The message, CRLF line ends.
    pub message: Vec<u8>,
    /// The records, as RFC 1035 master-file text.
    pub zone: String,
    /// The SMTP envelope (no IP: no SPF check).
    pub envelope: Envelope,
}

impl Case {
    /// The case's records.
    pub fn records(&self) -> Zone {
        Zone::parse(&self.zone).expect("the corpus's zone text parses")
    }

    /// Mailscope's checks of the case, at [`NOW`], answered from its records.
    pub fn check(&self) -> Report {
        let zone = self.records();
        Check::new(&self.message, self.envelope.clone(), NOW).run(|q| zone.answer(q))
    }
}

/// The whole corpus: DKIM, ARC, SPF and DMARC cases.
pub fn corpus() -> Vec<Case> {
    dkim_corpus()
        .into_iter()
        .chain(arc_corpus())
        .chain(spf_corpus())
        .chain(dmarc_corpus())
        .collect()
}

const BASE: &str = "From: Alice <alice@example.org>\r\nTo: Bob <bob@example.net>\r\nSubject: quarterly\r\n report\r\nDate: Mon, 7 Dec 2026 12:00:00 +0000\r\nMessage-ID: <1@mail.example.org>\r\nX-Mailer: test\r\n\r\nHello  Bob,\r\n\r\nthe\tnumbers are in. \r\n\r\n\r\n";

fn key(name: &str) -> SigningKey {
    SigningKey::from_pem(match name {
        "rsa2048" => include_str!("../../core/tests/fixtures/auth/rsa2048.pem"),
        "rsa1024" => include_str!("../../core/tests/fixtures/auth/rsa1024-pkcs1.pem"),
        _ => include_str!("../../core/tests/fixtures/auth/ed25519.pem"),
    })
    .unwrap()
}

fn signed_by(message: &str, signers: &[(&SigningKey, SignOptions)]) -> String {
    let mut out = message.to_owned();
    for (key, opts) in signers {
        out = String::from_utf8(sign(out.as_bytes(), key, opts).unwrap()).unwrap() + &out;
    }
    out
}

/// Edits applied to a signed message: (name, from, to).
const EDITS: &[(&str, &str, &str)] = &[
    ("none", "", ""),
    ("body text", "numbers are in", "numbers are out"),
    ("body inner whitespace", "Hello  Bob", "Hello Bob"),
    ("body trailing whitespace", "are in. \r\n", "are in.\r\n"),
    ("body tab to space", "the\tnumbers", "the numbers"),
    ("body appended", "\r\n\r\n\r\n", "\r\n\r\nP.S. appended\r\n"),
    (
        "body blank lines added",
        "are in. \r\n",
        "are in. \r\n\r\n\r\n\r\n",
    ),
    ("header value", "Subject: quarterly", "Subject: yearly"),
    (
        "header refolded",
        "Subject: quarterly\r\n report",
        "Subject: quarterly report",
    ),
    ("header name case", "Subject:", "SUBJECT:"),
    ("header whitespace", "To: Bob <bob", "To:   Bob\t<bob"),
    (
        "header From added",
        "From: Alice",
        "From: Mallory <m@evil.test>\r\nFrom: Alice",
    ),
    (
        "header unsigned added",
        "X-Mailer: test",
        "X-Mailer: test\r\nX-Extra: 1",
    ),
];

pub fn dkim_corpus() -> Vec<Case> {
    let mut cases = Vec::new();
    let keys = ["rsa2048", "ed25519", "rsa1024"];
    for kname in keys {
        let k = key(kname);
        let zone = format!(
            "sel._domainkey.example.org. IN TXT \"{}\"\n",
            k.key_record()
        );
        for hc in [Canon::Simple, Canon::Relaxed] {
            for bc in [Canon::Simple, Canon::Relaxed] {
                let variants: [(&str, SignOptions); 3] = [
                    (
                        "over-signed",
                        SignOptions {
                            header_canon: hc,
                            body_canon: bc,
                            ..SignOptions::new("example.org", "sel")
                        },
                    ),
                    (
                        "not over-signed",
                        SignOptions {
                            header_canon: hc,
                            body_canon: bc,
                            headers: Some(vec![
                                "from".into(),
                                "to".into(),
                                "subject".into(),
                                "date".into(),
                            ]),
                            ..SignOptions::new("example.org", "sel")
                        },
                    ),
                    (
                        // "Hello  Bob,\r\n" is 13 octets raw and, with simple, canonical too.
                        if bc == Canon::Simple {
                            "l=13"
                        } else {
                            "l= relaxed-body"
                        },
                        SignOptions {
                            header_canon: hc,
                            body_canon: bc,
                            length: Some(if bc == Canon::Simple { 13 } else { 20 }),
                            ..SignOptions::new("example.org", "sel")
                        },
                    ),
                ];
                for (vname, opts) in variants {
                    let signed = signed_by(BASE, &[(&k, opts)]);
                    for (ename, from, to) in EDITS {
                        let message = if from.is_empty() {
                            signed.clone()
                        } else {
                            signed.replacen(from, to, 1)
                        };
                        cases.push(Case {
                            name: format!(
                                "dkim {kname} {}/{} {vname} edit={ename}",
                                hc.as_str(),
                                bc.as_str()
                            ),
                            message: message.into_bytes(),
                            zone: zone.clone(),
                            envelope: Envelope::default(),
                        });
                    }
                }
            }
        }
    }
    // Two signatures; revoked and missing keys; a key record of the wrong type.
    let (rsa, ed) = (key("rsa2048"), key("ed25519"));
    let two = signed_by(
        BASE,
        &[
            (&rsa, SignOptions::new("example.org", "rsa")),
            (&ed, SignOptions::new("example.org", "ed")),
        ],
    );
    let both = format!(
        "rsa._domainkey.example.org. IN TXT \"{}\"\ned._domainkey.example.org. IN TXT \"{}\"\n",
        rsa.key_record(),
        ed.key_record()
    );
    for (name, zone) in [
        ("two signatures", both.clone()),
        ("two signatures, ed25519 key revoked", format!("rsa._domainkey.example.org. IN TXT \"{}\"\ned._domainkey.example.org. IN TXT \"v=DKIM1; k=ed25519; p=\"\n", rsa.key_record())),
        ("two signatures, rsa key missing", format!("ed._domainkey.example.org. IN TXT \"{}\"\n", ed.key_record())),
        ("two signatures, keys swapped", format!("ed._domainkey.example.org. IN TXT \"{}\"\nrsa._domainkey.example.org. IN TXT \"{}\"\n", rsa.key_record(), ed.key_record())),
        ("no keys", String::new()),
    ] {
        cases.push(Case { name: format!("dkim {name}"), message: two.clone().into_bytes(), zone, envelope: Envelope::default() });
    }
    cases
}

pub const SPF_ZONE: &str = r#"
$ORIGIN example.org.
@            TXT "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 include:_spf.esp.test a:mail.example.org mx -all"
mail         A   198.51.100.7
mail         AAAA 2001:db8:aa::7
@            MX  10 mx1
@            MX  20 mx2
mx1          A   203.0.113.9
mx1          AAAA 2001:db8:aa::9
mx2          AAAA 2001:db8:ff::25
soft         TXT "v=spf1 ~all"
neutral      TXT "v=spf1 ?all"
redir        TXT "v=spf1 redirect=example.org"
redirnone    TXT "v=spf1 redirect=nothing.example.org"
two          TXT "v=spf1 -all"
two          TXT "v=spf1 +all"
bad          TXT "v=spf1 ip4:1.2.3.4/40 -all"
macro        TXT "v=spf1 exists:%{ir}.%{l1r-}.lp.%{d} -all"
3.2.0.192.strong.lp.macro A 127.0.0.2
many         TXT "v=spf1 a:mail.example.org a:mx1.example.org mx:example.org a:mail.example.org include:_spf.esp.test mx:example.org a:mail.example.org a:mx1.example.org a:helo.example.org a:mail.example.org a:mail.example.org -all"
voids        TXT "v=spf1 a:v1.example.org a:v2.example.org a:v3.example.org -all"
helo         TXT "v=spf1 a -all"
helo         A   192.0.2.200
helo         AAAA 2001:db8:aa::200
sub.shop     TXT "v=spf1 include:example.org ~all"
$ORIGIN esp.test.
_spf         TXT "v=spf1 ip4:203.0.113.0/24 ip6:2001:db8:e5::/48 ~all"
bounce       TXT "v=spf1 ip4:192.0.2.0/24 -all"
_dmarc.example.org.  TXT "v=DMARC1; p=reject; sp=quarantine"
_dmarc.strict.test.  TXT "v=DMARC1; p=quarantine; adkim=s; aspf=s"
strict.test.         TXT "v=spf1 ip4:192.0.2.0/24 -all"
mail.strict.test.    TXT "v=spf1 ip4:192.0.2.0/24 -all"
"#;

/// ARC chains (mail-auth's two test resources) and edits of them.
pub fn arc_corpus() -> Vec<Case> {
    let mut cases = Vec::new();
    for (name, text) in [
        (
            "google",
            include_str!("../../core/tests/fixtures/auth/arc-001.txt"),
        ),
        (
            "two sets",
            include_str!("../../core/tests/fixtures/auth/arc-002.txt"),
        ),
    ] {
        let (keys, message) = text.split_once("\n\n").unwrap();
        let zone: String = keys
            .lines()
            .map(|l| {
                let (n, record) = l.split_once(' ').unwrap();
                format!("{n}. IN TXT \"{record}\"\n")
            })
            .collect();
        let (first_seal, _) = message.split_once("ARC-Seal:").unwrap();
        let edits: [(&str, String); 6] = [
            ("none", message.to_owned()),
            ("aar result", message.replacen("dkim=pass", "dkim=fail", 1)),
            ("body", message.replacen("\n\n", "\n\nP.S. added\n", 1)),
            ("seal cv", message.replacen("cv=none", "cv=pass", 1)),
            (
                "seal whitespace",
                message.replacen("ARC-Seal: i=", "ARC-Seal:   i=", 1),
            ),
            (
                "seal removed",
                format!("{first_seal}X-{}", &message[first_seal.len()..]),
            ),
        ];
        for (ename, edited) in edits {
            cases.push(Case {
                name: format!("arc {name} edit={ename}"),
                message: edited.into_bytes(),
                zone: zone.clone(),
                envelope: Envelope::default(),
            });
        }
    }
    cases
}

pub fn spf_corpus() -> Vec<Case> {
    let mut cases = Vec::new();
    let senders = [
        "a@example.org",
        "a@soft.example.org",
        "a@neutral.example.org",
        "a@redir.example.org",
        "a@redirnone.example.org",
        "a@bad.example.org",
        "a@nothing.example.org",
        "strong-bad@macro.example.org",
        "a@many.example.org",
        "a@voids.example.org",
        "a@sub.shop.example.org",
        "a@two.example.org",
        "",
    ];
    let ips = [
        "192.0.2.3",
        "192.0.2.200",
        "2001:db8::1",
        "203.0.113.77",
        "2001:db8:e5::1",
        "198.51.100.7",
        "203.0.113.9",
        "2001:db8:ff::25",
        "10.0.0.1",
        "2001:db8:1234::1",
    ];
    for from in senders {
        for ip in ips {
            cases.push(Case {
                name: format!(
                    "spf {} {from} from {ip}",
                    if from.contains("voids") {
                        "voids"
                    } else if from.contains("two.") {
                        "two records"
                    } else {
                        "mechanisms"
                    }
                ),
                message: b"From: x@example.org\r\n\r\nx\r\n".to_vec(),
                zone: SPF_ZONE.to_owned(),
                envelope: Envelope {
                    ip: Some(ip.parse().unwrap()),
                    helo: Some("helo.example.org".into()),
                    mail_from: Some(from.into()),
                },
            });
        }
    }
    cases
}

pub fn dmarc_corpus() -> Vec<Case> {
    let ed = key("ed25519");
    let mut cases = Vec::new();
    for from in [
        "example.org",
        "shop.example.org",
        "strict.test",
        "mail.strict.test",
        "nowhere.test",
    ] {
        for (mail_from, ip) in [
            ("b@example.org", "192.0.2.1"),
            ("b@esp.test", "192.0.2.1"),
            ("b@bounce.esp.test", "192.0.2.1"),
            ("b@strict.test", "192.0.2.1"),
            ("b@mail.strict.test", "192.0.2.1"),
            ("b@example.org", "10.0.0.1"),
        ] {
            for d in [
                None,
                Some("example.org"),
                Some("mail.example.org"),
                Some("esp.test"),
                Some("strict.test"),
                Some("mail.strict.test"),
            ] {
                let message =
                    format!("From: <a@{from}>\r\nTo: b@example.net\r\nSubject: s\r\n\r\nbody\r\n");
                let mut zone = SPF_ZONE.to_owned();
                let message = match d {
                    None => message,
                    Some(d) => {
                        zone.push_str(&format!("k._domainkey.{d}. TXT \"{}\"\n", ed.key_record()));
                        signed_by(&message, &[(&ed, SignOptions::new(d, "k"))])
                    }
                };
                cases.push(Case {
                    name: format!("dmarc from {from}, mail from {mail_from} {ip}, dkim {d:?}"),
                    message: message.into_bytes(),
                    zone,
                    envelope: Envelope {
                        ip: Some(ip.parse().unwrap()),
                        helo: Some("h.test".into()),
                        mail_from: Some(mail_from.into()),
                    },
                });
            }
        }
    }
    cases
}
