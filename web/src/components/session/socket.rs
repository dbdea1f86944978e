//! The page's WebSocket to `mailscope serve`'s relay, as the views hold it: opened (with the
//! reason when it cannot be), its deliveries turned into Session-view actions, and what a model
//! queued sent. The Session view and the Learn view (lessons on the sandbox) both use it.

use std::cell::RefCell;
use std::rc::Rc;

use yew::platform::spawn_local;
use yew::Callback;

use super::now_ms;
use crate::services::api;
use crate::services::relay::{relay_url, Delivery, RelaySocket};
use crate::state::session::live::SocketEvent;
use crate::state::session::transport::Outgoing;
use crate::state::session::Action;

/// A view's relay socket, once opened.
pub type Socket = Rc<RefCell<Option<RelaySocket>>>;

/// Sends `out` in order; `false` when the socket is missing or refused a frame.
pub fn send_all(socket: &Socket, out: &[Outgoing]) -> bool {
    if out.is_empty() {
        return true;
    }
    socket
        .borrow()
        .as_ref()
        .is_some_and(|s| out.iter().all(|o| s.send(o).is_ok()))
}

/// Opens the relay socket (or reports that there is no token), replacing any old one.
pub fn open_socket(socket: &Socket, dispatch: &Callback<Action>) {
    socket.borrow_mut().take();
    let Some(token) = api::relay_token() else {
        dispatch.emit(Action::Socket(SocketEvent::NoToken));
        return;
    };
    let Some(url) = relay_url() else {
        dispatch.emit(Action::Socket(SocketEvent::Checked(Err(
            crate::state::mailbox::ApiError::NotRunning("no page location".into()),
        ))));
        return;
    };
    dispatch.emit(Action::Socket(SocketEvent::Opening));
    let d = dispatch.clone();
    let probe_token = token.clone();
    let deliver = move |delivery: Delivery| {
        let now = now_ms();
        match delivery {
            Delivery::Socket(event) => {
                let never_opened = matches!(
                    event,
                    SocketEvent::Closed {
                        was_open: false,
                        ..
                    }
                );
                d.emit(Action::Socket(event));
                if never_opened {
                    let (d, token) = (d.clone(), probe_token.clone());
                    spawn_local(async move {
                        let result = api::probe(&token).await;
                        d.emit(Action::Socket(SocketEvent::Checked(result)));
                    });
                }
            }
            Delivery::Frame(frame) => d.emit(Action::Frame { frame, now }),
            Delivery::Bytes(bytes) => d.emit(Action::Bytes { bytes, now }),
        }
    };
    match RelaySocket::open(&url, &token, deliver) {
        Ok(s) => *socket.borrow_mut() = Some(s),
        Err(e) => dispatch.emit(Action::Socket(SocketEvent::Checked(Err(
            crate::state::mailbox::ApiError::NotRunning(e),
        )))),
    }
}
