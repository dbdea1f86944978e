//! The findings, each linked to its span, and delivery status reports as a table.

use mailscope_core::mime::dsn::TypedValue;
use yew::prelude::*;

use crate::components::i18n::use_lang;
use crate::state::i18n::{tr, trf, Lang};
use crate::state::message::inspect::{Doc, DsnView, Node};
use crate::state::message::Action;

/// Properties of [`LintList`].
#[derive(Properties, PartialEq)]
pub struct LintListProps {
    /// The message.
    pub doc: Doc,
    /// The selected lint.
    pub selected: Option<usize>,
    /// Where actions go.
    pub dispatch: Callback<Action>,
}

/// Lints shown before the rest are summarised.
const LINTS_SHOWN: usize = 500;

/// Every finding; clicking one highlights its bytes.
#[function_component(LintList)]
pub fn lint_list(props: &LintListProps) -> Html {
    let lang = use_lang();
    let doc = &props.doc;
    let more = doc.lints.len().saturating_sub(LINTS_SHOWN) + doc.suppressed_lints;
    html! {
        <section class="lints" aria-label={tr(lang, "Findings")}>
            <h4>{ trf(lang, "Findings ({n})", &[("n", &(doc.lints.len() + doc.suppressed_lints))]) }</h4>
            if doc.lints.is_empty() {
                <p class="muted">{ tr(lang, "None.") }</p>
            }
            <ul>
                { for doc.lints.iter().take(LINTS_SHOWN).enumerate().map(|(i, l)| {
                    let dispatch = props.dispatch.clone();
                    let onclick = Callback::from(move |_| dispatch.emit(Action::Select(Some(Node::Lint(i)))));
                    let section = doc.parts.get(l.part).map(|p| p.section.as_str()).unwrap_or_default();
                    // In Korean the core's translated summary leads; the specific message, in
                    // Korean too with its values as they are, follows.
                    let summary = (lang != Lang::En)
                        .then(|| mailscope_core::i18n::lint_summary(lang, &l.lint.code))
                        .flatten();
                    html! {
                        <li class={classes!("lint", l.lint.severity.as_str())}>
                            <button type="button" class="lint-link" aria-pressed={(props.selected == Some(i)).to_string()} {onclick}>
                                <code>{ &*l.lint.code }</code>
                            </button>
                            {" "}
                            if let Some(summary) = summary {
                                <span class="lint-summary">{ summary }</span>
                                <span class="lint-detail">{ mailscope_core::i18n::lint_message(lang, &l.lint) }</span>
                            } else {
                                { &l.lint.message }
                            }
                            <span class="muted">{ trf(lang, " — {reference}, bytes {a}–{b}", &[("reference", &l.lint.reference), ("a", &l.lint.span.start), ("b", &l.lint.span.end)]) }
                                if !section.is_empty() { { trf(lang, ", part {section}", &[("section", &section)]) } }</span>
                        </li>
                    }
                }) }
            </ul>
            if more > 0 { <p class="muted">{ trf(lang, "{n} more not shown.", &[("n", &more)]) }</p> }
        </section>
    }
}

/// Properties of [`DsnTable`].
#[derive(Properties, PartialEq)]
pub struct DsnTableProps {
    /// The report.
    pub dsn: DsnView,
}

fn typed(v: &Option<TypedValue>) -> String {
    v.as_ref()
        .map(|t| format!("{}; {}", t.kind, t.value))
        .unwrap_or_default()
}

/// A delivery status notification (RFC 3464) as a table.
#[function_component(DsnTable)]
pub fn dsn_table(props: &DsnTableProps) -> Html {
    let lang = use_lang();
    let s = &props.dsn.status;
    html! {
        <section class="dsn" aria-label={tr(lang, "Delivery status")}>
            <h4>{ tr(lang, "Delivery status notification (RFC 3464)") }</h4>
            <dl>
                <dt>{"Reporting-MTA"}</dt><dd>{ typed(&s.reporting_mta) }</dd>
                if let Some(d) = &s.arrival_date { <dt>{"Arrival-Date"}</dt><dd>{ d }</dd> }
                if let Some(id) = &s.original_envelope_id { <dt>{"Original-Envelope-Id"}</dt><dd>{ id }</dd> }
            </dl>
            <table class="dsn-table">
                <thead><tr>
                    <th scope="col">{"Final-Recipient"}</th><th scope="col">{"Action"}</th><th scope="col">{"Status"}</th>
                    <th scope="col">{"Diagnostic-Code"}</th><th scope="col">{"Remote-MTA"}</th>
                </tr></thead>
                <tbody>
                    { for s.recipients.iter().map(|r| html! {
                        <tr>
                            <td>{ typed(&r.final_recipient) }</td>
                            <td>{ r.action.clone().unwrap_or_default() }</td>
                            <td><code>{ r.status.clone().unwrap_or_default() }</code></td>
                            <td>{ typed(&r.diagnostic_code) }</td>
                            <td>{ typed(&r.remote_mta) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            { for s.lints.iter().map(|l| html! {
                <p class={classes!("lint", l.severity.as_str())}><code>{ &*l.code }</code>{" "}{ mailscope_core::i18n::lint_message(lang, l) }</p>
            }) }
        </section>
    }
}
