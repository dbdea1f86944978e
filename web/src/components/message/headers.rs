//! A part's header fields, raw and decoded side by side, with every encoded-word explained.

use mailscope_core::mime::encoded_word::WordExplanation;
use yew::prelude::*;

use crate::components::i18n::use_lang;
use crate::state::i18n::{tr, trf, Lang};
use crate::state::message::inspect::{hex_bytes, Doc, Node};
use crate::state::message::Action;

/// Properties of [`HeadersTable`].
#[derive(Properties, PartialEq)]
pub struct HeadersTableProps {
    /// The message.
    pub doc: Doc,
    /// The part whose header is shown.
    pub part: usize,
    /// The selected field, if any.
    pub selected: Option<usize>,
    /// Where actions go.
    pub dispatch: Callback<Action>,
}

fn encoding_name(lang: Lang, letter: &str) -> &'static str {
    match letter {
        "B" => tr(lang, "B: base64 (RFC 2047 §4.1)"),
        "Q" => tr(lang, "Q: quoted-printable, _ is a space (RFC 2047 §4.2)"),
        _ => tr(lang, "unknown encoding (RFC 2047 §4)"),
    }
}

fn explain(lang: Lang, w: &WordExplanation, input: &[u8]) -> Html {
    html! {
        <li class="word">
            <code class="word-raw">{ String::from_utf8_lossy(w.span.slice(input)).into_owned() }</code>
            <ol class="steps">
                <li>{ tr(lang, "Charset: ") }<strong>{ &w.charset }</strong>
                    if let Some(l) = &w.language { { trf(lang, " (language {l}, RFC 2231 §5)", &[("l", l)]) } }</li>
                <li>{ tr(lang, "Encoding: ") }{ encoding_name(lang, &w.encoding) }</li>
                <li>{ tr(lang, "Encoded text: ") }<code>{ &w.encoded_text }</code></li>
                <li>{ trf(lang, "Bytes ({n}): ", &[("n", &w.raw_bytes.len())]) }<code class="hex">{ hex_bytes(&w.raw_bytes) }</code></li>
                <li>{ tr(lang, "Text: ") }<strong class="word-text" data-data="">{ &w.text }</strong>
                    if !w.decoded { <span class="warn">{ tr(lang, " (not decoded: left as written)") }</span> }
                    if w.joined { <span class="muted">{ tr(lang, " (whitespace before it dropped: adjacent encoded-words, RFC 2047 §6.2)") }</span> }
                </li>
            </ol>
        </li>
    }
}

/// The header table of one part.
#[function_component(HeadersTable)]
pub fn headers_table(props: &HeadersTableProps) -> Html {
    let lang = use_lang();
    let Some(part) = props.doc.parts.get(props.part) else {
        return html! {};
    };
    let title = if part.section.is_empty() {
        tr(lang, "Message header").to_string()
    } else {
        trf(
            lang,
            "Header of part {section}",
            &[("section", &part.section)],
        )
    };
    html! {
        <section class="headers" aria-label={title.clone()}>
            <h4>{ title }</h4>
            if part.fields.is_empty() {
                <p class="muted">{ tr(lang, "No header fields (the defaults of RFC 2045 apply).") }</p>
            } else {
                <table class="headers-table">
                    <thead><tr><th scope="col">{ tr(lang, "Field") }</th><th scope="col">{ tr(lang, "Raw") }</th><th scope="col">{ tr(lang, "Decoded") }</th></tr></thead>
                    <tbody>
                        { for part.fields.iter().enumerate().map(|(i, f)| {
                            let dispatch = props.dispatch.clone();
                            let node = Node::Field { part: props.part, field: i };
                            let onclick = Callback::from(move |_| dispatch.emit(Action::Select(Some(node))));
                            let current = props.selected == Some(i);
                            html! {
                                <>
                                <tr class={classes!(current.then_some("selected"))}>
                                    <th scope="row">
                                        <button type="button" class="field-name" aria-pressed={current.to_string()} {onclick}>{ &f.name }</button>
                                    </th>
                                    <td><pre class="raw">{ &f.raw }</pre></td>
                                    <td class="decoded" data-data="">{ &f.decoded }</td>
                                </tr>
                                if !f.words.is_empty() {
                                    <tr class="words-row">
                                        <td colspan="3">
                                            <details open={current || f.words.len() <= 3}>
                                                <summary>{ trf(lang, "Encoded-words explained: {n}", &[("n", &f.words.len())]) }</summary>
                                                <ol class="words">{ for f.words.iter().map(|w| explain(lang, w, &props.doc.input)) }</ol>
                                            </details>
                                        </td>
                                    </tr>
                                }
                                </>
                            }
                        }) }
                    </tbody>
                </table>
            }
        </section>
    }
}
