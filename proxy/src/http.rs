//! The HTTP listener of `mailscope serve`: HTTP/1.1 (with upgrades for `/relay`) on hyper, with
//! the limits that keep stalled clients from holding sockets (slowloris).
//!
//! - A request head must arrive within [`HttpLimits::header_timeout`]; the same timer closes a
//!   keep-alive connection that sends no next request (hyper starts it again when a connection
//!   goes idle).
//! - At most [`HttpLimits::max_connections`] HTTP connections are served at once. A connection
//!   over the cap is answered `503` at once and closed, so file descriptors never run out and a
//!   free slot comes back within the header timeout. Connections upgraded to the relay leave the
//!   count (the relay's own session limits apply to them).
//! - A connection serves at most [`HttpLimits::max_requests`] requests; the last response says
//!   `Connection: close`.

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderValue, Request};
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// Limits of the HTTP listener.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpLimits {
    /// Time allowed for a request head, and for the next request on an idle keep-alive connection.
    pub header_timeout: Duration,
    /// HTTP connections served at once.
    pub max_connections: usize,
    /// Requests served on one connection before it is closed.
    pub max_requests: usize,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            header_timeout: Duration::from_secs(DEFAULT_HEADER_TIMEOUT_SECS),
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_requests: DEFAULT_MAX_REQUESTS,
        }
    }
}

/// Default of `--http-header-timeout`, in seconds.
pub const DEFAULT_HEADER_TIMEOUT_SECS: u64 = 10;
/// Default of `--http-max-connections`.
pub const DEFAULT_MAX_CONNECTIONS: usize = 256;
/// Default of `--http-max-requests` (nginx's `keepalive_requests`).
pub const DEFAULT_MAX_REQUESTS: usize = 1000;

/// Serves `app` on `listener` until the task is aborted. `over_cap` is the response written
/// (raw HTTP/1.1) to a connection over the cap before it is closed.
pub async fn serve(listener: TcpListener, app: Router, limits: HttpLimits, over_cap: Arc<[u8]>) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    loop {
        let (tcp, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors (or another transient error): the connections we hold
                // close within the header timeout, so try again shortly.
                tracing::warn!(error = %e, "cannot accept an HTTP connection");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tracing::debug!(%peer, "HTTP connection over the cap refused");
            // The socket is new and its send buffer empty: this never blocks.
            let _ = tcp.try_write(&over_cap);
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let app = app.clone();
        tokio::spawn(async move {
            serve_connection(tcp, app, limits).await;
            drop(slot);
        });
    }
}

async fn serve_connection(tcp: TcpStream, app: Router, limits: HttpLimits) {
    let served = Arc::new(AtomicUsize::new(0));
    let max_requests = limits.max_requests.max(1);
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let n = served.fetch_add(1, Ordering::Relaxed) + 1;
        let app = app.clone();
        async move {
            let mut response = app
                .oneshot(request.map(axum::body::Body::new))
                .await
                .unwrap_or_else(|never: Infallible| match never {});
            if n >= max_requests {
                response
                    .headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            Ok::<_, Infallible>(response)
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    if let Err(e) = builder
        .serve_connection(TokioIo::new(tcp), service)
        .with_upgrades()
        .await
    {
        tracing::debug!(error = %e, "HTTP connection ended with an error");
    }
}
