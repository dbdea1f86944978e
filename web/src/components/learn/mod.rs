//! The Learn view: the lesson list, and a lesson page whose "Try it" runs the lesson's script on
//! the Session view's reducer and shows it with the Session view's transcript components.

pub mod alignment;
pub mod demo;
pub mod dkim;
pub mod lesson;
pub mod run;

use yew::prelude::*;

use std::rc::Rc;

use crate::components::i18n::use_lang;
use crate::components::route::use_route;
use crate::components::session::now_ms;
use crate::components::session::socket::{open_socket, send_all, Socket};
use crate::services::prefs::{lesson_progress, remember_lesson_progress};
use crate::state::i18n::{tr, trf};
use crate::state::learn::demo::demo_view;
use crate::state::learn::progress::Progress;
use crate::state::learn::sandbox::blocker;
use crate::state::learn::script::LESSONS;
use crate::state::learn::{fragment_for, lesson_from_fragment, texts, LearnAction, LearnModel};
use crate::state::session::live::SocketEvent;
use crate::state::session::Action;

use lesson::{LessonPage, SandboxProps};

/// The Learn view.
#[function_component(LearnView)]
pub fn learn_view() -> Html {
    let fragment = use_route().fragment;
    let model = use_mut_ref(|| {
        // Which steps were run is kept in this browser between visits.
        let progress =
            lesson_progress().map_or_else(Progress::default, |t| Progress::from_stored(&t));
        let mut m = LearnModel::with_progress(progress);
        if let Some(i) = lesson_from_fragment(&fragment) {
            m.apply(LearnAction::Open(i));
        }
        m
    });
    let update = use_force_update();
    // The relay socket, opened when the reader chooses the sandbox.
    let socket: Socket = use_mut_ref(|| None);
    let dispatch: Callback<LearnAction> = {
        let model = model.clone();
        let update = update.clone();
        let socket = socket.clone();
        Callback::from(move |action: LearnAction| {
            let mut m = model.borrow_mut();
            let before = m.progress.clone();
            m.apply(action);
            if m.progress != before {
                remember_lesson_progress(&m.progress.to_stored());
            }
            let out = m.take_outbox();
            if !send_all(&socket, &out) {
                // The socket closed under the run: the session learns it as a closed socket.
                m.apply(LearnAction::Relay {
                    action: Action::Socket(SocketEvent::Closed {
                        code: 1006,
                        reason: String::new(),
                        was_open: true,
                    }),
                    now: now_ms(),
                });
            }
            drop(m);
            update.force_update();
        })
    };
    let relay_dispatch: Callback<Action> = dispatch.reform(|action| LearnAction::Relay {
        action,
        now: now_ms(),
    });
    let use_sandbox = model.borrow().use_sandbox;
    {
        let socket = socket.clone();
        let relay_dispatch = relay_dispatch.clone();
        use_effect_with(use_sandbox, move |on| {
            if *on && socket.borrow().is_none() {
                open_socket(&socket, &relay_dispatch);
            }
        });
    }
    {
        // The socket closes with the view.
        let socket = socket.clone();
        use_effect_with((), move |_| move || drop(socket.borrow_mut().take()));
    }
    let on_reconnect = {
        let socket = socket.clone();
        Callback::from(move |()| open_socket(&socket, &relay_dispatch))
    };
    {
        // The lesson links are plain links: follow the fragment (also back/forward).
        let dispatch = dispatch.clone();
        let model = model.clone();
        use_effect_with(fragment, move |fragment| {
            let wanted = lesson_from_fragment(fragment);
            let open = model.borrow().lesson;
            if wanted != open {
                dispatch.emit(match wanted {
                    Some(i) => LearnAction::Open(i),
                    None => LearnAction::Close,
                });
            }
        });
    }
    let lang = use_lang();
    let texts = texts(lang);
    let m = model.borrow();
    match (m.lesson, m.current()) {
        (Some(index), Some(lesson)) => match texts.get(index) {
            Some(text) => {
                // The step's panel as its part of the last run left it, else from its data.
                let demo = lesson.steps.get(m.step).and_then(|s| s.demo).map(|d| {
                    m.run_of(m.step)
                        .and_then(|r| r.demo.clone())
                        .unwrap_or_else(|| demo_view(d, None))
                });
                let done = Rc::new(
                    (0..lesson.steps.len())
                        .map(|s| m.progress.step_done(index, s))
                        .collect::<Vec<_>>(),
                );
                let sandbox = SandboxProps {
                    chosen: m.use_sandbox,
                    blocker: blocker(lesson),
                    relay: m
                        .sandbox
                        .as_ref()
                        .map(|r| r.session.relay.clone())
                        .unwrap_or_default(),
                    running: m
                        .sandbox
                        .as_ref()
                        .and_then(|r| r.runner.as_ref())
                        .and_then(|r| r.current_step()),
                    ran_here: m.ran_on_sandbox,
                    on_reconnect,
                };
                html! {
                    <LessonPage {index} lesson={*lesson} text={*text} step={m.step}
                        {demo} runs={Rc::new(m.runs.clone())} {done} {sandbox} dispatch={dispatch.clone()} />
                }
            }
            None => {
                html! { <p class="error" role="alert">{ tr(lang, "This lesson has no text in this language.") }</p> }
            }
        },
        _ => {
            let reset = {
                let dispatch = dispatch.clone();
                Callback::from(move |_: MouseEvent| dispatch.emit(LearnAction::ResetProgress))
            };
            html! {
                <>
                    <ol class="lesson-list" id="lesson-list">
                        { for LESSONS.iter().enumerate().filter_map(|(i, l)| texts.get(i).map(|t| (i, l, t))).map(|(i, l, t)| {
                            let ran = m.progress.steps_done(i);
                            let finished = m.progress.lesson_done(i);
                            html! {
                                <li class={classes!(finished.then_some("done"))} data-lesson={l.id}>
                                    <a class="lesson-link" href={format!("#{}", fragment_for(i))} data-lesson={l.id}>
                                        <span class="lesson-number">{ if finished { "✓".to_string() } else { (i + 1).to_string() } }</span>
                                        <span class="lesson-title">{ t.title }</span>
                                    </a>
                                    <p class="lesson-summary">{ t.summary }</p>
                                    <p class="muted lesson-refs">{ t.references }</p>
                                    if ran > 0 {
                                        <p class="lesson-done">{
                                            if finished { tr(lang, "Done: every step run.").to_string() }
                                            else { trf(lang, "{done} of {count} steps run", &[("done", &ran), ("count", &l.steps.len())]) }
                                        }</p>
                                    }
                                </li>
                            }
                        }) }
                    </ol>
                    <p class="muted learn-progress-note">
                        { tr(lang, "Which steps you ran is kept in this browser only.") }{" "}
                        <button type="button" id="learn-reset-progress" disabled={m.progress.is_empty()} onclick={reset}>{ tr(lang, "Forget my progress") }</button>
                    </p>
                </>
            }
        }
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;
    use crate::components::test_support::{click, mount, text, wait_until};

    #[wasm_bindgen_test]
    async fn a_lesson_link_opens_the_lesson_and_try_it_pipelines() {
        let window = web_sys::window().expect("window");
        let _ = window.location().set_hash("/learn");
        let root = mount::<LearnView>();
        let count = || {
            root.query_selector_all(".lesson-link")
                .map(|l| l.length())
                .unwrap_or_default()
        };
        wait_until(
            "every lesson listed",
            || count().to_string(),
            || count() == LESSONS.len() as u32,
        )
        .await;

        click(&root, "a.lesson-link[data-lesson='pipelining']").await;
        wait_until(
            "the lesson opens",
            || text(&root, "#lesson-title"),
            || text(&root, "#lesson-title").contains("Pipelining"),
        )
        .await;
        click(&root, "#learn-next").await;
        click(&root, "#learn-try-step").await;
        wait_until(
            "the round trips saved",
            || text(&root, ".demo-rtt"),
            || text(&root, ".demo-rtt").contains("Saved by pipelining: 3"),
        )
        .await;
        let wires = || -> Vec<String> {
            let nodes = root
                .query_selector_all("#learn-transcript-2 pre.wire")
                .expect("query");
            (0..nodes.length())
                .filter_map(|i| nodes.item(i))
                .map(|n| n.text_content().unwrap_or_default())
                .collect()
        };
        wait_until(
            "the refused recipient in the transcript",
            || format!("{:?}", wires()),
            || wires().iter().any(|w| w.starts_with("550 5.1.1")),
        )
        .await;
        click(&root, "#learn-back").await;
        wait_until("back to the list", String::new, || {
            root.query_selector("#lesson-list").ok().flatten().is_some()
        })
        .await;
        let _ = window.location().set_hash("");
    }
}
