//! The last Try it, one labelled section per step ("Step 3 — The envelope"), each with the
//! transcript and findings of what that step did and its panel.

use std::rc::Rc;

use yew::prelude::*;

use super::demo::DemoPanel;
use crate::components::error::ErrorNote;
use crate::components::i18n::use_lang;
use crate::components::transcript::table::{NoteList, TranscriptTable};
use crate::state::error::Shown;
use crate::state::i18n::{tr, trf};
use crate::state::learn::lessons::LessonText;
use crate::state::learn::run::StepRun;

/// Properties of [`StepRuns`].
#[derive(Properties, PartialEq)]
pub struct StepRunsProps {
    /// The parts of the last run, in step order.
    pub runs: Rc<Vec<StepRun>>,
    /// The lesson's words (for the step titles).
    pub text: LessonText,
}

/// The element id of the section of step `n` (1-based).
pub fn section_id(n: usize) -> String {
    format!("learn-run-{n}")
}

/// Every step of the last run in its own section. When the whole lesson ran, every section is
/// open; after "Try this step", only that step's (the earlier ones are a click away).
#[function_component(StepRuns)]
pub fn step_runs(props: &StepRunsProps) -> Html {
    let lang = use_lang();
    let count = props.text.steps.len();
    let ran = props.runs.len();
    let whole = ran == count;
    html! {
        <>
            <p class="muted" id="learn-ran-to">{
                if whole { trf(lang, "Ran all {count} steps: each one's session is in its own section below.", &[("count", &count)]) }
                else { trf(lang, "Ran steps 1–{n} of {count}.", &[("n", &ran), ("count", &count)]) }
            }</p>
            { for props.runs.iter().map(|run| {
                let n = run.step + 1;
                let title = props.text.steps.get(run.step).map(|s| s.title).unwrap_or_default();
                html! {
                    <details class="step-run" id={section_id(n)} data-step={n.to_string()} open={whole || n == ran}>
                        <summary><h5 class="step-run-title">{ trf(lang, "Step {n} — {title}", &[("n", &n), ("title", &title)]) }</h5></summary>
                        if !run.errors.is_empty() {
                            <div class="lesson-errors">{ for run.errors.iter().map(|e| html! { <ErrorNote error={Shown::of(e, lang)} /> }) }</div>
                        }
                        if run.is_empty() {
                            <p class="muted">{ tr(lang, "This step sends nothing to the server: it explains.") }</p>
                        } else {
                            if run.connected && n > 1 {
                                <p class="muted">{ tr(lang, "This step opens a new connection.") }</p>
                            }
                            <TranscriptTable id={format!("learn-transcript-{n}")} rows={run.rows.clone()} lints={run.lints.clone()} />
                            <NoteList id={format!("learn-notes-{n}")} notes={run.notes.clone()} />
                        }
                        if let Some(demo) = &run.demo {
                            <DemoPanel view={demo.clone()} run={Some(n)} />
                        }
                    </details>
                }
            }) }
        </>
    }
}
