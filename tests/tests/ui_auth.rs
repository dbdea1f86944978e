//! The Authenticity panel in headless Chromium: a message signed with Ed25519 (by the core's
//! signer) verifies `pass` in the worker against pasted records, SPF and DMARC pass; one changed
//! body byte makes DKIM fail at the body hash. In English and Korean. And with no records pasted,
//! the reader's opt-in lookups go through `mailscope serve` to a real DNS server (NSD on
//! loopback).

use mailscope_e2e::daemon::Scratch;
use mailscope_e2e::nsd::Nsd;
use mailscope_e2e::page::{
    choose, click, fill, open_app, open_paste_box, page_errors, paste_message, scroll_to, text_of,
    wait_css, wait_lang, wait_xpath,
};
use mailscope_e2e::signed::{signed_example, signed_for};
use mailscope_e2e::{Browser, Serve};

/// Opens the page, pastes `signed` (Subject `dinner`) into the Message view and opens its
/// Authenticity panel.
async fn open_in_panel(c: &fantoccini::Client, url: &str, signed: &str) {
    open_app(c, url).await;
    open_paste_box(c).await;
    paste_message(c, signed).await;
    wait_xpath(c, "//h3[@id='msg-subject'][text()='dinner']").await;
    click(c, "#auth-panel > summary").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_message_verifies_in_the_panel_and_one_edit_breaks_it() {
    let (signed, records) = signed_example();

    let serve = Serve::start(&[]);
    let browser = Browser::start().await;
    let c = &browser.client;
    open_in_panel(c, &serve.url, &signed).await;
    fill(c, "#auth-ip", "192.0.2.25").await;
    fill(c, "#auth-mail-from", "joe@example.com").await;
    fill(c, "#auth-records", &records).await;
    click(c, "#auth-check").await;
    let report = text_of(c, "#auth-report").await;
    for want in [
        "DKIM d=example.com s=sel pass",
        "SPF (mailfrom example.com) pass",
        "DMARC pass",
    ] {
        assert!(report.contains(want), "{want:?} in {report}");
    }
    scroll_to(c, "#auth-panel").await;
    browser.screenshot("ui-auth-pass").await;

    // One byte of the body changed: the records stay, DKIM fails at the body hash.
    paste_message(c, &signed.replace("lost", "Lost")).await;
    wait_xpath(c, "//h3[@id='msg-subject'][text()='dinner']").await;
    click(c, "#auth-check").await;
    let report = text_of(c, "#auth-report").await;
    assert!(report.contains("DKIM d=example.com s=sel fail"), "{report}");
    assert!(
        report.contains("SPF (mailfrom example.com) pass"),
        "what was typed stays for the edited message: {report}"
    );
    wait_css(c, ".auth-dkim .auth-steps li.bad").await;
    scroll_to(c, ".auth-dkim").await;
    browser.screenshot("ui-auth-fail").await;

    choose(c, "#lang-switch", "ko").await;
    wait_lang(c, "ko").await;
    let panel = text_of(c, "#auth-panel > summary").await;
    assert!(panel.contains("진위 확인"), "{panel}");
    browser.screenshot("ui-auth-fail-ko").await;
    assert_eq!(page_errors(c).await, Vec::<String>::new());
}

/// No records pasted: with "look up" ticked, every question goes through `mailscope serve`'s
/// resolver, here a real NSD on loopback serving the domain's key, SPF and DMARC records.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_are_looked_up_through_serve_when_the_reader_asks() {
    let (signed, key) = signed_for("example.test");
    let scratch = Scratch::new("auth-lookup");
    let nsd = Nsd::start(
        &scratch.dir.join("nsd"),
        "example.test",
        &format!(
            "sel._domainkey TXT \"{}\"\n@ TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n_dmarc TXT \"v=DMARC1; p=reject\"",
            key
        ),
    );
    let serve = Serve::start(&["--dns", &nsd.addr.to_string()]);
    let browser = Browser::start().await;
    let c = &browser.client;
    open_in_panel(c, &serve.url, &signed).await;
    fill(c, "#auth-ip", "192.0.2.25").await;
    fill(c, "#auth-mail-from", "joe@example.test").await;
    // Without the lookup, nothing is asked: the key does not exist.
    click(c, "#auth-check").await;
    let report = text_of(c, "#auth-report").await;
    assert!(
        report.contains("sel._domainkey.example.test TXT"),
        "{report}"
    );
    click(c, "#auth-lookup").await;
    click(c, "#auth-check").await;
    let deadline = std::time::Instant::now() + mailscope_e2e::READY_TIMEOUT;
    let report = loop {
        let report = text_of(c, "#auth-report").await;
        if report.contains("DKIM d=example.test s=sel pass") || std::time::Instant::now() > deadline
        {
            break report;
        }
        tokio::time::sleep(mailscope_e2e::page::POLL).await;
    };
    for want in [
        "DKIM d=example.test s=sel pass",
        "SPF (mailfrom example.test) pass",
        "DMARC pass",
    ] {
        assert!(report.contains(want), "{want:?} in {report}");
    }
    scroll_to(c, "#auth-panel").await;
    browser.screenshot("ui-auth-lookup").await;
    assert_eq!(page_errors(c).await, Vec::<String>::new());
}

/// The verdict word of the check `id` (`learn-align-dmarc`, …) inside the lesson's panel.
async fn verdict(c: &fantoccini::Client, id: &str) -> String {
    text_of(c, &format!(".lesson-body #{id} h5 .verdict")).await
}

/// The SPF + DMARC alignment lesson: each panel is the core's checks in the worker with the
/// lesson's records — SPF passes at every step, DMARC fails unaligned, passes with a return path
/// under the shop's domain, fails with `aspf=s`, passes with an aligned DKIM signature.
/// English, then Korean, with screenshots.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_alignment_lesson_passes_and_fails_dmarc_as_it_explains() {
    let serve = Serve::start(&[]);
    let browser = Browser::start().await;
    let c = &browser.client;
    open_app(c, &serve.url).await;
    click(c, "a[href='#/learn']").await;
    click(c, "a.lesson-link[data-lesson='alignment']").await;
    for (step, dkim, dmarc) in [
        (1, false, "fail"),
        (2, false, "pass"),
        (3, false, "fail"),
        (4, true, "pass"),
    ] {
        wait_xpath(
            c,
            &format!("//*[@id='step-title' and starts-with(., 'Step {step} of 4')]"),
        )
        .await;
        wait_xpath(
            c,
            &format!(
                "//*[contains(@class,'lesson-body')]//*[@id='learn-align-dmarc']//h5/span[contains(@class,'verdict') and .='{dmarc}']"
            ),
        )
        .await;
        assert_eq!(verdict(c, "learn-align-spf").await, "pass", "step {step}");
        let panel = text_of(c, ".lesson-body #learn-align").await;
        assert_eq!(
            panel.contains("DKIM d=shop.example s=esp pass"),
            dkim,
            "step {step}: {panel}"
        );
        if step == 1 {
            scroll_to(c, ".lesson-body #learn-align").await;
            browser.screenshot("ui-learn-alignment-unaligned").await;
        }
        if step < 4 {
            click(c, "#learn-next").await;
        }
    }
    scroll_to(c, ".lesson-body #learn-align").await;
    browser.screenshot("ui-learn-alignment-dkim").await;

    assert_eq!(
        text_of(c, "#learn-transcript-title").await,
        "Try it: the panels",
        "no server is named: the lesson sends nothing"
    );
    choose(c, "#lang-switch", "ko").await;
    wait_lang(c, "ko").await;
    wait_xpath(c, "//*[@id='step-title' and contains(., 'DKIM 정렬')]").await;
    let envelope = text_of(c, ".lesson-body .learn-align-envelope").await;
    assert!(envelope.contains("클라이언트"), "{envelope}");
    scroll_to(c, ".lesson-body #learn-align").await;
    browser.screenshot("ui-learn-alignment-dkim-ko").await;
    assert_eq!(page_errors(c).await, Vec::<String>::new());
}
