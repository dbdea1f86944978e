//! A part's header fields, raw and decoded side by side, with every encoded-word explained.

use mailscope_core::mime::encoded_word::WordExplanation;
use yew::prelude::*;

use crate::state::message::Action;
use crate::state::message_inspect::{hex_bytes, Doc, Node};

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

fn encoding_name(letter: &str) -> &'static str {
    match letter {
        "B" => "B: base64 (RFC 2047 §4.1)",
        "Q" => "Q: quoted-printable, _ is a space (RFC 2047 §4.2)",
        _ => "unknown encoding (RFC 2047 §4)",
    }
}

fn explain(w: &WordExplanation, input: &[u8]) -> Html {
    html! {
        <li class="word">
            <code class="word-raw">{ String::from_utf8_lossy(w.span.slice(input)).into_owned() }</code>
            <ol class="steps">
                <li>{"Charset: "}<strong>{ &w.charset }</strong>
                    if let Some(l) = &w.language { { format!(" (language {l}, RFC 2231 §5)") } }</li>
                <li>{"Encoding: "}{ encoding_name(&w.encoding) }</li>
                <li>{"Encoded text: "}<code>{ &w.encoded_text }</code></li>
                <li>{ format!("Bytes ({}): ", w.raw_bytes.len()) }<code class="hex">{ hex_bytes(&w.raw_bytes) }</code></li>
                <li>{"Text: "}<strong class="word-text">{ &w.text }</strong>
                    if !w.decoded { <span class="warn">{" (not decoded: left as written)"}</span> }
                    if w.joined { <span class="muted">{" (whitespace before it dropped: adjacent encoded-words, RFC 2047 §6.2)"}</span> }
                </li>
            </ol>
        </li>
    }
}

/// The header table of one part.
#[function_component(HeadersTable)]
pub fn headers_table(props: &HeadersTableProps) -> Html {
    let Some(part) = props.doc.parts.get(props.part) else {
        return html! {};
    };
    let title = if part.section.is_empty() {
        "Message header".to_string()
    } else {
        format!("Header of part {}", part.section)
    };
    html! {
        <section class="headers" aria-label={title.clone()}>
            <h4>{ title }</h4>
            if part.fields.is_empty() {
                <p class="muted">{"No header fields (the defaults of RFC 2045 apply)."}</p>
            } else {
                <table class="headers-table">
                    <thead><tr><th scope="col">{"Field"}</th><th scope="col">{"Raw"}</th><th scope="col">{"Decoded"}</th></tr></thead>
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
                                    <td class="decoded">{ &f.decoded }</td>
                                </tr>
                                if !f.words.is_empty() {
                                    <tr class="words-row">
                                        <td colspan="3">
                                            <details open={current || f.words.len() <= 3}>
                                                <summary>{ format!("{} encoded-word{} explained", f.words.len(), if f.words.len() == 1 { "" } else { "s" }) }</summary>
                                                <ol class="words">{ for f.words.iter().map(|w| explain(w, &props.doc.input)) }</ol>
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
