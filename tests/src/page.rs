//! Waiting page helpers shared by the browser tests: every lookup waits (up to
//! [`READY_TIMEOUT`], polling every [`POLL`]) for its condition instead of sleeping, and a
//! failure names the selector it waited for.

use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, Locator};

use crate::READY_TIMEOUT;

/// How often waits poll the page.
pub const POLL: Duration = Duration::from_millis(50);

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
