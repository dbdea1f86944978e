//! A Korean reader whose pack cannot be loaded: the page serves a copy of the UI without the
//! Korean pack's data file, starts in Korean (the browser's language), says why Korean is
//! missing and stays usable in English. One test in its own binary: it points `MAILSCOPE_UI`
//! at the broken copy before starting `mailscope serve`.

use mailscope_e2e::page::{text_of, wait_css, wait_xpath};
use mailscope_e2e::{Browser, Serve};

/// A copy of the built UI without `lang-ko.bin` (and its gzip copy), removed when dropped.
struct BrokenUi(std::path::PathBuf);

impl BrokenUi {
    fn new() -> BrokenUi {
        let from = std::path::PathBuf::from(
            std::env::var_os("MAILSCOPE_UI").expect("MAILSCOPE_UI is set"),
        );
        let to = std::env::temp_dir().join(format!("mailscope-no-pack-{}", std::process::id()));
        std::fs::create_dir_all(&to).expect("make the copy's directory");
        for entry in std::fs::read_dir(&from)
            .expect("read MAILSCOPE_UI")
            .flatten()
        {
            let name = entry.file_name();
            if name.to_string_lossy().starts_with("lang-ko.bin") || !entry.path().is_file() {
                continue;
            }
            std::fs::copy(entry.path(), to.join(&name)).expect("copy a UI file");
        }
        BrokenUi(to)
    }
}

impl Drop for BrokenUi {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pack_that_cannot_load_leaves_english_and_says_why() {
    let ui = BrokenUi::new();
    // The only test of this binary: nothing else reads the variable meanwhile.
    std::env::set_var("MAILSCOPE_UI", &ui.0);
    let serve = Serve::start(&[]);
    let browser = Browser::start_with_lang("ko-KR").await;
    let c = &browser.client;
    c.goto(&serve.url).await.expect("open the page");

    let status = wait_css(c, "#lang-status[role='alert']").await;
    let message = status.text().await.expect("status text");
    assert!(
        message.starts_with("Korean text could not be loaded: ")
            && message.ends_with(" — showing English"),
        "the reason is shown: {message}"
    );
    // The switch keeps the choice; the page is English and works.
    let switch = wait_css(c, "#lang-switch").await;
    assert_eq!(
        switch.prop("value").await.expect("value").as_deref(),
        Some("ko")
    );
    wait_xpath(c, "/html[@lang='en']").await;
    assert_eq!(text_of(c, "a[href='#/session']").await, "Session");
    browser.screenshot("korean-pack-missing").await;
    browser.close().await;
}
