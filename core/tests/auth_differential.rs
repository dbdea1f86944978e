//! Differential test: Mailscope's DKIM, ARC, SPF and DMARC against `mail-auth` 0.11 (Stalwart's
//! independent implementation) on a generated corpus, both fed the same records.
//!
//! mail-auth is built with its `test` feature: a name missing from the caches it is given is
//! NXDOMAIN instead of a network lookup, and its resolver points at loopback only, so the whole
//! comparison is offline. Its caches are filled from the same zone text Mailscope answers
//! from, each TXT name parsed with mail-auth's own record parsers exactly as its resolver
//! would (the first record that parses wins).
//!
//! Result words are compared after mapping mail-auth's to RFC 8601's where it words a result
//! differently: mail-auth reports a body-hash mismatch as `neutral` (Mailscope: `fail`,
//! RFC 8601 §2.7.1 "failed the verification test"). Deliberate differences in behaviour are
//! listed in [`KNOWN`] and asserted as differences, so a change on either side shows up.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, Mutex};

use mail_auth::common::parse::TxtRecordParser;
use mail_auth::common::verify::DomainKey;
use mail_auth::dmarc::Dmarc;
use mail_auth::spf::verify::SpfParameters;
use mail_auth::spf::Spf;
use mail_auth::{
    AuthenticatedMessage, DkimResult, DmarcResult, MessageAuthenticator, Parameters, RecordSet,
    ResolverCache, SpfResult, Txt, MX,
};
use mailscope_core::auth::dkim::sign::{sign, SignOptions, SigningKey};
use mailscope_core::auth::dkim::Canon;
use mailscope_core::auth::zone::Zone;
use mailscope_core::auth::{Check, Envelope, Record, Verdict};

const NOW: u64 = 1_700_000_000;

struct Cache<K, V>(Mutex<HashMap<K, V>>);

impl<K: Hash + Eq, V: Clone> ResolverCache<K, V> for Cache<K, V> {
    fn get<Q>(&self, name: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0.lock().unwrap().get(name).cloned()
    }

    fn remove<Q>(&self, name: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0.lock().unwrap().remove(name)
    }

    fn insert(&self, key: K, value: V, _valid_until: std::time::Instant) {
        self.0.lock().unwrap().insert(key, value);
    }
}

fn cache<K, V>(map: HashMap<K, V>) -> Cache<K, V> {
    Cache(Mutex::new(map))
}

/// mail-auth's caches holding the zone's records.
struct Oracle {
    txt: Cache<Box<str>, Txt>,
    mx: Cache<Box<str>, RecordSet<MX>>,
    v4: Cache<Box<str>, RecordSet<Ipv4Addr>>,
    v6: Cache<Box<str>, RecordSet<Ipv6Addr>>,
    ptr: Cache<IpAddr, RecordSet<Box<str>>>,
}

/// What mail-auth's `txt_lookup::<T>` caches for these TXT strings.
fn first_parsed<T: TxtRecordParser + Into<Txt>>(records: &[Vec<u8>]) -> Txt {
    let mut result = Err(mail_auth::Error::Dns(
        mail_auth::DnsError::InvalidRecordType,
    ));
    for r in records {
        result = T::parse(r);
        if result.is_ok() {
            break;
        }
    }
    Txt::from(result)
}

fn set<T>(items: Vec<T>) -> RecordSet<T> {
    RecordSet {
        rrset: Arc::from(items),
        dnssec_status: Default::default(),
    }
}

fn oracle(zone: &Zone) -> Oracle {
    let mut txt: HashMap<String, Vec<Vec<u8>>> = HashMap::new();
    let mut mx: HashMap<String, Vec<(u16, String)>> = HashMap::new();
    let mut v4: HashMap<String, Vec<Ipv4Addr>> = HashMap::new();
    let mut v6: HashMap<String, Vec<Ipv6Addr>> = HashMap::new();
    let mut ptr: HashMap<IpAddr, Vec<Box<str>>> = HashMap::new();
    for (name, record) in zone.records() {
        let fqdn = format!("{name}.");
        match record {
            Record::Txt(t) => txt.entry(fqdn).or_default().push(t.clone()),
            Record::Mx {
                preference,
                exchange,
            } => mx
                .entry(fqdn)
                .or_default()
                .push((*preference, format!("{exchange}."))),
            Record::A(a) => v4.entry(fqdn).or_default().push(*a),
            Record::Aaaa(a) => v6.entry(fqdn).or_default().push(*a),
            Record::Ptr(target) => {
                // Only in-addr.arpa names are used by the corpus.
                let octets: Vec<u8> = name
                    .trim_end_matches(".in-addr.arpa")
                    .split('.')
                    .rev()
                    .filter_map(|o| o.parse().ok())
                    .collect();
                if let [a, b, c, d] = octets[..] {
                    ptr.entry(IpAddr::from([a, b, c, d]))
                        .or_default()
                        .push(format!("{target}.").into());
                }
            }
        }
    }
    let txt = txt
        .into_iter()
        .map(|(name, records)| {
            let value = if name.contains("._domainkey.") {
                first_parsed::<DomainKey>(&records)
            } else if name.starts_with("_dmarc.") {
                first_parsed::<Dmarc>(&records)
            } else {
                first_parsed::<Spf>(&records)
            };
            (Box::from(name.as_str()), value)
        })
        .collect();
    let mx = mx
        .into_iter()
        .map(|(name, mut list)| {
            list.sort();
            let mut grouped: Vec<MX> = Vec::new();
            for (pref, exchange) in list {
                match grouped.last_mut() {
                    Some(g) if g.preference == pref => {
                        let mut e = g.exchanges.to_vec();
                        e.push(exchange.into());
                        g.exchanges = e.into();
                    }
                    _ => grouped.push(MX {
                        exchanges: vec![exchange.into()].into(),
                        preference: pref,
                    }),
                }
            }
            (Box::from(name.as_str()), set(grouped))
        })
        .collect();
    Oracle {
        txt: cache(txt),
        mx: cache(mx),
        v4: cache(
            v4.into_iter()
                .map(|(k, v)| (Box::from(k.as_str()), set(v)))
                .collect(),
        ),
        v6: cache(
            v6.into_iter()
                .map(|(k, v)| (Box::from(k.as_str()), set(v)))
                .collect(),
        ),
        ptr: cache(ptr.into_iter().map(|(k, v)| (k, set(v))).collect()),
    }
}

fn authenticator() -> MessageAuthenticator {
    use mail_auth::hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts};
    // Never used (every lookup is answered from the caches or NXDOMAIN), and loopback anyway.
    let config =
        ResolverConfig::from_name_servers(vec![NameServerConfig::udp_and_tcp(IpAddr::from([
            127, 0, 0, 1,
        ]))]);
    MessageAuthenticator::new(config, ResolverOpts::default()).unwrap()
}

fn theirs_dkim(r: &DkimResult) -> Verdict {
    match r {
        DkimResult::Pass => Verdict::Pass,
        DkimResult::Fail(_)
        | DkimResult::Neutral(mail_auth::Error::Dkim(
            mail_auth::dkim::DkimError::FailedBodyHashMatch,
        )) => Verdict::Fail,
        DkimResult::Neutral(_) | DkimResult::PermError(_) => Verdict::Permerror,
        DkimResult::TempError(_) => Verdict::Temperror,
        DkimResult::None => Verdict::None,
    }
}

fn theirs_spf(r: SpfResult) -> Verdict {
    match r {
        SpfResult::Pass => Verdict::Pass,
        SpfResult::Fail => Verdict::Fail,
        SpfResult::SoftFail => Verdict::Softfail,
        SpfResult::Neutral => Verdict::Neutral,
        SpfResult::TempError => Verdict::Temperror,
        SpfResult::PermError => Verdict::Permerror,
        SpfResult::None => Verdict::None,
    }
}

/// One case of the corpus.
struct Case {
    name: String,
    message: Vec<u8>,
    zone: String,
    envelope: Envelope,
}

/// Both sides' verdicts: DKIM per signature, SPF, DMARC (result and policy).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Verdicts {
    arc: Verdict,
    dkim: Vec<Verdict>,
    spf: Option<Verdict>,
    dmarc: (Verdict, Option<String>),
}

fn ours(case: &Case) -> Verdicts {
    let zone = Zone::parse(&case.zone).unwrap();
    let r = Check::new(&case.message, case.envelope.clone(), NOW).run(|q| zone.answer(q));
    Verdicts {
        arc: r.arc.result,
        dkim: r.dkim.iter().map(|d| d.result).collect(),
        spf: r.spf.map(|s| s.result),
        dmarc: (
            r.dmarc.result,
            r.dmarc.policy.filter(|_| r.dmarc.result != Verdict::None),
        ),
    }
}

async fn theirs(case: &Case) -> Verdicts {
    let zone = Zone::parse(&case.zone).unwrap();
    let o = oracle(&zone);
    let auth = authenticator();
    // Not strict: mail-auth refuses l= signatures in its strict mode.
    let message = AuthenticatedMessage::parse_with_opts(&case.message, None, false)
        .expect("mail-auth parses the message");
    let dkim = auth
        .verify_dkim(
            Parameters::new(&message)
                .with_txt_cache(&o.txt)
                .with_mx_cache(&o.mx)
                .with_ipv4_cache(&o.v4)
                .with_ipv6_cache(&o.v6)
                .with_ptr_cache(&o.ptr),
        )
        .await;
    let arc = auth
        .verify_arc(
            Parameters::new(&message)
                .with_txt_cache(&o.txt)
                .with_mx_cache(&o.mx)
                .with_ipv4_cache(&o.v4)
                .with_ipv6_cache(&o.v6)
                .with_ptr_cache(&o.ptr),
        )
        .await;
    let arc = match arc.result() {
        DkimResult::Pass => Verdict::Pass,
        DkimResult::None => Verdict::None,
        _ => Verdict::Fail,
    };
    let helo = case.envelope.helo.clone().unwrap_or_default();
    let mail_from = case.envelope.mail_from.clone().unwrap_or_default();
    let spf = match case.envelope.ip {
        None => None,
        Some(ip) => {
            let params = if mail_from.is_empty() {
                SpfParameters::verify_ehlo(ip, &helo, "mx.mailscope.test")
            } else {
                SpfParameters::verify_mail_from(ip, &helo, "mx.mailscope.test", &mail_from)
            };
            Some(
                auth.verify_spf(
                    Parameters::new(params)
                        .with_txt_cache(&o.txt)
                        .with_mx_cache(&o.mx)
                        .with_ipv4_cache(&o.v4)
                        .with_ipv6_cache(&o.v6)
                        .with_ptr_cache(&o.ptr),
                )
                .await,
            )
        }
    };
    let none_spf = mail_auth::SpfOutput::default();
    let spf_out = spf.as_ref().unwrap_or(&none_spf);
    let mail_from_domain = if mail_from.is_empty() {
        helo.clone()
    } else {
        mail_from
            .rsplit_once('@')
            .map_or(mail_from.clone(), |(_, d)| d.to_owned())
    };
    let dmarc = auth
        .verify_dmarc(
            Parameters::new(mail_auth::dmarc::verify::DmarcParameters::new(
                &message,
                &dkim,
                &mail_from_domain,
                spf_out,
            ))
            .with_txt_cache(&o.txt)
            .with_mx_cache(&o.mx)
            .with_ipv4_cache(&o.v4)
            .with_ipv6_cache(&o.v6)
            .with_ptr_cache(&o.ptr),
        )
        .await;
    let word = match (dmarc.dkim_result(), dmarc.spf_result()) {
        (DmarcResult::Pass, _) | (_, DmarcResult::Pass) => Verdict::Pass,
        (DmarcResult::TempError(_), _) | (_, DmarcResult::TempError(_)) => Verdict::Temperror,
        (DmarcResult::PermError(_), _) | (_, DmarcResult::PermError(_)) => Verdict::Permerror,
        _ if dmarc.domain().is_empty() || dmarc.dmarc_record().is_none() => Verdict::None,
        _ => Verdict::Fail,
    };
    let policy = match dmarc.policy() {
        mail_auth::dmarc::Policy::None => Some("none"),
        mail_auth::dmarc::Policy::Quarantine => Some("quarantine"),
        mail_auth::dmarc::Policy::Reject => Some("reject"),
        mail_auth::dmarc::Policy::Unspecified => None,
    };
    Verdicts {
        arc,
        dkim: dkim.iter().map(|d| theirs_dkim(d.result())).collect(),
        spf: spf.map(|s| theirs_spf(s.result())),
        dmarc: (
            word,
            policy.filter(|_| word != Verdict::None).map(str::to_owned),
        ),
    }
}

/// Cases where the two implementations disagree on purpose, with why.
const KNOWN: &[(&str, &str)] = &[
    ("l= relaxed-body", "mail-auth counts l= in bytes of the raw body and ends the hashed part with CRLF; RFC 6376 §3.5 counts octets of the canonicalized body"),
    ("keys swapped", "a key record whose k= does not fit a=: mail-auth says fail; RFC 6376 §6.1.2 says PERMFAIL (inappropriate key algorithm), permerror"),
    ("a@bad.example.org", "ip4:…/40: mail-auth accepts an IPv4 prefix longer than 32; Mailscope reports a syntax error, permerror (RFC 7208 §5.6)"),
    ("header From added", "two From fields: mail-auth exempts the message from DMARC (none); Mailscope reports permerror, no single author domain (RFC 7489 §6.6.1)"),
    ("spf voids", "mail-auth has no void-lookup limit; RFC 7208 §4.6.4 says implementations SHOULD stop after 2 (Mailscope does: permerror)"),
    ("spf two records", "mail-auth uses the first record that parses; RFC 7208 §4.5 says several v=spf1 records give permerror"),
];

const BASE: &str = "From: Alice <alice@example.org>\r\nTo: Bob <bob@example.net>\r\nSubject: quarterly\r\n report\r\nDate: Mon, 7 Dec 2026 12:00:00 +0000\r\nMessage-ID: <1@mail.example.org>\r\nX-Mailer: test\r\n\r\nHello  Bob,\r\n\r\nthe\tnumbers are in. \r\n\r\n\r\n";

fn key(name: &str) -> SigningKey {
    SigningKey::from_pem(match name {
        "rsa2048" => include_str!("fixtures/auth/rsa2048.pem"),
        "rsa1024" => include_str!("fixtures/auth/rsa1024-pkcs1.pem"),
        _ => include_str!("fixtures/auth/ed25519.pem"),
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

fn dkim_corpus() -> Vec<Case> {
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

const SPF_ZONE: &str = r#"
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
fn arc_corpus() -> Vec<Case> {
    let mut cases = Vec::new();
    for (name, text) in [
        ("google", include_str!("fixtures/auth/arc-001.txt")),
        ("two sets", include_str!("fixtures/auth/arc-002.txt")),
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

fn spf_corpus() -> Vec<Case> {
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

fn dmarc_corpus() -> Vec<Case> {
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

#[test]
fn mailscope_agrees_with_mail_auth() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let corpus: Vec<Case> = dkim_corpus()
        .into_iter()
        .chain(arc_corpus())
        .chain(spf_corpus())
        .chain(dmarc_corpus())
        .collect();
    let mut agreed = 0;
    let mut unexpected = Vec::new();
    let mut known_seen = vec![0usize; KNOWN.len()];
    for case in &corpus {
        let a = ours(case);
        let b = runtime.block_on(theirs(case));
        let known = KNOWN.iter().position(|(k, _)| case.name.contains(k));
        match (a == b, known) {
            (true, _) => agreed += 1,
            (false, Some(i)) => known_seen[i] += 1,
            (false, None) => unexpected.push(format!(
                "{}:\n  mailscope {a:?}\n  mail-auth {b:?}",
                case.name
            )),
        }
    }
    eprintln!(
        "differential: {} cases, {agreed} agree, {} known differences",
        corpus.len(),
        known_seen.iter().sum::<usize>()
    );
    assert!(
        unexpected.is_empty(),
        "{} of {} cases disagree:\n{}",
        unexpected.len(),
        corpus.len(),
        unexpected.join("\n")
    );
    for ((name, why), seen) in KNOWN.iter().zip(known_seen) {
        assert!(
            seen > 0,
            "the known difference {name:?} ({why}) no longer shows: remove it from KNOWN"
        );
    }
    assert!(agreed > 500, "the corpus shrank: {agreed}");
}
