//! An SVG attachment with a script, opened from the Message view in headless Chromium: the image
//! is shown, the Download button offers it as bytes, and neither URL, opened in the page's own
//! tab (where the relay token is in session storage), runs the attachment's script as the page.

use fantoccini::Client;
use mailscope_e2e::page::{click, fixture, open_app, wait_css, wait_xpath, POLL};
use mailscope_e2e::{Browser, Serve, READY_TIMEOUT};

/// Runs `script` until it returns something other than `null` (within [`READY_TIMEOUT`]).
async fn wait_value(c: &Client, what: &str, script: &str) -> serde_json::Value {
    let deadline = std::time::Instant::now() + READY_TIMEOUT;
    loop {
        let value = c
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        if !value.is_null() {
            return value;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "waiting for {what}: still null"
        );
        tokio::time::sleep(POLL).await;
    }
}

/// Opens the Message view's inspector on the fixture and selects its SVG part.
async fn open_svg_part(c: &Client, url: &str) {
    open_app(c, url).await;
    click(c, "a[href='#/message']").await;
    click(c, "#tab-inspect").await;
    wait_css(c, "#eml-file")
        .await
        .send_keys(&fixture("svg-script.eml"))
        .await
        .expect("set the file input");
    wait_xpath(c, "//h3[@id='msg-subject'][text()='A picture for you']").await;
    wait_xpath(
        c,
        "//nav[contains(@class,'part-tree')]//button[.//span[text()='2']]",
    )
    .await
    .click()
    .await
    .expect("select the SVG part");
}

/// The URL the image part is shown from, once the image is shown (an `<img>` never runs an
/// SVG's script).
async fn image_url(c: &Client) -> String {
    let src = wait_value(
        c,
        "the SVG shown",
        "const i = document.querySelector('img.image-part'); return i && i.complete && i.naturalWidth > 0 ? i.src : null",
    )
    .await;
    src.as_str().unwrap_or_default().to_string()
}

/// The URL the Download button hands to the browser, caught before the browser acts on it; the
/// bytes behind it are typed `application/octet-stream`, which a browser never renders.
async fn download_url(c: &Client) -> String {
    c.execute(
        "window.__downloads = []; HTMLAnchorElement.prototype.click = function () { window.__downloads.push(this.href); };",
        vec![],
    )
    .await
    .expect("catch downloads");
    click(c, ".part-body button.download").await;
    let url = wait_value(
        c,
        "the download's URL",
        "return window.__downloads[0] || null",
    )
    .await;
    let url = url.as_str().unwrap_or_default().to_string();
    let kind = c
        .execute_async(
            "const done = arguments[arguments.length - 1]; fetch(arguments[0]).then(r => r.blob()).then(b => done(b.type), e => done('error: ' + e));",
            vec![url.clone().into()],
        )
        .await
        .expect("fetch the download");
    assert_eq!(
        kind.as_str(),
        Some("application/octet-stream"),
        "the SVG is downloaded as bytes, not as a document"
    );
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_svg_attachment_never_runs_its_script_as_the_page() {
    let serve = Serve::start(&["--no-sandbox"]);
    let browser = Browser::start().await;
    let c = &browser.client;
    for image in [true, false] {
        let what = if image { "the image" } else { "the download" };
        // A fresh page each time: a page's blob: URLs end with it.
        open_svg_part(c, &serve.url).await;
        // The page keeps the relay token in its session storage: what the attack was after.
        let stored = c
            .execute(
                "return sessionStorage.getItem('mailscope.relay-token')",
                vec![],
            )
            .await
            .expect("read session storage");
        assert_eq!(
            stored.as_str(),
            Some(serve.token.as_str()),
            "the token is in the page's session storage"
        );
        let url = if image {
            image_url(c).await
        } else {
            download_url(c).await
        };
        assert!(!url.is_empty(), "{what}: no URL");
        // Opened in the page's own tab, as a link or "open in new tab" would: the SVG's script
        // would read the token and leave it in local storage. A download ends the navigation
        // with an error and the tab stays where it was.
        let opened = c.goto(&url).await;
        let at = c.current_url().await.map(|u| u.to_string());
        c.goto(&format!("{}/", serve.origin))
            .await
            .expect("back to the page");
        wait_css(c, "nav.nav").await;
        let ran = c
            .execute(
                "const r = localStorage.getItem('svg-ran'); localStorage.removeItem('svg-ran'); return r;",
                vec![],
            )
            .await
            .expect("read local storage");
        assert_eq!(
            ran,
            serde_json::Value::Null,
            "{what} ({}…, opened: {opened:?}, at {at:?}) ran its script as the page",
            url.chars().take(60).collect::<String>()
        );
    }
    browser.close().await;
}
