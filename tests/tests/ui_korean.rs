//! One lesson run end to end in Korean: Chromium starts with Korean as its language, the page
//! loads its Korean pack and follows it (navigation, lesson list, lesson text, the core's
//! explanations and lint summaries in the transcript), then the header switch changes to
//! English and a reload keeps English without fetching the pack; choosing Korean again loads
//! it, and a reload with Korean remembered starts in Korean.

use fantoccini::{Client, Locator};
use mailscope_e2e::page::{click, scroll_to, text_of, wait_css, wait_lang, wait_xpath};
use mailscope_e2e::{Browser, Serve};

/// Text of every element matching `css`.
async fn texts(c: &Client, css: &str) -> Vec<String> {
    let mut out = Vec::new();
    for el in c.find_all(Locator::Css(css)).await.expect("find_all") {
        out.push(el.text().await.expect("text"));
    }
    out
}

async fn html_lang(c: &Client) -> String {
    c.execute("return document.documentElement.lang", vec![])
        .await
        .expect("read <html lang>")
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Whether the page fetched the Korean pack's data file (resource timing of the page).
async fn pack_fetched(c: &Client) -> bool {
    c.execute(
        "return performance.getEntriesByType('resource').some(e => e.name.includes('lang-ko'))",
        vec![],
    )
    .await
    .expect("read resource timing")
    .as_bool()
    .unwrap_or_default()
}

fn has_hangul(s: &str) -> bool {
    s.chars().any(|ch| ('가'..='힣').contains(&ch))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_lesson_run_end_to_end_in_korean() {
    let serve = Serve::start(&[]);
    let browser = Browser::start_with_lang("ko-KR").await;
    let c = &browser.client;
    c.goto(&serve.url).await.expect("open the page");

    // The browser's language picks Korean: the pack loads, then navigation and <html lang>.
    wait_lang(c, "ko").await;
    assert!(pack_fetched(c).await, "the Korean pack was loaded");
    wait_xpath(
        c,
        "//nav[@class='nav']//a[@href='#/learn' and normalize-space(.)='학습']",
    )
    .await;
    assert_eq!(text_of(c, "a[href='#/session']").await, "세션");
    assert_eq!(html_lang(c).await, "ko", "<html lang> follows the language");
    let switch = wait_css(c, "#lang-switch").await;
    assert_eq!(
        switch.prop("value").await.expect("value").as_deref(),
        Some("ko"),
        "the switch shows Korean"
    );

    // The lesson list is Korean.
    click(c, "a[href='#/learn']").await;
    wait_css(c, "#lesson-list").await;
    let titles = texts(c, "#lesson-list .lesson-title").await;
    assert_eq!(titles.len(), 14, "fourteen lessons: {titles:?}");
    assert_eq!(
        titles[0], "전형적인 SMTP 대화",
        "lesson 1 in Korean: {titles:?}"
    );
    assert!(
        titles.iter().all(|t| has_hangul(t)
            || t.starts_with("STARTTLS")
            || t.contains("AUTH")
            || t.starts_with("Dot")),
        "{titles:?}"
    );

    // Lesson 1: Korean step text, the same commands.
    click(c, "a.lesson-link[data-lesson='classic']").await;
    wait_xpath(
        c,
        "//*[@id='step-title' and starts-with(., '6단계 중 1단계')]",
    )
    .await;
    let body = text_of(c, ".lesson-step").await;
    assert!(
        body.contains("서버가 자기 이름을 담은") && body.contains("220"),
        "step 1 in Korean: {body}"
    );
    browser.screenshot("korean-lesson-1").await;
    click(c, "#learn-next").await;
    wait_xpath(
        c,
        "//*[@id='step-title' and starts-with(., '6단계 중 2단계')]",
    )
    .await;
    let body = text_of(c, ".lesson-step").await;
    assert!(
        body.contains("HELO client.example") && has_hangul(&body),
        "step 2: {body}"
    );

    // Try it: the whole lesson runs against the in-browser server.
    click(c, "#learn-try").await;
    wait_xpath(c, "//*[@id='learn-run-6']//pre[starts-with(., '221')]").await;
    assert_eq!(
        text_of(c, "#learn-ran-to").await,
        "6단계를 모두 실행했습니다. 단계마다 세션이 아래 각자의 구역에 있습니다."
    );
    let kinds = texts(c, ".step-run .kind").await;
    assert!(
        kinds.iter().any(|k| k == "명령 HELO") && kinds.iter().any(|k| k == "응답 354"),
        "entry kinds in Korean: {kinds:?}"
    );
    // The core's explanations, in Korean.
    let explanations = c
        .execute(
            "return [...document.querySelectorAll('.step-run details.explain summary')].map(e => e.textContent)",
            vec![],
        )
        .await
        .expect("read the explanations");
    let explanations: Vec<String> = explanations
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        explanations.len(),
        15,
        "one explanation per entry: {explanations:?}"
    );
    assert!(
        explanations.iter().all(|e| has_hangul(e)),
        "every explanation has Korean: {explanations:#?}"
    );
    assert!(
        explanations
            .iter()
            .any(|e| e.contains("HELO: 클라이언트가 자기 이름으로 서버에 인사하며")),
        "HELO explained in Korean: {explanations:#?}"
    );
    assert!(
        explanations
            .iter()
            .any(|e| e.contains("서버가 메시지에 대한 책임을 넘겨받았습니다")),
        "the 250 after the data explained in Korean: {explanations:#?}"
    );
    // The in-browser server's notes, in Korean (the queue id and sizes are data).
    let notes = texts(c, ".step-run .notes li").await;
    assert!(
        notes
            .iter()
            .any(|n| n.contains("서버: 메시지를") && n.contains("접수했습니다"))
            && notes.iter().any(|n| n.contains("연결이 닫혔습니다.")),
        "server notes in Korean: {notes:#?}"
    );
    scroll_to(c, "#learn-notes-6").await;
    browser.screenshot("korean-lesson-1-notes").await;
    let states = texts(c, ".step-run .state").await;
    assert!(
        states.iter().any(|s| s == "준비됨 → MAIL 진행"),
        "states in Korean: {states:?}"
    );
    scroll_to(c, "#learn-run-1").await;
    browser.screenshot("korean-lesson-1-transcript").await;

    // A lint in Korean: the by-hand lesson's bare LF, with the English detail under it.
    c.goto(&format!("{}#/learn?lesson=by-hand", serve.origin))
        .await
        .expect("open lesson 2 by its link");
    wait_xpath(
        c,
        "//*[@id='step-title' and starts-with(., '5단계 중 1단계')]",
    )
    .await;
    click(c, "#learn-try").await;
    let lint = wait_xpath(
        c,
        "//*[@id='learn-run-4']//li[contains(@class,'lint')][.//code[.='smtp.bare-lf']]",
    )
    .await;
    let lint_text = lint.text().await.expect("lint text");
    assert!(
        lint_text.contains("줄이 LF 하나로만 끝납니다"),
        "Korean summary of smtp.bare-lf: {lint_text}"
    );
    c.execute(
        "arguments[0].scrollIntoView({block: 'center'})",
        vec![serde_json::to_value(&lint).expect("element as JSON")],
    )
    .await
    .expect("scroll to the lint");
    browser.screenshot("korean-lesson-2-lint").await;

    // Switch to English with the header switch; a reload remembers it.
    let switch = wait_css(c, "#lang-switch").await;
    switch.select_by_value("en").await.expect("choose English");
    wait_xpath(
        c,
        "//nav[@class='nav']//a[@href='#/learn' and normalize-space(.)='Learn']",
    )
    .await;
    // The whole lesson ran: the pointer stands past its last step.
    wait_xpath(c, "//*[@id='step-title' and .='Lesson done']").await;
    c.refresh().await.expect("reload");
    wait_xpath(
        c,
        "//nav[@class='nav']//a[@href='#/learn' and normalize-space(.)='Learn']",
    )
    .await;
    wait_xpath(c, "//*[@id='step-title' and starts-with(., 'Step 1 of 5')]").await;
    assert_eq!(
        html_lang(c).await,
        "en",
        "English remembered across the reload"
    );
    assert_eq!(text_of(c, "a[href='#/session']").await, "Session");
    assert!(
        !pack_fetched(c).await,
        "an English page does not fetch the Korean pack"
    );
    browser.screenshot("korean-then-english").await;

    // Choosing Korean loads the pack; a reload with Korean remembered starts in Korean.
    let switch = wait_css(c, "#lang-switch").await;
    switch.select_by_value("ko").await.expect("choose Korean");
    wait_lang(c, "ko").await;
    assert!(pack_fetched(c).await, "choosing Korean fetched the pack");
    wait_xpath(
        c,
        "//*[@id='step-title' and starts-with(., '5단계 중 1단계')]",
    )
    .await;
    c.refresh().await.expect("reload");
    wait_lang(c, "ko").await;
    wait_xpath(
        c,
        "//nav[@class='nav']//a[@href='#/learn' and normalize-space(.)='학습']",
    )
    .await;
    wait_xpath(
        c,
        "//*[@id='step-title' and starts-with(., '5단계 중 1단계')]",
    )
    .await;
    browser.screenshot("korean-after-reload").await;

    let errors = browser.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:?}");
    browser.close().await;
}
