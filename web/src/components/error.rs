//! One way to show an error: what happened, then what to do next.

use yew::prelude::*;

use crate::state::error::Shown;

#[derive(Properties, PartialEq)]
pub struct ErrorNoteProps {
    pub error: Shown,
    /// The element id, for tests and links.
    #[prop_or_default]
    pub id: Option<AttrValue>,
}

/// An error box: the reader is told what happened and what to do, and screen readers hear it.
/// Made from a typed error with `Shown::of(&error, lang)`.
#[function_component(ErrorNote)]
pub fn error_note(props: &ErrorNoteProps) -> Html {
    html! {
        <p class="error" role="alert" id={props.id.clone()}>
            { &props.error.what }
            if !props.error.next_step.is_empty() { {" "}<span class="next-step">{ &props.error.next_step }</span> }
        </p>
    }
}
