//! The Message view in headless Chromium: open an EUC-KR multipart message through the file
//! input and see its decoded subject, body and attachment name; explain an encoded-word; show
//! the HTML part sandboxed; select nodes from the source; paste a defective message and follow
//! a lint to its bytes; compose a message and inspect it. No console errors throughout.

use fantoccini::Locator;
use mailscope_e2e::page::{
    click, fixture, open_app, page_errors, paste_message, scroll_to, text_of, wait_css, wait_xpath,
};
use mailscope_e2e::{Browser, Serve};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_euc_kr_multipart_message_opens_decoded_and_composed_messages_inspect() {
    let serve = Serve::start(&[]);
    let browser = Browser::start().await;
    let c = &browser.client;
    open_app(c, &serve.url).await;
    click(c, "a[href='#/message']").await;
    click(c, "#tab-inspect").await;

    // Open the fixture through the file input.
    wait_css(c, "#eml-file")
        .await
        .send_keys(&fixture("euc-kr-multipart.eml"))
        .await
        .expect("set the file input");
    wait_xpath(c, "//h3[@id='msg-subject'][text()='안녕하세요.']").await;
    let body = text_of(c, ".text-part").await;
    assert!(
        body.contains("안녕하세요. 메일스코프 시험 메시지입니다."),
        "decoded EUC-KR body, got {body:?}"
    );
    let tree = text_of(c, ".part-tree").await;
    for want in [
        "1.1",
        "text/plain",
        "euc-kr",
        "1.2",
        "text/html",
        "보고서.txt",
    ] {
        assert!(tree.contains(want), "part tree lacks {want:?}: {tree:?}");
    }
    let summary = text_of(c, ".summary").await;
    assert!(
        summary.contains("보고서.txt"),
        "attachment in summary: {summary:?}"
    );
    assert!(summary.contains("홍길동"), "decoded From name: {summary:?}");
    browser.screenshot("ui-message-inspect").await;

    // The root header: the Subject's encoded-word explained step by step.
    click(c, ".part-tree li:first-child button").await;
    let subject = wait_xpath(
        c,
        "//button[contains(@class,'field-name')][text()='Subject']",
    )
    .await;
    subject.click().await.expect("select Subject");
    wait_css(c, ".headers-table tr.selected").await;
    let words = text_of(c, ".headers-table tr.selected + tr.words-row .words").await;
    for want in [
        "EUC-KR",
        "base64",
        "vsiz58fPvLy/5C4=",
        "BE C8 B3 E7",
        "안녕하세요.",
    ] {
        assert!(
            words.contains(want),
            "explanation lacks {want:?}: {words:?}"
        );
    }
    let hl = text_of(c, ".src-view .hl").await;
    assert!(
        hl.starts_with("Subject:"),
        "the Subject field is highlighted, got {hl:?}"
    );
    scroll_to(c, ".headers").await;
    browser.screenshot("ui-message-encoded-word").await;

    // The HTML part: sandboxed, with a CSP that blocks scripts and remote loads.
    wait_xpath(
        c,
        "//nav[contains(@class,'part-tree')]//button[.//span[text()='1.2']]",
    )
    .await
    .click()
    .await
    .expect("select the HTML part");
    let iframe = wait_css(c, "iframe.html-part").await;
    assert_eq!(
        iframe.attr("sandbox").await.expect("attr"),
        Some(String::new()),
        "sandbox with no permissions"
    );
    let srcdoc = iframe
        .attr("srcdoc")
        .await
        .expect("attr")
        .unwrap_or_default();
    assert!(
        srcdoc.contains("default-src 'none'") && srcdoc.contains("메일스코프"),
        "srcdoc has the CSP and the decoded HTML: {srcdoc:?}"
    );
    scroll_to(c, ".part-body").await;
    browser.screenshot("ui-message-html").await;

    // Hex view of the attachment.
    wait_xpath(
        c,
        "//nav[contains(@class,'part-tree')]//button[.//span[text()='2']]",
    )
    .await
    .click()
    .await
    .expect("select the attachment");
    wait_xpath(
        c,
        "//section[contains(@class,'part-body')]//button[text()='Hex']",
    )
    .await
    .click()
    .await
    .expect("hex tab");
    let hex = text_of(c, ".hex-view").await;
    assert!(
        hex.starts_with("00000000  ba b8 b0 ed"),
        "hex of the EUC-KR attachment: {hex:?}"
    );
    let download = text_of(c, ".part-body .download").await;
    assert!(
        download.contains("보고서.txt"),
        "download button: {download:?}"
    );

    // Clicking the source selects the node there: the To line selects the To field.
    wait_xpath(c, "//pre[@id='src-view']//span[starts-with(text(),'To: ')]")
        .await
        .click()
        .await
        .expect("click To in the source");
    wait_xpath(c, "//tr[contains(@class,'selected')]//button[text()='To']").await;

    // Paste a message with defects; a lint links to its bytes.
    click(c, "details.paste summary").await;
    let area = wait_css(c, "#eml-paste").await;
    area.send_keys("From: a@example.org\nSubject: =?utf-8?Q?caf=C3=A9?=\n\nHello\n")
        .await
        .expect("type a message");
    click(c, "#eml-paste-go").await;
    wait_xpath(c, "//h3[@id='msg-subject'][text()='café']").await;
    let lint = wait_xpath(
        c,
        "//section[contains(@class,'lints')]//button[code[text()='mime.missing-date']]",
    )
    .await;
    lint.click().await.expect("select the lint");
    wait_css(c, ".lint-link[aria-pressed='true']").await;
    wait_css(c, ".src-view .hl").await;
    scroll_to(c, ".inspector").await;
    browser.screenshot("ui-message-lint").await;

    // An HTML body with an inline image (multipart/related, Content-ID) and a remote one: the
    // cid: reference becomes a data: URL in the sandbox, the remote image stays blocked.
    let area = wait_css(c, "#eml-paste").await;
    area.clear().await.expect("clear the paste box");
    area.send_keys(
        "From: a@example.org\nSubject: related\nMIME-Version: 1.0\nContent-Type: multipart/related; boundary=r\n\n\
         --r\nContent-Type: text/html; charset=utf-8\n\n<p>logo <img src=\"cid:logo@example.org\"> <img src=\"https://tracker.example/p.gif\"></p>\n\
         --r\nContent-Type: image/png\nContent-ID: <logo@example.org>\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n--r--\n",
    )
    .await
    .expect("type a related message");
    click(c, "#eml-paste-go").await;
    wait_xpath(c, "//h3[@id='msg-subject'][text()='related']").await;
    let iframe = wait_css(c, "iframe.html-part").await;
    let srcdoc = iframe
        .attr("srcdoc")
        .await
        .expect("attr")
        .unwrap_or_default();
    assert!(
        srcdoc.contains("src=\"data:image/png;base64,iVBORw0KGgo=\"")
            && srcdoc.contains("https://tracker.example/p.gif")
            && srcdoc.contains("default-src 'none'"),
        "cid: inlined, remote left to the CSP: {srcdoc:?}"
    );
    let note = text_of(c, ".html-note").await;
    assert!(
        note.contains("Inline parts (cid:) shown from this message: 1.")
            && note.contains("Remote images or styles blocked: 1."),
        "the note says what was inlined and blocked: {note:?}"
    );

    // Compose: the exact bytes with encoded-words, then inspect them.
    click(c, "#tab-compose").await;
    let wire = wait_xpath(c, "//pre[@id='compose-wire'][contains(., 'Subject: =?')]").await;
    let wire = wire.text().await.expect("wire text");
    assert!(wire.contains("CRLF"), "CR LF visible: {wire:?}");
    wait_css(c, "#compose-wire .ew").await;
    browser.screenshot("ui-message-compose").await;
    click(c, "#compose-inspect").await;
    wait_xpath(
        c,
        "//h3[@id='msg-subject'][text()='안녕하세요 — a test from Mailscope']",
    )
    .await;
    let body = text_of(c, ".text-part").await;
    assert!(
        body.contains("Hello! 안녕하세요."),
        "composed body: {body:?}"
    );

    let errors = page_errors(c).await;
    assert!(errors.is_empty(), "browser console errors: {errors:#?}");
    browser.close().await;
}

/// A ~25 MB message: a Korean text part and three base64 attachments of pseudo-random bytes.
fn big_message() -> Vec<u8> {
    const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut out = b"From: big@example.org\r\nTo: you@example.org\r\nSubject: =?UTF-8?B?7YGwIOuplOyLnOyngA==?=\r\nDate: Sun, 22 Nov 2026 09:00:00 +0900\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"big\"\r\n\r\n--big\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n\xed\x81\xb0 \xeb\xa9\x94\xec\x8b\x9c\xec\xa7\x80\r\n".to_vec();
    for n in 0..3 {
        out.extend_from_slice(
            format!("--big\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"blob{n}.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n").as_bytes(),
        );
        // 6 MB of data: 8 MB of base64 in 76-column lines.
        let mut line = 0;
        for _ in 0..(6 * 1024 * 1024 / 3) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let v = (seed & 0xff_ffff) as usize;
            for shift in [18, 12, 6, 0] {
                out.push(B64[(v >> shift) & 63]);
            }
            line += 4;
            if line == 76 {
                out.extend_from_slice(b"\r\n");
                line = 0;
            }
        }
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"--big--\r\n");
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_25_mb_message_opens_with_progress_and_a_bounded_source_view() {
    let bytes = big_message();
    assert!(bytes.len() > 24_000_000, "size {}", bytes.len());
    let path = std::env::temp_dir().join(format!("mailscope-big-{}.eml", std::process::id()));
    std::fs::write(&path, &bytes).expect("write the big message");

    let serve = Serve::start(&[]);
    let browser = Browser::start().await;
    let c = &browser.client;
    open_app(c, &serve.url).await;
    click(c, "a[href='#/message']").await;
    click(c, "#tab-inspect").await;
    // Record whether a progress bar was ever painted while reading and parsing.
    c.execute(
        "window.__progress = []; new MutationObserver(() => { const p = document.querySelector('.progress label'); \
         if (p && window.__progress[window.__progress.length - 1] !== p.textContent) window.__progress.push(p.textContent); }) \
         .observe(document.body, {subtree: true, childList: true, characterData: true});",
        vec![],
    )
    .await
    .expect("install the progress observer");
    // Record what the page hands to its worker: the file goes to the worker, so the
    // parse runs off the main thread whatever the machine's speed (counting painted frames
    // would measure the machine instead).
    c.execute(
        "window.__posted = []; const post = Worker.prototype.postMessage; \
         Worker.prototype.postMessage = function (msg, ...rest) { \
           const file = Array.isArray(msg) ? msg.find(v => v instanceof File) : undefined; \
           if (file) window.__posted.push({file: file.name, size: file.size}); \
           return post.call(this, msg, ...rest); };",
        vec![],
    )
    .await
    .expect("install the worker message log");
    wait_css(c, "#eml-file")
        .await
        .send_keys(&path.display().to_string())
        .await
        .expect("set the file input");
    wait_xpath(c, "//h3[@id='msg-subject'][text()='큰 메시지']").await;
    let progress = c
        .execute("return window.__progress", vec![])
        .await
        .expect("progress log");
    let progress: Vec<String> = serde_json::from_value(progress).expect("strings");
    assert!(
        progress.iter().any(|p| p.starts_with("Reading"))
            && progress.iter().any(|p| p.starts_with("Parsing")),
        "reading and parsing progress were shown: {progress:?}"
    );
    let reads = progress.iter().filter(|p| p.starts_with("Reading")).count();
    assert!(
        reads >= 3,
        "the file is read in slices with progress: {progress:?}"
    );
    let posted = c
        .execute("return window.__posted", vec![])
        .await
        .expect("worker message log");
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    assert_eq!(
        posted,
        serde_json::json!([{ "file": name, "size": bytes.len() }]),
        "the file was handed to the parse worker once, not read and parsed on the main thread"
    );
    let lines = c
        .find_all(Locator::Css(".src-line"))
        .await
        .expect("source lines");
    assert_eq!(
        lines.len(),
        200,
        "the source view is a window, not the whole message"
    );
    let tree = text_of(c, ".part-tree").await;
    assert!(tree.contains("blob2.bin"), "{tree:?}");

    // Jump to the last window and select the last attachment from the source.
    wait_xpath(
        c,
        "//section[contains(@class,'source')]//button[text()='Last']",
    )
    .await
    .click()
    .await
    .expect("last page");
    wait_xpath(c, "//pre[@id='src-view']//span[text()='--big--']")
        .await
        .click()
        .await
        .expect("click the close delimiter");
    browser.screenshot("ui-message-big").await;
    let _ = std::fs::remove_file(&path);
    let errors = page_errors(c).await;
    assert!(errors.is_empty(), "browser console errors: {errors:#?}");
    browser.close().await;
}

/// Bug 9 of the explorer issue: an empty file and a binary file are refused with the reason
/// (the core's rule, which `mailscope inspect` applies too), never shown as an empty message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_or_binary_file_says_why_there_is_no_message() {
    let dir = std::env::temp_dir().join(format!("mailscope-notext-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let empty = dir.join("empty.eml");
    std::fs::write(&empty, b"").expect("write the empty file");
    let png = dir.join("picture.eml");
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0".to_vec();
    bytes.extend(std::iter::repeat_n(0xA5u8, 200));
    std::fs::write(&png, &bytes).expect("write the binary file");

    let serve = Serve::start(&[]);
    let browser = Browser::start().await;
    let c = &browser.client;
    open_app(c, &serve.url).await;
    click(c, "a[href='#/message']").await;
    click(c, "#tab-inspect").await;
    let not_a_message = format!(
        "This is not a message: its first {} bytes hold NUL bytes",
        bytes.len()
    );
    for (file, says) in [
        (&empty, "The file is empty: there is no message to read."),
        (&png, not_a_message.as_str()),
    ] {
        wait_css(c, "#eml-file")
            .await
            .send_keys(&file.display().to_string())
            .await
            .expect("set the file input");
        let shown = wait_xpath(c, &format!("//p[@class='error'][contains(., '{says}')]"))
            .await
            .text()
            .await
            .expect("the error's text");
        assert!(shown.contains(".eml"), "says what to open: {shown:?}");
    }
    browser.screenshot("ui-message-binary").await;
    assert_eq!(page_errors(c).await, Vec::<String>::new());
    let _ = std::fs::remove_dir_all(&dir);
}

/// A loopback HTTP server answering every request with a 1×1 GIF; counts the requests.
fn pixel_server() -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind the pixel server");
    let port = listener.local_addr().expect("address").port();
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = hits.clone();
    std::thread::spawn(move || {
        const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut buf = [0u8; 2048];
            let _ = stream.read(&mut buf);
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: image/gif\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                GIF.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(GIF);
        }
    });
    (port, hits)
}

/// "Load remote images" (what the issue asked of the Mailbox and the inspector): an HTML part's
/// remote image is not fetched when the message opens, and is fetched once the reader asks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_images_load_only_when_the_reader_asks() {
    let (port, hits) = pixel_server();
    let serve = Serve::start(&[]);
    let browser = Browser::start().await;
    let c = &browser.client;
    open_app(c, &serve.url).await;
    click(c, "a[href='#/message']").await;
    click(c, "#tab-inspect").await;
    // Count the HTML iframe's loads from the page (its document is sandboxed, the element is not).
    c.execute(
        "window.__frameLoads = 0; document.addEventListener('load', e => { \
           if (e.target.matches && e.target.matches('iframe.html-part')) window.__frameLoads++; }, true);",
        vec![],
    )
    .await
    .expect("count iframe loads");
    click(c, "details.paste summary").await;
    wait_css(c, "#eml-paste").await;
    let message = format!(
        "From: a@example.org\nSubject: pixel\nMIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n\
         <p>hello <img src=\"http://127.0.0.1:{port}/p.gif\" alt=\"pixel\"></p>\n"
    );
    paste_message(c, &message).await;
    wait_xpath(c, "//h3[@id='msg-subject'][text()='pixel']").await;
    let loads = || async {
        c.execute("return window.__frameLoads", vec![])
            .await
            .expect("loads")
            .as_u64()
            .unwrap_or(0)
    };
    let deadline = std::time::Instant::now() + mailscope_e2e::READY_TIMEOUT;
    while loads().await < 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "the HTML part never loaded"
        );
        tokio::time::sleep(mailscope_e2e::page::POLL).await;
    }
    assert_eq!(
        hits.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "the iframe loaded without fetching the remote image"
    );
    click(c, "#remote-images").await;
    while hits.load(std::sync::atomic::Ordering::SeqCst) == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the remote image was not fetched after the reader asked"
        );
        tokio::time::sleep(mailscope_e2e::page::POLL).await;
    }
    let note = text_of(c, ".html-note").await;
    assert!(
        note.contains("remote images and styles are loaded"),
        "{note}"
    );
    wait_xpath(c, "//button[@id='remote-images' and @aria-pressed='true']").await;
    scroll_to(c, ".part-body").await;
    browser.screenshot("ui-message-remote-images").await;
    assert_eq!(page_errors(c).await, Vec::<String>::new());
}
