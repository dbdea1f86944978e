//! SMTP ([RFC 5321](https://www.rfc-editor.org/rfc/rfc5321)): commands, replies, capabilities,
//! AUTH, DATA, sessions, transcripts, and the lints found in SMTP dialogues.

pub mod auth;
pub mod capability;
pub mod command;
pub mod data;
pub mod enhanced;
pub mod reply;
pub mod session;
pub mod transcript;

pub use reply::{parse_reply, Reply, ReplyError, ReplyLine};

use crate::lint::{LintDef, Severity};

/// Lint definitions of the SMTP family.
pub mod lints {
    use super::*;

    /// A line ended by LF alone instead of CRLF.
    pub const BARE_LF: LintDef = LintDef {
        code: "smtp.bare-lf",
        severity: Severity::Error,
        reference: "RFC 5321 §2.3.8",
        summary: "a line ends in LF alone; SMTP lines end in CRLF",
    };
    /// A reply that is not `code [SP|-] text CRLF`.
    pub const REPLY_INVALID: LintDef = LintDef {
        code: "smtp.reply-invalid",
        severity: Severity::Error,
        reference: "RFC 5321 §4.2",
        summary: "a reply line does not have the form `ddd[ -]text`, or a multi-line reply changes its code",
    };
    /// A line longer than the limit.
    pub const LINE_TOO_LONG: LintDef = LintDef {
        code: "smtp.line-too-long",
        severity: Severity::Error,
        reference: "RFC 5321 §4.5.3.1",
        summary:
            "a command line exceeds 512 octets, a reply line 512 octets or a text line 1000 octets",
    };
}

/// Every SMTP lint, in catalog order.
pub const CATALOG: &[&LintDef] = &[
    &lints::BARE_LF,
    &lints::REPLY_INVALID,
    &lints::LINE_TOO_LONG,
];
