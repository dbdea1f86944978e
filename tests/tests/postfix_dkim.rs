//! DKIM, SPF and DMARC end to end with real parts only, on loopback: NSD serves the test zone
//! (the DKIM key record made at test time, SPF, DMARC); Postfix signs with two OpenDKIM
//! milters (`c=relaxed/simple` on one listener, `c=simple/simple` on another) and relays into
//! the sandbox of `mailscope serve`; `mailscope auth --dns` checks the stored messages and
//! tampered copies, and OpenDKIM's own verifier must agree on every DKIM verdict.

use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};

use mailscope_e2e::api::{raw, wait_for_messages};
use mailscope_e2e::daemon::Scratch;
use mailscope_e2e::nsd::Nsd;
use mailscope_e2e::opendkim::{self, Key, Milter};
use mailscope_e2e::postfix::{Extra, Postfix};
use mailscope_e2e::{free_port, Serve};
use mailscope_testkit::env_path;
use serde_json::Value;

const DOMAIN: &str = "example.test";
const SELECTOR: &str = "e2e";
const SENDER: &str = "alice@example.test";

fn message(canonicalization: &str) -> String {
    format!(
        "From: Alice <{SENDER}>\r\n\
         To: Bob <bob@remote.test>\r\n\
         Subject: signed with {canonicalization}\r\n\
         Date: Mon, 07 Dec 2026 12:00:00 +0000\r\n\
         Message-ID: <{}@example.test>\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         \r\n\
         Signed by OpenDKIM on the way out.\r\n\
         Second line.\r\n",
        canonicalization.replace('/', "-")
    )
}

/// Sends `body` into Postfix at `server` with swaks.
fn swaks(dir: &Path, server: SocketAddr, body: &str) {
    let file = dir.join(format!("message-{}.eml", server.port()));
    std::fs::write(&file, body).expect("write the message");
    let out = Command::new("swaks")
        .args(["--server", &server.ip().to_string()])
        .args(["--port", &server.port().to_string()])
        .args(["--helo", "client.test", "--from", SENDER])
        .args(["--to", "bob@remote.test", "--data"])
        .arg(&file)
        .output()
        .expect("run swaks (cargo xtask test installs it)");
    assert!(
        out.status.success(),
        "swaks into {server} failed:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// `mailscope serve` whose sandbox checks what it takes (`--sandbox-auth`, DNS from `nsd`), and
/// Postfix relaying into it, signing with `milter` on its main listener and, when given, with
/// `other` on one more listener (`Postfix::extra[0]`).
fn serve_and_postfix(nsd: &Nsd, milter: &Milter, other: Option<&Milter>) -> (Serve, Postfix) {
    let sandbox = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let dns = nsd.addr.to_string();
    let serve = Serve::start(&[
        "--sandbox",
        &sandbox.to_string(),
        "--sandbox-auth",
        "--dns",
        &dns,
    ]);
    let main_cf = format!(
        "relayhost = [127.0.0.1]:{}
smtp_dns_support_level = disabled
smtp_host_lookup = native
smtpd_milters = inet:{}
milter_default_action = tempfail
",
        sandbox.port(),
        milter.addr
    );
    let listener = other.map(|m| format!("-o smtpd_milters=inet:{}", m.addr));
    let listeners: Vec<&str> = listener.iter().map(String::as_str).collect();
    let pf = Postfix::start_with(&Extra {
        main_cf: &main_cf,
        listeners: &listeners,
    });
    (serve, pf)
}

/// The SMTP client's envelope as the sandbox recorded it: (ip, helo, mail from).
struct Envelope {
    ip: String,
    helo: String,
    mail_from: String,
}

/// `mailscope auth - --dns DNS --ip … --helo … --mail-from … --json` on `message`.
fn auth(message: &[u8], dns: SocketAddr, env: &Envelope) -> Value {
    let mut child = Command::new(env_path("MAILSCOPE_BIN"))
        .args(["auth", "-", "--dns", &dns.to_string(), "--json"])
        .args([
            "--ip",
            &env.ip,
            "--helo",
            &env.helo,
            "--mail-from",
            &env.mail_from,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run mailscope auth");
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(message)
        .expect("write the message to mailscope auth");
    let out = child.wait_with_output().expect("wait for mailscope auth");
    assert!(
        out.status.success(),
        "mailscope auth exited {}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "mailscope auth --json: {e}\n{}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// `message` with `from` replaced by `to`, which must occur exactly once.
fn edit(message: &[u8], from: &str, to: &str) -> Vec<u8> {
    let text = String::from_utf8(message.to_vec()).expect("an ASCII message");
    assert_eq!(text.matches(from).count(), 1, "{from:?} in:\n{text}");
    text.replacen(from, to, 1).into_bytes()
}

/// The one DKIM verdict of a report, checked to be for the test's signature.
fn dkim(report: &Value) -> &Value {
    let all = report["dkim"].as_array().expect("dkim[]");
    assert_eq!(all.len(), 1, "one signature: {report:#}");
    let d = &all[0];
    assert_eq!(d["domain"], DOMAIN, "{d:#}");
    assert_eq!(d["selector"], SELECTOR, "{d:#}");
    assert_eq!(d["algorithm"], "rsa-sha256", "{d:#}");
    d
}

/// The first step that failed, and the message text the verdict's span points at.
fn failed_step<'a>(d: &'a Value, wire: &[u8]) -> (&'a str, String) {
    let steps = d["steps"].as_array().expect("steps");
    let first = steps
        .iter()
        .find(|s| s["ok"] == false)
        .unwrap_or_else(|| panic!("a failed step: {d:#}"));
    let span = &d["span"];
    let (start, end) = (
        span["start"].as_u64().expect("span start") as usize,
        span["end"].as_u64().expect("span end") as usize,
    );
    (
        first["title"].as_str().expect("a title"),
        String::from_utf8_lossy(&wire[start..end]).into_owned(),
    )
}

/// The text of tag `name` in the DKIM-Signature field (unfolded).
fn tag(message: &[u8], name: &str) -> String {
    let text = String::from_utf8_lossy(message);
    let start = text
        .find("DKIM-Signature:")
        .expect("a DKIM-Signature field");
    let field: String = text[start..]
        .split("\r\n")
        .enumerate()
        .take_while(|(i, l)| *i == 0 || l.starts_with([' ', '\t']))
        .map(|(_, l)| l)
        .collect();
    let field = field.trim_start_matches("DKIM-Signature:");
    field
        .split(';')
        .find_map(|t| {
            let (k, v) = t.split_once('=')?;
            (k.trim() == name).then(|| v.split_whitespace().collect())
        })
        .unwrap_or_else(|| panic!("no {name}= in {field}"))
}

/// Runs both verifiers, each in a directory of its own under the scratch directory.
struct Checker<'a> {
    scratch: &'a Path,
    nsd: &'a Nsd,
    env: Envelope,
    runs: usize,
}

impl Checker<'_> {
    /// Mailscope's report on `message`, whose DKIM verdict must agree with OpenDKIM's on
    /// pass/fail.
    fn check(&mut self, label: &str, message: &[u8]) -> Value {
        self.runs += 1;
        let report = auth(message, self.nsd.addr, &self.env);
        let ours = dkim(&report)["result"]
            .as_str()
            .expect("a result")
            .to_string();
        let theirs = opendkim::verify(
            &self.scratch.join(format!("verify-{}", self.runs)),
            self.nsd.addr,
            DOMAIN,
            message,
        );
        assert_eq!(
            ours == "pass",
            theirs.pass,
            "{label}: Mailscope says {ours}, OpenDKIM says {:?}",
            theirs.line
        );
        eprintln!("{label}: mailscope {ours}; {}", theirs.line);
        report
    }
}

#[test]
fn postfix_signs_with_opendkim_and_mailscope_auth_verifies_through_nsd() {
    let scratch = Scratch::new("dkim");
    let key = Key::generate(&scratch.dir.join("key"), DOMAIN, SELECTOR);
    let nsd = Nsd::start(
        &scratch.dir.join("nsd"),
        DOMAIN,
        &format!(
            "@ TXT \"v=spf1 ip4:127.0.0.1 -all\"\n\
             _dmarc TXT \"v=DMARC1; p=reject; adkim=s; aspf=s\"\n\
             {}",
            key.record
        ),
    );
    let relaxed = Milter::start(&scratch.dir.join("relaxed"), &key, "relaxed/simple");
    let simple = Milter::start(&scratch.dir.join("simple"), &key, "simple/simple");
    // The sandbox checks what it takes and says so in its Authentication-Results field.
    let (serve, pf) = serve_and_postfix(&nsd, &relaxed, Some(&simple));
    swaks(&scratch.dir, pf.smtp, &message("relaxed/simple"));
    swaks(&scratch.dir, pf.extra[0], &message("simple/simple"));

    let stored = wait_for_messages(&serve, 2, || format!("Postfix log:\n{}", pf.log()));
    let mut by_canon = std::collections::HashMap::new();
    let mut env = None;
    for meta in &stored {
        let bytes = raw(&serve, meta["id"].as_u64().expect("an id"));
        let c = tag(&bytes, "c");
        assert!(
            String::from_utf8_lossy(&bytes).contains(&format!("Subject: signed with {c}\r\n")),
            "signed with the listener's milter:\n{}",
            String::from_utf8_lossy(&bytes)
        );
        env = Some(Envelope {
            ip: meta["peer"]
                .as_str()
                .and_then(|p| p.parse::<SocketAddr>().ok())
                .expect("peer IP:PORT")
                .ip()
                .to_string(),
            helo: meta["helo"].as_str().expect("a HELO name").to_string(),
            mail_from: meta["envelope"]["from"]
                .as_str()
                .expect("MAIL FROM")
                .to_string(),
        });
        by_canon.insert(c, bytes);
    }
    let env = env.expect("a message");
    assert_eq!(
        (env.ip.as_str(), env.helo.as_str(), env.mail_from.as_str()),
        ("127.0.0.1", "mail.test", SENDER)
    );
    let relaxed_msg = by_canon
        .remove("relaxed/simple")
        .expect("the relaxed/simple message");
    let simple_msg = by_canon
        .remove("simple/simple")
        .expect("the simple/simple message");
    for m in [&relaxed_msg, &simple_msg] {
        assert_eq!(tag(m, "d"), DOMAIN);
        assert_eq!(tag(m, "s"), SELECTOR);
    }
    let mut checker = Checker {
        scratch: &scratch.dir,
        nsd: &nsd,
        env,
        runs: 0,
    };

    // As delivered: DKIM passes, SPF passes for 127.0.0.1, DMARC passes aligned both ways; the
    // sandbox's own field on top says the same, and `mailscope auth` agrees with it.
    for (label, m) in [
        ("relaxed/simple", &relaxed_msg),
        ("simple/simple", &simple_msg),
    ] {
        let text = String::from_utf8_lossy(m);
        assert!(
            text.starts_with(&format!(
                "Authentication-Results: sandbox.mailscope.test;\r\n\tdkim=pass header.d={DOMAIN} header.s={SELECTOR};\r\n\tspf=pass smtp.mailfrom={SENDER};\r\n\tdmarc=pass header.from={DOMAIN}\r\n"
            )),
            "{label}: the sandbox's verdicts on top:\n{text}"
        );
        let report = checker.check(label, m);
        let stated = &report["authentication_results"][0];
        assert_eq!(stated["parsed"]["authserv_id"], "sandbox.mailscope.test");
        let agree: Vec<_> = stated["comparisons"]
            .as_array()
            .expect("comparisons")
            .iter()
            .map(|c| (c["method"].clone(), c["agrees"].clone()))
            .collect();
        assert_eq!(
            agree,
            [
                ("dkim".into(), true.into()),
                ("spf".into(), true.into()),
                ("dmarc".into(), true.into())
            ],
            "{label}: {stated:#}"
        );
        let d = dkim(&report);
        assert_eq!(d["result"], "pass", "{label}: {d:#}");
        assert_eq!(d["reason"], "signed by example.test", "{label}");
        assert_eq!(d["key"]["name"], "e2e._domainkey.example.test", "{label}");
        assert_eq!(d["key"]["bits"], 2048, "{label}");
        assert_eq!(
            report["spf"]["result"], "pass",
            "{label}: {:#}",
            report["spf"]
        );
        assert_eq!(report["spf"]["domain"], DOMAIN, "{label}");
        let dmarc = &report["dmarc"];
        assert_eq!(dmarc["result"], "pass", "{label}: {dmarc:#}");
        assert_eq!(dmarc["policy"], "reject", "{label}");
        assert_eq!(
            (&dmarc["adkim"], &dmarc["aspf"]),
            (&"strict".into(), &"strict".into())
        );
        assert_eq!(dmarc["dkim"][0]["aligned"], true, "{label}: {dmarc:#}");
        assert_eq!(dmarc["spf"]["aligned"], true, "{label}: {dmarc:#}");
    }

    // One body byte changed: the body hash fails, the span is bh=.
    let body_edit = edit(&relaxed_msg, "Second line.", "Second lime.");
    let report = checker.check("body byte", &body_edit);
    let d = dkim(&report);
    assert_eq!(d["result"], "fail", "{d:#}");
    assert_eq!(
        d["reason"],
        "the body hash did not verify: the body was changed after signing"
    );
    let (step, at) = failed_step(d, &body_edit);
    assert!(step.starts_with("Hash the canonical body"), "{step}");
    assert_eq!(
        at.split_whitespace().collect::<String>(),
        tag(&relaxed_msg, "bh")
    );
    assert_ne!(d["body_hash"]["expected"], d["body_hash"]["computed"]);
    // SPF still passes and is aligned, so DMARC passes; from another IP it fails and the
    // policy says reject.
    assert_eq!(report["spf"]["result"], "pass");
    assert_eq!(report["dmarc"]["result"], "pass", "{:#}", report["dmarc"]);
    let elsewhere = Envelope {
        ip: "192.0.2.1".into(),
        helo: checker.env.helo.clone(),
        mail_from: checker.env.mail_from.clone(),
    };
    let report = auth(&body_edit, nsd.addr, &elsewhere);
    assert_eq!(report["spf"]["result"], "fail", "{:#}", report["spf"]);
    let dmarc = &report["dmarc"];
    assert_eq!(dmarc["result"], "fail", "{dmarc:#}");
    assert_eq!(dmarc["disposition"], "reject", "{dmarc:#}");

    // One byte of a signed header field changed: the signature fails, the span is b=.
    let header_edit = edit(&relaxed_msg, "Subject: signed with", "Subject: signed With");
    let report = checker.check("signed header byte", &header_edit);
    let d = dkim(&report);
    assert_eq!(d["result"], "fail", "{d:#}");
    assert_eq!(
        d["reason"],
        "the signature did not verify: a signed header field was changed (or the key does not match)"
    );
    let (step, at) = failed_step(d, &header_edit);
    assert!(step.starts_with("Verify b="), "{step}");
    assert_eq!(
        at.split_whitespace().collect::<String>(),
        tag(&relaxed_msg, "b")
    );

    // The signed Subject refolded: relaxed header canonicalization unfolds it, simple does not.
    let refold = |m: &[u8], c: &str| {
        edit(
            m,
            &format!("Subject: signed with {c}\r\n"),
            &format!("Subject: signed\r\n\twith  {c}\r\n"),
        )
    };
    let report = checker.check("refolded, relaxed", &refold(&relaxed_msg, "relaxed/simple"));
    assert_eq!(dkim(&report)["result"], "pass", "{report:#}");
    let refolded = refold(&simple_msg, "simple/simple");
    let report = checker.check("refolded, simple", &refolded);
    let d = dkim(&report);
    assert_eq!(d["result"], "fail", "{d:#}");
    assert!(
        failed_step(d, &refolded).0.starts_with("Verify b="),
        "{d:#}"
    );

    // Trailing white space on a body line: simple body canonicalization keeps it.
    let spaced = edit(&simple_msg, "Second line.\r\n", "Second line. \r\n");
    let report = checker.check("body white space, simple", &spaced);
    let d = dkim(&report);
    assert_eq!(d["result"], "fail", "{d:#}");
    assert!(
        failed_step(d, &spaced)
            .0
            .starts_with("Hash the canonical body"),
        "{d:#}"
    );
}

/// The same real parts, seen in the Mailbox in Chromium: Postfix signs with OpenDKIM and relays
/// into the sandbox, which checks the message (`--sandbox-auth`, NSD through `--dns`) and puts
/// its Authentication-Results field on top. The message's Authenticity panel has the session's
/// IP, HELO and MAIL FROM filled in; with the reader's opt-in lookups through `mailscope serve`
/// (to the same NSD) DKIM, SPF and DMARC pass, and the panel sets the sandbox's stated results
/// beside its own: they agree. English, then Korean, with screenshots.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mailbox_verifies_what_postfix_signed_and_agrees_with_the_sandbox() {
    use mailscope_e2e::page::{choose, click, open_app, page_errors, scroll_to, wait_lang};
    use mailscope_e2e::page::{value_of, wait_text, wait_xpath};
    use mailscope_e2e::Browser;

    let scratch = Scratch::new("dkim-mailbox");
    let key = Key::generate(&scratch.dir.join("key"), DOMAIN, SELECTOR);
    let nsd = Nsd::start(
        &scratch.dir.join("nsd"),
        DOMAIN,
        &format!(
            "@ TXT \"v=spf1 ip4:127.0.0.1 -all\"\n_dmarc TXT \"v=DMARC1; p=reject\"\n{}",
            key.record
        ),
    );
    let milter = Milter::start(&scratch.dir.join("milter"), &key, "relaxed/relaxed");
    let (serve, pf) = serve_and_postfix(&nsd, &milter, None);
    let (dir, smtp) = (scratch.dir.clone(), pf.smtp);
    tokio::task::spawn_blocking(move || swaks(&dir, smtp, &message("relaxed/relaxed")))
        .await
        .expect("swaks task");
    wait_for_messages(&serve, 1, || format!("Postfix log:\n{}", pf.log()));

    let browser = Browser::start().await;
    let c = &browser.client;
    open_app(c, &serve.url).await;
    click(c, "a[href='#/mailbox']").await;
    wait_xpath(
        c,
        "//tr[contains(@class,'mail-row')]//button[normalize-space()='signed with relaxed/relaxed']",
    )
    .await
    .click()
    .await
    .expect("open the message");
    click(c, "#auth-panel > summary").await;
    let ip = value_of(c, "#auth-ip").await;
    assert_eq!(ip, "127.0.0.1", "the session's client address");
    click(c, "#auth-lookup").await;
    click(c, "#auth-check").await;
    let report = wait_text(c, "#auth-report", |t| t.contains("DMARC pass")).await;
    for want in [
        &format!("DKIM d={DOMAIN} s={SELECTOR} pass")[..],
        &format!("SPF (mailfrom {DOMAIN}) pass"),
    ] {
        assert!(report.contains(want), "{want:?} in {report}");
    }
    let stated = wait_text(c, "#auth-stated", |t| t.contains("sandbox.mailscope.test")).await;
    assert_eq!(stated.matches("Mailscope agrees").count(), 3, "{stated}");
    assert!(!stated.contains("Mailscope says"), "{stated}");
    scroll_to(c, "#auth-stated").await;
    browser.screenshot("ui-mailbox-auth-postfix").await;
    // The signed fields as received beside the block as hashed (relaxed: names lowercased).
    click(c, "#auth-report details.auth-bytes > summary").await;
    let bytes = wait_text(c, "#auth-report details.auth-bytes", |t| {
        t.contains("from:Alice")
    })
    .await;
    assert!(
        bytes.contains("From: Alice <alice@example.test>"),
        "{bytes}"
    );
    scroll_to(c, "#auth-report details.auth-bytes").await;
    browser.screenshot("ui-mailbox-auth-bytes").await;

    choose(c, "#lang-switch", "ko").await;
    wait_lang(c, "ko").await;
    let stated = wait_text(c, "#auth-stated", |t| t.contains("Mailscope도 같은 결과")).await;
    assert_eq!(
        stated.matches("Mailscope도 같은 결과").count(),
        3,
        "{stated}"
    );
    scroll_to(c, "#auth-stated").await;
    browser.screenshot("ui-mailbox-auth-postfix-ko").await;
    assert_eq!(page_errors(c).await, Vec::<String>::new());
}
