//! The relay status line (always visible in the Session view) and its guidance.

use mailscope_core::relay::Closer;
use yew::prelude::*;

use crate::components::i18n::use_lang;
use crate::state::i18n::{tr, tr_text, trf, Lang};
use crate::state::relay_link::{SERVE_COMMAND, XTASK_COMMAND};
use crate::state::session::live::{error_help, RelayStatus, SocketState};

/// Properties of [`RelayStatusBar`].
#[derive(Properties, PartialEq)]
pub struct RelayStatusProps {
    /// The relay's status.
    pub status: RelayStatus,
    /// Open the socket again.
    pub on_reconnect: Callback<()>,
}

fn start_help(lang: Lang) -> Html {
    html! {
        <div class="relay-help">
            <p>{ tr(lang, "Start it in a terminal, then open the URL it prints (it carries the access token as #token=…):") }</p>
            <pre class="command"><code>{ SERVE_COMMAND }</code></pre>
            <p>{ tr(lang, "or, from a checkout of the Mailscope repository:") }</p>
            <pre class="command"><code>{ XTASK_COMMAND }</code></pre>
        </div>
    }
}

fn closer(lang: Lang, by: Closer) -> &'static str {
    match by {
        Closer::Server => tr(lang, "the server"),
        Closer::Client => tr(lang, "this page"),
        Closer::Relay => tr(lang, "the relay"),
    }
}

/// The relay's state with what to do.
#[function_component(RelayStatusBar)]
pub fn relay_status_bar(props: &RelayStatusProps) -> Html {
    let lang = use_lang();
    let s = &props.status;
    let reconnect = {
        let on = props.on_reconnect.clone();
        html! { <button type="button" id="relay-reconnect" onclick={Callback::from(move |_| on.emit(()))}>{ tr(lang, "Reconnect") }</button> }
    };
    let body = match &s.socket {
        SocketState::NoToken => html! {
            <>
                <strong>{ tr(lang, "Relay token missing") }</strong>
                <p>{ tr(lang, "Live sessions go through mailscope serve, which only answers pages that present its access token. Open the exact URL that mailscope serve printed when it started: it ends in #token=…") }</p>
                { start_help(lang) }
            </>
        },
        SocketState::Opening => html! { <span>{ tr(lang, "Connecting to the relay…") }</span> },
        SocketState::Checking => {
            html! { <span>{ tr(lang, "The relay did not answer; finding out why…") }</span> }
        }
        SocketState::Open => match &s.hello {
            Some((protocol, limits)) => html! {
                <>
                    <span class="live-dot" aria-hidden="true"></span>
                    <strong>{ tr(lang, "Relay connected") }</strong>
                    <p class="muted" id="relay-limits">{ trf(lang, "Protocol v{p} · frames up to {frame} KiB · idle timeout {idle} s · connect timeout {connect} s · TLS handshake {handshake} s · {sessions} sessions ({per_token} per token) · {cpm} connects a minute · ports {ports}", &[
                        ("p", protocol),
                        ("frame", &(limits.max_frame / 1024)),
                        ("idle", &limits.idle_timeout_secs),
                        ("connect", &limits.connect_timeout_secs),
                        ("handshake", &limits.handshake_timeout_secs),
                        ("sessions", &limits.max_sessions),
                        ("per_token", &limits.max_sessions_per_token),
                        ("cpm", &limits.connects_per_minute),
                        ("ports", &limits.allowed_ports.iter().map(u16::to_string).collect::<Vec<_>>().join(", ")),
                    ]) }{ match &s.sandbox {
                        Some(addr) => trf(lang, " · sandbox at {addr}", &[("addr", addr)]),
                        None => tr(lang, " · no sandbox (--no-sandbox)").to_string(),
                    } }</p>
                </>
            },
            None => html! { <span>{ tr(lang, "Relay connected; waiting for its hello…") }</span> },
        },
        SocketState::NotRunning(detail) => html! {
            <>
                <strong>{ tr(lang, "mailscope serve is not running") }</strong>
                <p>{ tr(lang, "The relay socket could not be opened and nothing answers at this address.") }
                    <span class="muted">{ format!(" ({detail})") }</span></p>
                { start_help(lang) }
                { reconnect.clone() }
            </>
        },
        SocketState::Refused(detail) => html! {
            <>
                <strong>{ tr(lang, "The relay refused this page's token") }</strong>
                <p>{ tr(lang, "mailscope serve makes a new token each time it starts: open the URL it printed this time (it ends in #token=…).") }
                    <span class="muted">{ format!(" ({})", tr_text(lang, detail)) }</span></p>
                { reconnect.clone() }
            </>
        },
        SocketState::Closed { code, reason } => html! {
            <>
                <strong>{ tr(lang, "The relay socket closed") }</strong>
                <p>{ trf(lang, "Closed with code {code}{reason}. If mailscope serve was stopped, start it again; then reconnect.", &[
                    ("code", code),
                    ("reason", &if reason.is_empty() { String::new() } else { format!(" ({reason})") }),
                ]) }</p>
                { reconnect.clone() }
            </>
        },
    };
    let class = match &s.socket {
        SocketState::Open => "ok",
        SocketState::Opening | SocketState::Checking => "muted",
        _ => "warn",
    };
    html! {
        <section class={classes!("relay-status", "panel", class)} id="relay-status" data-state={s.socket.name()}
            aria-live="polite" aria-label={tr(lang, "Relay status")}>
            { body }
            if let Some((by, reason)) = &s.last_closed {
                <p class="muted" id="relay-closed">{ trf(lang, "Last connection closed by {by}: {reason}", &[("by", &closer(lang, *by)), ("reason", reason)]) }</p>
            }
            if let Some((code, message)) = &s.last_error {
                <div class="relay-error" id="relay-error" data-code={code.as_str()} role="alert">
                    <p><strong>{ tr(lang, error_help(*code).title) }</strong>{" "}<code>{ code.as_str() }</code></p>
                    <p class="muted">{ message }</p>
                    <p>{ tr(lang, error_help(*code).todo) }</p>
                </div>
            }
        </section>
    }
}
