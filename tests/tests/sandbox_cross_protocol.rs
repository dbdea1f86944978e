//! HTTP → SMTP cross-protocol request forgery in real headless Chromium (issue 16, item 1): a
//! page on another origin `fetch`es the sandbox's port with `method: 'POST', mode: 'no-cors'` and
//! a body written as an SMTP transaction. Chromium sends the request line, its header lines and
//! the body in one write; the sandbox must close on the request line and store nothing.
//!
//! So that the test cannot pass because Chromium never sent anything, the same fetch first goes
//! to a recording listener, which must see the request line and the SMTP body.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use mailscope_e2e::api::messages;
use mailscope_e2e::{free_port, Browser, Serve, READY_TIMEOUT};

/// The request body: an SMTP transaction, as in the issue's repro.
const BODY: &str = "EHLO x\r\nMAIL FROM:<a@evil.test>\r\nRCPT TO:<v@sandbox.test>\r\nDATA\r\nSubject: x\r\n\r\nhi\r\n.\r\nQUIT\r\n";

/// Serves the attacker's page (any path) on a loopback port of its own, another origin than
/// the UI's; returns its URL.
fn serve_attack_page() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind the attack page");
    let port = listener.local_addr().expect("local addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                line.clear();
            }
            let page = "<!doctype html><title>evil</title><p>nothing to see";
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
                page.len()
            );
        }
    });
    format!("http://127.0.0.1:{port}/")
}

/// Listens on a free port and returns (port, a receiver of everything the first connection sent).
fn recorder() -> (u16, std::sync::mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind the recorder");
    let port = listener.local_addr().expect("local addr").port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else {
            return;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        // Until the body's last command has come (or the browser gives up).
        while !got.ends_with(b"QUIT\r\n") {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
        let _ = tx.send(String::from_utf8_lossy(&got).into_owned());
    });
    (port, rx)
}

/// Runs the attack's fetch to `port` in the page and waits for it to settle.
async fn attack(c: &fantoccini::Client, port: u16) {
    let script = r#"
        const [url, body, done] = arguments;
        fetch(url, {method: 'POST', mode: 'no-cors', body})
            .then(() => done('resolved'), e => done('rejected: ' + e));
    "#;
    c.execute_async(
        script,
        vec![
            serde_json::json!(format!("http://127.0.0.1:{port}/")),
            serde_json::json!(BODY),
        ],
    )
    .await
    .expect("the page runs the fetch");
}

/// Sends one message to the sandbox with a plain SMTP dialogue, one command per round trip.
fn send_mail(port: u16) {
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to the sandbox");
    stream
        .set_read_timeout(Some(READY_TIMEOUT))
        .expect("read timeout");
    let mut writer = stream.try_clone().expect("clone stream");
    let mut reader = BufReader::new(stream);
    let reply = |reader: &mut BufReader<TcpStream>| loop {
        let mut line = String::new();
        assert!(reader.read_line(&mut line).expect("a reply") > 0, "closed");
        if line.as_bytes().get(3) != Some(&b'-') {
            return line;
        }
    };
    assert!(reply(&mut reader).starts_with("220"));
    for (line, want) in [
        ("EHLO e2e.example.org\r\n", "250"),
        ("MAIL FROM:<after@example.org>\r\n", "250"),
        ("RCPT TO:<a@example.org>\r\n", "250"),
        ("DATA\r\n", "354"),
        ("Subject: after\r\n\r\nhi\r\n.\r\n", "250"),
        ("QUIT\r\n", "221"),
    ] {
        writer.write_all(line.as_bytes()).expect("send");
        let got = reply(&mut reader);
        assert!(got.starts_with(want), "{line:?} got {got:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_posting_smtp_to_the_sandbox_stores_nothing() {
    let smtp = free_port();
    let serve = Serve::start(&["--sandbox", &format!("127.0.0.1:{smtp}")]);
    let browser = Browser::start().await;
    let c = &browser.client;
    c.goto(&serve_attack_page())
        .await
        .expect("open the attack page");

    // Chromium sends the request line, headers and the SMTP body to a plain TCP port.
    let (port, recorded) = recorder();
    attack(c, port).await;
    let sent = recorded
        .recv_timeout(READY_TIMEOUT)
        .expect("Chromium connected to the recorder");
    assert!(sent.starts_with("POST / HTTP/1.1\r\n"), "{sent}");
    assert!(
        sent.lines().filter(|l| l.contains(": ")).count() >= 5,
        "{sent}"
    );
    assert!(sent.ends_with(BODY), "{sent}");

    // The same request to the sandbox: closed on the request line, nothing stored. Once the
    // fetch has settled Chromium has written all of it; a message sent afterwards on a new
    // connection, with several round trips, is stored after the sandbox has read those bytes.
    attack(c, smtp).await;
    tokio::task::spawn_blocking(move || send_mail(smtp))
        .await
        .expect("the SMTP client");
    let deadline = Instant::now() + READY_TIMEOUT;
    let list = loop {
        let list = messages(&serve);
        if !list.is_empty() || Instant::now() > deadline {
            break list;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let froms: Vec<&str> = list
        .iter()
        .map(|m| m["envelope"]["from"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        froms,
        ["after@example.org"],
        "the page stored a message: {list:?}"
    );
    browser.close().await;
}
