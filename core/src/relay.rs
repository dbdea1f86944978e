//! Relay protocol version 1: the frames between the page and `mailscope serve`.
//!
//! The page opens `GET /relay` as a WebSocket offering the subprotocols [`SUBPROTOCOL`] and
//! `mailscope.token.<TOKEN>` (see [`token_subprotocol`]). Text frames carry one JSON
//! [`ClientFrame`] or [`RelayFrame`] each, tagged by `"type"`; binary frames carry the bytes of the
//! TCP (or TLS-decrypted) stream exactly as on the wire. Both sides use these types, so the JSON
//! is never written by hand.

use serde::{Deserialize, Serialize};

/// The protocol version these types describe.
pub const PROTOCOL_VERSION: u32 = 1;

/// Most [`ClientFrame::Lookup`] questions one relay socket may ask (an authentication check of
/// one message needs a few; SPF's own limits keep one check under about 30).
pub const MAX_LOOKUPS: usize = 200;

/// The subprotocol both sides agree on.
pub const SUBPROTOCOL: &str = "mailscope.v1";
/// Prefix of the subprotocol that carries the relay token.
pub const TOKEN_SUBPROTOCOL_PREFIX: &str = "mailscope.token.";

/// The subprotocol that presents `token` to the relay.
pub fn token_subprotocol(token: &str) -> String {
    format!("{TOKEN_SUBPROTOCOL_PREFIX}{token}")
}

/// Where the relay should connect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Target {
    /// A host name or address and a port.
    Host {
        /// Name or IP literal.
        host: String,
        /// TCP port.
        port: u16,
    },
    /// The mail exchangers of a domain, by preference, with the implicit-MX fallback
    /// (RFC 5321 §5.1); port 25.
    Mx {
        /// The domain whose MX records to use.
        mx: String,
    },
    /// The relay's own sandbox SMTP server.
    Sandbox {
        /// Always `true`.
        sandbox: bool,
    },
}

/// TLS from the first byte, or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// Plain TCP; the client may upgrade later with STARTTLS.
    #[default]
    None,
    /// TLS before any SMTP (port 465, RFC 8314).
    Implicit,
}

/// Frames the page sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    /// Open a connection to `target`.
    Connect {
        /// Where to.
        target: Target,
        /// Implicit TLS or not.
        #[serde(default)]
        tls: TlsMode,
        /// Server name to present in TLS, if not the target host.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sni: Option<String>,
    },
    /// Start TLS on the open connection now: sent only after the server's 220 to STARTTLS.
    Starttls {
        /// Server name to present, if not the connected host.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sni: Option<String>,
    },
    /// Look up the MX records of a domain.
    Resolve {
        /// The domain.
        domain: String,
    },
    /// Answer one DNS question of the authentication checks (a DKIM key, an SPF or DMARC
    /// record, the A/AAAA/MX/PTR an SPF term asks for): at most [`MAX_LOOKUPS`] per socket.
    Lookup {
        /// The question.
        query: crate::auth::Query,
    },
    /// Close the connection to the server.
    Close,
}

/// Limits the relay enforces, announced in [`RelayFrame::Hello`]: every limit the relay
/// applies, so the page can explain a `limit` or `timeout` error before it happens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Largest WebSocket frame accepted, in bytes; larger ones close the socket with 1009.
    pub max_frame: usize,
    /// Most bytes queued towards the page before the relay stops reading from the server.
    pub write_buffer: usize,
    /// Seconds without traffic before the relay closes the session.
    pub idle_timeout_secs: u64,
    /// Seconds allowed for a TCP connect.
    pub connect_timeout_secs: u64,
    /// Seconds allowed for a TLS handshake (implicit TLS or STARTTLS).
    pub handshake_timeout_secs: u64,
    /// Open sessions (WebSockets) the relay accepts in total.
    pub max_sessions: usize,
    /// Open sessions the relay accepts per token.
    pub max_sessions_per_token: usize,
    /// TCP connection attempts per minute, over all sessions: every address a `connect` tries
    /// counts, and a `connect` tries at most 5 addresses by default.
    pub connects_per_minute: usize,
    /// Ports the relay connects to without an explicit allowance.
    pub allowed_ports: Vec<u16>,
}

/// One address the relay tried while opening a connection, in order (RFC 5321 §5.1: try each
/// MX by preference and each of its addresses before giving up).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectAttempt {
    /// The MX exchange the address belongs to, for `{mx}` targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mx: Option<String>,
    /// The address and port tried.
    pub address: String,
    /// Milliseconds the attempt took.
    pub ms: u64,
    /// Why it failed; absent for the attempt that connected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One MX record with the addresses its exchange resolved to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MxRecord {
    /// Preference: lower is tried first.
    pub preference: u16,
    /// The exchange host name.
    pub exchange: String,
    /// Its IPv4 and IPv6 addresses.
    pub addresses: Vec<String>,
}

/// One certificate of the chain the server presented.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    /// Subject distinguished name.
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// Start of validity, RFC 3339.
    pub not_before: String,
    /// End of validity, RFC 3339.
    pub not_after: String,
    /// DNS names and addresses from subjectAltName.
    pub sans: Vec<String>,
    /// SHA-256 of the DER, uppercase hex pairs joined by `:`.
    pub sha256: String,
}

/// Which side ended a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Closer {
    /// The mail server closed the TCP connection.
    Server,
    /// The page asked for it.
    Client,
    /// The relay ended it (timeout, limit, protocol violation).
    Relay,
}

/// Stable error codes of [`RelayFrame::Error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The target is not allowed (port, special-purpose address, policy).
    PolicyDenied,
    /// The name did not resolve.
    DnsFailed,
    /// TCP connect failed or was refused.
    ConnectFailed,
    /// The TLS handshake failed, or the server broke the STARTTLS rules.
    TlsFailed,
    /// Something took longer than its limit.
    Timeout,
    /// A session, rate or size limit was reached.
    Limit,
    /// The frame was not understood or not valid in this state.
    BadRequest,
    /// The page asked for `{sandbox: true}` but the relay runs without its sandbox SMTP server.
    SandboxUnavailable,
}

impl ErrorCode {
    /// The stable name, as written in the `code` field (`policy_denied`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::PolicyDenied => "policy_denied",
            ErrorCode::DnsFailed => "dns_failed",
            ErrorCode::ConnectFailed => "connect_failed",
            ErrorCode::TlsFailed => "tls_failed",
            ErrorCode::Timeout => "timeout",
            ErrorCode::Limit => "limit",
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::SandboxUnavailable => "sandbox_unavailable",
        }
    }
}

/// Why a certificate chain did not verify (the relay's `tls` report), so that a page can say it
/// in its reader's language; the report's `verify_error` carries the English words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerifyKind {
    /// Not signed by a trusted authority: self-signed, or a private CA.
    UnknownIssuer,
    /// Not valid for the name it was checked for.
    WrongName,
    /// Past its validity.
    Expired,
    /// Before its validity.
    NotYetValid,
    /// Revoked.
    Revoked,
    /// Its signature does not verify.
    BadSignature,
    /// Another reason.
    Other,
}

impl VerifyKind {
    /// What it means, in English, with `{name}` for the name the certificate was checked for
    /// (translated by [`crate::i18n::text`], filled by [`crate::i18n::fill`]).
    pub fn template(self) -> &'static str {
        match self {
            VerifyKind::UnknownIssuer => {
                "the certificate is not signed by a trusted authority (self-signed or a private CA)"
            }
            VerifyKind::WrongName => {
                "the certificate is not valid for the name {name}: check the host name or the SNI"
            }
            VerifyKind::Expired => "the certificate has expired",
            VerifyKind::NotYetValid => "the certificate is not valid yet (check the clock)",
            VerifyKind::Revoked => "the certificate was revoked",
            VerifyKind::BadSignature => "the certificate's signature is invalid",
            VerifyKind::Other => "the certificate was rejected",
        }
    }

    /// Every kind.
    pub const ALL: [VerifyKind; 7] = [
        VerifyKind::UnknownIssuer,
        VerifyKind::WrongName,
        VerifyKind::Expired,
        VerifyKind::NotYetValid,
        VerifyKind::Revoked,
        VerifyKind::BadSignature,
        VerifyKind::Other,
    ];
}

/// Frames the relay sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RelayFrame {
    /// First frame after the upgrade.
    Hello {
        /// [`PROTOCOL_VERSION`].
        protocol: u32,
        /// The limits in force.
        limits: Limits,
        /// Address of the sandbox SMTP server, if it runs.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sandbox: Option<String>,
    },
    /// The TCP connection is open (and, with implicit TLS, the handshake done).
    Connected {
        /// The address connected to.
        peer: String,
        /// The MX host it came from, for `{mx}` targets.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mx: Option<String>,
        /// Milliseconds the connect took.
        connect_ms: u64,
        /// For `{mx}` targets and names with several addresses: every address tried, in
        /// order, the last one being the one connected to.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        attempts: Vec<ConnectAttempt>,
    },
    /// A TLS handshake finished.
    Tls {
        /// Protocol version, e.g. `TLSv1.3`.
        version: String,
        /// Cipher suite name.
        cipher: String,
        /// Server name presented, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sni: Option<String>,
        /// The chain as sent, leaf first.
        chain: Vec<Certificate>,
        /// Whether the chain verified against the trusted roots for the name.
        verified: bool,
        /// Why verification failed, if it did (English words).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        verify_error: Option<String>,
        /// The kind of failure, for a reader in any language ([`VerifyKind::template`]);
        /// absent from older relays.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        verify_kind: Option<VerifyKind>,
    },
    /// Answer to [`ClientFrame::Resolve`].
    Resolved {
        /// The domain asked about.
        domain: String,
        /// Records by preference.
        records: Vec<MxRecord>,
        /// True when there were no MX records and the domain itself is used (RFC 5321 §5.1).
        implicit: bool,
    },
    /// Answer to [`ClientFrame::Lookup`].
    Answer {
        /// The question.
        query: crate::auth::Query,
        /// The records, NXDOMAIN, or why there is no answer.
        answer: crate::auth::Answer,
    },
    /// The connection to the server ended.
    Closed {
        /// Who ended it.
        by: Closer,
        /// Why, for people.
        reason: String,
    },
    /// Something failed.
    Error {
        /// Stable code.
        code: ErrorCode,
        /// What happened and what to do, for people.
        message: String,
        /// The relay goes on with the next address: this error reports one failed attempt of
        /// a connect (RFC 5321 §5.1: try each MX and each of its addresses in turn) and does
        /// not end it; a `connected` or a final error follows. Absent (false) in JSON for
        /// every other error, so frames without it read as before.
        #[serde(default, skip_serializing_if = "is_false")]
        retrying: bool,
    },
}

/// For `skip_serializing_if`: leaves a false flag out of the JSON.
fn is_false(b: &bool) -> bool {
    !*b
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn client_frames_have_the_documented_json() {
        let cases = [
            (
                ClientFrame::Connect {
                    target: Target::Host {
                        host: "mx.example.org".into(),
                        port: 25,
                    },
                    tls: TlsMode::None,
                    sni: None,
                },
                r#"{"type":"connect","target":{"host":"mx.example.org","port":25},"tls":"none"}"#,
            ),
            (
                ClientFrame::Connect {
                    target: Target::Mx {
                        mx: "example.org".into(),
                    },
                    tls: TlsMode::Implicit,
                    sni: Some("a.example".into()),
                },
                r#"{"type":"connect","target":{"mx":"example.org"},"tls":"implicit","sni":"a.example"}"#,
            ),
            (
                ClientFrame::Connect {
                    target: Target::Sandbox { sandbox: true },
                    tls: TlsMode::None,
                    sni: None,
                },
                r#"{"type":"connect","target":{"sandbox":true},"tls":"none"}"#,
            ),
            (
                ClientFrame::Starttls { sni: None },
                r#"{"type":"starttls"}"#,
            ),
            (
                ClientFrame::Resolve {
                    domain: "example.org".into(),
                },
                r#"{"type":"resolve","domain":"example.org"}"#,
            ),
            (
                ClientFrame::Lookup {
                    query: crate::auth::Query::new(
                        "Sel._domainkey.example.org.",
                        crate::auth::RecordType::Txt,
                    ),
                },
                r#"{"type":"lookup","query":{"name":"sel._domainkey.example.org","type":"TXT"}}"#,
            ),
            (ClientFrame::Close, r#"{"type":"close"}"#),
        ];
        for (frame, json) in cases {
            assert_eq!(serde_json::to_string(&frame).unwrap(), json);
            assert_eq!(serde_json::from_str::<ClientFrame>(json).unwrap(), frame);
        }
    }

    #[test]
    fn relay_frames_round_trip() {
        let frames = [
            RelayFrame::Hello {
                protocol: PROTOCOL_VERSION,
                limits: sample_limits(),
                sandbox: Some("127.0.0.1:2525".into()),
            },
            RelayFrame::Connected {
                peer: "192.0.2.1:25".into(),
                mx: Some("mx.example.org".into()),
                connect_ms: 12,
                attempts: Vec::new(),
            },
            RelayFrame::Resolved {
                domain: "example.org".into(),
                records: vec![MxRecord {
                    preference: 10,
                    exchange: "mx.example.org".into(),
                    addresses: vec!["192.0.2.1".into()],
                }],
                implicit: false,
            },
            RelayFrame::Closed {
                by: Closer::Server,
                reason: "connection closed by peer".into(),
            },
            RelayFrame::Error {
                code: ErrorCode::PolicyDenied,
                message: "port 22 is not allowed".into(),
                retrying: false,
            },
            RelayFrame::Error {
                code: ErrorCode::ConnectFailed,
                message: "attempt 1 of 2 failed".into(),
                retrying: true,
            },
        ];
        for frame in frames {
            let json = serde_json::to_string(&frame).unwrap();
            assert_eq!(
                serde_json::from_str::<RelayFrame>(&json).unwrap(),
                frame,
                "{json}"
            );
        }
        let err = serde_json::to_string(&RelayFrame::Error {
            code: ErrorCode::DnsFailed,
            message: String::new(),
            retrying: false,
        })
        .unwrap();
        assert_eq!(err, r#"{"type":"error","code":"dns_failed","message":""}"#);
    }

    #[test]
    fn error_code_names_are_the_wire_names() {
        let codes = [
            ErrorCode::PolicyDenied,
            ErrorCode::DnsFailed,
            ErrorCode::ConnectFailed,
            ErrorCode::TlsFailed,
            ErrorCode::Timeout,
            ErrorCode::Limit,
            ErrorCode::BadRequest,
            ErrorCode::SandboxUnavailable,
        ];
        for code in codes {
            let wire = serde_json::to_string(&code).unwrap_or_default();
            assert_eq!(format!("\"{}\"", code.as_str()), wire, "{code:?}");
        }
    }

    fn sample_limits() -> Limits {
        Limits {
            max_frame: 65536,
            write_buffer: 4194304,
            idle_timeout_secs: 300,
            connect_timeout_secs: 30,
            handshake_timeout_secs: 30,
            max_sessions: 20,
            max_sessions_per_token: 10,
            connects_per_minute: 60,
            allowed_ports: vec![25, 465, 587],
        }
    }

    #[test]
    fn relay_frames_have_the_documented_json() {
        let cases = [
            (
                RelayFrame::Hello {
                    protocol: PROTOCOL_VERSION,
                    limits: sample_limits(),
                    sandbox: None,
                },
                r#"{"type":"hello","protocol":1,"limits":{"max_frame":65536,"write_buffer":4194304,"idle_timeout_secs":300,"connect_timeout_secs":30,"handshake_timeout_secs":30,"max_sessions":20,"max_sessions_per_token":10,"connects_per_minute":60,"allowed_ports":[25,465,587]}}"#,
            ),
            (
                RelayFrame::Connected {
                    peer: "192.0.2.2:25".into(),
                    mx: Some("b.example.org".into()),
                    connect_ms: 3,
                    attempts: vec![
                        ConnectAttempt {
                            mx: Some("a.example.org".into()),
                            address: "192.0.2.1:25".into(),
                            ms: 1,
                            error: Some("connection refused".into()),
                        },
                        ConnectAttempt {
                            mx: Some("b.example.org".into()),
                            address: "192.0.2.2:25".into(),
                            ms: 3,
                            error: None,
                        },
                    ],
                },
                r#"{"type":"connected","peer":"192.0.2.2:25","mx":"b.example.org","connect_ms":3,"attempts":[{"mx":"a.example.org","address":"192.0.2.1:25","ms":1,"error":"connection refused"},{"mx":"b.example.org","address":"192.0.2.2:25","ms":3}]}"#,
            ),
            (
                RelayFrame::Connected {
                    peer: "127.0.0.1:2525".into(),
                    mx: None,
                    connect_ms: 0,
                    attempts: Vec::new(),
                },
                r#"{"type":"connected","peer":"127.0.0.1:2525","connect_ms":0}"#,
            ),
            (
                RelayFrame::Error {
                    code: ErrorCode::SandboxUnavailable,
                    message: "no sandbox".into(),
                    retrying: false,
                },
                r#"{"type":"error","code":"sandbox_unavailable","message":"no sandbox"}"#,
            ),
            (
                RelayFrame::Error {
                    code: ErrorCode::ConnectFailed,
                    message: "attempt 1 of 2 failed: a.example.org (192.0.2.1:25): connection refused; trying the next address".into(),
                    retrying: true,
                },
                r#"{"type":"error","code":"connect_failed","message":"attempt 1 of 2 failed: a.example.org (192.0.2.1:25): connection refused; trying the next address","retrying":true}"#,
            ),
        ];
        for (frame, json) in cases {
            assert_eq!(
                serde_json::to_string(&frame).unwrap(),
                json,
                "serialized form (left) vs documented JSON (right)"
            );
            assert_eq!(
                serde_json::from_str::<RelayFrame>(json).unwrap(),
                frame,
                "parsed {json}"
            );
        }
    }

    #[test]
    fn retrying_is_optional_and_typed() {
        // A relay from before the field: its errors read as final.
        let cases = [
            (
                r#"{"type":"error","code":"connect_failed","message":"m"}"#,
                Some(false),
            ),
            (
                r#"{"type":"error","code":"connect_failed","message":"m","retrying":false}"#,
                Some(false),
            ),
            (
                r#"{"type":"error","code":"connect_failed","message":"m","retrying":true}"#,
                Some(true),
            ),
            (
                r#"{"type":"error","code":"connect_failed","message":"m","retrying":"yes"}"#,
                None,
            ),
            (
                r#"{"type":"error","code":"connect_failed","message":"m","retrying":1}"#,
                None,
            ),
        ];
        for (json, want) in cases {
            let got = serde_json::from_str::<RelayFrame>(json)
                .ok()
                .map(|f| match f {
                    RelayFrame::Error { retrying, .. } => retrying,
                    other => panic!("{json}: expected an error frame, got {other:?}"),
                });
            assert_eq!(got, want, "{json}");
        }
    }

    #[test]
    fn unknown_frames_are_rejected() {
        for json in [
            r#"{"type":"shell"}"#,
            r#"{"target":{"sandbox":true}}"#,
            "[]",
            "",
        ] {
            assert!(serde_json::from_str::<ClientFrame>(json).is_err(), "{json}");
        }
    }
}

#[cfg(test)]
mod wire_compat {
    //! The accept/reject decisions and parsed values of [`RelayFrame`]'s JSON, hostile inputs
    //! included: the wire format of docs/relay.md, pinned. `RelayFrame`'s `Deserialize` is
    //! serde's derive for an internally tagged enum; a change of attributes that changes what
    //! the page accepts fails here.
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    const LIMITS: &str = r#"{"max_frame":65536,"write_buffer":4194304,"idle_timeout_secs":300,"connect_timeout_secs":30,"handshake_timeout_secs":30,"max_sessions":20,"max_sessions_per_token":10,"connects_per_minute":60,"allowed_ports":[25,465,587]}"#;

    /// `(input, Some(canonical JSON of what it parses to) | None when rejected)`.
    fn cases() -> Vec<(String, Option<String>)> {
        let hello = format!(r#"{{"type":"hello","protocol":1,"limits":{LIMITS}}}"#);
        let cert = r#"{"subject":"CN=a","issuer":"CN=b","not_before":"2026-01-01T00:00:00Z","not_after":"2027-01-01T00:00:00Z","sans":["a"],"sha256":"AB:CD"}"#;
        let tls = format!(
            r#"{{"type":"tls","version":"TLSv1.3","cipher":"TLS13_AES_128_GCM_SHA256","sni":"a","chain":[{cert}],"verified":false,"verify_error":"expired"}}"#
        );
        let s = |x: &str| Some(x.to_string());
        let mut cases: Vec<(String, Option<String>)> = vec![
            // Every variant, as the relay writes it.
            (hello.clone(), Some(hello.clone())),
            (tls.clone(), Some(tls.clone())),
            (
                r#"{"type":"connected","peer":"192.0.2.2:25","mx":"b","connect_ms":3,"attempts":[{"mx":"a","address":"192.0.2.1:25","ms":1,"error":"refused"},{"address":"192.0.2.2:25","ms":3}]}"#.into(),
                s(r#"{"type":"connected","peer":"192.0.2.2:25","mx":"b","connect_ms":3,"attempts":[{"mx":"a","address":"192.0.2.1:25","ms":1,"error":"refused"},{"address":"192.0.2.2:25","ms":3}]}"#),
            ),
            (
                r#"{"type":"resolved","domain":"example.org","records":[{"preference":10,"exchange":"mx","addresses":["192.0.2.1","2001:db8::1"]}],"implicit":false}"#.into(),
                s(r#"{"type":"resolved","domain":"example.org","records":[{"preference":10,"exchange":"mx","addresses":["192.0.2.1","2001:db8::1"]}],"implicit":false}"#),
            ),
            (
                r#"{"type":"closed","by":"relay","reason":"idle"}"#.into(),
                s(r#"{"type":"closed","by":"relay","reason":"idle"}"#),
            ),
            (
                r#"{"type":"answer","query":{"name":"example.org","type":"TXT"},"answer":{"kind":"records","records":[{"type":"TXT","data":[118,61]}]}}"#.into(),
                s(r#"{"type":"answer","query":{"name":"example.org","type":"TXT"},"answer":{"kind":"records","records":[{"type":"TXT","data":[118,61]}]}}"#),
            ),
            (
                r#"{"type":"answer","query":{"name":"_dmarc.example.org","type":"TXT"},"answer":{"kind":"nxdomain"}}"#.into(),
                s(r#"{"type":"answer","query":{"name":"_dmarc.example.org","type":"TXT"},"answer":{"kind":"nxdomain"}}"#),
            ),
            (
                r#"{"type":"error","code":"bad_request","message":"m","retrying":true}"#.into(),
                s(r#"{"type":"error","code":"bad_request","message":"m","retrying":true}"#),
            ),
            // The tag anywhere, escapes in keys and tags, whitespace.
            (
                r#"{"reason":"r","by":"server","type":"closed"}"#.into(),
                s(r#"{"type":"closed","by":"server","reason":"r"}"#),
            ),
            (
                r#" { "type" : "clos\u0065d" , "b\u0079" : "client" , "reason" : "\u00e9" } "#.into(),
                s(r#"{"type":"closed","by":"client","reason":"é"}"#),
            ),
            // Defaults and nulls for optional fields.
            (
                r#"{"type":"connected","peer":"p","connect_ms":0,"mx":null}"#.into(),
                s(r#"{"type":"connected","peer":"p","connect_ms":0}"#),
            ),
            (
                format!(r#"{{"type":"hello","protocol":1,"limits":{LIMITS},"sandbox":null}}"#),
                Some(hello.clone()),
            ),
            (
                format!(r#"{{"type":"hello","protocol":1,"limits":{LIMITS},"sandbox":"127.0.0.1:2525"}}"#),
                Some(format!(r#"{{"type":"hello","protocol":1,"limits":{LIMITS},"sandbox":"127.0.0.1:2525"}}"#)),
            ),
            (r#"{"type":"connected","peer":"p","connect_ms":0,"attempts":null}"#.into(), None),
            (r#"{"type":"error","code":"limit","message":"m","retrying":null}"#.into(), None),
            (r#"{"type":"tls","version":"v","cipher":"c","chain":[],"verified":true,"sni":null,"verify_error":null}"#.into(),
                s(r#"{"type":"tls","version":"v","cipher":"c","chain":[],"verified":true}"#)),
            // Extra fields are ignored, whatever they hold, including other variants' fields.
            (
                r#"{"type":"closed","by":"server","reason":"r","extra":[1,{"a":null}],"x":"y"}"#.into(),
                s(r#"{"type":"closed","by":"server","reason":"r"}"#),
            ),
            (
                r#"{"type":"closed","by":"server","reason":"r","protocol":"one","limits":7,"code":"nope","retrying":"yes"}"#.into(),
                s(r#"{"type":"closed","by":"server","reason":"r"}"#),
            ),
            (
                r#"{"type":"closed","by":"server","reason":"r","code":1,"code":2}"#.into(),
                s(r#"{"type":"closed","by":"server","reason":"r"}"#),
            ),
            (
                r#"{"type":"closed","by":"server","reason":"r","extra":1,"extra":2}"#.into(),
                s(r#"{"type":"closed","by":"server","reason":"r"}"#),
            ),
            (
                format!(r#"{{"type":"hello","protocol":1,"limits":{}}}"#, LIMITS.replace("{", r#"{"more":[true],"#)),
                Some(hello.clone()),
            ),
            // Enums in their map form.
            (
                r#"{"type":"closed","by":{"server":null},"reason":"r"}"#.into(),
                s(r#"{"type":"closed","by":"server","reason":"r"}"#),
            ),
            (r#"{"type":"closed","by":{"server":1},"reason":"r"}"#.into(), None),
            (r#"{"type":"closed","by":["server"],"reason":"r"}"#.into(), None),
            (r#"{"type":"closed","by":0,"reason":"r"}"#.into(), None),
            (r#"{"type":"error","code":"nope","message":"m"}"#.into(), None),
            (r#"{"type":"error","code":"Limit","message":"m"}"#.into(), None),
            // Missing fields.
            (r#"{"type":"hello","protocol":1}"#.into(), None),
            (format!(r#"{{"type":"hello","limits":{LIMITS}}}"#), None),
            (r#"{"type":"connected","peer":"p"}"#.into(), None),
            (r#"{"type":"tls","version":"v","cipher":"c","chain":[]}"#.into(), None),
            (r#"{"type":"resolved","domain":"d","records":[]}"#.into(), None),
            (r#"{"type":"closed","by":"server"}"#.into(), None),
            (r#"{"type":"error","message":"m"}"#.into(), None),
            (r#"{"type":"connected","peer":"p","connect_ms":1,"attempts":[{"address":"a"}]}"#.into(), None),
            (format!(r#"{{"type":"hello","protocol":1,"limits":{}}}"#, LIMITS.replace(r#""max_frame":65536,"#, "")), None),
            // Wrong types and out-of-range numbers.
            (format!(r#"{{"type":"hello","protocol":"1","limits":{LIMITS}}}"#), None),
            (format!(r#"{{"type":"hello","protocol":-1,"limits":{LIMITS}}}"#), None),
            (format!(r#"{{"type":"hello","protocol":1.0,"limits":{LIMITS}}}"#), None),
            (format!(r#"{{"type":"hello","protocol":4294967296,"limits":{LIMITS}}}"#), None),
            (r#"{"type":"hello","protocol":1,"limits":null}"#.into(), None),
            (r#"{"type":"connected","peer":"p","connect_ms":1e3}"#.into(), None),
            (r#"{"type":"tls","version":"v","cipher":"c","chain":[],"verified":"true"}"#.into(), None),
            (r#"{"type":"tls","version":"v","cipher":"c","chain":{},"verified":true}"#.into(), None),
            (r#"{"type":"resolved","domain":"d","records":[{"preference":70000,"exchange":"x","addresses":[]}],"implicit":true}"#.into(), None),
            (r#"{"type":"closed","by":"server","reason":null}"#.into(), None),
            (r#"{"type":"error","code":"limit","message":"m","retrying":1}"#.into(), None),
            // Duplicate fields and tags.
            (r#"{"type":"closed","by":"server","by":"client","reason":"r"}"#.into(), None),
            (r#"{"type":"closed","type":"closed","by":"server","reason":"r"}"#.into(), None),
            (r#"{"type":"closed","type":"error","by":"server","reason":"r"}"#.into(), None),
            // The tag: missing, unknown, of the wrong type or case.
            (r#"{"by":"server","reason":"r"}"#.into(), None),
            (r#"{}"#.into(), None),
            (r#"{"type":"bye"}"#.into(), None),
            (r#"{"type":"Closed","by":"server","reason":"r"}"#.into(), None),
            (r#"{"type":1,"by":"server","reason":"r"}"#.into(), None),
            (r#"{"type":null,"by":"server","reason":"r"}"#.into(), None),
            (r#"{"type":["closed"],"by":"server","reason":"r"}"#.into(), None),
            (r#"{"type":{"closed":null},"by":"server","reason":"r"}"#.into(), None),
            // Not an object, or not JSON.
            ("".into(), None),
            ("null".into(), None),
            ("1".into(), None),
            (r#""closed""#.into(), None),
            ("[]".into(), None),
            (r#"{"type":"closed","by":"server","reason":"r"} x"#.into(), None),
            (r#"{"type":"closed","by":"server","reason":"r""#.into(), None),
            (r#"{"type":"closed","by":"server","reason":"r",}"#.into(), None),
            ("\u{feff}{\"type\":\"closed\",\"by\":\"server\",\"reason\":\"r\"}".into(), None),
            // Deep nesting: within serde_json's recursion limit (128) in an ignored field, and
            // beyond it in a read one.
            (
                format!(r#"{{"type":"closed","by":"server","reason":"r","x":{}1{}}}"#, "[".repeat(100), "]".repeat(100)),
                s(r#"{"type":"closed","by":"server","reason":"r"}"#),
            ),
            (
                format!(r#"{{"type":"closed","by":{}"server"{},"reason":"r"}}"#, "[".repeat(200), "]".repeat(200)),
                None,
            ),
        ];
        // The sequence form serde accepts for structs: the tag, then the fields in order.
        cases.extend([
            (
                r#"["closed","server","r"]"#.to_string(),
                s(r#"{"type":"closed","by":"server","reason":"r"}"#),
            ),
            (
                r#"["error","limit","m"]"#.to_string(),
                s(r#"{"type":"error","code":"limit","message":"m"}"#),
            ),
            (
                r#"["error","limit","m",true]"#.to_string(),
                s(r#"{"type":"error","code":"limit","message":"m","retrying":true}"#),
            ),
            (
                r#"["connected","p",null,5]"#.to_string(),
                s(r#"{"type":"connected","peer":"p","connect_ms":5}"#),
            ),
            (r#"["closed","server"]"#.to_string(), None),
            (r#"["closed","server","r",1]"#.to_string(), None),
            (r#"["error","limit","m",true,1]"#.to_string(), None),
            (r#"["closed",1,"r"]"#.to_string(), None),
            (r#"["bye"]"#.to_string(), None),
            (r#"[1]"#.to_string(), None),
        ]);
        cases
    }

    /// Every variant is among the cases; the exhaustive match stops compiling when a variant
    /// is added, as a reminder to add it to these cases.
    #[test]
    fn every_variant_is_read() {
        let mut seen = [false; 7];
        for (input, _) in cases() {
            if let Ok(frame) = serde_json::from_str::<RelayFrame>(&input) {
                let i = match frame {
                    RelayFrame::Hello { .. } => 0,
                    RelayFrame::Connected { .. } => 1,
                    RelayFrame::Tls { .. } => 2,
                    RelayFrame::Resolved { .. } => 3,
                    RelayFrame::Closed { .. } => 4,
                    RelayFrame::Error { .. } => 5,
                    RelayFrame::Answer { .. } => 6,
                };
                seen[i] = true;
            }
        }
        assert_eq!(seen, [true; 7], "variants read from the cases");
    }

    #[test]
    fn relay_frames_are_read_as_before() {
        for (input, want) in cases() {
            let got = serde_json::from_str::<RelayFrame>(&input)
                .ok()
                .map(|f| serde_json::to_string(&f).unwrap_or_default());
            assert_eq!(
                got, want,
                "input {input}: parsed (left) vs expected (right)"
            );
        }
    }
}
