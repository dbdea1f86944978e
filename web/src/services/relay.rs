//! The WebSocket to `mailscope serve`'s `/relay` (protocol v1): subprotocols `mailscope.v1` and
//! `mailscope.token.<TOKEN>`, JSON text frames as the core's [`ClientFrame`]/[`RelayFrame`],
//! binary frames as the bytes of the SMTP stream. Nothing here knows SMTP: the session reducer
//! decides what to send, this only carries it.

use js_sys::{Array, ArrayBuffer, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

use mailscope_core::relay::{token_subprotocol, RelayFrame, SUBPROTOCOL};

use crate::state::session::live::SocketEvent;
use crate::state::session::transport::Outgoing;

/// What the socket delivers to the view.
#[derive(Debug, Clone)]
pub enum Delivery {
    /// The socket's state changed.
    Socket(SocketEvent),
    /// A control frame.
    Frame(RelayFrame),
    /// Bytes from the server.
    Bytes(Vec<u8>),
}

/// `ws://HOST/relay` for the page's own origin (`wss:` under https).
pub fn relay_url() -> Option<String> {
    let location = web_sys::window()?.location();
    let host = location.host().ok()?;
    let scheme = match location.protocol().ok()?.as_str() {
        "https:" => "wss",
        _ => "ws",
    };
    Some(format!("{scheme}://{host}/relay"))
}

/// An open (or opening) relay socket; closed when dropped.
pub struct RelaySocket {
    ws: WebSocket,
    _on_open: Closure<dyn FnMut(JsValue)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl RelaySocket {
    /// Opens `url` presenting `token`; `deliver` gets everything that happens.
    pub fn open(
        url: &str,
        token: &str,
        deliver: impl Fn(Delivery) + 'static,
    ) -> Result<RelaySocket, String> {
        let protocols = Array::new();
        protocols.push(&JsValue::from_str(SUBPROTOCOL));
        protocols.push(&JsValue::from_str(&token_subprotocol(token)));
        let ws = WebSocket::new_with_str_sequence(url, &protocols)
            .map_err(|e| e.as_string().unwrap_or_else(|| format!("{e:?}")))?;
        ws.set_binary_type(BinaryType::Arraybuffer);
        let deliver = std::rc::Rc::new(deliver);
        let opened = std::rc::Rc::new(std::cell::Cell::new(false));
        let on_open = {
            let (deliver, opened) = (deliver.clone(), opened.clone());
            Closure::<dyn FnMut(JsValue)>::new(move |_| {
                opened.set(true);
                deliver(Delivery::Socket(SocketEvent::Opened));
            })
        };
        let on_message = {
            let deliver = deliver.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                let data = e.data();
                if let Some(text) = data.as_string() {
                    match serde_json::from_str::<RelayFrame>(&text) {
                        Ok(frame) => deliver(Delivery::Frame(frame)),
                        Err(_) => deliver(Delivery::Socket(SocketEvent::Garbled(
                            text.chars().take(200).collect(),
                        ))),
                    }
                } else if let Ok(buffer) = data.dyn_into::<ArrayBuffer>() {
                    deliver(Delivery::Bytes(Uint8Array::new(&buffer).to_vec()));
                }
            })
        };
        let on_close = {
            let (deliver, opened) = (deliver.clone(), opened.clone());
            Closure::<dyn FnMut(CloseEvent)>::new(move |e: CloseEvent| {
                deliver(Delivery::Socket(SocketEvent::Closed {
                    code: e.code(),
                    reason: e.reason(),
                    was_open: opened.get(),
                }));
            })
        };
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Ok(RelaySocket {
            ws,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        })
    }

    /// Sends one frame; `Err` says why it could not.
    pub fn send(&self, out: &Outgoing) -> Result<(), String> {
        if self.ws.ready_state() != WebSocket::OPEN {
            return Err("the relay socket is not open".into());
        }
        let result = match out {
            Outgoing::Frame(frame) => {
                let json = serde_json::to_string(frame).map_err(|e| e.to_string())?;
                self.ws.send_with_str(&json)
            }
            Outgoing::Bytes(bytes) => self.ws.send_with_u8_array(bytes),
        };
        result.map_err(|e| e.as_string().unwrap_or_else(|| format!("{e:?}")))
    }
}

impl Drop for RelaySocket {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close();
    }
}
