//! Authentication-Results fields ([RFC 8601 §2.2](https://www.rfc-editor.org/rfc/rfc8601#section-2.2)):
//! what the servers a message passed through said about it, read so that Mailscope's own
//! verdicts can be set beside theirs.
//!
//! ```text
//! authres-payload = [CFWS] authserv-id [ CFWS authres-version ] ( no-result / 1*resinfo ) [CFWS]
//! resinfo         = [CFWS] ";" methodspec [ CFWS reasonspec ] [ CFWS 1*propspec ]
//! methodspec      = [CFWS] method [ "/" method-version ] [CFWS] "=" [CFWS] result
//! reasonspec      = "reason" [CFWS] "=" [CFWS] value
//! propspec        = ptype [CFWS] "." [CFWS] property [CFWS] "=" pvalue
//! ```
//!
//! Comments (nested, with quoted-pairs) are dropped; values may be tokens or quoted-strings.
//! Total: any input gives a result or a [`ResultsError`] naming the bytes; no recursion.

use crate::lint::{msg, Message};
use serde::{Deserialize, Serialize};

use crate::span::Span;

/// Most results read from one field.
pub const MAX_RESULTS: usize = 64;

/// One `ptype.property=value`, e.g. `header.d=example.org`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prop {
    /// `smtp`, `header`, `body` or `policy` (lowercase).
    pub ptype: String,
    /// The property, lowercase, e.g. `d`, `mailfrom`.
    pub property: String,
    /// The value as written (unquoted).
    pub value: String,
}

/// One method's result, e.g. `dkim=pass header.d=example.org`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResInfo {
    /// The method, lowercase: `dkim`, `spf`, `dmarc`, `arc`, `auth`, …
    pub method: String,
    /// The result word, lowercase.
    pub result: String,
    /// `reason=`, if any.
    pub reason: Option<String>,
    /// The properties.
    pub props: Vec<Prop>,
    /// Where it is.
    pub span: Span,
}

impl ResInfo {
    /// The value of `ptype.property`.
    pub fn prop(&self, ptype: &str, property: &str) -> Option<&str> {
        self.props
            .iter()
            .find(|p| p.ptype == ptype && p.property == property)
            .map(|p| p.value.as_str())
    }
}

/// An Authentication-Results field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthResults {
    /// Who made the checks (`authserv-id`), usually the receiving host.
    pub authserv_id: String,
    /// The results (none for `; none`).
    pub results: Vec<ResInfo>,
}

/// Why a field could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultsError {
    /// What is wrong.
    pub reason: Message,
    /// The bytes responsible.
    pub span: Span,
}

/// A character of the field with comments removed, and its offset.
type Chars = Vec<(usize, u8)>;

/// The value's bytes without comments (each comment becomes one space), with offsets.
fn uncomment(value: &[u8]) -> Result<Chars, (Message, usize)> {
    let mut out = Vec::with_capacity(value.len());
    let mut depth = 0usize;
    let mut quoted = false;
    let mut i = 0;
    while i < value.len() {
        let b = value[i];
        match b {
            b'\\' if quoted || depth > 0 => {
                if depth == 0 {
                    out.push((i, b));
                    if let Some(&n) = value.get(i + 1) {
                        out.push((i + 1, n));
                    }
                }
                i += 2;
                continue;
            }
            b'"' if depth == 0 => {
                quoted = !quoted;
                out.push((i, b));
            }
            b'(' if !quoted => depth += 1,
            b')' if !quoted => {
                depth = depth.checked_sub(1).ok_or((msg!("')' without '('"), i))?;
                if depth == 0 {
                    out.push((i, b' '));
                }
            }
            _ if depth > 0 => {}
            b'\r' | b'\n' | b'\t' => out.push((i, b' ')),
            _ => out.push((i, b)),
        }
        i += 1;
    }
    if depth > 0 {
        return Err((msg!("a comment is not closed"), value.len()));
    }
    if quoted {
        return Err((msg!("a quoted string is not closed"), value.len()));
    }
    Ok(out)
}

struct Cursor<'a> {
    chars: &'a [(usize, u8)],
    pos: usize,
    base: usize,
    end: usize,
}

impl Cursor<'_> {
    fn skip_ws(&mut self) {
        while self.chars.get(self.pos).is_some_and(|c| c.1 == b' ') {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.chars.get(self.pos).map(|c| c.1)
    }

    fn offset(&self) -> usize {
        self.base + self.chars.get(self.pos).map_or(self.end, |c| c.0)
    }

    fn err(&self, reason: Message) -> ResultsError {
        let at = self.offset();
        ResultsError {
            reason,
            span: Span::new(at, (at + 1).min(self.base + self.end).max(at)),
        }
    }

    /// A keyword: letters, digits, `-` and `_`.
    fn keyword(&mut self) -> String {
        let mut s = String::new();
        while let Some(b) = self
            .peek()
            .filter(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
        {
            s.push(char::from(b.to_ascii_lowercase()));
            self.pos += 1;
        }
        s
    }

    /// A quoted-string (unquoted) or a run of bytes up to white space or `;`.
    fn value(&mut self) -> Result<String, ResultsError> {
        let mut bytes = Vec::new();
        if self.peek() == Some(b'"') {
            self.pos += 1;
            loop {
                match self.peek() {
                    None => return Err(self.err(msg!("a quoted string is not closed"))),
                    Some(b'"') => {
                        self.pos += 1;
                        break;
                    }
                    Some(b'\\') => {
                        self.pos += 1;
                        if let Some(b) = self.peek() {
                            bytes.push(b);
                            self.pos += 1;
                        }
                    }
                    Some(b) => {
                        bytes.push(b);
                        self.pos += 1;
                    }
                }
            }
        } else {
            while let Some(b) = self.peek().filter(|b| *b != b' ' && *b != b';') {
                bytes.push(b);
                self.pos += 1;
            }
        }
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    fn expect(&mut self, b: u8) -> Result<(), ResultsError> {
        self.skip_ws();
        if self.peek() == Some(b) {
            self.pos += 1;
            self.skip_ws();
            Ok(())
        } else {
            Err(self.err(msg!("expected '{c}'", c = char::from(b))))
        }
    }
}

/// Reads the value of an Authentication-Results field; spans are offsets into `value` plus
/// `base`.
pub fn parse(value: &[u8], base: usize) -> Result<AuthResults, ResultsError> {
    let chars = uncomment(value).map_err(|(reason, at)| ResultsError {
        reason,
        span: Span::new(base + at, base + (at + 1).min(value.len()).max(at)),
    })?;
    // Split at top-level semicolons (quoted strings kept whole).
    let mut segments: Vec<&[(usize, u8)]> = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    for (i, &(_, b)) in chars.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b';' if !quoted => {
                segments.push(&chars[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    segments.push(&chars[start..]);
    let end = value.len();
    let mut head = Cursor {
        chars: segments[0],
        pos: 0,
        base,
        end,
    };
    head.skip_ws();
    let authserv_id = head.value()?;
    if authserv_id.is_empty() {
        return Err(head.err(msg!(
            "the field does not start with the authserv-id (the checking host)"
        )));
    }
    head.skip_ws();
    if head.peek().is_some_and(|b| b.is_ascii_digit()) {
        let v = head.keyword();
        if v != "1" {
            return Err(head.err(msg!("version {v} is not 1", v)));
        }
        head.skip_ws();
    }
    if head.peek().is_some() {
        return Err(head.err(msg!("unexpected text after the authserv-id")));
    }
    let mut results = Vec::new();
    for (n, seg) in segments.iter().enumerate().skip(1) {
        let mut c = Cursor {
            chars: seg,
            pos: 0,
            base,
            end,
        };
        c.skip_ws();
        if c.peek().is_none() && n == segments.len() - 1 && n > 1 {
            break;
        }
        let first = c.offset();
        let method = c.keyword();
        c.skip_ws();
        if method == "none" && c.peek().is_none() && segments.len() == 2 {
            break;
        }
        if method.is_empty() {
            return Err(c.err(msg!("expected a method such as dkim, spf or dmarc")));
        }
        if c.peek() == Some(b'/') {
            c.pos += 1;
            c.skip_ws();
            if c.keyword().is_empty() {
                return Err(c.err(msg!("expected a method version after '/'")));
            }
        }
        c.expect(b'=')?;
        let result = c.keyword();
        if result.is_empty() {
            return Err(c.err(msg!("{method}= has no result", method)));
        }
        let mut info = ResInfo {
            method,
            result,
            reason: None,
            props: Vec::new(),
            span: Span::default(),
        };
        loop {
            c.skip_ws();
            if c.peek().is_none() {
                break;
            }
            let k = c.keyword();
            if k.is_empty() {
                return Err(c.err(msg!("expected reason= or a property such as header.d=")));
            }
            c.skip_ws();
            match c.peek() {
                Some(b'=') if k == "reason" => {
                    c.expect(b'=')?;
                    info.reason = Some(c.value()?);
                }
                Some(b'.') => {
                    c.expect(b'.')?;
                    let property = c.keyword();
                    if property.is_empty() {
                        return Err(c.err(msg!("{k}. has no property name", k)));
                    }
                    c.expect(b'=')?;
                    let value = c.value()?;
                    info.props.push(Prop {
                        ptype: k,
                        property,
                        value,
                    });
                }
                _ => {
                    return Err(c.err(msg!(
                        "{k} is neither reason= nor ptype.property=",
                        k = format_args!("{k:?}")
                    )))
                }
            }
        }
        info.span = Span::new(first, c.offset().max(first));
        if results.len() >= MAX_RESULTS {
            return Err(c.err(msg!("more than {MAX_RESULTS} results", MAX_RESULTS)));
        }
        results.push(info);
    }
    Ok(AuthResults {
        authserv_id,
        results,
    })
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn reads_rfc8601_examples() {
        // RFC 8601 Appendix B.
        let r = parse(b" example.org 1; none", 0).unwrap();
        assert_eq!(
            (r.authserv_id.as_str(), r.results.len()),
            ("example.org", 0)
        );
        let r = parse(
            b" example.com;\r\n  spf=pass smtp.mailfrom=example.net;\r\n  auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n  dkim=pass reason=\"good signature\"\r\n    header.i=@mail-router.example.net;\r\n  dkim=fail (bad signature) header.i=@newyork.example.com",
            0,
        )
        .unwrap();
        let words: Vec<_> = r
            .results
            .iter()
            .map(|i| (i.method.as_str(), i.result.as_str()))
            .collect();
        assert_eq!(
            words,
            [
                ("spf", "pass"),
                ("auth", "pass"),
                ("dkim", "pass"),
                ("dkim", "fail")
            ]
        );
        assert_eq!(r.results[0].prop("smtp", "mailfrom"), Some("example.net"));
        assert_eq!(r.results[2].reason.as_deref(), Some("good signature"));
        assert_eq!(
            r.results[3].prop("header", "i"),
            Some("@newyork.example.com")
        );
        let r = parse(b" mx.google.com; dkim=pass header.i=@example.org header.s=sel header.b=AbC; spf=softfail (google.com: domain of a@x.test does not designate 1.2.3.4 as permitted sender) smtp.mailfrom=a@x.test; dmarc=fail (p=REJECT sp=REJECT dis=REJECT) header.from=example.org", 0).unwrap();
        assert_eq!(r.results.len(), 3);
        assert_eq!(r.results[2].prop("header", "from"), Some("example.org"));
        for bad in [
            &b""[..],
            b" ; dkim=pass",
            b" a.test; =pass",
            b" a.test; dkim",
            b" a.test; dkim=pass (x",
            b" a.test 2; none",
            b" a.test; dkim=pass header.=x",
        ] {
            assert!(parse(bad, 0).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
    }
}
