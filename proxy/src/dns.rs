//! DNS for the relay and `mailscope mx`: MX lookups with the implicit-MX fallback of
//! [RFC 5321 §5.1](https://www.rfc-editor.org/rfc/rfc5321#section-5.1) and address lookups, via
//! hickory-resolver (the system's resolver configuration, or `--dns ADDR`).

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::proto::xfer::Protocol;
use hickory_resolver::{ResolveError, TokioResolver};
use mailscope_core::auth::zone::Zone;
use mailscope_core::auth::{Check, Report};
use mailscope_core::relay::MxRecord;

/// How long one DNS query may take before it is retried or given up.
pub const DNS_TIMEOUT: Duration = Duration::from_secs(5);

/// Most MX records used from one answer (Postfix's `smtp_mxaddr_limit` is 5 addresses, its
/// `smtp_mx_session_limit` 2 sessions; the answer is shown whole up to this bound).
pub const MAX_MX_RECORDS: usize = 16;

/// Why a lookup failed, worded for people, and whether the DNS answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsError(pub String, pub Failure);

/// The kind of a [`DnsError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The DNS answered and the answer says no mail can go there (NXDOMAIN, null MX, no
    /// address): a defect of the domain.
    Answer,
    /// No usable answer (timeout, SERVFAIL, refused, unreachable resolver): the lookup could
    /// not be done.
    Lookup,
}

impl DnsError {
    fn answer(message: String) -> DnsError {
        DnsError(message, Failure::Answer)
    }
}

impl std::fmt::Display for DnsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DnsError {}

/// The result of an MX lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MxSet {
    /// Records by preference (ties keep the server's order), each with its addresses.
    pub records: Vec<MxRecord>,
    /// True when the domain had no MX records and is its own mail exchanger (RFC 5321 §5.1).
    pub implicit: bool,
}

/// A resolver.
#[derive(Clone)]
pub struct Dns {
    resolver: TokioResolver,
}

impl std::fmt::Debug for Dns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Dns")
    }
}

/// Parses `--dns`: an address with or without a port (53 by default).
pub fn parse_server(s: &str) -> Result<SocketAddr, String> {
    if let Ok(addr) = s.parse::<SocketAddr>() {
        return Ok(addr);
    }
    let bare = s.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>()
        .map(|ip| SocketAddr::new(ip, 53))
        .map_err(|_| format!("{s:?} is not an address like 127.0.0.1, 127.0.0.1:5353 or [::1]:53"))
}

/// Whether `err` is a real "no such records" answer (NOERROR without data, or NXDOMAIN): hickory
/// also reports a SERVFAIL or REFUSED answer as `NoRecordsFound`, which says nothing about the
/// domain.
fn answered_empty(err: &ResolveError) -> bool {
    use hickory_resolver::proto::op::ResponseCode;
    use hickory_resolver::proto::ProtoErrorKind;
    match err.proto().map(|p| p.kind()) {
        Some(ProtoErrorKind::NoRecordsFound { response_code, .. }) => {
            matches!(
                response_code,
                ResponseCode::NoError | ResponseCode::NXDomain
            )
        }
        _ => false,
    }
}

/// Why a lookup got no usable answer, as a person can act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NoAnswer {
    /// Nothing came back in time.
    Timeout,
    /// The server answered SERVFAIL: it could not resolve the name itself.
    ServerFailure,
    /// The server answered REFUSED: it does not serve this client or this name.
    Refused,
    /// No DNS server could be reached (none configured, or the network refused).
    Unreachable,
    /// Any other failure of the exchange.
    Other,
}

fn no_answer(err: &ResolveError) -> NoAnswer {
    use hickory_resolver::proto::op::ResponseCode;
    use hickory_resolver::proto::ProtoErrorKind;
    match err.proto().map(|p| p.kind()) {
        Some(ProtoErrorKind::Timeout) => NoAnswer::Timeout,
        Some(ProtoErrorKind::NoRecordsFound { response_code, .. }) => match *response_code {
            ResponseCode::ServFail => NoAnswer::ServerFailure,
            ResponseCode::Refused => NoAnswer::Refused,
            _ => NoAnswer::Other,
        },
        Some(ProtoErrorKind::Io(e)) if e.kind() == std::io::ErrorKind::TimedOut => {
            NoAnswer::Timeout
        }
        Some(ProtoErrorKind::Io(_) | ProtoErrorKind::NoConnections | ProtoErrorKind::Busy) => {
            NoAnswer::Unreachable
        }
        _ => NoAnswer::Other,
    }
}

/// A failed lookup in words a person can act on: never the resolver library's text, and no
/// command-line flag (the page shows these too; the CLI adds its own hint, [`Failure::Lookup`]).
fn describe(err: &ResolveError, what: &str, name: &str) -> DnsError {
    if answered_empty(err) {
        return if err.is_nx_domain() {
            DnsError::answer(format!(
                "{name} does not exist (NXDOMAIN): check the spelling of the domain"
            ))
        } else {
            DnsError::answer(format!("{name} has no {what} records"))
        };
    }
    let message = match no_answer(err) {
        NoAnswer::Timeout => format!(
            "the {what} lookup of {name} got no answer in time: the DNS server did not reply. Try again in a moment; if it keeps happening, the DNS server is down or unreachable"
        ),
        NoAnswer::ServerFailure => format!(
            "the DNS server could not resolve {name} ({what} lookup answered SERVFAIL): the domain's own DNS servers may be down or misconfigured (a broken DNSSEC chain does this too). Try again later; if it persists, the fault is in the domain's DNS"
        ),
        NoAnswer::Refused => format!(
            "the DNS server refused the {what} lookup of {name} (REFUSED): it does not answer this client or this name. Use a resolver that serves you"
        ),
        NoAnswer::Unreachable => format!(
            "no DNS server could be reached for the {what} lookup of {name}: none is configured, or the network refused the connection. Check the resolver's address"
        ),
        NoAnswer::Other => format!(
            "the {what} lookup of {name} failed: the DNS server's answer could not be used. Try again, or use another resolver"
        ),
    };
    DnsError(message, Failure::Lookup)
}

/// The command line's hint for a lookup that could not be done (the page has no flags).
pub const CLI_RESOLVER_HINT: &str =
    "to ask another resolver, pass --dns ADDR (for example --dns 127.0.0.1:5353)";

impl Dns {
    /// A resolver using `server` over UDP (and TCP for truncated answers), or the system's
    /// configuration when `None`.
    pub fn new(server: Option<SocketAddr>) -> Result<Dns, String> {
        let mut builder = match server {
            Some(addr) => {
                let mut config = ResolverConfig::new();
                config.add_name_server(NameServerConfig::new(addr, Protocol::Udp));
                config.add_name_server(NameServerConfig::new(addr, Protocol::Tcp));
                TokioResolver::builder_with_config(config, TokioConnectionProvider::default())
            }
            None => match TokioResolver::builder_tokio() {
                Ok(builder) => builder,
                Err(e) => {
                    // Start anyway: the sandbox and IP literals still work; lookups will fail
                    // with a message naming --dns.
                    tracing::warn!(error = %e, "cannot read the system's DNS configuration; MX and name lookups need --dns ADDR");
                    TokioResolver::builder_with_config(
                        ResolverConfig::new(),
                        TokioConnectionProvider::default(),
                    )
                }
            },
        };
        let opts: &mut ResolverOpts = builder.options_mut();
        opts.timeout = DNS_TIMEOUT;
        opts.attempts = 1;
        opts.cache_size = 0;
        opts.ndots = 0;
        Ok(Dns {
            resolver: builder.build(),
        })
    }

    /// The IPv4 and IPv6 addresses of `host` (an IP literal is returned as is).
    pub async fn addresses(&self, host: &str) -> Result<Vec<IpAddr>, DnsError> {
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = bare.parse::<IpAddr>() {
            return Ok(vec![ip]);
        }
        let fqdn = absolute(host);
        match self.resolver.lookup_ip(fqdn.as_str()).await {
            Ok(lookup) => {
                let ips: Vec<IpAddr> = lookup.iter().collect();
                if ips.is_empty() {
                    Err(DnsError::answer(format!("{host} has no A or AAAA records")))
                } else {
                    Ok(ips)
                }
            }
            Err(e) => Err(describe(&e, "A/AAAA", host)),
        }
    }

    /// The answer to one of the message-authentication checks' queries (`mailscope auth`):
    /// the records, NXDOMAIN, "no records" (NOERROR without data), or why there is no answer.
    pub async fn answer(
        &self,
        query: &mailscope_core::auth::Query,
    ) -> mailscope_core::auth::Answer {
        use hickory_resolver::proto::rr::{RData, RecordType as Rt};
        use mailscope_core::auth::{Answer, Record, RecordType};
        let rtype = match query.rtype {
            RecordType::A => Rt::A,
            RecordType::Aaaa => Rt::AAAA,
            RecordType::Mx => Rt::MX,
            RecordType::Txt => Rt::TXT,
            RecordType::Ptr => Rt::PTR,
        };
        let name =
            |n: &hickory_resolver::proto::rr::Name| n.to_ascii().trim_end_matches('.').to_string();
        match self
            .resolver
            .lookup(absolute(&query.name).as_str(), rtype)
            .await
        {
            Ok(lookup) => Answer::Records(
                lookup
                    .iter()
                    .filter_map(|r| match r {
                        RData::A(a) => Some(Record::A(a.0)),
                        RData::AAAA(a) => Some(Record::Aaaa(a.0)),
                        RData::MX(mx) => Some(Record::Mx {
                            preference: mx.preference(),
                            exchange: name(mx.exchange()),
                        }),
                        RData::TXT(txt) => Some(Record::Txt(txt.txt_data().concat())),
                        RData::PTR(ptr) => Some(Record::Ptr(name(&ptr.0))),
                        _ => None,
                    })
                    .collect(),
            ),
            Err(e) if answered_empty(&e) && e.is_nx_domain() => Answer::Nxdomain,
            Err(e) if answered_empty(&e) => Answer::Records(Vec::new()),
            Err(e) => Answer::Error(e.to_string()),
        }
    }

    /// The MX set of `domain`: records by preference with their addresses, or the implicit MX.
    pub async fn mx(&self, domain: &str) -> Result<MxSet, DnsError> {
        let fqdn = absolute(domain);
        match self.resolver.mx_lookup(fqdn.as_str()).await {
            Ok(lookup) => {
                let mut mxs: Vec<(u16, String)> = lookup
                    .iter()
                    .map(|mx| {
                        let name = mx.exchange().to_ascii();
                        (mx.preference(), name.trim_end_matches('.').to_string())
                    })
                    .take(MAX_MX_RECORDS)
                    .collect();
                mxs.sort_by_key(|(pref, _)| *pref);
                if mxs.len() == 1 && mxs[0].1.is_empty() {
                    return Err(DnsError::answer(format!(
                        "{domain} publishes a null MX (RFC 7505): it accepts no mail"
                    )));
                }
                if mxs.is_empty() {
                    return self.implicit(domain).await;
                }
                let mut records = Vec::new();
                for (preference, exchange) in mxs {
                    let addresses = match self.addresses(&exchange).await {
                        Ok(ips) => ips.iter().map(IpAddr::to_string).collect(),
                        Err(_) => Vec::new(),
                    };
                    records.push(MxRecord {
                        preference,
                        exchange,
                        addresses,
                    });
                }
                Ok(MxSet {
                    records,
                    implicit: false,
                })
            }
            Err(e) if answered_empty(&e) && !e.is_nx_domain() => self.implicit(domain).await,
            Err(e) => Err(describe(&e, "MX", domain)),
        }
    }

    async fn implicit(&self, domain: &str) -> Result<MxSet, DnsError> {
        let ips = self.addresses(domain).await.map_err(|e| {
            DnsError(
                format!(
                    "{domain} has no MX records and no address to use as implicit MX (RFC 5321 §5.1): {e}"
                ),
                e.1,
            )
        })?;
        Ok(MxSet {
            records: vec![MxRecord {
                preference: 0,
                exchange: domain.trim_end_matches('.').to_string(),
                addresses: ips.iter().map(IpAddr::to_string).collect(),
            }],
            implicit: true,
        })
    }
}

/// `name` with a trailing dot, so no search domain is appended.
fn absolute(name: &str) -> String {
    if name.ends_with('.') {
        name.to_string()
    } else {
        format!("{name}.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_server_flag() {
        for (input, want) in [
            ("127.0.0.1", Some("127.0.0.1:53")),
            ("127.0.0.1:5353", Some("127.0.0.1:5353")),
            ("::1", Some("[::1]:53")),
            ("[::1]:5353", Some("[::1]:5353")),
            ("dns.example", None),
            ("", None),
        ] {
            let got = parse_server(input).ok().map(|a| a.to_string());
            assert_eq!(got.as_deref(), want, "{input:?}");
        }
    }
}

/// Where the message-authentication checks get their answers.
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// Records of a zone file (a name not there is NXDOMAIN).
    Zone(&'a Zone),
    /// A resolver.
    Dns(&'a Dns),
}

/// Most rounds of queries answered before giving up (each round answers every pending query;
/// SPF's limits keep real checks far below this).
pub const MAX_ROUNDS: usize = 200;

/// Runs `check` to its report, answering each round of its queries from `source`; `Err` when
/// the checks still ask after [`MAX_ROUNDS`] rounds (records that form a loop).
pub async fn run_check(check: &mut Check, source: Source<'_>) -> Result<Report, String> {
    for _ in 0..MAX_ROUNDS {
        if let Some(report) = check.poll_report() {
            return Ok(report);
        }
        for query in check.poll_queries() {
            let answer = match source {
                Source::Zone(z) => z.answer(&query),
                Source::Dns(d) => d.answer(&query).await,
            };
            check.handle_answer(query, answer);
        }
    }
    check.poll_report().ok_or_else(|| {
        format!("the checks asked more than {MAX_ROUNDS} rounds of DNS queries; the records may form a loop")
    })
}
