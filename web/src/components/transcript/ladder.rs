//! The ladder (sequence) diagram of a dialogue: client and server columns, one arrow per write,
//! round trips and pipelined groups bracketed, the TLS boundary marked, each round trip's time
//! when the session was live. Every figure is the core's
//! ([`mailscope_core::smtp::transcript::ladder`]); an arrow is a button that focuses (and so
//! scrolls to) the first transcript entry it carries.

use std::rc::Rc;

use mailscope_core::smtp::transcript::annotate;
use mailscope_core::smtp::transcript::ladder::{Arrow, Ladder, RoundTrip};
use mailscope_core::smtp::transcript::Direction;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::table::{entry_id, kind_label};
use crate::components::i18n::use_lang;
use crate::state::i18n::{tr, trf, Lang};
use crate::state::transcript::Row;

/// Most characters of an entry shown on an arrow.
const LABEL_CHARS: usize = 60;

/// Properties of [`LadderDiagram`].
#[derive(Properties, PartialEq)]
pub struct LadderProps {
    /// Element id.
    pub id: AttrValue,
    /// The core's ladder.
    pub ladder: Rc<Ladder>,
    /// The transcript's rows (one per entry), for the arrows' labels.
    pub rows: Rc<Vec<Row>>,
    /// The id of the [`super::table::TranscriptTable`] the arrows point into.
    pub table: AttrValue,
}

/// What an entry says on an arrow: a command's or reply's first line as sent, else its kind.
fn entry_label(lang: Lang, row: &Row) -> String {
    if row.kind.starts_with("command ") || row.kind.starts_with("reply ") {
        let line = row.wire.lines().next().unwrap_or_default();
        let line = line.trim_end_matches(['␍', '␊']);
        let mut out: String = line.chars().take(LABEL_CHARS).collect();
        if line.chars().count() > LABEL_CHARS {
            out.push('…');
        }
        out
    } else {
        kind_label(lang, &row.kind)
    }
}

/// The direction of an arrow and what it carried (the first line of each command or reply, as
/// sent).
fn arrow_label(lang: Lang, arrow: &Arrow, rows: &[Row]) -> (&'static str, String) {
    let mut parts: Vec<String> = arrow
        .entries
        .iter()
        .filter_map(|&i| rows.get(i))
        .map(|r| entry_label(lang, r))
        .collect();
    parts.dedup();
    let side = match arrow.direction {
        Direction::Client => tr(lang, "client → server"),
        Direction::Server => tr(lang, "server → client"),
    };
    (side, parts.join(" · "))
}

fn trip_label(lang: Lang, number: usize, trip: &RoundTrip) -> String {
    let mut text = trf(lang, "Round trip {n}", &[("n", &number)]);
    if trip.pipelined() {
        text.push_str(&trf(
            lang,
            " · pipelined: {commands} commands in one turn, {saved} round trips saved",
            &[("commands", &trip.commands), ("saved", &trip.saved())],
        ));
    }
    if let Some(ms) = trip.elapsed_ms {
        text.push_str(&trf(lang, " · {ms} ms", &[("ms", &ms)]));
    }
    text
}

/// Focuses the transcript entry `entry` of table `table` (which scrolls it into view).
fn select_entry(table: &str, entry: usize) {
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(&entry_id(table, entry)))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = element {
        let _ = element.focus();
    }
}

/// The ladder diagram, collapsible; its summary gives the round trips and what pipelining saved.
#[function_component(LadderDiagram)]
pub fn ladder_diagram(props: &LadderProps) -> Html {
    let lang = use_lang();
    let selected = use_state(|| None::<usize>);
    let ladder = &*props.ladder;
    if ladder.arrows.is_empty() {
        return html! {};
    }
    let arrow_html = |index: usize| -> Html {
        let Some(arrow) = ladder.arrows.get(index) else {
            return html! {};
        };
        let (heading, carried) = arrow_label(lang, arrow, &props.rows);
        let side = match arrow.direction {
            Direction::Client => "c2s",
            Direction::Server => "s2c",
        };
        let onclick = {
            let table = props.table.clone();
            let first = arrow.entries.first().copied();
            let selected = selected.clone();
            Callback::from(move |_: MouseEvent| {
                selected.set(Some(index));
                if let Some(entry) = first {
                    select_entry(&table, entry);
                }
            })
        };
        let is_selected = *selected == Some(index);
        html! {
            <li class={classes!("ladder-arrow", side, arrow.tls.then_some("tls"))}>
                <button type="button" class={classes!("arrow", is_selected.then_some("selected"))}
                    aria-pressed={is_selected.to_string()} title={format!("{heading}: {carried}")} {onclick}>
                    <span class="arrow-label">{ heading }{": "}<span data-data="">{ carried }</span></span>
                    if let Some(ms) = arrow.at_ms { <span class="arrow-time">{ format!("+{ms} ms") }</span> }
                </button>
            </li>
        }
    };
    let tls_mark = |index: usize| -> Html {
        if ladder.tls_from == Some(index) {
            html! { <li class="ladder-tls" role="separator">{ tr(lang, "TLS from here on (RFC 3207 §4.2)") }</li> }
        } else {
            html! {}
        }
    };
    // Blocks in order: arrows outside round trips one by one, each round trip as a group.
    let mut blocks: Vec<Html> = Vec::new();
    let mut index = 0;
    while index < ladder.arrows.len() {
        match ladder.arrows[index].round_trip {
            Some(t) => {
                let Some(trip) = ladder.round_trips.get(t) else {
                    break;
                };
                let inner_tls = (trip.first + 1..=trip.last).find(|&i| ladder.tls_from == Some(i));
                blocks.push(tls_mark(trip.first));
                blocks.push(html! {
                    <li class={classes!("ladder-trip", trip.pipelined().then_some("pipelined"))}>
                        <div class="trip-label">{ trip_label(lang, t + 1, trip) }</div>
                        <ol class="ladder-arrows">
                            { for (trip.first..=trip.last).map(|i| html! {
                                <>
                                    if inner_tls == Some(i) { { tls_mark(i) } }
                                    { arrow_html(i) }
                                </>
                            }) }
                        </ol>
                    </li>
                });
                index = trip.last + 1;
            }
            None => {
                blocks.push(tls_mark(index));
                blocks.push(html! { <li class="ladder-single"><ol class="ladder-arrows">{ arrow_html(index) }</ol></li> });
                index += 1;
            }
        }
    }
    let summary = trf(
        lang,
        "Ladder diagram: {n} round trips · saved by pipelining: {saved}",
        &[
            ("n", &ladder.round_trips.len()),
            ("saved", &ladder.saved_by_pipelining),
        ],
    );
    html! {
        <details class="ladder" id={props.id.clone()}>
            <summary>{ summary }</summary>
            if !ladder.writes_known {
                <p class="muted">{ tr(lang, "The writes were not recorded: consecutive client lines are taken as one write, each reply as one.") }</p>
            }
            <div class="ladder-heads" aria-hidden="true">
                <span>{ tr(lang, "Client") }</span>
                <span>{ tr(lang, "Server") }</span>
            </div>
            <ol class="ladder-steps">{ for blocks }</ol>
        </details>
    }
}

/// Properties of [`TextLadder`].
#[derive(Properties, PartialEq)]
pub struct TextLadderProps {
    /// Element id.
    pub id: AttrValue,
    /// A recorded transcript (its writes are inferred).
    pub input: Rc<Vec<u8>>,
    /// Its rows, as the table shows them.
    pub rows: Rc<Vec<Row>>,
    /// The id of the table the arrows point into.
    pub table: AttrValue,
}

/// The ladder of a recorded transcript, read by the core once per input.
#[function_component(TextLadder)]
pub fn text_ladder(props: &TextLadderProps) -> Html {
    let ladder = use_memo(props.input.clone(), |input| {
        Ladder::inferred(&annotate(input))
    });
    html! {
        <LadderDiagram id={props.id.clone()} {ladder} rows={props.rows.clone()} table={props.table.clone()} />
    }
}
