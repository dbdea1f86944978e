//! The Session view: the in-browser server, the command forms and the live transcript.

pub mod controls;
pub mod field;
pub mod server;

use std::rc::Rc;

use yew::prelude::*;

use crate::components::transcript::export::ExportButtons;
use crate::components::transcript::import::ImportPanel;
use crate::components::transcript::table::{NoteList, TranscriptTable};
use crate::state::session::{Action, SessionForm, SessionModel};

use controls::Controls;
use server::ServerSettings;

/// The page clock, in milliseconds. Only components read it; the state gets it in actions.
pub fn now_ms() -> u64 {
    let now = js_sys::Date::now();
    if now.is_finite() && now > 0.0 {
        now as u64
    } else {
        0
    }
}

/// The Session view.
#[function_component(SessionView)]
pub fn session_view() -> Html {
    let model = use_mut_ref(SessionModel::default);
    let update = use_force_update();
    let form = use_state(SessionForm::default);
    let dispatch: Callback<Action> = {
        let model = model.clone();
        Callback::from(move |action: Action| {
            model.borrow_mut().apply(action);
            update.force_update();
        })
    };
    let m = model.borrow();
    let rows = Rc::new(m.rows());
    let status = controls::Status {
        connected: m.is_connected(),
        client_state: m
            .client_state()
            .map(|s| format!("{s:?}").to_lowercase())
            .unwrap_or_else(|| "not connected".into()),
        server_state: m
            .server_state()
            .map(|s| format!("{s:?}").to_lowercase())
            .unwrap_or_else(|| "—".into()),
        tls: m.is_tls(),
        authenticated: m.is_authenticated(),
        ready_for_data: m.ready_for_data(),
        pipelining: m.pipelining,
        group: m
            .group
            .iter()
            .map(|c| {
                c.to_bytes()
                    .map(|b| String::from_utf8_lossy(&b).trim_end().to_string())
                    .unwrap_or_else(|e| e.to_string())
            })
            .collect(),
        round_trips: m.round_trips,
        round_trips_saved: m.round_trips_saved,
        challenge: m.challenge.clone(),
        error: m.error.clone(),
        received: m.received.len(),
    };
    let whole_lints: Vec<_> = m.annotated.lints.clone();
    html! {
        <div class="session">
            <div class="session-side">
                <ServerSettings
                    config={m.config.clone()}
                    users={m.users_text.clone()}
                    rules={m.rules_text.clone()}
                    errors={m.config_errors.clone()}
                    dispatch={dispatch.clone()} />
                <Controls form={form.clone()} status={status} dispatch={dispatch.clone()} />
            </div>
            <section class="session-transcript" aria-labelledby="transcript-title">
                <div class="transcript-head">
                    <h3 id="transcript-title">{"Transcript"}</h3>
                    <ExportButtons
                        text={AttrValue::from(m.export_text())}
                        json={AttrValue::from(m.export_json())}
                        name="session" />
                </div>
                if rows.is_empty() {
                    <p class="muted">{"Press Connect (or Run whole transaction) to start a session with the in-browser server."}</p>
                }
                <TranscriptTable id="transcript" rows={rows.clone()} lints={whole_lints} />
                <NoteList notes={m.notes.clone()} />
            </section>
            <ImportPanel />
        </div>
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use std::time::Duration;

    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    async fn click(root: &web_sys::Element, css: &str) {
        let el = root
            .query_selector(css)
            .expect("query")
            .unwrap_or_else(|| panic!("no {css}"));
        el.dyn_into::<web_sys::HtmlElement>()
            .expect("html element")
            .click();
        yew::platform::time::sleep(Duration::from_millis(30)).await;
    }

    fn wires(root: &web_sys::Element) -> Vec<String> {
        let list = root
            .query_selector_all("#transcript pre.wire")
            .expect("query");
        (0..list.length())
            .filter_map(|i| list.item(i))
            .map(|n| n.text_content().unwrap_or_default())
            .collect()
    }

    #[wasm_bindgen_test]
    async fn buttons_drive_the_in_browser_server() {
        let document = web_sys::window()
            .and_then(|w| w.document())
            .expect("document");
        let root = document.create_element("div").expect("div");
        document
            .body()
            .expect("body")
            .append_child(&root)
            .expect("append");
        yew::Renderer::<SessionView>::with_root(root.clone()).render();
        yew::platform::time::sleep(Duration::from_millis(50)).await;
        assert!(wires(&root).is_empty(), "nothing before Connect");

        click(&root, "#session-connect").await;
        click(&root, "#btn-ehlo").await;
        click(&root, "#btn-auth").await;
        click(&root, "#btn-quit").await;
        let w = wires(&root);
        let starts: Vec<&str> = w.iter().map(|s| s.get(..3).unwrap_or(s)).collect();
        assert_eq!(
            starts,
            ["220", "EHL", "250", "AUT", "235", "QUI", "221"],
            "transcript: {w:?}"
        );
        assert!(w[1].ends_with("CRLF\n"), "visible CRLF: {:?}", w[1]);
        let lints = root.query_selector_all(".lint-code").expect("query");
        let codes: Vec<String> = (0..lints.length())
            .filter_map(|i| lints.item(i))
            .map(|n| n.text_content().unwrap_or_default())
            .collect();
        assert!(
            codes.iter().any(|c| c == "smtp.auth-without-tls"),
            "lints inline: {codes:?}"
        );
    }
}
