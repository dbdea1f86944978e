//! `GET /api/messages?q=…`: the sandbox's messages searched by the core's query (decoded From,
//! To, Subject, envelope addresses and decoded text parts), with messages sent by swaks.

mod common;

use common::sandbox::*;
use common::*;

/// `q` percent-encoded for a query string (every byte outside unreserved characters).
fn encoded(q: &str) -> String {
    q.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn ids(addr: std::net::SocketAddr, q: &str) -> Vec<u64> {
    let body = api(addr, "GET", &format!("/api/messages?q={}", encoded(q)), 200).await;
    let json: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
    json["messages"]
        .as_array()
        .map(|a| a.iter().filter_map(|m| m["id"].as_u64()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn messages_are_found_by_what_a_reader_sees() {
    let server = serve(&[]).await;
    let smtp = sandbox_addr(&server);
    // 1: an EUC-KR From and a base64 UTF-8 body; 2: plain; 3: the word only in an attachment.
    let bodies = [
        ("bob@example.org", "From: =?EUC-KR?B?yKux5rW/?= <hong@example.kr>\r\nTo: bob@example.org\r\nSubject: =?UTF-8?Q?Quarterly_report?=\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\nSW52b2ljZSDsoJXsgrA=\r\n"),
        ("carol@example.net", "From: alice@example.org\r\nTo: carol@example.net\r\nSubject: lunch\r\n\r\nSee you at noon.\r\n"),
        ("dave@example.net", "From: alice@example.org\r\nTo: dave@example.net\r\nSubject: files\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nattached\r\n--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=i.txt\r\n\r\ninvoice in a file\r\n--b--\r\n"),
    ];
    for (to, data) in bodies {
        let (ok, out) = swaks(smtp, &["--to", to, "--data", data]).await;
        assert!(ok, "{out}");
    }
    assert_eq!(messages(server.addr).await.len(), 3);
    let addr = server.addr;
    assert_eq!(ids(addr, "").await, [1, 2, 3], "an empty query lists all");
    assert_eq!(ids(addr, "from:홍길동").await, [1], "decoded EUC-KR From");
    assert_eq!(
        ids(addr, "invoice").await,
        [1],
        "decoded base64 body; attachments not searched"
    );
    assert_eq!(ids(addr, "정산").await, [1]);
    assert_eq!(ids(addr, "from:alice to:carol").await, [2], "every term");
    assert_eq!(
        ids(addr, "to:example.net").await,
        [2, 3],
        "envelope recipients"
    );
    assert_eq!(ids(addr, "subject:\"quarterly report\"").await, [1]);
    assert!(ids(addr, "nothing-like-this").await.is_empty());
    let (status, body) = http(
        addr,
        "GET",
        &format!("/api/messages?q={}", encoded("subject:\"open")),
        Some(TOKEN),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        String::from_utf8_lossy(&body).contains("closing"),
        "says what is wrong: {}",
        String::from_utf8_lossy(&body)
    );
    let (status, _) = http(addr, "GET", "/api/messages?q=x", None).await;
    assert_eq!(status, 403, "the token guards searches too");
}
