//! DKIM signing in headless Chromium: the composer signs in the worker (a refused key is
//! explained, a test key is made there), shows the key record, and "Check it in the
//! inspector" opens the signed message with the record pasted, where the Authenticity panel
//! says `pass` offline; the DKIM lesson's panels fail the body hash and the signature after
//! one-byte edits. In English and Korean, with screenshots, and no console errors.

use fantoccini::Locator;
use mailscope_e2e::page::{
    choose, click, fill, open_app, page_errors, scroll_to, text_of, value_of, wait_css, wait_lang,
    wait_text, wait_xpath,
};
use mailscope_e2e::{Browser, Serve};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_composer_signs_and_the_inspector_says_pass() {
    let serve = Serve::start(&[]);
    let browser = Browser::start().await;
    let c = &browser.client;
    open_app(c, &serve.url).await;
    click(c, "a[href='#/message']").await;
    wait_text(c, "#compose-wire", |t| t.contains("From: ")).await;

    // Signing on, no key yet: nothing is handed out unsigned, and the reader is told why.
    click(c, "#compose-dkim-on").await;
    let error = text_of(c, "#compose-dkim-error").await;
    assert!(error.contains("no private key"), "{error}");
    wait_css(c, "#compose-unsigned").await;
    assert!(
        c.find(Locator::Css("#compose-send-sandbox")).await.is_err(),
        "no Send button while unsigned"
    );
    // A key that is not PEM is refused by the worker, in the reader's terms.
    fill(
        c,
        "#compose-dkim-key",
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 me@host",
    )
    .await;
    wait_text(c, "#compose-dkim-error", |t| {
        t.contains("not a PEM private key")
    })
    .await;

    // A test key made in the worker: the message is signed and the record shown.
    click(c, "#compose-dkim-make").await;
    let record = wait_text(c, "#compose-dkim-record", |t| {
        t.starts_with("mailscope._domainkey.example.kr. IN TXT \"v=DKIM1; k=ed25519; p=")
    })
    .await;
    assert!(
        value_of(c, "#compose-dkim-key")
            .await
            .starts_with("-----BEGIN PRIVATE KEY-----"),
        "the key is in the field"
    );
    let wire = text_of(c, "#compose-wire").await;
    assert!(
        wire.contains(
            "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed; d=example.kr; s=mailscope;"
        ),
        "the signature on top: {wire}"
    );
    scroll_to(c, "#compose-dkim").await;
    browser.screenshot("ui-dkim-compose").await;

    // One click: the inspector opens the signed message with the record pasted and checks it.
    click(c, "#compose-dkim-check").await;
    let report = wait_text(c, "#auth-report", |t| t.contains("DKIM d=example.kr")).await;
    assert!(
        report.contains("DKIM d=example.kr s=mailscope pass"),
        "{report}"
    );
    assert_eq!(
        value_of(c, "#auth-records").await,
        record,
        "the record is pasted"
    );
    scroll_to(c, "#auth-panel").await;
    browser.screenshot("ui-dkim-inspector-pass").await;

    // Korean: the composer keeps the signed message; the check passes again.
    choose(c, "#lang-switch", "ko").await;
    wait_lang(c, "ko").await;
    click(c, "#tab-compose").await;
    let legend = text_of(c, "#compose-dkim legend").await;
    assert!(legend.contains("DKIM으로 서명"), "{legend}");
    wait_text(c, "#compose-dkim-record", |t| t == record).await;
    scroll_to(c, "#compose-dkim").await;
    browser.screenshot("ui-dkim-compose-ko").await;
    click(c, "#compose-dkim-check").await;
    wait_text(c, "#auth-report", |t| {
        t.contains("DKIM d=example.kr s=mailscope pass")
    })
    .await;
    scroll_to(c, "#auth-panel").await;
    browser.screenshot("ui-dkim-inspector-pass-ko").await;
    assert_eq!(page_errors(c).await, Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dkim_lesson_breaks_the_step_each_edit_touches() {
    let serve = Serve::start(&[]);
    let browser = Browser::start().await;
    let c = &browser.client;
    open_app(c, &serve.url).await;
    click(c, "a[href='#/learn']").await;
    click(c, "a.lesson-link[data-lesson='dkim']").await;
    wait_xpath(c, "//*[@id='step-title' and starts-with(., 'Step 1 of 5')]").await;
    let tags = text_of(c, "#learn-dkim-tags").await;
    for want in [
        "a=",
        "ed25519-sha256",
        "bh=",
        "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=",
    ] {
        assert!(tags.contains(want), "{want:?} in {tags}");
    }
    scroll_to(c, "#learn-dkim").await;
    browser.screenshot("ui-learn-dkim-sign").await;

    click(c, "#learn-next").await;
    wait_text(c, "#learn-dkim", |t| {
        t.contains("DKIM d=football.example.com s=brisbane pass")
    })
    .await;
    click(c, "#learn-next").await;
    wait_text(c, "#learn-dkim", |t| {
        t.contains("DKIM d=football.example.com s=brisbane fail")
    })
    .await;
    let failed = text_of(c, "#learn-dkim .auth-steps li.bad").await;
    assert!(failed.contains("compare with bh="), "{failed}");
    scroll_to(c, "#learn-dkim").await;
    browser.screenshot("ui-learn-dkim-body").await;

    click(c, "#learn-next").await;
    wait_css(c, "#learn-dkim-edit").await;
    let failed = wait_text(c, "#learn-dkim .auth-steps li.bad", |t| {
        t.contains("Verify b=")
    })
    .await;
    assert!(failed.contains("header block"), "{failed}");

    choose(c, "#lang-switch", "ko").await;
    wait_lang(c, "ko").await;
    wait_xpath(c, "//*[@id='step-title' and contains(., '서명된 헤더')]").await;
    scroll_to(c, "#learn-dkim").await;
    browser.screenshot("ui-learn-dkim-header-ko").await;

    // The whole lesson: nothing goes to the server; each step's section shows its panel.
    click(c, "#learn-try").await;
    wait_xpath(
        c,
        "//*[@id='learn-run-3']//ol[contains(@class,'auth-steps')]/li[contains(@class,'bad')]",
    )
    .await;
    // The step's panel and every run section's panel on one screen: their ids stay unique
    // (the screenshot checks it).
    scroll_to(c, "#learn-run-3").await;
    browser.screenshot("ui-learn-dkim-whole-lesson").await;
    // Step 5's link opens the composer.
    click(c, "#learn-dkim-composer-run-5").await;
    wait_css(c, "#compose-dkim").await;
    assert_eq!(page_errors(c).await, Vec::<String>::new());
}
