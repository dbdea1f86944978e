//! TLS for the relay and `mailscope send`: tokio-rustls with the ring provider, a verifier that
//! checks the chain against the webpki roots plus `--ca` files but only reports the outcome (the
//! page decides what to do with an untrusted certificate), and a description of the session and
//! chain as the core's [`RelayFrame::Tls`].
//!
//! A `--ca` file may also hold the server's own certificate (`openssl req -x509` makes it with
//! `CA:TRUE`, which webpki refuses as an end entity with `CaUsedAsEndEntity`): a server that
//! presents a certificate byte-identical to one in a `--ca` file is trusted as OpenSSL and swaks
//! trust it; its handshake signature is still checked.

use std::net::IpAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use mailscope_core::i18n::fill;
use mailscope_core::relay::{Certificate, RelayFrame, VerifyKind};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

/// Trust anchors and crypto shared by every connection.
#[derive(Debug, Clone)]
pub struct Trust {
    roots: Arc<RootCertStore>,
    /// Every certificate of the `--ca` files, trusted as it is when a server presents it.
    pinned: Arc<Vec<CertificateDer<'static>>>,
    provider: Arc<CryptoProvider>,
}

impl Trust {
    /// The webpki roots plus every certificate in the PEM files `extra`.
    pub fn new(extra: &[impl AsRef<Path>]) -> anyhow::Result<Trust> {
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let mut pinned = Vec::new();
        for file in extra {
            let file = file.as_ref();
            let pem = std::fs::read(file)
                .with_context(|| format!("cannot read --ca {}", file.display()))?;
            let mut found = 0;
            for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
                let cert = cert.with_context(|| {
                    format!("--ca {} holds a malformed PEM certificate", file.display())
                })?;
                pinned.push(cert.clone());
                roots.add(cert).with_context(|| {
                    format!(
                        "--ca {}: a certificate is not usable as a trust anchor",
                        file.display()
                    )
                })?;
                found += 1;
            }
            if found == 0 {
                anyhow::bail!(
                    "--ca {} holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
                    file.display()
                );
            }
        }
        Ok(Trust {
            roots: Arc::new(roots),
            pinned: Arc::new(pinned),
            provider: Arc::new(rustls::crypto::ring::default_provider()),
        })
    }

    /// The crypto provider (ring).
    pub fn provider(&self) -> Arc<CryptoProvider> {
        self.provider.clone()
    }
}

/// Checks the chain like a normal client, records the outcome and lets the handshake go on.
#[derive(Debug)]
struct ReportingVerifier {
    inner: Arc<WebPkiServerVerifier>,
    pinned: Arc<Vec<CertificateDer<'static>>>,
    outcome: Mutex<Option<Result<(), (VerifyKind, String)>>>,
}

impl ServerCertVerifier for ReportingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let result = if self
            .pinned
            .iter()
            .any(|c| c.as_ref() == end_entity.as_ref())
        {
            // The exact certificate given with --ca: trusted as it is (the handshake
            // signature is still verified by `verify_tls1x_signature` below).
            Ok(())
        } else {
            self.inner
                .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
                .map(|_| ())
                .map_err(|e| explain(&e, server_name))
        };
        if let Ok(mut slot) = self.outcome.lock() {
            *slot = Some(result);
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// Why verification failed: its kind, and the core's words for it (with the rustls detail for
/// a kind the core does not name).
fn explain(err: &rustls::Error, name: &ServerName<'_>) -> (VerifyKind, String) {
    use rustls::CertificateError as C;
    let name = match name {
        ServerName::DnsName(d) => d.as_ref().to_string(),
        ServerName::IpAddress(ip) => IpAddr::from(*ip).to_string(),
        _ => "the server".to_string(),
    };
    let (kind, detail) = match err {
        rustls::Error::InvalidCertificate(c) => match c {
            C::UnknownIssuer => (VerifyKind::UnknownIssuer, None),
            C::NotValidForName | C::NotValidForNameContext { .. } => (VerifyKind::WrongName, None),
            C::Expired | C::ExpiredContext { .. } => (VerifyKind::Expired, None),
            C::NotValidYet | C::NotValidYetContext { .. } => (VerifyKind::NotYetValid, None),
            C::Revoked => (VerifyKind::Revoked, None),
            C::BadSignature => (VerifyKind::BadSignature, None),
            other => (VerifyKind::Other, Some(format!("{other:?}"))),
        },
        other => (VerifyKind::Other, Some(other.to_string())),
    };
    let words = fill(kind.template(), &[("name", &name)]);
    (
        kind,
        detail.map_or(words.clone(), |d| format!("{words}: {d}")),
    )
}

/// The name to present: a DNS name (sent as SNI) or an IP address (no SNI, RFC 6066 §3).
pub fn server_name(name: &str) -> Result<ServerName<'static>, String> {
    let bare = name
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.');
    ServerName::try_from(bare.to_string())
        .map_err(|_| format!("{name:?} is not a valid TLS server name"))
}

/// Runs a client handshake over `io` and describes the result.
pub async fn connect<IO>(
    trust: &Trust,
    name: &str,
    io: IO,
) -> Result<(TlsStream<IO>, RelayFrame), String>
where
    IO: AsyncRead + AsyncWrite + Unpin,
{
    let server = server_name(name)?;
    let inner = WebPkiServerVerifier::builder_with_provider(trust.roots.clone(), trust.provider())
        .build()
        .map_err(|e| format!("cannot build the certificate verifier: {e}"))?;
    let verifier = Arc::new(ReportingVerifier {
        inner,
        pinned: trust.pinned.clone(),
        outcome: Mutex::new(None),
    });
    let config = rustls::ClientConfig::builder_with_provider(trust.provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS configuration: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(verifier.clone())
        .with_no_client_auth();
    let stream = TlsConnector::from(Arc::new(config))
        .connect(server.clone(), io)
        .await
        .map_err(|e| {
            format!("the TLS handshake failed: {e}. The server may not speak TLS on this port (use tls none and STARTTLS, or port 465 for implicit TLS)")
        })?;
    let (_, conn) = stream.get_ref();
    let version = match conn.protocol_version() {
        Some(rustls::ProtocolVersion::TLSv1_3) => "TLSv1.3".to_string(),
        Some(rustls::ProtocolVersion::TLSv1_2) => "TLSv1.2".to_string(),
        Some(other) => format!("{other:?}"),
        None => "unknown".to_string(),
    };
    let cipher = conn
        .negotiated_cipher_suite()
        .map(|s| format!("{:?}", s.suite()))
        .unwrap_or_default();
    let chain = conn
        .peer_certificates()
        .unwrap_or_default()
        .iter()
        .map(|c| describe(c.as_ref()))
        .collect();
    let outcome = verifier
        .outcome
        .lock()
        .ok()
        .and_then(|mut o| o.take())
        .unwrap_or_else(|| {
            Err((
                VerifyKind::Other,
                "the server presented no certificate".to_string(),
            ))
        });
    let sni = match server {
        ServerName::DnsName(d) => Some(d.as_ref().to_string()),
        _ => None,
    };
    let frame = RelayFrame::Tls {
        version,
        cipher,
        sni,
        chain,
        verified: outcome.is_ok(),
        verify_kind: outcome.as_ref().err().map(|e| e.0),
        verify_error: outcome.err().map(|e| e.1),
    };
    Ok((stream, frame))
}

/// SHA-256 of `der` as uppercase hex pairs joined by `:`.
pub fn fingerprint(der: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, der)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Describes one DER certificate (best effort: unparsable fields stay empty).
pub fn describe(der: &[u8]) -> Certificate {
    use x509_parser::extensions::GeneralName;
    let rfc3339 = |t: x509_parser::time::ASN1Time| {
        t.to_datetime()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    let mut cert = Certificate {
        subject: String::new(),
        issuer: String::new(),
        not_before: String::new(),
        not_after: String::new(),
        sans: Vec::new(),
        sha256: fingerprint(der),
    };
    if let Ok((_, x)) = x509_parser::parse_x509_certificate(der) {
        cert.subject = x.subject().to_string();
        cert.issuer = x.issuer().to_string();
        cert.not_before = rfc3339(x.validity().not_before);
        cert.not_after = rfc3339(x.validity().not_after);
        if let Ok(Some(san)) = x.subject_alternative_name() {
            for name in &san.value.general_names {
                match name {
                    GeneralName::DNSName(d) => cert.sans.push(d.to_string()),
                    GeneralName::IPAddress(b) => {
                        if let Ok(a) = <[u8; 4]>::try_from(*b) {
                            cert.sans.push(IpAddr::from(a).to_string());
                        } else if let Ok(a) = <[u8; 16]>::try_from(*b) {
                            cert.sans.push(IpAddr::from(a).to_string());
                        }
                    }
                    GeneralName::RFC822Name(m) => cert.sans.push(format!("email:{m}")),
                    _ => {}
                }
            }
        }
    }
    cert
}

/// A self-signed certificate and key for `names` (the sandbox's STARTTLS, and tests): subject
/// `CN=<first name>`, valid from a day ago for [`SELF_SIGNED_DAYS`] days, as a certificate a
/// real server would present (not rcgen's `CN=rcgen self signed cert`, 1975–4096).
pub fn self_signed(names: &[&str]) -> anyhow::Result<(CertificateDer<'static>, Vec<u8>, String)> {
    let sans: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    let mut params = rcgen::CertificateParams::new(sans).context("certificate names")?;
    let mut subject = rcgen::DistinguishedName::new();
    subject.push(
        rcgen::DnType::CommonName,
        names.first().copied().unwrap_or("localhost"),
    );
    subject.push(rcgen::DnType::OrganizationName, "Mailscope sandbox");
    params.distinguished_name = subject;
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(SELF_SIGNED_DAYS);
    let key_pair = rcgen::KeyPair::generate().context("generate a key")?;
    let cert = params
        .self_signed(&key_pair)
        .context("sign the certificate")?;
    let pem = cert.pem();
    Ok((cert.der().clone(), key_pair.serialize_der(), pem))
}

/// Days a [`self_signed`] certificate is valid: 397, the longest a public CA may issue
/// (CA/Browser Forum Baseline Requirements §6.3.2).
pub const SELF_SIGNED_DAYS: i64 = 397;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_a_self_signed_certificate() {
        let (der, _, _) = self_signed(&["mail.test", "127.0.0.1"]).unwrap();
        let cert = describe(der.as_ref());
        assert_eq!(cert.sans, vec!["mail.test", "127.0.0.1"], "{cert:?}");
        assert_eq!(cert.subject, cert.issuer, "self-signed: {cert:?}");
        assert!(cert.subject.contains("CN=mail.test"), "{cert:?}");
        // Valid from yesterday for 397 days (not rcgen's 1975–4096).
        let now = time::OffsetDateTime::now_utc();
        let day = |t: time::OffsetDateTime| format!("{:04}-{:02}-", t.year(), t.month() as u8);
        let yesterday = now - time::Duration::days(1);
        let end = now + time::Duration::days(SELF_SIGNED_DAYS);
        assert!(cert.not_before.starts_with(&day(yesterday)), "{cert:?}");
        assert!(cert.not_after.starts_with(&day(end)), "{cert:?}");
        assert_eq!(cert.sha256.len(), 32 * 3 - 1, "{}", cert.sha256);
        let garbage = describe(b"not a certificate");
        assert_eq!(garbage.subject, "", "{garbage:?}");
        assert_eq!(garbage.sha256.len(), 95);
    }

    #[test]
    fn server_names() {
        for (name, dns) in [
            ("mail.example.org", true),
            ("mail.example.org.", true),
            ("127.0.0.1", false),
            ("[::1]", false),
        ] {
            let got = server_name(name).unwrap();
            assert_eq!(matches!(got, ServerName::DnsName(_)), dns, "{name}");
        }
        assert!(server_name("bad name!").is_err());
    }
}
