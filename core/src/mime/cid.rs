//! `cid:` URLs ([RFC 2392](https://www.rfc-editor.org/rfc/rfc2392)): how an HTML body names
//! another body part of the same message (`<img src="cid:logo@example.org">`, RFC 2557 §4), and
//! how such a URL is matched against a part's `Content-ID` field.
//!
//! - [`content_id`]: the `msg-id` of a `Content-ID` value, without its angle brackets
//!   ([RFC 2045 §7](https://www.rfc-editor.org/rfc/rfc2045#section-7)).
//! - [`cid_url_target`]: the `Content-ID` a `cid:` URL names (its `%hh` escapes decoded,
//!   [RFC 2392 §2](https://www.rfc-editor.org/rfc/rfc2392#section-2)).
//! - [`rewrite_cid_urls`]: finds every `cid:` reference in an attribute or `url()` position of
//!   HTML text and replaces the ones a resolver can resolve (with a `data:` URL, say), counting
//!   what it did.
//!
//! All functions are total: any text gives a value, never a panic.

use crate::codec::hex;

/// Most references [`rewrite_cid_urls`] replaces in one text; later ones stay as written and
/// are counted in [`CidRewrite::over_limit`]. (Each replacement may be a whole body part, so
/// the limit bounds the work and the output a hostile HTML body can cause.)
pub const MAX_CID_REFERENCES: usize = 10_000;

/// The `msg-id` of a `Content-ID` field value (RFC 2045 §7: `"Content-ID:" msg-id`, RFC 5322
/// §3.6.4: `"<" id-left "@" id-right ">"`): white space and the angle brackets removed.
/// `None` for a value with nothing inside. Lenient: a value without brackets is taken as the id.
pub fn content_id(value: &str) -> Option<&str> {
    let v = value.trim();
    let v = v.strip_prefix('<').unwrap_or(v);
    let v = v.strip_suffix('>').unwrap_or(v).trim();
    (!v.is_empty()).then_some(v)
}

/// The `Content-ID` (without brackets) that the part of a `cid:` URL after the scheme names:
/// RFC 2392 §2 writes the `addr-spec` of the `msg-id` with `%hh` escapes ("cid:foo4%25bar"
/// names `<foo4%bar>`). Escapes are decoded; invalid escapes stay as written, and bytes that
/// are not UTF-8 become U+FFFD.
pub fn cid_url_target(url_part: &str) -> String {
    let b = url_part.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match (c, hex::pair_at(b, i + 1)) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether a `Content-ID` field value names the part a `cid:` URL points to (RFC 2392 §2).
pub fn cid_matches(content_id_value: &str, url_part: &str) -> bool {
    content_id(content_id_value).is_some_and(|id| id == cid_url_target(url_part))
}

/// What [`rewrite_cid_urls`] made of a text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CidRewrite {
    /// The text with the resolved references replaced.
    pub text: String,
    /// References replaced by what the resolver gave.
    pub replaced: usize,
    /// References in URL position the resolver did not resolve (or with nothing after `cid:`),
    /// left as written.
    pub unresolved: usize,
    /// References past [`MAX_CID_REFERENCES`], left as written without asking the resolver.
    pub over_limit: usize,
}

/// Characters that end a URL in HTML: quotes, `)` of `url()`, tag brackets, white space.
fn ends_url(c: char) -> bool {
    matches!(c, '"' | '\'' | ')' | '>' | '<') || c.is_whitespace()
}

/// Replaces the `cid:` URLs of an HTML text (RFC 2392; RFC 2557 §4 for their use in HTML
/// bodies). A reference counts when `cid:` (any case) follows a quote, `=` or `(` — an
/// attribute value or a CSS `url()` — and runs to the next quote, `)`, `<`, `>` or white
/// space; "cid:" in running text stays text. `resolve` gets the named `Content-ID` (see
/// [`cid_url_target`]) and returns the URL to put in place of the whole `cid:…` reference, or
/// `None` to leave it.
pub fn rewrite_cid_urls(html: &str, mut resolve: impl FnMut(&str) -> Option<String>) -> CidRewrite {
    let mut out = CidRewrite {
        text: String::with_capacity(html.len()),
        ..CidRewrite::default()
    };
    // ASCII lowercasing keeps every byte offset.
    let lower = html.to_ascii_lowercase();
    let mut rest = 0;
    while let Some(found) = lower.get(rest..).and_then(|l| l.find("cid:")) {
        let start = rest + found;
        let end = html
            .get(start..)
            .and_then(|t| t.find(ends_url))
            .map_or(html.len(), |n| start + n);
        out.text.push_str(html.get(rest..start).unwrap_or_default());
        let reference = html.get(start + 4..end).unwrap_or_default();
        let in_url = html
            .get(..start)
            .and_then(|b| b.chars().next_back())
            .is_some_and(|c| matches!(c, '"' | '\'' | '=' | '('));
        let seen = out.replaced + out.unresolved;
        let replacement = if !in_url || reference.is_empty() {
            None
        } else if seen >= MAX_CID_REFERENCES {
            out.over_limit += 1;
            None
        } else {
            resolve(&cid_url_target(reference))
        };
        match replacement {
            Some(url) => {
                out.text.push_str(&url);
                out.replaced += 1;
            }
            None => {
                if in_url && seen < MAX_CID_REFERENCES {
                    out.unresolved += 1;
                }
                out.text.push_str(html.get(start..end).unwrap_or_default());
            }
        }
        // `end` is past "cid:" (it ends at a character that cannot be in "cid:"), so the scan
        // always moves on.
        rest = end.max(start + 4);
    }
    out.text.push_str(html.get(rest..).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn content_ids_lose_brackets_and_space() {
        for (value, want) in [
            ("<logo@example.org>", Some("logo@example.org")),
            (" < logo@example.org > ", Some("logo@example.org")),
            ("logo@example.org", Some("logo@example.org")),
            ("<>", None),
            ("", None),
            ("  ", None),
            ("<a", Some("a")),
        ] {
            assert_eq!(content_id(value), want, "content_id({value:?})");
        }
    }

    #[test]
    fn cid_urls_are_percent_decoded() {
        for (url, want) in [
            ("logo%40example.org", "logo@example.org"),
            ("foo4%25bar", "foo4%bar"),
            ("a%41%4", "aA%4"),
            ("%zz%", "%zz%"),
            ("%C3%A9", "é"),
            ("%FF", "\u{FFFD}"),
            ("", ""),
        ] {
            assert_eq!(cid_url_target(url), want, "cid_url_target({url:?})");
        }
        assert!(
            cid_matches("<foo4%bar>", "foo4%25bar"),
            "RFC 2392 §2 example"
        );
        assert!(!cid_matches("<>", ""), "empty ids match nothing");
        assert!(!cid_matches("<a@b>", "a@c"));
    }

    fn logo(target: &str) -> Option<String> {
        (target == "logo@example.org").then(|| "data:image/png;base64,iVBORw==".to_string())
    }

    #[test]
    fn references_in_url_position_are_replaced() {
        let html = "<p>cid:x@y in text</p><img src=\"cid:logo%40example.org\"><img src='cid:nothere'><div style=\"background:url(cid:logo@example.org)\"></div><img SRC=CID:logo@example.org>";
        let out = rewrite_cid_urls(html, logo);
        assert_eq!(
            (out.replaced, out.unresolved, out.over_limit),
            (3, 1, 0),
            "replaced/unresolved/over in {:?}",
            out.text
        );
        assert_eq!(
            out.text.matches("data:image/png;base64,iVBORw==").count(),
            3,
            "{}",
            out.text
        );
        assert!(out.text.contains("<p>cid:x@y in text</p>"), "{}", out.text);
        assert!(out.text.contains("src='cid:nothere'"), "{}", out.text);
        let mut asked = Vec::new();
        let _ = rewrite_cid_urls("<img src=\"cid:a%20b\">", |t| {
            asked.push(t.to_string());
            None
        });
        assert_eq!(asked, ["a b"], "the resolver gets the decoded Content-ID");
    }

    #[test]
    fn odd_html_gives_a_text() {
        for (html, want) in [
            ("", (0, 0)),
            ("cid:", (0, 0)),
            ("src=\"cid:", (0, 1)),
            ("src=cid:logo@example.org", (1, 0)),
            ("é src=\"cid:%zz\" ünï", (0, 1)),
            ("<<<cid:cid:cid:>>>", (0, 0)),
            ("=cid:cid:logo@example.org", (0, 1)),
            ("(cid:logo@example.org", (1, 0)),
        ] {
            let out = rewrite_cid_urls(html, logo);
            assert_eq!(
                (out.replaced, out.unresolved),
                want,
                "{html:?} gave {out:?}"
            );
            if out.replaced == 0 {
                assert_eq!(out.text, html, "unchanged");
            }
        }
    }

    #[test]
    fn hostile_inputs_are_bounded() {
        let many = "<img src=\"cid:logo@example.org\">".repeat(MAX_CID_REFERENCES + 5);
        let out = rewrite_cid_urls(&many, logo);
        assert_eq!(
            (out.replaced, out.over_limit),
            (MAX_CID_REFERENCES, 5),
            "replacements capped"
        );
        let mut state = 0x9e37_79b9_u32;
        let mut bytes = Vec::new();
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            bytes.push(b"cid:%=\"'()<> a\xc3\xa9"[(state % 16) as usize]);
        }
        let junk = String::from_utf8_lossy(&bytes);
        let out = rewrite_cid_urls(&junk, |t| Some(format!("[{}]", t.len())));
        assert!(out.replaced + out.unresolved <= junk.matches("cid:").count());
        let _ = cid_url_target(&junk);
        let _ = content_id(&junk);
        let _ = cid_url_target(&"%".repeat(10_000));
    }
}
