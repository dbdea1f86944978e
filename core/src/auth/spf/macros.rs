//! SPF macros ([RFC 7208 §7](https://www.rfc-editor.org/rfc/rfc7208#section-7)).
//!
//! ```text
//! macro-string = *( macro-expand / macro-literal )
//! macro-expand = ( "%{" macro-letter transformers *delimiter "}" ) / "%%" / "%_" / "%-"
//! transformers = *DIGIT [ "r" ]
//! delimiter    = "." / "-" / "+" / "," / "/" / "_" / "="
//! ```

use crate::lint::{msg, Message};
use std::net::IpAddr;

/// One piece of a macro-string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Literal text (`%%`, `%_`, `%-` already turned into `%`, space, `%20`).
    Literal(String),
    /// A macro.
    Macro {
        /// The letter, lowercase.
        letter: char,
        /// Whether the letter was uppercase (URL-escape the result).
        escape: bool,
        /// Keep only this many rightmost parts.
        keep: Option<usize>,
        /// Reverse the parts.
        reverse: bool,
        /// Split on these characters (`.` when none).
        delimiters: String,
    },
}

/// A parsed macro-string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MacroString(pub Vec<Piece>);

/// Reads a macro-string; `exp` allows the letters `c`, `r` and `t` of explanations.
pub fn parse(text: &str, exp: bool) -> Result<MacroString, Message> {
    let mut pieces = Vec::new();
    let mut lit = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            if !(c.is_ascii_graphic() || exp && c == ' ') {
                return Err(msg!(
                    "{c} is not allowed in a domain-spec",
                    c = format_args!("{c:?}")
                ));
            }
            lit.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => lit.push('%'),
            Some('_') => lit.push(' '),
            Some('-') => lit.push_str("%20"),
            Some('{') => {
                let mut body = String::new();
                let mut closed = false;
                for c in chars.by_ref() {
                    if c == '}' {
                        closed = true;
                        break;
                    }
                    body.push(c);
                }
                if !closed {
                    return Err(msg!(
                        "the macro {m} is not closed with '}'",
                        m = format_args!("%{{{body}")
                    ));
                }
                let mut b = body.chars();
                let letter = b.next().ok_or(msg!("an empty macro %{}"))?;
                let lower = letter.to_ascii_lowercase();
                let allowed = if exp { "slodiphvcrt" } else { "slodiphv" };
                if !allowed.contains(lower) {
                    let m = format!("%{{{letter}}}");
                    return Err(if exp {
                        msg!("{m} is not a macro letter", m)
                    } else {
                        msg!(
                            "{m} is not a macro letter here (c, r and t only in exp= text)",
                            m
                        )
                    });
                }
                let rest: String = b.collect();
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                let mut tail = &rest[digits.len()..];
                let keep = if digits.is_empty() {
                    None
                } else {
                    match digits.parse::<usize>() {
                        Ok(0) | Err(_) => {
                            return Err(msg!(
                                "{m}: the digit transformer must be 1 to 128",
                                m = format_args!("%{{{body}}}")
                            ))
                        }
                        Ok(n) => Some(n.min(128)),
                    }
                };
                let reverse = tail.starts_with(['r', 'R']);
                if reverse {
                    tail = &tail[1..];
                }
                if let Some(bad) = tail.chars().find(|c| !".-+,/_=".contains(*c)) {
                    return Err(msg!(
                        "{m}: {bad} is not a delimiter",
                        m = format_args!("%{{{body}}}"),
                        bad = format_args!("{bad:?}")
                    ));
                }
                if !lit.is_empty() {
                    pieces.push(Piece::Literal(std::mem::take(&mut lit)));
                }
                pieces.push(Piece::Macro {
                    letter: lower,
                    escape: letter.is_ascii_uppercase(),
                    keep,
                    reverse,
                    delimiters: tail.to_owned(),
                });
            }
            other => {
                return Err(msg!(
                    "'%' followed by {other}: write %% for a percent sign",
                    other = format_args!("{other:?}")
                ))
            }
        }
    }
    if !lit.is_empty() {
        pieces.push(Piece::Literal(lit));
    }
    Ok(MacroString(pieces))
}

/// The values macros expand to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context<'a> {
    /// `s`: the sender, `local@domain`.
    pub sender: &'a str,
    /// `d`: the current domain.
    pub domain: &'a str,
    /// `i`, `c`, `v`: the client address.
    pub ip: IpAddr,
    /// `h`: the HELO name.
    pub helo: &'a str,
    /// `p`: the validated name of the client, or "unknown".
    pub ptr: &'a str,
    /// `r`: the checking host.
    pub receiver: &'a str,
    /// `t`: the time of the check.
    pub now: u64,
}

fn dotted(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => v6
            .octets()
            .iter()
            .flat_map(|b| [b >> 4, b & 15])
            .map(|n| format!("{n:x}"))
            .collect::<Vec<_>>()
            .join("."),
    }
}

impl MacroString {
    /// Whether the string uses the `p` macro (which needs a PTR lookup).
    pub fn uses_ptr(&self) -> bool {
        self.0
            .iter()
            .any(|p| matches!(p, Piece::Macro { letter: 'p', .. }))
    }

    /// Expands the string in `cx`.
    pub fn expand(&self, cx: &Context<'_>) -> String {
        let mut out = String::new();
        for piece in &self.0 {
            match piece {
                Piece::Literal(l) => out.push_str(l),
                Piece::Macro {
                    letter,
                    escape,
                    keep,
                    reverse,
                    delimiters,
                } => {
                    let (local, sdomain) = cx
                        .sender
                        .rsplit_once('@')
                        .unwrap_or(("postmaster", cx.sender));
                    let value = match letter {
                        's' => cx.sender.to_owned(),
                        'l' => local.to_owned(),
                        'o' => sdomain.to_owned(),
                        'd' => cx.domain.to_owned(),
                        'i' => dotted(cx.ip),
                        'p' => cx.ptr.to_owned(),
                        'v' => if cx.ip.is_ipv4() { "in-addr" } else { "ip6" }.to_owned(),
                        'h' => cx.helo.to_owned(),
                        'c' => cx.ip.to_string(),
                        'r' => cx.receiver.to_owned(),
                        _ => cx.now.to_string(),
                    };
                    let delims = if delimiters.is_empty() {
                        "."
                    } else {
                        delimiters.as_str()
                    };
                    let mut parts: Vec<&str> = value.split(|c| delims.contains(c)).collect();
                    if *reverse {
                        parts.reverse();
                    }
                    if let Some(n) = keep {
                        let skip = parts.len().saturating_sub(*n);
                        parts.drain(..skip);
                    }
                    let joined = parts.join(".");
                    if *escape {
                        for b in joined.bytes() {
                            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                                out.push(char::from(b));
                            } else {
                                out.push_str(&format!("%{b:02X}"));
                            }
                        }
                    } else {
                        out.push_str(&joined);
                    }
                }
            }
        }
        out
    }
}

/// A domain name cut to at most 253 characters by dropping labels on the left (§7.3).
pub fn truncate_domain(name: &str) -> String {
    let mut s = name.trim_end_matches('.');
    while s.len() > 253 {
        match s.split_once('.') {
            Some((_, rest)) => s = rest,
            None => break,
        }
    }
    s.to_owned()
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    /// The examples of RFC 7208 §7.4.
    #[test]
    fn rfc7208_examples() {
        let cx = Context {
            sender: "strong-bad@email.example.com",
            domain: "email.example.com",
            ip: "192.0.2.3".parse().unwrap(),
            helo: "mx.example.org",
            ptr: "unknown",
            receiver: "mx.test",
            now: 0,
        };
        for (input, want) in [
            ("%{s}", "strong-bad@email.example.com"),
            ("%{o}", "email.example.com"),
            ("%{d}", "email.example.com"),
            ("%{d4}", "email.example.com"),
            ("%{d3}", "email.example.com"),
            ("%{d2}", "example.com"),
            ("%{d1}", "com"),
            ("%{dr}", "com.example.email"),
            ("%{d2r}", "example.email"),
            ("%{l}", "strong-bad"),
            ("%{l-}", "strong.bad"),
            ("%{lr}", "strong-bad"),
            ("%{lr-}", "bad.strong"),
            ("%{l1r-}", "strong"),
            (
                "%{ir}.%{v}._spf.%{d2}",
                "3.2.0.192.in-addr._spf.example.com",
            ),
            ("%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"),
            (
                "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}",
                "bad.strong.lp.3.2.0.192.in-addr._spf.example.com",
            ),
            (
                "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}",
                "3.2.0.192.in-addr.strong.lp._spf.example.com",
            ),
            (
                "%{d2}.trusted-domains.example.net",
                "example.com.trusted-domains.example.net",
            ),
            ("%%%_%-", "% %20"),
        ] {
            assert_eq!(parse(input, false).unwrap().expand(&cx), want, "{input}");
        }
        let v6 = Context {
            ip: "2001:db8::cb01".parse().unwrap(),
            ..cx
        };
        assert_eq!(
            parse("%{ir}.%{v}._spf.%{d2}", false).unwrap().expand(&v6),
            "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com"
        );
        for bad in ["%{x}", "%{c}", "%", "%a", "%{d0}", "%{d2q}", "%{d"] {
            assert!(parse(bad, false).is_err(), "{bad}");
        }
        assert_eq!(parse("%{c} %{T}", true).unwrap().expand(&cx), "192.0.2.3 0");
    }
}
