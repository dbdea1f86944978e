//! The sandbox's `/api/messages` (proxy/src/api.rs) over plain HTTP/1.1, with the token.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::{Serve, READY_TIMEOUT};

/// The body of `GET path`; panics unless the answer is 200.
pub fn get(serve: &Serve, path: &str) -> Vec<u8> {
    let addr = serve.origin.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).expect("connect to serve");
    s.set_read_timeout(Some(READY_TIMEOUT)).expect("timeout");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\r\n",
        serve.token
    )
    .expect("send the request");
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).expect("read the answer");
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP answer");
    let head = String::from_utf8_lossy(&answer[..split]).to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 200"), "GET {path}: {head}");
    assert!(
        !head.contains("transfer-encoding"),
        "GET {path}: a whole body expected: {head}"
    );
    answer.split_off(split + 4)
}

/// The stored messages' metadata (oldest first).
pub fn messages(serve: &Serve) -> Vec<serde_json::Value> {
    let body = get(serve, "/api/messages");
    let json: serde_json::Value = serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&body)));
    json["messages"].as_array().cloned().expect("a list")
}

/// Waits until at least `n` messages are stored and returns them.
pub fn wait_for_messages(
    serve: &Serve,
    n: usize,
    why: impl Fn() -> String,
) -> Vec<serde_json::Value> {
    let deadline = Instant::now() + READY_TIMEOUT;
    loop {
        let got = messages(serve);
        if got.len() >= n {
            return got;
        }
        assert!(
            Instant::now() < deadline,
            "the sandbox has {} of {n} messages after {READY_TIMEOUT:?}; {}",
            got.len(),
            why()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A stored message's bytes as received.
pub fn raw(serve: &Serve, id: u64) -> Vec<u8> {
    get(serve, &format!("/api/messages/{id}/raw"))
}
