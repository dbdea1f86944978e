//! `connect`: the candidates of a target (policy-checked addresses), the attempts and TLS.

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use mailscope_core::relay::{ConnectAttempt, ErrorCode, RelayFrame, Target, TlsMode};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use super::conn::Conn;
use super::session::{fail, Failure, Session};

struct Candidate {
    addr: SocketAddr,
    /// Name for SNI and messages.
    name: String,
    mx: Option<String>,
}

impl Session {
    async fn candidates(&mut self, target: &Target) -> Result<Vec<Candidate>, Failure> {
        let policy = &self.relay.config.policy;
        match target {
            Target::Sandbox { .. } => match self.relay.config.sandbox {
                Some(addr) => Ok(vec![Candidate {
                    addr,
                    name: "localhost".into(),
                    mx: None,
                }]),
                None => Err(fail(
                    ErrorCode::SandboxUnavailable,
                    "the sandbox SMTP server is not running: this mailscope serve was started with --no-sandbox. Restart it without --no-sandbox (`mailscope serve`), or with `cargo xtask run`, to use the sandbox",
                )),
            },
            Target::Host { host, port } => {
                let allowed = policy.target_allowed(host, *port);
                if !allowed {
                    policy
                        .check_port(*port)
                        .map_err(|m| fail(ErrorCode::PolicyDenied, m))?;
                }
                let ips = self
                    .relay
                    .dns
                    .addresses(host)
                    .await
                    .map_err(|e| fail(ErrorCode::DnsFailed, e.0))?;
                let mut out = Vec::new();
                let mut denied = Vec::new();
                for ip in ips {
                    match self.check_addr(allowed, ip) {
                        Ok(()) => out.push(Candidate {
                            addr: SocketAddr::new(ip, *port),
                            name: crate::policy::normalize_host(host),
                            mx: None,
                        }),
                        Err(m) => denied.push(m),
                    }
                }
                if out.is_empty() {
                    return Err(fail(
                        ErrorCode::PolicyDenied,
                        format!("{host}: {}", denied.join("; ")),
                    ));
                }
                Ok(out)
            }
            Target::Mx { mx } => {
                let port = self.relay.config.mx_port;
                let set = self
                    .relay
                    .dns
                    .mx(mx)
                    .await
                    .map_err(|e| fail(ErrorCode::DnsFailed, e.0))?;
                let mut out = Vec::new();
                let mut denied = Vec::new();
                for record in set.records {
                    let allowed = policy.target_allowed(&record.exchange, port);
                    for a in &record.addresses {
                        let Ok(ip) = a.parse::<IpAddr>() else { continue };
                        match self.check_addr(allowed, ip) {
                            Ok(()) => out.push(Candidate {
                                addr: SocketAddr::new(ip, port),
                                name: record.exchange.clone(),
                                mx: Some(record.exchange.clone()),
                            }),
                            Err(m) => denied.push(format!("{}: {m}", record.exchange)),
                        }
                    }
                }
                if out.is_empty() {
                    return Err(if denied.is_empty() {
                        fail(
                            ErrorCode::DnsFailed,
                            format!("no mail exchanger of {mx} has an address"),
                        )
                    } else {
                        fail(ErrorCode::PolicyDenied, denied.join("; "))
                    });
                }
                Ok(out)
            }
        }
    }

    fn check_addr(&self, allowed: bool, ip: IpAddr) -> Result<(), String> {
        if allowed {
            Ok(())
        } else {
            self.relay.config.policy.check_addr(ip)
        }
    }

    pub(super) async fn connect(
        &mut self,
        target: &Target,
        tls: TlsMode,
        sni: Option<String>,
    ) -> Result<(), Failure> {
        tracing::info!(session = self.id, event = "connect", target = ?target, tls = ?tls, "connect requested");
        let mut candidates = self.candidates(target).await?;
        let limits = self.relay.config.limits.clone();
        // Postfix's `smtp_mx_address_limit`: a domain with many exchangers and addresses must
        // not turn one frame into hundreds of connection attempts.
        let left_out = candidates.len().saturating_sub(limits.connect_addresses);
        candidates.truncate(limits.connect_addresses);
        let total = candidates.len();
        // Reported in `connected` for `{mx}` targets and names with several addresses.
        let report_attempts = total > 1 || matches!(target, Target::Mx { .. });
        let mut attempts: Vec<ConnectAttempt> = Vec::new();
        let mut failures = Vec::new();
        for (i, c) in candidates.into_iter().enumerate() {
            // Every attempt counts against the connects-per-minute limit, not just the frame.
            if let Err(message) = self.relay.take_connect() {
                let tried = if i == 0 {
                    String::new()
                } else {
                    format!(" ({i} of {total} addresses tried: {})", failures.join("; "))
                };
                return Err(fail(ErrorCode::Limit, format!("{message}{tried}")));
            }
            let started = Instant::now();
            let result =
                tokio::time::timeout(limits.connect_timeout, TcpStream::connect(c.addr)).await;
            let err = match result {
                Ok(Ok(stream)) => {
                    let _ = stream.set_nodelay(true);
                    let connect_ms = started.elapsed().as_millis() as u64;
                    tracing::info!(session = self.id, event = "connected", peer = %c.addr, ms = connect_ms, "connected");
                    if report_attempts {
                        attempts.push(ConnectAttempt {
                            mx: c.mx.clone(),
                            address: c.addr.to_string(),
                            ms: connect_ms,
                            error: None,
                        });
                    } else {
                        attempts.clear();
                    }
                    self.server_name = sni.clone().unwrap_or(c.name.clone());
                    let conn = match tls {
                        TlsMode::None => Conn::Plain(stream),
                        TlsMode::Implicit => {
                            let (tls_stream, frame) = self.handshake(stream).await?;
                            if !self
                                .send(&RelayFrame::Connected {
                                    peer: c.addr.to_string(),
                                    mx: c.mx.clone(),
                                    connect_ms,
                                    attempts,
                                })
                                .await
                            {
                                return Ok(());
                            }
                            self.conn = Some(Conn::Tls(Box::new(tls_stream)));
                            self.send(&frame).await;
                            return Ok(());
                        }
                    };
                    self.conn = Some(conn);
                    self.send(&RelayFrame::Connected {
                        peer: c.addr.to_string(),
                        mx: c.mx,
                        connect_ms,
                        attempts,
                    })
                    .await;
                    return Ok(());
                }
                Ok(Err(e)) => super::conn::socket_error_words(&e).to_string(),
                Err(_) => format!("no answer within {} s", limits.connect_timeout.as_secs()),
            };
            attempts.push(ConnectAttempt {
                mx: c.mx.clone(),
                address: c.addr.to_string(),
                ms: started.elapsed().as_millis() as u64,
                error: Some(err.clone()),
            });
            let err = format!("{} ({}): {err}", c.name, c.addr);
            failures.push(err.clone());
            if i + 1 < total {
                let message = format!(
                    "attempt {} of {total} failed: {err}; trying the next address",
                    i + 1
                );
                if !self.report(ErrorCode::ConnectFailed, message, true).await {
                    return Ok(());
                }
            }
        }
        let capped = if left_out > 0 {
            format!(
                " ({left_out} more addresses were not tried: the relay tries at most {} per connect, --connect-addresses)",
                limits.connect_addresses
            )
        } else {
            String::new()
        };
        Err(fail(
            ErrorCode::ConnectFailed,
            format!(
                "could not connect: {}{capped}. Check the host and port, or whether a firewall blocks outgoing SMTP (many networks block port 25)",
                failures.join("; ")
            ),
        ))
    }

    pub(super) async fn handshake(
        &mut self,
        stream: TcpStream,
    ) -> Result<(TlsStream<TcpStream>, RelayFrame), Failure> {
        let limits = &self.relay.config.limits;
        let name = self.server_name.clone();
        match tokio::time::timeout(
            limits.handshake_timeout,
            crate::tls::connect(&self.relay.trust, &name, stream),
        )
        .await
        {
            Ok(Ok((s, frame))) => {
                if let RelayFrame::Tls {
                    version, verified, ..
                } = &frame
                {
                    tracing::info!(session = self.id, event = "tls", %version, verified, "TLS established");
                }
                Ok((s, frame))
            }
            Ok(Err(message)) => Err(fail(ErrorCode::TlsFailed, message)),
            Err(_) => Err(fail(
                ErrorCode::Timeout,
                format!(
                    "the TLS handshake took longer than {} s",
                    limits.handshake_timeout.as_secs()
                ),
            )),
        }
    }
}
