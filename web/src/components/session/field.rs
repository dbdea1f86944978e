//! Labelled inputs that report their text.

use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

/// Properties of [`Field`].
#[derive(Properties, PartialEq)]
pub struct FieldProps {
    /// Element id (also used by tests).
    pub id: AttrValue,
    /// Visible label.
    pub label: AttrValue,
    /// Current text.
    pub value: AttrValue,
    /// Called with the new text.
    pub oninput: Callback<String>,
    /// Rows: a text area when set.
    #[prop_or_default]
    pub rows: Option<u32>,
    /// Placeholder.
    #[prop_or_default]
    pub placeholder: AttrValue,
    /// Input type (text, password).
    #[prop_or(AttrValue::Static("text"))]
    pub kind: AttrValue,
}

/// A label and a text input (or text area).
#[function_component(Field)]
pub fn field(props: &FieldProps) -> Html {
    let on = props.oninput.clone();
    let control = match props.rows {
        Some(rows) => {
            let oninput = Callback::from(move |e: InputEvent| {
                let el: HtmlTextAreaElement = e.target_unchecked_into();
                on.emit(el.value());
            });
            html! { <textarea id={props.id.clone()} rows={rows.to_string()} spellcheck="false"
            placeholder={props.placeholder.clone()} value={props.value.clone()} {oninput} /> }
        }
        None => {
            let oninput = Callback::from(move |e: InputEvent| {
                let el: HtmlInputElement = e.target_unchecked_into();
                on.emit(el.value());
            });
            html! { <input id={props.id.clone()} type={props.kind.clone()} spellcheck="false"
            placeholder={props.placeholder.clone()} value={props.value.clone()} {oninput} /> }
        }
    };
    html! {
        <div class="field">
            <label for={props.id.clone()}>{ props.label.clone() }</label>
            { control }
        </div>
    }
}

/// Properties of [`Select`].
#[derive(Properties, PartialEq)]
pub struct SelectProps {
    /// Element id.
    pub id: AttrValue,
    /// Visible label.
    pub label: AttrValue,
    /// (value, label) pairs.
    pub options: Vec<(AttrValue, AttrValue)>,
    /// The selected value.
    pub value: AttrValue,
    /// Called with the picked value.
    pub onchange: Callback<String>,
}

/// A label and a select.
#[function_component(Select)]
pub fn select(props: &SelectProps) -> Html {
    let on = props.onchange.clone();
    let onchange = Callback::from(move |e: Event| {
        let el: HtmlSelectElement = e.target_unchecked_into();
        on.emit(el.value());
    });
    html! {
        <div class="field">
            <label for={props.id.clone()}>{ props.label.clone() }</label>
            <select id={props.id.clone()} {onchange}>
                { for props.options.iter().map(|(v, l)| html! {
                    <option value={v.clone()} selected={*v == props.value}>{ l.clone() }</option>
                }) }
            </select>
        </div>
    }
}

/// Properties of [`Check`].
#[derive(Properties, PartialEq)]
pub struct CheckProps {
    /// Element id.
    pub id: AttrValue,
    /// Visible label.
    pub label: AttrValue,
    /// Checked.
    pub checked: bool,
    /// Called with the new state.
    pub onchange: Callback<bool>,
    /// A longer explanation, on hover.
    #[prop_or_default]
    pub title: Option<AttrValue>,
}

/// A checkbox with its label.
#[function_component(Check)]
pub fn check(props: &CheckProps) -> Html {
    let on = props.onchange.clone();
    let onchange = Callback::from(move |e: Event| {
        let el: HtmlInputElement = e.target_unchecked_into();
        on.emit(el.checked());
    });
    html! {
        <label class="check" for={props.id.clone()} title={props.title.clone()}>
            <input id={props.id.clone()} type="checkbox" checked={props.checked} {onchange} />
            { " " }{ props.label.clone() }
        </label>
    }
}
