//! The reply inspector: paste a server reply, see how the core reads it.

use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use crate::state::reply_tool::{class_meaning, read_reply, ReplyReading};

/// A text area and the parsed reply.
#[function_component(ReplyTool)]
pub fn reply_tool() -> Html {
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
            <label for="reply-input"><h3>{"SMTP reply"}</h3></label>
            <textarea id="reply-input" rows="5" spellcheck="false" value={(*text).clone()} {oninput} />
            <div class="tool-output" id="reply-output">
                { render_reading(&reading) }
            </div>
        </div>
    }
}

fn render_reading(reading: &ReplyReading) -> Html {
    match reading {
        ReplyReading::Empty => {
            html! { <p class="muted">{"Type or paste a reply, one line per line."}</p> }
        }
        ReplyReading::Incomplete => html! {
            <p class="warn">{"Incomplete: the last line starts with ddd- (more lines follow). A reply ends with a line of the form ddd SP text."}</p>
        },
        ReplyReading::Invalid(message) => html! { <p class="error">{ message }</p> },
        ReplyReading::Reply { reply, rest } => html! {
            <>
                <p><strong class="reply-code">{ reply.code }</strong>{" — "}{ class_meaning(reply.class()) }</p>
                <ol class="reply-lines">
                    { for reply.lines.iter().map(|line| html! { <li><code>{ &line.text }</code></li> }) }
                </ol>
                { for reply.lints.iter().map(|lint| html! {
                    <p class={classes!("lint", lint.severity.as_str())}>
                        <code>{ &*lint.code }</code>{" "}{ &lint.message }{" ("}{ &*lint.reference }{")"}
                    </p>
                }) }
                if *rest > 0 {
                    <p class="muted">{ format!("{rest} more bytes follow the reply.") }</p>
                }
            </>
        },
    }
}
