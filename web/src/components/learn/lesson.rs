//! One lesson: its steps (prev/next), the step's text and panel, and the Try it transcript.

use std::rc::Rc;

use yew::prelude::*;

use super::demo::DemoPanel;
use super::run::StepRuns;
use crate::components::i18n::use_lang;
use crate::components::session::now_ms;
use crate::components::session::relay::RelayStatusBar;
use crate::state::i18n::{tr, trf, Lang};
use crate::state::learn::demo::DemoView;
use crate::state::learn::lessons::{paragraphs, LessonText};
use crate::state::learn::run::StepRun;
use crate::state::learn::sandbox::Blocker;
use crate::state::learn::script::{Lesson, LESSONS};
use crate::state::learn::{fragment_for, LearnAction};
use crate::state::session::live::RelayStatus;

/// Properties of [`LessonPage`].
#[derive(Properties, PartialEq)]
pub struct LessonPageProps {
    /// Index in [`LESSONS`].
    pub index: usize,
    /// The script.
    pub lesson: Lesson,
    /// The words.
    pub text: LessonText,
    /// The step shown; the step count once the whole lesson ran.
    pub step: usize,
    /// The step's panel, if it has one.
    pub demo: Option<DemoView>,
    /// The last Try it, one part per step that ran.
    pub runs: Rc<Vec<StepRun>>,
    /// Which steps the reader ran (this visit or an earlier one).
    pub done: Rc<Vec<bool>>,
    /// Running on the sandbox instead of the in-browser server.
    pub sandbox: SandboxProps,
    /// Actions.
    pub dispatch: Callback<LearnAction>,
}

/// What the lesson page shows about running on the sandbox.
#[derive(Clone, PartialEq)]
pub struct SandboxProps {
    /// The reader chose the sandbox.
    pub chosen: bool,
    /// Why this lesson runs on the in-browser server only.
    pub blocker: Option<Blocker>,
    /// The relay socket's state.
    pub relay: RelayStatus,
    /// The step under way while a run on the sandbox waits for answers.
    pub running: Option<usize>,
    /// The last run went to the sandbox.
    pub ran_here: bool,
    /// Open the relay socket again.
    pub on_reconnect: Callback<()>,
}

/// The choice of server, why the sandbox cannot run this lesson, and the relay's state.
fn server_choice(lang: Lang, props: &LessonPageProps) -> Html {
    let sb = &props.sandbox;
    let choose = |on: bool| {
        let d = props.dispatch.clone();
        Callback::from(move |_: Event| d.emit(LearnAction::UseSandbox(on)))
    };
    if sb.blocker == Some(Blocker::NothingToSend) {
        return Html::default();
    }
    let usable = sb.blocker.is_none();
    html! {
        <fieldset class="lesson-server" id="learn-server">
            <legend>{ tr(lang, "Run the Try buttons on") }</legend>
            <label><input type="radio" name="learn-server" id="learn-server-browser" checked={!sb.chosen || !usable} onchange={choose(false)} />
                { tr(lang, "the in-browser server") }</label>
            <label><input type="radio" name="learn-server" id="learn-server-sandbox" checked={sb.chosen && usable} disabled={!usable} onchange={choose(true)} />
                { tr(lang, "the sandbox of mailscope serve (a real SMTP server, through the relay)") }</label>
            if let Some(why) = sb.blocker.as_ref().and_then(|b| b.why(lang)) {
                <p class="muted" id="learn-sandbox-why">{ why }</p>
            } else if sb.chosen {
                <RelayStatusBar status={sb.relay.clone()} on_reconnect={sb.on_reconnect.clone()} />
            }
        </fieldset>
    }
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
    let finished = props.step >= count;
    let step_text = props.text.steps.get(props.step);
    let has_ops = props
        .lesson
        .steps
        .iter()
        .take(props.step + 1)
        .any(|s| !s.ops.is_empty());
    let done_steps = props.done.iter().filter(|d| **d).count();
    // A lesson of panels only (DKIM, alignment) talks to no server: its Try fills the panels.
    let sends = props.lesson.steps.iter().any(|s| !s.ops.is_empty());
    let running = props.sandbox.running.is_some();
    html! {
        <article class="lesson" data-lesson={props.lesson.id} onkeydown={on_key}>
            <p class="lesson-back"><a href="#/learn" id="learn-back">{ tr(lang, "← All lessons") }</a></p>
            <h3 id="lesson-title">{ format!("{}. {}", props.index + 1, props.text.title) }</h3>
            <p class="muted lesson-refs">{ props.text.references }</p>
            <nav class="lesson-steps" aria-label={tr(lang, "Steps of this lesson (← and → keys step)")}>
                <ol>
                    { for props.text.steps.iter().enumerate().map(|(i, s)| {
                        let ran = props.done.get(i).copied().unwrap_or_default();
                        html! {
                            <li>
                                <button type="button" class={classes!("step-link", (i == props.step).then_some("current"), ran.then_some("done"))}
                                    aria-current={(i == props.step).then_some("step")}
                                    onclick={send(LearnAction::Goto(i))}>
                                    { format!("{} {}", i + 1, s.title) }
                                    if ran { <span class="done-mark" title={tr(lang, "This step ran")}>{" ✓"}</span> }
                                </button>
                            </li>
                        }
                    }) }
                </ol>
                <p class="muted lesson-progress" id="learn-progress">{ trf(lang, "{done} of {count} steps run", &[("done", &done_steps), ("count", &count)]) }</p>
            </nav>
            <div class="lesson-body">
                <section class="lesson-step" aria-live="polite">
                    if let Some(s) = step_text {
                        <h4 id="step-title">{ trf(lang, "Step {n} of {count}: {title}", &[("n", &(props.step + 1)), ("count", &count), ("title", &s.title)]) }</h4>
                        { body_view(s.body) }
                    } else {
                        <h4 id="step-title">{ tr(lang, "Lesson done") }</h4>
                        <p>{ trf(lang, "All {count} steps ran. Each step's session is below, under its own heading; choose a step above to read it again.", &[("count", &count)]) }</p>
                    }
                    <div class="button-row lesson-buttons">
                        <button type="button" id="learn-prev" disabled={props.step == 0} onclick={send(LearnAction::Prev)}>{ tr(lang, "← Previous") }</button>
                        <button type="button" id="learn-next" disabled={props.step >= last} onclick={send(LearnAction::Next)}>{ tr(lang, "Next →") }</button>
                        <button type="button" id="learn-try-step" class="primary" disabled={finished || !has_ops || running} onclick={try_step}>{ tr(lang, "Try this step") }</button>
                        <button type="button" id="learn-try" disabled={running} onclick={try_all}>{ tr(lang, "Try it: whole lesson") }</button>
                    </div>
                    { server_choice(lang, props) }
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
                <h4 id="learn-transcript-title">{
                    if !sends { tr(lang, "Try it: the panels") }
                    else if props.sandbox.ran_here { tr(lang, "Try it: the sandbox of mailscope serve") }
                    else { tr(lang, "Try it: the in-browser server") }
                }</h4>
                if let Some(step) = props.sandbox.running {
                    <p class="lesson-running" id="learn-running" role="status">
                        { trf(lang, "Running on the sandbox: step {n} of {count}, waiting for the server…", &[("n", &(step + 1)), ("count", &count)]) }{" "}
                        <button type="button" id="learn-stop" onclick={send(LearnAction::StopSandbox)}>{ tr(lang, "Stop") }</button>
                    </p>
                }
                if props.runs.is_empty() && props.sandbox.running.is_none() {
                    <p class="muted">{ if !sends {
                        tr(lang, "This lesson sends nothing to a server: “Try it: whole lesson” shows every step's panel, each computed by the core in the background worker.")
                    } else if props.sandbox.chosen && props.sandbox.blocker.is_none() {
                        tr(lang, "Press a Try button: the lesson's commands go to the sandbox of mailscope serve through the relay, each after the server's answer to the one before, and every byte appears here with the core's explanation.")
                    } else {
                        tr(lang, "Press a Try button: the lesson's commands run against the in-browser SMTP server (the same one as the Session view), and every byte appears here with the core's explanation.")
                    } }</p>
                } else if !props.runs.is_empty() {
                    <StepRuns runs={props.runs.clone()} text={props.text} />
                }
            </section>
        </article>
    }
}
