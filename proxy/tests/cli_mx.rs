//! `mailscope mx DOMAIN --dns ADDR` against a DNS server on loopback.

mod common;

use common::{dns_server, Answer};

async fn mx(args: &[&str]) -> (bool, String, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_mailscope"))
        .arg("mx")
        .args(args)
        .output()
        .await
        .expect("run mailscope mx");
    (
        out.status.success(),
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
    let (ok, out, err) = mx(&["mx.test", "--dns", &dns]).await;
    assert!(ok, "{err}");
    let lines: Vec<&str> = out.lines().map(str::trim).collect();
    assert_eq!(
        lines,
        vec!["10  a.mx.test  192.0.2.10", "20  b.mx.test  192.0.2.20"],
        "{out}"
    );
    let (ok, out, err) = mx(&["solo.test", "--dns", &dns, "--json"]).await;
    assert!(ok, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["implicit"], true, "{json}");
    assert_eq!(json["records"][0]["exchange"], "solo.test");
    assert_eq!(json["records"][0]["addresses"][0], "192.0.2.30");
    let (ok, out, err) = mx(&["gone.test", "--dns", &dns]).await;
    assert!(!ok, "NXDOMAIN must fail: {out}");
    assert!(err.contains("NXDOMAIN"), "{err}");
}
