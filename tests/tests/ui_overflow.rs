//! Long and deep content stays inside its box (bug 13 of the explorer issue): a CRAM-MD5
//! challenge in the Session view (and the exchange decoded under its AUTH line), a part tree nested 16 levels deep, and a 1,232-character body
//! line. Measured in headless Chromium at the default window width: nothing makes the page
//! scroll sideways, no box is wider than its card, and each part label keeps a readable width.

use fantoccini::Client;
use mailscope_e2e::page::{
    choose, click, open_app, open_paste_box, page_errors, paste_message, scroll_to, text_of,
    wait_css, wait_xpath,
};
use mailscope_e2e::{Browser, Serve};

/// Elements under `root` whose right edge passes their box's (`.panel`, section or the view)
/// outside a scrolling pane, text panes that scroll sideways instead of wrapping, and whether the
/// page itself scrolls sideways.
async fn overflowing(c: &Client, root: &str) -> Vec<String> {
    let script = "const root = document.querySelector(arguments[0]); const out = [];\n\
        if (document.documentElement.scrollWidth > window.innerWidth + 1)\n\
          out.push('page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + window.innerWidth);\n\
        const name = el => el.id || String(el.className) || el.tagName;\n\
        const scrolls = el => { for (let a = el.parentElement; a && a !== root; a = a.parentElement)\n\
          if (getComputedStyle(a).overflowX !== 'visible') return true; return false; };\n\
        for (const el of root.querySelectorAll('*')) {\n\
          if (el.matches('.wire, .src-view, .text-part') && el.scrollWidth > el.clientWidth + 1)\n\
            out.push(name(el) + ' scrolls sideways: ' + el.scrollWidth + ' > ' + el.clientWidth);\n\
          const box = el.parentElement && el.parentElement.closest('.panel, section, main');\n\
          if (!box || scrolls(el)) continue;\n\
          const r = el.getBoundingClientRect(), b = box.getBoundingClientRect();\n\
          if (r.width > 0 && r.right > b.right + 1)\n\
            out.push(name(el) + ' ends at ' + Math.round(r.right) + ', its box at ' + Math.round(b.right));\n\
        }\n\
        return out.slice(0, 10);";
    let value = c
        .execute(script, vec![serde_json::json!(root)])
        .await
        .expect("measure");
    serde_json::from_value(value).expect("strings")
}

/// A multipart message nested `depth` levels, with one very long body line at the bottom.
fn deep_message(depth: usize, line: usize) -> String {
    let mut m = String::from(
        "From: a@example.org\nTo: b@example.org\nDate: Mon, 7 Dec 2026 10:00:00 +0000\n\
         Subject: deep\nMIME-Version: 1.0\n",
    );
    for level in 0..depth {
        m.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"b{level}\"\n\n--b{level}\n"
        ));
    }
    m.push_str("Content-Type: text/plain; charset=us-ascii\n\n");
    m.push_str(&"long".repeat(line / 4));
    m.push('\n');
    for level in (0..depth).rev() {
        m.push_str(&format!("--b{level}--\n"));
    }
    m
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_and_deep_content_stays_inside_its_box() {
    let serve = Serve::start(&[]);
    let browser = Browser::start().await;
    let c = &browser.client;
    open_app(c, &serve.url).await;

    // Session: AUTH CRAM-MD5 against the in-browser server shows its 334 challenge.
    click(c, "#session-connect").await;
    wait_xpath(c, "//*[@id='transcript']//pre[starts-with(., '220 ')]").await;
    click(c, "#btn-ehlo").await;
    wait_xpath(c, "//*[@id='transcript']//pre[starts-with(., '250-')]").await;
    choose(c, "#auth-mech", "CRAM-MD5").await;
    click(c, "#btn-auth").await;
    wait_css(c, "#btn-auth-continue").await;
    scroll_to(c, "#auth-preview").await;
    browser.screenshot("ui-overflow-cram-md5").await;
    let over = overflowing(c, ".controls").await;
    assert!(over.is_empty(), "Session controls: {over:?}");
    // Answered, the exchange is decoded under its AUTH line: the challenge and the digest.
    click(c, "#btn-auth-continue").await;
    wait_xpath(c, "//*[@id='transcript']//pre[starts-with(., '235 ')]").await;
    let sasl = text_of(c, "#transcript dl.sasl").await;
    for want in ["CRAM-MD5", "Server asks", "<", "CRAM-MD5 digest", "User"] {
        assert!(sasl.contains(want), "decoded AUTH lacks {want:?}: {sasl:?}");
    }
    scroll_to(c, "#transcript dl.sasl").await;
    browser.screenshot("ui-sasl-decoded").await;

    // Message: 16 levels of multipart and a 1,232-character line.
    open_paste_box(c).await;
    paste_message(c, &deep_message(16, 1232)).await;
    wait_xpath(c, "//h3[@id='msg-subject'][text()='deep']").await;
    let labels = c
        .execute(
            "return [...document.querySelectorAll('.part-tree .part-node')].map(b => {\n\
               const lh = parseFloat(getComputedStyle(b).lineHeight) || 20;\n\
               return [b.textContent, b.getBoundingClientRect().width, Math.round(b.getBoundingClientRect().height / lh)]; })",
            vec![],
        )
        .await
        .expect("part labels");
    let labels: Vec<(String, f64, u32)> = serde_json::from_value(labels).expect("labels");
    assert!(labels.len() >= 17, "every part is listed: {labels:?}");
    for (text, width, lines) in &labels {
        assert!(
            *width >= 120.0 && *lines <= 3,
            "the label {text:?} is squeezed: {width} px wide, {lines} lines"
        );
    }
    scroll_to(c, ".part-tree").await;
    browser.screenshot("ui-overflow-part-tree").await;
    let over = overflowing(c, ".message-view").await;
    assert!(over.is_empty(), "Message view: {over:?}");
    scroll_to(c, ".text-part").await;
    browser.screenshot("ui-overflow-long-line").await;
    assert_eq!(page_errors(c).await, Vec::<String>::new());
}
