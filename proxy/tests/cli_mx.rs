//! `mailscope mx DOMAIN --dns ADDR` against a DNS server on loopback.

mod common;

use common::{dns_server, Answer};

async fn mx(args: &[&str]) -> (i32, String, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_mailscope"))
        .arg("mx")
        .args(args)
        .output()
        .await
        .expect("run mailscope mx");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn mx_prints_records_by_preference() {
    let dns = dns_server(vec![
        (
            "mx.test",
            "MX",
            Answer::Mx(vec![(20, "b.mx.test."), (10, "a.mx.test.")]),
        ),
        (
            "a.mx.test",
            "A",
            Answer::A(vec!["192.0.2.10".parse().unwrap()]),
        ),
        (
            "b.mx.test",
            "A",
            Answer::A(vec!["192.0.2.20".parse().unwrap()]),
        ),
        ("solo.test", "MX", Answer::NoData),
        (
            "solo.test",
            "A",
            Answer::A(vec!["192.0.2.30".parse().unwrap()]),
        ),
        ("gone.test", "MX", Answer::NxDomain),
    ])
    .await
    .to_string();
    let (code, out, err) = mx(&["mx.test", "--dns", &dns]).await;
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().map(str::trim).collect();
    assert_eq!(
        lines,
        vec!["10  a.mx.test  192.0.2.10", "20  b.mx.test  192.0.2.20"],
        "{out}"
    );
    let (code, out, err) = mx(&["solo.test", "--dns", &dns, "--json"]).await;
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["implicit"], true, "{json}");
    assert_eq!(json["records"][0]["exchange"], "solo.test");
    assert_eq!(json["records"][0]["addresses"][0], "192.0.2.30");
    let (code, out, err) = mx(&["gone.test", "--dns", &dns]).await;
    assert_ne!(code, 0, "NXDOMAIN must fail: {out}");
    assert!(err.contains("NXDOMAIN"), "{err}");
}

/// Bug: every failure exited 2 and `--json` printed nothing. A domain that cannot receive mail
/// (NXDOMAIN, null MX) is a defect (1); a lookup that could not be done (SERVFAIL, no resolver)
/// is "could not run" (2); `--json` prints a versioned error document either way.
#[tokio::test]
async fn mx_exit_codes_and_json_errors() {
    let dns = dns_server(vec![
        ("gone.test", "MX", Answer::NxDomain),
        ("null.test", "MX", Answer::Mx(vec![(0, ".")])),
        ("broken.test", "MX", Answer::ServFail),
    ])
    .await
    .to_string();
    for (domain, want, kind, needle) in [
        ("gone.test", 1, "answer", "NXDOMAIN"),
        ("null.test", 1, "answer", "null MX"),
        ("broken.test", 2, "lookup", "SERVFAIL"),
    ] {
        let (code, out, err) = mx(&[domain, "--dns", &dns]).await;
        assert_eq!(code, want, "{domain}: {out}{err}");
        assert!(err.contains(needle), "{domain}: {err}");
        let (code, out, err) = mx(&[domain, "--dns", &dns, "--json"]).await;
        assert_eq!(code, want, "{domain} --json: {err}");
        let doc: serde_json::Value = serde_json::from_str(out.trim())
            .unwrap_or_else(|e| panic!("{domain}: stdout is not one JSON document ({e}): {out:?}"));
        assert_eq!(doc["version"], 1, "{doc}");
        assert_eq!(doc["domain"], domain, "{doc}");
        assert_eq!(doc["exit_code"], want, "{doc}");
        assert_eq!(doc["error"]["kind"], kind, "{doc}");
        assert!(
            doc["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains(needle)),
            "{doc}"
        );
    }
    // A dead resolver: nothing listens on this loopback port.
    let dead = {
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        socket.local_addr().unwrap().to_string()
    };
    let (code, out, err) = mx(&["example.test", "--dns", &dead, "--json"]).await;
    assert_eq!(code, 2, "dead resolver: {out}{err}");
    let doc: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON document");
    assert_eq!(doc["error"]["kind"], "lookup", "{doc}");
}
