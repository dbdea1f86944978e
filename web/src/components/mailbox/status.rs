//! The state of the link to `mailscope serve`, with what to do when it fails.

use yew::prelude::*;

use crate::state::mailbox::{ApiError, LinkState};
use crate::state::relay_link::{SERVE_COMMAND, XTASK_COMMAND};

/// Properties of [`LinkStatus`].
#[derive(Properties, PartialEq)]
pub struct LinkStatusProps {
    /// The link.
    pub link: LinkState,
    /// Try again.
    pub on_retry: Callback<()>,
}

fn start_help() -> Html {
    html! {
        <>
            <p>{"If it is not running, start it in a terminal, then open the URL it prints (it carries the access token as "}
                <code>{"#token=…"}</code>{"):"}</p>
            <pre class="command"><code>{ SERVE_COMMAND }</code></pre>
            <p>{"or, from a checkout of the Mailscope repository:"}</p>
            <pre class="command"><code>{ XTASK_COMMAND }</code></pre>
        </>
    }
}

/// The status line or the guidance panel.
#[function_component(LinkStatus)]
pub fn link_status(props: &LinkStatusProps) -> Html {
    let retry = {
        let on = props.on_retry.clone();
        html! { <button type="button" id="mailbox-retry" onclick={Callback::from(move |_| on.emit(()))}>{"Try again"}</button> }
    };
    match &props.link {
        LinkState::Idle | LinkState::Loading => html! {
            <p class="mailbox-status muted" id="mailbox-status" data-state="loading">{"Loading the sandbox's messages…"}</p>
        },
        LinkState::Live => html! {
            <p class="mailbox-status" id="mailbox-status" data-state="live">
                <span class="live-dot" aria-hidden="true"></span>
                {"Live: new mail sent to the sandbox SMTP server appears here."}
            </p>
        },
        LinkState::Reconnecting { in_ms } => html! {
            <p class="mailbox-status warn" id="mailbox-status" data-state="reconnecting" role="status">
                { format!("The live update stream dropped; reconnecting in {:.1} s.", f64::from(*in_ms) / 1000.0) }
            </p>
        },
        LinkState::Failed(error) => {
            let (state, title, body) = match error {
                ApiError::NoToken => (
                    "no-token",
                    "Relay token missing",
                    html! {
                        <>
                            <p>{"The Mailbox reads the sandbox through "}<code>{"mailscope serve"}</code>
                                {", which only answers pages that present its access token. Open the exact URL that "}
                                <code>{"mailscope serve"}</code>{" printed when it started: it ends in "}
                                <code>{"#token=…"}</code>{"."}</p>
                            { start_help() }
                        </>
                    },
                ),
                ApiError::NotRunning(detail) => (
                    "not-running",
                    "mailscope serve is not running",
                    html! {
                        <>
                            <p>{"The Mailbox needs "}<code>{"mailscope serve"}</code>{", which runs the sandbox SMTP server and serves this page. "}
                                <span class="muted">{ format!("({detail})") }</span></p>
                            { start_help() }
                            { retry }
                        </>
                    },
                ),
                ApiError::Forbidden(detail) => (
                    "forbidden",
                    "The token was refused",
                    html! {
                        <>
                            <p>{"mailscope serve refused this page's token: it makes a new token each time it starts. Open the URL it printed this time. "}
                                <span class="muted">{ format!("({detail})") }</span></p>
                            { retry }
                        </>
                    },
                ),
                ApiError::SandboxOff(detail) => (
                    "sandbox-off",
                    "The sandbox SMTP server is off",
                    html! {
                        <>
                            <p>{"mailscope serve was started with "}<code>{"--no-sandbox"}</code>{": restart it without that flag. "}
                                <span class="muted">{ format!("({detail})") }</span></p>
                            { retry }
                        </>
                    },
                ),
                ApiError::Gone(detail) | ApiError::Other(detail) => (
                    "error",
                    "The Mailbox could not be loaded",
                    html! {
                        <><p>{ detail }</p>{ retry }</>
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
