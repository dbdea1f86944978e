//! The Mailbox view: the sandbox server's messages, live, with the selected one's envelope,
//! transcript and inspector.

pub mod detail;
pub mod list;
pub mod status;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use yew::platform::spawn_local;
use yew::prelude::*;

use crate::components::error::ErrorNote;
use crate::components::i18n::use_lang;
use crate::services::api::{self, Cancel};
use crate::services::worker::{JobEvent, JobInput, ParseJob};
use crate::state::error::Shown;
use crate::state::mailbox::{
    follow, inspect_name, next_backoff, search, Action, ApiError, Follow, LinkState, MailboxError,
    MailboxState,
};
use crate::state::message::Doc;

/// The state held by Yew's reducer hook.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Store(pub MailboxState);

impl Reducible for Store {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = Rc::unwrap_or_clone(self);
        next.0.reduce(action);
        Rc::new(next)
    }
}

type Dispatch = UseReducerDispatcher<Store>;

/// How long typing must pause before a search runs.
const SEARCH_PAUSE: Duration = Duration::from_millis(250);

/// Loads the list; `false` if it failed (the failure is in the state).
async fn load_list(token: &str, cancel: &Cancel, d: &Dispatch) -> bool {
    match api::list(token, cancel).await {
        Ok(list) => {
            // From, To and Subject come decoded in the metadata: no /raw per message.
            d.dispatch(Action::Listed(list));
            true
        }
        Err(e) => {
            if !cancel.cancelled() {
                d.dispatch(Action::ListFailed(e));
            }
            false
        }
    }
}

/// A new message: its metadata (with the decoded headline).
async fn fetch_arrival(id: u64, token: String, cancel: Cancel, d: Dispatch) {
    if let Ok(Some(meta)) = api::meta(id, &token, &cancel).await {
        d.dispatch(Action::Arrived(Box::new(meta)));
    }
}

/// Loads the list, then follows `/api/events`, reconnecting with backoff (and reloading the
/// list, as events may have been missed) until `cancel` fires. Stops, showing why, when the
/// list cannot be reloaded, the token is refused or the sandbox is off.
async fn follow_mailbox(token: String, cancel: Cancel, d: Dispatch) {
    d.dispatch(Action::Loading);
    if !load_list(&token, &cancel, &d).await {
        return;
    }
    let mut backoff: Option<u32> = None;
    loop {
        let opened = Rc::new(std::cell::Cell::new(false));
        let result = {
            let (d1, d2, opened2) = (d.clone(), d.clone(), opened.clone());
            let (token2, cancel2) = (token.clone(), cancel.clone());
            api::events(
                &token,
                &cancel,
                move || {
                    opened2.set(true);
                    d1.dispatch(Action::StreamUp);
                },
                move |event| {
                    d2.dispatch(Action::Event(event.clone()));
                    match follow(&event) {
                        Follow::Nothing => {}
                        Follow::Fetch(id) => spawn_local(fetch_arrival(
                            id,
                            token2.clone(),
                            cancel2.clone(),
                            d2.clone(),
                        )),
                        Follow::Reload => {
                            let (t, c, d) = (token2.clone(), cancel2.clone(), d2.clone());
                            spawn_local(async move {
                                load_list(&t, &c, &d).await;
                            });
                        }
                    }
                },
            )
            .await
        };
        if cancel.cancelled() {
            return;
        }
        if let Err(e @ (ApiError::Forbidden(_) | ApiError::SandboxOff(_))) = result {
            d.dispatch(Action::ListFailed(MailboxError::Api(e)));
            return;
        }
        if opened.get() {
            backoff = None;
        }
        let delay = next_backoff(backoff);
        backoff = Some(delay);
        d.dispatch(Action::StreamDown { in_ms: delay });
        yew::platform::time::sleep(Duration::from_millis(u64::from(delay))).await;
        if cancel.cancelled() {
            return;
        }
        // Catch up on missed events; if the server is gone, show it and stop (one failed
        // request, not a retry loop filling the console; "Try again" restarts).
        if !load_list(&token, &cancel, &d).await {
            return;
        }
    }
}

/// The Mailbox view.
#[function_component(MailboxView)]
pub fn mailbox_view() -> Html {
    let lang = use_lang();
    let store = use_reducer(Store::default);
    let generation = use_state(|| 0u32);
    let cancel = use_mut_ref(Cancel::default);
    {
        let d = store.dispatcher();
        let cancel = cancel.clone();
        use_effect_with(*generation, move |_| {
            let token = api::relay_token();
            d.dispatch(Action::Token(token.clone()));
            let fresh = Cancel::new();
            *cancel.borrow_mut() = fresh.clone();
            if let Some(token) = token {
                spawn_local(follow_mailbox(token, fresh.clone(), d));
            }
            move || fresh.cancel()
        });
    }
    let state: &MailboxState = &store.0;
    let token = state.token.clone().unwrap_or_default();
    let on_retry = {
        let generation = generation.clone();
        Callback::from(move |_| generation.set(generation.wrapping_add(1)))
    };
    let on_select = select_callback(store.dispatcher(), token.clone(), cancel.clone());
    let on_delete = {
        let d = store.dispatcher();
        let token = token.clone();
        Callback::from(move |id: Option<u64>| {
            let (d, token) = (d.clone(), token.clone());
            spawn_local(async move {
                match api::delete(id, &token).await {
                    Ok(()) => d.dispatch(Action::Removed(id)),
                    Err(e) => d.dispatch(Action::RemoveFailed(e)),
                }
            });
        })
    };
    let inspect = {
        let d = store.dispatcher();
        Callback::from(move |a| d.dispatch(Action::Inspect(a)))
    };
    let on_search = {
        let d = store.dispatcher();
        Callback::from(move |text: String| d.dispatch(Action::Search(text)))
    };
    {
        // Runs the search a moment after typing stops, and again when the list changes (a
        // new message may match); a newer run cancels the older one.
        let d = store.dispatcher();
        let query = search::runnable(&store.0.search.text);
        let ids: Vec<u64> = store.0.items.iter().map(|i| i.meta.id).collect();
        use_effect_with((query, ids, token.clone()), move |(query, _, token)| {
            let run = Cancel::new();
            if let Some(query) = query.clone() {
                let (run, token) = (run.clone(), token.clone());
                spawn_local(async move {
                    yew::platform::time::sleep(SEARCH_PAUSE).await;
                    if run.cancelled() {
                        return;
                    }
                    match api::search(&token, &query, &run).await {
                        _ if run.cancelled() => {}
                        Ok(ids) => d.dispatch(Action::Found { query, ids }),
                        Err(error) => d.dispatch(Action::SearchFailed { query, error }),
                    }
                });
            }
            move || run.cancel()
        });
    }
    html! {
        <div class="mailbox-view">
            <status::LinkStatus link={state.link.clone()} {on_retry} />
            if let Some(notice) = &state.notice {
                <ErrorNote error={Shown::of(notice, lang)} id="mailbox-notice" />
            }
            if state.token.is_some() && !matches!(state.link, LinkState::Failed(_)) {
                <list::MessageTable items={state.shown()} total={state.items.len()} sandbox={state.sandbox.clone()}
                    search={state.search.clone()} {on_search}
                    selected={state.detail.as_ref().map(|d| d.id)}
                    on_select={on_select}
                    on_delete_all={on_delete.reform(|()| None)} />
            }
            if let (Some(detail), Some(item)) = (&state.detail, state.selected()) {
                <detail::DetailPane detail={detail.clone()} item={item.clone()}
                    inspector={state.inspector.clone()} {inspect}
                    on_delete={on_delete.reform(Some)} />
            }
        </div>
    }
}

thread_local! {
    /// The selected message being parsed in the worker (selecting another stops it).
    static JOB: RefCell<Option<ParseJob>> = const { RefCell::new(None) };
}

/// Parses message `id` for the inspector, like an opened file (in the worker, or on the page
/// when no worker runs).
fn parse(id: u64, raw: Rc<[u8]>, d: Dispatch) {
    let events = move |e: JobEvent| match e {
        JobEvent::Progress(..) | JobEvent::Parsing(_) => {}
        JobEvent::Done(doc) => d.dispatch(Action::Parsed {
            id,
            doc: Doc(Rc::from(doc)),
        }),
        JobEvent::Failed(error) => d.dispatch(Action::ParseFailed { id, error }),
    };
    let job = ParseJob::start(JobInput::Bytes(inspect_name(id), raw), events);
    JOB.with(|j| *j.borrow_mut() = Some(job));
}

fn select_callback(d: Dispatch, token: String, cancel: Rc<RefCell<Cancel>>) -> Callback<u64> {
    Callback::from(move |id: u64| {
        d.dispatch(Action::Select(Some(id)));
        let (d, token, cancel) = (d.clone(), token.clone(), cancel.borrow().clone());
        spawn_local(async move {
            let raw = api::raw(id, &token, &cancel).await;
            let transcript = api::transcript(id, &token, &cancel).await;
            if cancel.cancelled() {
                return;
            }
            match (raw, transcript) {
                (Ok(raw), Ok(transcript)) => {
                    let raw: Rc<[u8]> = raw.into();
                    d.dispatch(Action::Opened {
                        id,
                        raw: raw.clone(),
                        transcript,
                    });
                    parse(id, raw, d);
                }
                (Err(error), _) | (_, Err(error)) => d.dispatch(Action::OpenFailed { id, error }),
            }
        });
    })
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;
    use crate::components::test_support::{mount, wait_text};
    use crate::state::relay_link::STORAGE_KEY;

    #[wasm_bindgen_test]
    async fn without_a_token_it_explains_and_sends_nothing() {
        let window = web_sys::window().expect("window");
        if let Ok(Some(s)) = window.session_storage() {
            let _ = s.remove_item(STORAGE_KEY);
        }
        let root = mount::<MailboxView>();
        let text = wait_text(&root, "#mailbox-status[data-state='no-token']", |_| true).await;
        assert!(
            text.contains("#token="),
            "no-token guidance shown: {text:?}"
        );
        assert!(text.contains("cargo xtask run"), "{text}");
        assert!(
            root.query_selector("#mailbox-list")
                .ok()
                .flatten()
                .is_none(),
            "no list without a token"
        );
        root.remove();
    }
}
