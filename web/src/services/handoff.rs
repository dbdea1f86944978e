//! A composed message on its way from the composer to the Session view ("Send to the
//! sandbox"): held for the page's lifetime until the Session view takes it.

use std::cell::RefCell;

use crate::state::message::compose::Outgoing;

thread_local! {
    static PENDING: RefCell<Option<Outgoing>> = const { RefCell::new(None) };
}

/// Leaves `message` for the Session view (replacing one not taken yet).
pub fn offer(message: Outgoing) {
    PENDING.with(|p| *p.borrow_mut() = Some(message));
}

/// Takes the message left by the composer, if any.
pub fn take() -> Option<Outgoing> {
    PENDING.with(|p| p.borrow_mut().take())
}
