//! One lesson: its steps (prev/next), the step's text and panel, and the Try it transcript.

use std::rc::Rc;

use mailscope_core::lint::Lint;
use yew::prelude::*;

use super::demo::DemoPanel;
use crate::components::error::ErrorNote;
use crate::components::i18n::use_lang;
use crate::components::session::now_ms;
use crate::components::transcript::table::{NoteList, TranscriptTable};
use crate::state::error::Shown;
use crate::state::i18n::{tr, trf};
use crate::state::learn::demo::DemoView;
use crate::state::learn::error::LearnError;
use crate::state::learn::lessons::{paragraphs, LessonText};
use crate::state::learn::script::{Lesson, LESSONS};
use crate::state::learn::{fragment_for, LearnAction};
use crate::state::session::notes::Note;
use crate::state::transcript::Row;

/// What the page shows of the last Try it.
#[derive(Clone, PartialEq)]
pub struct Run {
    /// Transcript rows.
    pub rows: Rc<Vec<Row>>,
    /// Session events.
    pub notes: Vec<Note>,
    /// Findings about the whole dialogue.
    pub lints: Vec<Lint>,
    /// Up to which step it ran.
    pub ran_to: usize,
    /// Ops the session refused.
    pub errors: Vec<LearnError>,
}

/// Properties of [`LessonPage`].
#[derive(Properties, PartialEq)]
pub struct LessonPageProps {
    /// Index in [`LESSONS`].
    pub index: usize,
    /// The script.
    pub lesson: Lesson,
    /// The words.
    pub text: LessonText,
    /// The step shown.
    pub step: usize,
    /// The step's panel, if it has one.
    pub demo: Option<DemoView>,
    /// The last Try it.
    pub run: Option<Run>,
    /// Actions.
    pub dispatch: Callback<LearnAction>,
}

fn body_view(body: &str) -> Html {
    html! {
        { for paragraphs(body).into_iter().map(|runs| html! {
            <p>{ for runs.into_iter().map(|(t, code)| if code {
                html! { <code>{ t }</code> }
            } else {
                html! { { t } }
            }) }</p>
        }) }
    }
}

/// A lesson page.
#[function_component(LessonPage)]
pub fn lesson_page(props: &LessonPageProps) -> Html {
    let lang = use_lang();
    let d = &props.dispatch;
    let send = |a: LearnAction| {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.emit(a.clone()))
    };
    let try_step = {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.emit(LearnAction::TryStep { now: now_ms() }))
    };
    let try_all = {
        let d = d.clone();
        Callback::from(move |_: MouseEvent| d.emit(LearnAction::TryAll { now: now_ms() }))
    };
    // Arrow keys step through the lesson while focus is inside it (buttons and links only:
    // there are no text fields here to steal the keys from).
    let on_key = {
        let d = d.clone();
        Callback::from(move |e: KeyboardEvent| {
            let action = match e.key().as_str() {
                "ArrowRight" => LearnAction::Next,
                "ArrowLeft" => LearnAction::Prev,
                _ => return,
            };
            e.prevent_default();
            d.emit(action);
        })
    };
    let count = props.lesson.steps.len();
    let last = count.saturating_sub(1);
    let step_text = props.text.steps.get(props.step);
    let has_ops = props
        .lesson
        .steps
        .iter()
        .take(props.step + 1)
        .any(|s| !s.ops.is_empty());
    html! {
        <article class="lesson" data-lesson={props.lesson.id} onkeydown={on_key}>
            <p class="lesson-back"><a href="#/learn" id="learn-back">{ tr(lang, "← All lessons") }</a></p>
            <h3 id="lesson-title">{ format!("{}. {}", props.index + 1, props.text.title) }</h3>
            <p class="muted lesson-refs">{ props.text.references }</p>
            <nav class="lesson-steps" aria-label={tr(lang, "Steps of this lesson (← and → keys step)")}>
                <ol>
                    { for props.text.steps.iter().enumerate().map(|(i, s)| html! {
                        <li>
                            <button type="button" class={classes!("step-link", (i == props.step).then_some("current"))}
                                aria-current={(i == props.step).then_some("step")}
                                onclick={send(LearnAction::Goto(i))}>{ format!("{} {}", i + 1, s.title) }</button>
                        </li>
                    }) }
                </ol>
            </nav>
            <div class="lesson-body">
                <section class="lesson-step" aria-live="polite">
                    if let Some(s) = step_text {
                        <h4 id="step-title">{ trf(lang, "Step {n} of {count}: {title}", &[("n", &(props.step + 1)), ("count", &count), ("title", &s.title)]) }</h4>
                        { body_view(s.body) }
                    }
                    <div class="button-row lesson-buttons">
                        <button type="button" id="learn-prev" disabled={props.step == 0} onclick={send(LearnAction::Prev)}>{ tr(lang, "← Previous") }</button>
                        <button type="button" id="learn-next" disabled={props.step >= last} onclick={send(LearnAction::Next)}>{ tr(lang, "Next →") }</button>
                        <button type="button" id="learn-try-step" class="primary" disabled={!has_ops} onclick={try_step}>{ tr(lang, "Try this step") }</button>
                        <button type="button" id="learn-try" onclick={try_all}>{ tr(lang, "Try it: whole lesson") }</button>
                    </div>
                    if props.step >= last {
                        if let Some(next) = LESSONS.get(props.index + 1) {
                            <p><a href={format!("#{}", fragment_for(props.index + 1))} id="learn-next-lesson" data-lesson={next.id}>{ tr(lang, "Next lesson →") }</a></p>
                        }
                    }
                </section>
                if let Some(demo) = &props.demo {
                    <DemoPanel view={demo.clone()} />
                }
            </div>
            <section class="lesson-run" aria-labelledby="learn-transcript-title">
                <h4 id="learn-transcript-title">{ tr(lang, "Try it: the in-browser server") }</h4>
                { match &props.run {
                    None => html! { <p class="muted">{ tr(lang, "Press a Try button: the lesson's commands run against the in-browser SMTP server (the same one as the Session view), and every byte appears here with the core's explanation.") }</p> },
                    Some(run) => html! {
                        <>
                            <p class="muted" id="learn-ran-to">{ trf(lang, "Ran steps 1–{n} of {count}.", &[("n", &(run.ran_to + 1)), ("count", &count)]) }</p>
                            if !run.errors.is_empty() {
                                <div class="lesson-errors">{ for run.errors.iter().map(|e| html! { <ErrorNote error={Shown::of(e, lang)} /> }) }</div>
                            }
                            <TranscriptTable id="learn-transcript" rows={run.rows.clone()} lints={run.lints.clone()} />
                            <NoteList notes={run.notes.clone()} />
                        </>
                    },
                } }
            </section>
        </article>
    }
}
