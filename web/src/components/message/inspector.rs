//! The inspector layout: summary, part tree, lints, the selected part, and the source.

use yew::prelude::*;

use super::auth::AuthPanel;
use crate::state::message::auth::AuthInput;

use crate::components::i18n::use_lang;
use crate::components::message::body::PartBodyView;
use crate::components::message::headers::HeadersTable;
use crate::components::message::lints::{DsnTable, LintList};
use crate::components::message::source::SourceView;
use crate::components::message::tree::PartTree;
use crate::components::share::{ShareButton, ShareSource};
use crate::state::i18n::{tr, tr_text, trf};
use crate::state::message::inspect::{Doc, Node};
use crate::state::message::{Action, BodyTab};
use crate::state::share::ShareKind;

/// Properties of [`Inspector`].
#[derive(Properties, PartialEq)]
pub struct InspectorProps {
    /// The message.
    pub doc: Doc,
    /// The selected node.
    pub selection: Option<Node>,
    /// First line of the source window.
    pub source_top: usize,
    /// How the body is shown.
    pub body_tab: BodyTab,
    /// Hex bytes shown.
    pub hex_limit: usize,
    /// Text characters shown.
    pub text_limit: usize,
    /// Remote images of HTML parts are loaded.
    pub remote_images: bool,
    /// What is known of the SMTP session that brought the message (the Mailbox's), for the
    /// Authenticity panel.
    #[prop_or_default]
    pub session: Option<AuthInput>,
    /// DNS records handed over with the message (the composer's DKIM key record).
    #[prop_or_default]
    pub records: Option<String>,
    /// Where actions go.
    pub dispatch: Callback<Action>,
}

fn root_field<'a>(doc: &'a Doc, name: &str) -> Option<&'a str> {
    doc.parts
        .first()?
        .fields
        .iter()
        .find(|f| f.name.eq_ignore_ascii_case(name))
        .map(|f| f.decoded.as_str())
}

/// The whole inspector.
#[function_component(Inspector)]
pub fn inspector(props: &InspectorProps) -> Html {
    let lang = use_lang();
    let doc = &props.doc;
    let part = props.selection.map_or(0, |n| doc.part_of(n));
    let highlight = props.selection.and_then(|n| doc.span_of(n));
    let selected_field = match props.selection {
        Some(Node::Field { part: p, field }) if p == part => Some(field),
        _ => None,
    };
    let selected_lint = match props.selection {
        Some(Node::Lint(l)) => Some(l),
        _ => None,
    };
    let attachments: Vec<&str> = doc
        .parts
        .iter()
        .filter_map(|p| p.filename.as_deref())
        .collect();
    html! {
        <div class="inspector">
            <section class="summary" aria-label={tr(lang, "Summary")}>
                <h3 id="msg-subject" data-data={doc.subject().map(|_| "")}>{ doc.subject().unwrap_or(tr(lang, "(no subject)")) }</h3>
                <dl>
                    if let Some(from) = root_field(doc, "from") { <dt>{ tr(lang, "From") }</dt><dd data-data="">{ from }</dd> }
                    if let Some(to) = root_field(doc, "to") { <dt>{ tr(lang, "To") }</dt><dd data-data="">{ to }</dd> }
                    if let Some(date) = root_field(doc, "date") { <dt>{ tr(lang, "Date") }</dt><dd data-data="">{ date }</dd> }
                    if !attachments.is_empty() { <dt>{ tr(lang, "Files") }</dt><dd data-data="">{ attachments.join(", ") }</dd> }
                </dl>
                <p class="muted">{ trf(lang, "{name} · bytes: {bytes} · lines: {lines} · parts: {parts} · findings: {findings}", &[
                    ("name", &tr_text(lang, &doc.name)), ("bytes", &doc.input.len()), ("lines", &doc.line_count()),
                    ("parts", &doc.parts.len()), ("findings", &(doc.lints.len() + doc.suppressed_lints))]) }</p>
                <ShareButton kind={ShareKind::Message} source={ShareSource::Doc(doc.clone())} id="inspect-share" />
            </section>
            <div class="inspector-grid">
                <aside class="inspector-side">
                    <PartTree doc={doc.clone()} selected={part} dispatch={props.dispatch.clone()} />
                    <LintList doc={doc.clone()} selected={selected_lint} dispatch={props.dispatch.clone()} />
                </aside>
                <div class="inspector-main">
                    <HeadersTable doc={doc.clone()} part={part} selected={selected_field} dispatch={props.dispatch.clone()} />
                    <PartBodyView doc={doc.clone()} part={part} tab={props.body_tab}
                        hex_limit={props.hex_limit} text_limit={props.text_limit}
                        remote_images={props.remote_images} dispatch={props.dispatch.clone()} />
                    if let Some(dsn) = &doc.dsn { <DsnTable dsn={dsn.clone()} /> }
                    <AuthPanel doc={doc.clone()} session={props.session.clone()} records={props.records.clone()} />
                </div>
            </div>
            <SourceView doc={doc.clone()} highlight={highlight} top={props.source_top} dispatch={props.dispatch.clone()} />
        </div>
    }
}
