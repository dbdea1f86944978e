//! What can go wrong in the Session view, as the reader is told it ([`UserError`]).

use mailscope_core::i18n as core_i18n;
use mailscope_core::smtp::auth::AuthError;
use mailscope_core::smtp::command::BuildError;

use crate::state::error::UserError;
use crate::state::i18n::{tr, trf, Lang};

/// Why an action of the Session view was not carried out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionError {
    /// A command was given with no session open.
    NotConnected,
    /// A relay target was chosen, or a lookup asked for, while the relay socket is not open.
    RelayNotLinked,
    /// The relay socket failed while frames were sent to it.
    RelaySendFailed,
    /// The server's certificate did not verify and the reader has not decided yet.
    CertificateUndecided,
    /// The TLS handshake through the relay is still running.
    HandshakePending,
    /// The pipelined group was sent empty.
    NothingQueued,
    /// A challenge was answered with no `334` waiting.
    NoChallenge,
    /// A command was given while a `334` challenge waits: the server would read it as the
    /// answer (RFC 4954 §4).
    SaslInProgress,
    /// An MX lookup without a domain.
    NoDomain,
    /// A host:port target without a host.
    NoHost,
    /// A host:port target whose port is not 1 to 65535.
    BadPort,
    /// The message was sent before the server's `354`.
    NotAskedForMessage,
    /// The typed line is not a whole command line.
    IncompleteLine {
        /// The line as typed.
        line: String,
    },
    /// The typed line is longer than a command line may be.
    LineTooLong {
        /// The limit in bytes.
        limit: usize,
    },
    /// The MAIL FROM fields did not make a MAIL command.
    NotMail,
    /// The core would not write the command (a forbidden byte, a bad value, too long).
    Command(BuildError),
    /// The AUTH exchange could not be started or continued.
    Auth(AuthError),
    /// The Korean sample message could not be built from the typed addresses.
    Sample,
}

impl UserError for SessionError {
    fn what(&self, lang: Lang) -> String {
        match self {
            SessionError::NotConnected => tr(lang, "Not connected.").into(),
            SessionError::RelayNotLinked => tr(lang, "The relay is not connected, so nothing can go to a real server.").into(),
            SessionError::RelaySendFailed => tr(lang, "The link to the relay failed while sending, so the server did not get the last command.").into(),
            SessionError::CertificateUndecided => tr(lang, "The server's certificate did not verify, so nothing is sent until you decide.").into(),
            SessionError::HandshakePending => tr(lang, "Waiting for the TLS handshake to finish.").into(),
            SessionError::NothingQueued => tr(lang, "Nothing queued: with pipelining on, commands wait here until you send the group.").into(),
            SessionError::NoChallenge => tr(lang, "There is no 334 challenge to answer.").into(),
            SessionError::SaslInProgress => tr(lang, "An AUTH exchange is in progress: the server reads the next line as the answer to its 334 challenge, not as a command (RFC 4954 §4).").into(),
            SessionError::NoDomain => tr(lang, "No domain to look up.").into(),
            SessionError::NoHost => tr(lang, "No server given.").into(),
            SessionError::BadPort => tr(lang, "The port must be a number from 1 to 65535.").into(),
            SessionError::NotAskedForMessage => tr(lang, "The server has not asked for the message yet.").into(),
            SessionError::IncompleteLine { line } => trf(lang, "{line} is not a complete command line.", &[("line", &format!("{line:?}"))]),
            SessionError::LineTooLong { limit } => trf(lang, "The line is longer than a command line may be ({limit} bytes).", &[("limit", limit)]),
            SessionError::NotMail => tr(lang, "The sender and parameters do not make a MAIL command.").into(),
            SessionError::Command(e) => command_what(lang, e),
            SessionError::Auth(e) => auth_what(lang, e),
            SessionError::Sample => tr(lang, "The sample message could not be built from these addresses.").into(),
        }
    }

    fn next_step(&self, lang: Lang) -> String {
        let step = match self {
            SessionError::NotConnected => tr(lang, "Press Connect first."),
            SessionError::RelayNotLinked => tr(
                lang,
                "See the relay status above: start mailscope serve and open the address it prints.",
            ),
            SessionError::RelaySendFailed => {
                tr(lang, "See the relay status above, then connect again.")
            }
            SessionError::CertificateUndecided => tr(
                lang,
                "Choose Continue anyway or Close the connection in the certificate panel first.",
            ),
            SessionError::HandshakePending => tr(
                lang,
                "Send again once the certificate panel shows the result.",
            ),
            SessionError::NothingQueued => tr(
                lang,
                "Add commands, or turn pipelining off to send them one by one.",
            ),
            SessionError::NoChallenge => tr(
                lang,
                "Start AUTH first, and answer when the server sends 334.",
            ),
            SessionError::SaslInProgress => tr(
                lang,
                "Answer the challenge, or send * as a raw line to cancel the exchange.",
            ),
            SessionError::NoDomain => tr(lang, "Type a domain to look up its MX records."),
            SessionError::NoHost => tr(lang, "Type the server's host name or address."),
            SessionError::BadPort => tr(
                lang,
                "Type the port the server listens on (25, 465 or 587 for mail).",
            ),
            SessionError::NotAskedForMessage => tr(lang, "Send DATA and wait for 354 first."),
            SessionError::IncompleteLine { .. } => tr(
                lang,
                "Type the whole command, such as NOOP or MAIL FROM:<a@example.org>.",
            ),
            SessionError::LineTooLong { .. } => tr(lang, "Shorten the line."),
            SessionError::NotMail => tr(
                lang,
                "Check the address and the parameters (such as SIZE=1000 BODY=8BITMIME).",
            ),
            SessionError::Command(_) => tr(lang, "Correct the value and send again."),
            SessionError::Auth(AuthError::ForbiddenByte { .. }) => {
                tr(lang, "Remove that character from the user or the password.")
            }
            SessionError::Auth(AuthError::Unsupported(_)) => {
                tr(lang, "Pick PLAIN, LOGIN or CRAM-MD5.")
            }
            SessionError::Auth(_) => tr(
                lang,
                "Start AUTH again, or look at the server's reply in the transcript.",
            ),
            SessionError::Sample => tr(
                lang,
                "Type plain addresses such as alice@example.org in MAIL FROM and RCPT TO.",
            ),
        };
        step.to_string()
    }
}

/// Why the core would not write a command, in `lang` (the core's reason is its own text,
/// translated by the core where it has a translation).
fn command_what(lang: Lang, e: &BuildError) -> String {
    match e {
        BuildError::ForbiddenByte { field, byte } => trf(
            lang,
            "The {field} contains the byte 0x{byte}: CR, LF and NUL cannot appear in a command line.",
            &[("field", field), ("byte", &format!("{byte:02x}"))],
        ),
        BuildError::Invalid { field, reason } => trf(
            lang,
            "The {field} is not valid: {reason}.",
            &[("field", field), ("reason", &core_i18n::text(lang, reason))],
        ),
        BuildError::TooLong { limit, found } => trf(
            lang,
            "The command line would be {found} bytes; the limit is {limit}.",
            &[("found", found), ("limit", limit)],
        ),
        _ => tr(lang, "The core could not write this command.").into(),
    }
}

/// Why an AUTH exchange could not go on, in `lang`.
fn auth_what(lang: Lang, e: &AuthError) -> String {
    match e {
        AuthError::ForbiddenByte { field, byte } => trf(
            lang,
            "The {field} contains the byte 0x{byte}, which this mechanism cannot carry.",
            &[("field", field), ("byte", &format!("{byte:02x}"))],
        ),
        AuthError::BadChallenge(_) => tr(
            lang,
            "The server's 334 challenge is not valid base64, so it cannot be answered.",
        )
        .into(),
        AuthError::UnexpectedChallenge {
            mechanism,
            expected,
            step,
        } => trf(
            lang,
            "{mechanism} expects {expected} challenge(s), but the server sent challenge {n}.",
            &[
                ("mechanism", mechanism),
                ("expected", expected),
                ("n", &(step + 1)),
            ],
        ),
        AuthError::Unsupported(mechanism) => trf(
            lang,
            "The AUTH mechanism {mechanism} is not supported here.",
            &[("mechanism", mechanism)],
        ),
        _ => tr(lang, "The AUTH exchange could not go on.").into(),
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::state::i18n::ready_for_tests;

    #[test]
    fn errors_say_what_happened_and_what_to_do_in_both_languages() {
        ready_for_tests(Lang::Ko);
        let errors = [
            SessionError::NotConnected,
            SessionError::RelayNotLinked,
            SessionError::IncompleteLine {
                line: "MAIL".into(),
            },
            SessionError::Command(BuildError::ForbiddenByte {
                field: "domain",
                byte: b'\r',
            }),
            SessionError::Auth(AuthError::Unsupported("X".into())),
        ];
        for e in errors {
            let (en, ko) = (e.what(Lang::En), e.what(Lang::Ko));
            assert!(!e.next_step(Lang::En).is_empty(), "{e:?}");
            assert_ne!(en, ko, "{e:?} has Korean text");
            assert_ne!(e.next_step(Lang::En), e.next_step(Lang::Ko), "{e:?}");
        }
        let line = SessionError::IncompleteLine {
            line: "MAIL".into(),
        };
        assert!(line.what(Lang::Ko).contains("\"MAIL\""), "the line is kept");
        let byte = SessionError::Command(BuildError::ForbiddenByte {
            field: "domain",
            byte: b'\r',
        });
        assert!(
            byte.what(Lang::En).contains("0x0d"),
            "{}",
            byte.what(Lang::En)
        );
    }
}
