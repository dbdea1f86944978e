//! The Session view end to end: a whole SMTP session against the in-browser server, a pasted
//! transcript with a defect, and the Tools view, in headless Chromium without console errors;
//! the view's height after a whole transaction, measured against the transcript's own.

use std::time::Duration;

use fantoccini::{Client, Locator};
use mailscope_e2e::page::{
    catch_downloads, choose, click, downloaded, text_of, wait_css, wait_lang, wait_xpath,
};
use mailscope_e2e::{Browser, Serve, READY_TIMEOUT};

/// Waits until a transcript entry's wire text starts with `prefix`.
async fn wait_wire(c: &Client, prefix: &str) {
    wait_xpath(
        c,
        &format!("//*[@id='transcript']//pre[@class='wire' and starts-with(., '{prefix}')]"),
    )
    .await;
}

async fn type_into(c: &Client, css: &str, text: &str) {
    let el = c
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("find {css}: {e}"));
    el.clear().await.expect("clear");
    el.send_keys(text).await.expect("type");
}

async fn count(c: &Client, xpath: &str) -> usize {
    c.find_all(Locator::XPath(xpath))
        .await
        .map(|v| v.len())
        .unwrap_or(0)
}

async fn wait_count(c: &Client, xpath: &str, want: usize) {
    let deadline = std::time::Instant::now() + READY_TIMEOUT;
    loop {
        let n = count(c, xpath).await;
        if n == want {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{xpath}: expected {want}, found {n}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_session_against_the_in_browser_server_and_a_pasted_defect() {
    let serve = Serve::start(&[]);
    let browser = Browser::start().await;
    let c = &browser.client;
    c.goto(&serve.url).await.expect("open the page");
    c.wait()
        .at_most(READY_TIMEOUT)
        .for_element(Locator::Css("#session-connect"))
        .await
        .expect("the Session view rendered");
    // Also record console errors and uncaught errors in the page itself, with their text.
    c.execute(
        "window.__mailscopeErrors = [];\n\
         const original = console.error.bind(console);\n\
         console.error = (...args) => { window.__mailscopeErrors.push(args.map(String).join(' ')); original(...args); };\n\
         window.addEventListener('error', e => window.__mailscopeErrors.push(String(e.message)));\n\
         window.addEventListener('unhandledrejection', e => window.__mailscopeErrors.push(String(e.reason)));",
        vec![],
    )
    .await
    .expect("install the console hook");

    click(c, "#session-connect").await;
    wait_wire(c, "220 ").await;
    click(c, "#btn-ehlo").await;
    wait_wire(c, "250-").await;
    // AUTH PLAIN with the default alice / wonderland.
    let preview = c
        .find(Locator::Css("#auth-preview"))
        .await
        .expect("auth preview")
        .text()
        .await
        .expect("text");
    assert!(
        preview.contains("AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ="),
        "the base64 to be sent is shown: {preview}"
    );
    click(c, "#btn-auth").await;
    wait_wire(c, "235 2.7.0").await;
    click(c, "#btn-mail").await;
    wait_wire(c, "250 2.1.0").await;
    let rcpt_replies = "//*[@id='transcript']//pre[@class='wire' and starts-with(., '250 2.1.5')]";
    type_into(c, "#rcpt-to", "bob@example.net").await;
    click(c, "#btn-rcpt").await;
    wait_count(c, rcpt_replies, 1).await;
    // RCPT sends the next recipient not sent yet: a second field for the second one.
    let label = c
        .find(Locator::Css("#btn-rcpt"))
        .await
        .expect("RCPT")
        .text()
        .await
        .expect("text");
    assert!(label.contains("all sent"), "{label}");
    click(c, "#rcpt-add").await;
    type_into(c, "#rcpt-to-2", "carol@example.net").await;
    browser.screenshot("ui-session-recipients").await;
    click(c, "#btn-rcpt").await;
    wait_count(c, rcpt_replies, 2).await;

    // DATA opens the message editor: a Korean message built by the core's MessageBuilder.
    click(c, "#btn-data").await;
    wait_wire(c, "354 ").await;
    click(c, "#btn-compose").await;
    let deadline = std::time::Instant::now() + READY_TIMEOUT;
    loop {
        let value = c
            .find(Locator::Css("#message-text"))
            .await
            .expect("message")
            .prop("value")
            .await
            .expect("value")
            .unwrap_or_default();
        if value.contains("Subject: =?") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "composed: {value}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    c.wait()
        .at_most(READY_TIMEOUT)
        .for_element(Locator::Css("#btn-send-message:not([disabled])"))
        .await
        .expect("Send message enabled after 354");
    click(c, "#btn-send-message").await;
    wait_xpath(
        c,
        "//*[@id='transcript']//span[@class='kind' and text()='message content']",
    )
    .await;
    wait_wire(c, "250 2.0.0").await;
    click(c, "#btn-quit").await;
    wait_wire(c, "221 ").await;

    let transcript = c
        .find(Locator::Css("#transcript"))
        .await
        .expect("transcript")
        .text()
        .await
        .expect("text");
    for needle in [
        "EHLO client.exampleCRLF",
        "235 2.7.0",
        "RCPT TO:<bob@example.net>",
        "RCPT TO:<carol@example.net>",
        "354 ",
        "=?UTF-8?",
        "221 ",
        "+",
    ] {
        assert!(
            transcript.contains(needle),
            "transcript lacks {needle:?}: {transcript}"
        );
    }
    let status = c
        .find(Locator::Css("#session-status"))
        .await
        .expect("status")
        .text()
        .await
        .expect("text");
    assert!(status.contains("1 message(s) accepted"), "{status}");
    browser.screenshot("ui-session-transcript").await;

    // "Export JSON": the parse worker writes the document; the page hands it over as a download.
    // The download is caught by reading the link's blob before the page revokes it.
    catch_downloads(c).await;
    click(c, "#session-export-json").await;
    let (name, text) = downloaded(c).await;
    assert_eq!(name, "session.json");
    let document: serde_json::Value = serde_json::from_str(&text).expect("the export is JSON");
    assert_eq!(document["version"], 1, "{document}");
    let entries = document["entries"].as_array().map(Vec::len).unwrap_or(0);
    assert!(
        entries > 10,
        "the whole session is exported: {entries} entries"
    );

    // The Share tab: a link holding the session's transcript.
    click(c, "#session-tab-share").await;
    click(c, "#session-share").await;
    let link = wait_css(c, "#session-share-link")
        .await
        .prop("value")
        .await
        .expect("value")
        .unwrap_or_default();
    assert!(link.contains("#/session?share=v1.t"), "{link}");
    browser.screenshot("ui-session-share").await;

    // A pasted transcript with RCPT before MAIL, in the Import tab.
    click(c, "#session-tab-import").await;
    type_into(
        c,
        "#import-input",
        "S: 220 mx.example.org ESMTP\nC: EHLO client.example\nS: 250 mx.example.org\nC: RCPT TO:<bob@example.org>\nS: 503 5.5.1 need MAIL\nC: QUIT\nS: 221 bye\n",
    )
    .await;
    let lint = wait_xpath(
        c,
        "//*[@id='import-transcript']//code[@class='lint-code' and text()='smtp.out-of-sequence']",
    )
    .await;
    c.execute(
        "arguments[0].scrollIntoView({block: 'center'});",
        vec![serde_json::to_value(&lint).expect("element")],
    )
    .await
    .expect("scroll");
    browser.screenshot("ui-session-import").await;

    // The Tools view decodes an EUC-KR encoded-word.
    click(c, "a[href='#/tools']").await;
    let words = wait_xpath(c, "//*[@id='words-output']").await;
    assert_eq!(words.text().await.expect("text"), "한국 한글 테스트");
    wait_xpath(c, "//*[@id='reply-output']//strong[text()='250']").await;
    browser.screenshot("ui-tools").await;

    let errors = c
        .execute("return window.__mailscopeErrors;", vec![])
        .await
        .expect("read the console hook");
    assert_eq!(
        errors,
        serde_json::json!([]),
        "browser console errors during the session"
    );
    let errors = browser.console_errors().await;
    assert!(errors.is_empty(), "browser console errors: {errors:#?}");
    browser.close().await;
}

/// The page's height, the transcript's, where the transcript starts and the height of the MAIL
/// command's entry (one line on the wire), in CSS pixels.
async fn heights(c: &Client) -> [f64; 4] {
    let value = c
        .execute(
            "const t = document.getElementById('transcript').getBoundingClientRect();\n\
             const mail = [...document.querySelectorAll('#transcript > li')]\n\
               .find(e => e.querySelector('.kind').textContent === 'command MAIL');\n\
             return [document.documentElement.scrollHeight, t.height, t.top + window.scrollY,\n\
               mail.getBoundingClientRect().height];",
            vec![],
        )
        .await
        .expect("measure");
    serde_json::from_value(value).expect("four numbers")
}

/// After "Run whole transaction" with the in-browser server in a 1280×800 window, the page is
/// the transcript and little more. Measured before the command bar (one recipient; the column
/// of ten cards beside the transcript, the import panel under it): page 2,952 px for a transcript
/// of 2,138 px, a one-line MAIL entry 86 px high. After (two recipients): page 2,367 px, the
/// transcript 1,533 px, the MAIL entry 57 px. Bounds: the page is at most 1.6 times the
/// transcript (everything else — title, tabs, command bar with the open fields, export row,
/// folded ladder, session events — is under 0.6 of it); the transcript starts in the first
/// window (the bar fits above the fold); a one-line entry is at most 64 px (what it is and its
/// bytes side by side, its explanation on one line until opened). Repeated explanations fold.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_whole_transaction_the_page_is_mostly_the_transcript() {
    let serve = Serve::start(&[]);
    let browser = Browser::start().await;
    let c = &browser.client;
    c.set_window_size(1280, 800).await.expect("window size");
    c.goto(&serve.url).await.expect("open the page");
    // Two recipients: the second RCPT and its reply repeat the first ones' explanations.
    click(c, "#fields-rcpt").await;
    click(c, "#rcpt-add").await;
    type_into(c, "#rcpt-to-2", "carol@example.net").await;
    click(c, "#btn-run").await;
    wait_wire(c, "221 ").await;
    let [page, transcript, top, mail] = heights(c).await;
    let rows = c
        .execute(
            "return [...document.querySelectorAll('#transcript > li')].map(e => Math.round(e.getBoundingClientRect().height) + ' ' + e.querySelector('.kind').textContent);",
            vec![],
        )
        .await
        .expect("rows");
    println!(
        "Session view after Run whole transaction at 1280x800: page {page} px, transcript {transcript} px \
         (ratio {:.2}) from {top} px, MAIL entry {mail} px; rows {rows}",
        page / transcript
    );
    c.execute(
        "document.getElementById('transcript').scrollIntoView({block: 'start'});",
        vec![],
    )
    .await
    .expect("scroll");
    browser.screenshot("session-calm-en-transcript").await;
    c.execute("window.scrollTo(0, 0);", vec![])
        .await
        .expect("scroll");
    browser.screenshot("session-calm-en").await;
    assert!(
        page <= 1.6 * transcript,
        "page {page} px for a transcript of {transcript} px"
    );
    let window: f64 = serde_json::from_value(
        c.execute("return window.innerHeight;", vec![])
            .await
            .expect("window height"),
    )
    .expect("a number");
    assert!(
        top < window,
        "the transcript starts at {top} px, below the first {window} px"
    );
    assert!(mail <= 64.0, "a one-line entry is {mail} px high");
    let summary = text_of(c, "#transcript details.repeat > summary").await;
    assert!(summary.starts_with("Same as above (entry "), "{summary}");
    c.execute(
        "document.querySelector('#transcript details.repeat').closest('li').scrollIntoView({block: 'center'});",
        vec![],
    )
    .await
    .expect("scroll");
    browser.screenshot("session-calm-en-repeat").await;
    choose(c, "#lang-switch", "ko").await;
    wait_lang(c, "ko").await;
    let summary = text_of(c, "#transcript details.repeat > summary").await;
    assert!(summary.starts_with("위와 같음 (항목 "), "{summary}");
    browser.screenshot("session-calm-ko").await;
    c.execute(
        "document.getElementById('transcript').scrollIntoView({block: 'start'});",
        vec![],
    )
    .await
    .expect("scroll");
    browser.screenshot("session-calm-ko-transcript").await;
    browser.close().await;
}
