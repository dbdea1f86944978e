//! Korean text, one file per area of the UI: `(English key, Korean)` pairs.

mod learn;
mod shell;
mod tools;
mod transcript;

/// Every area's entries.
pub(super) const ENTRIES: &[&[(&str, &str)]] = &[
    shell::ENTRIES,
    learn::ENTRIES,
    tools::ENTRIES,
    transcript::ENTRIES,
];
