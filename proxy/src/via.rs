//! `mailscope send --via URL`: the SMTP bytes go through a running `mailscope serve` relay,
//! speaking relay protocol v1 exactly as the page does (the core's frame types).

use futures_util::{SinkExt, StreamExt};
use mailscope_core::relay::{
    token_subprotocol, ClientFrame, ErrorCode, RelayFrame, Target, TlsMode, SUBPROTOCOL,
};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::send::{fail, SendError};

/// A relay session carrying one SMTP connection.
pub(crate) struct Via {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    pending: Vec<u8>,
    eof: bool,
    /// The relay's page URL.
    pub(crate) url: String,
}

fn code_for(code: ErrorCode) -> u8 {
    match code {
        ErrorCode::TlsFailed => 4,
        ErrorCode::Timeout => 12,
        ErrorCode::BadRequest => 2,
        _ => 3,
    }
}

/// Where `send --via` asks the relay to connect.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Destination<'a> {
    /// `--server HOST[:PORT]`.
    Server(&'a str),
    /// `--mx DOMAIN`.
    Mx(&'a str),
    /// `--sandbox`: the relay's own sandbox.
    Sandbox,
    /// None given (clap requires one; kept total).
    None,
}

impl<'a> Destination<'a> {
    /// The destination `args` name.
    pub(crate) fn of(args: &'a crate::send::SendArgs) -> Destination<'a> {
        if args.sandbox {
            Destination::Sandbox
        } else if let Some(mx) = &args.mx {
            Destination::Mx(mx)
        } else if let Some(server) = &args.server {
            Destination::Server(server)
        } else {
            Destination::None
        }
    }
}

impl Via {
    /// Opens the relay and connects to the target; returns the peer and, for implicit TLS, the
    /// `tls` frame.
    pub(crate) async fn connect(
        url: &str,
        token: &str,
        destination: Destination<'_>,
        implicit: bool,
    ) -> Result<(Via, String, Option<RelayFrame>), SendError> {
        let origin = url
            .trim_end_matches('/')
            .split("/#")
            .next()
            .unwrap_or(url)
            .to_string();
        let hostport = origin.strip_prefix("http://").ok_or_else(|| {
            fail(
                2,
                format!("--via {url:?}: give the http:// URL mailscope serve printed"),
            )
        })?;
        let mut req = format!("ws://{hostport}/relay")
            .into_client_request()
            .map_err(|e| fail(2, format!("--via {url:?}: {e}")))?;
        let h = req.headers_mut();
        let protos = format!("{SUBPROTOCOL}, {}", token_subprotocol(token));
        h.insert(
            "sec-websocket-protocol",
            HeaderValue::from_str(&protos)
                .map_err(|_| fail(2, "the token has characters a header cannot carry"))?,
        );
        h.insert(
            "origin",
            HeaderValue::from_str(&origin).map_err(|_| fail(2, "bad --via URL"))?,
        );
        let (ws, _) = tokio_tungstenite::connect_async(req).await.map_err(|e| {
            fail(
                3,
                format!("cannot open the relay at {origin}: {e}. Is mailscope serve running, and is the token right?"),
            )
        })?;
        let mut via = Via {
            ws,
            pending: Vec::new(),
            eof: false,
            url: origin,
        };
        match via.frame().await? {
            RelayFrame::Hello { .. } => {}
            other => return Err(fail(12, format!("the relay did not say hello: {other:?}"))),
        }
        let target = match destination {
            Destination::Sandbox => Target::Sandbox { sandbox: true },
            Destination::Mx(domain) => Target::Mx {
                mx: domain.to_string(),
            },
            Destination::Server(server) => {
                let default_port = if implicit { 465 } else { 25 };
                let (host, port) = crate::cli::parse_host_port(server)
                    .unwrap_or_else(|_| (server.to_string(), default_port));
                Target::Host { host, port }
            }
            Destination::None => return Err(fail(2, "give --server, --mx or --sandbox")),
        };
        via.send(&ClientFrame::Connect {
            target,
            tls: if implicit {
                TlsMode::Implicit
            } else {
                TlsMode::None
            },
            sni: None,
        })
        .await?;
        let peer = loop {
            match via.frame().await? {
                RelayFrame::Connected { peer, .. } => break peer,
                // One failed address of a failover: the relay goes on with the next one.
                RelayFrame::Error { retrying: true, .. } => continue,
                RelayFrame::Error { code, message, .. } => {
                    return Err(fail(code_for(code), format!("the relay: {message}")))
                }
                other => return Err(fail(12, format!("unexpected relay frame {other:?}"))),
            }
        };
        let tls = if implicit {
            Some(via.tls_frame().await?)
        } else {
            None
        };
        Ok((via, peer, tls))
    }

    async fn send(&mut self, frame: &ClientFrame) -> Result<(), SendError> {
        let json = serde_json::to_string(frame).unwrap_or_default();
        self.ws
            .send(Message::Text(json.into()))
            .await
            .map_err(|e| fail(12, format!("the relay connection failed: {e}")))
    }

    /// The next control frame; server bytes on the way are kept for `read`.
    async fn frame(&mut self) -> Result<RelayFrame, SendError> {
        loop {
            match self.ws.next().await {
                Some(Ok(Message::Text(t))) => {
                    return serde_json::from_str(t.as_str()).map_err(|e| {
                        fail(
                            12,
                            format!("the relay sent a frame this version does not know: {e}"),
                        )
                    })
                }
                Some(Ok(Message::Binary(b))) => self.pending.extend_from_slice(&b),
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => {
                    return Err(fail(12, "the relay closed the WebSocket"))
                }
                Some(Ok(_)) => {}
            }
        }
    }

    async fn tls_frame(&mut self) -> Result<RelayFrame, SendError> {
        match self.frame().await? {
            frame @ RelayFrame::Tls { .. } => Ok(frame),
            RelayFrame::Error { code, message, .. } => {
                Err(fail(code_for(code), format!("the relay: {message}")))
            }
            other => Err(fail(12, format!("expected the tls frame, got {other:?}"))),
        }
    }

    /// Asks the relay to start TLS now and returns its `tls` frame.
    pub(crate) async fn starttls(&mut self) -> Result<RelayFrame, SendError> {
        self.send(&ClientFrame::Starttls { sni: None }).await?;
        self.tls_frame().await
    }

    /// Server bytes; 0 once the server or relay closed.
    pub(crate) async fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.pending.is_empty() && !self.eof {
            match self.ws.next().await {
                Some(Ok(Message::Binary(b))) => self.pending.extend_from_slice(&b),
                Some(Ok(Message::Text(t))) => {
                    match serde_json::from_str::<RelayFrame>(t.as_str()) {
                        Ok(RelayFrame::Closed { .. }) => self.eof = true,
                        Ok(RelayFrame::Error { message, .. }) => {
                            return Err(std::io::Error::other(format!("the relay: {message}")))
                        }
                        _ => {}
                    }
                }
                Some(Ok(Message::Close(_))) | None => self.eof = true,
                Some(Err(e)) => return Err(std::io::Error::other(e)),
                Some(Ok(_)) => {}
            }
        }
        let n = buf.len().min(self.pending.len());
        buf[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        Ok(n)
    }

    /// Sends bytes to the server.
    pub(crate) async fn write_all(&mut self, data: &[u8]) -> std::io::Result<()> {
        self.ws
            .send(Message::Binary(data.to_vec().into()))
            .await
            .map_err(std::io::Error::other)
    }
}
