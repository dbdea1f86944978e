//! The annotated transcript: one entry per command, reply or message, as the core reads it.

use std::rc::Rc;

use mailscope_core::lint::Lint;
use mailscope_core::smtp::transcript::Direction;
use yew::prelude::*;

use crate::state::session::{Note, NoteKind};
use crate::state::transcript::{direction_marker, Row};

/// Properties of [`TranscriptTable`].
#[derive(Properties, PartialEq)]
pub struct TranscriptTableProps {
    /// Element id.
    pub id: AttrValue,
    /// The rows.
    pub rows: Rc<Vec<Row>>,
    /// Findings about the whole dialogue.
    #[prop_or_default]
    pub lints: Vec<Lint>,
}

fn lint_view(lint: &Lint) -> Html {
    html! {
        <li class={classes!("lint", lint.severity.as_str())}>
            <code class="lint-code">{ lint.code.to_string() }</code>{" "}{ &lint.message }
            if !lint.message.contains(&*lint.reference) {
                <span class="muted">{" ("}{ lint.reference.to_string() }{")"}</span>
            }
        </li>
    }
}

/// The transcript pane.
#[function_component(TranscriptTable)]
pub fn transcript_table(props: &TranscriptTableProps) -> Html {
    html! {
        <>
            <ol class="transcript" id={props.id.clone()}>
                { for props.rows.iter().map(|row| {
                    let side = match row.direction { Direction::Client => "client", Direction::Server => "server" };
                    html! {
                        <li class={classes!("entry", side)}>
                            <div class="entry-head">
                                <span class="dir">{ direction_marker(row.direction) }</span>
                                if let Some(t) = row.at_ms { <span class="time">{ format!("+{t} ms") }</span> }
                                <span class="kind">{ &row.kind }</span>
                                <span class="state" title="session state before → after">{ &row.state }</span>
                                if row.tls { <span class="badge">{"TLS"}</span> }
                            </div>
                            <pre class="wire">{ wire_view(&row.wire) }</pre>
                            <details class="explain">
                                <summary>{ &row.explanation }</summary>
                                <ul>{ for row.details.iter().map(|d| html! { <li>{ d }</li> }) }</ul>
                            </details>
                            if !row.lints.is_empty() {
                                <ul class="lints">{ for row.lints.iter().map(lint_view) }</ul>
                            }
                        </li>
                    }
                }) }
            </ol>
            if !props.lints.is_empty() {
                <div class="dialogue-lints">
                    <h4>{"About the whole dialogue"}</h4>
                    <ul class="lints">{ for props.lints.iter().map(lint_view) }</ul>
                </div>
            }
        </>
    }
}

/// Properties of [`NoteList`].
#[derive(Properties, PartialEq)]
pub struct NoteListProps {
    /// The notes.
    pub notes: Vec<Note>,
}

/// What the sessions reported besides the wire lines.
#[function_component(NoteList)]
pub fn note_list(props: &NoteListProps) -> Html {
    if props.notes.is_empty() {
        return html! {};
    }
    html! {
        <div class="notes">
            <h4>{"Session events"}</h4>
            <ul id="session-notes">
                { for props.notes.iter().map(|n| html! {
                    <li class={classes!(if n.kind == NoteKind::Error { "error" } else { "muted" })}>
                        { format!("+{} ms {}: {}", n.at_ms, n.side, n.text) }
                    </li>
                }) }
            </ul>
        </div>
    }
}

/// Renders text from [`crate::state::transcript::visible_wire`] with the `␍`/`␊` markers as
/// small `CR`/`LF` badges (the Control Pictures glyphs are missing from many system fonts).
pub fn wire_view(text: &str) -> Html {
    let mut parts: Vec<Html> = Vec::new();
    let mut plain = String::new();
    for ch in text.chars() {
        let eol = match ch {
            '␍' => Some(("CR", "carriage return")),
            '␊' => Some(("LF", "line feed")),
            _ => None,
        };
        match eol {
            Some((label, title)) => {
                if !plain.is_empty() {
                    parts.push(html! { { std::mem::take(&mut plain) } });
                }
                parts.push(html! { <span class="eol" {title}>{ label }</span> });
            }
            None => plain.push(ch),
        }
    }
    if !plain.is_empty() {
        parts.push(html! { { plain } });
    }
    html! { <>{ for parts }</> }
}
