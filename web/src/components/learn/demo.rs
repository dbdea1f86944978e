//! The panel next to a lesson step: what the core computes for it.

use yew::prelude::*;

use crate::components::transcript::table::wire_view;
use crate::state::learn::DemoView;

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "—".into())
}

/// Properties of [`DemoPanel`].
#[derive(Properties, PartialEq)]
pub struct DemoPanelProps {
    /// The panel's content.
    pub view: DemoView,
}

/// Renders a [`DemoView`].
#[function_component(DemoPanel)]
pub fn demo_panel(props: &DemoPanelProps) -> Html {
    let body = match &props.view {
        DemoView::NeedsRun => {
            html! { <p class="muted">{"Press “Try this step” to see this panel filled from the live session."}</p> }
        }
        DemoView::Writes(rows) => html! {
            <ol class="demo-writes">
                { for rows.iter().map(|w| html! {
                    <li class={if w.client { "client" } else { "server" }}>
                        { if w.client { format!("client write(): {} bytes, {} line(s)", w.bytes, w.lines) }
                          else { format!("client read(): {} bytes from the server, {} line(s)", w.bytes, w.lines) } }
                    </li>
                }) }
            </ol>
        },
        DemoView::Capabilities(caps) => html! {
            <dl class="kv demo-caps">
                { for caps.iter().map(|(k, e, r)| html! {
                    <><dt><code>{ k }</code></dt><dd>{ e }{" "}<span class="muted">{ format!("({r})") }</span></dd></>
                }) }
            </dl>
        },
        DemoView::Auth(Ok(d)) => html! {
            <dl class="kv demo-auth">
                <dt>{"mechanism"}</dt><dd>{ &d.mechanism }</dd>
                <dt>{"authorization id"}</dt><dd>{ opt(&d.authzid) }</dd>
                <dt>{"user"}</dt><dd>{ opt(&d.authcid) }</dd>
                <dt>{"password"}</dt><dd>{ opt(&d.password) }</dd>
                { for d.challenges.iter().map(|c| html! { <><dt>{"server challenge (decoded)"}</dt><dd><code class="wrap">{ c }</code></dd></> }) }
                if let Some(digest) = &d.digest { <dt>{"HMAC-MD5 digest"}</dt><dd><code class="hex">{ digest }</code></dd> }
            </dl>
        },
        DemoView::Auth(Err(e)) => html! { <p class="muted">{ e }</p> },
        DemoView::RoundTrips(made, saved) => html! {
            <p class="demo-rtt">{ format!("Round trips: {made}. Saved by pipelining: {saved}.") }</p>
        },
        DemoView::DotStuff(s) => html! {
            <>
                <p class="muted">{ "On the wire after 354 (core: dot_stuff):" }</p>
                <pre class="wire demo-dots">{ wire_view(&s.wire) }</pre>
                <p class="muted">{ "Read back by the server:" }</p>
                <pre class="wire">{ wire_view(&s.unstuffed) }</pre>
            </>
        },
        DemoView::Words(w) => html! {
            <>
                { for w.words.iter().map(|s| html! {
                    <ol class="steps demo-words">
                        <li>{"Word: "}<code class="wrap">{ &s.word }</code></li>
                        <li>{"Charset: "}<strong>{ &s.charset }</strong></li>
                        <li>{"Encoding: "}{ if s.encoding.eq_ignore_ascii_case("B") { "B = base64 (RFC 2047 §4.1)" } else { "Q = quoted-printable-like (RFC 2047 §4.2)" } }</li>
                        <li>{"Encoded text: "}<code class="wrap">{ &s.encoded_text }</code></li>
                        <li>{"Bytes: "}<code class="hex">{ &s.bytes_hex }</code></li>
                        <li>{ format!("Read as {}: ", s.charset) }<strong class="demo-text">{ &s.text }</strong></li>
                    </ol>
                }) }
                <p>{"Decoded header text: "}<strong id="learn-decoded">{ &w.text }</strong></p>
            </>
        },
        DemoView::Bounce(d) => html! {
            <>
                <p>{ format!("Reporting-MTA: {}", d.reporting_mta.as_ref().map(|t| t.value.clone()).unwrap_or_default()) }</p>
                <table class="dsn-table">
                    <thead><tr><th>{"Final-Recipient"}</th><th>{"Action"}</th><th>{"Status"}</th><th>{"Diagnostic-Code"}</th></tr></thead>
                    <tbody>
                        { for d.recipients.iter().map(|r| html! {
                            <tr>
                                <td>{ r.final_recipient.as_ref().map(|t| t.value.clone()).unwrap_or_default() }</td>
                                <td>{ opt(&r.action) }</td>
                                <td>{ opt(&r.status) }</td>
                                <td>{ r.diagnostic_code.as_ref().map(|t| t.value.clone()).unwrap_or_default() }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </>
        },
        DemoView::Received(list) => html! {
            if list.is_empty() {
                <p class="muted">{"The server accepted no message."}</p>
            } else {
                <ul class="demo-received">
                    { for list.iter().map(|(id, size)| html! { <li>{ format!("Accepted as {id}: {size} bytes") }</li> }) }
                </ul>
            }
        },
    };
    html! {
        <aside class="demo panel" aria-label="What the core computes">
            <h4>{"Under the hood"}</h4>
            { body }
        </aside>
    }
}
