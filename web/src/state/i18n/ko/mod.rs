//! Korean text, one file per area of the UI: `(English key, Korean)` pairs.

mod mailbox;
mod session;
mod share;
mod shell;

/// Every area's entries.
pub(super) const ENTRIES: &[&[(&str, &str)]] = &[
    shell::ENTRIES,
    session::ENTRIES,
    mailbox::ENTRIES,
    share::ENTRIES,
];
