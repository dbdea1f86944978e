//! The ladder diagram end to end: a pipelined session against the in-browser server shows its
//! pipelined group and round trips, clicking an arrow focuses the transcript entry, and "Run
//! whole transaction" through the relay to the sandbox of a real `mailscope serve` counts its
//! round trips (they read 0 there before). Screenshots in English and Korean.

use fantoccini::{Client, Locator};
use mailscope_e2e::page::{
    choose, click, scroll_to, text_of, wait_css, wait_lang, wait_text, POLL,
};
use mailscope_e2e::{Browser, Serve, READY_TIMEOUT};

/// The two numbers of "Round trips: N · saved by pipelining: M" (or the ladder's summary).
fn figures(text: &str) -> (usize, usize) {
    let numbers: Vec<usize> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect();
    match numbers.as_slice() {
        [n, saved, ..] => (*n, *saved),
        _ => panic!("no figures in {text:?}"),
    }
}

/// The wire text of the transcript's server entries, in order.
async fn replies(c: &Client) -> Vec<String> {
    let mut out = Vec::new();
    let xpath = "//*[@id='transcript']/li[contains(@class,'server')]//pre[@class='wire']";
    for e in c.find_all(Locator::XPath(xpath)).await.unwrap_or_default() {
        out.push(e.text().await.unwrap_or_default());
    }
    out
}

/// Waits until the transcript holds `n` server replies, the last one starting with `code`.
async fn wait_replies(c: &Client, n: usize, code: &str) {
    let deadline = std::time::Instant::now() + READY_TIMEOUT;
    loop {
        let found = replies(c).await;
        if found.len() == n && found.last().is_some_and(|r| r.starts_with(code)) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "waited for {n} replies ending with {code}: {found:#?}"
        );
        tokio::time::sleep(POLL).await;
    }
}

/// Opens the ladder diagram (a new session's starts collapsed).
async fn open_ladder(c: &Client) {
    wait_css(c, "#session-ladder").await;
    c.execute(
        "document.getElementById('session-ladder').open = true",
        vec![],
    )
    .await
    .expect("open the diagram");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ladder_shows_a_pipelined_group_and_relay_round_trips() {
    let serve = Serve::start(&[]);
    let browser = Browser::start().await;
    let c = &browser.client;
    c.goto(&format!("{}/#/session&token={}", serve.origin, serve.token))
        .await
        .expect("open the page");

    // An imported transcript: its writes are inferred, one round trip per command.
    click(c, "#session-tab-import").await;
    click(c, "#import-example").await;
    let imported = text_of(c, "#import-ladder > summary").await;
    assert_eq!(figures(&imported), (3, 0), "EHLO, RCPT, QUIT: {imported}");
    click(c, "#session-tab-session").await;

    // In the browser: EHLO, then MAIL, RCPT, DATA queued and sent in one write.
    click(c, "#session-connect").await;
    wait_replies(c, 1, "220").await;
    click(c, "#btn-ehlo").await;
    wait_replies(c, 2, "250").await;
    click(c, "#pipelining").await;
    click(c, "#btn-mail").await;
    click(c, "#btn-rcpt").await;
    click(c, "#btn-data").await;
    click(c, "#send-group").await;
    wait_replies(c, 5, "354").await;
    // Pipelining off: QUIT goes on its own.
    click(c, "#pipelining").await;
    click(c, "#btn-send-message").await;
    wait_replies(c, 6, "250").await;
    click(c, "#btn-quit").await;
    wait_replies(c, 7, "221").await;

    let counted = figures(&text_of(c, "#round-trips").await);
    assert_eq!(counted, (4, 2), "EHLO, the group of three, message, QUIT");
    click(c, "#session-ladder > summary").await;
    let open = wait_css(c, "#session-ladder").await.attr("open").await;
    assert!(
        open.expect("attribute").is_some(),
        "the summary opens the diagram"
    );
    let summary = text_of(c, "#session-ladder > summary").await;
    assert_eq!(figures(&summary), counted, "{summary}");
    let group = text_of(c, "#session-ladder .ladder-trip.pipelined .trip-label").await;
    assert!(
        group.contains("pipelined: 3 commands in one turn, 2 round trips saved"),
        "{group}"
    );
    let arrows = c
        .find_all(Locator::Css(
            "#session-ladder .ladder-trip.pipelined button.arrow",
        ))
        .await
        .expect("arrows");
    assert!(arrows.len() >= 2, "a write and its answers");
    let client_write = arrows[0].text().await.expect("label");
    for verb in ["MAIL FROM", "RCPT TO", "DATA"] {
        assert!(client_write.contains(verb), "one arrow: {client_write}");
    }
    // An arrow is a button: clicking it focuses the transcript entry it carries.
    arrows[0].click().await.expect("click the arrow");
    let focused = c
        .execute("return document.activeElement.id", vec![])
        .await
        .expect("focused element");
    assert!(
        focused
            .as_str()
            .is_some_and(|id| id.starts_with("transcript-entry-")),
        "{focused}"
    );
    let entry = text_of(c, ":focus").await;
    assert!(entry.contains("MAIL FROM"), "{entry}");
    scroll_to(c, "#session-ladder").await;
    browser.screenshot("ladder-session-en").await;

    // Korean: the same diagram, its labels translated.
    choose(c, "#lang-switch", "ko").await;
    wait_lang(c, "ko").await;
    let summary = text_of(c, "#session-ladder > summary").await;
    assert!(summary.contains("왕복 4회"), "{summary}");
    let group = text_of(c, "#session-ladder .ladder-trip.pipelined .trip-label").await;
    assert!(group.contains("파이프라이닝"), "{group}");
    scroll_to(c, "#session-ladder").await;
    browser.screenshot("ladder-session-ko").await;
    choose(c, "#lang-switch", "en").await;
    wait_lang(c, "en").await;

    // Through the relay to the sandbox: the whole transaction, pipelined, without AUTH.
    choose(c, "#target-kind", "sandbox").await;
    wait_css(c, "#relay-status[data-state='connected']").await;
    // The session is over: no command's fields are open; the whole run's are opened by hand.
    click(c, "#fields-run").await;
    click(c, "#run-auth").await;
    click(c, "#run-starttls").await;
    click(c, "#pipelining").await;
    click(c, "#btn-run").await;
    // The sandbox's self-signed certificate: the user goes on.
    click(c, "#cert-continue").await;
    // The relay reports the connection closed after QUIT (none was open before).
    wait_css(c, "#relay-closed").await;
    let all = replies(c).await;
    assert!(
        all.last().is_some_and(|r| r.starts_with("221")),
        "the whole transaction ran: {all:#?}"
    );
    let relay = figures(&wait_text(c, "#round-trips", |t| !t.contains("Round trips: 0")).await);
    assert!(relay.0 > 0, "round trips over the relay: {relay:?}");
    assert!(relay.1 > 0, "the sandbox offers PIPELINING: {relay:?}");
    let summary = text_of(c, "#session-ladder > summary").await;
    assert_eq!(figures(&summary), relay, "{summary}");
    open_ladder(c).await;
    let timed = text_of(c, "#session-ladder .ladder-trip .trip-label").await;
    assert!(timed.contains(" ms"), "live round trips are timed: {timed}");
    let boundary = text_of(c, "#session-ladder .ladder-tls").await;
    assert!(boundary.contains("TLS from here on"), "{boundary}");
    let after = c
        .find_all(Locator::Css("#session-ladder .ladder-arrow.tls"))
        .await
        .unwrap_or_default();
    assert!(
        after.len() >= 8,
        "EHLO, the group and QUIT inside TLS: {}",
        after.len()
    );
    scroll_to(c, "#session-ladder .ladder-tls").await;
    browser.screenshot("ladder-relay-en").await;

    // The Mailbox: the sandbox's own transcript of the same session, as a ladder.
    click(c, "a[href='#/mailbox']").await;
    click(c, "tr.mail-row button.mail-open").await;
    wait_text(c, "#mailbox-transcript", |t| t.contains("command STARTTLS")).await;
    wait_css(c, "#mailbox-ladder").await;
    c.execute(
        "document.getElementById('mailbox-ladder').open = true",
        vec![],
    )
    .await
    .expect("open the diagram");
    let summary = text_of(c, "#mailbox-ladder > summary").await;
    assert!(figures(&summary).0 > 0, "{summary}");
    text_of(c, "#mailbox-ladder .ladder-tls").await;
    scroll_to(c, "#mailbox-ladder").await;
    browser.screenshot("ladder-mailbox-en").await;
    browser.close().await;
}
