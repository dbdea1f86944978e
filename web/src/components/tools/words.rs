//! RFC 2047 encoded-words, both ways, step by step.

use yew::prelude::*;

use crate::components::i18n::{use_lang, LintItem};
use crate::components::session::field::{Check, Field};
use crate::state::i18n::{tr, trf, Lang};
use crate::state::tools::{decode_words, encode_words, WordsReading};

fn steps(lang: Lang, reading: &WordsReading) -> Html {
    html! {
        <>
            { for reading.words.iter().map(|w| html! {
                <dl class={classes!("kv", "word-steps", (!w.decoded).then_some("error"))}>
                    <dt>{ tr(lang, "word") }</dt><dd><code class="wrap">{ &w.word }</code></dd>
                    <dt>{ tr(lang, "charset") }</dt><dd>{ &w.charset }</dd>
                    <dt>{ tr(lang, "encoding") }</dt><dd>{ if w.encoding.eq_ignore_ascii_case("B") { tr(lang, "B = base64 (RFC 2047 §4.1)") } else { tr(lang, "Q = quoted-printable-like (RFC 2047 §4.2)") } }</dd>
                    <dt>{ tr(lang, "encoded text") }</dt><dd><code class="wrap">{ &w.encoded_text }</code></dd>
                    <dt>{ tr(lang, "bytes (hex)") }</dt><dd><code class="hex">{ &w.bytes_hex }</code></dd>
                    <dt>{ tr(lang, "text") }</dt><dd>{ if w.decoded { w.text.clone() } else { trf(lang, "{text} (not decoded)", &[("text", &w.text)]) } }</dd>
                </dl>
            }) }
            <ul class="lints">
                { for reading.lints.iter().map(|l| html! { <LintItem lint={l.clone()} /> }) }
            </ul>
        </>
    }
}

/// Decode a header text, or encode text in a charset.
#[function_component(WordsTool)]
pub fn words_tool() -> Html {
    let lang = use_lang();
    let input = use_state(|| "=?EUC-KR?B?x9GxuSDH0bHbIMXXvbrGrg==?=".to_string());
    let plain = use_state(|| "안녕하세요, 世界".to_string());
    let charset = use_state(|| "UTF-8".to_string());
    let b = use_state(|| true);
    let set = |h: &UseStateHandle<String>| {
        let h = h.clone();
        Callback::from(move |v: String| h.set(v))
    };
    let decoded = decode_words(&input);
    let encoded = encode_words(&plain, &charset, *b);
    let on_b = {
        let b = b.clone();
        Callback::from(move |on: bool| b.set(on))
    };
    html! {
        <div class="tool panel">
            <h3>{"Encoded-words (RFC 2047)"}</h3>
            <Field id="words-input" label={tr(lang, "Decode a header (Subject) text")} value={(*input).clone()} oninput={set(&input)} />
            <p>{ tr(lang, "text") }{": "}<strong id="words-output">{ &decoded.text }</strong></p>
            { steps(lang, &decoded) }
            <div class="inline-fields">
                <Field id="words-plain" label={tr(lang, "Encode text")} value={(*plain).clone()} oninput={set(&plain)} />
                <Field id="words-charset" label={tr(lang, "Charset")} value={(*charset).clone()} oninput={set(&charset)} />
                <Check id="words-b" label={tr(lang, "B (base64); off: Q")} checked={*b} onchange={on_b} />
            </div>
            { match &encoded {
                Ok(r) => html! { <><p><code id="words-encoded" class="wrap">{ &r.text }</code></p>{ steps(lang, r) }</> },
                Err(e) => html! { <p class="error">{ e }</p> },
            } }
        </div>
    }
}
