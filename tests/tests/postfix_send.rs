//! `mailscope send` (the binary) into a real private Postfix on its three listeners, the
//! delivered Maildir file compared with the message sent.

use std::process::Command;

use mailscope_e2e::postfix::{delivered_intact, Postfix, PASSWORD, USER};
use mailscope_e2e::Serve;

fn send(args: &[&str]) -> (i32, String) {
    let bin = std::env::var_os("MAILSCOPE_BIN").expect("MAILSCOPE_BIN is set by cargo xtask test");
    let out = Command::new(bin)
        .arg("send")
        .args(args)
        .env("RUST_LOG", "off")
        .output()
        .expect("run mailscope send");
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn message(subject: &str) -> Vec<u8> {
    format!(
        "From: <alice@example.test>\r\nTo: <bob@example.test>\r\nSubject: {subject}\r\nDate: Sun, 22 Nov 2026 18:00:00 +0000\r\nMessage-ID: <{subject}@mailscope.test>\r\n\r\nBody line.\r\n.leading dot survives stuffing\r\n"
    )
    .into_bytes()
}

#[test]
fn send_into_postfix_on_all_three_ports() {
    let pf = Postfix::start();
    let ca = pf.dir.join("etc/cert.pem");
    let ca = ca.to_str().unwrap();
    let dir = pf.dir.join("sent");
    std::fs::create_dir_all(&dir).unwrap();
    let cases = [
        ("plain-starttls", pf.smtp, "starttls", false),
        ("submission", pf.submission, "starttls", true),
        ("implicit", pf.smtps, "implicit", true),
    ];
    for (i, (name, addr, tls, auth)) in cases.iter().enumerate() {
        let body = message(name);
        let file = dir.join(format!("{name}.eml"));
        std::fs::write(&file, &body).unwrap();
        let server = addr.to_string();
        let mut args = vec![
            "--server",
            &server,
            "--from",
            USER,
            "--to",
            "bob@example.test",
            "--tls",
            tls,
            "--ca",
            ca,
            "--helo",
            "client.test",
            "--pipelining",
        ];
        let file_arg = file.to_str().unwrap().to_string();
        args.extend(["--data", &file_arg]);
        if *auth {
            args.extend(["--auth", "plain", "--user", USER, "--password", PASSWORD]);
        }
        let (code, out) = send(&args);
        assert_eq!(code, 0, "{name}: {out}\n{}", pf.log());
        assert!(out.contains("Certificate verified"), "{name}: {out}");
        let got = pf.wait_for("bob", i + 1);
        let delivered = got
            .iter()
            .find(|m| String::from_utf8_lossy(m).contains(&format!("Subject: {name}\n")))
            .unwrap_or_else(|| panic!("{name} not delivered"));
        assert!(
            delivered_intact(delivered, &body),
            "{name}: delivered differs:\n{}",
            String::from_utf8_lossy(delivered)
        );
    }
    // Submission without AUTH is refused; Postfix delays the refusal to RCPT
    // (smtpd_delay_reject), so every recipient is refused (exit 10).
    let server = pf.submission.to_string();
    let (code, out) = send(&[
        "--server",
        &server,
        "--from",
        USER,
        "--to",
        "bob@example.test",
        "--tls",
        "starttls",
        "--ca",
        ca,
    ]);
    assert_eq!(code, 10, "{out}");
    assert!(out.contains("554 5.7.1"), "{out}");
    // Without --ca the self-signed certificate stops send (exit 4).
    let (code, out) = send(&[
        "--server",
        &server,
        "--to",
        "bob@example.test",
        "--tls",
        "starttls",
    ]);
    assert_eq!(code, 4, "{out}");
}

#[test]
fn send_via_the_relay_into_postfix_on_all_three_ports() {
    let pf = Postfix::start();
    let ca = pf.dir.join("etc/cert.pem");
    let ca = ca.to_str().unwrap();
    let targets: Vec<String> = [pf.smtp, pf.submission, pf.smtps]
        .iter()
        .map(|a| a.to_string())
        .collect();
    let serve = Serve::start(&[
        "--allow-target",
        &targets[0],
        "--allow-target",
        &targets[1],
        "--allow-target",
        &targets[2],
        "--ca",
        ca,
    ]);
    let dir = pf.dir.join("sent-via");
    std::fs::create_dir_all(&dir).unwrap();
    let cases = [
        ("via-starttls", &targets[0], "starttls", false),
        ("via-submission", &targets[1], "starttls", true),
        ("via-implicit", &targets[2], "implicit", true),
    ];
    for (i, (name, server, tls, auth)) in cases.iter().enumerate() {
        let body = message(name);
        let file = dir.join(format!("{name}.eml"));
        std::fs::write(&file, &body).unwrap();
        let file_arg = file.to_str().unwrap().to_string();
        let mut args = vec![
            "--server",
            server,
            "--from",
            USER,
            "--to",
            "bob@example.test",
            "--tls",
            tls,
            "--data",
            &file_arg,
            "--via",
            &serve.url,
            "--token",
            &serve.token,
        ];
        if *auth {
            args.extend(["--auth", "login", "--user", USER, "--password", PASSWORD]);
        }
        let (code, out) = send(&args);
        assert_eq!(code, 0, "{name}: {out}\n{}", pf.log());
        assert!(out.contains("through the relay"), "{name}: {out}");
        assert!(out.contains("Certificate verified"), "{name}: {out}");
        let got = pf.wait_for("bob", i + 1);
        let delivered = got
            .iter()
            .find(|m| String::from_utf8_lossy(m).contains(&format!("Subject: {name}\n")))
            .unwrap_or_else(|| panic!("{name} not delivered"));
        assert!(delivered_intact(delivered, &body), "{name}");
    }
}
