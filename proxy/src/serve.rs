//! `mailscope serve`: the explorer UI over HTTP on loopback.

use std::path::Path;
use std::time::Instant;

use anyhow::{bail, Context};
use axum::routing::get;
use axum::{Json, Router};
use tower_http::services::{ServeDir, ServeFile};

use crate::cli::ServeArgs;

/// The HTTP routes: `/api/health` and the static UI, with `index.html` for unknown paths.
pub fn router(ui: &Path) -> Router {
    let index = ServeFile::new(ui.join("index.html"));
    Router::new()
        .route("/api/health", get(health))
        .fallback_service(ServeDir::new(ui).fallback(index))
}

async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "version": 1, "mailscope": mailscope_core::VERSION }))
}

/// Runs the server until the process is stopped.
pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let started = Instant::now();
    if !args.ui.join("index.html").is_file() {
        bail!(
            "no built UI at {}: index.html is missing. Build it with `cargo xtask run`, or point --ui (MAILSCOPE_UI) at Trunk's dist/ directory",
            args.ui.display()
        );
    }
    let token = match args.token {
        Some(t) if t.len() >= 16 => t,
        Some(_) => {
            bail!("--token must be at least 16 characters; leave it out to get a random one")
        }
        None => crate::token::generate()?,
    };
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}: is another mailscope serve running? Pick another address with --listen", args.listen))?;
    let addr = listener.local_addr()?;
    if !addr.ip().is_loopback() {
        tracing::warn!(%addr, "listening on a non-loopback address: anyone who can reach it and has the token can use the relay");
    }
    tracing::info!(ui = %args.ui.display(), %addr, ms = started.elapsed().as_millis() as u64, "mailscope serve ready");
    // The URL with the token goes to stdout only, never to the log.
    println!("Mailscope is running. Open http://{addr}/#token={token}");
    axum::serve(listener, router(&args.ui))
        .await
        .context("the HTTP server stopped")
}
