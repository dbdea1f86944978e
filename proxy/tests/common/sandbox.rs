//! Helpers for the sandbox tests: swaks against it, and bare HTTP requests to its API.

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::TOKEN;

pub fn sandbox_addr(server: &mailscope_proxy::serve::Running) -> SocketAddr {
    server.sandbox.as_ref().expect("the sandbox runs").addr
}

/// Runs swaks against `addr` with `args`; returns (success, output).
pub async fn swaks(addr: SocketAddr, args: &[&str]) -> (bool, String) {
    let out = tokio::process::Command::new("swaks")
        .args([
            "--server",
            &addr.to_string(),
            "--from",
            "sender@example.org",
        ])
        .args(["--timeout", "10"])
        .args(args)
        .output()
        .await
        .expect("swaks is installed (cargo xtask test installs it)");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// `method path` on the API with this run's token; checks the status is `want`, returns the body.
pub async fn api(addr: SocketAddr, method: &str, path: &str, want: u16) -> Vec<u8> {
    let (status, body) = http(addr, method, path, Some(TOKEN)).await;
    assert_eq!(
        status,
        want,
        "{method} {path}: {}",
        String::from_utf8_lossy(&body)
    );
    body
}

/// A bare HTTP/1.1 request; returns (status, body).
pub async fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    auth: Option<&str>,
) -> (u16, Vec<u8>) {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let auth = auth
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let req =
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut resp = Vec::new();
    s.read_to_end(&mut resp).await.unwrap();
    let split = resp
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete HTTP answer");
    let head = String::from_utf8_lossy(&resp[..split]).to_string();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut body = resp[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    (status, body)
}

pub fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = b.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&b[..eol]).trim(), 16).unwrap_or(0);
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + size]);
        b = &b[eol + 2 + size + 2..];
    }
}

pub async fn messages(addr: SocketAddr) -> Vec<serde_json::Value> {
    let body = api(addr, "GET", "/api/messages", 200).await;
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["version"], 1);
    json["messages"].as_array().cloned().unwrap_or_default()
}
