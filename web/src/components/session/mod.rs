//! The Session view: tabs for the session (the command bar over the live transcript), a
//! transcript import, and sharing; the in-browser server's settings are folded into the bar.

pub mod certificate;
pub mod controls;
pub mod drawers;
pub mod field;
pub mod relay;
pub mod server;
pub mod socket;
pub mod target;

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use crate::components::i18n::use_lang;
use crate::components::route::use_route;
use crate::components::share::{ShareButton, ShareSource};
use crate::components::transcript::export::ExportButtons;
use crate::components::transcript::import::ImportPanel;
use crate::components::transcript::ladder::LadderDiagram;
use crate::components::transcript::table::{NoteList, TranscriptTable};
use crate::services::{handoff, prefs};
use crate::state::i18n::{key, tr, trf};
use crate::state::session::bar::{last_command, suggested, written};
use crate::state::session::certificate::{trusted_from_text, trusted_to_text, TRUSTED_KEY};
use crate::state::session::error::SessionError;
use crate::state::session::form::SessionForm;
use crate::state::session::live::{TargetForm, TargetKind};
use crate::state::session::notes::{client_state_label, server_state_label};
use crate::state::session::{Action, SessionModel};
use crate::state::share::{self, ShareKind};

use certificate::CertificatePanel;
use controls::Controls;
use field::Check;
use relay::RelayStatusBar;
use server::ServerSettings;
use socket::{open_socket, send_all, Socket};
use target::TargetPicker;

/// The page clock, in milliseconds. Only components read it; the state gets it in actions.
pub fn now_ms() -> u64 {
    let now = js_sys::Date::now();
    if now.is_finite() && now > 0.0 {
        now as u64
    } else {
        0
    }
}

/// Sends what the session queued for the relay; a failure becomes the session's error.
fn flush(model: &RefCell<SessionModel>, socket: &Socket) {
    let out = model.borrow_mut().take_outbox();
    if !send_all(socket, &out) {
        model.borrow_mut().error = Some(SessionError::RelaySendFailed);
    }
}

/// The Session view.
#[function_component(SessionView)]
pub fn session_view() -> Html {
    let lang = use_lang();
    // A message the composer sent here ("Send to the sandbox"): taken once, when the view opens.
    let handed = use_state(handoff::take);
    let model = use_mut_ref(|| {
        let mut m = SessionModel::default();
        m.trusted = trusted_from_text(&prefs::stored(TRUSTED_KEY).unwrap_or_default());
        if handed.is_some() {
            m.apply(Action::SetTarget(TargetForm {
                kind: TargetKind::Sandbox,
                ..TargetForm::default()
            }));
        }
        m
    });
    let socket: Socket = use_mut_ref(|| None);
    let update = use_force_update();
    let form = use_state(|| {
        handed
            .as_ref()
            .map_or_else(SessionForm::default, SessionForm::for_outgoing)
    });
    let dispatch: Callback<Action> = {
        let model = model.clone();
        let socket = socket.clone();
        Callback::from(move |action: Action| {
            let trusted = model.borrow().trusted.clone();
            model.borrow_mut().apply(action);
            if model.borrow().trusted != trusted {
                prefs::store(TRUSTED_KEY, &trusted_to_text(&model.borrow().trusted));
            }
            flush(&model, &socket);
            update.force_update();
        })
    };
    {
        let socket = socket.clone();
        let dispatch = dispatch.clone();
        use_effect_with((), move |_| {
            open_socket(&socket, &dispatch);
            move || {
                socket.borrow_mut().take();
            }
        });
    }
    let on_reconnect = {
        let socket = socket.clone();
        let dispatch = dispatch.clone();
        Callback::from(move |()| open_socket(&socket, &dispatch))
    };
    let route = use_route();
    // A shared transcript (`#/session?share=…`) opens in the Import tab (which scrolls to it).
    let shared = matches!(
        share::from_fragment(&route.fragment),
        Some(Ok(ref s)) if s.kind == ShareKind::Transcript
    );
    let tab = use_state(|| if shared { Tab::Import } else { Tab::Session });
    {
        let tab = tab.clone();
        use_effect_with((route.fragment.clone(), shared), move |(_, shared)| {
            if *shared {
                tab.set(Tab::Import);
            }
        });
    }
    let m = model.borrow();
    let rows = Rc::new(m.rows());
    let relay = m.target.is_relay();
    let status = controls::Status {
        connected: m.is_connected(),
        client_state: m
            .client_state()
            .map(|s| tr(lang, client_state_label(s)).to_string())
            .unwrap_or_else(|| tr(lang, "not connected").into()),
        server_state: match (m.server_state(), m.peer()) {
            (Some(s), _) => tr(lang, server_state_label(s)).to_string(),
            (None, Some((peer, mx, _))) => match mx {
                Some(mx) => format!("{peer} ({mx})"),
                None => peer.clone(),
            },
            (None, None) => "—".into(),
        },
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
        round_trips: m.ladder.round_trips.len(),
        round_trips_saved: m.ladder.saved_by_pipelining,
        challenge: m.challenge.clone(),
        error: m.error.clone(),
        received: m.received.len(),
        relay,
        written: written(&rows),
        suggested: suggested(
            m.is_connected(),
            m.challenge.is_some(),
            m.is_authenticated(),
            last_command(&rows),
        ),
    };
    let whole_lints: Vec<_> = m.annotated.lints.clone();
    let export_text = AttrValue::from(m.export_text());
    let tab_button = |which: Tab, label: &'static str| {
        let tab = tab.clone();
        let selected = *tab == which;
        html! {
            <button type="button" role="tab" id={format!("session-tab-{}", which.id())} class="session-tab"
                aria-selected={selected.to_string()} aria-controls={format!("session-pane-{}", which.id())}
                onclick={Callback::from(move |_| tab.set(which))}>{ tr(lang, label) }</button>
        }
    };
    html! {
        <div class="session">
            <div class="session-tabs" id="session-tabs" role="tablist" aria-label={tr(lang, "Session")}>
                { tab_button(Tab::Session, key("Session")) }
                { tab_button(Tab::Import, key("Import a transcript")) }
                { tab_button(Tab::Share, key("Share")) }
            </div>
            <div class="session-pane" id="session-pane-session" role="tabpanel" aria-labelledby="session-tab-session" hidden={*tab != Tab::Session}>
                if let Some(out) = &*handed {
                    <p class="handoff" id="handoff-note">
                        { trf(lang, "The composed message is ready for the sandbox: from {from} to {n} recipient(s), without AUTH or STARTTLS.", &[("from", &out.from), ("n", &out.rcpts.len())]) }{" "}
                        <button type="button" id="handoff-send" onclick={{
                            let (d, form, handed) = (dispatch.clone(), form.clone(), handed.clone());
                            Callback::from(move |_| {
                                d.emit(Action::Run { plan: Box::new(form.plan()), now: now_ms() });
                                handed.set(None);
                            })
                        }}>{ tr(lang, "Send it now") }</button>
                        {" "}{ tr(lang, "The whole SMTP session appears below; the message then shows in the Mailbox.") }
                    </p>
                }
                // The relay's state matters only when the session goes through it.
                if relay {
                    <RelayStatusBar status={m.relay.clone()} {on_reconnect} />
                }
                <Controls form={form.clone()} status={status} dispatch={dispatch.clone()}>
                    <TargetPicker target={m.target.clone()} relay={m.relay.clone()} dispatch={dispatch.clone()} />
                    if !relay {
                        <ServerSettings
                            config={m.config.clone()}
                            users={m.users_text.clone()}
                            rules={m.rules_text.clone()}
                            errors={m.config_errors.clone()}
                            dispatch={dispatch.clone()} />
                    }
                </Controls>
                <section class="session-transcript" aria-labelledby="transcript-title">
                    if let Some(info) = m.tls_info() {
                        <CertificatePanel info={info.clone()} awaiting={m.awaiting_trust()}
                            sandbox={m.target.kind == TargetKind::Sandbox} dispatch={dispatch.clone()} />
                    }
                    <div class="transcript-head">
                        <h3 id="transcript-title">{ tr(lang, "Transcript") }</h3>
                        <Check id="reveal-secrets" label={tr(lang, "Show AUTH secrets")} checked={m.reveal_secrets}
                            onchange={dispatch.reform(Action::RevealSecrets)} />
                        <ExportButtons
                            text={export_text.clone()}
                            json={{
                                let model = model.clone();
                                Callback::from(move |()| model.borrow().export_source())
                            }}
                            name="session"
                            share={false} />
                    </div>
                    if rows.is_empty() {
                        <p class="muted">{ if relay {
                            tr(lang, "Press Connect (or Run whole transaction) to open a live session through the relay.")
                        } else {
                            tr(lang, "Press Connect (or Run whole transaction) to start a session with the in-browser server.")
                        } }</p>
                    }
                    <TranscriptTable id="transcript" rows={rows.clone()} lints={whole_lints} />
                    <LadderDiagram id="session-ladder" ladder={Rc::new(m.ladder.clone())} rows={rows.clone()} table="transcript" />
                    <NoteList notes={m.notes.clone()} />
                </section>
            </div>
            <div class="session-pane" id="session-pane-import" role="tabpanel" aria-labelledby="session-tab-import" hidden={*tab != Tab::Import}>
                <ImportPanel />
            </div>
            <div class="session-pane" id="session-pane-share" role="tabpanel" aria-labelledby="session-tab-share" hidden={*tab != Tab::Share}>
                <section class="panel share-session" aria-labelledby="share-title">
                    <h3 id="share-title">{ tr(lang, "Share this session") }</h3>
                    <p class="muted">{ tr(lang, "A link that holds the whole transcript as S:/C: lines: whoever opens it sees it annotated in the Import tab. An imported transcript is shared from the Import tab.") }</p>
                    if export_text.is_empty() {
                        <p class="muted" id="share-empty">{ tr(lang, "Nothing to share yet: run a session first.") }</p>
                    } else {
                        <ShareButton kind={ShareKind::Transcript} source={ShareSource::Text(export_text)} id="session-share" />
                    }
                </section>
            </div>
        </div>
    }
}

/// The Session view's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    Session,
    Import,
    Share,
}

impl Tab {
    fn id(self) -> &'static str {
        match self {
            Tab::Session => "session",
            Tab::Import => "import",
            Tab::Share => "share",
        }
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;
    use crate::components::test_support::{click, mount, wait_until};

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
        let root = mount::<SessionView>();
        wait_until("the Connect button", String::new, || {
            root.query_selector("#session-connect")
                .ok()
                .flatten()
                .is_some()
        })
        .await;
        assert!(wires(&root).is_empty(), "nothing before Connect");

        for (button, lines) in [
            ("#session-connect", 1),
            ("#btn-ehlo", 3),
            ("#btn-auth", 5),
            ("#btn-quit", 7),
        ] {
            click(&root, button).await;
            wait_until(
                &format!("{lines} transcript lines after {button}"),
                || format!("{:?}", wires(&root)),
                || wires(&root).len() >= lines,
            )
            .await;
        }
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
        // The ladder: the greeting, then EHLO, AUTH and QUIT, each a round trip.
        let summary = root
            .query_selector("#session-ladder > summary")
            .ok()
            .flatten()
            .and_then(|s| s.text_content())
            .unwrap_or_default();
        assert!(summary.contains(": 3 round trips"), "{summary}");
        let arrows = root
            .query_selector_all("#session-ladder button.arrow")
            .expect("query");
        assert_eq!(arrows.length(), 7, "one arrow per write");
        click(&root, "#session-ladder .ladder-trip button.arrow").await;
        let focused = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element())
            .map(|e| e.id())
            .unwrap_or_default();
        assert_eq!(focused, "transcript-entry-1", "the EHLO entry");
    }
}
