//! Korean text, one file per area of the UI: `(English key, Korean)` pairs.

mod message;
mod shell;

/// Every area's entries.
pub(super) const ENTRIES: &[&[(&str, &str)]] = &[shell::ENTRIES, message::ENTRIES];
