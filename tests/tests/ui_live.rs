//! Live sessions in the Session view, end to end: real Chromium, a real `mailscope serve` with
//! its sandbox, and a real Postfix. The page's own client session talks through the relay:
//! STARTTLS (the self-signed certificate shows as untrusted → continue anyway), AUTH PLAIN, MAIL,
//! RCPT, DATA, QUIT; then the message opens in the Mailbox with its envelope and TLS/AUTH facts.
//! Also the relay's guidance when there is no token, a wrong one, or no `mailscope serve`.

use fantoccini::{Client, Locator};
use mailscope_e2e::page::{
    catch_downloads, choose, click, downloaded, scroll_to, text_of, wait_css, wait_lang, wait_text,
    wait_xpath, POLL,
};
use mailscope_e2e::postfix::{Postfix, PASSWORD, USER};
use mailscope_e2e::{Browser, Serve, READY_TIMEOUT};

async fn type_into(c: &Client, css: &str, text: &str) {
    let el = wait_css(c, css).await;
    el.clear()
        .await
        .unwrap_or_else(|e| panic!("clear {css}: {e}"));
    el.send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("type into {css}: {e}"));
}

/// Waits until the transcript holds `n` server replies, and returns the last one's wire text.
async fn wait_replies(c: &Client, n: usize) -> String {
    let xpath = "//*[@id='transcript']/li[contains(@class,'server')]";
    let deadline = std::time::Instant::now() + READY_TIMEOUT;
    loop {
        let found = c.find_all(Locator::XPath(xpath)).await.unwrap_or_default();
        if found.len() >= n {
            let last = found.last().expect("at least one");
            return last
                .find(Locator::Css("pre.wire"))
                .await
                .expect("wire text")
                .text()
                .await
                .unwrap_or_default();
        }
        if std::time::Instant::now() > deadline {
            let notes = c.find(Locator::Css(".session-transcript")).await.ok();
            let text = match notes {
                Some(n) => n.text().await.unwrap_or_default(),
                None => String::new(),
            };
            panic!("waited for {n} replies, have {}: {text}", found.len());
        }
        tokio::time::sleep(POLL).await;
    }
}

fn expect_code(reply: &str, code: &str) {
    assert!(reply.starts_with(code), "expected {code}, got {reply:?}");
}

/// Connect, EHLO, STARTTLS (untrusted certificate → continue), EHLO, AUTH PLAIN, MAIL, RCPT,
/// DATA, the message, QUIT, all by the Session view's buttons over the relay.
async fn live_session(
    c: &Client,
    shot: &str,
    browser: &Browser,
    user: &str,
    password: &str,
    rcpt: &str,
) {
    wait_css(c, "#relay-status[data-state='connected'] #relay-limits").await;
    click(c, "#session-connect").await;
    expect_code(&wait_replies(c, 1).await, "220");
    click(c, "#btn-ehlo").await;
    let ehlo = wait_replies(c, 2).await;
    assert!(ehlo.contains("STARTTLS"), "{ehlo}");
    click(c, "#btn-starttls").await;
    expect_code(&wait_replies(c, 3).await, "220");
    let panel = text_of(c, "#cert-panel[data-verified='false'] #cert-warning").await;
    assert!(panel.contains("not trusted"), "{panel}");
    let chain = text_of(c, "#cert-panel .cert-chain").await;
    assert!(chain.contains("SHA-256"), "{chain}");
    scroll_to(c, "#cert-panel").await;
    browser.screenshot(&format!("{shot}-certificate")).await;
    // Nothing goes out before the decision.
    click(c, "#btn-ehlo").await;
    wait_xpath(c, "//p[@role='alert' and contains(., 'certificate panel')]").await;
    click(c, "#cert-continue").await;
    click(c, "#btn-ehlo").await;
    let ehlo = wait_replies(c, 4).await;
    assert!(ehlo.contains("AUTH"), "{ehlo}");
    type_into(c, "#auth-user", user).await;
    type_into(c, "#auth-pass", password).await;
    click(c, "#btn-auth").await;
    expect_code(&wait_replies(c, 5).await, "235");
    click(c, "#btn-mail").await;
    expect_code(&wait_replies(c, 6).await, "250");
    type_into(c, "#rcpt-to", rcpt).await;
    click(c, "#btn-rcpt").await;
    expect_code(&wait_replies(c, 7).await, "250");
    click(c, "#btn-data").await;
    expect_code(&wait_replies(c, 8).await, "354");
    click(c, "#btn-send-message").await;
    expect_code(&wait_replies(c, 9).await, "250");
    click(c, "#btn-quit").await;
    expect_code(&wait_replies(c, 10).await, "221");
    let closed = text_of(c, "#relay-closed").await;
    assert!(closed.contains("the server"), "{closed}");
    // TLS markers: the replies after the handshake are marked.
    let tls_rows = c
        .find_all(Locator::XPath(
            "//*[@id='transcript']/li[.//span[@class='badge' and .='TLS']]",
        ))
        .await
        .unwrap_or_default();
    assert!(tls_rows.len() >= 12, "TLS rows: {}", tls_rows.len());
    scroll_to(c, "#relay-status").await;
    browser.screenshot(&format!("{shot}-session")).await;
}

async fn no_console_errors(browser: &Browser) {
    let errors: Vec<String> = browser
        .console_errors()
        .await
        .into_iter()
        .filter(|e| !e.contains("Failed to load resource") && !e.contains("net::ERR_"))
        .filter(|e| !e.contains("WebSocket connection to"))
        .collect();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_session_to_the_sandbox_then_the_mailbox() {
    let serve = Serve::start(&[]);
    let browser = Browser::start().await;
    let c = &browser.client;
    c.goto(&format!("{}/#/session&token={}", serve.origin, serve.token))
        .await
        .expect("open the page");
    choose(c, "#target-kind", "sandbox").await;
    choose(c, "#target-tls", "starttls").await;
    live_session(
        c,
        "live-sandbox",
        &browser,
        "demo",
        "demo",
        "bob@example.net",
    )
    .await;

    click(c, "a[href='#/mailbox']").await;
    let row = wait_text(c, "tr.mail-row", |t| t.contains("Hello")).await;
    assert!(row.contains("TLSv1."), "TLS fact: {row}");
    assert!(row.contains("AUTH demo"), "AUTH fact: {row}");
    assert!(row.contains("alice@example.org"), "decoded From: {row}");
    click(c, "tr.mail-row button.mail-open").await;
    let envelope = text_of(c, "#mailbox-envelope").await;
    assert!(envelope.contains("<alice@example.org>"), "{envelope}");
    assert!(envelope.contains("<bob@example.net>"), "{envelope}");
    assert!(envelope.contains("demo"), "AUTH user: {envelope}");
    assert!(envelope.contains("TLSv1."), "TLS: {envelope}");
    wait_text(c, "#mailbox-transcript", |t| t.contains("command STARTTLS")).await;
    let inspector = text_of(c, ".mailbox-inspector").await;
    assert!(inspector.contains("Hello, Bob."), "{inspector}");
    scroll_to(c, "#mailbox-detail").await;
    browser.screenshot("live-mailbox-open").await;
    no_console_errors(&browser).await;
    browser.close().await;
}

/// Bug 10 of the explorer issue, page side: the sandbox's self-signed certificate, trusted
/// once on this browser, is accepted without asking in the next session (and says so); the
/// certificate itself can be downloaded from the panel.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_trusted_on_this_browser_is_not_asked_about_again() {
    let serve = Serve::start(&[]);
    let browser = Browser::start().await;
    let c = &browser.client;
    c.goto(&format!("{}/#/session&token={}", serve.origin, serve.token))
        .await
        .expect("open the page");
    choose(c, "#target-kind", "sandbox").await;
    choose(c, "#target-tls", "starttls").await;
    wait_css(c, "#relay-status[data-state='connected'] #relay-limits").await;
    catch_downloads(c).await;
    let handshake = || async {
        click(c, "#session-connect").await;
        expect_code(&wait_replies(c, 1).await, "220");
        click(c, "#btn-ehlo").await;
        expect_code(&wait_replies(c, 2).await, "250");
        click(c, "#btn-starttls").await;
        expect_code(&wait_replies(c, 3).await, "220");
    };
    handshake().await;
    wait_css(c, "#cert-panel[data-verified='false'] #cert-trust").await;
    click(c, "#cert-download").await;
    let (name, pem) = downloaded(c).await;
    assert_eq!(name, "sandbox.mailscope.test.pem");
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
    click(c, "#cert-trust").await;
    click(c, "#btn-ehlo").await;
    assert!(wait_replies(c, 4).await.contains("AUTH"));
    click(c, "#btn-quit").await;
    expect_code(&wait_replies(c, 5).await, "221");

    // The next session: the same certificate goes on by itself.
    handshake().await;
    let pinned = text_of(c, "#cert-panel[data-verified='false'] #cert-pinned").await;
    assert!(
        pinned.contains("trust exactly this certificate"),
        "{pinned}"
    );
    assert!(
        c.find(Locator::Css("#cert-trust")).await.is_err(),
        "no question asked"
    );
    click(c, "#btn-ehlo").await;
    assert!(wait_replies(c, 4).await.contains("AUTH"));
    let stored = c
        .execute(
            "return localStorage.getItem('mailscope.trusted-certificates')",
            vec![],
        )
        .await
        .expect("read localStorage");
    // Kept as `name fingerprint`: the name the certificate was presented for (the SNI the
    // relay sent for the sandbox) and the leaf's SHA-256 the panel shows.
    let leaf = text_of(c, "#cert-panel .cert-chain .fingerprint").await;
    assert!(
        stored
            .as_str()
            .is_some_and(|s| s.trim_end() == format!("localhost {leaf}")),
        "{stored} vs {leaf}"
    );
    scroll_to(c, "#cert-panel").await;
    browser.screenshot("live-cert-trusted").await;
    choose(c, "#lang-switch", "ko").await;
    wait_lang(c, "ko").await;
    wait_xpath(c, "//*[@id='cert-pinned'][contains(., '신뢰')]").await;
    browser.screenshot("live-cert-trusted-ko").await;
    no_console_errors(&browser).await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_session_to_postfix_submission() {
    let pf = Postfix::start();
    let serve = Serve::start(&["--allow-target", &pf.submission.to_string()]);
    let browser = Browser::start().await;
    let c = &browser.client;
    c.goto(&serve.url).await.expect("open the page");
    choose(c, "#target-kind", "host").await;
    type_into(c, "#target-host", "127.0.0.1").await;
    type_into(c, "#target-port", &pf.submission.port().to_string()).await;
    choose(c, "#target-tls", "starttls").await;
    live_session(
        c,
        "live-postfix",
        &browser,
        USER,
        PASSWORD,
        "bob@example.test",
    )
    .await;
    let got = pf.wait_for("bob", 1);
    let text = String::from_utf8_lossy(&got[0]);
    assert!(text.contains("Hello, Bob."), "{text}");
    no_console_errors(&browser).await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_guidance_without_token_with_a_wrong_token_and_when_serve_is_gone() {
    let serve = Serve::start(&[]);
    let browser = Browser::start().await;
    let c = &browser.client;

    // No token: the page was not opened from the URL serve printed. The in-browser server
    // needs no relay, so nothing is said until a relay target is chosen.
    c.goto(&format!("{}/#/session", serve.origin))
        .await
        .expect("open the page");
    wait_css(c, "#target-kind").await;
    assert!(
        c.find(Locator::Css("#relay-status")).await.is_err(),
        "no relay guidance for the in-browser server"
    );
    choose(c, "#target-kind", "sandbox").await;
    let guide = text_of(c, "#relay-status[data-state='no-token']").await;
    assert!(guide.contains("#token="), "{guide}");
    assert!(guide.contains("mailscope serve"), "{guide}");
    assert!(guide.contains("cargo xtask run"), "{guide}");
    browser.screenshot("live-relay-no-token").await;
    // The same guidance in Korean.
    choose(c, "#lang-switch", "ko").await;
    wait_lang(c, "ko").await;
    let guide = text_of(c, "#relay-status[data-state='no-token']").await;
    assert!(guide.contains("릴레이 토큰이 없습니다"), "{guide}");
    assert!(guide.contains("cargo xtask run"), "{guide}");
    browser.screenshot("live-relay-no-token-ko").await;
    choose(c, "#lang-switch", "en").await;
    wait_lang(c, "en").await;

    // A wrong token: the relay refuses the upgrade; the API says why.
    c.goto(&format!(
        "{}/#/session&token=wrong-token-0123456789abcdef",
        serve.origin
    ))
    .await
    .expect("open the page");
    c.refresh().await.expect("reload with the wrong token");
    choose(c, "#target-kind", "sandbox").await;
    let guide = text_of(c, "#relay-status[data-state='refused']").await;
    assert!(guide.contains("#token="), "{guide}");
    browser.screenshot("live-relay-bad-token").await;

    // The right token, then serve goes away.
    c.goto(&serve.url).await.expect("open the page");
    c.refresh().await.expect("reload with the token");
    // A target the relay's policy refuses: the error code comes with what to do.
    choose(c, "#target-kind", "host").await;
    wait_css(c, "#relay-status[data-state='connected']").await;
    type_into(c, "#target-host", "127.0.0.1").await;
    type_into(c, "#target-port", "25").await;
    click(c, "#session-connect").await;
    let denied = text_of(c, "#relay-error[data-code='policy_denied']").await;
    assert!(denied.contains("--allow-target"), "{denied}");
    scroll_to(c, "#relay-status").await;
    browser.screenshot("live-relay-policy-denied").await;
    drop(serve);
    let closed = text_of(c, "#relay-status[data-state='closed']").await;
    assert!(closed.contains("reconnect"), "{closed}");
    click(c, "#relay-reconnect").await;
    let guide = text_of(c, "#relay-status[data-state='not-running']").await;
    assert!(guide.contains("mailscope serve"), "{guide}");
    assert!(guide.contains("cargo xtask run"), "{guide}");
    // A relay target cannot connect now: the reason is shown, nothing is sent.
    choose(c, "#target-kind", "sandbox").await;
    click(c, "#session-connect").await;
    wait_xpath(
        c,
        "//p[@role='alert' and contains(., 'relay is not connected')]",
    )
    .await;
    browser.screenshot("live-relay-not-running").await;
    browser.close().await;
}

/// "Send to the sandbox" from the composer: the Session view opens on the sandbox with the
/// message's envelope, runs the whole SMTP session through the relay, and the message arrives
/// in the Mailbox with its decoded Korean subject.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_composed_message_is_sent_to_the_sandbox_through_the_session_view() {
    let serve = Serve::start(&[]);
    let browser = Browser::start().await;
    let c = &browser.client;
    c.goto(&format!("{}/#/message&token={}", serve.origin, serve.token))
        .await
        .expect("open the page");
    click(c, "#tab-compose").await;
    wait_css(c, "#compose-send-sandbox:not([disabled])").await;
    click(c, "#compose-send-sandbox").await;
    let note = text_of(c, "#handoff-note").await;
    assert!(
        note.contains("from chulsoo@example.kr to 1 recipient"),
        "{note}"
    );
    wait_css(c, "#relay-status[data-state='connected']").await;
    click(c, "#handoff-send").await;
    let last = wait_replies(c, 6).await;
    expect_code(&last, "2");
    wait_xpath(
        c,
        "//*[@id='transcript']//pre[contains(@class,'wire') and starts-with(., '221')]",
    )
    .await;
    browser.screenshot("live-composer-to-sandbox").await;
    click(c, "a[href='#/mailbox']").await;
    let row = wait_text(c, "tr.mail-row", |t| t.contains("안녕하세요")).await;
    assert!(row.contains("chulsoo@example.kr"), "{row}");
    no_console_errors(&browser).await;
    browser.close().await;
}
