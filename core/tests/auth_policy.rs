//! SPF (RFC 7208) and DMARC (RFC 7489) over zone text: every mechanism, macros, redirect and
//! exp, both lookup limits, identities, alignment and policy discovery.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use mailscope_core::auth::dkim::sign::{sign, SignOptions, SigningKey};
use mailscope_core::auth::dmarc::organizational_domain;
use mailscope_core::auth::spf::{self, SpfResult};
use mailscope_core::auth::zone::Zone;
use mailscope_core::auth::{Answers, Check, Envelope, Verdict};

const ZONE: &str = r#"
$ORIGIN example.org.
@            TXT "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 include:_spf.esp.test a:mail.example.org mx -all"
mail         A   198.51.100.7
@            MX  10 mx1
mx1          A   203.0.113.9
soft         TXT "v=spf1 ~all"
neutral      TXT "v=spf1 ?all"
redir        TXT "v=spf1 redirect=example.org"
redirnone    TXT "v=spf1 redirect=nothing.example.org"
two          TXT "v=spf1 -all"
two          TXT "v=spf1 +all"
bad          TXT "v=spf1 ip4:1.2.3.4/40 -all"
ptr          TXT "v=spf1 ptr:example.org -all"
macro        TXT "v=spf1 exists:%{ir}.%{l1r-}.lp.%{d} -all"
3.2.0.192.strong.lp.macro A 127.0.0.2
exp          TXT "v=spf1 -all exp=why.example.org"
why          TXT "%{i} is not one of %{d}'s senders"
many         TXT "v=spf1 a:mail.example.org a:mx1.example.org mx a a:mail.example.org include:_spf.esp.test mx:example.org a:mail.example.org a:mx1.example.org a:helo.example.org a:mail.example.org -all"
voids        TXT "v=spf1 a:v1.example.org a:v2.example.org a:v3.example.org -all"
tempfail     TXT "v=spf1 include:missing.example.org -all"
helo         TXT "v=spf1 a -all"
helo         A   192.0.2.200
$ORIGIN esp.test.
_spf         TXT "v=spf1 ip4:203.0.113.0/24 ip6:2001:db8:e5::/48 ~all"
7.100.51.198.in-addr.arpa. PTR mail.example.org.
"#;

fn spf(ip: &str, helo: &str, mail_from: &str) -> SpfResult {
    let zone = Zone::parse(ZONE).unwrap();
    let mut answers = Answers::new();
    loop {
        match spf::check(ip.parse().unwrap(), Some(helo), Some(mail_from), &answers) {
            Ok(r) => return r,
            Err(p) => {
                let a = zone.answer(&p.0);
                answers.insert(p.0, a);
            }
        }
    }
}

#[test]
fn spf_results_for_each_mechanism() {
    for (ip, from, want, why) in [
        ("192.0.2.55", "a@example.org", Verdict::Pass, "ip4"),
        ("2001:db8::1", "a@example.org", Verdict::Pass, "ip6"),
        (
            "::ffff:192.0.2.55",
            "a@example.org",
            Verdict::Pass,
            "IPv4-mapped IPv6 is IPv4",
        ),
        ("203.0.113.77", "a@example.org", Verdict::Pass, "include"),
        (
            "2001:db8:e5::1",
            "a@example.org",
            Verdict::Pass,
            "include, ip6",
        ),
        ("198.51.100.7", "a@example.org", Verdict::Pass, "a:"),
        (
            "203.0.113.9",
            "a@example.org",
            Verdict::Pass,
            "include matches before mx",
        ),
        ("10.0.0.1", "a@example.org", Verdict::Fail, "-all"),
        ("10.0.0.1", "a@soft.example.org", Verdict::Softfail, "~all"),
        (
            "10.0.0.1",
            "a@neutral.example.org",
            Verdict::Neutral,
            "?all",
        ),
        (
            "192.0.2.1",
            "a@redir.example.org",
            Verdict::Pass,
            "redirect",
        ),
        (
            "10.0.0.1",
            "a@redir.example.org",
            Verdict::Fail,
            "redirect then -all",
        ),
        (
            "10.0.0.1",
            "a@redirnone.example.org",
            Verdict::Permerror,
            "redirect to no record",
        ),
        (
            "10.0.0.1",
            "a@two.example.org",
            Verdict::Permerror,
            "two records",
        ),
        (
            "10.0.0.1",
            "a@bad.example.org",
            Verdict::Permerror,
            "syntax",
        ),
        (
            "10.0.0.1",
            "a@nothing.example.org",
            Verdict::None,
            "no record",
        ),
        (
            "198.51.100.7",
            "a@ptr.example.org",
            Verdict::Pass,
            "ptr validated",
        ),
        (
            "192.0.2.3",
            "strong-bad@macro.example.org",
            Verdict::Pass,
            "macro exists",
        ),
        (
            "192.0.2.4",
            "strong-bad@macro.example.org",
            Verdict::Fail,
            "macro exists, other ip",
        ),
        (
            "10.0.0.1",
            "a@many.example.org",
            Verdict::Permerror,
            "lookup limit",
        ),
        (
            "10.0.0.1",
            "a@voids.example.org",
            Verdict::Permerror,
            "void limit",
        ),
        (
            "10.0.0.1",
            "a@tempfail.example.org",
            Verdict::Permerror,
            "include of a domain without a record",
        ),
    ] {
        let r = spf(ip, "helo.example.org", from);
        assert_eq!(r.result, want, "{why}: {ip} {from}: {}", r.reason);
    }
}

#[test]
fn spf_limits_lints_exp_and_identities() {
    let codes = |r: &SpfResult| {
        r.lints
            .iter()
            .map(|l| l.code.to_string())
            .collect::<Vec<_>>()
    };
    let r = spf("10.0.0.1", "h.test", "a@many.example.org");
    assert_eq!(r.lookups, 11);
    assert!(codes(&r).contains(&"auth.spf-lookup-limit".to_owned()));
    let r = spf("10.0.0.1", "h.test", "a@voids.example.org");
    assert_eq!(r.void_lookups, 3);
    assert!(codes(&r).contains(&"auth.spf-void-limit".to_owned()));
    assert!(codes(&spf("10.0.0.1", "h.test", "a@bad.example.org"))
        .contains(&"auth.spf-syntax".to_owned()));
    assert!(codes(&spf("10.0.0.1", "h.test", "a@two.example.org"))
        .contains(&"auth.spf-multiple-records".to_owned()));
    assert!(
        codes(&spf("10.0.0.1", "h.test", "a@ptr.example.org")).contains(&"auth.spf-ptr".to_owned())
    );
    let r = spf("10.0.0.1", "h.test", "a@exp.example.org");
    assert_eq!(
        r.explanation.as_deref(),
        Some("10.0.0.1 is not one of exp.example.org's senders")
    );
    // The null sender is checked with the HELO identity.
    let r = spf("192.0.2.200", "helo.example.org", "");
    assert_eq!(
        (r.result, r.identity.as_str(), r.sender.as_str()),
        (Verdict::Pass, "helo", "postmaster@helo.example.org")
    );
    // The tree records the include and its queries.
    let r = spf("203.0.113.77", "h.test", "a@example.org");
    let include = r
        .tree
        .terms
        .iter()
        .find(|t| t.text.starts_with("include"))
        .unwrap();
    assert_eq!(include.child.as_ref().unwrap().domain, "_spf.esp.test");
    assert_eq!(include.matched, Some(true));
}

#[test]
fn organizational_domains_come_from_the_public_suffix_list() {
    for (name, org) in [
        ("mail.example.org", "example.org"),
        ("a.b.example.co.uk", "example.co.uk"),
        ("example.com", "example.com"),
        ("foo.github.io", "foo.github.io"),
        ("com", "com"),
    ] {
        assert_eq!(organizational_domain(name), org, "{name}");
    }
}

const DMARC_ZONE: &str = r#"
_dmarc.example.org.      TXT "v=DMARC1; p=reject; sp=quarantine; adkim=r; aspf=r"
_dmarc.strict.test.      TXT "v=DMARC1; p=quarantine; adkim=s; aspf=s; pct=50"
_dmarc.badp.test.        TXT "v=DMARC1; p=block"
_dmarc.ruap.test.        TXT "v=DMARC1; p=block; rua=mailto:r@ruap.test"
example.org.             TXT "v=spf1 ip4:192.0.2.0/24 -all"
news.example.org.        TXT "v=spf1 ip4:192.0.2.0/24 -all"
bounce.esp.test.         TXT "v=spf1 ip4:192.0.2.0/24 -all"
strict.test.             TXT "v=spf1 ip4:192.0.2.0/24 -all"
mail.strict.test.        TXT "v=spf1 ip4:192.0.2.0/24 -all"
"#;

fn dmarc(
    from: &str,
    mail_from: &str,
    ip: &str,
    dkim_domain: Option<&str>,
) -> mailscope_core::auth::dmarc::DmarcResult {
    let mut message =
        format!("From: <a@{from}>\r\nTo: b@example.net\r\nSubject: s\r\n\r\nbody\r\n");
    let mut zone = DMARC_ZONE.to_owned();
    if let Some(d) = dkim_domain {
        let key = SigningKey::from_pem(include_str!("fixtures/auth/ed25519.pem")).unwrap();
        let field = sign(message.as_bytes(), &key, &SignOptions::new(d, "k")).unwrap();
        message = String::from_utf8(field).unwrap() + &message;
        zone.push_str(&format!("k._domainkey.{d}. TXT \"{}\"\n", key.key_record()));
    }
    let zone = Zone::parse(&zone).unwrap();
    let env = Envelope {
        ip: Some(ip.parse().unwrap()),
        helo: Some("h.test".into()),
        mail_from: Some(mail_from.into()),
    };
    Check::new(message.as_bytes(), env, 0)
        .run(|q| zone.answer(q))
        .dmarc
}

#[test]
fn dmarc_alignment_and_policy() {
    for (from, mail_from, ip, dkim, want, policy, disposition) in [
        (
            "example.org",
            "b@example.org",
            "192.0.2.1",
            None,
            Verdict::Pass,
            "reject",
            "none",
        ),
        (
            "example.org",
            "b@news.example.org",
            "192.0.2.1",
            None,
            Verdict::Pass,
            "reject",
            "none",
        ),
        (
            "example.org",
            "b@bounce.esp.test",
            "192.0.2.1",
            None,
            Verdict::Fail,
            "reject",
            "reject",
        ),
        (
            "example.org",
            "b@bounce.esp.test",
            "192.0.2.1",
            Some("example.org"),
            Verdict::Pass,
            "reject",
            "none",
        ),
        (
            "example.org",
            "b@bounce.esp.test",
            "192.0.2.1",
            Some("esp.test"),
            Verdict::Fail,
            "reject",
            "reject",
        ),
        (
            "example.org",
            "b@example.org",
            "10.0.0.1",
            Some("mail.example.org"),
            Verdict::Pass,
            "reject",
            "none",
        ),
        // A subdomain without its own record takes sp= of the organizational domain.
        (
            "shop.example.org",
            "b@bounce.esp.test",
            "192.0.2.1",
            None,
            Verdict::Fail,
            "quarantine",
            "quarantine",
        ),
        // Strict alignment wants the same domain.
        (
            "strict.test",
            "b@mail.strict.test",
            "192.0.2.1",
            None,
            Verdict::Fail,
            "quarantine",
            "quarantine",
        ),
        (
            "strict.test",
            "b@strict.test",
            "192.0.2.1",
            None,
            Verdict::Pass,
            "quarantine",
            "none",
        ),
        (
            "strict.test",
            "b@x.test",
            "10.0.0.1",
            Some("mail.strict.test"),
            Verdict::Fail,
            "quarantine",
            "quarantine",
        ),
        (
            "strict.test",
            "b@x.test",
            "10.0.0.1",
            Some("strict.test"),
            Verdict::Pass,
            "quarantine",
            "none",
        ),
        // An invalid p= with rua= counts as p=none.
        (
            "ruap.test",
            "b@x.test",
            "10.0.0.1",
            None,
            Verdict::Fail,
            "none",
            "none",
        ),
    ] {
        let r = dmarc(from, mail_from, ip, dkim);
        assert_eq!(
            (r.result, r.policy.as_deref(), r.disposition.as_str()),
            (want, Some(policy), disposition),
            "{from} {mail_from} {ip} {dkim:?}: {}",
            r.reason
        );
    }
    let r = dmarc("strict.test", "b@strict.test", "192.0.2.1", None);
    assert_eq!(r.pct, Some(50));
    for (from, want, code) in [
        ("nowhere.test", Verdict::None, "auth.dmarc-no-record"),
        ("badp.test", Verdict::None, "auth.dmarc-syntax"),
    ] {
        let r = dmarc(from, "b@x.test", "10.0.0.1", None);
        assert_eq!(r.result, want, "{from}");
        assert!(
            r.lints.iter().any(|l| l.code == code),
            "{from}: {:?}",
            r.lints
        );
    }
}

#[test]
fn several_authors_are_reported() {
    let zone = Zone::parse(DMARC_ZONE).unwrap();
    for message in [
        "From: a@example.org\r\nFrom: b@example.org\r\n\r\nx\r\n",
        "From: a@example.org, b@other.test\r\n\r\nx\r\n",
        "To: a@example.org\r\n\r\nx\r\n",
    ] {
        let r = Check::new(message.as_bytes(), Envelope::default(), 0)
            .run(|q| zone.answer(q))
            .dmarc;
        assert_eq!(r.result, Verdict::Permerror, "{message:?}");
        assert!(
            r.lints.iter().any(|l| l.code == "auth.dmarc-multiple-from"),
            "{message:?}"
        );
    }
    // Two addresses in one domain are one author domain.
    let r = Check::new(
        b"From: a@example.org, b@example.org\r\n\r\nx\r\n",
        Envelope::default(),
        0,
    )
    .run(|q| zone.answer(q))
    .dmarc;
    assert_eq!(r.result, Verdict::Fail);
}
