//! Helpers for the relay tests: an in-process `mailscope serve`, a WebSocket client speaking
//! relay v1 with the core's frame types, fake mail servers and a tiny DNS server, all on loopback.

#![allow(dead_code, unreachable_pub)]

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use mailscope_core::relay::{token_subprotocol, ClientFrame, RelayFrame, SUBPROTOCOL};
use mailscope_proxy::cli::{Cli, Command};
use mailscope_proxy::serve::Running;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;

pub const TOKEN: &str = "relay-test-token-0123456789abcdef";
pub const WAIT: Duration = Duration::from_secs(10);

/// Starts `mailscope serve` in this runtime with `extra` flags.
pub async fn serve(extra: &[&str]) -> Running {
    let ui = std::env::temp_dir().join(format!("mailscope-relay-test-ui-{}", std::process::id()));
    std::fs::create_dir_all(&ui).unwrap();
    std::fs::write(ui.join("index.html"), "<!doctype html><title>t</title>").unwrap();
    let mut argv = vec![
        "mailscope".to_string(),
        "serve".into(),
        "--listen".into(),
        "127.0.0.1:0".into(),
        "--ui".into(),
        ui.display().to_string(),
        "--token".into(),
        TOKEN.into(),
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

/// How to present the upgrade request.
pub struct Hello<'a> {
    pub token: Option<&'a str>,
    pub origin: Option<String>,
    pub host: Option<String>,
}

impl Hello<'_> {
    pub fn good(addr: SocketAddr) -> Hello<'static> {
        Hello {
            token: Some(TOKEN),
            origin: Some(format!("http://{addr}")),
            host: Some(addr.to_string()),
        }
    }
}

pub type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>;

/// What the relay sent.
#[derive(Debug)]
pub enum Event {
    Frame(RelayFrame),
    Data(Vec<u8>),
    Close(Option<u16>),
}

pub struct Client {
    pub ws: Ws,
}

/// Opens `/relay`; `Err(status)` when the upgrade is refused.
pub async fn open_with(addr: SocketAddr, hello: Hello<'_>) -> Result<Client, u16> {
    let mut req = format!("ws://{addr}/relay").into_client_request().unwrap();
    let h = req.headers_mut();
    let mut protos = vec![SUBPROTOCOL.to_string()];
    if let Some(t) = hello.token {
        protos.push(token_subprotocol(t));
    }
    h.insert(
        "sec-websocket-protocol",
        HeaderValue::from_str(&protos.join(", ")).unwrap(),
    );
    match hello.origin {
        Some(o) => {
            h.insert("origin", HeaderValue::from_str(&o).unwrap());
        }
        None => {
            h.remove("origin");
        }
    }
    if let Some(host) = hello.host {
        h.insert("host", HeaderValue::from_str(&host).unwrap());
    }
    match tokio_tungstenite::connect_async(req).await {
        Ok((ws, resp)) => {
            assert_eq!(
                resp.headers()
                    .get("sec-websocket-protocol")
                    .and_then(|v| v.to_str().ok()),
                Some(SUBPROTOCOL),
                "the relay answers mailscope.v1"
            );
            Ok(Client { ws })
        }
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => Err(resp.status().as_u16()),
        Err(e) => panic!("unexpected WebSocket error: {e}"),
    }
}

/// Opens `/relay` properly and reads the `hello`.
pub async fn open(addr: SocketAddr) -> Client {
    let mut c = open_with(addr, Hello::good(addr))
        .await
        .expect("upgrade accepted");
    match c.next().await {
        Event::Frame(RelayFrame::Hello { protocol: 1, .. }) => {}
        other => panic!("expected hello, got {other:?}"),
    }
    c
}

impl Client {
    pub async fn send(&mut self, frame: &ClientFrame) {
        let json = serde_json::to_string(frame).unwrap();
        self.ws.send(Message::Text(json.into())).await.unwrap();
    }

    pub async fn send_data(&mut self, data: &[u8]) {
        self.ws
            .send(Message::Binary(data.to_vec().into()))
            .await
            .unwrap();
    }

    pub async fn next(&mut self) -> Event {
        loop {
            let msg = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("the relay answered in time");
            return match msg {
                None => Event::Close(None),
                Some(Err(_)) => Event::Close(None),
                Some(Ok(Message::Text(t))) => Event::Frame(
                    serde_json::from_str(t.as_str())
                        .unwrap_or_else(|e| panic!("not a relay frame: {t}: {e}")),
                ),
                Some(Ok(Message::Binary(b))) => Event::Data(b.to_vec()),
                Some(Ok(Message::Close(f))) => Event::Close(f.map(|f| u16::from(f.code))),
                Some(Ok(_)) => continue,
            };
        }
    }

    /// The next control frame, collecting data frames on the way into `data`.
    pub async fn frame(&mut self, data: &mut Vec<u8>) -> RelayFrame {
        loop {
            match self.next().await {
                Event::Frame(f) => return f,
                Event::Data(d) => data.extend(d),
                Event::Close(c) => panic!("socket closed ({c:?}) while waiting for a frame"),
            }
        }
    }

    /// Reads data frames until `want` has arrived.
    pub async fn read_until(&mut self, want: &[u8]) -> Vec<u8> {
        let mut got = Vec::new();
        while !got.windows(want.len()).any(|w| w == want) {
            match self.next().await {
                Event::Data(d) => got.extend(d),
                other => panic!(
                    "expected data up to {:?}, got {other:?} after {:?}",
                    String::from_utf8_lossy(want),
                    String::from_utf8_lossy(&got)
                ),
            }
        }
        got
    }
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
    NoData,
    NxDomain,
    ServFail,
}

/// A tiny authoritative DNS server on 127.0.0.1 answering from `zone`: (name, "A"|"MX") → answer.
/// Unknown names get NXDOMAIN.
pub async fn dns_server(zone: Vec<(&'static str, &'static str, Answer)>) -> SocketAddr {
    use hickory_proto::op::{Message as Dns, MessageType, ResponseCode};
    use hickory_proto::rr::rdata::{A, AAAA, MX};
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
