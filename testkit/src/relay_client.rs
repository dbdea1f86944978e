//! A relay v1 client over tokio-tungstenite, speaking the protocol as the browser does: the
//! subprotocols `mailscope.v1` and `mailscope.token.<TOKEN>`, the page's `Origin`, and the core's
//! frame types for every control message.
//!
//! The one relay test client: the end-to-end tests (`mailscope-e2e`) and the proxy's own tests
//! (`proxy/tests/common`) both use it. [`Hello`] can also present a wrong token, a foreign
//! `Origin` or a wrong `Host`, for the refusal tests.

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use mailscope_core::relay::{token_subprotocol, ClientFrame, RelayFrame, SUBPROTOCOL};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;

use crate::Serve;

/// How long to wait for any one answer of the relay.
pub const WAIT: Duration = Duration::from_secs(30);

/// What the relay sent.
#[derive(Debug)]
pub enum Event {
    /// A control frame.
    Frame(RelayFrame),
    /// Bytes from the server.
    Data(Vec<u8>),
    /// The WebSocket closed, with its close code.
    Close(Option<u16>),
}

/// The WebSocket of a relay session.
pub type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>;

/// How to present the upgrade request.
#[derive(Debug, Clone)]
pub struct Hello<'a> {
    /// The token offered as `mailscope.token.<TOKEN>`; none offered when `None`.
    pub token: Option<&'a str>,
    /// The `Origin` header; left out when `None`.
    pub origin: Option<String>,
    /// The `Host` header; the client's default (the address) when `None`.
    pub host: Option<String>,
}

impl<'a> Hello<'a> {
    /// What the page served by the relay at `addr` sends.
    pub fn page(addr: SocketAddr, token: &'a str) -> Hello<'a> {
        Hello {
            token: Some(token),
            origin: Some(format!("http://{addr}")),
            host: Some(addr.to_string()),
        }
    }
}

/// An open relay session.
pub struct RelayClient {
    /// The WebSocket, for tests that send frames the typed helpers cannot.
    pub ws: Ws,
}

impl RelayClient {
    /// Opens `/relay` of `serve` as its page would and reads the `hello`.
    pub async fn open(serve: &Serve) -> RelayClient {
        let addr: SocketAddr = serve
            .origin
            .trim_start_matches("http://")
            .parse()
            .expect("serve listens on an address");
        RelayClient::open_page(addr, &serve.token).await
    }

    /// Opens `/relay` at `addr` with `token` as the page would and reads the `hello`.
    pub async fn open_page(addr: SocketAddr, token: &str) -> RelayClient {
        let mut c = RelayClient::open_with(addr, Hello::page(addr, token))
            .await
            .unwrap_or_else(|status| panic!("the relay refused the upgrade with HTTP {status}"));
        match c.next().await {
            Event::Frame(RelayFrame::Hello { protocol: 1, .. }) => c,
            other => panic!("expected hello, got {other:?}"),
        }
    }

    /// Opens `/relay` at `addr` presenting `hello`, without reading anything; `Err(status)`
    /// when the upgrade is refused. Checks that an accepted upgrade answers `mailscope.v1`.
    pub async fn open_with(addr: SocketAddr, hello: Hello<'_>) -> Result<RelayClient, u16> {
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
                let answered = resp
                    .headers()
                    .get("sec-websocket-protocol")
                    .and_then(|v| v.to_str().ok());
                assert_eq!(
                    answered,
                    Some(SUBPROTOCOL),
                    "the relay answers mailscope.v1"
                );
                Ok(RelayClient { ws })
            }
            Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => Err(resp.status().as_u16()),
            Err(e) => panic!("unexpected WebSocket error: {e}"),
        }
    }

    /// Sends a control frame.
    pub async fn send(&mut self, frame: &ClientFrame) {
        let json = serde_json::to_string(frame).unwrap();
        self.ws.send(Message::Text(json.into())).await.unwrap();
    }

    /// Sends bytes for the server.
    pub async fn send_data(&mut self, data: &[u8]) {
        self.ws
            .send(Message::Binary(data.to_vec().into()))
            .await
            .unwrap();
    }

    /// The next event.
    pub async fn next(&mut self) -> Event {
        loop {
            let msg = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("the relay answered in time");
            return match msg {
                None | Some(Err(_)) => Event::Close(None),
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

    /// The next control frame; data frames on the way are appended to `data`.
    pub async fn frame(&mut self, data: &mut Vec<u8>) -> RelayFrame {
        loop {
            match self.next().await {
                Event::Frame(f) => return f,
                Event::Data(d) => data.extend(d),
                Event::Close(c) => panic!("socket closed ({c:?}) while waiting for a frame"),
            }
        }
    }

    /// Reads data frames until `want` has arrived; returns everything read.
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

    /// Reads server bytes until one complete SMTP reply (a line `ddd ` + CRLF) has arrived.
    pub async fn reply(&mut self) -> String {
        let mut got = Vec::new();
        loop {
            if let Some(last) = complete_reply(&got) {
                return last;
            }
            match self.next().await {
                Event::Data(d) => got.extend(d),
                other => panic!(
                    "expected a reply, got {other:?} after {:?}",
                    String::from_utf8_lossy(&got)
                ),
            }
        }
    }

    /// Sends a command line and returns the reply.
    pub async fn command(&mut self, line: &str) -> String {
        self.send_data(format!("{line}\r\n").as_bytes()).await;
        self.reply().await
    }
}

fn complete_reply(buf: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(buf);
    if !text.ends_with("\r\n") {
        return None;
    }
    let last = text.trim_end().rsplit("\r\n").next()?;
    (last.len() >= 4 && last.as_bytes()[3] == b' ').then(|| text.to_string())
}
