//! The raw source, a window of lines at a time, with the selection highlighted. Clicking a
//! byte selects the node that holds it.

use mailscope_core::span::Span;
use yew::prelude::*;

use crate::components::i18n::use_lang;
use crate::state::i18n::{key, tr, trf};
use crate::state::message::inspect::{line_segments, Doc, SegmentKind};
use crate::state::message::{Action, SOURCE_WINDOW};

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
    let lang = use_lang();
    let doc = &props.doc;
    let total = doc.line_count();
    let top = props.top.min(total.saturating_sub(1));
    let bottom = (top + SOURCE_WINDOW).min(total);
    let go = |line: usize, label: &'static str, disabled: bool| {
        let dispatch = props.dispatch.clone();
        html! {
            <button type="button" {disabled} onclick={Callback::from(move |_| dispatch.emit(Action::ScrollSource(line)))}>{ tr(lang, label) }</button>
        }
    };
    let page = SOURCE_WINDOW;
    html! {
        <section class="source" aria-label={tr(lang, "Raw source")}>
            <div class="toolbar">
                <h4>{ tr(lang, "Source") }</h4>
                <span class="muted">{ trf(lang, "lines {a}–{b} of {n}", &[("a", &(top + 1)), ("b", &bottom), ("n", &total)]) }</span>
                { go(0, key("First"), top == 0) }
                { go(top.saturating_sub(page), key("Previous"), top == 0) }
                { go(top + page, key("Next"), bottom >= total) }
                { go(total.saturating_sub(page), key("Last"), bottom >= total) }
                if let Some(h) = props.highlight {
                    <span class="muted">{ trf(lang, "selected: bytes {a}–{b} ({n} bytes)", &[("a", &h.start), ("b", &h.end), ("n", &h.len())]) }</span>
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
