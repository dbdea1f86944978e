//! The HTTP listener of `mailscope serve` against hostile clients, over real sockets: stalled
//! request heads (slowloris), the connection cap, keep-alive limits, the `Host` check on every
//! route, the security headers on every response, and the static files' rules (no dotfiles,
//! nothing outside `--ui`, symlinks included).

mod common;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The longest any check here waits for the server to act (a bound, not an expected time).
const BOUND: Duration = Duration::from_secs(60);

/// A fresh UI directory: `index.html` with an inline script, a style sheet, dotfiles, and a
/// directory outside it (with a secret) that links inside it point to.
struct Ui {
    dir: PathBuf,
    outside: PathBuf,
}

impl Ui {
    fn new(name: &str) -> Ui {
        let base = std::env::temp_dir().join(format!(
            "mailscope-http-hardening-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&base);
        let dir = base.join("ui");
        let outside = base.join("outside");
        std::fs::create_dir_all(dir.join(".git")).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(
            dir.join("index.html"),
            "<!doctype html><title>ui</title><script type=\"module\">import('./app.js')</script><script src=\"/x.js\"></script>",
        )
        .unwrap();
        std::fs::write(dir.join("style.css"), "body{}").unwrap();
        std::fs::write(dir.join(".git/config"), "[core] secret-config").unwrap();
        std::fs::write(dir.join(".env"), "SECRET=dotenv").unwrap();
        std::fs::write(outside.join("passwd"), "root:secret-passwd").unwrap();
        std::fs::write(outside.join("page.html"), "secret-page").unwrap();
        Ui { dir, outside }
    }

    fn remove(self) {
        let _ = std::fs::remove_dir_all(self.dir.parent().unwrap());
    }
}

/// A response: status code, lower-cased head, body.
struct Reply {
    status: u16,
    head: String,
    body: String,
}

/// Sends `request` (raw) on a fresh connection and reads the reply until the server closes.
async fn exchange(addr: SocketAddr, request: &str) -> Reply {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut response = Vec::new();
    tokio::time::timeout(BOUND, stream.read_to_end(&mut response))
        .await
        .expect("the server answers and closes")
        .expect("read");
    parse(&response)
}

fn parse(response: &[u8]) -> Reply {
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| {
            panic!(
                "no complete head in {:?}",
                String::from_utf8_lossy(response)
            )
        });
    let head = String::from_utf8_lossy(&response[..split]).to_ascii_lowercase();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head}"));
    Reply {
        status,
        head,
        body: String::from_utf8_lossy(&response[split + 4..]).into_owned(),
    }
}

fn get(path: &str, host: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
}

/// Reads until the server closes the connection (EOF or reset), within [`BOUND`].
async fn closed_by_server(mut stream: TcpStream) -> bool {
    let mut buf = [0u8; 1024];
    tokio::time::timeout(BOUND, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .is_ok()
}

#[tokio::test]
async fn stalled_request_heads_are_closed_and_health_still_answers() {
    let ui = Ui::new("slowloris");
    let serve = common::serve_ui(
        &ui.dir,
        &[
            "--no-sandbox",
            "--http-header-timeout",
            "2",
            "--http-max-connections",
            "50",
        ],
    )
    .await;
    let addr = serve.addr;
    // 300 clients that start a request and never finish its head.
    let mut stalled = Vec::new();
    for i in 0..300 {
        let mut s = TcpStream::connect(addr).await.expect("connect");
        let partial = format!("GET /api/health HTTP/1.1\r\nHost: {addr}\r\nX-Stall-{i}: ");
        // A client over the cap may already be closed: its write can fail.
        let _ = s.write_all(partial.as_bytes()).await;
        stalled.push(s);
    }
    // Every one of them is closed by the server.
    let closed = futures_util::future::join_all(stalled.into_iter().map(closed_by_server)).await;
    let still_open = closed.iter().filter(|c| !**c).count();
    assert_eq!(
        still_open, 0,
        "{still_open} of 300 stalled connections still open after {BOUND:?}"
    );
    // And the server answers as before.
    let reply = exchange(addr, &get("/api/health", &addr.to_string())).await;
    assert_eq!(reply.status, 200, "health: {} {}", reply.head, reply.body);
    assert!(
        reply.body.contains("\"version\":1"),
        "health body: {}",
        reply.body
    );
    serve.task.abort();
    ui.remove();
}

#[tokio::test]
async fn connections_over_the_cap_get_503_and_keep_alive_is_bounded() {
    let ui = Ui::new("cap");
    let serve = common::serve_ui(
        &ui.dir,
        &[
            "--no-sandbox",
            "--http-header-timeout",
            "30",
            "--http-max-connections",
            "5",
            "--http-max-requests",
            "3",
        ],
    )
    .await;
    let addr = serve.addr;
    // Five connections fill the cap (the server takes connections in order: these first).
    let mut held = Vec::new();
    for _ in 0..5 {
        let mut s = TcpStream::connect(addr).await.expect("connect");
        s.write_all(b"GET / HTTP/1.1\r\n").await.expect("send");
        held.push(s);
    }
    // The sixth is told why and closed.
    let mut sixth = TcpStream::connect(addr).await.expect("connect");
    let mut response = Vec::new();
    tokio::time::timeout(BOUND, sixth.read_to_end(&mut response))
        .await
        .expect("the connection over the cap is closed")
        .expect("read");
    let reply = parse(&response);
    assert_eq!(reply.status, 503, "over the cap: {}", reply.head);
    assert!(
        reply.body.contains("--http-max-connections"),
        "the 503 says why: {}",
        reply.body
    );
    assert_security_headers("503 over the cap", &reply.head);
    drop(held);

    // A keep-alive connection serves three requests; the third answer closes it.
    let mut s = TcpStream::connect(addr).await.expect("connect");
    for n in 1..=3 {
        let request = format!("GET /api/health HTTP/1.1\r\nHost: {addr}\r\n\r\n");
        s.write_all(request.as_bytes()).await.expect("send");
        let head = read_head(&mut s).await;
        assert!(head.starts_with("http/1.1 200"), "request {n}: {head}");
        assert_eq!(
            head.contains("connection: close"),
            n == 3,
            "request {n} of 3: {head}"
        );
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length: "))
            .and_then(|l| l.trim().parse().ok())
            .unwrap_or_else(|| panic!("no length in {head}"));
        let mut body = vec![0u8; length];
        s.read_exact(&mut body).await.expect("body");
    }
    assert!(closed_by_server(s).await, "closed after its third request");
    serve.task.abort();
    ui.remove();
}

#[tokio::test]
async fn idle_keep_alive_connections_are_closed() {
    let ui = Ui::new("idle");
    let serve = common::serve_ui(&ui.dir, &["--no-sandbox", "--http-header-timeout", "1"]).await;
    let addr = serve.addr;
    let mut s = TcpStream::connect(addr).await.expect("connect");
    let request = format!("GET /api/health HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    s.write_all(request.as_bytes()).await.expect("send");
    let head = read_head(&mut s).await;
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(!head.contains("connection: close"), "kept alive: {head}");
    assert!(
        closed_by_server(s).await,
        "an idle keep-alive connection is closed"
    );
    serve.task.abort();
    ui.remove();
}

/// Reads a response head (up to the blank line), lower-cased.
async fn read_head(s: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut b = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let n = tokio::time::timeout(BOUND, s.read(&mut b))
            .await
            .expect("a response")
            .expect("read");
        assert_eq!(
            n,
            1,
            "closed in the head: {}",
            String::from_utf8_lossy(&head)
        );
        head.push(b[0]);
    }
    String::from_utf8_lossy(&head).to_ascii_lowercase()
}

fn assert_security_headers(what: &str, head: &str) {
    for want in [
        "x-content-type-options: nosniff",
        "x-frame-options: deny",
        "referrer-policy: no-referrer",
    ] {
        assert!(head.contains(want), "{what}: no `{want}` in\n{head}");
    }
    let csp = head
        .lines()
        .find_map(|l| l.strip_prefix("content-security-policy: "))
        .unwrap_or_else(|| panic!("{what}: no content-security-policy in\n{head}"));
    for want in [
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'none'",
    ] {
        assert!(csp.contains(want), "{what}: no {want} in the CSP {csp}");
    }
}

#[tokio::test]
async fn every_response_has_the_security_headers() {
    let ui = Ui::new("headers");
    let serve = common::serve_ui(&ui.dir, &[]).await;
    let addr = serve.addr;
    let host = addr.to_string();
    let ws = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    let cases = [
        ("the page", get("/", &host), 200),
        ("an app route", get("/message/1", &host), 200),
        ("a UI file", get("/style.css", &host), 200),
        ("health", get("/api/health", &host), 200),
        ("the API without token", get("/api/messages", &host), 403),
        ("a dotfile", get("/.env", &host), 404),
        ("another host", get("/", "rebind.example:8025"), 403),
        (
            "a relay upgrade from another origin",
            format!("GET /relay HTTP/1.1\r\nHost: {host}\r\nOrigin: http://evil.example\r\nSec-WebSocket-Protocol: mailscope.v1\r\n{ws}\r\n"),
            403,
        ),
    ];
    for (what, request, status) in cases {
        let reply = exchange(addr, &request).await;
        assert_eq!(
            reply.status, status,
            "{what}: {}\n{}",
            reply.head, reply.body
        );
        assert_security_headers(what, &reply.head);
    }
    // The page's CSP allows its own inline script by hash, and WebAssembly.
    let reply = exchange(addr, &get("/", &host)).await;
    let inline = "import('./app.js')";
    let digest = ring::digest::digest(&ring::digest::SHA256, inline.as_bytes());
    let source = format!(
        "'sha256-{}'",
        mailscope_core::codec::base64::encode(digest.as_ref())
    )
    .to_ascii_lowercase();
    assert!(reply.head.contains(&source), "{source} in {}", reply.head);
    assert!(reply.head.contains("'wasm-unsafe-eval'"), "{}", reply.head);
    serve.task.abort();
    ui.remove();
}

#[tokio::test]
async fn only_the_listeners_own_host_names_are_answered() {
    let ui = Ui::new("host");
    let serve = common::serve_ui(&ui.dir, &[]).await;
    let addr = serve.addr;
    let port = addr.port();
    for path in [
        "/",
        "/index.html",
        "/style.css",
        "/api/health",
        "/api/messages",
        "/relay",
    ] {
        for host in [
            format!("rebind.example:{port}"),
            format!("127.0.0.2:{port}"),
            "127.0.0.1".to_string(),
        ] {
            let reply = exchange(addr, &get(path, &host)).await;
            assert_eq!(reply.status, 403, "{path} with Host {host}: {}", reply.head);
            assert!(
                reply.body.contains("DNS rebinding"),
                "{path}: the 403 says why: {}",
                reply.body
            );
        }
        for host in [addr.to_string(), format!("LOCALHOST:{port}")] {
            let reply = exchange(addr, &get(path, &host)).await;
            assert!(
                !reply.body.contains("DNS rebinding"),
                "{path} with Host {host}: {}",
                reply.head
            );
        }
    }
    // No Host at all (HTTP/1.0), and an absolute target naming another host.
    let reply = exchange(addr, "GET / HTTP/1.0\r\n\r\n").await;
    assert_eq!(reply.status, 403, "no Host: {}", reply.head);
    let request = format!(
        "GET http://rebind.example:{port}/ HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    );
    let reply = exchange(addr, &request).await;
    assert_eq!(reply.status, 403, "absolute target: {}", reply.head);
    serve.task.abort();
    ui.remove();
}

fn link(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link)
        .unwrap_or_else(|e| panic!("symlink {} -> {}: {e}", link.display(), target.display()));
}

#[tokio::test]
async fn no_dotfiles_and_nothing_outside_the_ui_directory() {
    let ui = Ui::new("files");
    link(&ui.outside, &ui.dir.join("etc"));
    link(&ui.outside.join("passwd"), &ui.dir.join("passwd.txt"));
    link(&ui.outside.join("page.html"), &ui.dir.join("sub.css.gz"));
    std::fs::write(ui.dir.join("sub.css"), "sub{}").unwrap();
    std::fs::create_dir_all(ui.dir.join("docs")).unwrap();
    link(
        &ui.outside.join("page.html"),
        &ui.dir.join("docs/index.html"),
    );
    // A link that stays inside is fine.
    link(&ui.dir.join("style.css"), &ui.dir.join("alias.css"));
    let serve = common::serve_ui(&ui.dir, &["--no-sandbox"]).await;
    let addr = serve.addr;
    let host = addr.to_string();
    for path in [
        "/.env",
        "/.git/config",
        "/%2egit/config",
        "/.git/",
        "/etc/passwd",
        "/passwd.txt",
        "/docs/",
        "/%2e%2e/outside/passwd",
    ] {
        let reply = exchange(addr, &get(path, &host)).await;
        assert_eq!(reply.status, 404, "{path}: {}\n{}", reply.head, reply.body);
        assert!(
            !reply.body.contains("secret"),
            "{path} leaked: {}",
            reply.body
        );
        assert!(
            reply.body.contains("--ui"),
            "{path}: the 404 says why: {}",
            reply.body
        );
    }
    // The gzip copy is a link out of --ui: the file is not served at all.
    let request = format!("GET /sub.css HTTP/1.1\r\nHost: {host}\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n");
    let reply = exchange(addr, &request).await;
    assert_eq!(
        reply.status, 404,
        "/sub.css with a linked .gz: {}",
        reply.head
    );
    let reply = exchange(addr, &get("/alias.css", &host)).await;
    assert_eq!(reply.status, 200, "a link inside --ui: {}", reply.head);
    assert_eq!(reply.body, "body{}");
    serve.task.abort();
    ui.remove();
}
