//! SMTP ([RFC 5321](https://www.rfc-editor.org/rfc/rfc5321)): commands, replies, capabilities,
//! AUTH, DATA, sessions, transcripts, and the lints found in SMTP dialogues.

pub mod auth;
pub mod capability;
pub mod command;
pub mod cross_protocol;
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
        severity: Severity::Warning,
        reference: "RFC 5321 §4.5.3.1",
        summary: "a command line over 512 octets, a reply line over 512 octets or a text line over 1000 octets (CRLF included), sizes RFC 5321 says should be avoided",
    };

    // ---- Commands, replies, capabilities and transcripts (smtp-parse) ----

    /// A space between `MAIL FROM:`/`RCPT TO:` and the path; strict servers reject it.
    pub const SPACE_AFTER_COLON: LintDef = LintDef {
        code: "smtp.space-after-colon",
        severity: Severity::Error,
        reference: "RFC 5321 §3.3",
        summary: "a space between `MAIL FROM:`/`RCPT TO:` and the path, which RFC 5321 §3.3 does not permit; lenient servers accept it",
    };

    /// A command verb that is not a standard SMTP command or known extension.
    pub const UNKNOWN_COMMAND: LintDef = LintDef {
        code: "smtp.unknown-command",
        severity: Severity::Warning,
        reference: "RFC 5321 §4.2.4",
        summary: "a command verb that is neither in RFC 5321 nor a known extension",
    };

    /// An HTTP request line or a header field where a command was expected.
    pub const HTTP_REQUEST: LintDef = LintDef {
        code: "smtp.http-request",
        severity: Severity::Error,
        reference: "RFC 5321 §4.1.1",
        summary: "an HTTP request line or a header field where an SMTP command was expected: a browser or proxy is talking to the SMTP port",
    };

    /// A MAIL or RCPT path without angle brackets.
    pub const PATH_WITHOUT_BRACKETS: LintDef = LintDef {
        code: "smtp.path-without-brackets",
        severity: Severity::Error,
        reference: "RFC 5321 §4.1.2",
        summary: "a MAIL or RCPT path without angle brackets",
    };

    /// A mailbox that does not match the RFC 5321 Mailbox syntax.
    pub const MAILBOX_INVALID: LintDef = LintDef {
        code: "smtp.mailbox-invalid",
        severity: Severity::Error,
        reference: "RFC 5321 §4.1.2",
        summary: "a mailbox that does not match the RFC 5321 Mailbox syntax",
    };

    /// Command arguments that do not match the command's syntax.
    pub const SYNTAX_INVALID: LintDef = LintDef {
        code: "smtp.syntax-invalid",
        severity: Severity::Error,
        reference: "RFC 5321 §4.1.1",
        summary: "command arguments that do not match the command's syntax",
    };

    /// An ESMTP parameter with a bad keyword or value, or given twice.
    pub const PARAM_INVALID: LintDef = LintDef {
        code: "smtp.param-invalid",
        severity: Severity::Error,
        reference: "RFC 5321 §4.1.2",
        summary: "an ESMTP parameter with a bad keyword or value, or given twice",
    };

    /// A non-ASCII address in a transaction without the SMTPUTF8 parameter.
    pub const UTF8_WITHOUT_SMTPUTF8: LintDef = LintDef {
        code: "smtp.utf8-without-smtputf8",
        severity: Severity::Error,
        reference: "RFC 6531 §3.4",
        summary: "a non-ASCII address in a transaction without the SMTPUTF8 parameter",
    };

    /// An obsolete source route in a path.
    pub const SOURCE_ROUTE: LintDef = LintDef {
        code: "smtp.source-route",
        severity: Severity::Warning,
        reference: "RFC 5321 §4.1.2",
        summary: "a source route in a path, which RFC 5321 §4.1.2 says should not be generated (servers must accept and should ignore it)",
    };

    /// An EHLO reply line that is not a valid extension keyword with parameters.
    pub const EHLO_INVALID: LintDef = LintDef {
        code: "smtp.ehlo-invalid",
        severity: Severity::Error,
        reference: "RFC 5321 §4.1.1.1",
        summary: "an EHLO reply line that is not a valid extension keyword with parameters",
    };

    /// A command sent in a state where it is not allowed.
    pub const OUT_OF_SEQUENCE: LintDef = LintDef {
        code: "smtp.out-of-sequence",
        severity: Severity::Error,
        reference: "RFC 5321 §4.1.4",
        summary: "a command sent in a state where it is not allowed",
    };

    /// Several commands sent before their replies without PIPELINING.
    pub const PIPELINING_NOT_OFFERED: LintDef = LintDef {
        code: "smtp.pipelining-not-offered",
        severity: Severity::Error,
        reference: "RFC 5321 §4.3.1",
        summary: "a command sent before the reply to the previous one, although the server did not offer PIPELINING",
    };

    /// The client closes the connection without sending QUIT.
    pub const NO_QUIT: LintDef = LintDef {
        code: "smtp.no-quit",
        severity: Severity::Error,
        reference: "RFC 5321 §4.1.1.10",
        summary: "the client closes the connection without sending QUIT",
    };

    /// A local part or path longer than the maximums of RFC 5321 §4.5.3.1.
    pub const PATH_TOO_LONG: LintDef = LintDef {
        code: "smtp.path-too-long",
        severity: Severity::Warning,
        reference: "RFC 5321 §4.5.3.1",
        summary: "a local part over 64 octets or a path over 256 octets, sizes RFC 5321 says should be avoided",
    };

    /// A command sent before the server's greeting.
    pub const BEFORE_GREETING: LintDef = LintDef {
        code: "smtp.before-greeting",
        severity: Severity::Warning,
        reference: "RFC 5321 §4.3.1",
        summary: "a command sent before the server's 220 greeting, which RFC 5321 says the client should wait for",
    };

    /// QUIT was sent but the dialogue ends before the server's reply to it.
    pub const QUIT_UNANSWERED: LintDef = LintDef {
        code: "smtp.quit-unanswered",
        severity: Severity::Warning,
        reference: "RFC 5321 §4.1.1.10",
        summary: "QUIT was sent but the dialogue ends before the server's 221 reply",
    };

    /// AUTH on a connection that is not protected by TLS.
    pub const AUTH_WITHOUT_TLS: LintDef = LintDef {
        code: "smtp.auth-without-tls",
        severity: Severity::Warning,
        reference: "RFC 4954 §4",
        summary: "AUTH with a plaintext password mechanism (PLAIN, LOGIN) or a bearer token (XOAUTH2) on a connection not protected by TLS",
    };

    /// 8-bit bytes in DATA without BODY=8BITMIME offered and declared.
    pub const EIGHTBIT_WITHOUT_8BITMIME: LintDef = LintDef {
        code: "smtp.8bit-without-8bitmime",
        severity: Severity::Error,
        reference: "RFC 6152 §3",
        summary: "8-bit bytes in DATA without BODY=8BITMIME offered and declared",
    };

    /// An enhanced status code whose class differs from the reply code's class.
    pub const ENHANCED_CODE_MISMATCH: LintDef = LintDef {
        code: "smtp.enhanced-code-mismatch",
        severity: Severity::Error,
        reference: "RFC 2034 §4",
        summary: "an enhanced status code whose class differs from the reply code's class, which RFC 2034 §4 forbids",
    };

    /// A command or parameter of an extension the server did not offer in EHLO.
    pub const EXTENSION_NOT_OFFERED: LintDef = LintDef {
        code: "smtp.extension-not-offered",
        severity: Severity::Error,
        reference: "RFC 5321 §2.2.1",
        summary: "a command or parameter of an extension the server did not offer in EHLO",
    };
    // ---- end smtp-parse lints ----
    // --- AUTH, DATA and session lints (auth/, data/, session/) ---

    /// A PLAIN payload that is not base64 or not `authzid NUL authcid NUL password`.
    pub const AUTH_PLAIN_MALFORMED: LintDef = LintDef {
        code: "smtp.auth-plain-malformed",
        severity: Severity::Error,
        reference: "RFC 4616 §2",
        summary: "an AUTH PLAIN payload is not base64 or does not split into exactly authzid NUL authcid NUL password",
    };
    /// A LOGIN, CRAM-MD5 or XOAUTH2 response that is not base64 or not in the mechanism's form.
    pub const AUTH_PAYLOAD_MALFORMED: LintDef = LintDef {
        code: "smtp.auth-payload-malformed",
        severity: Severity::Error,
        reference: "RFC 4954 §4",
        summary: "a LOGIN, CRAM-MD5 or XOAUTH2 response that is not valid base64 or not in its mechanism's form",
    };
    /// A line-ending variant around a dot that some servers take as end of data.
    pub const SMUGGLING_SEQUENCE: LintDef = LintDef {
        code: "smtp.smuggling-sequence",
        severity: Severity::Error,
        reference: "RFC 5321 §4.1.1.4",
        summary: "message data contains a dot line ended or preceded by a bare LF or CR (`\\n.\\n`, `\\r\\n.\\n`, …) that some servers take as end of data",
    };
    /// A data line starting with '.' that the client did not double.
    pub const DOT_NOT_STUFFED: LintDef = LintDef {
        code: "smtp.dot-not-stuffed",
        severity: Severity::Error,
        reference: "RFC 5321 §4.5.2",
        summary: "a data line starts with '.' that was not doubled; the receiver strips it",
    };
    /// A message larger than the SIZE limit.
    pub const SIZE_EXCEEDED: LintDef = LintDef {
        code: "smtp.size-exceeded",
        severity: Severity::Warning,
        reference: "RFC 1870 §4",
        summary: "the message is larger than the size the server announced (it will be rejected) or than the size the client declared",
    };
    /// A CR not followed by LF.
    pub const BARE_CR: LintDef = LintDef {
        code: "smtp.bare-cr",
        severity: Severity::Error,
        reference: "RFC 5321 §2.3.8",
        summary: "a CR not followed by LF; SMTP allows CR only as part of CRLF",
    };
}

/// Every SMTP lint, in catalog order.
pub const CATALOG: &[&LintDef] = &[
    &lints::BARE_LF,
    &lints::REPLY_INVALID,
    &lints::LINE_TOO_LONG,
    // ---- smtp-parse ----
    &lints::SPACE_AFTER_COLON,
    &lints::UNKNOWN_COMMAND,
    &lints::HTTP_REQUEST,
    &lints::PATH_WITHOUT_BRACKETS,
    &lints::MAILBOX_INVALID,
    &lints::SYNTAX_INVALID,
    &lints::PARAM_INVALID,
    &lints::UTF8_WITHOUT_SMTPUTF8,
    &lints::SOURCE_ROUTE,
    &lints::EHLO_INVALID,
    &lints::OUT_OF_SEQUENCE,
    &lints::PIPELINING_NOT_OFFERED,
    &lints::NO_QUIT,
    &lints::AUTH_WITHOUT_TLS,
    &lints::EIGHTBIT_WITHOUT_8BITMIME,
    &lints::ENHANCED_CODE_MISMATCH,
    &lints::EXTENSION_NOT_OFFERED,
    // ---- end smtp-parse ----
    // --- AUTH, DATA and session lints ---
    &lints::AUTH_PLAIN_MALFORMED,
    &lints::AUTH_PAYLOAD_MALFORMED,
    &lints::SMUGGLING_SEQUENCE,
    &lints::DOT_NOT_STUFFED,
    &lints::SIZE_EXCEEDED,
    &lints::BARE_CR,
    &lints::QUIT_UNANSWERED,
    &lints::PATH_TOO_LONG,
    &lints::BEFORE_GREETING,
];
