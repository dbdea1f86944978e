//! The annotated transcript: one entry per command, reply or message, as the core reads it.

use std::rc::Rc;

use mailscope_core::lint::Lint;
use mailscope_core::smtp::auth::DecodedAuth;
use mailscope_core::smtp::transcript::Direction;
use yew::prelude::*;

use mailscope_core::i18n::{explain, text as core_text};

use crate::components::i18n::{datum, filled, use_lang, LintItem};
use crate::state::i18n::{key, tr, tr_text, trf, Lang};
use crate::state::session::notes::{Note, NoteKind, NoteText};
use crate::state::transcript::{direction_marker, repeated_explanations, Row};

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

/// The element id of entry `index` of the table `table` (what a ladder arrow focuses).
pub fn entry_id(table: &str, index: usize) -> String {
    format!("{table}-entry-{index}")
}

/// "command MAIL", "reply 250", "message"… in `lang`: the kind word translated, the verb or
/// code kept.
pub(super) fn kind_label(lang: Lang, kind: &str) -> String {
    for (word, label) in [
        ("command ", tr(lang, "command")),
        ("reply ", tr(lang, "reply")),
    ] {
        if let Some(rest) = kind.strip_prefix(word) {
            return format!("{label} {rest}");
        }
    }
    match kind {
        "message" => tr(lang, "message content").into(),
        "BDAT chunk" => tr(lang, "BDAT chunk").into(),
        "SASL response" => tr(lang, "SASL response").into(),
        "TLS records" => tr(lang, "TLS records").into(),
        "invalid" => tr(lang, "invalid").into(),
        other => other.into(),
    }
}

/// "ready → mail" in `lang` (the state names come from the core).
fn state_label(lang: Lang, state: &str) -> String {
    state
        .split(" → ")
        .map(|s| core_text(lang, s))
        .collect::<Vec<_>>()
        .join(" → ")
}

/// An AUTH exchange as the core decoded it, under its AUTH line: what each base64 line said.
fn sasl_view(lang: Lang, auth: &DecodedAuth) -> Html {
    let item = |label: &'static str, value: &str| {
        html! { <><dt>{ tr(lang, label).to_string() }</dt><dd data-data=""><code class="wrap">{ value.to_string() }</code></dd></> }
    };
    html! {
        <dl class="kv sasl" aria-label={tr(lang, "AUTH exchange, decoded")}>
            { item(key("Mechanism"), &auth.mechanism) }
            if let Some(z) = auth.authzid.as_deref().filter(|z| !z.is_empty()) { { item(key("Acting for (authzid)"), z) } }
            if let Some(u) = &auth.authcid { { item(key("User"), u) } }
            if let Some(p) = &auth.password { { item(key("Password"), p) } }
            { for auth.challenges.iter().map(|c| item(key("Server asks"), c)) }
            if let Some(d) = &auth.digest { { item(key("CRAM-MD5 digest"), d) } }
            if let Some(t) = &auth.token { { item(key("Bearer token"), t) } }
            if auth.cancelled { <dt>{ tr(lang, "Cancelled") }</dt><dd>{ tr(lang, "the client answered * (RFC 4954 §4)") }</dd> }
        </dl>
    }
}

/// The transcript pane.
#[function_component(TranscriptTable)]
pub fn transcript_table(props: &TranscriptTableProps) -> Html {
    let lang = use_lang();
    let repeats = repeated_explanations(&props.rows);
    html! {
        <>
            <ol class="transcript" id={props.id.clone()}>
                { for props.rows.iter().zip(repeats).enumerate().map(|(index, (row, repeat))| {
                    let side = match row.direction { Direction::Client => "client", Direction::Server => "server" };
                    html! {
                        <li class={classes!("entry", side)} id={entry_id(&props.id, index)} tabindex="-1">
                            <div class="entry-head">
                                <span class="num" title={tr(lang, "entry number")}>{ index + 1 }</span>
                                <span class="dir">{ direction_marker(row.direction) }</span>
                                if let Some(t) = row.at_ms { <span class="time">{ format!("+{t} ms") }</span> }
                                <span class="kind">{ kind_label(lang, &row.kind) }</span>
                                <span class="state" title={tr(lang, "session state before → after")}>{ state_label(lang, &row.state) }</span>
                                if row.tls { <span class="badge">{"TLS"}</span> }
                            </div>
                            <pre class="wire">{ wire_view(&row.wire) }</pre>
                            if let Some(auth) = &row.auth { { sasl_view(lang, auth) } }
                            { match repeat {
                                // Said in full on an earlier entry: one line here, the text behind it.
                                Some(earlier) => html! {
                                    <details class="explain repeat">
                                        <summary>{ trf(lang, "Same as above (entry {n})", &[("n", &(earlier + 1))]) }</summary>
                                        <p>{ explain(lang, &row.explanation) }</p>
                                        <ul>{ for row.details.iter().map(|d| html! { <li>{ d.shown(lang) }</li> }) }</ul>
                                    </details>
                                },
                                None => html! {
                                    <details class="explain">
                                        <summary>{ explain(lang, &row.explanation) }</summary>
                                        <ul>{ for row.details.iter().map(|d| html! { <li>{ d.shown(lang) }</li> }) }</ul>
                                    </details>
                                },
                            } }
                            if !row.lints.is_empty() {
                                <ul class="lints">{ for row.lints.iter().map(|l| html! { <LintItem lint={l.clone()} /> }) }</ul>
                            }
                        </li>
                    }
                }) }
            </ol>
            if !props.lints.is_empty() {
                <div class="dialogue-lints">
                    <h4>{ tr(lang, "About the whole dialogue") }</h4>
                    <ul class="lints">{ for props.lints.iter().map(|l| html! { <LintItem lint={l.clone()} /> }) }</ul>
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
    /// Element id of the list (a page with several lists gives each its own).
    #[prop_or(AttrValue::Static("session-notes"))]
    pub id: AttrValue,
}

/// A note in `lang`, its values (addresses, codes, user names) marked as data.
fn note_html(lang: Lang, text: &NoteText) -> Html {
    match text {
        NoteText::Template { template, args } => {
            let args: Vec<(&str, Html)> = args.iter().map(|(n, v)| (*n, datum(v))).collect();
            filled(lang, template, &args)
        }
        other => html! { { other.render(lang) } },
    }
}

/// What the sessions reported besides the wire lines.
#[function_component(NoteList)]
pub fn note_list(props: &NoteListProps) -> Html {
    let lang = use_lang();
    if props.notes.is_empty() {
        return html! {};
    }
    html! {
        <div class="notes">
            <h4>{ tr(lang, "Session events") }</h4>
            <ul id={props.id.clone()}>
                { for props.notes.iter().map(|n| html! {
                    <li class={classes!(if n.kind == NoteKind::Error { "error" } else { "muted" })}>
                        { filled(lang, key("+{ms} ms {side}: {text}"), &[("ms", html! { { n.at_ms } }), ("side", html! { { tr_text(lang, n.side) } }), ("text", note_html(lang, &n.text))]) }
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
