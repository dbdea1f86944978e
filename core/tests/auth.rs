//! Message authentication against RFC test vectors and signed-then-edited messages, with
//! records from zone text (the same path `mailscope auth --records` takes).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use mailscope_core::auth::dkim::sign::{sign, SignOptions, SigningKey};
use mailscope_core::auth::dkim::Canon;
use mailscope_core::auth::zone::Zone;
use mailscope_core::auth::{Answer, Check, Envelope, Query, Report, Verdict};

/// RFC 8463 Appendix A.3: one message signed with Ed25519 and with RSA (records of §A.2).
const RFC8463_ZONE: &str = "\
brisbane._domainkey.football.example.com. IN TXT \"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\"
test._domainkey.football.example.com. IN TXT ( \"v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB\" )
";

const RFC8463_MESSAGE: &str = "\
DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;
 d=football.example.com; i=@football.example.com;
 q=dns/txt; s=brisbane; t=1528637909; h=from : to :
 subject : date : message-id : from : subject : date;
 bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;
 b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus
 Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;
 d=football.example.com; i=@football.example.com;
 q=dns/txt; s=test; t=1528637909; h=from : to : subject :
 date : message-id : from : subject : date;
 bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;
 b=F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3
 DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2Jz
 dA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=
From: Joe SixPack <joe@football.example.com>
To: Suzie Q <suzie@shopping.example.net>
Subject: Is dinner ready?
Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)
Message-ID: <20030712040037.46341.5F8J@football.example.com>

Hi.

We lost the game.  Are you hungry yet?

Joe.
";

const NOW: u64 = 1_700_000_000;

fn run(message: &[u8], zone: &str, envelope: Envelope) -> Report {
    let zone = Zone::parse(zone).unwrap_or_else(|e| panic!("{e}"));
    Check::new(message, envelope, NOW).run(|q| zone.answer(q))
}

fn words(report: &Report) -> Vec<Verdict> {
    report.dkim.iter().map(|d| d.result).collect()
}

fn codes(report: &Report) -> Vec<String> {
    report
        .dkim
        .iter()
        .flat_map(|d| d.lints.iter().map(|l| l.code.to_string()))
        .collect()
}

#[test]
fn rfc8463_both_signatures_verify() {
    let r = run(
        RFC8463_MESSAGE.as_bytes(),
        RFC8463_ZONE,
        Envelope::default(),
    );
    assert_eq!(words(&r), [Verdict::Pass, Verdict::Pass], "{:#?}", r.dkim);
    assert_eq!(r.dkim[0].key.as_ref().and_then(|k| k.bits), Some(256));
    // The RSA key of the RFC has 1024 bits: accepted, and reported as weak.
    assert!(
        codes(&r).contains(&"auth.dkim-weak-key".to_owned()),
        "{:?}",
        codes(&r)
    );
    // The canonical header block is exposed as hashed: relaxed, From twice over-signed.
    let block = String::from_utf8(r.dkim[0].canonical_header.clone()).unwrap();
    assert!(
        block.starts_with("from:Joe SixPack <joe@football.example.com>\r\nto:Suzie Q"),
        "{block}"
    );
    assert!(block.ends_with("b="), "{block}");
    assert_eq!(
        r.dkim[0].canonical_body,
        b"Hi.\r\n\r\nWe lost the game. Are you hungry yet?\r\n\r\nJoe.\r\n"
    );
    // No DMARC record in the zone.
    assert_eq!(r.dmarc.result, Verdict::None);
}

#[test]
fn rfc8463_private_key_matches_its_public_key() {
    // RFC 8463 §A.1: the Ed25519 private key (seed) and its public key.
    let seed = mailscope_core::codec::base64::decode_strict(
        b"nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=",
    )
    .unwrap();
    let key = ed25519_dalek::SigningKey::from_bytes(&seed.try_into().unwrap());
    let record = SigningKey::Ed25519(Box::new(key)).key_record();
    assert_eq!(
        record,
        "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
    );
}

#[test]
fn edits_fail_at_the_step_that_covers_them() {
    let cases: [(&str, &str, Verdict, &str); 5] = [
        (
            "We lost the game.",
            "We won the game.",
            Verdict::Fail,
            "body hash",
        ),
        (
            "Is dinner ready?",
            "Is lunch ready?",
            Verdict::Fail,
            "signature did not verify",
        ),
        // Relaxed canonicalization ignores changes of inner whitespace and header-name case.
        (
            "Subject: Is dinner",
            "SUBJECT:   Is \t dinner",
            Verdict::Pass,
            "signed by",
        ),
        (
            "the game.  Are",
            "the game. Are",
            Verdict::Pass,
            "signed by",
        ),
        ("Joe.\n", "Joe.\n\n\n", Verdict::Pass, "signed by"),
    ];
    for (from, to, want, reason) in cases {
        let edited = RFC8463_MESSAGE.replacen(from, to, 1);
        let r = run(edited.as_bytes(), RFC8463_ZONE, Envelope::default());
        for d in &r.dkim {
            assert_eq!(d.result, want, "{from:?} → {to:?}: {}", d.reason);
            assert!(
                d.reason.english().contains(reason),
                "{from:?} → {to:?}: {}",
                d.reason
            );
        }
    }
    // An added From above the signed ones is caught because h= over-signs From.
    let added =
        RFC8463_MESSAGE.replacen("From: Joe", "From: Mallory <m@evil.example>\nFrom: Joe", 1);
    let r = run(added.as_bytes(), RFC8463_ZONE, Envelope::default());
    assert_eq!(words(&r), [Verdict::Fail, Verdict::Fail]);
    assert_eq!(
        r.dmarc.result,
        Verdict::Permerror,
        "two From fields: {}",
        r.dmarc.reason
    );
}

#[test]
fn key_records_decide_before_the_crypto() {
    let ed = "brisbane._domainkey.football.example.com. IN TXT";
    for (zone, want, reason) in [
        (format!("{ed} \"v=DKIM1; k=ed25519; p=\""), Verdict::Permerror, "revoked"),
        ("football.example.com. IN A 192.0.2.1".to_owned(), Verdict::Permerror, "no key record"),
        (format!("{ed} \"v=DKIM1; k=rsa; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\""), Verdict::Permerror, "cannot be read"),
        (format!("{ed} \"v=DKIM1; k=ed25519; h=sha1; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\""), Verdict::Permerror, "allows only"),
        (format!("{ed} \"v=DKIM1; k=ed25519; s=tlsrpt; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\""), Verdict::Permerror, "not email"),
        (format!("{ed} \"v=DKIM1; k=ed25519; t=y; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\""), Verdict::Pass, "signed"),
    ] {
        let r = run(RFC8463_MESSAGE.as_bytes(), &zone, Envelope::default());
        assert_eq!(r.dkim[0].result, want, "{zone}: {}", r.dkim[0].reason);
        assert!(r.dkim[0].reason.english().contains(reason), "{zone}: {}", r.dkim[0].reason);
    }
    // A lookup that fails is a temporary error.
    let r = Check::new(RFC8463_MESSAGE.as_bytes(), Envelope::default(), NOW)
        .run(|_: &Query| Answer::Error("timeout".into()));
    assert_eq!(words(&r), [Verdict::Temperror, Verdict::Temperror]);
    assert_eq!(r.dmarc.result, Verdict::Temperror);
}

const MESSAGE: &str = "From: Alice <alice@mail.example.org>\r\nTo: bob@example.net\r\nSubject: hello\r\nDate: Mon, 7 Dec 2026 12:00:00 +0000\r\nMessage-ID: <1@mail.example.org>\r\n\r\nHello  Bob,\r\nsee you.\r\n\r\n";

fn key(name: &str) -> SigningKey {
    let pem = match name {
        "rsa2048" => include_str!("fixtures/auth/rsa2048.pem"),
        "rsa1024" => include_str!("fixtures/auth/rsa1024-pkcs1.pem"),
        "rsa512" => include_str!("fixtures/auth/rsa512.pem"),
        _ => include_str!("fixtures/auth/ed25519.pem"),
    };
    SigningKey::from_pem(pem).unwrap()
}

/// `message` signed with `key` as d=example.org s=sel, and the zone publishing its key.
fn signed(message: &str, key: &SigningKey, opts: &SignOptions) -> (Vec<u8>, String) {
    let mut out = sign(message.as_bytes(), key, opts).unwrap();
    out.extend_from_slice(message.as_bytes());
    let zone = format!(
        "{}._domainkey.{}. IN TXT \"{}\"\n",
        opts.selector,
        opts.domain,
        key.key_record()
    );
    (out, zone)
}

#[test]
fn a_key_writes_its_pem_and_the_record_to_publish() {
    let seeded = SigningKey::from_ed25519_seed(&[7; 32]);
    for (name, key) in [
        ("seed", seeded.clone()),
        ("ed25519", key("ed25519")),
        ("rsa2048", key("rsa2048")),
    ] {
        let pem = key.to_pem().unwrap();
        assert!(
            pem.starts_with("-----BEGIN PRIVATE KEY-----"),
            "{name}: {pem}"
        );
        let back = SigningKey::from_pem(&pem).unwrap();
        assert_eq!(
            back.key_record(),
            key.key_record(),
            "{name}: PEM round trip"
        );
        let line = key.dns_record("sel", "example.org.");
        assert!(
            line.starts_with("sel._domainkey.example.org. IN TXT \"v=DKIM1; k="),
            "{name}: {line}"
        );
        // Character-strings of at most 255 bytes (RFC 1035 §3.3.14): an RSA 2048 key needs two.
        let strings = line.matches('"').count() / 2;
        let want = if name == "rsa2048" { 2 } else { 1 };
        assert_eq!(strings, want, "{name}: {line}");
        let opts = SignOptions {
            timestamp: Some(NOW - 10),
            ..SignOptions::new("example.org", "sel")
        };
        let mut msg = sign(MESSAGE.as_bytes(), &key, &opts).unwrap();
        msg.extend_from_slice(MESSAGE.as_bytes());
        let r = run(&msg, &line, Envelope::default());
        assert_eq!(words(&r), [Verdict::Pass], "{name}: {:#?}", r.dkim[0].steps);
    }
    // The same seed is the same key; another seed is another.
    let again = SigningKey::from_ed25519_seed(&[7; 32]);
    assert_eq!(again.key_record(), seeded.key_record());
    let other = SigningKey::from_ed25519_seed(&[8; 32]);
    assert_ne!(other.key_record(), seeded.key_record());
}

#[test]
fn signatures_made_here_verify_in_every_canonicalization() {
    for name in ["rsa2048", "rsa1024", "ed25519"] {
        let key = key(name);
        for hc in [Canon::Simple, Canon::Relaxed] {
            for bc in [Canon::Simple, Canon::Relaxed] {
                let opts = SignOptions {
                    header_canon: hc,
                    body_canon: bc,
                    timestamp: Some(NOW - 10),
                    ..SignOptions::new("example.org", "sel")
                };
                let (msg, zone) = signed(MESSAGE, &key, &opts);
                let r = run(&msg, &zone, Envelope::default());
                assert_eq!(
                    words(&r),
                    [Verdict::Pass],
                    "{name} {hc:?}/{bc:?}: {:#?}",
                    r.dkim[0].steps
                );
                // Simple body canonicalization sees a change of inner whitespace; relaxed does not.
                let text = String::from_utf8(msg.clone())
                    .unwrap()
                    .replace("Hello  Bob", "Hello Bob");
                let r = run(text.as_bytes(), &zone, Envelope::default());
                let want = if bc == Canon::Simple {
                    Verdict::Fail
                } else {
                    Verdict::Pass
                };
                assert_eq!(words(&r), [want], "{name} {hc:?}/{bc:?} whitespace edit");
                // A space before the colon (the obsolete form) is kept by simple, dropped by
                // relaxed: a signature made over it verifies either way.
                let spaced = MESSAGE.replace("Subject: hello", "Subject : hello");
                let (smsg, szone) = signed(&spaced, &key, &opts);
                assert_eq!(
                    words(&run(&smsg, &szone, Envelope::default())),
                    [Verdict::Pass],
                    "{name} {hc:?}/{bc:?} Name :"
                );
                let text = String::from_utf8(smsg)
                    .unwrap()
                    .replace("Subject : hello", "Subject: hello");
                let want = if hc == Canon::Simple {
                    Verdict::Fail
                } else {
                    Verdict::Pass
                };
                assert_eq!(
                    words(&run(text.as_bytes(), &szone, Envelope::default())),
                    [want],
                    "{name} {hc:?}/{bc:?} Name : removed"
                );
                // Refolding a signed header breaks simple only.
                let text = String::from_utf8(msg)
                    .unwrap()
                    .replace("Subject: hello", "Subject:\r\n hello");
                let r = run(text.as_bytes(), &zone, Envelope::default());
                let want = if hc == Canon::Simple {
                    Verdict::Fail
                } else {
                    Verdict::Pass
                };
                assert_eq!(words(&r), [want], "{name} {hc:?}/{bc:?} refolding");
            }
        }
    }
}

#[test]
fn length_limits_expiry_and_short_keys() {
    let ed = key("ed25519");
    // l= covers the body as signed: appending keeps it valid, and is reported.
    let opts = SignOptions {
        length: Some(10),
        ..SignOptions::new("example.org", "sel")
    };
    let (msg, zone) = signed(MESSAGE, &ed, &opts);
    let mut appended = msg.clone();
    appended.extend_from_slice(b"Click here: http://evil.example/\r\n");
    let r = run(&appended, &zone, Envelope::default());
    assert_eq!(words(&r), [Verdict::Pass]);
    assert!(codes(&r).contains(&"auth.dkim-l-tag".to_owned()));
    // l= longer than the body.
    let opts = SignOptions {
        length: Some(10),
        ..SignOptions::new("example.org", "sel")
    };
    let short = MESSAGE.replace("Hello  Bob,\r\nsee you.\r\n", "Hi\r\n");
    let (msg, zone2) = signed(
        &short,
        &ed,
        &SignOptions {
            length: None,
            ..opts.clone()
        },
    );
    let text = String::from_utf8(msg)
        .unwrap()
        .replacen("s=sel;", "s=sel; l=999;", 1);
    let r = run(text.as_bytes(), &zone2, Envelope::default());
    assert_eq!(words(&r), [Verdict::Permerror]);
    // x= in the past.
    let opts = SignOptions {
        timestamp: Some(NOW - 100),
        expiration: Some(NOW - 1),
        ..SignOptions::new("example.org", "sel")
    };
    let (msg, zone) = signed(MESSAGE, &ed, &opts);
    let r = run(&msg, &zone, Envelope::default());
    assert_eq!(words(&r), [Verdict::Permerror]);
    assert!(codes(&r).contains(&"auth.dkim-expired".to_owned()));
    // RSA under 1024 bits fails (RFC 8301 §3.2).
    let (msg, zone) = signed(
        MESSAGE,
        &key("rsa512"),
        &SignOptions::new("example.org", "sel"),
    );
    let r = run(&msg, &zone, Envelope::default());
    assert_eq!(words(&r), [Verdict::Fail]);
    assert!(codes(&r).contains(&"auth.dkim-key-too-short".to_owned()));
    // Default h= over-signs From, so no addable-header finding.
    let (msg, zone) = signed(MESSAGE, &ed, &SignOptions::new("example.org", "sel"));
    let r = run(&msg, &zone, Envelope::default());
    assert!(
        !codes(&r).contains(&"auth.dkim-header-addable".to_owned()),
        "{:?}",
        codes(&r)
    );
}

#[test]
fn rsa_sha1_fails_even_when_it_verifies() {
    // The core signs only rsa-sha256; a signature relabelled a=rsa-sha1 is reported and fails.
    let k = key("rsa2048");
    let (msg, zone) = signed(MESSAGE, &k, &SignOptions::new("example.org", "sel"));
    let text = String::from_utf8(msg)
        .unwrap()
        .replacen("a=rsa-sha256", "a=rsa-sha1", 1);
    let r = run(text.as_bytes(), &zone, Envelope::default());
    assert_eq!(words(&r), [Verdict::Fail]);
    assert!(codes(&r).contains(&"auth.dkim-sha1".to_owned()));
}

#[test]
fn authentication_results_are_set_beside_our_verdicts() {
    let message = format!(
        "Authentication-Results: mx.example.net; dkim=pass (good) header.d=football.example.com header.s=brisbane;\r\n dkim=fail header.d=football.example.com header.s=test; dmarc=pass header.from=football.example.com; arc=none\r\nAuthentication-Results: broken; =pass\r\n{}",
        RFC8463_MESSAGE.replace('\n', "\r\n")
    );
    let r = run(message.as_bytes(), RFC8463_ZONE, Envelope::default());
    assert_eq!(words(&r), [Verdict::Pass, Verdict::Pass]);
    let first = &r.authentication_results[0];
    assert_eq!(first.parsed.as_ref().unwrap().authserv_id, "mx.example.net");
    let cmp: Vec<_> = first
        .comparisons
        .iter()
        .map(|c| (c.method.as_str(), c.stated.as_str(), c.ours, c.agrees))
        .collect();
    assert_eq!(
        cmp,
        [
            ("dkim", "pass", Some(Verdict::Pass), Some(true)),
            ("dkim", "fail", Some(Verdict::Pass), Some(false)),
            ("dmarc", "pass", Some(Verdict::None), Some(false)),
            ("arc", "none", None, None),
        ]
    );
    let second = &r.authentication_results[1];
    assert!(second.parsed.is_none());
    assert_eq!(second.lints[0].code, "auth.authres-syntax");
}

/// A `mail-auth` test resource: key records, an empty line, the message.
fn resource(text: &str) -> (String, Vec<u8>) {
    let (keys, message) = text.split_once("\n\n").unwrap();
    let zone = keys
        .lines()
        .map(|l| {
            let (name, record) = l.split_once(' ').unwrap();
            format!("{name}. IN TXT \"{record}\"\n")
        })
        .collect();
    (zone, message.as_bytes().to_vec())
}

#[test]
fn arc_chains_validate_and_break_where_edited() {
    for text in [
        include_str!("fixtures/auth/arc-001.txt"),
        include_str!("fixtures/auth/arc-002.txt"),
    ] {
        let (zone, message) = resource(text);
        let r = run(&message, &zone, Envelope::default());
        assert_eq!(
            r.arc.result,
            Verdict::Pass,
            "{}: {:#?}",
            r.arc.reason,
            r.arc.steps
        );
        assert!(r
            .arc
            .sets
            .iter()
            .all(|s| s.seal.as_ref().is_some_and(|k| k.result == Verdict::Pass)));
        // Editing the latest ARC-Authentication-Results breaks the seals over it.
        let text = String::from_utf8(message.clone()).unwrap();
        let edited = text
            .replacen(
                "ARC-Authentication-Results: i=",
                "ARC-Authentication-Results:  i=",
                1,
            )
            .replacen("dkim=pass", "dkim=fail", 1);
        let r = run(edited.as_bytes(), &zone, Envelope::default());
        assert_eq!(r.arc.result, Verdict::Fail, "edited AAR");
        // Removing a seal makes the chain incomplete.
        let (head, rest) = text.split_once("ARC-Seal:").unwrap();
        let after = rest.find("\nARC-").map_or(rest.len(), |i| i + 1);
        let cut = format!("{head}{}", &rest[after..]);
        let r = run(cut.as_bytes(), &zone, Envelope::default());
        assert_eq!(r.arc.result, Verdict::Fail, "missing seal");
        assert!(
            r.arc.reason.english().contains("missing or incomplete"),
            "{}",
            r.arc.reason
        );
    }
    let r = run(MESSAGE.as_bytes(), "", Envelope::default());
    assert_eq!(r.arc.result, Verdict::None);
}

// The JSON of the results (what `mailscope auth --json` prints for `dkim`, `spf`, `dmarc` and
// `arc`, docs/json.md), pinned byte for byte in English: steps and reasons are messages the
// web translates, and JSON carries their English text exactly. The expectation is
// `fixtures/auth/results.json`; regenerate it on purpose only (`MAILSCOPE_BLESS=1 cargo test
// -p mailscope-core --test auth results_json`, refused when `CI` is set) and review the diff.

const POLICIES: &str = "\
football.example.com. IN TXT \"v=spf1 a:mail.football.example.com include:_spf.esp.test redirect=_spf.example.com\"
_spf.esp.test. IN TXT \"v=spf1 ip4:198.51.100.0/24 ~all\"
_spf.example.com. IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"
_dmarc.example.com. IN TXT \"v=DMARC1; p=quarantine; sp=reject; pct=50; adkim=s\"
shopping.example.net. IN TXT \"v=spf1 +mx -all\"
";

fn envelope(ip: &str, helo: &str, mail_from: Option<&str>) -> Envelope {
    Envelope {
        ip: ip.parse().ok(),
        helo: Some(helo.into()),
        mail_from: mail_from.map(Into::into),
    }
}

/// Each case's results as JSON, one document per case.
fn results_documents() -> String {
    let arc1 = resource(include_str!("fixtures/auth/arc-001.txt"));
    let arc2 = resource(include_str!("fixtures/auth/arc-002.txt"));
    let arc1_text = String::from_utf8_lossy(&arc1.1).into_owned();
    let cut = {
        let (head, rest) = arc1_text.split_once("ARC-Seal:").unwrap_or_default();
        let after = rest.find("\nARC-").map_or(rest.len(), |i| i + 1);
        format!("{head}{}", &rest[after..])
    };
    let revoked = RFC8463_ZONE.replace("p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", "p=");
    let cases: Vec<(&str, String, String, Envelope)> = vec![
        (
            "signed, SPF through include and redirect, DMARC of the organizational domain",
            RFC8463_MESSAGE.into(),
            format!("{RFC8463_ZONE}{POLICIES}"),
            envelope(
                "192.0.2.25",
                "mail.football.example.com",
                Some("joe@football.example.com"),
            ),
        ),
        (
            "body edited, SPF softfail and fail, DMARC fails",
            RFC8463_MESSAGE.replace("hungry", "thirsty"),
            format!("{RFC8463_ZONE}{POLICIES}"),
            envelope(
                "203.0.113.7",
                "mail.football.example.com",
                Some("joe@football.example.com"),
            ),
        ),
        (
            "no records at all, null sender",
            RFC8463_MESSAGE.into(),
            String::new(),
            envelope("2001:db8::1", "shopping.example.net", Some("")),
        ),
        (
            "a revoked key, a header edited, two From fields",
            RFC8463_MESSAGE
                .replace("Subject: Is dinner", "Subject: Is lunch")
                .replace("To: Suzie", "From: other@example.org\nTo: Suzie"),
            format!("{revoked}{POLICIES}"),
            envelope(
                "203.0.113.9",
                "shopping.example.net",
                Some("suzie@shopping.example.net"),
            ),
        ),
        (
            "an ARC chain",
            arc1_text.clone(),
            arc1.0.clone(),
            Envelope::default(),
        ),
        (
            "an ARC chain without a seal",
            cut,
            arc1.0.clone(),
            Envelope::default(),
        ),
        (
            "a second ARC chain",
            String::from_utf8_lossy(&arc2.1).into_owned(),
            arc2.0,
            Envelope::default(),
        ),
    ];
    let mut out = String::new();
    for (name, message, zone, envelope) in cases {
        let r = run(message.as_bytes(), &zone, envelope);
        let doc = serde_json::json!({
            "case": name,
            "dkim": r.dkim,
            "spf": r.spf,
            "dmarc": r.dmarc,
            "arc": r.arc,
        });
        out.push_str(&serde_json::to_string_pretty(&doc).unwrap_or_default());
        out.push('\n');
    }
    out
}

#[test]
fn results_json_is_pinned_in_english() {
    let got = results_documents();
    #[cfg(not(target_arch = "wasm32"))]
    if std::env::var_os("MAILSCOPE_BLESS").is_some() {
        assert!(
            std::env::var_os("CI").is_none(),
            "MAILSCOPE_BLESS is refused in CI"
        );
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/auth/results.json"
        );
        std::fs::write(path, &got).unwrap_or_else(|e| panic!("{path}: {e}"));
    }
    let want = include_str!("fixtures/auth/results.json");
    if got != want {
        let at = got
            .lines()
            .zip(want.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "the JSON changed at line {}:\n got: {}\nwant: {}",
            at + 1,
            got.lines().nth(at).unwrap_or_default(),
            want.lines().nth(at).unwrap_or_default()
        );
    }
    for needle in [
        r#""title": "Read the DKIM-Signature field""#,
        r#""result": "pass""#,
        r#""result": "fail""#,
        r#""result": "permerror""#,
        r#""result": "softfail""#,
    ] {
        assert!(got.contains(needle), "no {needle} in the cases");
    }
}
