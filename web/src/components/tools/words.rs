//! RFC 2047 encoded-words, both ways, step by step.

use yew::prelude::*;

use crate::components::session::field::{Check, Field};
use crate::state::tools::{decode_words, encode_words, WordsReading};

fn steps(reading: &WordsReading) -> Html {
    html! {
        <>
            if !reading.words.is_empty() {
                <table class="steps">
                    <thead><tr><th>{"word"}</th><th>{"charset"}</th><th>{"encoding"}</th><th>{"encoded text"}</th><th>{"bytes (hex)"}</th><th>{"text"}</th></tr></thead>
                    <tbody>
                        { for reading.words.iter().map(|w| html! {
                            <tr class={classes!((!w.decoded).then_some("error"))}>
                                <td><code>{ &w.word }</code></td>
                                <td>{ &w.charset }</td>
                                <td>{ &w.encoding }</td>
                                <td><code>{ &w.encoded_text }</code></td>
                                <td><code class="hex">{ &w.bytes_hex }</code></td>
                                <td>{ &w.text }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
            <ul class="lints">
                { for reading.lints.iter().map(|l| html! {
                    <li class={classes!("lint", l.severity.as_str())}><code class="lint-code">{ l.code.to_string() }</code>{" "}{ &l.message }</li>
                }) }
            </ul>
        </>
    }
}

/// Decode a header text, or encode text in a charset.
#[function_component(WordsTool)]
pub fn words_tool() -> Html {
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
            <Field id="words-input" label="Decode a header (Subject) text" value={(*input).clone()} oninput={set(&input)} />
            <p>{"Text: "}<strong id="words-output">{ &decoded.text }</strong></p>
            { steps(&decoded) }
            <div class="inline-fields">
                <Field id="words-plain" label="Encode text" value={(*plain).clone()} oninput={set(&plain)} />
                <Field id="words-charset" label="Charset" value={(*charset).clone()} oninput={set(&charset)} />
                <Check id="words-b" label="B (base64); off: Q" checked={*b} onchange={on_b} />
            </div>
            { match &encoded {
                Ok(r) => html! { <><p><code id="words-encoded" class="wrap">{ &r.text }</code></p>{ steps(r) }</> },
                Err(e) => html! { <p class="error">{ e }</p> },
            } }
        </div>
    }
}
