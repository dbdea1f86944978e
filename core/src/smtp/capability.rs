//! Service extensions offered in the EHLO reply
//! ([RFC 5321 §4.1.1.1](https://www.rfc-editor.org/rfc/rfc5321#section-4.1.1.1)).
//!
//! ```text
//! ehlo-ok-rsp = ( "250" SP Domain [ SP ehlo-greet ] CRLF )
//!             / ( "250-" Domain [ SP ehlo-greet ] CRLF
//!                 *( "250-" ehlo-line CRLF )
//!                 "250" SP ehlo-line CRLF )
//! ehlo-line   = ehlo-keyword *( SP ehlo-param )
//! ```
//!
//! [`Capabilities::from_reply`] turns a parsed EHLO [`Reply`] into a typed set: the first line
//! (the server's domain and greeting) apart, then one [`Capability`] per keyword line, each with
//! an explanation and its RFC. Unknown keywords are kept with their parameters. At most
//! [`MAX_CAPABILITIES`] entries are kept.

use crate::lint::msg;
use serde::{Deserialize, Serialize};

use crate::lint::Lint;
use crate::smtp::lints;
use crate::smtp::reply::Reply;
use crate::span::Span;

/// Most capability lines kept from one EHLO reply (the reply itself is limited to
/// [`crate::smtp::reply::MAX_REPLY_LINES`] lines; real servers send a dozen or two).
pub const MAX_CAPABILITIES: usize = 100;
/// Most parameters kept per keyword (for example AUTH mechanisms).
pub const MAX_CAPABILITY_PARAMS: usize = 32;

/// One service extension offered by the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "keyword")]
pub enum Capability {
    /// `PIPELINING`: the client may send groups of commands without waiting (RFC 2920).
    #[serde(rename = "PIPELINING")]
    Pipelining,
    /// `SIZE [n]`: message size declaration and the server's limit (RFC 1870).
    #[serde(rename = "SIZE")]
    Size {
        /// The largest message accepted, in octets; `None` when not given, 0 for no fixed limit.
        limit: Option<u64>,
    },
    /// `8BITMIME`: 8-bit MIME content may be sent with BODY=8BITMIME (RFC 6152).
    #[serde(rename = "8BITMIME")]
    EightBitMime,
    /// `STARTTLS`: the connection can be upgraded to TLS (RFC 3207).
    #[serde(rename = "STARTTLS")]
    StartTls,
    /// `AUTH mech…` (or the pre-standard `AUTH=mech…`): SASL authentication (RFC 4954).
    #[serde(rename = "AUTH")]
    Auth {
        /// Offered SASL mechanisms, upper-cased, in order.
        mechanisms: Vec<String>,
        /// Whether this came from the obsolete `AUTH=` form sent for old Outlook clients.
        legacy: bool,
    },
    /// `ENHANCEDSTATUSCODES`: replies carry RFC 3463 codes (RFC 2034).
    #[serde(rename = "ENHANCEDSTATUSCODES")]
    EnhancedStatusCodes,
    /// `SMTPUTF8`: UTF-8 addresses and headers (RFC 6531).
    #[serde(rename = "SMTPUTF8")]
    SmtpUtf8,
    /// `CHUNKING`: BDAT may be used instead of DATA (RFC 3030).
    #[serde(rename = "CHUNKING")]
    Chunking,
    /// `DSN`: delivery status notification parameters NOTIFY, ORCPT, RET, ENVID (RFC 3461).
    #[serde(rename = "DSN")]
    Dsn,
    /// `BINARYMIME`: binary content with BODY=BINARYMIME over BDAT (RFC 3030).
    #[serde(rename = "BINARYMIME")]
    BinaryMime,
    /// `REQUIRETLS`: the message may demand TLS on every hop (RFC 8689).
    #[serde(rename = "REQUIRETLS")]
    RequireTls,
    /// `DELIVERBY [n]`: delivery deadlines with BY= (RFC 2852).
    #[serde(rename = "DELIVERBY")]
    DeliverBy {
        /// The minimum BY time in seconds the server accepts, if given.
        min_seconds: Option<u64>,
    },
    /// `VRFY`: the server answers VRFY (RFC 5321 §4.1.1.6).
    #[serde(rename = "VRFY")]
    Vrfy,
    /// `EXPN`: the server answers EXPN (RFC 5321 §4.1.1.7).
    #[serde(rename = "EXPN")]
    Expn,
    /// `ETRN`: remote queue starting (RFC 1985).
    #[serde(rename = "ETRN")]
    Etrn,
    /// `HELP`: the server answers HELP (RFC 5321 §4.1.1.8).
    #[serde(rename = "HELP")]
    Help,
    /// A keyword this parser does not know, kept with its parameters.
    #[serde(rename = "unknown")]
    Unknown {
        /// The keyword as sent.
        name: String,
        /// Its parameters, split on spaces.
        params: Vec<String>,
    },
}

/// The kinds of [`Capability`], for [`Capabilities::has`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum Extension {
    Pipelining,
    Size,
    EightBitMime,
    StartTls,
    Auth,
    EnhancedStatusCodes,
    SmtpUtf8,
    Chunking,
    Dsn,
    BinaryMime,
    RequireTls,
    DeliverBy,
    Vrfy,
    Expn,
    Etrn,
    Help,
}

impl Capability {
    /// Which extension this is; `None` for unknown keywords.
    pub fn extension(&self) -> Option<Extension> {
        Some(match self {
            Capability::Pipelining => Extension::Pipelining,
            Capability::Size { .. } => Extension::Size,
            Capability::EightBitMime => Extension::EightBitMime,
            Capability::StartTls => Extension::StartTls,
            Capability::Auth { .. } => Extension::Auth,
            Capability::EnhancedStatusCodes => Extension::EnhancedStatusCodes,
            Capability::SmtpUtf8 => Extension::SmtpUtf8,
            Capability::Chunking => Extension::Chunking,
            Capability::Dsn => Extension::Dsn,
            Capability::BinaryMime => Extension::BinaryMime,
            Capability::RequireTls => Extension::RequireTls,
            Capability::DeliverBy { .. } => Extension::DeliverBy,
            Capability::Vrfy => Extension::Vrfy,
            Capability::Expn => Extension::Expn,
            Capability::Etrn => Extension::Etrn,
            Capability::Help => Extension::Help,
            Capability::Unknown { .. } => return None,
        })
    }

    /// The keyword as advertised.
    pub fn keyword(&self) -> &str {
        match self {
            Capability::Pipelining => "PIPELINING",
            Capability::Size { .. } => "SIZE",
            Capability::EightBitMime => "8BITMIME",
            Capability::StartTls => "STARTTLS",
            Capability::Auth { .. } => "AUTH",
            Capability::EnhancedStatusCodes => "ENHANCEDSTATUSCODES",
            Capability::SmtpUtf8 => "SMTPUTF8",
            Capability::Chunking => "CHUNKING",
            Capability::Dsn => "DSN",
            Capability::BinaryMime => "BINARYMIME",
            Capability::RequireTls => "REQUIRETLS",
            Capability::DeliverBy { .. } => "DELIVERBY",
            Capability::Vrfy => "VRFY",
            Capability::Expn => "EXPN",
            Capability::Etrn => "ETRN",
            Capability::Help => "HELP",
            Capability::Unknown { name, .. } => name,
        }
    }

    /// What the extension lets the client do.
    pub fn explain(&self) -> &'static str {
        match self {
            Capability::Pipelining => "the client may send several commands (MAIL, RCPT…, DATA) in one go and read the replies afterwards",
            Capability::Size { .. } => "the client may declare the message size with MAIL FROM … SIZE=n; the number is the largest message accepted (0: no fixed limit)",
            Capability::EightBitMime => "the client may send 8-bit MIME content when it declares BODY=8BITMIME",
            Capability::StartTls => "the client may upgrade the connection to TLS with STARTTLS, then must say EHLO again",
            Capability::Auth { .. } => "the client may authenticate with AUTH and one of the listed SASL mechanisms",
            Capability::EnhancedStatusCodes => "replies start with an RFC 3463 enhanced status code such as 5.1.1",
            Capability::SmtpUtf8 => "UTF-8 is allowed in addresses and headers when MAIL FROM carries SMTPUTF8",
            Capability::Chunking => "the client may send the message in BDAT chunks of stated size instead of DATA",
            Capability::Dsn => "the client may ask for delivery status notifications with NOTIFY, ORCPT, RET and ENVID",
            Capability::BinaryMime => "the client may send binary MIME content with BODY=BINARYMIME over BDAT",
            Capability::RequireTls => "the client may demand with MAIL FROM … REQUIRETLS that every hop uses verified TLS",
            Capability::DeliverBy { .. } => "the client may set a delivery deadline with MAIL FROM … BY=",
            Capability::Vrfy => "the server answers VRFY",
            Capability::Expn => "the server answers EXPN",
            Capability::Etrn => "the client may ask the server to flush its queue for a domain with ETRN",
            Capability::Help => "the server answers HELP",
            Capability::Unknown { .. } => "an extension this explorer does not know; it is kept as sent",
        }
    }

    /// The RFC section defining the extension.
    pub fn reference(&self) -> &'static str {
        match self {
            Capability::Pipelining => "RFC 2920 §3",
            Capability::Size { .. } => "RFC 1870 §3",
            Capability::EightBitMime => "RFC 6152 §2",
            Capability::StartTls => "RFC 3207 §4",
            Capability::Auth { .. } => "RFC 4954 §3",
            Capability::EnhancedStatusCodes => "RFC 2034 §3",
            Capability::SmtpUtf8 => "RFC 6531 §3.1",
            Capability::Chunking => "RFC 3030 §2",
            Capability::Dsn => "RFC 3461 §4",
            Capability::BinaryMime => "RFC 3030 §3",
            Capability::RequireTls => "RFC 8689 §4",
            Capability::DeliverBy { .. } => "RFC 2852 §4",
            Capability::Vrfy => "RFC 5321 §4.1.1.6",
            Capability::Expn => "RFC 5321 §4.1.1.7",
            Capability::Etrn => "RFC 1985 §3",
            Capability::Help => "RFC 5321 §4.1.1.8",
            Capability::Unknown { .. } => "RFC 5321 §4.1.1.1",
        }
    }
}

/// One capability with where it was advertised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapabilityEntry {
    /// The typed capability.
    pub capability: Capability,
    /// The reply line it came from (span into the reply's input).
    pub span: Span,
    /// What it means (see [`Capability::explain`]).
    pub explanation: String,
    /// The RFC section defining it.
    pub reference: String,
}

/// The extensions a server offered in its EHLO reply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capabilities {
    /// The domain the server names on the first line.
    pub domain: String,
    /// The rest of the first line (the greeting text), if any.
    pub greeting: String,
    /// The keyword lines, in order.
    pub entries: Vec<CapabilityEntry>,
    /// Defects in the reply's keyword lines.
    pub lints: Vec<Lint>,
}

impl Capabilities {
    /// Reads the capabilities from an EHLO reply. A reply that is not 250 offers nothing: the
    /// result then only carries the first line's text as greeting.
    pub fn from_reply(reply: &Reply) -> Capabilities {
        let mut caps = Capabilities::default();
        let Some((first, rest)) = reply.lines.split_first() else {
            return caps;
        };
        if reply.code != 250 {
            caps.greeting = first.text.clone();
            return caps;
        }
        let (domain, greeting) = first.text.split_once(' ').unwrap_or((&first.text, ""));
        caps.domain = domain.to_string();
        caps.greeting = greeting.to_string();
        for line in rest {
            if caps.entries.len() >= MAX_CAPABILITIES {
                caps.lints.push(lints::EHLO_INVALID.at(
                    line.span,
                    msg!(
                        "more than {MAX_CAPABILITIES} capability lines; the rest are ignored",
                        MAX_CAPABILITIES
                    ),
                ));
                break;
            }
            caps.add_line(&line.text, line.span);
        }
        caps
    }

    fn add_line(&mut self, text: &str, span: Span) {
        let mut words = text.split([' ', '\t']).filter(|w| !w.is_empty());
        let Some(first) = words.next() else {
            self.lints.push(
                lints::EHLO_INVALID
                    .at(span, msg!("empty EHLO line; each line names one extension")),
            );
            return;
        };
        let (keyword, eq_param) = match first.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (first, None),
        };
        let params: Vec<String> = eq_param
            .into_iter()
            .filter(|v| !v.is_empty())
            .chain(words)
            .take(MAX_CAPABILITY_PARAMS)
            .map(str::to_string)
            .collect();
        let valid_keyword = keyword
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
            && keyword
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !valid_keyword {
            self.lints.push(lints::EHLO_INVALID.at(
                span,
                msg!(
                    "{keyword} is not an EHLO keyword (letters, digits and '-')",
                    keyword = format_args!("{keyword:?}")
                ),
            ));
        }
        let upper = keyword.to_ascii_uppercase();
        let number = |p: &[String], what: &str, lints: &mut Vec<Lint>| -> Option<u64> {
            let v = p.first()?;
            match v.parse::<u64>() {
                Ok(n) if v.bytes().all(|b| b.is_ascii_digit()) => Some(n),
                _ => {
                    lints.push(lints::EHLO_INVALID.at(
                        span,
                        msg!(
                            "{what} takes a decimal number, not {v}",
                            what,
                            v = format_args!("{v:?}")
                        ),
                    ));
                    None
                }
            }
        };
        let no_params = |p: &[String], lints: &mut Vec<Lint>| {
            if !p.is_empty() {
                lints
                    .push(lints::EHLO_INVALID.at(span, msg!("{upper} takes no parameters", upper)));
            }
        };
        let capability = match upper.as_str() {
            "PIPELINING" => Capability::Pipelining,
            "SIZE" => Capability::Size {
                limit: number(&params, "SIZE", &mut self.lints),
            },
            "8BITMIME" => Capability::EightBitMime,
            "STARTTLS" => Capability::StartTls,
            "AUTH" => {
                let legacy = eq_param.is_some();
                let mechanisms: Vec<String> =
                    params.iter().map(|m| m.to_ascii_uppercase()).collect();
                if mechanisms.is_empty() {
                    self.lints
                        .push(lints::EHLO_INVALID.at(span, msg!("AUTH lists no SASL mechanism")));
                }
                // Merge `AUTH=…` (sent for old clients) with a standard `AUTH …` line.
                if let Some(Capability::Auth {
                    mechanisms: existing,
                    legacy: old_legacy,
                }) = self
                    .entries
                    .iter_mut()
                    .map(|e| &mut e.capability)
                    .find(|c| matches!(c, Capability::Auth { .. }))
                {
                    for m in mechanisms {
                        if !existing.contains(&m) && existing.len() < MAX_CAPABILITY_PARAMS {
                            existing.push(m);
                        }
                    }
                    *old_legacy = *old_legacy && legacy;
                    return;
                }
                Capability::Auth { mechanisms, legacy }
            }
            "ENHANCEDSTATUSCODES" => Capability::EnhancedStatusCodes,
            "SMTPUTF8" => Capability::SmtpUtf8,
            "CHUNKING" => Capability::Chunking,
            "DSN" => Capability::Dsn,
            "BINARYMIME" => Capability::BinaryMime,
            "REQUIRETLS" => Capability::RequireTls,
            "DELIVERBY" => Capability::DeliverBy {
                min_seconds: number(&params, "DELIVERBY", &mut self.lints),
            },
            "VRFY" => Capability::Vrfy,
            "EXPN" => Capability::Expn,
            "ETRN" => Capability::Etrn,
            "HELP" => Capability::Help,
            _ => Capability::Unknown {
                name: keyword.to_string(),
                params: params.clone(),
            },
        };
        if matches!(
            capability,
            Capability::Pipelining
                | Capability::EightBitMime
                | Capability::StartTls
                | Capability::EnhancedStatusCodes
                | Capability::SmtpUtf8
                | Capability::Chunking
                | Capability::Dsn
                | Capability::BinaryMime
                | Capability::RequireTls
        ) {
            no_params(&params, &mut self.lints);
        }
        if let Some(ext) = capability.extension() {
            if self.has(ext) {
                self.lints
                    .push(lints::EHLO_INVALID.at(span, msg!("{upper} is advertised twice", upper)));
                return;
            }
        }
        self.entries.push(CapabilityEntry {
            explanation: capability.explain().to_string(),
            reference: capability.reference().to_string(),
            capability,
            span,
        });
    }

    /// Whether the server offered `ext`.
    pub fn has(&self, ext: Extension) -> bool {
        self.get(ext).is_some()
    }

    /// The capability of kind `ext`, if offered.
    pub fn get(&self, ext: Extension) -> Option<&Capability> {
        self.entries
            .iter()
            .map(|e| &e.capability)
            .find(|c| c.extension() == Some(ext))
    }

    /// Whether the server offered a keyword (case-insensitive), known or not.
    pub fn has_keyword(&self, keyword: &str) -> bool {
        self.entries
            .iter()
            .any(|e| e.capability.keyword().eq_ignore_ascii_case(keyword))
    }

    /// The advertised SIZE limit; `None` when SIZE is absent, has no number or is 0 (no fixed
    /// limit, RFC 1870 §3).
    pub fn size_limit(&self) -> Option<u64> {
        match self.get(Extension::Size) {
            Some(Capability::Size { limit: Some(n) }) if *n > 0 => Some(*n),
            _ => None,
        }
    }

    /// The offered SASL mechanisms (empty without AUTH).
    pub fn auth_mechanisms(&self) -> Vec<&str> {
        match self.get(Extension::Auth) {
            Some(Capability::Auth { mechanisms, .. }) => {
                mechanisms.iter().map(String::as_str).collect()
            }
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::smtp::reply::parse_reply;

    fn caps(input: &[u8]) -> Capabilities {
        let (reply, _) = parse_reply(input)
            .unwrap_or_else(|e| panic!("{input:?}: {e}"))
            .unwrap_or_else(|| panic!("{input:?}: incomplete"));
        Capabilities::from_reply(&reply)
    }

    #[test]
    fn every_capability() {
        let cases: &[(&str, Capability)] = &[
            ("PIPELINING", Capability::Pipelining),
            (
                "SIZE 10240000",
                Capability::Size {
                    limit: Some(10_240_000),
                },
            ),
            ("SIZE", Capability::Size { limit: None }),
            ("8BITMIME", Capability::EightBitMime),
            ("STARTTLS", Capability::StartTls),
            (
                "AUTH PLAIN login CRAM-MD5",
                Capability::Auth {
                    mechanisms: vec!["PLAIN".into(), "LOGIN".into(), "CRAM-MD5".into()],
                    legacy: false,
                },
            ),
            (
                "AUTH=LOGIN PLAIN",
                Capability::Auth {
                    mechanisms: vec!["LOGIN".into(), "PLAIN".into()],
                    legacy: true,
                },
            ),
            ("ENHANCEDSTATUSCODES", Capability::EnhancedStatusCodes),
            ("smtputf8", Capability::SmtpUtf8),
            ("CHUNKING", Capability::Chunking),
            ("DSN", Capability::Dsn),
            ("BINARYMIME", Capability::BinaryMime),
            ("REQUIRETLS", Capability::RequireTls),
            (
                "DELIVERBY 240",
                Capability::DeliverBy {
                    min_seconds: Some(240),
                },
            ),
            ("DELIVERBY", Capability::DeliverBy { min_seconds: None }),
            ("VRFY", Capability::Vrfy),
            ("EXPN", Capability::Expn),
            ("ETRN", Capability::Etrn),
            ("HELP", Capability::Help),
            (
                "X-EXPS GSSAPI NTLM",
                Capability::Unknown {
                    name: "X-EXPS".into(),
                    params: vec!["GSSAPI".into(), "NTLM".into()],
                },
            ),
        ];
        for (line, expected) in cases {
            let input = format!("250-mx.example.org Hello\r\n250 {line}\r\n");
            let c = caps(input.as_bytes());
            assert_eq!(c.domain, "mx.example.org");
            assert_eq!(c.greeting, "Hello");
            assert_eq!(c.entries.len(), 1, "entries for {line:?}: {:?}", c.entries);
            assert_eq!(&c.entries[0].capability, expected, "capability of {line:?}");
            assert!(c.lints.is_empty(), "lints for {line:?}: {:?}", c.lints);
            assert!(c.entries[0].reference.starts_with("RFC "));
            assert!(!c.entries[0].explanation.is_empty());
            if let Some(ext) = expected.extension() {
                assert!(c.has(ext), "has({ext:?}) for {line:?}");
            }
            assert!(c.has_keyword(expected.keyword()));
            assert_eq!(
                c.entries[0].span.slice(input.as_bytes()),
                format!("250 {line}\r\n").as_bytes()
            );
        }
    }

    #[test]
    fn a_real_ehlo_reply() {
        let c = caps(
            b"250-smtp.example.com at your service\r\n250-SIZE 35882577\r\n250-8BITMIME\r\n\
              250-AUTH LOGIN PLAIN XOAUTH2\r\n250-AUTH=LOGIN PLAIN\r\n250-ENHANCEDSTATUSCODES\r\n\
              250-PIPELINING\r\n250-CHUNKING\r\n250 SMTPUTF8\r\n",
        );
        assert_eq!(c.domain, "smtp.example.com");
        assert_eq!(c.size_limit(), Some(35_882_577));
        assert_eq!(c.auth_mechanisms(), ["LOGIN", "PLAIN", "XOAUTH2"]);
        assert!(c.has(Extension::Pipelining) && c.has(Extension::Chunking));
        assert!(!c.has(Extension::StartTls) && !c.has(Extension::Dsn));
        assert_eq!(c.entries.len(), 7, "AUTH= merges into AUTH");
        assert!(c.lints.is_empty(), "{:?}", c.lints);
    }

    #[test]
    fn single_line_and_failed_replies() {
        let c = caps(b"250 mx.example.org\r\n");
        assert_eq!((c.domain.as_str(), c.entries.len()), ("mx.example.org", 0));
        assert_eq!(c.size_limit(), None);
        assert!(c.auth_mechanisms().is_empty());
        let c = caps(b"502 5.5.1 EHLO not implemented\r\n");
        assert!(c.entries.is_empty() && c.domain.is_empty());
        assert_eq!(c.greeting, "5.5.1 EHLO not implemented");
        let c = caps(b"250-x\r\n250 SIZE 0\r\n");
        assert_eq!(c.size_limit(), None, "SIZE 0 means no fixed limit");
    }

    #[test]
    fn hostile_replies_never_panic() {
        let mut x: u64 = 0xDEAD_BEEF_CAFE_F00D;
        const WORDS: &[&str] = &[
            "AUTH",
            "AUTH=",
            "SIZE",
            "DELIVERBY",
            "PIPELINING",
            "=",
            " ",
            "\t",
            "99999999999999999999999",
            "-1",
            "\u{fffd}",
            "X-",
            "PLAIN",
            "8BITMIME",
        ];
        for _ in 0..2000 {
            let mut input = String::from("250-mx\r\n");
            let lines = x % 6;
            for _ in 0..=lines {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                input.push_str("250-");
                for k in 0..(x % 5) {
                    input.push_str(WORDS[((x >> (8 * k)) % WORDS.len() as u64) as usize]);
                }
                input.push_str("\r\n");
            }
            input.push_str("250 END\r\n");
            let c = caps(input.as_bytes());
            assert!(c.entries.len() <= MAX_CAPABILITIES);
            for e in &c.entries {
                assert!(e.span.end <= input.len(), "span of {e:?} in {input:?}");
            }
            let _ = (c.size_limit(), c.auth_mechanisms());
        }
    }

    #[test]
    fn defects_are_linted() {
        let cases: &[&str] = &[
            "SIZE big",
            "SIZE -1",
            "DELIVERBY soon",
            "PIPELINING yes",
            "AUTH",
            "_BAD",
            "",
        ];
        for line in cases {
            let input = format!("250-mx\r\n250 {line}\r\n");
            let c = caps(input.as_bytes());
            let codes: Vec<&str> = c.lints.iter().map(|l| &*l.code).collect();
            assert_eq!(codes, ["smtp.ehlo-invalid"], "lints of {line:?}");
        }
        let c = caps(b"250-mx\r\n250-SIZE 1\r\n250 SIZE 2\r\n");
        assert_eq!(c.size_limit(), Some(1), "first SIZE wins");
        assert_eq!(c.lints.len(), 1, "duplicate SIZE: {:?}", c.lints);
        let many = format!(
            "250-mx\r\n{}250 END\r\n",
            "250-X-A\r\n".repeat(MAX_CAPABILITIES + 5)
        );
        let c = caps(many.as_bytes());
        assert_eq!(c.entries.len(), MAX_CAPABILITIES);
        assert_eq!(c.lints.len(), 1);
    }
}
