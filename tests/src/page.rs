//! Waiting page helpers shared by the browser tests: every lookup waits (up to
//! [`READY_TIMEOUT`], polling every [`POLL`]) for its condition instead of sleeping, and a
//! failure names the selector it waited for.

use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, Locator};

use crate::READY_TIMEOUT;

/// How often waits poll the page.
pub const POLL: Duration = Duration::from_millis(50);

/// The absolute path of the UI fixture `tests/fixtures/ui/NAME` (for a file input).
pub fn fixture(name: &str) -> String {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/ui")
        .join(name);
    path.canonicalize()
        .unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
        .display()
        .to_string()
}

/// Waits for an element matching the CSS selector.
pub async fn wait_css(c: &Client, css: &str) -> Element {
    c.wait()
        .at_most(READY_TIMEOUT)
        .every(POLL)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("waiting for {css}: {e}"))
}

/// Waits for an element matching the XPath expression.
pub async fn wait_xpath(c: &Client, xpath: &str) -> Element {
    c.wait()
        .at_most(READY_TIMEOUT)
        .every(POLL)
        .for_element(Locator::XPath(xpath))
        .await
        .unwrap_or_else(|e| panic!("waiting for {xpath}: {e}"))
}

/// Waits until the page shows `tag` (`<html lang>`): after choosing Korean the page loads its
/// language pack and stays English until it is in.
pub async fn wait_lang(c: &Client, tag: &str) {
    wait_xpath(c, &format!("/html[@lang='{tag}']")).await;
}

/// Waits for the element, then clicks it.
pub async fn click(c: &Client, css: &str) {
    wait_css(c, css)
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// Waits for the element, then returns its text.
pub async fn text_of(c: &Client, css: &str) -> String {
    wait_css(c, css)
        .await
        .text()
        .await
        .unwrap_or_else(|e| panic!("text of {css}: {e}"))
}

/// Waits for the element, then scrolls it to the top of the viewport (for screenshots).
pub async fn scroll_to(c: &Client, css: &str) {
    let el = wait_css(c, css).await;
    c.execute(
        "arguments[0].scrollIntoView({block: 'start'})",
        vec![serde_json::to_value(&el).expect("element as JSON")],
    )
    .await
    .unwrap_or_else(|e| panic!("scroll to {css}: {e}"));
}

/// Records `console.error` calls, uncaught errors and unhandled rejections in the page (a wasm
/// panic goes through `console.error`); install again after each page load. Used instead of
/// `Browser::console_errors` where a test wants the errors of one phase.
const CAPTURE_ERRORS: &str = "window.__errors = []; const original = console.error; \
    console.error = function (...args) { window.__errors.push(args.map(String).join(' ')); return original.apply(console, args); }; \
    window.addEventListener('error', e => window.__errors.push('uncaught: ' + e.message)); \
    window.addEventListener('unhandledrejection', e => window.__errors.push('unhandled rejection: ' + e.reason));";

/// Installs the error recorder in the current page.
pub async fn capture_errors(c: &Client) {
    c.execute(CAPTURE_ERRORS, vec![])
        .await
        .expect("install the error recorder");
}

/// What the recorder saw since it was installed.
pub async fn page_errors(c: &Client) -> Vec<String> {
    let value = c
        .execute(
            "return window.__errors || ['the error recorder is missing']",
            vec![],
        )
        .await
        .expect("read the error recorder");
    serde_json::from_value(value).expect("a list of strings")
}

/// Opens the app at `url` (the address `mailscope serve` printed, token included), waits for its
/// navigation and installs the error recorder ([`page_errors`]).
pub async fn open_app(c: &Client, url: &str) {
    c.goto(url).await.expect("open the page");
    wait_css(c, "nav.nav").await;
    capture_errors(c).await;
}

/// Chooses the option `value` of the `<select>` at `css`.
pub async fn choose(c: &Client, css: &str, value: &str) {
    wait_css(c, css)
        .await
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("choose {value} in {css}: {e}"));
}

/// Pastes `message` into the Message inspector's paste box (open) and reads it.
pub async fn paste_message(c: &Client, message: &str) {
    c.execute(
        "document.querySelector('#eml-paste').value = arguments[0];",
        vec![serde_json::json!(message)],
    )
    .await
    .expect("paste");
    click(c, "#eml-paste-go").await;
}

/// Opens the Message view's paste box (Message → Inspect → "Paste a message").
pub async fn open_paste_box(c: &Client) {
    click(c, "a[href='#/message']").await;
    click(c, "#tab-inspect").await;
    click(c, "details.paste summary").await;
    wait_css(c, "#eml-paste").await;
}

/// Waits for the field at `css`, empties it and types `value`.
pub async fn fill(c: &Client, css: &str, value: &str) {
    let field = wait_css(c, css).await;
    field.clear().await.expect("clear");
    field.send_keys(value).await.expect("type");
}

/// The value of the form control at `css`, once it is there.
pub async fn value_of(c: &Client, css: &str) -> String {
    wait_css(c, css)
        .await
        .prop("value")
        .await
        .unwrap_or_else(|e| panic!("value of {css}: {e}"))
        .unwrap_or_default()
}

/// Waits until `css`'s text satisfies `ok`; returns that text.
pub async fn wait_text(c: &Client, css: &str, ok: impl Fn(&str) -> bool) -> String {
    let deadline = std::time::Instant::now() + READY_TIMEOUT;
    loop {
        let text = text_of(c, css).await;
        if ok(&text) {
            return text;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{css} never matched: {text}"
        );
        tokio::time::sleep(POLL).await;
    }
}

/// Catches the page's downloads from now on: each `<a download>` it clicks has its blob read
/// before the page revokes it ([`downloaded`] returns the last one).
pub async fn catch_downloads(c: &Client) {
    c.execute(
        "const click = HTMLAnchorElement.prototype.click; \
         HTMLAnchorElement.prototype.click = function () { \
           if (this.download) { const name = this.download; \
             fetch(this.href).then(r => r.text()).then(t => { \
               window.__exported = t; document.body.setAttribute('data-exported', name); }); } \
           return click.call(this); };",
        vec![],
    )
    .await
    .expect("catch downloads");
}

/// Waits for a download caught by [`catch_downloads`]: its file name and text. Clears it, so
/// the next call waits for the next download.
pub async fn downloaded(c: &Client) -> (String, String) {
    let body = wait_css(c, "body[data-exported]").await;
    let name = body
        .attr("data-exported")
        .await
        .expect("attribute")
        .unwrap_or_default();
    let text = c
        .execute(
            "const t = window.__exported; document.body.removeAttribute('data-exported'); return t;",
            vec![],
        )
        .await
        .expect("read the download");
    (name, text.as_str().unwrap_or_default().to_string())
}
