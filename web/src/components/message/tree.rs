//! The part tree: section numbers, content types, charsets, file names.

use yew::prelude::*;

use crate::components::i18n::use_lang;
use crate::state::i18n::tr;
use crate::state::message::inspect::{Doc, Node};
use crate::state::message::Action;

/// Properties of [`PartTree`].
#[derive(Properties, PartialEq)]
pub struct PartTreeProps {
    /// The message.
    pub doc: Doc,
    /// The selected part.
    pub selected: usize,
    /// Where actions go.
    pub dispatch: Callback<Action>,
}

/// Every part, indented by depth; each a button that selects it.
#[function_component(PartTree)]
pub fn part_tree(props: &PartTreeProps) -> Html {
    let lang = use_lang();
    html! {
        <nav class="part-tree" aria-label={tr(lang, "Parts")}>
            <h4>{ tr(lang, "Parts") }</h4>
            <ul>
                { for props.doc.parts.iter().enumerate().map(|(i, p)| {
                    let dispatch = props.dispatch.clone();
                    let onclick = Callback::from(move |_| dispatch.emit(Action::Select(Some(Node::Part(i)))));
                    let current = i == props.selected;
                    html! {
                        <li style={format!("--depth: {}", p.depth.min(20))}>
                            <button type="button" class="part-node" aria-current={current.then_some("true")} {onclick}>
                                <span class="section">{ if p.section.is_empty() { tr(lang, "message").to_string() } else { p.section.clone() } }</span>
                                {" "}<span class="ctype">{ &p.content_type }</span>
                                if let Some(c) = &p.charset { {" "}<span class="charset">{ c }</span> }
                                if p.transfer_encoding != "7bit" { {" "}<span class="cte">{ &p.transfer_encoding }</span> }
                                if let Some(f) = &p.filename { {" "}<span class="filename">{ f }</span> }
                                if p.unclosed { {" "}<span class="warn">{ tr(lang, "(unclosed)") }</span> }
                            </button>
                        </li>
                    }
                }) }
            </ul>
        </nav>
    }
}
