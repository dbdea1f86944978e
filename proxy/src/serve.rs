//! `mailscope serve`: the explorer UI over HTTP on loopback and the `/relay` WebSocket.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use axum::routing::get;
use axum::{Json, Router};

use crate::api::ApiState;
use crate::cli::ServeArgs;
use crate::dns::Dns;
use crate::http::HttpLimits;
use crate::http_guard::Guard;
use crate::policy::{Policy, DEFAULT_PORTS};
use crate::relay::{Relay, RelayConfig, RelayLimits};
use crate::sandbox::{Sandbox, SandboxOptions};
use crate::tls::Trust;

/// The HTTP routes: `/api/health`, `/relay`, the API and the static UI (`index.html` for unknown
/// paths), all behind [`crate::http_guard::layer`] (Host check, security headers).
///
/// A UI file with a `NAME.gz` beside it (`cargo xtask` writes them with Zopfli after each UI
/// build) is sent as that copy with `Content-Encoding: gzip` to clients that accept gzip, so
/// the page load is the compressed size; other files and clients get the file as it is.
pub fn router(guard: Arc<Guard>, relay: Arc<Relay>, sandbox: Option<&Sandbox>) -> Router {
    let api = crate::api::routes(ApiState {
        relay: relay.clone(),
        store: sandbox.map(|s| s.store.clone()),
        certificate: sandbox.map(|s| s.certificate_pem.clone()),
        sandbox: sandbox.map(|s| s.addr),
    });
    let files = Router::new()
        .fallback(crate::http_guard::static_files)
        .with_state(guard.clone());
    Router::new()
        .route("/api/health", get(health))
        .route("/relay", get(crate::relay::handler))
        .with_state(relay)
        .merge(api)
        .merge(files)
        .layer(axum::middleware::from_fn_with_state(
            guard,
            crate::http_guard::layer,
        ))
}

async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "version": 1, "mailscope": mailscope_core::VERSION }))
}

/// A started server.
#[derive(Debug)]
pub struct Running {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// The relay token.
    pub token: String,
    /// The sandbox SMTP server, if it runs.
    pub sandbox: Option<crate::sandbox::Sandbox>,
    /// The server task; it runs until aborted or the process ends.
    pub task: tokio::task::JoinHandle<()>,
}

/// The origins and `Host` values a listener on `addr` accepts by default.
pub fn default_origins(addr: SocketAddr) -> (Vec<String>, Vec<String>) {
    let hosts = vec![
        addr.to_string().to_ascii_lowercase(),
        format!("localhost:{}", addr.port()),
    ];
    let origins = hosts.iter().map(|h| format!("http://{h}")).collect();
    (origins, hosts)
}

/// Checks the options, binds the listener and starts serving in a task.
pub async fn start(args: ServeArgs) -> anyhow::Result<Running> {
    if !args.ui.join("index.html").is_file() {
        bail!(
            "no built UI at {}: index.html is missing. Build it with `cargo xtask run`, or point --ui (MAILSCOPE_UI) at Trunk's dist/ directory",
            args.ui.display()
        );
    }
    args.check().map_err(anyhow::Error::msg)?;
    let token = crate::token::for_serve(
        args.token.clone(),
        args.token_file.as_deref(),
        std::env::var(crate::token::ENV).ok(),
    )?;
    let trust = Trust::new(&args.ca)?;
    let dns = Dns::new(args.dns).map_err(anyhow::Error::msg)?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}: is another mailscope serve running? Pick another address with --listen", args.listen))?;
    let addr = listener.local_addr()?;
    if !addr.ip().is_loopback() {
        tracing::warn!(%addr, "listening on a non-loopback address (--allow-remote-listen): anyone who can reach it and has the token can use the relay");
    }
    let sandbox = if args.no_sandbox {
        None
    } else {
        Some(
            crate::sandbox::start(SandboxOptions {
                maildir: args.maildir.clone(),
                keep: args.sandbox_keep,
                max_bytes: args.sandbox_max_bytes,
                timeout: Duration::from_secs(args.sandbox_timeout),
                write_timeout: Duration::from_secs(args.sandbox_write_timeout),
                min_data_rate: args.sandbox_min_data_rate,
                authenticate: args.sandbox_auth.then_some(args.dns),
                ..SandboxOptions::new(args.sandbox)
            })
            .await?,
        )
    };
    let (mut origins, hosts) = default_origins(addr);
    origins.extend(args.allow_origin.iter().cloned());
    let mut ports = DEFAULT_PORTS.to_vec();
    ports.extend(&args.allow_port);
    let config = RelayConfig {
        token: token.clone(),
        origins,
        hosts,
        policy: Policy {
            ports,
            allow_targets: args.allow_target.clone(),
            allow_private: args.allow_private,
        },
        limits: RelayLimits {
            max_sessions: args.max_sessions,
            max_sessions_per_token: args.max_sessions_per_token,
            connects_per_minute: args.connects_per_minute,
            connect_addresses: args.connect_addresses,
            connect_timeout: Duration::from_secs(args.connect_timeout),
            handshake_timeout: Duration::from_secs(args.handshake_timeout),
            idle_timeout: Duration::from_secs(args.idle_timeout),
            max_frame: args.max_frame,
            ..RelayLimits::default()
        },
        sandbox: sandbox.as_ref().map(|s| s.addr),
        mx_port: args.mx_port,
    };
    let guard = Arc::new(Guard::new(config.hosts.clone(), &args.ui)?);
    let relay = Arc::new(Relay::new(config, dns, trust));
    let app = router(guard, relay, sandbox.as_ref());
    let limits = HttpLimits {
        header_timeout: Duration::from_secs(args.http_header_timeout),
        max_connections: args.http_max_connections,
        max_requests: args.http_max_requests,
    };
    let over_cap = crate::http_guard::over_cap_response(limits.max_connections).into();
    let task = tokio::spawn(crate::http::serve(listener, app, limits, over_cap));
    Ok(Running {
        addr,
        token,
        sandbox,
        task,
    })
}

/// Runs the server until the process is stopped.
pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let ui = args.ui.clone();
    let running = start(args).await?;
    let addr = running.addr;
    let sandbox = running.sandbox.as_ref().map(|s| s.addr.to_string());
    tracing::info!(ui = %ui.display(), %addr, sandbox = sandbox.as_deref().unwrap_or("off"), ms = started.elapsed().as_millis() as u64, "mailscope serve ready");
    // The URL with the token goes to stdout only, never to the log.
    println!(
        "Mailscope is running. Open http://{addr}/#token={}",
        running.token
    );
    running.task.await.context("the HTTP server task failed")
}
