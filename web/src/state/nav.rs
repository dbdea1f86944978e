//! Which view is shown, and how views map to URL fragments (`#/session`, `#/message`, …).

use crate::state::i18n::key;

/// The explorer's top-level views.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    /// Compose and step through SMTP sessions.
    #[default]
    Session,
    /// Compose or inspect MIME messages byte by byte.
    Message,
    /// Encoders, decoders and lookups.
    Tools,
    /// Guided lessons.
    Learn,
    /// Messages received by the sandbox server.
    Mailbox,
}

impl View {
    /// Every view in navigation order.
    pub const ALL: [View; 5] = [
        View::Session,
        View::Message,
        View::Tools,
        View::Learn,
        View::Mailbox,
    ];

    /// Label in the navigation bar, in English (translate with [`tr`](crate::state::i18n::tr)).
    pub fn label(self) -> &'static str {
        match self {
            View::Session => key("Session"),
            View::Message => key("Message"),
            View::Tools => key("Tools"),
            View::Learn => key("Learn"),
            View::Mailbox => key("Mailbox"),
        }
    }

    /// The URL fragment route, without `#`.
    pub fn route(self) -> &'static str {
        match self {
            View::Session => "/session",
            View::Message => "/message",
            View::Tools => "/tools",
            View::Learn => "/learn",
            View::Mailbox => "/mailbox",
        }
    }

    /// The view a URL fragment names (with or without `#`); unknown or empty fragments give the
    /// default view. Parameters after `?` or `&` (such as a relay token) are ignored here.
    pub fn from_fragment(fragment: &str) -> View {
        let path = fragment.trim_start_matches('#');
        let path = path.split(['?', '&']).next().unwrap_or_default();
        View::ALL
            .into_iter()
            .find(|v| v.route() == path)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn fragments_map_to_views() {
        let cases = [
            ("", View::Session),
            ("#", View::Session),
            ("#/message", View::Message),
            ("/tools", View::Tools),
            ("#/learn?lesson=1", View::Learn),
            ("#/mailbox&token=abc", View::Mailbox),
            ("#/nonsense", View::Session),
            ("#token=abc", View::Session),
        ];
        for (fragment, want) in cases {
            assert_eq!(View::from_fragment(fragment), want, "fragment {fragment:?}");
        }
    }

    #[test]
    fn routes_round_trip() {
        for view in View::ALL {
            assert_eq!(View::from_fragment(view.route()), view);
        }
    }
}
