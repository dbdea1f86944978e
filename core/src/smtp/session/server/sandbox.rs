//! What the sandbox of `mailscope serve` is: its host name, demo AUTH users and the recipients
//! that fail on purpose, as one [`ServerConfig`]. Defined here, once, because two sides need it:
//! the sandbox runs it, and the page decides with it which lessons hold on the sandbox too.

use std::collections::BTreeMap;

use crate::smtp::auth::Mechanism;

use super::{RecipientAction, RecipientRule, ServerConfig};

/// The sandbox's host name, in its greeting and certificate.
pub const HOSTNAME: &str = "sandbox.mailscope.test";

/// Demo AUTH users (user, password), documented in docs/relay.md. `alice` / `wonderland` is
/// the user of the lessons and of the in-browser server, so AUTH lessons hold on both.
pub const DEMO_USERS: [(&str, &str); 3] = [
    ("demo", "demo"),
    ("alice@sandbox.test", "alice"),
    ("alice", "wonderland"),
];

/// Recipients that fail on purpose, for lessons: (address, action).
pub const LESSON_RECIPIENTS: [(&str, RecipientAction); 4] = [
    ("unknown@sandbox.test", RecipientAction::Reject),
    ("policy@sandbox.test", RecipientAction::Policy),
    ("full@sandbox.test", RecipientAction::MailboxFull),
    ("greylist@sandbox.test", RecipientAction::Defer),
];

/// The sandbox's server configuration (its limits are the defaults; `mailscope serve` may
/// change the timeouts).
pub fn config() -> ServerConfig {
    ServerConfig {
        hostname: HOSTNAME.into(),
        starttls: true,
        auth_mechanisms: vec![Mechanism::Plain, Mechanism::Login, Mechanism::CramMd5],
        users: DEMO_USERS
            .iter()
            .map(|(u, p)| (u.to_string(), p.to_string()))
            .collect::<BTreeMap<_, _>>(),
        recipient_rules: LESSON_RECIPIENTS
            .iter()
            .map(|(a, action)| RecipientRule {
                pattern: a.to_string(),
                action: *action,
            })
            .collect(),
        ..ServerConfig::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lesson_recipients_and_users() {
        let config = config();
        for (addr, want) in [
            ("unknown@sandbox.test", RecipientAction::Reject),
            ("FULL@sandbox.test", RecipientAction::MailboxFull),
            ("greylist@sandbox.test", RecipientAction::Defer),
            ("Policy@Sandbox.test", RecipientAction::Policy),
            ("anyone@example.org", RecipientAction::Accept),
        ] {
            assert_eq!(config.recipient_action(addr), want, "{addr}");
        }
        assert_eq!(config.users.get("demo").map(String::as_str), Some("demo"));
        assert_eq!(
            config.users.get("alice").map(String::as_str),
            Some("wonderland")
        );
    }
}
