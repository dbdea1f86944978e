//! Differential test: Mailscope's DKIM, ARC, SPF and DMARC against `mail-auth` 0.11 (Stalwart's
//! independent implementation) on the generated corpus of `mailscope_testkit::auth_corpus`
//! (shared with the dkimpy/pyspf differential, `tests/tests/auth_pydiff.rs`), both fed the
//! same records.
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
use mailscope_core::auth::zone::Zone;
use mailscope_core::auth::{Record, Verdict};
use mailscope_testkit::auth_corpus::{corpus, Case};

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

/// Both sides' verdicts: DKIM per signature, SPF, DMARC (result and policy).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Verdicts {
    arc: Verdict,
    dkim: Vec<Verdict>,
    spf: Option<Verdict>,
    dmarc: (Verdict, Option<String>),
}

fn ours(case: &Case) -> Verdicts {
    let r = case.check();
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
    let o = oracle(&case.records());
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

#[test]
fn mailscope_agrees_with_mail_auth() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let corpus = corpus();
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
