//! Shareable links in headless Chromium: a pasted transcript and a composed message are shared
//! with "Copy link", the link (read from its text field) is opened in a fresh page and restores
//! the same annotated transcript / the same message; tampered links show their error. The link
//! never carries the relay token. No console errors throughout.

use fantoccini::{Client, Locator};
use mailscope_e2e::page::{
    capture_errors, click, open_app, page_errors, scroll_to, text_of, wait_css, wait_xpath,
};
use mailscope_e2e::{Browser, Serve};

async fn assert_no_page_errors(c: &Client, when: &str) {
    let errors = page_errors(c).await;
    assert!(errors.is_empty(), "page errors {when}: {errors:#?}");
}

/// Opens `url` as a fresh page load (not a same-document fragment change), then waits for the
/// app and records errors.
async fn open_fresh(c: &Client, url: &str) {
    c.goto("about:blank").await.expect("blank page");
    c.goto(url).await.expect("open the link");
    wait_css(c, "nav.nav").await;
    capture_errors(c).await;
}

/// The value of the read-only link field `css`.
async fn link_in(c: &Client, css: &str) -> String {
    let field = wait_css(c, css).await;
    field
        .prop("value")
        .await
        .expect("value")
        .unwrap_or_default()
}

/// Rows of an annotated transcript.
async fn row_count(c: &Client, id: &str) -> usize {
    c.find_all(Locator::Css(&format!("#{id} li.entry")))
        .await
        .map(|v| v.len())
        .unwrap_or(0)
}

/// A session with AUTH PLAIN before STARTTLS and RCPT before MAIL: two known defects.
const TRANSCRIPT: &str = "S: 220 mx.example.org ESMTP
C: EHLO client.example
S: 250-mx.example.org
S: 250-PIPELINING
S: 250 AUTH PLAIN LOGIN
C: AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=
S: 235 2.7.0 Authentication successful
C: RCPT TO:<bob@example.org>
S: 503 5.5.1 Error: need MAIL command
C: QUIT
S: 221 2.0.0 Bye
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shared_transcript_link_restores_the_annotated_transcript() {
    let serve = Serve::start(&[]);
    let browser = Browser::start().await;
    let c = &browser.client;
    open_app(c, &serve.url).await;

    click(c, "#session-tab-import").await;
    let input = wait_css(c, "#import-input").await;
    input
        .send_keys(TRANSCRIPT)
        .await
        .expect("paste the transcript");
    wait_xpath(
        c,
        "//*[@id='import-transcript']//pre[starts-with(., '221')]",
    )
    .await;
    let summary = text_of(c, "#import-summary").await;
    assert!(
        summary.contains("smtp.auth-without-tls"),
        "a known lint before sharing: {summary}"
    );
    let rows = row_count(c, "import-transcript").await;
    assert_eq!(rows, 9, "one row per entry: {summary}");

    click(c, "#imported-share").await;
    let link = link_in(c, "#imported-share-link").await;
    assert!(
        link.starts_with(&format!("{}/#/session?share=v1.t", serve.origin)),
        "link {link} starts at the page origin"
    );
    assert!(!link.contains("token"), "the relay token stays out: {link}");
    let warning = text_of(c, ".share-auth").await;
    assert!(warning.contains("AUTH"), "AUTH warning: {warning}");
    let note = text_of(c, ".share-note").await;
    assert!(note.contains("nothing is uploaded"), "note: {note}");
    scroll_to(c, "#import-summary").await;
    browser.screenshot("ui-share-transcript-link").await;
    assert_no_page_errors(c, "making the link").await;
    println!(
        "transcript of {} bytes -> link of {} characters",
        TRANSCRIPT.len(),
        link.len()
    );

    // The link in a fresh page: the same rows and findings, and the link stays in the URL. It
    // opens in the Import tab, scrolled to it, without the relay's guidance (the link carries
    // no token, and the session view's relay status shows only for relay targets).
    open_fresh(c, &link).await;
    wait_css(c, "#share-notice").await;
    wait_css(c, "#session-tab-import[aria-selected='true']").await;
    wait_css(c, "#import-summary").await;
    let top: f64 = serde_json::from_value(
        c.execute(
            "return document.querySelector('section.import').getBoundingClientRect().top;",
            vec![],
        )
        .await
        .expect("where the import starts"),
    )
    .expect("a number");
    assert!(
        top.abs() <= 1.0,
        "the shared transcript is scrolled to the top of the window: {top}"
    );
    browser.screenshot("ui-share-transcript-opened").await;
    assert!(
        c.find(Locator::Css("#relay-status")).await.is_err(),
        "no relay-token warning for a shared link"
    );
    let restored = text_of(c, "#import-summary").await;
    assert_eq!(restored, summary, "same reading after the link");
    assert_eq!(row_count(c, "import-transcript").await, rows, "same rows");
    let url = c.current_url().await.expect("url");
    assert!(
        url.as_str().contains("share=v1.t"),
        "the share parameter stays for reloads: {url}"
    );
    c.refresh().await.expect("reload");
    wait_css(c, "nav.nav").await;
    assert_eq!(text_of(c, "#import-summary").await, summary, "after reload");
    capture_errors(c).await;
    scroll_to(c, "#import-title").await;
    browser.screenshot("ui-share-transcript-restored").await;
    assert_no_page_errors(c, "restoring the link").await;

    // Tampered links: cut short, and another version.
    let cut = &link[..link.len() - 7];
    open_fresh(c, cut).await;
    let error = text_of(c, "#share-error").await;
    assert!(error.contains("damaged"), "a cut link: {error}");
    assert!(
        c.find(Locator::Css("#import-summary")).await.is_err(),
        "nothing opened from a damaged link"
    );
    browser.screenshot("ui-share-tampered").await;
    let other = link.replace("share=v1.", "share=v9.");
    open_fresh(c, &other).await;
    let error = text_of(c, "#share-error").await;
    assert!(error.contains("v9"), "another version: {error}");
    assert_no_page_errors(c, "with tampered links").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shared_message_link_opens_the_message_in_the_inspector() {
    let serve = Serve::start(&[]);
    let browser = Browser::start().await;
    let c = &browser.client;
    open_app(c, &serve.url).await;
    click(c, "a[href='#/message']").await;

    let subject = "Shared 안녕하세요";
    let field = wait_css(c, "#compose-subject").await;
    field.clear().await.expect("clear");
    field.send_keys(subject).await.expect("type the subject");
    wait_xpath(
        c,
        "//*[@id='compose-wire']//*[contains(., 'Subject: =?UTF-8?')]",
    )
    .await;
    click(c, "#compose-share").await;
    let link = link_in(c, "#compose-share-link").await;
    assert!(
        link.starts_with(&format!("{}/#/message?share=v1.m", serve.origin)),
        "link {link}"
    );
    assert!(!link.contains("token"), "the relay token stays out: {link}");
    assert!(
        c.find(Locator::Css(".share-auth")).await.is_err(),
        "no AUTH warning for a message"
    );
    scroll_to(c, ".compose-output").await;
    browser.screenshot("ui-share-message-link").await;
    assert_no_page_errors(c, "making the link").await;

    open_fresh(c, &link).await;
    let shown = text_of(c, "#msg-subject").await;
    assert_eq!(shown, subject, "decoded subject of the shared message");
    wait_css(c, "#share-notice").await;
    // Sharing the opened message again gives the same link: the bytes came through unchanged.
    click(c, "#inspect-share").await;
    let again = link_in(c, "#inspect-share-link").await;
    assert_eq!(again, link, "byte-exact round trip");
    browser.screenshot("ui-share-message-restored").await;

    // A transcript link opened in the same tab (a fragment change, no reload) still opens.
    let transcript_link = format!(
        "{}/#/session?share=v1.t.{}",
        serve.origin,
        "QzogUVVJVAo" // base64 of "C: QUIT\n" without padding
    );
    c.goto(&transcript_link).await.expect("same-document link");
    let summary = text_of(c, "#import-summary").await;
    assert!(summary.contains("1 entries"), "one QUIT line: {summary}");
    assert_no_page_errors(c, "restoring the message").await;
    browser.close().await;
}
