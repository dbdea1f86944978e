//! The DKIM lesson's panels: the message and its DKIM-Signature tag by tag, and the
//! verification step by step (untouched, or after a one-byte edit), computed by the core in
//! the worker; the last one points to the composer.

use yew::platform::spawn_local;
use yew::prelude::*;

use super::demo::scoped;
use crate::components::error::ErrorNote;
use crate::components::i18n::use_lang;
use crate::components::message::auth::signature;
use crate::services::worker;
use crate::state::error::Shown;
use crate::state::i18n::{tr, Lang};
use crate::state::learn::dkim::{tag_meaning, DkimDemo, DkimLessonView};
use crate::state::nav::View;
use crate::worker::protocol::WorkerError;

/// Properties of [`DkimPanel`].
#[derive(Properties, PartialEq)]
pub struct DkimPanelProps {
    /// Which panel.
    pub demo: DkimDemo,
    /// The run section it is in ([`super::demo::scoped`]).
    #[prop_or_default]
    pub run: Option<usize>,
}

fn tags(lang: Lang, v: &DkimLessonView, run: Option<usize>) -> Html {
    html! {
        <table class="dkim-tags" id={scoped(run, "learn-dkim-tags")}>
            <thead><tr><th>{ tr(lang, "tag") }</th><th>{ tr(lang, "value") }</th><th>{ tr(lang, "meaning") }</th></tr></thead>
            <tbody>
                { for v.tags.iter().map(|t| html! {
                    <tr>
                        <td><code>{ format!("{}=", t.name) }</code></td>
                        <td><code class="wrap" data-data="">{ t.value.clone() }</code></td>
                        <td>{ tag_meaning(&t.name).map(|m| tr(lang, m)).unwrap_or_default() }</td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}

fn shown(lang: Lang, demo: DkimDemo, v: &DkimLessonView, run: Option<usize>) -> Html {
    let record = html! {
        <p class="muted">{ tr(lang, "Key record: ") }<code class="wrap" id={scoped(run, "learn-dkim-record")} data-data="">{ v.record.clone() }</code></p>
    };
    match demo {
        DkimDemo::Sign => html! {
            <>
                { tags(lang, v, run) }
                { record }
                <p class="muted">{ tr(lang, "The signed message:") }</p>
                <pre class="wire" id={scoped(run, "learn-dkim-message")} data-data="">{ v.message.clone() }</pre>
            </>
        },
        _ => html! {
            <>
                if let Some((before, after)) = &v.edit {
                    <p id={scoped(run, "learn-dkim-edit")}>{ tr(lang, "Edited after signing: ") }<code data-data="">{ before.clone() }</code>{" → "}<code data-data="">{ after.clone() }</code></p>
                }
                { record }
                { v.check.as_ref().map(|c| signature(lang, c)).unwrap_or_default() }
                <details>
                    <summary>{ tr(lang, "The message as checked") }</summary>
                    <pre class="wire" data-data="">{ v.message.clone() }</pre>
                </details>
            </>
        },
    }
}

/// A panel of the DKIM lesson.
#[function_component(DkimPanel)]
pub fn dkim_panel(props: &DkimPanelProps) -> Html {
    let lang = use_lang();
    let answer = use_state(|| None::<(DkimDemo, Result<DkimLessonView, WorkerError>)>);
    {
        let answer = answer.clone();
        use_effect_with(props.demo, move |demo| {
            let demo = *demo;
            if demo != DkimDemo::Composer {
                spawn_local(async move {
                    answer.set(Some((demo, worker::dkim_lesson(demo).await)));
                });
            }
        });
    }
    if props.demo == DkimDemo::Composer {
        return html! {
            <div class="learn-dkim" id={scoped(props.run, "learn-dkim")}>
                <p><a href={format!("#{}", View::Message.route())} id={scoped(props.run, "learn-dkim-composer")} class="button primary">{ tr(lang, "Open the composer and sign a message") }</a></p>
                <p class="muted">{ tr(lang, "In the composer, Sign with DKIM takes a PEM key or makes a test key, shows the record to publish, and opens the signed message in the inspector with the record pasted.") }</p>
            </div>
        };
    }
    html! {
        <div class="learn-dkim" id={scoped(props.run, "learn-dkim")}>
            { match &*answer {
                Some((demo, Ok(v))) if *demo == props.demo => shown(lang, *demo, v, props.run),
                Some((demo, Err(e))) if *demo == props.demo => html! { <ErrorNote error={Shown::of(e, lang)} id={scoped(props.run, "learn-dkim-error")} /> },
                _ => html! { <p class="muted">{ tr(lang, "Signing and verifying in the background worker…") }</p> },
            } }
        </div>
    }
}
