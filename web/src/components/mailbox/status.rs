//! The state of the link to `mailscope serve`, with what to do when it fails.

use yew::prelude::*;

use crate::components::error::ErrorNote;
use crate::components::i18n::use_lang;
use crate::state::error::Shown;
use crate::state::i18n::{tr, trf, Lang};

use crate::state::decimal::one_decimal;
use crate::state::mailbox::{ApiError, LinkState, MailboxError};
use crate::state::relay_link::{SERVE_COMMAND, XTASK_COMMAND};

/// Properties of [`LinkStatus`].
#[derive(Properties, PartialEq)]
pub struct LinkStatusProps {
    /// The link.
    pub link: LinkState,
    /// Try again.
    pub on_retry: Callback<()>,
}

fn start_help(lang: Lang) -> Html {
    html! {
        <>
            <p>{ tr(lang, "If it is not running, start it in a terminal, then open the URL it prints (it carries the access token as #token=…):") }</p>
            <pre class="command"><code>{ SERVE_COMMAND }</code></pre>
            <p>{ tr(lang, "or, from a checkout of the Mailscope repository:") }</p>
            <pre class="command"><code>{ XTASK_COMMAND }</code></pre>
        </>
    }
}

/// The status line or the guidance panel.
#[function_component(LinkStatus)]
pub fn link_status(props: &LinkStatusProps) -> Html {
    let lang = use_lang();
    let retry = {
        let on = props.on_retry.clone();
        html! { <button type="button" id="mailbox-retry" onclick={Callback::from(move |_| on.emit(()))}>{ tr(lang, "Try again") }</button> }
    };
    match &props.link {
        LinkState::Idle | LinkState::Loading => html! {
            <p class="mailbox-status muted" id="mailbox-status" data-state="loading">{ tr(lang, "Loading the sandbox's messages…") }</p>
        },
        LinkState::Live => html! {
            <p class="mailbox-status" id="mailbox-status" data-state="live">
                <span class="live-dot" aria-hidden="true"></span>
                { tr(lang, "Live: new mail sent to the sandbox SMTP server appears here.") }
            </p>
        },
        LinkState::Reconnecting { in_ms } => html! {
            <p class="mailbox-status warn" id="mailbox-status" data-state="reconnecting" role="status">
                { trf(lang, "The live update stream dropped; reconnecting in {s} s.", &[("s", &one_decimal(u64::from(*in_ms), 1000))]) }
            </p>
        },
        LinkState::Failed(error) => {
            let (state, title, body) = match error {
                MailboxError::Api(ApiError::NoToken) => (
                    "no-token",
                    tr(lang, "Relay token missing"),
                    html! {
                        <>
                            <p>{ tr(lang, "The Mailbox reads the sandbox through mailscope serve, which only answers pages that present its access token. Open the exact URL that mailscope serve printed when it started: it ends in #token=…") }</p>
                            { start_help(lang) }
                        </>
                    },
                ),
                MailboxError::Api(ApiError::NotRunning(detail)) => (
                    "not-running",
                    tr(lang, "mailscope serve is not running"),
                    html! {
                        <>
                            <p>{ tr(lang, "The Mailbox needs mailscope serve, which runs the sandbox SMTP server and serves this page.") }{" "}
                                <span class="muted">{ format!("({detail})") }</span></p>
                            { start_help(lang) }
                            { retry }
                        </>
                    },
                ),
                MailboxError::Api(ApiError::Forbidden(detail)) => (
                    "forbidden",
                    tr(lang, "The token was refused"),
                    html! {
                        <>
                            <p>{ tr(lang, "mailscope serve refused this page's token: it makes a new token each time it starts. Open the URL it printed this time.") }{" "}
                                <span class="muted">{ format!("({detail})") }</span></p>
                            { retry }
                        </>
                    },
                ),
                MailboxError::Api(ApiError::SandboxOff(detail)) => (
                    "sandbox-off",
                    tr(lang, "The sandbox SMTP server is off"),
                    html! {
                        <>
                            <p>{ tr(lang, "mailscope serve was started with --no-sandbox: restart it without that flag.") }{" "}
                                <span class="muted">{ format!("({detail})") }</span></p>
                            { retry }
                        </>
                    },
                ),
                error @ (MailboxError::Api(ApiError::Gone(_) | ApiError::Other(_))
                | MailboxError::Worker(_)) => (
                    "error",
                    tr(lang, "The Mailbox could not be loaded"),
                    html! {
                        <><ErrorNote error={Shown::of(error, lang)} />{ retry }</>
                    },
                ),
            };
            html! {
                <div class="mailbox-guide panel" id="mailbox-status" data-state={state} role="alert">
                    <h3>{ title }</h3>
                    { body }
                </div>
            }
        }
    }
}
