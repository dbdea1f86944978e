//! The SPF + DMARC alignment lesson's panels: the envelope and records of the step, then the
//! core's verdicts (SPF tree, DKIM, DMARC alignment) computed in the worker, as the
//! Authenticity panel shows them.

use yew::platform::spawn_local;
use yew::prelude::*;

use super::demo::scoped;
use crate::components::error::ErrorNote;
use crate::components::i18n::use_lang;
use crate::components::message::auth::report;
use crate::services::worker;
use crate::state::error::Shown;
use crate::state::i18n::{tr, Lang};
use crate::state::learn::alignment::{case, AlignCase, AlignDemo};
use crate::state::message::auth::{AuthOutcome, AuthView};
use crate::worker::protocol::WorkerError;

/// Properties of [`AlignmentPanel`].
#[derive(Properties, PartialEq)]
pub struct AlignmentPanelProps {
    /// Which panel.
    pub demo: AlignDemo,
    /// The run section it is in ([`super::demo::scoped`]).
    #[prop_or_default]
    pub run: Option<usize>,
}

/// What the worker answered for a panel: the checks, or the questions the records left open.
type Answer = Result<AuthOutcome, WorkerError>;

/// Signs when the step says so (adding the key record), then checks, in the worker.
async fn check(c: AlignCase) -> Answer {
    let AlignCase {
        message,
        mut input,
        sign,
        now,
    } = c;
    let mut message = message.to_string();
    if let Some(request) = sign {
        let signed = worker::sign(message.as_bytes(), request).await?;
        message = format!("{}{message}", signed.field);
        input.records.push_str(&signed.record);
        input.records.push('\n');
    }
    worker::authenticate(message.as_bytes(), input, Vec::new(), now).await
}

fn envelope(lang: Lang, c: &AlignCase) -> Html {
    html! {
        <dl class="kv learn-align-envelope">
            <dt>{ tr(lang, "Client") }</dt><dd><code data-data="">{ format!("{} ({})", c.input.ip, c.input.helo) }</code></dd>
            <dt>{ "MAIL FROM" }</dt><dd><code data-data="">{ c.input.mail_from.clone() }</code></dd>
            <dt>{ "From" }</dt><dd><code data-data="">{ "news@shop.example" }</code></dd>
            if let Some(s) = &c.sign {
                <dt>{ "DKIM" }</dt><dd><code data-data="">{ format!("d={} s={}", s.domain, s.selector) }</code></dd>
            }
        </dl>
    }
}

fn shown(lang: Lang, view: &AuthView, run: Option<usize>) -> Html {
    report(lang, view, &scoped(run, "learn-align"))
}

/// A panel of the alignment lesson.
#[function_component(AlignmentPanel)]
pub fn alignment_panel(props: &AlignmentPanelProps) -> Html {
    let lang = use_lang();
    let answer = use_state(|| None::<(AlignDemo, Answer)>);
    {
        let answer = answer.clone();
        use_effect_with(props.demo, move |demo| {
            let demo = *demo;
            spawn_local(async move {
                answer.set(Some((demo, check(case(demo)).await)));
            });
        });
    }
    let c = case(props.demo);
    html! {
        <div class="learn-align" id={scoped(props.run, "learn-align")}>
            { envelope(lang, &c) }
            <details>
                <summary>{ tr(lang, "The lesson's DNS records") }</summary>
                <pre class="wire" data-data="">{ c.input.records.clone() }</pre>
            </details>
            { match &*answer {
                Some((demo, Ok(AuthOutcome::Done(view)))) if *demo == props.demo => shown(lang, view, props.run),
                Some((demo, Ok(AuthOutcome::Needs(queries)))) if *demo == props.demo => html! {
                    <p class="error" id={scoped(props.run, "learn-align-unanswered")}>{ tr(lang, "The lesson's records leave these questions open: ") }<code data-data="">{ queries.join(", ") }</code></p>
                },
                Some((demo, Err(e))) if *demo == props.demo => html! { <ErrorNote error={Shown::of(e, lang)} id={scoped(props.run, "learn-align-error")} /> },
                _ => html! { <p class="muted">{ tr(lang, "Checking in the background worker…") }</p> },
            } }
        </div>
    }
}
