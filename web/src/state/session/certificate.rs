//! The relay's `tls` report as a readable certificate panel: protocol, cipher, SNI, the chain
//! with each certificate's validity judged against the browser clock (passed in by the
//! component; this module has no clock), and whether it verified.

use mailscope_core::i18n::{fill, text as core_text, Lang};
use mailscope_core::mime::date::days_from_civil;
use mailscope_core::relay::{Certificate, VerifyKind};

use crate::state::i18n::key;

/// The relay's `tls` frame, kept for the panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsInfo {
    /// `TLSv1.3`…
    pub version: String,
    /// The cipher suite.
    pub cipher: String,
    /// The SNI sent, if any.
    pub sni: Option<String>,
    /// The chain as sent, leaf first.
    pub chain: Vec<Certificate>,
    /// Whether the chain verified for the name.
    pub verified: bool,
    /// Why it did not.
    pub failure: Option<VerifyFailure>,
    /// It did not verify, but it is the exact certificate the user chose to trust on this
    /// browser ([`TrustedCert`]), so the session went on.
    pub pinned: bool,
}

/// A certificate the user chose to trust on this browser: exactly this certificate (its
/// SHA-256 fingerprint) when presented for this name — the page-side counterpart of
/// `mailscope send --ca server.pem` and the relay's `--ca`, for a self-signed test server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedCert {
    /// The name it was presented for: the SNI sent, else the address connected to.
    pub name: String,
    /// The certificate's SHA-256 fingerprint, as the relay reports it.
    pub sha256: String,
}

/// Where the trusted certificates are kept in `localStorage`, one `name sha256` per line.
pub const TRUSTED_KEY: &str = "mailscope.trusted-certificates";

/// At most this many are kept (the oldest are forgotten first); longer names or fingerprints
/// than [`MAX_TRUSTED_FIELD`] bytes are not read.
pub const MAX_TRUSTED: usize = 50;

/// See [`MAX_TRUSTED`].
pub const MAX_TRUSTED_FIELD: usize = 300;

/// The stored form of `list`.
pub fn trusted_to_text(list: &[TrustedCert]) -> String {
    list.iter()
        .map(|t| format!("{} {}\n", t.name, t.sha256))
        .collect()
}

/// Reads the stored form; total: lines that are not `name sha256` within the limits are
/// skipped, and only the last [`MAX_TRUSTED`] are kept.
pub fn trusted_from_text(text: &str) -> Vec<TrustedCert> {
    let mut list: Vec<TrustedCert> = text
        .lines()
        .filter_map(|line| {
            let (name, sha256) = line.trim().split_once(' ')?;
            let ok = |f: &str| !f.is_empty() && f.len() <= MAX_TRUSTED_FIELD && !f.contains(' ');
            (ok(name) && ok(sha256)).then(|| TrustedCert {
                name: name.into(),
                sha256: sha256.into(),
            })
        })
        .collect();
    let extra = list.len().saturating_sub(MAX_TRUSTED);
    list.drain(..extra);
    list
}

/// Why a chain did not verify, as the relay reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyFailure {
    /// The kind, when the relay names it (older relays do not).
    pub kind: Option<VerifyKind>,
    /// The name the chain was checked for (the SNI, else the address).
    pub name: String,
    /// The relay's English words (with detail for a kind the core does not name).
    pub words: String,
}

impl VerifyFailure {
    /// Why, in `lang`: the core's words for the kind, else the relay's.
    pub fn render(&self, lang: Lang) -> String {
        match self.kind {
            Some(kind) if kind != VerifyKind::Other => {
                fill(core_text(lang, kind.template()), &[("name", &self.name)])
            }
            _ => self.words.clone(),
        }
    }
}

/// A certificate's validity at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    /// `not_before <= now <= not_after`.
    Valid,
    /// `now > not_after`.
    Expired,
    /// `now < not_before`.
    NotYetValid,
    /// A date could not be read.
    Unknown,
}

impl Validity {
    /// The label (an English key for `tr`).
    pub fn label(self) -> &'static str {
        match self {
            Validity::Valid => key("valid"),
            Validity::Expired => key("expired"),
            Validity::NotYetValid => key("not yet valid"),
            Validity::Unknown => key("validity unknown"),
        }
    }

    /// A CSS class.
    pub fn class(self) -> &'static str {
        match self {
            Validity::Valid => "ok",
            Validity::Unknown => "warn",
            Validity::Expired | Validity::NotYetValid => "bad",
        }
    }
}

/// Milliseconds since the Unix epoch of an RFC 3339 date-time (`2026-11-22T18:00:00Z`,
/// fractions and `±hh:mm` offsets allowed); `None` when it is not one.
pub fn rfc3339_ms(text: &str) -> Option<i64> {
    let t = text.trim();
    let num = |s: Option<&str>, lo: i64, hi: i64| -> Option<i64> {
        let s = s?;
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse::<i64>().ok().filter(|v| (lo..=hi).contains(v))
    };
    let year = num(t.get(0..4), 0, 9999)?;
    let month = num(t.get(5..7), 1, 12)?;
    let day = num(t.get(8..10), 1, 31)?;
    let hour = num(t.get(11..13), 0, 23)?;
    let minute = num(t.get(14..16), 0, 59)?;
    let second = num(t.get(17..19), 0, 60)?;
    let seps = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
    let bytes = t.as_bytes();
    if seps.iter().any(|(i, c)| bytes.get(*i) != Some(c))
        || !matches!(bytes.get(10), Some(b'T' | b't' | b' '))
    {
        return None;
    }
    let mut rest = t.get(19..)?;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = frac.get(digits..)?;
    }
    let offset_min = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first() {
                Some(b'+') => 1,
                Some(b'-') => -1,
                _ => return None,
            };
            if rest.len() != 6 || rest.as_bytes().get(3) != Some(&b':') {
                return None;
            }
            sign * (num(rest.get(1..3), 0, 23)? * 60 + num(rest.get(4..6), 0, 59)?)
        }
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_min * 60;
    Some(secs * 1000)
}

/// The validity of a certificate valid from `not_before` to `not_after` (RFC 3339) at `now_ms`.
pub fn validity(not_before: &str, not_after: &str, now_ms: u64) -> Validity {
    let now = i64::try_from(now_ms).unwrap_or(i64::MAX);
    match (rfc3339_ms(not_before), rfc3339_ms(not_after)) {
        (Some(_), Some(end)) if now > end => Validity::Expired,
        (Some(start), Some(_)) if now < start => Validity::NotYetValid,
        (Some(_), Some(_)) => Validity::Valid,
        _ => Validity::Unknown,
    }
}

/// One certificate as the panel shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertRow {
    /// The certificate.
    pub cert: Certificate,
    /// Its validity now.
    pub validity: Validity,
    /// Whether subject and issuer are the same (self-signed or a root).
    pub self_issued: bool,
}

impl TlsInfo {
    /// The chain with validity judged at `now_ms` (the browser clock).
    pub fn rows(&self, now_ms: u64) -> Vec<CertRow> {
        self.chain
            .iter()
            .map(|c| CertRow {
                validity: validity(&c.not_before, &c.not_after, now_ms),
                self_issued: c.subject == c.issuer,
                cert: c.clone(),
            })
            .collect()
    }

    /// Whether the user must decide before anything more is sent.
    pub fn needs_decision(&self) -> bool {
        !self.verified
    }

    /// What trusting this certificate would record: the leaf's fingerprint for the SNI sent,
    /// else for `peer` (the address connected to).
    pub fn trust_entry(&self, peer: Option<&str>) -> Option<TrustedCert> {
        let leaf = self.chain.first()?;
        let name = self.sni.as_deref().or(peer)?;
        Some(TrustedCert {
            name: name.into(),
            sha256: leaf.sha256.clone(),
        })
    }

    /// Whether `trusted` holds this certificate for this name and it is within its validity
    /// at `now_ms` (trusting a certificate does not make an expired one good).
    pub fn is_trusted_in(&self, trusted: &[TrustedCert], peer: Option<&str>, now_ms: u64) -> bool {
        let (Some(entry), Some(leaf)) = (self.trust_entry(peer), self.chain.first()) else {
            return false;
        };
        trusted.contains(&entry)
            && validity(&leaf.not_before, &leaf.not_after, now_ms) == Validity::Valid
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn rfc3339_dates_are_read() {
        let cases = [
            ("1970-01-01T00:00:00Z", Some(0)),
            ("2026-11-22T18:00:00Z", Some(1_795_370_400_000)),
            ("2026-11-22T18:00:00.123456Z", Some(1_795_370_400_000)),
            ("2026-11-22T19:00:00+01:00", Some(1_795_370_400_000)),
            ("2026-11-22T17:30:00-00:30", Some(1_795_370_400_000)),
            ("2000-02-29T00:00:00Z", Some(951_782_400_000)),
            ("2026-13-01T00:00:00Z", None),
            ("2026-11-22 18:00:00", None),
            ("2026-11-22T18:00Z", None),
            ("", None),
            ("not a date", None),
            ("2026-11-22T18:00:00.Z", None),
            ("２０２６-11-22T18:00:00Z", None),
        ];
        for (text, want) in cases {
            assert_eq!(rfc3339_ms(text), want, "{text:?}");
        }
    }

    #[test]
    fn validity_against_the_passed_clock() {
        let from = "2026-01-01T00:00:00Z";
        let to = "2027-01-01T00:00:00Z";
        let cases = [
            (1_795_370_400_000u64, Validity::Valid),
            (1_700_000_000_000, Validity::NotYetValid),
            (1_900_000_000_000, Validity::Expired),
        ];
        for (now, want) in cases {
            assert_eq!(validity(from, to, now), want, "at {now}");
        }
        assert_eq!(validity("junk", to, 0), Validity::Unknown);
        assert_eq!(validity(from, to, u64::MAX), Validity::Expired);
    }

    #[test]
    fn rows_judge_each_certificate() {
        let cert = |before: &str, after: &str, issuer: &str| Certificate {
            subject: "CN=sandbox.mailscope.test".into(),
            issuer: issuer.into(),
            not_before: before.into(),
            not_after: after.into(),
            sans: vec!["localhost".into()],
            sha256: "AB:CD".into(),
        };
        let info = TlsInfo {
            version: "TLSv1.3".into(),
            cipher: "TLS13_AES_128_GCM_SHA256".into(),
            sni: None,
            chain: vec![
                cert(
                    "2026-01-01T00:00:00Z",
                    "2026-06-01T00:00:00Z",
                    "CN=sandbox.mailscope.test",
                ),
                cert("2026-01-01T00:00:00Z", "2099-01-01T00:00:00Z", "CN=CA"),
            ],
            verified: false,
            failure: Some(VerifyFailure {
                kind: Some(VerifyKind::UnknownIssuer),
                name: "mx.example.org".into(),
                words: "the certificate is not signed by a trusted authority".into(),
            }),
            pinned: false,
        };
        let rows = info.rows(1_795_370_400_000);
        let got: Vec<(Validity, bool)> = rows.iter().map(|r| (r.validity, r.self_issued)).collect();
        assert_eq!(
            got,
            vec![(Validity::Expired, true), (Validity::Valid, false)]
        );
        assert!(info.needs_decision());
    }

    #[test]
    fn hostile_dates_are_refused_or_read_exactly() {
        // 2026-11-22T18:00:00Z; the fraction is read and dropped (whole milliseconds are enough
        // for validity).
        let evening = Some(1_795_370_400_000);
        let cases = [
            ("9999-99-99T99:99:99Z", None),
            ("0000-01-01T00:00:00+99:99", None),
            ("2026-11-22T18:00:00.9999999999999999999999Z", evening),
            ("2026-11-22T18:00:00.Z", None),
            ("\u{0}\u{1}", None),
            ("2026-11-22T18:00:00+", None),
            ("2026-11-22T18:00:00+01:00x", None),
            ("é", None),
            ("2026-11-22Té8:00:00Z", None),
            // The extremes of the four-digit year do not overflow.
            ("0000-01-01T00:00:00Z", Some(-62_167_219_200_000)),
            ("9999-12-31T23:59:59-23:59", Some(253_402_387_139_000)),
        ];
        for (junk, want) in cases {
            assert_eq!(rfc3339_ms(junk), want, "{junk:?}");
            let want_validity = if want.is_some() {
                Validity::Expired
            } else {
                Validity::Unknown
            };
            assert_eq!(validity(junk, junk, u64::MAX), want_validity, "{junk:?}");
        }
    }

    /// Bug 10 of the explorer issue, page side: "trust this certificate" remembers exactly this
    /// certificate for this name; the next session with it goes on by itself and says why; an
    /// expired one, another certificate or a forgotten one asks again.
    #[test]
    fn a_certificate_trusted_on_this_browser_is_accepted_exactly() {
        use crate::state::session::live::TlsChoice;
        use crate::state::session::transport::tests::{relay_model, tls_frame};
        use crate::state::session::transport::RelayPhase;
        use crate::state::session::{Action, SessionModel};
        use mailscope_core::relay::RelayFrame;

        // 2026-06-01: inside the test certificate's validity (2026 to 2027).
        const NOW: u64 = 1_780_272_000_000;
        let handshake = |m: &mut SessionModel, frame: RelayFrame, now: u64| {
            m.apply(Action::Frame {
                frame: RelayFrame::Connected {
                    peer: "127.0.0.1:2525".into(),
                    mx: None,
                    connect_ms: 1,
                    attempts: Vec::new(),
                },
                now,
            });
            m.apply(Action::Frame { frame, now });
        };
        let mut m = relay_model(TlsChoice::Implicit);
        m.apply(Action::Connect { now: NOW });
        handshake(&mut m, tls_frame(false), NOW);
        assert!(m.awaiting_trust(), "untrusted: the user decides");
        m.apply(Action::TrustCertificate { now: NOW });
        assert_eq!(
            m.trusted,
            [TrustedCert {
                name: "127.0.0.1:2525".into(),
                sha256: "AA:BB".into()
            }]
        );
        assert_eq!(m.relay_phase(), Some(RelayPhase::Open));
        assert!(m.tls_info().is_some_and(|i| i.pinned && !i.verified));

        // The next session: the same certificate goes on by itself, with a note saying why.
        let trusted = m.trusted.clone();
        let again = |trusted: &[TrustedCert], frame: RelayFrame, now: u64| {
            let mut m = relay_model(TlsChoice::Implicit);
            m.trusted = trusted.to_vec();
            m.apply(Action::Connect { now });
            handshake(&mut m, frame, now);
            m
        };
        let m2 = again(&trusted, tls_frame(false), NOW);
        assert!(!m2.awaiting_trust(), "trusted on this browser");
        assert!(m2.tls_info().is_some_and(|i| i.pinned));
        let notes = format!("{:?}", m2.notes);
        assert!(
            notes.contains("exact certificate you chose to trust"),
            "{notes}"
        );

        // Another certificate for the same name asks again.
        let mut other = tls_frame(false);
        if let RelayFrame::Tls { chain, .. } = &mut other {
            chain[0].sha256 = "CC:DD".into();
        }
        assert!(
            again(&trusted, other, NOW).awaiting_trust(),
            "another certificate"
        );
        // After it expired (2028), trusting it does not make it good.
        assert!(
            again(&trusted, tls_frame(false), 1_830_000_000_000).awaiting_trust(),
            "expired"
        );
        // Forgotten: asks again.
        let mut m3 = again(&trusted, tls_frame(false), NOW);
        m3.apply(Action::ForgetCertificate {
            sha256: "AA:BB".into(),
        });
        assert!(m3.trusted.is_empty());
        assert!(again(&m3.trusted, tls_frame(false), NOW).awaiting_trust());
    }

    #[test]
    fn the_stored_list_is_read_totally() {
        let list = vec![
            TrustedCert {
                name: "mx.example.org".into(),
                sha256: "AA:BB".into(),
            },
            TrustedCert {
                name: "127.0.0.1:2525".into(),
                sha256: "CC:DD".into(),
            },
        ];
        assert_eq!(trusted_from_text(&trusted_to_text(&list)), list);
        let hostile = format!(
            "no-fingerprint\n a b c\n\n{} x\n\u{0}\u{1} y\n",
            "n".repeat(MAX_TRUSTED_FIELD + 1)
        );
        assert_eq!(
            trusted_from_text(&hostile).len(),
            1,
            "only `\u{0}\u{1} y` has two fields"
        );
        let many: String = (0..MAX_TRUSTED + 10)
            .map(|i| format!("h{i} f{i}\n"))
            .collect();
        let kept = trusted_from_text(&many);
        assert_eq!(kept.len(), MAX_TRUSTED);
        assert_eq!(kept[0].name, "h10", "the oldest are forgotten first");
    }
}
