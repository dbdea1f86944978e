//! Tag=value lists ([RFC 6376 §3.2](https://www.rfc-editor.org/rfc/rfc6376#section-3.2)), the
//! syntax of DKIM-Signature fields, DKIM key records and DMARC records.
//!
//! ```text
//! tag-list  =  tag-spec *( ";" tag-spec ) [ ";" ]
//! tag-spec  =  [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
//! tag-name  =  ALPHA *ALNUMPUNC                  ; ALNUMPUNC = ALPHA / DIGIT / "_"
//! tag-value =  [ tval *( 1*(WSP / FWS) tval ) ]  ; tval = 1*VALCHAR, %x21-3A / %x3C-7E
//! ```
//!
//! Total: any input gives tags or a [`TagError`] with the span of the offending bytes. Tag
//! names are case-sensitive (§3.2); a duplicate tag is an error.

use crate::lint::{msg, Message};
use crate::span::Span;

/// Most tags read from one list; longer lists are refused.
pub const MAX_TAGS: usize = 64;

/// One `name=value` pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// The tag name.
    pub name: String,
    /// The value with surrounding whitespace removed (inner folding whitespace kept).
    pub value: String,
    /// Where the name is.
    pub name_span: Span,
    /// Where the (trimmed) value is.
    pub value_span: Span,
    /// From after the `=` to the `;` or the end, whitespace included (what DKIM blanks out of
    /// `b=`, RFC 6376 §3.7).
    pub raw_value_span: Span,
}

/// Why a tag list could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagError {
    /// What is wrong, for people.
    pub reason: Message,
    /// The bytes responsible.
    pub span: Span,
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Reads a tag list from `input`; spans are offsets into `input` plus `base`.
pub fn parse(input: &[u8], base: usize) -> Result<Vec<Tag>, TagError> {
    let mut tags: Vec<Tag> = Vec::new();
    let mut pos = 0;
    let err = |reason: Message, s: usize, e: usize| TagError {
        reason,
        span: Span::new(base + s, base + e),
    };
    while pos < input.len() {
        let end = input[pos..]
            .iter()
            .position(|&b| b == b';')
            .map_or(input.len(), |i| pos + i);
        let spec = &input[pos..end];
        if spec.iter().all(|&b| is_ws(b)) {
            if end < input.len() {
                return Err(err(msg!("an empty tag between semicolons"), pos, end + 1));
            }
            pos = end + 1;
            continue;
        }
        let Some(eq) = spec.iter().position(|&b| b == b'=') else {
            return Err(err(
                msg!(
                    "{spec} is not name=value",
                    spec = format_args!("{:?}", String::from_utf8_lossy(spec.trim_ascii()))
                ),
                pos,
                end,
            ));
        };
        let name_start = pos + spec.iter().position(|&b| !is_ws(b)).unwrap_or(0);
        let name_end = pos + eq - spec[..eq].iter().rev().take_while(|&&b| is_ws(b)).count();
        let name = &input[name_start..name_end.max(name_start)];
        let name_ok = name.first().is_some_and(u8::is_ascii_alphabetic)
            && name.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'_');
        if !name_ok {
            return Err(err(
                msg!(
                    "{name} is not a tag name (a letter, then letters, digits or '_')",
                    name = format_args!("{:?}", String::from_utf8_lossy(name))
                ),
                name_start,
                name_end.max(name_start),
            ));
        }
        let raw = &input[pos + eq + 1..end];
        let lead = raw.iter().take_while(|&&b| is_ws(b)).count();
        let trail = raw[lead..].iter().rev().take_while(|&&b| is_ws(b)).count();
        let v_start = pos + eq + 1 + lead;
        let v_end = end - trail;
        let value = &input[v_start..v_end.max(v_start)];
        if let Some(bad) = value
            .iter()
            .position(|&b| !(is_ws(b) || (0x21..=0x7e).contains(&b) && b != b';'))
        {
            return Err(err(
                msg!(
                    "byte {byte} is not allowed in a tag value",
                    byte = format_args!("0x{:02x}", value[bad])
                ),
                v_start + bad,
                v_start + bad + 1,
            ));
        }
        let name = String::from_utf8_lossy(name).into_owned();
        if tags.iter().any(|t| t.name == name) {
            return Err(err(
                msg!("the tag {name}= appears twice", name),
                name_start,
                name_end,
            ));
        }
        if tags.len() >= MAX_TAGS {
            return Err(err(
                msg!("more than {MAX_TAGS} tags", MAX_TAGS),
                name_start,
                end,
            ));
        }
        tags.push(Tag {
            name,
            value: String::from_utf8_lossy(value).into_owned(),
            name_span: Span::new(base + name_start, base + name_end),
            value_span: Span::new(base + v_start, base + v_end.max(v_start)),
            raw_value_span: Span::new(base + pos + eq + 1, base + end),
        });
        pos = end + 1;
    }
    Ok(tags)
}

/// The tag called `name`.
pub fn get<'a>(tags: &'a [Tag], name: &str) -> Option<&'a Tag> {
    tags.iter().find(|t| t.name == name)
}

/// `value` without any whitespace (base64 values may be folded anywhere).
pub fn squeeze(value: &str) -> String {
    value.chars().filter(|c| !c.is_ascii_whitespace()).collect()
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn reads_tags_with_spans() {
        let input = b" v=1; a = rsa-sha256 ;\r\n\tb=ab\r\n cd; ";
        let tags = parse(input, 10).unwrap();
        let names: Vec<_> = tags
            .iter()
            .map(|t| (t.name.as_str(), t.value.as_str()))
            .collect();
        assert_eq!(names, [("v", "1"), ("a", "rsa-sha256"), ("b", "ab\r\n cd")]);
        assert_eq!(tags[1].value_span, Span::new(20, 30));
        assert_eq!(squeeze(&tags[2].value), "abcd");
    }

    #[test]
    fn refuses_what_the_grammar_does_not_allow() {
        for input in [
            &b"v=1; v=1"[..],
            b"v",
            b"1v=2",
            b"v=1;; a=2",
            b"a=\x80",
            b"=x",
            b";",
        ] {
            assert!(
                parse(input, 0).is_err(),
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
        assert!(parse(b"", 0).unwrap().is_empty());
        assert_eq!(parse(b"v=1;", 0).unwrap().len(), 1);
        assert_eq!(parse(b"p=", 0).unwrap()[0].value, "");
    }
}
