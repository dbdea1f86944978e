//! Harness for Mailscope's end-to-end tests: starts and stops the real parts (the `mailscope`
//! binary, ChromeDriver with headless Chromium, Postfix, OpenDKIM, NSD) on loopback.
//!
//! `cargo xtask test` builds what is needed and sets `MAILSCOPE_BIN` (the binary), `MAILSCOPE_UI`
//! (Trunk's dist/) and `CHROMEDRIVER`. Every process started here is killed when its handle drops.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};

pub mod api;
pub mod daemon;
pub mod nsd;
pub mod opendkim;
pub mod page;
pub mod postfix;
pub mod sandbox;
pub mod signed;

use mailscope_testkit::env_path;
/// The launcher of `mailscope serve`, the relay client and the skip record, shared with the
/// proxy's tests.
pub use mailscope_testkit::{relay_client, skip, Serve, READY_TIMEOUT};

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// ChromeDriver with a headless Chromium session.
pub struct Browser {
    driver: Child,
    port: u16,
    profile: PathBuf,
    /// The WebDriver session, until it is ended.
    session: Option<String>,
    /// The WebDriver client.
    pub client: Client,
}

impl Browser {
    /// Starts ChromeDriver on a free port and opens a headless Chromium session with a fresh profile.
    pub async fn start() -> Browser {
        Browser::launch(None).await
    }

    /// Like [`Browser::start`], with the browser's language set to `lang` (a BCP 47 tag such as
    /// `ko-KR`): the UI language (`--lang`) and the preferred languages (`navigator.languages`,
    /// `Accept-Language`).
    pub async fn start_with_lang(lang: &str) -> Browser {
        Browser::launch(Some(lang)).await
    }

    async fn launch(lang: Option<&str>) -> Browser {
        // A port picked free can be taken by another test's server before chromedriver binds it
        // (the tests run in parallel): then the session cannot open, and a fresh driver on a
        // fresh port is started, at most three times.
        let mut attempt = 0;
        loop {
            attempt += 1;
            match Browser::try_launch(lang).await {
                Ok(browser) => return browser,
                Err(e) if attempt < 3 => eprintln!("chromedriver attempt {attempt}: {e}; again"),
                Err(e) => panic!("open a Chromium session through chromedriver: {e}"),
            }
        }
    }

    async fn try_launch(lang: Option<&str>) -> Result<Browser, String> {
        let port = free_port();
        // chromedriver and Chromium leave files in their temporary directory when a session
        // ends abruptly: `cargo xtask test` gives them one of their own
        // (`MAILSCOPE_BROWSER_TMP`) and empties it after the step.
        let scratch = std::env::var_os("MAILSCOPE_BROWSER_TMP")
            .map(PathBuf::from)
            .unwrap_or_else(std::env::temp_dir);
        let mut driver = Command::new(env_path("CHROMEDRIVER"))
            .env("TMPDIR", &scratch)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let deadline = Instant::now() + READY_TIMEOUT;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = driver.try_wait() {
                return Err(format!(
                    "chromedriver exited ({status}) before listening on {port}"
                ));
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen on {port}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = scratch.join(format!(
            "mailscope-e2e-chromium-{}-{port}",
            std::process::id()
        ));
        let mut caps = serde_json::json!({
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.display()),
                ],
            },
            "goog:loggingPrefs": { "browser": "ALL" },
        });
        if let Some(lang) = lang {
            let primary = lang.split('-').next().unwrap_or(lang);
            let options = &mut caps["goog:chromeOptions"];
            if let Some(args) = options["args"].as_array_mut() {
                args.push(format!("--lang={lang}").into());
                args.push(format!("--accept-lang={lang},{primary}").into());
            }
            options["prefs"] =
                serde_json::json!({ "intl.accept_languages": format!("{lang},{primary}") });
        }
        let caps = match caps {
            serde_json::Value::Object(map) => map,
            _ => unreachable!("capabilities are an object"),
        };
        let client =
            match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps)
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(client) => client,
                Err(e) => {
                    let _ = driver.kill();
                    let _ = driver.wait();
                    return Err(e.to_string());
                }
            };
        let session = client.session_id().await.ok().flatten();
        Ok(Browser {
            driver,
            port,
            profile,
            session,
            client,
        })
    }

    /// Browser console entries at level SEVERE (errors) since the last call.
    pub async fn console_errors(&self) -> Vec<String> {
        let session = self
            .client
            .session_id()
            .await
            .ok()
            .flatten()
            .expect("session id");
        let body = post_json(
            self.port,
            &format!("/session/{session}/se/log"),
            r#"{"type":"browser"}"#,
        );
        let value: serde_json::Value = serde_json::from_str(&body)
            .unwrap_or_else(|e| panic!("chromedriver log answer {body:?}: {e}"));
        value["value"]
            .as_array()
            .unwrap_or_else(|| panic!("chromedriver log answer has no entries: {body}"))
            .iter()
            .filter(|e| e["level"] == "SEVERE")
            .map(|e| e["message"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// Saves a screenshot under `target/e2e/NAME.png` for people to look at.
    pub async fn screenshot(&self, name: &str) {
        // Every screen a test looks at also has unique element ids (labels, `aria-*`
        // references and the tests themselves find elements by id).
        let duplicates = self
            .client
            .execute(
                "const seen = new Map();
                 for (const e of document.querySelectorAll('[id]')) seen.set(e.id, (seen.get(e.id) || 0) + 1);
                 return [...seen].filter(([, n]) => n > 1).map(([id, n]) => id + ' ×' + n);",
                vec![],
            )
            .await
            .expect("look for duplicate ids");
        assert_eq!(
            duplicates,
            serde_json::json!([]),
            "duplicate element ids on screen {name}"
        );
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/e2e");
        std::fs::create_dir_all(&dir).expect("create target/e2e");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
    }

    /// Ends the session; dropping the browser then stops the driver and removes the profile.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        self.session = None;
    }
}

/// A browser dropped without `close` (a test that ends or panics without it) still ends its
/// session, so that chromedriver quits Chromium (killing the driver alone leaves Chromium
/// running), then the driver is stopped and the profile removed.
impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(id) = self.session.take() {
            let _ = request(self.port, "DELETE", &format!("/session/{id}"), "");
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// A bare HTTP/1.1 POST on loopback, for the one WebDriver endpoint fantoccini does not wrap.
fn post_json(port: u16, path: &str, body: &str) -> String {
    request(port, "POST", path, body).unwrap_or_else(|e| panic!("chromedriver {path}: {e}"))
}

/// A bare HTTP/1.1 request on loopback to chromedriver; the answer's body.
fn request(port: u16, method: &str, path: &str, body: &str) -> Result<String, String> {
    let mut stream =
        TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect: {e}"))?;
    stream
        .set_read_timeout(Some(READY_TIMEOUT))
        .map_err(|e| format!("set read timeout: {e}"))?;
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("send: {e}"))?;
    // Read the head, then exactly Content-Length bytes: the driver may keep the connection open.
    let mut reader = BufReader::new(stream);
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        reader
            .read_line(&mut line)
            .map_err(|e| format!("read: {e}"))?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value
                    .trim()
                    .parse()
                    .map_err(|e| format!("Content-Length {value:?}: {e}"))?;
            }
        }
    }
    let mut body = vec![0; length];
    reader
        .read_exact(&mut body)
        .map_err(|e| format!("read the answer: {e}"))?;
    Ok(String::from_utf8_lossy(&body).into_owned())
}
