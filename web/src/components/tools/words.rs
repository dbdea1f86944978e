//! RFC 2047 encoded-words, both ways, step by step.

use yew::prelude::*;

use crate::components::error::ErrorNote;
use crate::components::i18n::{use_lang, LintItem};
use crate::components::session::field::{Check, Field};
use crate::services::worker;
use crate::state::error::{Shown, UserError};
use crate::state::i18n::{tr, trf, Lang};
use crate::state::tools::words::{
    decode_words, EncodeAction, EncodeOutcome, WordsEncoder, WordsReading,
};

/// The encoder's state in Yew's reducer hook.
#[derive(Debug, Clone, PartialEq, Default)]
struct Encoder(WordsEncoder);

impl Reducible for Encoder {
    type Action = EncodeAction;

    fn reduce(self: std::rc::Rc<Self>, action: EncodeAction) -> std::rc::Rc<Self> {
        let mut next = std::rc::Rc::unwrap_or_clone(self);
        next.0.reduce(action);
        std::rc::Rc::new(next)
    }
}

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
    let encoder = use_reducer(Encoder::default);
    let set = |h: &UseStateHandle<String>| {
        let h = h.clone();
        Callback::from(move |v: String| h.set(v))
    };
    let decoded = decode_words(&input);
    {
        // Charsets this build of the page cannot encode go to the worker.
        let d = encoder.dispatcher();
        use_effect_with(encoder.0.worker_request(), move |ask| {
            if let Some(ask) = ask.clone() {
                yew::platform::spawn_local(async move {
                    let result = worker::encode(&ask.text, &ask.charset, ask.b).await;
                    d.dispatch(EncodeAction::WorkerAnswer {
                        request: ask.request,
                        result: result.map_err(|e| e.what(lang)),
                    })
                });
            }
        });
    }
    let act = |f: fn(String) -> EncodeAction| encoder.dispatcher().to_callback().reform(f);
    let on_b = encoder
        .dispatcher()
        .to_callback()
        .reform(EncodeAction::SetB);
    let e = &encoder.0;
    html! {
        <div class="tool panel">
            <h3>{ tr(lang, "Encoded-words (RFC 2047)") }</h3>
            <Field id="words-input" label={tr(lang, "Decode a header (Subject) text")} value={(*input).clone()} oninput={set(&input)} />
            <p>{ tr(lang, "text") }{": "}<strong id="words-output">{ &decoded.text }</strong></p>
            { steps(lang, &decoded) }
            <div class="inline-fields">
                <Field id="words-plain" label={tr(lang, "Encode text")} value={e.text.clone()} oninput={act(EncodeAction::SetText)} />
                <Field id="words-charset" label={tr(lang, "Charset")} value={e.charset.clone()} oninput={act(EncodeAction::SetCharset)} />
                <Check id="words-b" label={tr(lang, "B (base64); off: Q")} checked={e.b} onchange={on_b} />
            </div>
            { match &e.outcome {
                EncodeOutcome::Done(r) => html! { <><p><code id="words-encoded" class="wrap">{ &r.text }</code></p>{ steps(lang, r) }</> },
                EncodeOutcome::InWorker { .. } => html! { <p class="muted" id="words-encoding" role="status">{ tr(lang, "encoding in the worker…") }</p> },
                EncodeOutcome::Failed(e) => html! { <ErrorNote id="words-error" error={Shown::of(e, lang)} /> },
            } }
        </div>
    }
}

/// The browser tests build the web crate without `browser-charsets`, so the page links
/// encoding_rs's tables and encodes EUC-KR itself. The page's release build (with the feature)
/// asks the parse worker instead; that path is tested in `state::tools`
/// (`the_encoder_asks_the_worker_for_charsets_the_page_lacks`).
#[cfg(all(test, target_arch = "wasm32", not(feature = "browser-charsets")))]
mod tests {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;
    use crate::components::test_support::{mount, wait_text};

    fn type_into(root: &web_sys::Element, css: &str, value: &str) {
        let input: web_sys::HtmlInputElement = root
            .query_selector(css)
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into().ok())
            .expect("input");
        input.set_value(value);
        let event = web_sys::InputEvent::new("input").expect("event");
        let _ = input.dispatch_event(&event);
    }

    #[wasm_bindgen_test]
    async fn legacy_charsets_encode_on_the_page() {
        let root = mount::<WordsTool>();
        wait_text(&root, "#words-encoded", |t| t.starts_with("=?UTF-8?B?")).await;
        type_into(&root, "#words-plain", "안녕");
        type_into(&root, "#words-charset", "EUC-KR");
        // The decoder above shows an EUC-KR sample, so only the encoder's own output counts.
        let shown = wait_text(&root, ".tool.panel", |t| {
            t.contains("encoding in the worker") || t.contains("=?EUC-KR?B?vsiz")
        })
        .await;
        assert!(
            !shown.contains("encoding in the worker"),
            "encoded on the page: {shown}"
        );
        let encoded = wait_text(&root, "#words-encoded", |t| t.starts_with("=?EUC-KR?")).await;
        assert_eq!(encoded, "=?EUC-KR?B?vsiz5w==?=");
        type_into(&root, "#words-charset", "UTF-8");
        wait_text(&root, "#words-encoded", |t| t == "=?UTF-8?B?7JWI64WV?=").await;
        root.remove();
    }
}
