//! The Authenticity panel: DKIM, SPF, DMARC and ARC of the inspected message, every step with
//! the bytes it rests on, checked in the worker against DNS records the reader pastes. The
//! steps and reasons are the core's messages, given in the page's language with their values
//! (and the RFC 8601 result words) marked as data.

use mailscope_core::i18n::Piece;
use mailscope_core::lint::{Arg, Message};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::components::error::ErrorNote;
use crate::components::i18n::{datum, use_lang};
use crate::components::session::field::{Check, Field};
use crate::services::lookup::{look_up, LookupError};
use crate::services::worker;
use crate::state::error::Shown;
use crate::state::i18n::{tr, trf, Lang};
use crate::state::message::auth::{
    AuthInput, AuthOutcome, AuthView, ChecksView, SignatureView, StatedView, StepView, TreeLine,
};
use crate::state::message::inspect::Doc;
use crate::worker::protocol::WorkerError;
use mailscope_core::auth::check::Comparison;
use mailscope_core::auth::Query;

/// Properties of [`AuthPanel`].
#[derive(Properties, PartialEq)]
pub struct AuthPanelProps {
    /// The message.
    pub doc: Doc,
    /// What is known of the SMTP session (the Mailbox knows the client's IP, HELO and MAIL
    /// FROM).
    #[prop_or_default]
    pub session: Option<AuthInput>,
    /// Records handed over with the message (the composer's DKIM key record): pasted, and
    /// the checks run at once.
    #[prop_or_default]
    pub records: Option<String>,
}

/// Where a check's run stands.
#[derive(Debug, Clone, PartialEq)]
enum Run {
    Idle,
    Busy,
    Done(Box<AuthView>),
    Failed(WorkerError),
    NotLookedUp(LookupError),
}

/// Most rounds of lookups for one check (each round answers every open question; an SPF
/// include chain takes one round per level, and SPF stops at 10 lookups).
const MAX_ROUNDS: usize = 20;

/// Runs the checks in the worker, looking up through `mailscope serve` what the records lack
/// when `input.lookup` is on, round by round.
async fn check(message: &[u8], input: AuthInput) -> Run {
    let now = now_secs();
    let mut looked_up = Vec::new();
    for _ in 0..MAX_ROUNDS {
        match worker::authenticate(message, input.clone(), looked_up.clone(), now).await {
            Ok(AuthOutcome::Done(view)) => return Run::Done(view),
            Ok(AuthOutcome::Needs(needs)) => {
                let queries: Vec<Query> = needs
                    .iter()
                    .filter_map(|q| serde_json::from_str(q).ok())
                    .collect();
                match look_up(queries).await {
                    Ok(more) => looked_up.extend(more),
                    Err(e) => return Run::NotLookedUp(e),
                }
            }
            Err(e) => return Run::Failed(e),
        }
    }
    Run::NotLookedUp(LookupError::NoAnswer)
}

fn now_secs() -> u64 {
    (js_sys::Date::now() / 1000.0) as u64
}

/// The panel.
#[function_component(AuthPanel)]
pub fn auth_panel(props: &AuthPanelProps) -> Html {
    let lang = use_lang();
    let input = use_state(|| props.session.clone().unwrap_or_default());
    let run = use_state(|| Run::Idle);
    {
        // Another message: no stale verdicts; in the Mailbox, its own session's facts (in the
        // Message view what was typed stays, for what-if edits of the same message).
        // Records handed over with the message are pasted and checked at once.
        let (input, run) = (input.clone(), run.clone());
        let (session, records) = (props.session.clone(), props.records.clone());
        use_effect_with(props.doc.clone(), move |doc| {
            let mut next = match session {
                Some(session) => AuthInput {
                    records: input.records.clone(),
                    lookup: input.lookup,
                    ..session
                },
                None => (*input).clone(),
            };
            match records {
                Some(records) => {
                    next.records = records;
                    run.set(Run::Busy);
                    let (doc, run, checked) = (doc.clone(), run.clone(), next.clone());
                    spawn_local(async move { run.set(check(&doc.input, checked).await) });
                }
                None => run.set(Run::Idle),
            }
            input.set(next);
        });
    }
    let set = |f: fn(&mut AuthInput, String)| {
        let input = input.clone();
        Callback::from(move |v: String| {
            let mut next = (*input).clone();
            f(&mut next, v);
            input.set(next);
        })
    };
    let on_check = {
        let (input, run, doc) = (input.clone(), run.clone(), props.doc.clone());
        Callback::from(move |_: MouseEvent| {
            let (input, run, doc) = ((*input).clone(), run.clone(), doc.clone());
            run.set(Run::Busy);
            spawn_local(async move {
                run.set(check(&doc.input, input).await);
            });
        })
    };
    html! {
        <details class="panel auth-panel" id="auth-panel" open={props.records.is_some()}>
            <summary><strong>{ tr(lang, "Authenticity: DKIM, SPF, DMARC, ARC") }</strong></summary>
            <p class="muted">{ tr(lang, "The checks run in this browser, with the DNS records you paste below; nothing is looked up on the network unless you tick the box below. Change a byte of the message or a record and check again to see which step breaks.") }</p>
            <div class="inline-fields">
                <Field id="auth-ip" label={tr(lang, "Client IP (for SPF)")} value={input.ip.clone()} oninput={set(|i, v| i.ip = v)} />
                <Field id="auth-helo" label="HELO" value={input.helo.clone()} oninput={set(|i, v| i.helo = v)} />
                <Field id="auth-mail-from" label="MAIL FROM" value={input.mail_from.clone()} oninput={set(|i, v| i.mail_from = v)} />
            </div>
            <Field id="auth-records" rows={5} label={tr(lang, "DNS records, one per line as in a zone file (a name not listed does not exist)")}
                placeholder={"sel._domainkey.example.com. IN TXT \"v=DKIM1; k=ed25519; p=…\""}
                value={input.records.clone()} oninput={set(|i, v| i.records = v)} />
            <Check id="auth-lookup" checked={input.lookup}
                label={tr(lang, "Look up the records that are not pasted through mailscope serve (its DNS resolver; off: they do not exist)")}
                onchange={{ let input = input.clone(); Callback::from(move |on: bool| { let mut next = (*input).clone(); next.lookup = on; input.set(next); }) }} />
            <div class="button-row">
                <button type="button" id="auth-check" onclick={on_check} disabled={*run == Run::Busy}>{ tr(lang, "Check") }</button>
                if *run == Run::Busy { <span class="muted">{ tr(lang, "Checking…") }</span> }
            </div>
            { match &*run {
                Run::Idle | Run::Busy => html! {},
                Run::Failed(e) => html! { <ErrorNote error={Shown::of(e, lang)} id="auth-error" /> },
                Run::NotLookedUp(e) => html! { <ErrorNote error={Shown::of(e, lang)} id="auth-error" /> },
                Run::Done(view) => report(lang, view, "auth"),
            } }
        </details>
    }
}

fn verdict(word: &str) -> Html {
    let class = match word {
        "pass" => "ok",
        "fail" | "permerror" => "bad",
        _ => "warn",
    };
    html! { <span class={classes!("verdict", class)} data-data="">{ word.to_string() }</span> }
}

/// A core message in `lang`: its template translated, nested messages too, values as data.
fn said(lang: Lang, m: &Message) -> Html {
    let names: Vec<&str> = m.args.iter().map(|(n, _)| &**n).collect();
    let template = mailscope_core::i18n::template(lang, &m.template);
    html! {
        <>{ for mailscope_core::i18n::pieces(template, &names).into_iter().map(|p| match p {
            // A detail of several lines (the header fields selected, two hashes) keeps them.
            Piece::Text(t) => html! { <>{ for t.split('\n').enumerate().map(|(i, line)| html! {
                <>if i > 0 { <br /> }{ line.to_string() }</>
            }) }</> },
            Piece::Hole(i) => match m.args.get(i).map(|(_, a)| a) {
                Some(Arg::Data(d)) => datum(d),
                Some(Arg::Text(inner)) => said(lang, inner),
                None => Html::default(),
            },
        }) }</>
    }
}

fn steps(lang: Lang, steps: &[StepView]) -> Html {
    html! {
        <ol class="auth-steps">
            { for steps.iter().map(|s| {
                let mark = match s.ok { Some(true) => "✓", Some(false) => "✗", None => "·" };
                let class = match s.ok { Some(true) => "ok", Some(false) => "bad", None => "" };
                html! {
                    <li class={class}>
                        <span class="mark" aria-hidden="true">{ mark }</span>{" "}
                        <strong>{ said(lang, &s.title) }</strong>{": "}<span class="wrap">{ said(lang, &s.detail) }</span>
                        if let Some(span) = s.span { {" "}<span class="muted">{ format!("[{}–{}]", span.start, span.end) }</span> }
                    </li>
                }
            }) }
        </ol>
    }
}

/// One DKIM signature's verdict, steps, hashes, key record and canonical bytes (also shown by
/// the DKIM lesson).
pub(crate) fn signature(lang: Lang, d: &SignatureView) -> Html {
    html! {
        <section class="auth-check auth-dkim">
            <h5>{ format!("DKIM d={} s={} ", d.domain, d.selector) }{ verdict(&d.result) }</h5>
            <p class="wrap">{ said(lang, &d.reason) }</p>
            { steps(lang, &d.steps) }
            if let Some((expected, computed)) = &d.body_hash {
                <dl class="kv">
                    <dt>{ tr(lang, "bh= (signed)") }</dt><dd><code class="wrap">{ expected.clone() }</code></dd>
                    <dt>{ tr(lang, "body hash (computed)") }</dt><dd><code class="wrap">{ computed.clone() }</code></dd>
                </dl>
            }
            if let Some((name, answer)) = &d.key {
                <p class="muted">{ tr(lang, "Key record: ") }<code class="wrap">{ format!("{name} → ") }{ said(lang, answer) }</code></p>
            }
            <details class="auth-bytes">
                <summary>{ tr(lang, "The header fields as received, and the block as hashed (canonicalized)") }</summary>
                <div class="side-by-side">
                    <figure><figcaption>{ tr(lang, "As received") }</figcaption><pre class="wire">{ d.raw_header.clone() }</pre></figure>
                    <figure><figcaption>{ tr(lang, "As hashed") }</figcaption><pre class="wire">{ d.canonical_header.clone() }</pre></figure>
                </div>
            </details>
            <details class="auth-bytes">
                <summary>{ trf(lang, "The body as received ({r} bytes), and as hashed ({n} bytes)", &[("r", &d.raw_body_len), ("n", &d.canonical_body_len)]) }</summary>
                <div class="side-by-side">
                    <figure><figcaption>{ tr(lang, "As received") }</figcaption><pre class="wire">{ d.raw_body.clone() }</pre></figure>
                    <figure><figcaption>{ tr(lang, "As hashed") }</figcaption><pre class="wire">{ d.canonical_body.clone() }</pre></figure>
                </div>
            </details>
        </section>
    }
}

fn checks(lang: Lang, title: &str, c: &ChecksView, id: &str) -> Html {
    html! {
        <section class="auth-check" id={id.to_string()}>
            <h5>{ format!("{title} ") }{ verdict(&c.result) }</h5>
            <p class="wrap">{ said(lang, &c.reason) }</p>
            { steps(lang, &c.steps) }
        </section>
    }
}

/// The whole report; element ids start with `id` (`auth` in the Authenticity panel; a lesson's
/// panels have their own, as several can be on one page).
pub(crate) fn report(lang: Lang, v: &AuthView, id: &str) -> Html {
    html! {
        <div class="auth-report" id={format!("{id}-report")}>
            if !v.unanswered.is_empty() {
                <p class="lint warning" id={format!("{id}-unanswered")}>
                    { tr(lang, "Your records have no name for these queries (read as: does not exist); paste their records to go further: ") }
                    { for v.unanswered.iter().map(|q| html! { <><code>{ q.clone() }</code>{" "}</> }) }
                </p>
            }
            if v.dkim.is_empty() {
                <p>{ tr(lang, "No DKIM-Signature field: DKIM result none.") }</p>
            }
            { for v.dkim.iter().map(|d| signature(lang, d)) }
            { match &v.spf {
                Some(s) => html! {
                    <section class="auth-check" id={format!("{id}-spf")}>
                        <h5>{ "SPF (" }{ datum(&s.identity) }{ " " }{ datum(&s.domain) }{ ") " }{ verdict(&s.result) }</h5>
                        <p class="wrap">{ said(lang, &s.reason) }</p>
                        <p class="muted">{ trf(lang, "DNS lookups: {n} of 10, void lookups: {v} of 2 (RFC 7208 §4.6.4)", &[("n", &s.lookups.0), ("v", &s.lookups.1)]) }</p>
                        <ul class="spf-tree">
                            { for s.tree.iter().map(|l| tree_line(lang, l)) }
                        </ul>
                    </section>
                },
                None => html! { <p class="muted" id={format!("{id}-spf")}>{ tr(lang, "SPF not checked: give the client's IP address.") }</p> },
            } }
            { checks(lang, "DMARC", &v.dmarc, &format!("{id}-dmarc")) }
            { checks(lang, "ARC", &v.arc, &format!("{id}-arc")) }
            { stated(lang, &v.stated, id) }
        </div>
    }
}

/// The message's own Authentication-Results fields, each result beside Mailscope's verdict.
fn stated(lang: Lang, fields: &[StatedView], id: &str) -> Html {
    if fields.is_empty() {
        return Html::default();
    }
    let comparison = |c: &Comparison| {
        let (class, said) = match (c.agrees, c.ours) {
            (Some(true), _) => ("ok", tr(lang, "Mailscope agrees").to_string()),
            (Some(false), Some(ours)) => (
                "bad",
                trf(
                    lang,
                    "Mailscope says {verdict}",
                    &[("verdict", &ours.as_str())],
                ),
            ),
            _ => ("", tr(lang, "Mailscope made no such check").to_string()),
        };
        html! {
            <li class={class}>
                <code data-data="">{ format!("{}={}", c.method, c.stated) }</code>
                if let Some(i) = &c.identifier { {" "}<code data-data="">{ i.clone() }</code> }
                {" — "}{ said }
            </li>
        }
    };
    html! {
        <section class="auth-check" id={format!("{id}-stated")}>
            <h5>{ tr(lang, "What the message's Authentication-Results fields say") }</h5>
            <p class="muted">{ tr(lang, "Any server on the way writes these fields and a sender can forge them: trust only the one your own receiving server added, named first in it.") }</p>
            <ul class="auth-stated">
                { for fields.iter().map(|f| html! {
                    <li>
                        { match &f.authserv_id {
                            Some(who) => html! { <strong><code data-data="">{ who.clone() }</code></strong> },
                            None => html! { <span class="muted">{ tr(lang, "a field that cannot be read") }</span> },
                        } }
                        <ul>{ for f.comparisons.iter().map(comparison) }</ul>
                    </li>
                }) }
            </ul>
        </section>
    }
}

fn tree_line(lang: Lang, l: &TreeLine) -> Html {
    let class = match l.matched {
        Some(true) => "ok",
        Some(false) => "muted",
        None => "",
    };
    html! {
        <li style={format!("--depth: {}", l.depth.min(12))} {class}>
            <code class="wrap">{ l.text.clone() }</code>
            if !l.note.is_empty() { {" — "}<span class="wrap">{ said(lang, &l.note) }</span> }
        </li>
    }
}
