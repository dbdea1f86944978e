//! The Learn view end to end: the lesson list, lesson 1 stepped with the keyboard and its
//! Try it run against the in-browser server, each step's session in its own labelled section,
//! the encoded-word panel of the MIME lesson, and the progress kept across a reload, in headless
//! Chromium without console errors (English and Korean).

use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use mailscope_e2e::page::{click, scroll_to, text_of, wait_css, wait_lang, wait_xpath};
use mailscope_e2e::{Browser, Serve};

/// Waits until the step heading starts with `prefix`.
async fn wait_step(c: &Client, prefix: &str) {
    wait_xpath(
        c,
        &format!("//*[@id='step-title' and starts-with(., '{prefix}')]"),
    )
    .await;
}

/// The first three characters of each wire entry of step `n`'s section (read from the DOM
/// text, so a collapsed section counts too).
async fn wires(c: &Client, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    for el in c
        .find_all(Locator::Css(&format!("#learn-run-{n} pre.wire")))
        .await
        .expect("transcript entries")
    {
        let text = el
            .prop("textContent")
            .await
            .expect("text")
            .unwrap_or_default();
        out.push(text.chars().take(3).collect());
    }
    out
}

/// The step sections of the last run, as `(data-step, heading)`.
async fn sections(c: &Client) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for el in c
        .find_all(Locator::Css(".step-run"))
        .await
        .expect("step sections")
    {
        let step = el
            .attr("data-step")
            .await
            .expect("attr")
            .unwrap_or_default();
        let title = el
            .find(Locator::Css(".step-run-title"))
            .await
            .expect("section heading")
            .text()
            .await
            .expect("text");
        out.push((step, title));
    }
    out
}

/// The lessons the list marks done.
async fn done_lessons(c: &Client) -> Vec<String> {
    let mut out = Vec::new();
    for el in c
        .find_all(Locator::Css("#lesson-list li.done"))
        .await
        .expect("lesson items")
    {
        out.push(
            el.attr("data-lesson")
                .await
                .expect("attr")
                .unwrap_or_default(),
        );
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
    assert_eq!(lessons.len(), 14, "fourteen lessons listed");

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

    // Try this step: greeting and HELO only, each in its step's section.
    click(c, "#learn-try-step").await;
    wait_xpath(c, "//*[@id='learn-ran-to' and contains(., 'steps 1–2')]").await;
    assert_eq!(wires(c, 1).await, ["220"], "step 1: the greeting");
    assert_eq!(wires(c, 2).await, ["HEL", "250"], "step 2: HELO");
    wait_step(c, "Step 2 of 6").await;

    // The whole lesson: six labelled sections, the pointer past the last step.
    click(c, "#learn-try").await;
    wait_xpath(c, "//*[@id='learn-run-6']//pre[starts-with(., '221')]").await;
    wait_step(c, "Lesson done").await;
    let titles = sections(c).await;
    let steps: Vec<&str> = titles.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(steps, ["1", "2", "3", "4", "5", "6"], "{titles:?}");
    assert_eq!(
        titles[2].1, "Step 3 — MAIL: the envelope sender",
        "labelled with the step's title: {titles:?}"
    );
    let mut all = Vec::new();
    for n in 1..=6 {
        all.extend(wires(c, n).await);
    }
    assert_eq!(
        all,
        [
            "220", "HEL", "250", "MAI", "250", "RCP", "250", "RCP", "250", "DAT", "354", "Fro",
            "250", "QUI", "221"
        ],
        "the classic dialogue, step by step"
    );
    assert_eq!(wires(c, 6).await, ["QUI", "221"]);
    assert_eq!(
        text_of(c, "#learn-progress").await,
        "6 of 6 steps run",
        "every step marked"
    );
    browser.screenshot("learn-lesson-1").await;

    // Lesson 2: the refused smuggling message is one message answered by 554, and the 221
    // under QUIT is not called missing.
    c.goto(&format!("{}#/learn?lesson=by-hand", serve.origin))
        .await
        .expect("open lesson 2");
    wait_step(c, "Step 1 of 5").await;
    click(c, "#learn-try").await;
    wait_xpath(c, "//*[@id='learn-run-5']//pre[starts-with(., '221')]").await;
    assert_eq!(
        wires(c, 4).await,
        ["220", "EHL", "250", "MAI", "250", "RCP", "250", "DAT", "354", "Sub", "554"],
        "step 4: the smuggled MAIL FROM is message data"
    );
    assert_eq!(wires(c, 5).await, ["QUI", "221"]);
    let findings = c
        .find_all(Locator::Css("#learn-run-5 .lints"))
        .await
        .expect("lints");
    assert!(findings.is_empty(), "no finding under QUIT and 221");
    scroll_to(c, "#learn-transcript-4-entry-9").await;
    browser.screenshot("learn-lesson-2-smuggling").await;

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

    // Lesson 11: error replies, each connection in its own step, and the bounce read by the
    // core.
    c.goto(&format!("{}#/learn?lesson=errors", serve.origin))
        .await
        .expect("open the errors lesson");
    wait_step(c, "Step 1 of 6").await;
    click(c, ".lesson-steps li:nth-child(4) button").await;
    wait_step(c, "Step 4 of 6").await;
    click(c, "#learn-try-step").await;
    wait_xpath(
        c,
        "//*[@id='learn-run-4']//pre[starts-with(., '552 5.3.4')]",
    )
    .await;
    click(c, "#learn-try").await;
    for (n, reply) in [
        (1, "550 5.1.1"),
        (3, "421"),
        (4, "552 5.3.4"),
        (5, "554 5.6.0"),
    ] {
        wait_xpath(
            c,
            &format!("//*[@id='learn-run-{n}']//pre[starts-with(., '{reply}')]"),
        )
        .await;
    }
    wait_xpath(
        c,
        "//*[@id='learn-run-6']//table[@class='dsn-table']//td[text()='5.1.1']",
    )
    .await;
    browser.screenshot("learn-lesson-11").await;

    // The list marks what ran, and keeps it across a reload until it is forgotten.
    click(c, "#learn-back").await;
    wait_css(c, "#lesson-list").await;
    assert_eq!(done_lessons(c).await, ["classic", "by-hand", "errors"]);
    c.refresh().await.expect("reload");
    wait_css(c, "#lesson-list li.done").await;
    assert_eq!(
        done_lessons(c).await,
        ["classic", "by-hand", "errors"],
        "remembered after a reload"
    );
    browser.screenshot("learn-list").await;
    click(c, "#learn-reset-progress").await;
    wait_xpath(c, "//button[@id='learn-reset-progress' and @disabled]").await;
    assert!(done_lessons(c).await.is_empty(), "progress forgotten");
    c.refresh().await.expect("reload");
    wait_css(c, "#lesson-list").await;
    assert!(
        done_lessons(c).await.is_empty(),
        "still forgotten after a reload"
    );

    let errors = browser.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    browser.close().await;
}

/// The same in Korean: the step sections and the done state are labelled in Korean, and the
/// list's done mark says so in Korean.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_lesson_in_korean_has_korean_step_sections() {
    let serve = Serve::start(&[]);
    let browser = Browser::start_with_lang("ko-KR").await;
    let c = &browser.client;
    c.goto(&format!("{}#/learn?lesson=classic", serve.origin))
        .await
        .expect("open lesson 1 by its link");
    wait_lang(c, "ko").await;
    wait_step(c, "6단계 중 1단계").await;
    click(c, "#learn-try").await;
    wait_xpath(c, "//*[@id='learn-run-6']//pre[starts-with(., '221')]").await;
    wait_step(c, "학습 완료").await;
    let titles = sections(c).await;
    assert_eq!(titles.len(), 6, "{titles:?}");
    assert_eq!(titles[2].1, "3단계 — MAIL: 봉투의 발신자", "{titles:?}");
    assert_eq!(text_of(c, "#learn-progress").await, "6단계 중 6단계 실행함");
    browser.screenshot("learn-lesson-1-ko").await;
    click(c, "#learn-back").await;
    wait_css(c, "#lesson-list li.done").await;
    assert_eq!(done_lessons(c).await, ["classic"]);
    assert_eq!(
        text_of(c, "#lesson-list li.done .lesson-done").await,
        "완료: 모든 단계를 실행했습니다."
    );
    browser.screenshot("learn-list-ko").await;
    let errors = browser.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    browser.close().await;
}

/// Runs the open lesson on the sandbox: chooses it, waits for the relay (a screenshot `shot`
/// of the choice), presses "whole lesson" and waits for the last step's `221`.
async fn run_on_the_sandbox(browser: &Browser, last_step: usize, shot: &str) {
    let c = &browser.client;
    click(c, "#learn-server-sandbox").await;
    wait_css(c, "#learn-server #relay-status[data-state='connected']").await;
    scroll_to(c, "#learn-server").await;
    browser.screenshot(shot).await;
    click(c, "#learn-try").await;
    wait_xpath(
        c,
        &format!("//*[@id='learn-run-{last_step}']//pre[starts-with(., '221')]"),
    )
    .await;
}

/// Lesson 1 on the sandbox of `mailscope serve`, through the relay: every step's part comes
/// from the real server (its greeting names it), each command after the answer to the one
/// before (the same replies as the in-browser run), the message lands in the sandbox's store,
/// and the panel links to the Mailbox. A lesson that holds on the in-browser server only says
/// which step and why. English, then Korean.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lesson_runs_on_the_sandbox_through_the_relay() {
    let serve = Serve::start(&[]);
    let browser = Browser::start().await;
    let c = &browser.client;
    c.goto(&serve.url)
        .await
        .expect("open the page with its token");
    click(c, "a[href='#/learn']").await;
    click(c, "a.lesson-link[data-lesson='errors']").await;
    wait_step(c, "Step 1 of 6").await;
    let why = text_of(c, "#learn-sandbox-why").await;
    assert!(
        why.contains("Step 3") && why.contains("421"),
        "names the step and the switch: {why}"
    );
    scroll_to(c, "#learn-server").await;
    browser.screenshot("learn-sandbox-blocked-en").await;
    let sandbox_choice = wait_css(c, "#learn-server-sandbox").await;
    assert_eq!(
        sandbox_choice
            .attr("disabled")
            .await
            .expect("attr")
            .as_deref(),
        Some("true"),
        "the sandbox cannot be chosen for this lesson"
    );

    click(c, "#learn-back").await;
    click(c, "a.lesson-link[data-lesson='classic']").await;
    wait_step(c, "Step 1 of 6").await;
    run_on_the_sandbox(&browser, 6, "learn-sandbox-choice-en").await;
    wait_step(c, "Lesson done").await;
    assert_eq!(
        text_of(c, "#learn-transcript-title").await,
        "Try it: the sandbox of mailscope serve"
    );
    let greeting = text_of(c, "#learn-run-1 pre.wire").await;
    assert!(
        greeting.starts_with("220 sandbox.mailscope.test"),
        "the sandbox greets: {greeting}"
    );
    // The same replies, step by step, as the in-browser run (tested above).
    assert_eq!(wires(c, 2).await, ["HEL", "250"]);
    assert_eq!(wires(c, 4).await, ["RCP", "250", "RCP", "250"]);
    assert_eq!(wires(c, 6).await, ["QUI", "221"]);
    scroll_to(c, "#learn-run-5 .demo").await;
    let panel = text_of(c, "#learn-run-5 .demo").await;
    assert!(panel.contains("the server answered 250"), "{panel}");
    assert!(panel.contains("queued as"), "{panel}");
    let stored = mailscope_e2e::api::wait_for_messages(&serve, 1, || "lesson 1's message".into());
    assert_eq!(stored[0]["headline"]["subject"], "Hello", "{stored:?}");
    browser.screenshot("learn-sandbox-en").await;
    click(c, "#demo-mailbox-link-run-5").await;
    wait_xpath(c, "//*[@id='mailbox-list']//td[contains(., 'Hello')]").await;
    let errors = browser.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    browser.close().await;

    let browser = Browser::start_with_lang("ko-KR").await;
    let c = &browser.client;
    c.goto(&serve.url)
        .await
        .expect("open the page with its token");
    wait_lang(c, "ko").await;
    click(c, "a[href='#/learn']").await;
    click(c, "a.lesson-link[data-lesson='transactions']").await;
    wait_step(c, "3단계 중 1단계").await;
    run_on_the_sandbox(&browser, 3, "learn-sandbox-choice-ko").await;
    assert_eq!(
        text_of(c, "#learn-transcript-title").await,
        "직접 해 보기: mailscope serve의 샌드박스"
    );
    scroll_to(c, "#learn-run-3 .demo").await;
    let panel = text_of(c, "#learn-run-3 .demo").await;
    assert!(panel.contains("메일함에서 보기"), "{panel}");
    mailscope_e2e::api::wait_for_messages(&serve, 3, || "lesson 10's two messages".into());
    browser.screenshot("learn-sandbox-ko").await;
    let errors = browser.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    browser.close().await;
}
