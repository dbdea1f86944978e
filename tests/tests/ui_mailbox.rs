//! The Mailbox view in headless Chromium against `mailscope serve`: a message sent to the sandbox
//! with a real SMTP dialogue appears without a reload, its EUC-KR subject decoded; it opens with
//! its envelope, the server-side transcript and the inspector; it is deleted, then several are
//! deleted at once. The token survives navigation; without a token, and with the server gone,
//! the view says what to do, without filling the console.

use fantoccini::{Client, Locator};
use mailscope_e2e::page::{click, scroll_to, text_of, wait_css, wait_xpath, POLL};
use mailscope_e2e::sandbox::send_mail;
use mailscope_e2e::{free_port, Browser, Serve, READY_TIMEOUT};

/// `안녕하세요.` in EUC-KR, as an RFC 2047 encoded-word.
const SUBJECT: &str = "=?EUC-KR?B?vsiz58fPvLy/5C4=?=";

/// Waits until `css` has a text for which `ok` holds.
async fn wait_text(c: &Client, css: &str, ok: impl Fn(&str) -> bool) -> String {
    let start = std::time::Instant::now();
    loop {
        let last = match c.find(Locator::Css(css)).await {
            Ok(el) => el.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if ok(&last) {
            return last;
        }
        if start.elapsed() > READY_TIMEOUT {
            panic!("{css} never matched; last text {last:?}");
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Browser console errors that are not network failures the page reports itself.
fn app_errors(errors: &[String]) -> Vec<&String> {
    errors
        .iter()
        .filter(|e| !e.contains("Failed to load resource") && !e.contains("net::ERR_"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sandbox_mail_appears_live_opens_in_the_inspector_and_is_deleted() {
    let smtp = free_port();
    let sandbox = format!("127.0.0.1:{smtp}");
    let serve = Serve::start(&["--sandbox", &sandbox]);
    let browser = Browser::start().await;
    let c = &browser.client;

    // The printed URL carries #token=…; navigating to the Mailbox replaces the fragment.
    c.goto(&serve.url).await.expect("open the page");
    click(c, "a[href='#/mailbox']").await;
    wait_css(c, "#mailbox-status[data-state='live']").await;
    // The empty state names the address this sandbox listens on (the API says it), not a default.
    let empty = text_of(c, "#mailbox-empty").await;
    assert!(
        empty.contains(&format!("sandbox SMTP server at {sandbox}"))
            && empty.contains(&format!("swaks --server {sandbox} ")),
        "{empty:?}"
    );

    // A message arrives while the view is open.
    tokio::task::spawn_blocking(move || send_mail(smtp, SUBJECT))
        .await
        .expect("smtp task");
    let open = wait_xpath(
        c,
        "//tr[contains(@class,'mail-row')]//button[normalize-space()='안녕하세요.']",
    )
    .await;
    let row = text_of(c, "tr.mail-row").await;
    assert!(row.contains("Bo <b@example.org>"), "decoded From: {row}");
    assert!(row.contains("a@example.org"), "To: {row}");
    assert!(row.contains("plain"), "TLS fact: {row}");
    assert!(row.contains(" B"), "size: {row}");

    open.click().await.expect("open the message");
    wait_text(c, "#msg-subject", |t| t == "안녕하세요.").await;
    let envelope = text_of(c, "#mailbox-envelope").await;
    assert!(
        envelope.contains("<b@example.org>"),
        "MAIL FROM: {envelope}"
    );
    assert!(envelope.contains("<a@example.org>"), "RCPT TO: {envelope}");
    assert!(
        envelope.contains("e2e.example.org"),
        "EHLO name: {envelope}"
    );
    assert!(envelope.contains("not authenticated"), "AUTH: {envelope}");
    let transcript = wait_text(c, "#mailbox-transcript", |t| t.contains("command MAIL")).await;
    assert!(transcript.contains("command RCPT"), "{transcript}");
    assert!(transcript.contains("reply 354"), "{transcript}");
    let body = text_of(c, ".mailbox-inspector").await;
    assert!(
        body.contains("Hello from the e2e test."),
        "inspector body: {body}"
    );
    browser.screenshot("ui_mailbox_open").await;
    scroll_to(c, "#mailbox-transcript").await;
    browser.screenshot("ui_mailbox_transcript").await;
    scroll_to(c, ".mailbox-inspector").await;
    browser.screenshot("ui_mailbox_inspector").await;

    // Delete it.
    click(c, "#mailbox-delete").await;
    wait_css(c, "#mailbox-empty").await;
    assert!(
        c.find(Locator::Css("#mailbox-detail")).await.is_err(),
        "the deleted message's detail closes"
    );

    // Two more, the second with swaks over STARTTLS and AUTH, then delete all.
    tokio::task::spawn_blocking(move || {
        send_mail(smtp, "first");
        let out = std::process::Command::new("swaks")
            .args(["--server", &format!("127.0.0.1:{smtp}"), "--tls"])
            .args([
                "--auth",
                "PLAIN",
                "--auth-user",
                "demo",
                "--auth-password",
                "demo",
            ])
            .args(["--to", "a@example.org", "--from", "b@example.org"])
            .args(["--header", "Subject: second"])
            .output()
            .expect("run swaks");
        assert!(
            out.status.success(),
            "swaks: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    })
    .await
    .expect("smtp task");
    wait_text(c, "#mailbox-count", |t| t == "2 messages").await;
    let subjects = wait_text(c, "#mailbox-list tbody", |t| t.contains("second")).await;
    let (first, second) = (subjects.find("first"), subjects.find("second"));
    assert!(
        second.is_some() && first.is_some() && second < first,
        "newest first: {subjects}"
    );
    let newest = text_of(c, "tr.mail-row").await;
    assert!(newest.contains("TLS"), "TLS fact: {newest}");
    assert!(newest.contains("AUTH demo"), "AUTH fact: {newest}");
    browser.screenshot("ui_mailbox_list").await;
    click(c, "#mailbox-delete-all").await;
    click(c, "#mailbox-delete-all-confirm").await;
    wait_css(c, "#mailbox-empty").await;

    let errors = browser.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_token_and_stopped_server_show_guidance() {
    let serve = Serve::start(&[]);
    let browser = Browser::start().await;
    let c = &browser.client;

    // Opened without the token: explain where it comes from, send nothing.
    c.goto(&format!("{}/#/mailbox", serve.origin))
        .await
        .expect("open the page");
    let guide = text_of(c, "#mailbox-status[data-state='no-token']").await;
    assert!(guide.contains("#token="), "{guide}");
    assert!(guide.contains("mailscope serve"), "{guide}");
    assert!(guide.contains("cargo xtask run"), "{guide}");
    browser.screenshot("ui_mailbox_no_token").await;
    let errors = browser.console_errors().await;
    assert!(
        errors.is_empty(),
        "console errors without a token: {errors:?}"
    );

    // With the token, live; then the server stops.
    c.goto(&serve.url).await.expect("open with the token");
    click(c, "a[href='#/mailbox']").await;
    wait_css(c, "#mailbox-status[data-state='live']").await;
    drop(serve);
    let guide = text_of(c, "#mailbox-status[data-state='not-running']").await;
    assert!(guide.contains("mailscope serve"), "{guide}");
    assert!(guide.contains("cargo xtask run"), "{guide}");
    wait_css(c, "#mailbox-retry").await;
    browser.screenshot("ui_mailbox_not_running").await;
    let errors = browser.console_errors().await;
    assert!(
        app_errors(&errors).is_empty(),
        "only the failed requests themselves may be logged: {errors:?}"
    );
    assert!(
        errors.len() <= 3,
        "no retry loop in the console: {errors:?}"
    );
    browser.close().await;
}

/// The search box narrows the list to what the sandbox finds (decoded subjects included), says
/// how many match, refuses a malformed query on the page, and clears back to every message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_search_box_narrows_the_list() {
    let smtp = free_port();
    let serve = Serve::start(&["--sandbox", &format!("127.0.0.1:{smtp}")]);
    for subject in [SUBJECT, "lunch at noon"] {
        tokio::task::spawn_blocking(move || send_mail(smtp, subject))
            .await
            .expect("smtp task");
    }
    let browser = Browser::start().await;
    let c = &browser.client;
    c.goto(&serve.url).await.expect("open the page");
    click(c, "a[href='#/mailbox']").await;
    wait_text(c, "#mailbox-count", |t| t == "2 messages").await;
    let search = wait_css(c, "#mailbox-search").await;
    search.send_keys("subject:lunch").await.expect("type");
    wait_text(c, "#mailbox-count", |t| t == "1 of 2 messages match").await;
    let rows = wait_text(c, "#mailbox-list tbody", |t| t.contains("lunch")).await;
    assert!(!rows.contains("안녕하세요"), "{rows}");
    // The EUC-KR subject is searched decoded.
    search.clear().await.expect("clear");
    search.send_keys("안녕").await.expect("type");
    let rows = wait_text(c, "#mailbox-list tbody", |t| t.contains("안녕하세요.")).await;
    assert!(!rows.contains("lunch"), "{rows}");
    browser.screenshot("ui_mailbox_search").await;
    // A malformed query is said on the page, in the reader's terms.
    search.clear().await.expect("clear");
    search.send_keys("subject:\"open").await.expect("type");
    let error = text_of(c, "#mailbox-search-error").await;
    assert!(error.contains("no closing"), "{error}");
    // Cleared: every message again.
    search.clear().await.expect("clear");
    search.send_keys(" ").await.expect("type");
    wait_text(c, "#mailbox-count", |t| t == "2 messages").await;
    let errors = browser.console_errors().await;
    assert!(app_errors(&errors).is_empty(), "{errors:?}");
    browser.close().await;
}
