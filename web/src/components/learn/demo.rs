//! The panel next to a lesson step: what the core computes for it.

use mailscope_core::i18n::text as core_text;
use yew::prelude::*;

use super::alignment::AlignmentPanel;
use super::dkim::DkimPanel;
use crate::components::error::ErrorNote;
use crate::components::i18n::use_lang;
use crate::components::transcript::table::wire_view;
use crate::state::error::Shown;
use crate::state::i18n::{tr, trf};
use crate::state::learn::demo::DemoView;

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "—".into())
}

/// Properties of [`DemoPanel`].
#[derive(Properties, PartialEq)]
pub struct DemoPanelProps {
    /// The panel's content.
    pub view: DemoView,
    /// The step whose run section shows the panel; `None` in the lesson's step panel. A
    /// panel can be on screen more than once (the step's, and each run's), so its element ids
    /// carry the run ([`scoped`]).
    #[prop_or_default]
    pub run: Option<usize>,
}

/// The id `base` of an element inside a panel: as it is in the step panel, `BASE-run-N` in the
/// run section of step N.
pub(super) fn scoped(run: Option<usize>, base: &str) -> String {
    match run {
        Some(n) => format!("{base}-run-{n}"),
        None => base.to_string(),
    }
}

/// Renders a [`DemoView`].
#[function_component(DemoPanel)]
pub fn demo_panel(props: &DemoPanelProps) -> Html {
    let lang = use_lang();
    let body = match &props.view {
        DemoView::NeedsRun => {
            html! { <p class="muted">{ tr(lang, "Press “Try this step” to see this panel filled from the live session.") }</p> }
        }
        DemoView::Writes(rows) => html! {
            <ol class="demo-writes">
                { for rows.iter().map(|w| html! {
                    <li class={if w.client { "client" } else { "server" }}>
                        { if w.client { trf(lang, "client write(): {bytes} bytes, {lines} line(s)", &[("bytes", &w.bytes), ("lines", &w.lines)]) }
                          else { trf(lang, "client read(): {bytes} bytes from the server, {lines} line(s)", &[("bytes", &w.bytes), ("lines", &w.lines)]) } }
                    </li>
                }) }
            </ol>
        },
        DemoView::Capabilities(caps) => html! {
            <dl class="kv demo-caps">
                { for caps.iter().map(|(k, e, r)| html! {
                    <><dt><code>{ k }</code></dt><dd>{ core_text(lang, e) }{" "}<span class="muted">{ format!("({r})") }</span></dd></>
                }) }
            </dl>
        },
        DemoView::Auth(Ok(d)) => html! {
            <dl class="kv demo-auth">
                <dt>{ tr(lang, "mechanism") }</dt><dd>{ &d.mechanism }</dd>
                <dt>{ tr(lang, "authorization id") }</dt><dd>{ opt(&d.authzid) }</dd>
                <dt>{ tr(lang, "user") }</dt><dd>{ opt(&d.authcid) }</dd>
                <dt>{ tr(lang, "password") }</dt><dd>{ opt(&d.password) }</dd>
                { for d.challenges.iter().map(|c| html! { <><dt>{ tr(lang, "server challenge (decoded)") }</dt><dd><code class="wrap">{ c }</code></dd></> }) }
                if let Some(digest) = &d.digest { <dt>{ tr(lang, "HMAC-MD5 digest") }</dt><dd><code class="hex">{ digest }</code></dd> }
            </dl>
        },
        DemoView::Auth(Err(e)) => html! { <ErrorNote error={Shown::of(e, lang)} /> },
        DemoView::RoundTrips(made, saved) => html! {
            <p class="demo-rtt">{ trf(lang, "Round trips: {made}. Saved by pipelining: {saved}.", &[("made", made), ("saved", saved)]) }</p>
        },
        DemoView::DotStuff(s) => html! {
            <>
                <p class="muted">{ tr(lang, "On the wire after 354 (core: dot_stuff):") }</p>
                <pre class="wire demo-dots">{ wire_view(&s.wire) }</pre>
                <p class="muted">{ tr(lang, "Read back by the server:") }</p>
                <pre class="wire">{ wire_view(&s.unstuffed) }</pre>
            </>
        },
        DemoView::Words(w) => html! {
            <>
                { for w.words.iter().map(|s| html! {
                    <ol class="steps demo-words">
                        <li>{ tr(lang, "word") }{": "}<code class="wrap">{ &s.word }</code></li>
                        <li>{ tr(lang, "charset") }{": "}<strong>{ &s.charset }</strong></li>
                        <li>{ tr(lang, "encoding") }{": "}{ if s.encoding.eq_ignore_ascii_case("B") { tr(lang, "B = base64 (RFC 2047 §4.1)") } else { tr(lang, "Q = quoted-printable-like (RFC 2047 §4.2)") } }</li>
                        <li>{ tr(lang, "encoded text") }{": "}<code class="wrap">{ &s.encoded_text }</code></li>
                        <li>{ tr(lang, "bytes (hex)") }{": "}<code class="hex">{ &s.bytes_hex }</code></li>
                        <li>{ trf(lang, "Read as {charset}: ", &[("charset", &s.charset)]) }<strong class="demo-text">{ &s.text }</strong></li>
                    </ol>
                }) }
                <p>{ tr(lang, "Decoded header text: ") }<strong id={scoped(props.run, "learn-decoded")}>{ &w.text }</strong></p>
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
        DemoView::Dkim(demo) => html! { <DkimPanel demo={*demo} run={props.run} /> },
        DemoView::Alignment(demo) => html! { <AlignmentPanel demo={*demo} run={props.run} /> },
        DemoView::Received(list) => html! {
            if list.is_empty() {
                <p class="muted">{ tr(lang, "The server accepted no message.") }</p>
            } else {
                <ul class="demo-received">
                    { for list.iter().map(|(id, size)| html! { <li>{ trf(lang, "Accepted as {id}: {size} bytes", &[("id", id), ("size", size)]) }</li> }) }
                </ul>
            }
        },
        DemoView::Answered(list) => html! {
            if list.is_empty() {
                <p class="muted">{ tr(lang, "No message was sent yet.") }</p>
            } else {
                <ul class="demo-received">
                    { for list.iter().map(|a| html! {
                        <li>{ trf(lang, "{octets} bytes sent; the server answered {code} {text}", &[("octets", &a.octets), ("code", &a.code), ("text", &a.text)]) }</li>
                    }) }
                </ul>
                if list.iter().any(|a| (200..300).contains(&a.code)) {
                    <p class="muted">{ tr(lang, "The sandbox keeps what it accepts:") }{" "}<a href="#/mailbox" id={scoped(props.run, "demo-mailbox-link")}>{ tr(lang, "see it in the Mailbox") }</a></p>
                }
            }
        },
    };
    html! {
        <aside class="demo panel" aria-label={tr(lang, "What the core computes")}>
            <h4>{ tr(lang, "Under the hood") }</h4>
            { body }
        </aside>
    }
}
