//! `mailscope serve` sends the UI's precompressed copies (`NAME.gz`, written by `cargo xtask`
//! after each UI build) to clients that accept gzip, and the files as they are otherwise.

mod common;

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One HTTP/1.1 GET with `Connection: close`: the head (lower-cased) and the body.
async fn get(addr: SocketAddr, path: &str, accept_encoding: Option<&str>) -> (String, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(enc) = accept_encoding {
        request.push_str(&format!("Accept-Encoding: {enc}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.expect("read");
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head");
    let head = String::from_utf8_lossy(&response[..split]).to_ascii_lowercase();
    (head, response[split + 4..].to_vec())
}

#[tokio::test]
async fn gzip_copies_go_to_clients_that_accept_gzip() {
    let ui = std::env::temp_dir().join(format!("mailscope-ui-files-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&ui);
    std::fs::create_dir_all(&ui).unwrap();
    let wasm: Vec<u8> = (0..5000u32).flat_map(|i| i.to_le_bytes()).collect();
    // The server picks the copy by name and does not look inside it.
    let wasm_gz = b"\x1f\x8bstand-in for the gzip copy".to_vec();
    let index = b"<!doctype html><title>ui</title>".to_vec();
    let index_gz = b"\x1f\x8bstand-in for index.html.gz".to_vec();
    std::fs::write(ui.join("app_bg.wasm"), &wasm).unwrap();
    std::fs::write(ui.join("app_bg.wasm.gz"), &wasm_gz).unwrap();
    std::fs::write(ui.join("style.css"), b"body{}").unwrap();
    std::fs::write(ui.join("index.html"), &index).unwrap();
    std::fs::write(ui.join("index.html.gz"), &index_gz).unwrap();
    let serve = common::serve_ui(&ui, &["--no-sandbox"]).await;

    let cases: &[(&str, Option<&str>, &[u8], bool)] = &[
        (
            "/app_bg.wasm",
            Some("gzip, deflate, br, zstd"),
            &wasm_gz,
            true,
        ),
        ("/app_bg.wasm", None, &wasm, false),
        ("/app_bg.wasm", Some("br"), &wasm, false),
        ("/app_bg.wasm", Some("gzip;q=0"), &wasm, false),
        // No copy beside it: the file as it is, whatever the client accepts.
        ("/style.css", Some("gzip"), b"body{}", false),
        // The page itself, and the fallback to it for routes the app handles.
        ("/", Some("gzip"), &index_gz, true),
        ("/", None, &index, false),
        ("/no/such/file", Some("gzip"), &index_gz, true),
    ];
    for (path, accept, want, gzipped) in cases {
        let (head, body) = get(serve.addr, path, *accept).await;
        assert!(
            head.starts_with("http/1.1 200"),
            "{path} {accept:?}: status line of {head}"
        );
        assert_eq!(
            head.contains("content-encoding: gzip"),
            *gzipped,
            "{path} {accept:?}: encoding in {head}"
        );
        assert_eq!(
            body,
            want.to_vec(),
            "{path} {accept:?}: body of {} bytes, want {}",
            body.len(),
            want.len()
        );
        if *gzipped {
            assert!(
                head.contains("vary: accept-encoding"),
                "{path}: caches must key on Accept-Encoding: {head}"
            );
        }
    }
    // The copy keeps the original's type, so the browser still compiles the wasm as it streams.
    let (head, _) = get(serve.addr, "/app_bg.wasm", Some("gzip")).await;
    assert!(
        head.contains("content-type: application/wasm"),
        "type of the gzip copy of a .wasm file: {head}"
    );
    serve.task.abort();
    let _ = std::fs::remove_dir_all(&ui);
}
