//! Relay figures on loopback, in-process: throughput page → server with 64 KiB and 4 KiB binary
//! frames, server → page, and the round-trip latency of one byte. Run in release mode:
//! `cargo run --release -p mailscope-proxy --example relay_bench [MiB]`.

use std::time::{Duration, Instant};

use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use mailscope_core::relay::{
    token_subprotocol, ClientFrame, RelayFrame, Target, TlsMode, SUBPROTOCOL,
};
use mailscope_proxy::cli::{Cli, Command};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;

const TOKEN: &str = "bench-token-0123456789abcdef";

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn next_frame(ws: &mut Ws) -> RelayFrame {
    loop {
        if let Some(Ok(Message::Text(t))) = ws.next().await {
            return serde_json::from_str(t.as_str()).expect("relay frame");
        }
    }
}

async fn open(relay: std::net::SocketAddr, target: std::net::SocketAddr) -> Ws {
    let mut req = format!("ws://{relay}/relay").into_client_request().unwrap();
    req.headers_mut().insert(
        "sec-websocket-protocol",
        HeaderValue::from_str(&format!("{SUBPROTOCOL}, {}", token_subprotocol(TOKEN))).unwrap(),
    );
    req.headers_mut().insert(
        "origin",
        HeaderValue::from_str(&format!("http://{relay}")).unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    next_frame(&mut ws).await;
    let connect = ClientFrame::Connect {
        target: Target::Host {
            host: target.ip().to_string(),
            port: target.port(),
        },
        tls: TlsMode::None,
        sni: None,
    };
    ws.send(Message::Text(
        serde_json::to_string(&connect).unwrap().into(),
    ))
    .await
    .unwrap();
    match next_frame(&mut ws).await {
        RelayFrame::Connected { .. } => ws,
        other => panic!("{other:?}"),
    }
}

#[tokio::main]
async fn main() {
    let mib: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(256);
    let total = mib << 20;
    // Sink: counts bytes and says "done" when all arrived.
    let sink = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sink_addr = sink.local_addr().unwrap();
    // Source: sends `total` bytes. Echo: echoes.
    let source = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let source_addr = source.local_addr().unwrap();
    let echo = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let echo_addr = echo.local_addr().unwrap();
    let ui = std::env::temp_dir().join("mailscope-bench-ui");
    std::fs::create_dir_all(&ui).unwrap();
    std::fs::write(ui.join("index.html"), "x").unwrap();
    let mut argv: Vec<String> = [
        "mailscope",
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--no-sandbox",
        "--token",
        TOKEN,
        "--ui",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    argv.push(ui.display().to_string());
    for a in [sink_addr, source_addr, echo_addr] {
        argv.push("--allow-target".into());
        argv.push(a.to_string());
    }
    let Command::Serve(args) = Cli::parse_from(argv).command else {
        unreachable!()
    };
    let running = mailscope_proxy::serve::start(*args).await.unwrap();

    tokio::spawn(async move {
        loop {
            let (mut s, _) = sink.accept().await.unwrap();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 256 * 1024];
                let mut n = 0usize;
                while n < total {
                    match s.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(k) => n += k,
                    }
                }
                let _ = s.write_all(b"done").await;
            });
        }
    });
    tokio::spawn(async move {
        let (mut s, _) = source.accept().await.unwrap();
        let chunk = vec![b'x'; 64 * 1024];
        let mut n = 0;
        while n < total {
            s.write_all(&chunk).await.unwrap();
            n += chunk.len();
        }
    });
    tokio::spawn(async move {
        let (mut s, _) = echo.accept().await.unwrap();
        let _ = s.set_nodelay(true);
        let mut buf = [0u8; 64];
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(k) => s.write_all(&buf[..k]).await.unwrap(),
            }
        }
    });

    for frame in [64 * 1024, 4 * 1024] {
        let mut ws = open(running.addr, sink_addr).await;
        let data = vec![b'y'; frame];
        let t = Instant::now();
        let mut sent = 0;
        while sent < total {
            ws.feed(Message::Binary(data.clone().into())).await.unwrap();
            sent += frame;
        }
        ws.flush().await.unwrap();
        loop {
            if let Some(Ok(Message::Binary(b))) = ws.next().await {
                if b.as_ref() == b"done" {
                    break;
                }
            }
        }
        let secs = t.elapsed().as_secs_f64();
        println!(
            "page -> server, {:>2} KiB frames: {:.0} MB/s ({mib} MiB in {secs:.2} s)",
            frame / 1024,
            total as f64 / secs / 1e6
        );
    }
    {
        let mut ws = open(running.addr, source_addr).await;
        let t = Instant::now();
        let mut got = 0;
        while got < total {
            if let Some(Ok(Message::Binary(b))) = ws.next().await {
                got += b.len();
            }
        }
        let secs = t.elapsed().as_secs_f64();
        println!(
            "server -> page (16 KiB frames): {:.0} MB/s",
            total as f64 / secs / 1e6
        );
    }
    {
        let mut ws = open(running.addr, echo_addr).await;
        let n = 2000;
        let t = Instant::now();
        for _ in 0..n {
            ws.send(Message::Binary(vec![b'z'].into())).await.unwrap();
            loop {
                if let Some(Ok(Message::Binary(_))) = ws.next().await {
                    break;
                }
            }
        }
        let per = t.elapsed() / n;
        println!(
            "round trip page -> relay -> echo -> page: {:.1} µs",
            per.as_secs_f64() * 1e6
        );
    }
    tokio::time::sleep(Duration::from_millis(10)).await;
}
