//! Korean text, one file per area of the UI: `(English key, Korean)` pairs.

mod errors;
mod learn;
mod mailbox;
mod message;
mod session;
mod share;
mod shell;
mod tools;
mod transcript;

/// Every area's entries.
pub(super) const ENTRIES: &[&[(&str, &str)]] = &[
    shell::ENTRIES,
    session::ENTRIES,
    mailbox::ENTRIES,
    share::ENTRIES,
    learn::ENTRIES,
    tools::ENTRIES,
    transcript::ENTRIES,
    message::ENTRIES,
    errors::ENTRIES,
];
