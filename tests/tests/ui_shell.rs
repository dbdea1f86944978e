//! The built UI, served by `mailscope serve`, renders in headless Chromium without console errors.

use std::time::Duration;

use fantoccini::Locator;
use mailscope_e2e::{Browser, Serve, READY_TIMEOUT};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_renders_its_shell_and_core_version_without_console_errors() {
    let serve = Serve::start(&[]);
    let browser = Browser::start().await;
    let c = &browser.client;
    c.goto(&serve.url).await.expect("open the page");

    let nav = c
        .wait()
        .at_most(READY_TIMEOUT)
        .for_element(Locator::Css("nav.nav"))
        .await
        .expect("the navigation rendered");
    let labels = nav.text().await.expect("nav text");
    for view in ["Session", "Message", "Tools", "Learn", "Mailbox"] {
        assert!(labels.contains(view), "navigation lacks {view}: {labels:?}");
    }
    let version = c
        .find(Locator::Css(".version"))
        .await
        .expect("version badge")
        .text()
        .await
        .expect("text");
    assert_eq!(version, format!("core v{}", env!("CARGO_PKG_VERSION")));

    // Every view comes with the page (one app); the worker is fetched only for heavy work
    // (a message parsed, a legacy charset encoded, the Mailbox read), not for a view.
    let fetched = || async {
        c.execute(
            "return performance.getEntriesByType('resource').map(e => e.name)",
            vec![],
        )
        .await
        .expect("resource timing")
        .as_array()
        .map(|names| {
            names
                .iter()
                .filter_map(|n| n.as_str().map(str::to_string))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
    };
    let worker = |names: &[String]| names.iter().any(|n| n.ends_with("/worker_bg.wasm"));
    let before = fetched().await;
    assert!(
        !worker(&before),
        "the Session view fetched the worker: {before:#?}"
    );

    // The Tools view runs the core's reply parser in the page.
    c.find(Locator::Css("a[href='#/tools']"))
        .await
        .expect("Tools link")
        .click()
        .await
        .expect("click Tools");
    let output = c
        .wait()
        .at_most(READY_TIMEOUT)
        .for_element(Locator::Css("#reply-output .reply-code"))
        .await
        .expect("reply parsed");
    assert_eq!(output.text().await.expect("text"), "250");
    let after = fetched().await;
    assert!(
        !worker(&after),
        "the Tools view's reply parser needed the worker: {after:#?}"
    );
    let input = c
        .find(Locator::Css("#reply-input"))
        .await
        .expect("reply input");
    input.clear().await.expect("clear");
    input
        .send_keys("550 5.1.1 <nobody@example.org>: no such user")
        .await
        .expect("type");
    c.wait()
        .at_most(READY_TIMEOUT)
        .every(Duration::from_millis(50))
        .for_element(Locator::XPath(
            "//*[@id='reply-output']//strong[text()='550']",
        ))
        .await
        .expect("the new reply is parsed as it is typed");
    assert!(
        c.current_url()
            .await
            .expect("url")
            .as_str()
            .ends_with("#/tools"),
        "navigation updates the fragment"
    );
    browser.screenshot("ui-shell-tools").await;

    let errors = browser.console_errors().await;
    assert!(errors.is_empty(), "browser console errors: {errors:#?}");
    browser.close().await;
}
