//! The UI half of `cargo xtask bench`: what a browser downloads, and how fast the app answers,
//! measured in headless Chromium through ChromeDriver's HTTP API (no WebDriver crate needed).
//!
//! - **Bundle**: transfer sizes of what the page loads (index.html's wasm, JS, CSS) apart from
//!   what it fetches later: the worker (first message parsed or encoded, Mailbox list, JSON
//!   export) and the Korean language pack (on choosing Korean). Raw, `gzip -9`, and the Zopfli
//!   copies `mailscope serve` actually sends.
//! - **Interactive**: from navigation start (`performance.timeOrigin`) until the nav is painted
//!   and the app has answered a click on "Message" by rendering the view, read with
//!   `performance.now()` in the page; first contentful paint beside it. A cold load (fresh
//!   profile) and a warm one (cache filled).
//! - **First Tools view**: from a click on "Tools" until its reply tool shows a parsed reply.
//! - **25 MB message**: a multipart message built by the core's `MessageBuilder` (Korean text
//!   and three base64 attachments of pseudo-random bytes, ≈ 25 MB on the wire), opened through
//!   the file input; time from the `change` event until the part tree lists the last attachment,
//!   and the longest gap between animation frames meanwhile (how long the page froze).
//!
//! The page is served by a small static file server here, so the bench needs no `mailscope`
//! binary. Figures are wall-clock times on whatever machine runs it: compare runs on one machine.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mailscope_core::mime::build::{Attachment, MessageBuilder, NameAddr};
use serde_json::{json, Value};

use crate::steps::Steps;
use crate::tools;

/// How long any one wait in the page may take.
const TIMEOUT: Duration = Duration::from_secs(120);

/// Measures the UI in dist/ and returns the report (bundle split, interactive, 25 MB open).
pub(crate) fn run(steps: &mut Steps, dist: &Path) -> Result<String, String> {
    let sizes = steps.step("UI bundle: page load vs fetched later", |_| {
        split_sizes(dist)
    })?;
    tools::ensure_browser(steps)?;
    let message = steps.step("UI bench: build a 25 MB message with the core", |_| {
        big_message()
    })?;
    let path = std::env::temp_dir().join(format!("mailscope-bench-{}.eml", std::process::id()));
    std::fs::write(&path, &message).map_err(|e| format!("write {}: {e}", path.display()))?;
    let timings = steps.step("UI bench in headless Chromium", |_| {
        let server = StaticServer::start(dist.to_path_buf())?;
        let result = measure(&server.url, &path, message.len());
        let _ = std::fs::remove_file(&path);
        result
    });
    let _ = std::fs::remove_file(&path);
    Ok(format!("{sizes}\n{}", timings?))
}

/// When the browser fetches a file of dist/: with the page, or later on first need.
const GROUPS: [(&str, &str); 3] = [
    ("", "page load"),
    ("worker", "first worker job"),
    ("lang-ko", "on choosing Korean"),
];

/// Transfer sizes of the page's files and of what it fetches later (the worker, the Korean
/// language pack), as a table: raw, `gzip -9` (the figure earlier runs reported) and the
/// Zopfli copy `mailscope serve` sends (`NAME.gz`, written by the UI build), which is what the
/// page load weighs.
fn split_sizes(dist: &Path) -> Result<String, String> {
    let mut sums = [(0usize, 0usize, 0usize); GROUPS.len()];
    let mut rows = Vec::new();
    let entries = std::fs::read_dir(dist).map_err(|e| format!("read {}: {e}", dist.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        if ![".wasm", ".js", ".css", ".bin"]
            .iter()
            .any(|ext| name.ends_with(ext))
        {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|e| format!("read {}: {e}", path.display()))?;
        let gz = gzip_len(&bytes)?;
        let served = std::fs::metadata(dist.join(format!("{name}.gz")))
            .map(|m| m.len() as usize)
            .unwrap_or(bytes.len());
        let group = GROUPS
            .iter()
            .rposition(|(prefix, _)| name.starts_with(prefix))
            .unwrap_or(0);
        let sum = &mut sums[group];
        sum.0 += bytes.len();
        sum.1 += gz;
        sum.2 += served;
        rows.push((group, name, bytes.len(), gz, served));
    }
    rows.sort();
    let mut out = String::from(
        "UI transfer                      raw bytes      gzip -9   as served (zopfli gzip)\n",
    );
    for (group, name, raw, gz, served) in &rows {
        out.push_str(&format!(
            "  {:<30} {raw:>10} {gz:>12} {served:>12}  {}\n",
            short(name),
            GROUPS[*group].1
        ));
    }
    for (i, ((_, when), (raw, gz, served))) in GROUPS.iter().zip(sums).enumerate() {
        let target = if i == 0 { "  target ≤ 500 KB" } else { "" };
        out.push_str(&format!(
            "  {:<30} {raw:>10} {gz:>12} {served:>12}{target}\n",
            format!("total, {when}")
        ));
    }
    Ok(out)
}

/// A file name without Trunk's content hash (`mailscope-web-0123abcd_bg.wasm` → `mailscope-web_bg.wasm`).
fn short(name: &str) -> String {
    let (stem, ext) = name.split_once('.').unwrap_or((name, ""));
    let (base, bg) = match stem.strip_suffix("_bg") {
        Some(b) => (b, "_bg"),
        None => (stem, ""),
    };
    let base = match base.rsplit_once('-') {
        Some((b, hash)) if hash.len() == 16 && hash.bytes().all(|c| c.is_ascii_hexdigit()) => b,
        _ => base,
    };
    format!("{base}{bg}.{ext}")
}

fn gzip_len(bytes: &[u8]) -> Result<usize, String> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes).map_err(|e| e.to_string())?;
    enc.finish().map(|v| v.len()).map_err(|e| e.to_string())
}

/// ≈ 25 MB: a Korean text part and three attachments of 6 MiB pseudo-random bytes each
/// (base64 on the wire), built by the core.
fn big_message() -> Result<Vec<u8>, String> {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut blob = || {
        (0..6 * 1024 * 1024)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed >> 24) as u8
            })
            .collect::<Vec<u8>>()
    };
    let attachments = (0..3)
        .map(|n| Attachment {
            filename: format!("blob{n}.bin"),
            content_type: "application/octet-stream".into(),
            data: blob(),
        })
        .collect();
    let builder = MessageBuilder {
        from: vec![NameAddr::new("벤치", "bench@example.org")],
        to: vec![NameAddr::bare("you@example.org")],
        cc: Vec::new(),
        subject: Some("큰 메시지".into()),
        date: "Sun, 22 Nov 2026 09:00:00 +0900".into(),
        message_id: "<bench.25mb@mailscope.invalid>".into(),
        text: Some("큰 메시지: 첨부 파일 세 개.\n".into()),
        html: None,
        attachments,
        headers: Vec::new(),
    };
    builder
        .build(7)
        .map_err(|e| format!("the core could not build the message: {e:?}"))
}

/// Serves dist/ over HTTP/1.1 on a free loopback port, one thread per connection.
struct StaticServer {
    url: String,
}

impl StaticServer {
    fn start(root: PathBuf) -> Result<StaticServer, String> {
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"))?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let root = root.clone();
                std::thread::spawn(move || {
                    let _ = serve_one(stream, &root);
                });
            }
        });
        Ok(StaticServer {
            url: format!("http://127.0.0.1:{port}/"),
        })
    }
}

fn serve_one(stream: TcpStream, root: &Path) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    let mut gzip_ok = false;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim_end().is_empty() {
            break;
        }
        let line = line.to_ascii_lowercase();
        if let Some(v) = line.strip_prefix("accept-encoding:") {
            gzip_ok = v.split(',').any(|e| e.trim() == "gzip");
        }
    }
    let path = request.split_whitespace().nth(1).unwrap_or("/");
    let path = path
        .split(['?', '#'])
        .next()
        .unwrap_or("/")
        .trim_start_matches('/');
    let path = if path.is_empty() { "index.html" } else { path };
    let file = (!path.contains("..")).then(|| root.join(path));
    let mut stream = stream;
    // Like `mailscope serve`: the Zopfli copy beside the file to a client that accepts gzip.
    let gzipped = file.as_ref().and_then(|f| {
        let mut gz = f.as_os_str().to_owned();
        gz.push(".gz");
        gzip_ok.then(|| std::fs::read(gz).ok()).flatten()
    });
    let encoding = if gzipped.is_some() {
        "Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n"
    } else {
        ""
    };
    let read = |f: PathBuf| match gzipped {
        Some(gz) => Some((f, gz)),
        None => std::fs::read(&f).ok().map(|b| (f, b)),
    };
    match file.and_then(read) {
        Some((f, body)) => {
            let kind = match f.extension().and_then(|e| e.to_str()).unwrap_or_default() {
                "html" => "text/html; charset=utf-8",
                "js" => "text/javascript",
                "wasm" => "application/wasm",
                "css" => "text/css",
                "svg" => "image/svg+xml",
                _ => "application/octet-stream",
            };
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\n{encoding}Content-Length: {}\r\nCache-Control: max-age=3600\r\nConnection: close\r\n\r\n",
                body.len()
            )?;
            stream.write_all(&body)
        }
        None => stream
            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
    }
}

/// ChromeDriver and one headless Chromium session, ended on drop.
struct Driver {
    child: Child,
    port: u16,
    session: String,
    profile: PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = http(
            self.port,
            "DELETE",
            &format!("/session/{}", self.session),
            None,
        );
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

impl Driver {
    fn start() -> Result<Driver, String> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let child = Command::new(tools::CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("start {}: {e}", tools::CHROMEDRIVER))?;
        let profile = std::env::temp_dir().join(format!("mailscope-bench-chromium-{port}"));
        let mut driver = Driver {
            child,
            port,
            session: String::new(),
            profile,
        };
        let deadline = Instant::now() + TIMEOUT;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                return Err(format!("chromedriver did not listen on {port}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let caps = json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
            "binary": tools::CHROMIUM,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,900",
                format!("--user-data-dir={}", driver.profile.display())],
        }}}});
        let answer = http(port, "POST", "/session", Some(&caps))?;
        driver.session = answer["value"]["sessionId"]
            .as_str()
            .ok_or(format!("no session from chromedriver: {answer}"))?
            .to_string();
        Ok(driver)
    }

    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
        let answer = http(
            self.port,
            method,
            &format!("/session/{}{path}", self.session),
            body,
        )?;
        if let Some(error) = answer["value"]["error"].as_str() {
            return Err(format!("{path}: {error}: {}", answer["value"]["message"]));
        }
        Ok(answer["value"].clone())
    }

    /// Runs an async script (its last argument is the callback) and returns what it passed.
    fn run_async(&self, script: &str) -> Result<Value, String> {
        self.call(
            "POST",
            "/execute/async",
            Some(&json!({"script": script, "args": []})),
        )
    }

    fn element(&self, css: &str) -> Result<String, String> {
        let v = self.call(
            "POST",
            "/element",
            Some(&json!({"using": "css selector", "value": css})),
        )?;
        v.as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or(format!("no element {css}"))
    }
}

/// One HTTP/1.1 request to ChromeDriver on loopback; the JSON answer.
fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut stream = TcpStream::connect(("127.0.0.1", port))
        .map_err(|e| format!("connect to chromedriver: {e}"))?;
    stream
        .set_read_timeout(Some(TIMEOUT + TIMEOUT))
        .map_err(|e| e.to_string())?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .map_err(|e| format!("send to chromedriver: {e}"))?;
    // Read the head, then exactly Content-Length bytes: the driver may keep the connection open.
    let mut reader = BufReader::new(stream);
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        reader
            .read_line(&mut line)
            .map_err(|e| format!("read from chromedriver: {e}"))?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value
                    .trim()
                    .parse()
                    .map_err(|_| "bad Content-Length".to_string())?;
            }
        }
    }
    let mut answer = vec![0; length];
    reader
        .read_exact(&mut answer)
        .map_err(|e| format!("read from chromedriver: {e}"))?;
    serde_json::from_slice(&answer).map_err(|e| format!("chromedriver answered {e}"))
}

/// In the page: wait until the nav is there, click "Message", wait for the view, and report
/// `performance.now()` then (ms since navigation start) with the first contentful paint.
const INTERACTIVE: &str = r#"
const done = arguments[arguments.length - 1];
const deadline = performance.now() + 60000;
const fcp = () => (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || null;
// The paint entry can be queued a little after the frame that painted: wait for it (2 s at most).
let answered = false;
const answer = (v) => { if (!answered) { answered = true; done(v); } };
const withFcp = (v) => {
  if (fcp() !== null) return answer({...v, fcp: fcp()});
  new PerformanceObserver((list, obs) => {
    const e = list.getEntriesByName('first-contentful-paint')[0];
    if (e) { obs.disconnect(); answer({...v, fcp: e.startTime}); }
  }).observe({type: 'paint', buffered: true});
  setTimeout(() => answer({...v, fcp: null}), 2000);
};
(function nav() {
  const link = document.querySelector("nav.nav a[href='#/message']");
  if (!link) { return performance.now() > deadline ? done({error: 'no nav'}) : requestAnimationFrame(nav); }
  const navAt = performance.now();
  link.click();
  (function view() {
    if (document.querySelector('.message-view')) {
      return requestAnimationFrame(() => withFcp({nav: navAt, interactive: performance.now()}));
    }
    return performance.now() > deadline ? done({error: 'no message view'}) : requestAnimationFrame(view);
  })();
})();
"#;

/// From the Message view: clicks "Tools" (the first view of the lazily loaded module, which is
/// fetched, compiled and started now) and times until its reply tool shows a parsed reply;
/// then goes back to the Message view.
const TOOLS_VIEW: &str = r#"
const done = arguments[arguments.length - 1];
const deadline = performance.now() + 60000;
const link = document.querySelector("nav.nav a[href='#/tools']");
if (!link) { done({error: 'no Tools link'}); return; }
const start = performance.now();
link.click();
(function shown() {
  if (document.querySelector('#reply-output .reply-code')) {
    const ms = performance.now() - start;
    document.querySelector("nav.nav a[href='#/message']").click();
    return (function back() {
      if (document.querySelector('.message-view')) return done({ms});
      return performance.now() > deadline ? done({error: 'no Message view after Tools'}) : requestAnimationFrame(back);
    })();
  }
  return performance.now() > deadline ? done({error: 'no Tools view'}) : requestAnimationFrame(shown);
})();
"#;

/// Before the file is chosen: note when the input changes and track the longest gap between
/// animation frames until the part tree lists the last attachment.
const ARM: &str = r#"
const done = arguments[arguments.length - 1];
window.__bench = {start: null, end: null, maxGap: 0, progress: []};
document.getElementById('eml-file').addEventListener('change', () => { window.__bench.start = performance.now(); }, {capture: true, once: true});
let last = performance.now();
(function frame() {
  const b = window.__bench;
  const now = performance.now();
  if (b.start !== null && now - last > b.maxGap) b.maxGap = now - last;
  last = now;
  const label = document.querySelector('.progress label');
  if (label && b.progress[b.progress.length - 1] !== label.textContent) b.progress.push(label.textContent);
  const tree = document.querySelector('.part-tree');
  if (b.start !== null && tree && tree.textContent.includes('blob2.bin')) { b.end = performance.now(); return; }
  requestAnimationFrame(frame);
})();
done(true);
"#;

const OPENED: &str = r#"
const done = arguments[arguments.length - 1];
const deadline = performance.now() + 110000;
(function wait() {
  const b = window.__bench;
  if (b.end !== null) return done(b);
  if (performance.now() > deadline) return done({error: 'the part tree never listed blob2.bin', progress: b.progress});
  setTimeout(wait, 50);
})();
"#;

fn ms(v: &Value, key: &str) -> Result<f64, String> {
    v[key].as_f64().ok_or(format!("no {key} in {v}"))
}

fn measure(url: &str, message: &Path, size: usize) -> Result<String, String> {
    let driver = Driver::start()?;
    driver.call(
        "POST",
        "/timeouts",
        Some(&json!({"script": TIMEOUT.as_millis() as u64})),
    )?;
    let mut out = String::from("UI timings (headless Chromium, wall clock)          ms\n");
    let row = |out: &mut String, label: String, value: String| {
        out.push_str(&format!("  {label:<48} {value:>6}\n"));
    };
    for run in ["cold", "warm"] {
        driver.call("POST", "/url", Some(&json!({"url": url})))?;
        let t = driver.run_async(INTERACTIVE)?;
        if let Some(e) = t["error"].as_str() {
            return Err(format!("interactive ({run}): {e}"));
        }
        let fcp = t["fcp"]
            .as_f64()
            .map_or("n/a".into(), |v| format!("{v:.0}"));
        row(&mut out, format!("first contentful paint ({run})"), fcp);
        row(
            &mut out,
            format!("nav painted ({run})"),
            format!("{:.0}", ms(&t, "nav")?),
        );
        row(
            &mut out,
            format!("interactive: a click answered ({run})"),
            format!("{:.0}", ms(&t, "interactive")?),
        );
    }
    let tools_view = driver.run_async(TOOLS_VIEW)?;
    if let Some(e) = tools_view["error"].as_str() {
        return Err(format!("first Tools view: {e}"));
    }
    row(
        &mut out,
        "first Tools view".into(),
        format!("{:.0}", ms(&tools_view, "ms")?),
    );
    let tab = driver.element("#tab-inspect")?;
    driver.call("POST", &format!("/element/{tab}/click"), Some(&json!({})))?;
    driver.run_async("const d = arguments[arguments.length-1]; (function w(){ document.getElementById('eml-file') ? d(true) : requestAnimationFrame(w); })();")?;
    driver.run_async(ARM)?;
    let input = driver.element("#eml-file")?;
    let path = message.display().to_string();
    driver.call(
        "POST",
        &format!("/element/{input}/value"),
        Some(&json!({"text": path})),
    )?;
    let b = driver.run_async(OPENED)?;
    if let Some(e) = b["error"].as_str() {
        return Err(format!(
            "25 MB open: {e} (progress seen: {})",
            b["progress"]
        ));
    }
    let opened = ms(&b, "end")? - ms(&b, "start")?;
    row(
        &mut out,
        format!(
            "open a {:.1} MB message until the part tree shows",
            size as f64 / 1e6
        ),
        format!("{opened:.0}"),
    );
    row(
        &mut out,
        "longest gap between frames meanwhile".into(),
        format!("{:.0}", ms(&b, "maxGap")?),
    );
    let steps: Vec<&str> = b["progress"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    out.push_str(&format!(
        "  progress shown: {} updates, the last {:?}\n",
        steps.len(),
        steps.last().copied().unwrap_or("none")
    ));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_dropped_from_names() {
        let cases = [
            (
                "mailscope-web-8cc4515711f8cbff_bg.wasm",
                "mailscope-web_bg.wasm",
            ),
            ("mailscope-web-8cc4515711f8cbff.js", "mailscope-web.js"),
            ("style-19685bd605c3d559.css", "style.css"),
            ("worker_bg.wasm", "worker_bg.wasm"),
            ("worker_loader.js", "worker_loader.js"),
            ("lang-ko.bin", "lang-ko.bin"),
        ];
        for (name, want) in cases {
            assert_eq!(short(name), want, "name {name}");
        }
    }

    #[test]
    fn sizes_are_grouped_by_when_the_browser_fetches_them() {
        let dist = std::env::temp_dir().join(format!("xtask-sizes-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dist);
        std::fs::create_dir_all(&dist).expect("temp dir");
        for (name, len) in [
            ("mailscope-web-8cc4515711f8cbff_bg.wasm", 1000),
            ("mailscope-web-8cc4515711f8cbff.js", 100),
            ("worker_bg.wasm", 700),
            ("worker_loader.js", 30),
            ("lang-ko.bin", 200),
            ("index.html", 50),
        ] {
            std::fs::write(dist.join(name), vec![b'a'; len]).expect("write");
        }
        // The page's wasm has its served copy; the rest would go out as they are.
        std::fs::write(
            dist.join("mailscope-web-8cc4515711f8cbff_bg.wasm.gz"),
            [0u8; 40],
        )
        .expect("write");
        let table = split_sizes(&dist).expect("table");
        let line = |label: &str| {
            table
                .lines()
                .find(|l| l.trim_start().starts_with(label))
                .unwrap_or_else(|| panic!("no line {label:?} in\n{table}"))
                .split_whitespace()
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        let page = line("total, page load");
        assert_eq!(&page[3], "1100", "{table}");
        assert_eq!(
            &page[5], "140",
            "served: the wasm's copy and the JS as it is\n{table}"
        );
        assert_eq!(&line("total, first worker job")[6], "730", "{table}");
        assert_eq!(&line("total, on choosing Korean")[6], "200", "{table}");
        std::fs::remove_dir_all(&dist).expect("clean up");
    }

    #[test]
    fn the_big_message_is_25_mb_and_parses() {
        let m = big_message().expect("built");
        assert!(
            (24_000_000..27_000_000).contains(&m.len()),
            "size {}",
            m.len()
        );
        let parsed = mailscope_core::mime::parse::parse_message(&m);
        assert_eq!(parsed.entities.len(), 5, "root, text and three attachments");
    }
}
