//! The raw source, a window of lines at a time, with the selection highlighted. Clicking a
//! byte selects the node that holds it.

use mailscope_core::span::Span;
use yew::prelude::*;

use crate::state::message::{Action, SOURCE_WINDOW};
use crate::state::message_inspect::{line_segments, Doc, SegmentKind};

/// Properties of [`SourceView`].
#[derive(Properties, PartialEq)]
pub struct SourceViewProps {
    /// The message.
    pub doc: Doc,
    /// The span to highlight.
    pub highlight: Option<Span>,
    /// First line shown.
    pub top: usize,
    /// Where actions go.
    pub dispatch: Callback<Action>,
}

/// The source window.
#[function_component(SourceView)]
pub fn source_view(props: &SourceViewProps) -> Html {
    let doc = &props.doc;
    let total = doc.line_count();
    let top = props.top.min(total.saturating_sub(1));
    let bottom = (top + SOURCE_WINDOW).min(total);
    let go = |line: usize, label: &str, disabled: bool| {
        let dispatch = props.dispatch.clone();
        html! {
            <button type="button" {disabled} onclick={Callback::from(move |_| dispatch.emit(Action::ScrollSource(line)))}>{ label }</button>
        }
    };
    let page = SOURCE_WINDOW;
    html! {
        <section class="source" aria-label="Raw source">
            <div class="toolbar">
                <h4>{"Source"}</h4>
                <span class="muted">{ format!("lines {}–{} of {}", top + 1, bottom, total) }</span>
                { go(0, "First", top == 0) }
                { go(top.saturating_sub(page), "Previous", top == 0) }
                { go(top + page, "Next", bottom >= total) }
                { go(total.saturating_sub(page), "Last", bottom >= total) }
                if let Some(h) = props.highlight {
                    <span class="muted">{ format!("selected: bytes {}–{} ({} bytes)", h.start, h.end, h.len()) }</span>
                }
            </div>
            <pre class="src-view" id="src-view">
                { for (top..bottom).filter_map(|line| doc.line_span(line).map(|span| (line, span))).map(|(line, span)| {
                    html! {
                        <div class="src-line">
                            <span class="ln" aria-hidden="true">{ line + 1 }</span>
                            { for line_segments(&doc.input, span, props.highlight).into_iter().map(|s| {
                                let dispatch = props.dispatch.clone();
                                let offset = s.offset;
                                let onclick = Callback::from(move |_| dispatch.emit(Action::SelectOffset(offset)));
                                let class = classes!(
                                    match s.kind { SegmentKind::Marker => "marker", SegmentKind::Cut => "cut", SegmentKind::Caret => "caret", SegmentKind::Text => "src-text" },
                                    s.highlighted.then_some("hl"),
                                );
                                html! { <span {class} data-offset={offset.to_string()} {onclick}>{ s.text }</span> }
                            }) }
                        </div>
                    }
                }) }
            </pre>
        </section>
    }
}
