//! Every view in Korean shows no English outside data: Chromium starts with Korean, and each
//! view (Session after a whole transaction with findings, the Message inspector on a message
//! with findings, its Authenticity panel after the checks of a DKIM-signed message, passing
//! and then failing, the composer signing with DKIM, Tools, Learn after a lesson run and the
//! DKIM lesson's panels, Mailbox with a stored message) is read
//! as a person sees it (`innerText` of visible text nodes). English words fail the test unless they
//! are data or protocol, by rule:
//!
//! - text inside data regions: `<code>`, `<pre>`, `<kbd>`, `<samp>`, form fields, the wire and
//!   hex views, and elements marked `data-data` (addresses, header values, subjects and other
//!   text the user or a message supplied) or `translate="no"`;
//! - text in double quotes (the interface quotes values it shows, such as a decoded user name);
//! - words that are protocol or data by their shape: all capitals (SMTP commands, RFC,
//!   EHLO keywords, TLS, UTF-8), header names (`Content-Type`, `Message-ID`), anything with a
//!   digit, `@`, `.`, `/`, `=`, `<`, `:` or `_` in it (addresses, domains, lint codes, media
//!   types, `RFC 5321 §4.1.1`), command-line options (`--quit-after`), file extensions
//!   (`.eml`), names in code (`ServerSession`), and the day and month names of the RFC 5322
//!   date grammar (`Mon`, `Jan`);
//! - the glossary below: terms the Korean text keeps as written on purpose (grammar rule
//!   names of the RFCs, encodings, programs, unit symbols).
//!
//! Each view is saved as a screenshot under `target/e2e/korean-sweep-*.png`.

use fantoccini::Client;
use mailscope_e2e::page::{
    click, fill, fixture, scroll_to, wait_css, wait_lang, wait_text, wait_xpath,
};
use mailscope_e2e::sandbox::send_mail;
use mailscope_e2e::signed::signed_example;
use mailscope_e2e::{free_port, Browser, Serve};

/// Terms the Korean text keeps in Latin letters on purpose (case-insensitive, whole words or
/// phrases): grammar rule names of the RFCs, encodings, header field names of one word,
/// programs and commands, unit symbols.
const GLOSSARY: &[&str] = &[
    // RFC 5321, 5322, 2045, 2047, 4616 grammar and terms.
    "reverse-path",
    "forward-path",
    "local-part",
    "quoted-string",
    "date-time",
    "encoded-word",
    "base64",
    "quoted-printable",
    "charset",
    "multipart",
    "boundary",
    "dot-stuffing",
    "authzid",
    "authcid",
    "bchars",
    "xtext",
    // One-word header field names.
    "From",
    "To",
    "Cc",
    "Subject",
    "Date",
    "Sender",
    "Received",
    // Programs and commands.
    "mailscope serve",
    "Mailscope",
    "Postfix",
    "swaks",
    "telnet",
    // Unit symbols.
    "ms",
    "KiB",
];

/// The day and month names of the RFC 5322 date grammar (§3.3).
const DATE_NAMES: &[&str] = &[
    "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The visible text of the page outside data regions, one entry per text node, and the shown
/// choice of every `<select>`.
const VISIBLE_TEXT: &str = r#"
const DATA = 'code, pre, kbd, samp, textarea, input, script, style, iframe, svg, .wire, .hex, [data-data], [translate="no"]';
const out = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
let n;
while ((n = walker.nextNode())) {
  const el = n.parentElement;
  if (!el || el.closest(DATA) || el.closest('option')) continue;
  if (!el.getClientRects().length || getComputedStyle(el).visibility === 'hidden') continue;
  const t = n.textContent.trim();
  if (t) out.push(t);
}
for (const s of document.querySelectorAll('select')) {
  if (s.getClientRects().length && !s.closest(DATA.replace('input, ', ''))) {
    for (const o of s.selectedOptions) out.push(o.textContent.trim());
  }
}
return out;
"#;

/// Whether a word is protocol or data by its shape, or a glossary term.
fn allowed(word: &str) -> bool {
    let mut letters = word.chars().filter(char::is_ascii_alphabetic);
    word.chars()
        .any(|c| c.is_ascii_digit() || "@./=<>:_§".contains(c))
        || letters.all(|c| c.is_ascii_uppercase())
        || word.starts_with("--")
        || is_header_name(word)
        || is_code_name(word)
        || DATE_NAMES.contains(&word)
        || GLOSSARY.iter().any(|g| g.eq_ignore_ascii_case(word))
}

/// `ServerSession`, `parseCommand`: a lowercase letter followed by a capital.
fn is_code_name(word: &str) -> bool {
    word.chars()
        .zip(word.chars().skip(1))
        .any(|(a, b)| a.is_ascii_lowercase() && b.is_ascii_uppercase())
}

/// `Content-Type`, `Message-ID`, `MIME-Version`: capitalized parts joined by `-`.
fn is_header_name(word: &str) -> bool {
    let parts: Vec<&str> = word.split('-').collect();
    parts.len() >= 2
        && parts
            .iter()
            .all(|p| p.chars().next().is_some_and(|c| c.is_ascii_uppercase()))
}

/// The English words of `text` that no rule allows.
fn english(text: &str) -> Vec<String> {
    // Quoted values and glossary phrases are taken out first.
    let mut rest = String::new();
    for (i, part) in text.split('"').enumerate() {
        if i % 2 == 0 {
            rest.push_str(part);
            rest.push(' ');
        }
    }
    for phrase in GLOSSARY.iter().filter(|g| g.contains(' ')) {
        rest = rest.replace(phrase, " ");
    }
    rest.split(|c: char| !(c.is_ascii_alphanumeric() || "@./=<>:_§'-".contains(c)))
        .map(|w| w.trim_end_matches(|c: char| "'-.:".contains(c)))
        .map(|w| w.trim_start_matches('\''))
        .filter(|w| w.chars().any(|c| c.is_ascii_alphabetic()))
        .filter(|w| !allowed(w))
        .map(String::from)
        .collect()
}

/// Reads the view, saves its screenshot, and returns what is English in it (with the text it
/// was found in).
async fn sweep(browser: &Browser, view: &str) -> Vec<String> {
    let c = &browser.client;
    let texts = c
        .execute(VISIBLE_TEXT, vec![])
        .await
        .unwrap_or_else(|e| panic!("read the text of {view}: {e}"));
    let texts: Vec<String> = serde_json::from_value(texts).expect("a list of strings");
    browser.screenshot(&format!("korean-sweep-{view}")).await;
    texts
        .iter()
        .filter_map(|t| {
            let words = english(t);
            (!words.is_empty()).then(|| format!("{view}: {words:?} in {t:?}"))
        })
        .collect()
}

/// The width of the chosen option's text of the `<select>` `id` and the width the select has
/// for it (its inner width less the drop-down arrow), in CSS pixels.
async fn select_text_fits(c: &Client, id: &str) -> (f64, f64) {
    let js = "const s = document.getElementById(arguments[0]); const cs = getComputedStyle(s); \
        const ctx = document.createElement('canvas').getContext('2d'); ctx.font = cs.font; \
        const text = s.selectedOptions[0].textContent; \
        return [ctx.measureText(text).width, s.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) - 20];";
    let v = c
        .execute(js, vec![serde_json::json!(id)])
        .await
        .unwrap_or_else(|e| panic!("measure #{id}: {e}"));
    let w: Vec<f64> = serde_json::from_value(v).expect("two widths");
    (w[0], w[1])
}

/// Opens `message` in the Message inspector as the file `name` (subject `dinner`).
async fn open_eml(c: &Client, name: &str, message: &str) {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, message).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    wait_css(c, "#eml-file")
        .await
        .send_keys(&path.display().to_string())
        .await
        .expect("choose the file");
    wait_xpath(
        c,
        &format!("//p[starts-with(normalize-space(.), '{name} ')]"),
    )
    .await;
    wait_xpath(c, "//h3[@id='msg-subject'][text()='dinner']").await;
}

async fn open_view(c: &Client, href: &str) {
    click(c, &format!("nav.nav a[href='{href}']")).await;
}

#[test]
fn the_rules_tell_data_from_english() {
    assert!(english("RFC 5321 §4.1.1에 따라 EHLO를 보냅니다").is_empty());
    assert!(english("Content-Type의 boundary가 없습니다: a@example.org, smtp.bare-lf").is_empty());
    assert_eq!(
        english("bytes 3–5: lowercase escape"),
        ["bytes", "lowercase", "escape"]
    );
    assert_eq!(english("Stop after"), ["Stop", "after"]);
    assert!(
        english("사용자 \"alice\", mailscope serve의 .eml 파일 (swaks --quit-after처럼)")
            .is_empty()
    );
    assert!(english("코어의 ServerSession · +0 ms · Tue, 15 Jan").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_view_in_korean_shows_no_english_outside_data() {
    let smtp = free_port();
    let sandbox = format!("127.0.0.1:{smtp}");
    let serve = Serve::start(&["--sandbox", &sandbox]);
    let browser = Browser::start_with_lang("ko-KR").await;
    let c = &browser.client;
    c.set_window_size(1280, 1600)
        .await
        .expect("a window tall enough for a view");
    c.goto(&serve.url).await.expect("open the page");
    wait_lang(c, "ko").await;
    let mut found = Vec::new();

    // Session: a whole transaction with the in-browser server; the typed message has no
    // Date field, which is a finding.
    open_view(c, "#/session").await;
    click(c, "#btn-run").await;
    wait_xpath(
        c,
        "//*[contains(@class,'wire')][starts-with(normalize-space(.), '221')]",
    )
    .await;
    wait_css(c, ".lint .lint-detail").await;
    found.extend(sweep(&browser, "session").await);
    // The whole-run options sit in the Run drawer of the command bar.
    click(c, "#fields-run").await;
    scroll_to(c, "#stop-after").await;
    browser.screenshot("korean-sweep-session-stop-after").await;
    let (text, room) = select_text_fits(c, "stop-after").await;
    assert!(
        text <= room,
        "the Stop after choice is clipped: {text}px of text in {room}px"
    );
    scroll_to(c, ".lint .lint-detail").await;
    browser.screenshot("korean-sweep-session-findings").await;

    // The Message inspector on a message with four findings.
    open_view(c, "#/message").await;
    click(c, "#tab-inspect").await;
    wait_css(c, "#eml-file")
        .await
        .send_keys(&fixture("korean-findings.eml"))
        .await
        .expect("choose the fixture");
    wait_css(c, "#msg-subject").await;
    wait_css(c, ".lint .lint-detail").await;
    found.extend(sweep(&browser, "message").await);
    scroll_to(c, ".lint .lint-detail").await;
    browser.screenshot("korean-sweep-message-findings").await;

    // The Authenticity panel: a DKIM-signed message checked against pasted records (every
    // check passes, SPF through an include), then with one body byte changed (DKIM and DMARC
    // fail): the steps and reasons are the core's, in Korean.
    // Opened as files (a pasted message is named by the page, not by its data).
    let (signed, records) = signed_example();
    open_eml(c, "signed.eml", &signed).await;
    click(c, "#auth-panel > summary").await;
    fill(c, "#auth-ip", "192.0.2.25").await;
    fill(c, "#auth-mail-from", "joe@example.com").await;
    fill(c, "#auth-records", &records).await;
    click(c, "#auth-check").await;
    wait_css(c, "#auth-dmarc .verdict.ok").await;
    found.extend(sweep(&browser, "auth-pass").await);
    scroll_to(c, "#auth-report").await;
    browser.screenshot("korean-sweep-auth-pass-report").await;
    open_eml(c, "signed-edited.eml", &signed.replace("lost", "Lost")).await;
    click(c, "#auth-check").await;
    wait_css(c, ".auth-dkim .auth-steps li.bad").await;
    found.extend(sweep(&browser, "auth-fail").await);
    scroll_to(c, ".auth-dkim").await;
    browser.screenshot("korean-sweep-auth-fail-steps").await;

    // The composer signing with DKIM, with a test key made in the worker.
    click(c, "#tab-compose").await;
    click(c, "#compose-dkim-on").await;
    click(c, "#compose-dkim-make").await;
    wait_css(c, "#compose-dkim-record").await;
    scroll_to(c, "#compose-dkim").await;
    found.extend(sweep(&browser, "compose-dkim").await);

    // Tools, as they open (their examples carry defects and findings).
    open_view(c, "#/tools").await;
    wait_css(c, "#cte-output").await;
    found.extend(sweep(&browser, "tools").await);
    scroll_to(c, "#cte-output").await;
    browser.screenshot("korean-sweep-tools-transfer").await;

    // Learn: lesson 1 run as a whole.
    open_view(c, "#/learn").await;
    click(c, "a.lesson-link[data-lesson='classic']").await;
    click(c, "#learn-try").await;
    wait_xpath(
        c,
        "//section[contains(@class,'lesson-run')]//pre[starts-with(., '221')]",
    )
    .await;
    found.extend(sweep(&browser, "learn").await);

    // The DKIM lesson: the signature tag by tag, then the body edit that fails the body hash.
    click(c, "#learn-back").await;
    click(c, "a.lesson-link[data-lesson='dkim']").await;
    wait_css(c, "#learn-dkim-tags").await;
    found.extend(sweep(&browser, "learn-dkim-sign").await);
    click(c, "#learn-next").await;
    click(c, "#learn-next").await;
    wait_css(c, "#learn-dkim .auth-steps li.bad").await;
    found.extend(sweep(&browser, "learn-dkim-body").await);

    // Mailbox: a message stored by the sandbox, opened.
    tokio::task::spawn_blocking(move || send_mail(smtp, "=?EUC-KR?B?vsiz58fPvLy/5C4=?="))
        .await
        .expect("send to the sandbox");
    open_view(c, "#/mailbox").await;
    wait_xpath(
        c,
        "//*[@id='mailbox-list']//button[contains(., '안녕하세요.')]",
    )
    .await
    .click()
    .await
    .expect("open the message");
    wait_text(c, "#msg-subject", |t| t == "안녕하세요.").await;
    found.extend(sweep(&browser, "mailbox").await);

    assert!(
        found.is_empty(),
        "English outside data in the Korean views:\n{}",
        found.join("\n")
    );
    browser.close().await;
}
