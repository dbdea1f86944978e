//! The relay's `tls` report as a readable certificate panel: protocol, cipher, SNI, the chain
//! with each certificate's validity judged against the browser clock (passed in by the
//! component; this module has no clock), and whether it verified.

use mailscope_core::mime::date::days_from_civil;
use mailscope_core::relay::Certificate;

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
    pub verify_error: Option<String>,
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
            verify_error: Some("invalid peer certificate: UnknownIssuer".into()),
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
}
