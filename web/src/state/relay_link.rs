//! The link to `mailscope serve`: the access token it prints in the page URL (`#token=…`) and
//! where the API lives. Plain functions, no browser access: `services::api` reads the fragment
//! and `sessionStorage` and asks these what to keep.
//!
//! The token arrives once, in the URL `mailscope serve` prints (`http://127.0.0.1:8025/#token=…`),
//! possibly next to a route (`#/mailbox&token=…`, `#/mailbox?token=…`). Navigating replaces the
//! fragment, so the token is kept in `sessionStorage` (per tab, gone when the tab closes) and
//! nothing is stripped from the URL.

/// The `sessionStorage` key holding the token.
pub const STORAGE_KEY: &str = "mailscope.relay-token";

/// Longest token accepted (`mailscope serve` makes 32 hex digits).
pub const MAX_TOKEN_LEN: usize = 256;

/// The command that starts the API and the sandbox, for the "not running" state.
pub const SERVE_COMMAND: &str = "mailscope serve";

/// The same from a checkout of the repository.
pub const XTASK_COMMAND: &str = "cargo xtask run";

/// Whether `token` looks like a token: 1 to [`MAX_TOKEN_LEN`] URL-safe characters.
pub fn valid_token(token: &str) -> bool {
    !token.is_empty()
        && token.len() <= MAX_TOKEN_LEN
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'))
}

/// The token named in a URL fragment (with or without `#`): the value of a `token=` parameter
/// anywhere among the `&`/`?`/`#`-separated pieces, if it is [`valid_token`].
pub fn token_from_fragment(fragment: &str) -> Option<String> {
    fragment
        .split(['#', '?', '&'])
        .filter_map(|piece| piece.strip_prefix("token="))
        .find(|t| valid_token(t))
        .map(str::to_string)
}

/// The token to use: the one in the URL wins (a new `mailscope serve` prints a new one), else the
/// one kept in `sessionStorage`.
pub fn choose_token(from_url: Option<String>, stored: Option<String>) -> Option<String> {
    from_url.or(stored.filter(|t| valid_token(t)))
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn tokens_are_found_next_to_routes() {
        let cases = [
            ("#token=0123abcd", Some("0123abcd")),
            ("token=0123abcd", Some("0123abcd")),
            ("#/mailbox&token=ff00", Some("ff00")),
            ("#/mailbox?token=ff00", Some("ff00")),
            ("#token=ff00&/mailbox", Some("ff00")),
            ("#/mailbox", None),
            ("", None),
            ("#token=", None),
            ("#token=a b", None),
            ("#token=<script>", None),
            ("#xtoken=ff", None),
            ("#token=&token=ab", Some("ab")),
        ];
        for (fragment, want) in cases {
            assert_eq!(
                token_from_fragment(fragment).as_deref(),
                want,
                "fragment {fragment:?}"
            );
        }
    }

    #[test]
    fn url_token_wins_over_stored() {
        let s = |v: &str| Some(v.to_string());
        assert_eq!(choose_token(s("new"), s("old")), s("new"));
        assert_eq!(choose_token(None, s("old")), s("old"));
        assert_eq!(choose_token(None, s("bad token")), None);
        assert_eq!(choose_token(None, None), None);
    }

    #[test]
    fn hostile_fragments_give_no_token() {
        let long = format!("#token={}", "a".repeat(MAX_TOKEN_LEN + 1));
        assert_eq!(token_from_fragment(&long), None, "over the limit");
        let ok = format!("#token={}", "a".repeat(MAX_TOKEN_LEN));
        assert!(token_from_fragment(&ok).is_some(), "at the limit");
        for junk in [
            "#&&&??##",
            "token",
            "=token=",
            "#token=é",
            "\u{0}token=\u{0}",
        ] {
            assert_eq!(token_from_fragment(junk), None, "{junk:?}");
        }
    }
}
