//! The reply inspector: paste a server reply, see how the core reads it.

use mailscope_core::i18n::code_explanation;
use mailscope_core::smtp::reply::explain_code;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use crate::components::error::ErrorNote;
use crate::components::i18n::{use_lang, LintItem};
use crate::state::error::Shown;
use crate::state::i18n::{tr, trf, Lang};
use crate::state::tools::reply::{read_reply, ReplyReading};

/// A text area and the parsed reply.
#[function_component(ReplyTool)]
pub fn reply_tool() -> Html {
    let lang = use_lang();
    let text = use_state(|| String::from("250-mx.example.org Hello\n250-PIPELINING\n250 8BITMIME"));
    let oninput = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            text.set(area.value());
        })
    };
    let reading = read_reply(&text);
    html! {
        <div class="tool">
            <label for="reply-input"><h3>{ tr(lang, "SMTP reply") }</h3></label>
            <textarea id="reply-input" rows="5" spellcheck="false" value={(*text).clone()} {oninput} />
            <div class="tool-output" id="reply-output">
                { render_reading(lang, &reading) }
            </div>
        </div>
    }
}

fn render_reading(lang: Lang, reading: &ReplyReading) -> Html {
    match reading {
        ReplyReading::Empty => {
            html! { <p class="muted">{ tr(lang, "Type or paste a reply, one line per line.") }</p> }
        }
        ReplyReading::Incomplete => html! {
            <p class="warn">{ tr(lang, "Incomplete: the last line starts with ddd- (more lines follow). A reply ends with a line of the form ddd SP text.") }</p>
        },
        ReplyReading::Invalid(e) => html! { <ErrorNote error={Shown::of(e, lang)} /> },
        ReplyReading::Reply { reply, rest } => html! {
            <>
                <p><strong class="reply-code">{ reply.code }</strong>{" — "}{ code_explanation(lang, &explain_code(reply.code)) }</p>
                <ol class="reply-lines">
                    { for reply.lines.iter().map(|line| html! { <li><code>{ &line.text }</code></li> }) }
                </ol>
                if !reply.lints.is_empty() {
                    <ul class="lints">{ for reply.lints.iter().map(|l| html! { <LintItem lint={l.clone()} /> }) }</ul>
                }
                if *rest > 0 {
                    <p class="muted">{ trf(lang, "{rest} more bytes follow the reply.", &[("rest", rest)]) }</p>
                }
            </>
        },
    }
}
