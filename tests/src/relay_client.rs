//! A relay v1 client over tokio-tungstenite, speaking the protocol as the browser does: the
//! subprotocols `mailscope.v1` and `mailscope.token.<TOKEN>`, the page's `Origin`, and the core's
//! frame types for every control message.

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

/// An open relay session.
pub struct RelayClient {
    ws: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>,
}

impl RelayClient {
    /// Opens `/relay` of `serve` as its page would and reads the `hello`.
    pub async fn open(serve: &Serve) -> RelayClient {
        let host = serve.origin.trim_start_matches("http://").to_string();
        let mut req = format!("ws://{host}/relay").into_client_request().unwrap();
        let h = req.headers_mut();
        h.insert(
            "sec-websocket-protocol",
            HeaderValue::from_str(&format!(
                "{SUBPROTOCOL}, {}",
                token_subprotocol(&serve.token)
            ))
            .unwrap(),
        );
        h.insert("origin", HeaderValue::from_str(&serve.origin).unwrap());
        let (ws, _) = tokio_tungstenite::connect_async(req)
            .await
            .expect("the relay accepts the upgrade");
        let mut c = RelayClient { ws };
        match c.next().await {
            Event::Frame(RelayFrame::Hello { .. }) => c,
            other => panic!("expected hello, got {other:?}"),
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
