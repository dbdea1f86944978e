//! Helpers for the relay tests: an in-process `mailscope serve`, fake mail servers and a tiny DNS
//! server, all on loopback. The WebSocket client speaking relay v1 is `mailscope-testkit`'s
//! (`mailscope_testkit::relay_client`), shared with the end-to-end tests.

#![allow(dead_code, unreachable_pub, unused_imports)]

pub mod sandbox;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use clap::Parser;
use mailscope_proxy::cli::{Cli, Command};
use mailscope_proxy::serve::Running;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};

pub const TOKEN: &str = "relay-test-token-0123456789abcdef";

/// Starts `mailscope serve` in this runtime with `extra` flags.
pub async fn serve(extra: &[&str]) -> Running {
    let ui = std::env::temp_dir().join(format!("mailscope-relay-test-ui-{}", std::process::id()));
    std::fs::create_dir_all(&ui).unwrap();
    std::fs::write(ui.join("index.html"), "<!doctype html><title>t</title>").unwrap();
    serve_ui(&ui, extra).await
}

/// A file holding [`TOKEN`], for `--token-file` (`--token` would warn that it shows in `ps`);
/// written once per test process, before any server reads it.
pub fn token_file() -> String {
    static FILE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    FILE.get_or_init(|| {
        let file =
            std::env::temp_dir().join(format!("mailscope-relay-test-token-{}", std::process::id()));
        std::fs::write(&file, TOKEN).unwrap();
        file.display().to_string()
    })
    .clone()
}

/// Starts `mailscope serve` in this runtime on the UI directory `ui` with `extra` flags.
pub async fn serve_ui(ui: &std::path::Path, extra: &[&str]) -> Running {
    let mut argv = vec![
        "mailscope".to_string(),
        "serve".into(),
        "--listen".into(),
        "127.0.0.1:0".into(),
        "--ui".into(),
        ui.display().to_string(),
        "--token-file".into(),
        token_file(),
    ];
    if !extra
        .iter()
        .any(|a| *a == "--sandbox" || *a == "--no-sandbox")
    {
        argv.extend(["--sandbox".to_string(), "127.0.0.1:0".to_string()]);
    }
    argv.extend(extra.iter().map(|s| s.to_string()));
    let cli = Cli::try_parse_from(argv).unwrap_or_else(|e| panic!("bad test flags: {e}"));
    let Command::Serve(args) = cli.command else {
        panic!("not serve")
    };
    mailscope_proxy::serve::start(*args)
        .await
        .expect("serve starts")
}

pub use mailscope_testkit::relay_client::{Event, Hello, RelayClient as Client, Ws, WAIT};

/// What this run's page sends to the relay at `addr`.
pub fn good_hello(addr: SocketAddr) -> Hello<'static> {
    Hello::page(addr, TOKEN)
}

/// Opens `/relay`; `Err(status)` when the upgrade is refused.
pub async fn open_with(addr: SocketAddr, hello: Hello<'_>) -> Result<Client, u16> {
    Client::open_with(addr, hello).await
}

/// Opens `/relay` properly and reads the `hello`.
pub async fn open(addr: SocketAddr) -> Client {
    Client::open_page(addr, TOKEN).await
}

/// A `connect` frame to `host:port` without TLS.
pub fn host(host: &str, port: u16) -> mailscope_core::relay::ClientFrame {
    use mailscope_core::relay::{ClientFrame, Target, TlsMode};
    ClientFrame::Connect {
        target: Target::Host {
            host: host.into(),
            port,
        },
        tls: TlsMode::None,
        sni: None,
    }
}

/// A loopback listener and the `--allow-target` flag for it.
pub async fn test_server() -> (TcpListener, String) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let target = l.local_addr().unwrap().to_string();
    (l, target)
}

/// A listener that counts accepted connections (for "no SYN was answered" checks).
pub struct Watchdog {
    pub addr: SocketAddr,
    pub accepted: Arc<AtomicUsize>,
}

impl Watchdog {
    pub async fn bind(ip: &str) -> Option<Watchdog> {
        let listener = TcpListener::bind((ip.parse::<IpAddr>().unwrap(), 0))
            .await
            .ok()?;
        let addr = listener.local_addr().unwrap();
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = accepted.clone();
        tokio::spawn(async move {
            while let Ok((_s, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
            }
        });
        Some(Watchdog { addr, accepted })
    }

    pub fn count(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

/// A self-signed certificate for `localhost` and 127.0.0.1: (tls acceptor, PEM of the cert).
pub fn tls_acceptor() -> (tokio_rustls::TlsAcceptor, String) {
    let (cert, key, pem) = mailscope_proxy::tls::self_signed(&["localhost", "127.0.0.1"]).unwrap();
    let key = rustls::pki_types::PrivateKeyDer::try_from(key).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert], key)
    .unwrap();
    (tokio_rustls::TlsAcceptor::from(Arc::new(config)), pem)
}

/// A certificate as `openssl req -x509` makes it (self-signed, `CA:TRUE`) for localhost and
/// 127.0.0.1: (TLS acceptor presenting it, its PEM).
pub fn ca_true_acceptor() -> (tokio_rustls::TlsAcceptor, String) {
    let mut params =
        rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    let der = rustls::pki_types::PrivateKeyDer::try_from(key.serialize_der()).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert.der().clone()], der)
    .unwrap();
    (
        tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config)),
        cert.pem(),
    )
}

/// Reads one line (up to LF) from `s`.
pub async fn read_line<S: AsyncReadExt + Unpin>(s: &mut S) -> Vec<u8> {
    let mut line = Vec::new();
    let mut b = [0u8; 1];
    while s.read(&mut b).await.unwrap_or(0) == 1 {
        line.push(b[0]);
        if b[0] == b'\n' {
            break;
        }
    }
    line
}

/// Echoes every byte back until EOF.
pub async fn echo<S: AsyncReadExt + AsyncWriteExt + Unpin>(mut s: S) {
    let mut buf = vec![0u8; 4096];
    loop {
        match s.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if s.write_all(&buf[..n]).await.is_err() {
                    return;
                }
                let _ = s.flush().await;
            }
        }
    }
}

/// A DNS answer of the test server.
#[derive(Debug, Clone)]
pub enum Answer {
    A(Vec<IpAddr>),
    Mx(Vec<(u16, &'static str)>),
    /// TXT records, each split into character-strings of at most 255 bytes.
    Txt(Vec<String>),
    NoData,
    NxDomain,
    ServFail,
}

/// A tiny authoritative DNS server on 127.0.0.1 answering from `zone`: (name, "A"|"AAAA"|"MX"|"TXT")
/// → answer.
/// Unknown names get NXDOMAIN.
pub async fn dns_server(zone: Vec<(&'static str, &'static str, Answer)>) -> SocketAddr {
    use hickory_proto::op::{Message as Dns, MessageType, ResponseCode};
    use hickory_proto::rr::rdata::{A, AAAA, MX, TXT};
    use hickory_proto::rr::{Name, RData, Record, RecordType};

    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = socket.local_addr().unwrap();
    let zone: HashMap<(String, String), Answer> = zone
        .into_iter()
        .map(|(n, t, a)| ((format!("{n}."), t.to_string()), a))
        .collect();
    tokio::spawn(async move {
        let mut buf = vec![0u8; 4096];
        loop {
            let Ok((n, from)) = socket.recv_from(&mut buf).await else {
                return;
            };
            let Ok(query) = Dns::from_vec(&buf[..n]) else {
                continue;
            };
            let Some(q) = query.queries().first().cloned() else {
                continue;
            };
            let name = q.name().to_ascii().to_ascii_lowercase();
            let rtype = match q.query_type() {
                RecordType::A => "A",
                RecordType::AAAA => "AAAA",
                RecordType::MX => "MX",
                RecordType::TXT => "TXT",
                _ => "other",
            };
            let mut resp = Dns::new();
            resp.set_id(query.id())
                .set_message_type(MessageType::Response)
                .set_op_code(query.op_code())
                .set_recursion_desired(query.recursion_desired())
                .set_recursion_available(true)
                .set_authoritative(true)
                .add_query(q.clone());
            let known = zone.keys().any(|(n, _)| *n == name);
            match zone.get(&(name.clone(), rtype.to_string())) {
                Some(Answer::A(ips)) => {
                    for ip in ips {
                        let rdata = match ip {
                            IpAddr::V4(v4) => RData::A(A(*v4)),
                            IpAddr::V6(v6) => RData::AAAA(AAAA(*v6)),
                        };
                        resp.add_answer(Record::from_rdata(q.name().clone(), 60, rdata));
                    }
                }
                Some(Answer::Mx(list)) => {
                    for (pref, exch) in list {
                        let rdata = RData::MX(MX::new(*pref, Name::from_ascii(exch).unwrap()));
                        resp.add_answer(Record::from_rdata(q.name().clone(), 60, rdata));
                    }
                }
                Some(Answer::Txt(texts)) => {
                    for text in texts {
                        let strings = text
                            .as_bytes()
                            .chunks(255)
                            .map(|c| String::from_utf8_lossy(c).into_owned())
                            .collect();
                        resp.add_answer(Record::from_rdata(
                            q.name().clone(),
                            60,
                            RData::TXT(TXT::new(strings)),
                        ));
                    }
                }
                Some(Answer::NxDomain) => {
                    resp.set_response_code(ResponseCode::NXDomain);
                }
                Some(Answer::ServFail) => {
                    resp.set_response_code(ResponseCode::ServFail);
                }
                Some(Answer::NoData) => {}
                None if known => {}
                None => {
                    resp.set_response_code(ResponseCode::NXDomain);
                }
            }
            if let Ok(bytes) = resp.to_vec() {
                let _ = socket.send_to(&bytes, from).await;
            }
        }
    });
    addr
}
