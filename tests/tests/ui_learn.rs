//! The Learn view end to end: the lesson list, lesson 1 stepped with the keyboard and its
//! Try it run against the in-browser server, and the encoded-word panel of the MIME lesson, in
//! headless Chromium without console errors.

use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use mailscope_e2e::page::{click, wait_css, wait_xpath};
use mailscope_e2e::{Browser, Serve};

/// Waits until the step heading starts with `prefix`.
async fn wait_step(c: &Client, prefix: &str) {
    wait_xpath(
        c,
        &format!("//*[@id='step-title' and starts-with(., '{prefix}')]"),
    )
    .await;
}

async fn wires(c: &Client) -> Vec<String> {
    let mut out = Vec::new();
    for el in c
        .find_all(Locator::Css("#learn-transcript pre.wire"))
        .await
        .expect("transcript entries")
    {
        out.push(el.text().await.expect("text"));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lesson_one_runs_live_and_the_mime_lesson_decodes_euc_kr() {
    let serve = Serve::start(&[]);
    let browser = Browser::start().await;
    let c = &browser.client;
    c.goto(&serve.url).await.expect("open the page");
    click(c, "a[href='#/learn']").await;
    wait_css(c, "#lesson-list").await;
    let lessons = c
        .find_all(Locator::Css("#lesson-list .lesson-link"))
        .await
        .expect("lesson links");
    assert_eq!(lessons.len(), 12, "twelve lessons listed");

    click(c, "a.lesson-link[data-lesson='classic']").await;
    wait_step(c, "Step 1 of 6").await;
    assert!(
        c.current_url()
            .await
            .expect("url")
            .as_str()
            .ends_with("#/learn?lesson=classic"),
        "the lesson has its own link"
    );

    // Keyboard: focus "Next" and press Enter, twice.
    let next = wait_css(c, "#learn-next").await;
    next.send_keys(&String::from(char::from(Key::Enter)))
        .await
        .expect("Enter on Next");
    wait_step(c, "Step 2 of 6").await;
    wait_css(c, "#learn-next")
        .await
        .send_keys(&String::from(char::from(Key::Enter)))
        .await
        .expect("Enter on Next");
    wait_step(c, "Step 3 of 6").await;
    click(c, "#learn-prev").await;
    wait_step(c, "Step 2 of 6").await;

    // Try this step: greeting and HELO only.
    click(c, "#learn-try-step").await;
    wait_xpath(c, "//*[@id='learn-ran-to' and contains(., 'steps 1–2')]").await;
    let w = wires(c).await;
    let starts: Vec<&str> = w.iter().map(|s| s.get(..3).unwrap_or(s)).collect();
    assert_eq!(starts, ["220", "HEL", "250"], "up to step 2: {w:?}");

    // The whole lesson.
    click(c, "#learn-try").await;
    wait_xpath(c, "//*[@id='learn-transcript']//pre[starts-with(., '221')]").await;
    let w = wires(c).await;
    let starts: Vec<&str> = w.iter().map(|s| s.get(..3).unwrap_or(s)).collect();
    assert_eq!(
        starts,
        [
            "220", "HEL", "250", "MAI", "250", "RCP", "250", "RCP", "250", "DAT", "354", "Fro",
            "250", "QUI", "221"
        ],
        "the classic dialogue: {w:?}"
    );
    browser.screenshot("learn-lesson-1").await;

    // Lesson 12, step 3: the core decodes the EUC-KR encoded-word step by step.
    c.goto(&format!("{}#/learn?lesson=mime", serve.origin))
        .await
        .expect("open the MIME lesson by its link");
    wait_step(c, "Step 1 of 4").await;
    click(c, ".lesson-steps li:nth-child(3) button").await;
    wait_step(c, "Step 3 of 4").await;
    let decoded = wait_css(c, "#learn-decoded").await;
    assert_eq!(decoded.text().await.expect("text"), "안녕하세요.");
    browser.screenshot("learn-lesson-12").await;

    // Arrow keys step too.
    wait_css(c, "#learn-next")
        .await
        .send_keys(&String::from(char::from(Key::Right)))
        .await
        .expect("ArrowRight");
    wait_step(c, "Step 4 of 4").await;

    // Lesson 11: error replies, and the bounce read by the core.
    c.goto(&format!("{}#/learn?lesson=errors", serve.origin))
        .await
        .expect("open the errors lesson");
    wait_step(c, "Step 1 of 6").await;
    click(c, ".lesson-steps li:nth-child(4) button").await;
    wait_step(c, "Step 4 of 6").await;
    click(c, "#learn-try-step").await;
    wait_xpath(
        c,
        "//*[@id='learn-transcript']//pre[starts-with(., '552 5.3.4')]",
    )
    .await;
    click(c, ".lesson-steps li:nth-child(6) button").await;
    wait_step(c, "Step 6 of 6").await;
    click(c, "#learn-try").await;
    wait_xpath(
        c,
        "//*[@id='learn-transcript']//pre[starts-with(., '554 5.6.0')]",
    )
    .await;
    wait_xpath(c, "//table[@class='dsn-table']//td[text()='5.1.1']").await;
    browser.screenshot("learn-lesson-11").await;

    click(c, "#learn-back").await;
    wait_css(c, "#lesson-list").await;
    browser.screenshot("learn-list").await;

    let errors = browser.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    browser.close().await;
}
