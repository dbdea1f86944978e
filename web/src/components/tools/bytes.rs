//! base64, dot-stuffing, AUTH payloads and status-code lookup.

use yew::prelude::*;

use mailscope_core::i18n::{explain, message};

use crate::components::error::ErrorNote;
use crate::components::i18n::{use_lang, LintItem};
use crate::components::session::field::{Check, Field};
use crate::components::transcript::table::wire_view;
use crate::state::error::Shown;
use crate::state::i18n::{tr, trf};
use crate::state::tools::bytes::{
    base64_decode, base64_encode, bytes_view, decode_auth, decode_body, dot_stuffing, encode_qp,
    lookup_codes,
};
use crate::state::tools::MAX_OUTPUT_CHARS;
use crate::state::transcript::visible_wire;

#[hook]
fn use_text(initial: &'static str) -> (String, Callback<String>) {
    let h = use_state(|| initial.to_string());
    let set = {
        let h = h.clone();
        Callback::from(move |v: String| h.set(v))
    };
    ((*h).clone(), set)
}

/// base64 both ways.
#[function_component(Base64Tool)]
pub fn base64_tool() -> Html {
    let lang = use_lang();
    let (plain, set_plain) = use_text("한국어 text");
    let (encoded, set_encoded) = use_text("7ZWc6rWt7Ja0IHRleHQ=");
    let (charset, set_charset) = use_text("UTF-8");
    html! {
        <div class="tool panel">
            <h3>{"base64 (RFC 4648, RFC 2045 §6.8)"}</h3>
            <Field id="b64-plain" label={tr(lang, "Text (UTF-8) to encode")} value={plain.clone()} oninput={set_plain} />
            <p><code id="b64-encoded" class="wrap">{ base64_encode(&plain) }</code></p>
            <Field id="b64-input" label={tr(lang, "base64 to decode")} value={encoded.clone()} oninput={set_encoded} />
            <Field id="b64-charset" label={tr(lang, "Read the decoded bytes as (charset)")} value={charset.clone()} oninput={set_charset} />
            { match base64_decode(&encoded, &charset) {
                Ok((v, text)) => html! { <>
                    { match text {
                        Ok(t) => html! { <>
                            <pre class="wire" id="b64-decoded">{ wire_view(&visible_wire(t.text.as_bytes(), MAX_OUTPUT_CHARS)) }</pre>
                            if t.had_errors {
                                <p class="lint warning" id="b64-charset-errors">{ trf(lang, "Some bytes are not valid {charset}: they show as �. Try another charset.", &[("charset", &t.encoding)]) }</p>
                            }
                        </> },
                        Err(e) => html! { <ErrorNote error={Shown::of(&e, lang)} /> },
                    } }
                    <p class="muted">{ trf(lang, "{n} bytes: ", &[("n", &v.len)]) }<code class="hex">{ v.hex }</code></p>
                </> },
                Err(e) => html! { <ErrorNote error={Shown::of(&e, lang)} /> },
            } }
        </div>
    }
}

/// Body transfer decoding: quoted-printable or base64, with the defects the core finds.
#[function_component(TransferTool)]
pub fn transfer_tool() -> Html {
    let lang = use_lang();
    let (text, set_text) = use_text("Caf=C3=A9 au lait, =\nsoft break, lowercase =c3=a9");
    let qp = use_state(|| true);
    let on_qp = {
        let qp = qp.clone();
        Callback::from(move |on: bool| qp.set(on))
    };
    let d = decode_body(&text, *qp);
    let (plain, set_plain) = use_text("Grüße aus Seoul — 안녕하세요. A line long enough to need a soft line break at seventy-six columns.");
    html! {
        <div class="tool panel">
            <h3>{"Content-Transfer-Encoding (RFC 2045 §6.7, §6.8)"}</h3>
            <Field id="cte-input" label={tr(lang, "Encoded body")} rows={4} value={text.clone()} oninput={set_text} />
            <Check id="cte-qp" label={tr(lang, "quoted-printable (off: base64)")} checked={*qp} onchange={on_qp} />
            <pre class="wire" id="cte-output">{ wire_view(&d.bytes.text) }</pre>
            <p class="muted">{ trf(lang, "{n} bytes: ", &[("n", &d.bytes.len)]) }<code class="hex">{ d.bytes.hex.clone() }</code></p>
            <ul class="lints">
                { for d.defects.iter().map(|x| html! { <li class="lint warning">{ trf(lang, "bytes {a}–{b}: {what}", &[("a", &x.span.start), ("b", &x.span.end), ("what", &message(lang, &x.kind.message()))]) }</li> }) }
                if d.suppressed > 0 { <li class="lint warning">{ trf(lang, "… and {n} more defects", &[("n", &d.suppressed)]) }</li> }
            </ul>
            <Field id="qp-plain" label={tr(lang, "Text (UTF-8) to encode as quoted-printable")} rows={3} value={plain.clone()} oninput={set_plain} />
            <pre class="wire" id="qp-encoded">{ wire_view(&bytes_view(encode_qp(&plain).as_bytes()).text) }</pre>
        </div>
    }
}

/// Dot-stuffing as a client does it after 354.
#[function_component(DotTool)]
pub fn dot_tool() -> Html {
    let lang = use_lang();
    let (text, set_text) = use_text("Subject: dots\n\n.hidden line\n..two dots\n.\nend\n");
    let s = dot_stuffing(&text);
    html! {
        <div class="tool panel">
            <h3>{ tr(lang, "Dot-stuffing (RFC 5321 §4.5.2)") }</h3>
            <Field id="dot-input" label={tr(lang, "Message text")} rows={5} value={text.clone()} oninput={set_text} />
            <p class="muted">{ trf(lang, "On the wire after 354 ({n} bare line endings made CRLF):", &[("n", &s.changes)]) }</p>
            <pre class="wire" id="dot-output">{ wire_view(&s.wire) }</pre>
            <p class="muted">{ tr(lang, "Read back by the server (unstuffed):") }</p>
            <pre class="wire">{ wire_view(&s.unstuffed) }</pre>
        </div>
    }
}

/// Decode a captured AUTH exchange.
#[function_component(AuthTool)]
pub fn auth_tool() -> Html {
    let lang = use_lang();
    let (text, set_text) =
        use_text("AUTH LOGIN\n334 VXNlcm5hbWU6\nYWxpY2U=\n334 UGFzc3dvcmQ6\nd29uZGVybGFuZA==");
    html! {
        <div class="tool panel">
            <h3>{ tr(lang, "AUTH payload decoder (RFC 4954, RFC 4616)") }</h3>
            <Field id="auth-input" label={tr(lang, "AUTH line (or a bare base64 payload), then 334 challenges and answers")} rows={5} value={text.clone()} oninput={set_text} />
            { match decode_auth(&text) {
                Ok(d) => html! {
                    <dl class="kv" id="auth-output">
                        <dt>{ tr(lang, "mechanism") }</dt><dd data-data="">{ &d.mechanism }</dd>
                        if let Some(v) = &d.authzid { <dt>{"authzid"}</dt><dd data-data={(!v.is_empty()).then_some("")}>{ if v.is_empty() { tr(lang, "(empty: same as user)").to_string() } else { v.clone() } }</dd> }
                        if let Some(v) = &d.authcid { <dt>{ tr(lang, "user") }</dt><dd data-data="">{ v }</dd> }
                        if let Some(v) = &d.password { <dt>{ tr(lang, "password") }</dt><dd data-data="">{ v }</dd> }
                        if !d.challenges.is_empty() { <dt>{ tr(lang, "challenges") }</dt><dd data-data="">{ d.challenges.join(" · ") }</dd> }
                        if let Some(v) = &d.digest { <dt>{ tr(lang, "digest") }</dt><dd><code>{ v }</code></dd> }
                        if let Some(v) = &d.token { <dt>{ tr(lang, "token") }</dt><dd><code>{ v }</code></dd> }
                        if d.cancelled { <dt>{ tr(lang, "cancelled") }</dt><dd>{ tr(lang, "the client sent *") }</dd> }
                        </dl>
                },
                Err(e) => html! { <ErrorNote error={Shown::of(&e, lang)} /> },
            } }
            if let Ok(d) = decode_auth(&text) {
                <ul class="lints">{ for d.lints.iter().map(|l| html! { <LintItem lint={l.clone()} /> }) }</ul>
            }
        </div>
    }
}

/// Reply code and enhanced status code lookup.
#[function_component(CodeTool)]
pub fn code_tool() -> Html {
    let lang = use_lang();
    let (text, set_text) = use_text("550 5.1.1");
    let l = lookup_codes(&text);
    html! {
        <div class="tool panel">
            <h3>{ tr(lang, "Reply and enhanced status codes (RFC 5321 §4.2, RFC 3463)") }</h3>
            <Field id="code-input" label={tr(lang, "A reply code, an enhanced code, or both")} value={text.clone()} oninput={set_text} />
            <ul id="code-output">
                if let Some(r) = &l.reply { <li>{ explain(lang, r) }</li> }
                if let Some(e) = &l.enhanced { <li>{ explain(lang, e) }</li> }
                if l.reply.is_none() && l.enhanced.is_none() { <li class="muted">{ tr(lang, "Type 250, 4.7.1 or 550 5.1.1.") }</li> }
            </ul>
        </div>
    }
}
