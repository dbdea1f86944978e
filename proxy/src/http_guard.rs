//! What every HTTP response of `mailscope serve` goes through: the `Host` check (DNS-rebinding
//! defence) on every route, the security headers on every response, and the static files' rules
//! (no dotfiles, nothing outside `--ui`).
//!
//! Headers set on every response (UI files, API answers, relay refusals, 404s, 403s):
//! - `Content-Security-Policy`: scripts only from the server itself plus the inline scripts of
//!   `index.html` by their SHA-256 hash (Trunk writes one to start the app), WebAssembly allowed
//!   (`'wasm-unsafe-eval'`), no plugins, no `<base>`, no form posts, `frame-ancestors 'none'`;
//! - `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`, `Referrer-Policy: no-referrer`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

/// The headers besides the CSP, set on every response.
pub const FIXED_HEADERS: [(&str, &str); 3] = [
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
];

/// The Content-Security-Policy for a page whose inline scripts have these `'sha256-…'` sources.
///
/// Remote images and styles (`http:`/`https:` in `img-src`/`style-src`) are allowed only because
/// a message's HTML, shown in a `srcdoc` iframe that inherits this policy, may load them when the
/// reader asks ("Load remote images"); that iframe's own policy blocks them otherwise, and the
/// page itself loads nothing remote.
pub fn csp(script_hashes: &[String]) -> String {
    let mut script_src = String::from("'self' 'wasm-unsafe-eval'");
    for h in script_hashes {
        script_src.push_str(&format!(" '{h}'"));
    }
    format!(
        "default-src 'self'; script-src {script_src}; style-src 'self' 'unsafe-inline' http: https:; \
         img-src 'self' data: blob: http: https:; connect-src 'self' blob:; worker-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
}

/// The CSP sources (`sha256-BASE64`) of the inline `<script>` elements of an HTML page.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut hashes = Vec::new();
    let mut at = 0;
    while let Some(start) = lower[at..].find("<script").map(|i| at + i) {
        let Some(open_end) = lower[start..].find('>').map(|i| start + i + 1) else {
            break;
        };
        let Some(close) = lower[open_end..].find("</script").map(|i| open_end + i) else {
            break;
        };
        let tag = &lower[start..open_end];
        if !tag.contains(" src=") && !tag.contains("\tsrc=") && !tag.contains("\nsrc=") {
            let digest =
                ring::digest::digest(&ring::digest::SHA256, &html.as_bytes()[open_end..close]);
            hashes.push(format!(
                "sha256-{}",
                mailscope_core::codec::base64::encode(digest.as_ref())
            ));
        }
        at = close;
    }
    hashes
}

/// The guard's state: the names the listener answers to, the UI directory and the CSP.
#[derive(Debug)]
pub struct Guard {
    hosts: Vec<String>,
    root: PathBuf,
    index: PathBuf,
    /// The CSP and the `index.html` version (modified time, length) it was made for: Trunk
    /// writes new inline scripts on every build, so the hashes follow the file.
    csp: Mutex<Option<(Option<SystemTime>, u64, HeaderValue)>>,
}

impl Guard {
    /// A guard for a listener answering to `hosts` (lowercase `host:port`) and serving the UI
    /// in `ui`, which must hold `index.html`.
    pub fn new(hosts: Vec<String>, ui: &Path) -> anyhow::Result<Guard> {
        let root = ui
            .canonicalize()
            .map_err(|e| anyhow::anyhow!("cannot resolve --ui {}: {e}", ui.display()))?;
        let index = root.join("index.html");
        let real = index
            .canonicalize()
            .map_err(|e| anyhow::anyhow!("cannot resolve {}: {e}", index.display()))?;
        if !real.starts_with(&root) {
            anyhow::bail!(
                "{} links to {}, outside --ui: copy the file into {} instead",
                index.display(),
                real.display(),
                root.display()
            );
        }
        Ok(Guard {
            hosts,
            root,
            index,
            csp: Mutex::new(None),
        })
    }

    /// The UI directory as resolved at start.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn csp_header(&self) -> HeaderValue {
        let meta = std::fs::metadata(&self.index).ok();
        let version = (
            meta.as_ref().and_then(|m| m.modified().ok()),
            meta.as_ref().map_or(0, |m| m.len()),
        );
        let mut cached = self.csp.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((modified, len, value)) = cached.as_ref() {
            if (*modified, *len) == version {
                return value.clone();
            }
        }
        let html = std::fs::read_to_string(&self.index).unwrap_or_default();
        let value = HeaderValue::from_str(&csp(&inline_script_hashes(&html)))
            .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"));
        *cached = Some((version.0, version.1, value.clone()));
        value
    }

    fn host_ok(&self, request: &Request) -> bool {
        let named = |h: &str| self.hosts.iter().any(|ok| ok.eq_ignore_ascii_case(h));
        let header_ok = request
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .is_some_and(named);
        // An absolute-form request target (`GET http://other/ HTTP/1.1`) names a host too.
        let target_ok = request.uri().authority().is_none_or(|a| named(a.as_str()));
        header_ok && target_ok
    }

    /// Whether the UI file for the URL path `path` may be served: no segment starting with a
    /// dot (dotfiles, `.git/`, `..`), and whatever the server could send for it (the file, its
    /// `.gz` copy, a directory's `index.html`) resolves to a file inside `--ui`.
    pub fn static_path_ok(&self, path: &str) -> bool {
        let Ok(decoded) = percent_encoding::percent_decode_str(path).decode_utf8() else {
            return false;
        };
        let mut full = self.root.clone();
        for segment in decoded.split('/').filter(|s| !s.is_empty()) {
            if segment.starts_with('.') || segment.contains('\\') || segment.contains('\0') {
                return false;
            }
            full.push(segment);
        }
        let mut gz = full.clone().into_os_string();
        gz.push(".gz");
        [
            full.join("index.html"),
            full.join("index.html.gz"),
            PathBuf::from(gz),
            full,
        ]
        .iter()
        .all(|candidate| match candidate.canonicalize() {
            Ok(real) => real.starts_with(&self.root),
            // Missing: the request falls back to index.html.
            Err(_) => true,
        })
    }
}

fn set_headers(headers: &mut HeaderMap, csp: HeaderValue) {
    headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    for (name, value) in FIXED_HEADERS {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
}

/// The raw HTTP/1.1 response for a connection over the listener's cap, with the security
/// headers.
pub fn over_cap_response(max_connections: usize) -> Vec<u8> {
    let body = format!(
        "mailscope serve has {max_connections} HTTP connections open (its --http-max-connections): try again in a few seconds\n"
    );
    let mut head = String::from("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n");
    head.push_str(&format!(
        "Content-Security-Policy: {}\r\n",
        csp(&[]).replace("'self' 'wasm-unsafe-eval'", "'none'")
    ));
    for (name, value) in FIXED_HEADERS {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    head.into_bytes()
}

/// Middleware on every route: refuses a `Host` that does not name the listener (403, as the relay and the API do), then sets
/// the security headers on whatever the route answered.
pub async fn layer(State(guard): State<Arc<Guard>>, request: Request, next: Next) -> Response {
    let mut response = if guard.host_ok(&request) {
        next.run(request).await
    } else {
        tracing::warn!(
            event = "refused",
            host = request
                .headers()
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or(""),
            "HTTP request for another host refused"
        );
        (
            StatusCode::FORBIDDEN,
            format!(
                "this server answers only to {} (DNS rebinding defence): open the page at the address mailscope serve printed\n",
                guard.hosts.join(" or ")
            ),
        )
            .into_response()
    };
    set_headers(response.headers_mut(), guard.csp_header());
    response
}

/// The static UI: `index.html` for paths that name no file (the app's routes), 404 for dotfiles
/// and anything resolving outside `--ui`. A file with a `NAME.gz` beside it is sent as that copy
/// with `Content-Encoding: gzip` to clients that accept gzip.
pub async fn static_files(State(guard): State<Arc<Guard>>, request: Request) -> Response {
    if !guard.static_path_ok(request.uri().path()) {
        return (
            StatusCode::NOT_FOUND,
            "not found: mailscope serve sends no dotfiles and nothing outside its --ui directory\n",
        )
            .into_response();
    }
    let index = ServeFile::new(&guard.index).precompressed_gzip();
    let files = ServeDir::new(&guard.root)
        .precompressed_gzip()
        .fallback(index);
    match files.oneshot(request).await {
        Ok(response) => response.into_response(),
        Err(never) => match never {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_hashed_and_external_ones_are_not() {
        let html = "<script src=\"/a.js\"></script><SCRIPT type=module>alert(1)</SCRIPT>\n<script>\n</script>";
        assert_eq!(
            inline_script_hashes(html),
            [
                // printf 'alert(1)' | openssl dgst -sha256 -binary | base64
                "sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI=",
                // printf '\n' | openssl dgst -sha256 -binary | base64
                "sha256-AbpHGcgLb+kRsJGnwFEktk7uzpZOCcBY74+YBdrKVGs=",
            ]
        );
    }
}
