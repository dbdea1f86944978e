//! The Tools view of the built page in headless Chromium. The page is built with the core's
//! `browser-charsets` feature: legacy charsets are decoded by the browser's `TextDecoder` (with
//! the core's corrections where Chromium departs from the WHATWG standard) and encoded by the
//! parse worker, which keeps the encoding tables. No console errors throughout.

use fantoccini::{Client, Locator};
use mailscope_e2e::page::{click, open_app, page_errors, scroll_to, wait_css, wait_xpath};
use mailscope_e2e::{Browser, Serve};

/// Replaces the text of the input `css` with `value`.
async fn type_into(c: &Client, css: &str, value: &str) {
    let field = wait_css(c, css).await;
    field.clear().await.expect("clear");
    field.send_keys(value).await.expect("type");
}

/// Waits until the element `css` shows exactly `want`.
async fn wait_for_text(c: &Client, css: &str, want: &str) {
    let id = css.trim_start_matches('#');
    let xpath = format!("//*[@id='{id}' and normalize-space(.)='{want}']");
    wait_xpath(c, &xpath).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn encoded_words_decode_in_the_page_and_legacy_charsets_encode_in_the_worker() {
    let serve = Serve::start(&[]);
    let browser = Browser::start().await;
    let c = &browser.client;
    open_app(c, &serve.url).await;
    click(c, "a[href='#/tools']").await;

    // The sample is EUC-KR: decoded by TextDecoder in this build.
    wait_for_text(c, "#words-output", "한국 한글 테스트").await;
    let cases = [
        ("=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=", "日本語"),
        ("=?Shift_JIS?B?k/qWe4zq?=", "日本語"),
        // Big5 0x8862 is two code points (WHATWG index pointer 1133); Chromium's own decoder
        // gets it wrong, the core decodes it.
        ("=?Big5?B?iGI=?=", "\u{ca}\u{304}"),
        ("=?ISO-8859-2?Q?=B1?=", "ą"),
    ];
    for (word, text) in cases {
        type_into(c, "#words-input", word).await;
        wait_for_text(c, "#words-output", text).await;
    }

    // UTF-8 is encoded in the page; EUC-KR by the parse worker.
    type_into(c, "#words-plain", "안녕").await;
    type_into(c, "#words-charset", "UTF-8").await;
    wait_for_text(c, "#words-encoded", "=?UTF-8?B?7JWI64WV?=").await;
    type_into(c, "#words-charset", "EUC-KR").await;
    wait_for_text(c, "#words-encoded", "=?EUC-KR?B?vsiz5w==?=").await;
    // A character the charset lacks is the core's error, from the worker too.
    type_into(c, "#words-plain", "안녕 ☃").await;
    let error = wait_css(c, "#words-error").await;
    let message = error.text().await.expect("error text");
    assert!(
        message.contains('☃'),
        "unmappable error names the character: {message:?}"
    );
    // Q encoding through the worker as well.
    type_into(c, "#words-plain", "안녕").await;
    click(c, "#words-b").await;
    wait_for_text(c, "#words-encoded", "=?EUC-KR?Q?=BE=C8=B3=E7?=").await;

    assert!(
        c.find_all(Locator::Css("#words-encoding"))
            .await
            .map(|v| v.is_empty())
            .unwrap_or(false),
        "the worker answered"
    );
    let errors = page_errors(c).await;
    assert!(errors.is_empty(), "page errors: {errors:#?}");
    let console = browser.console_errors().await;
    assert!(console.is_empty(), "console errors: {console:#?}");
    browser.screenshot("ui-tools-words").await;

    // base64 of EUC-KR bytes: garbled as UTF-8 (and said so), right once EUC-KR is chosen — by
    // the browser's own decoder, as the page reads legacy charsets.
    type_into(c, "#b64-input", "x9GxuQ==").await;
    wait_css(c, "#b64-charset-errors").await;
    type_into(c, "#b64-charset", "EUC-KR").await;
    wait_for_text(c, "#b64-decoded", "한국").await;
    assert!(
        c.find(Locator::Css("#b64-charset-errors")).await.is_err(),
        "no malformed bytes in EUC-KR"
    );
    scroll_to(c, "#b64-decoded").await;
    browser.screenshot("ui-tools-base64-charset").await;
    browser.close().await;
}
