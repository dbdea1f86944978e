//! Searching the sandbox's messages (`GET /api/messages?q=…`): a query of words, `"quoted
//! phrases"` and `field:` terms, matched against what a reader sees of each message — its From,
//! To and Subject decoded (RFC 2047 in any charset), the envelope addresses, and the decoded text
//! of its `text/*` parts (base64 and quoted-printable undone, charsets decoded).
//!
//! Terms: `from:alice` (From field and MAIL FROM), `to:bob` (To field and the accepted
//! recipients), `subject:hello`, `text:invoice` (the text parts), and bare words matching any of
//! them. Every term must match (AND); matching is case-insensitive (Unicode lowercase) on
//! substrings. A term's value may be quoted: `subject:"quarterly report"`.
//!
//! Limits: a query of at most [`MAX_QUERY_BYTES`] bytes and [`MAX_TERMS`] terms (more is an
//! error, never cut silently); each message's searched text is at most [`MAX_TEXT_BYTES`]
//! bytes (the rest of a very large message is not searched, and [`SearchFields::text_cut`] says
//! so).

use crate::mime::parse::parse_message;

use super::MessageMeta;

/// Longest query read.
pub const MAX_QUERY_BYTES: usize = 1024;
/// Most terms in a query.
pub const MAX_TERMS: usize = 16;
/// Most bytes of decoded text searched per message.
pub const MAX_TEXT_BYTES: usize = 4 * 1024 * 1024;

/// Where a term looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// From field and MAIL FROM.
    From,
    /// To field and the accepted recipients.
    To,
    /// The Subject.
    Subject,
    /// The decoded text parts.
    Text,
    /// Any of them.
    Any,
}

/// One term: a field and the lowercase text looked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// Where.
    pub field: Field,
    /// What, lowercased.
    pub needle: String,
}

/// A parsed query: every term must match.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    /// The terms.
    pub terms: Vec<Term>,
}

/// Why a query was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryError {
    /// Longer than [`MAX_QUERY_BYTES`].
    TooLong,
    /// More than [`MAX_TERMS`] terms.
    TooManyTerms,
    /// A `"` without its closing `"`.
    UnclosedQuote,
}

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            QueryError::TooLong => write!(
                f,
                "the search is longer than {MAX_QUERY_BYTES} bytes: shorten it"
            ),
            QueryError::TooManyTerms => write!(
                f,
                "the search has more than {MAX_TERMS} terms: use fewer words"
            ),
            QueryError::UnclosedQuote => {
                write!(
                    f,
                    "a quoted phrase has no closing \": add it or remove the \""
                )
            }
        }
    }
}

impl std::error::Error for QueryError {}

impl Query {
    /// Reads a query (total: any text gives a query or a [`QueryError`]). An empty query
    /// matches every message.
    pub fn parse(text: &str) -> Result<Query, QueryError> {
        if text.len() > MAX_QUERY_BYTES {
            return Err(QueryError::TooLong);
        }
        let mut terms = Vec::new();
        let mut rest = text.trim_start();
        while !rest.is_empty() {
            let (field, after) = match rest.split_once(':') {
                Some((name, after)) if !name.contains(char::is_whitespace) => {
                    match name.to_ascii_lowercase().as_str() {
                        "from" => (Field::From, after),
                        "to" => (Field::To, after),
                        "subject" => (Field::Subject, after),
                        "text" | "body" => (Field::Text, after),
                        _ => (Field::Any, rest),
                    }
                }
                _ => (Field::Any, rest),
            };
            let (value, next) = if let Some(quoted) = after.strip_prefix('"') {
                let end = quoted.find('"').ok_or(QueryError::UnclosedQuote)?;
                (&quoted[..end], &quoted[end + 1..])
            } else {
                let end = after.find(char::is_whitespace).unwrap_or(after.len());
                (&after[..end], &after[end..])
            };
            if !value.is_empty() {
                if terms.len() == MAX_TERMS {
                    return Err(QueryError::TooManyTerms);
                }
                terms.push(Term {
                    field,
                    needle: value.to_lowercase(),
                });
            }
            rest = next.trim_start();
        }
        Ok(Query { terms })
    }

    /// Whether every term matches `fields`.
    pub fn matches(&self, fields: &SearchFields) -> bool {
        self.terms.iter().all(|t| {
            let has = |s: &str| s.contains(t.needle.as_str());
            match t.field {
                Field::From => has(&fields.from),
                Field::To => has(&fields.to),
                Field::Subject => has(&fields.subject),
                Field::Text => has(&fields.text),
                Field::Any => {
                    has(&fields.from)
                        || has(&fields.to)
                        || has(&fields.subject)
                        || has(&fields.text)
                }
            }
        })
    }
}

/// What a query is matched against, lowercased.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchFields {
    /// The From field, decoded, and MAIL FROM.
    pub from: String,
    /// The To field, decoded, and the accepted recipients.
    pub to: String,
    /// The Subject, decoded.
    pub subject: String,
    /// The decoded text of the `text/*` parts that are not attachments, joined by line breaks.
    pub text: String,
    /// Whether the text was cut at [`MAX_TEXT_BYTES`].
    pub text_cut: bool,
}

impl SearchFields {
    /// The fields of a stored message: its metadata (headline, envelope) and its bytes.
    pub fn of(meta: &MessageMeta, raw: &[u8]) -> SearchFields {
        let headline = meta.headline.clone().unwrap_or_default();
        let join = |parts: Vec<&str>| parts.join("\n").to_lowercase();
        let rcpts: Vec<&str> = meta
            .envelope
            .rcpts
            .iter()
            .map(|r| r.address.as_str())
            .collect();
        let mut to = vec![headline.to.as_deref().unwrap_or_default()];
        to.extend(rcpts);
        let message = parse_message(raw);
        let mut text = String::new();
        let mut text_cut = false;
        for (id, entity) in message.entities.iter().enumerate() {
            let attachment = entity.disposition.as_deref() == Some("attachment");
            if !entity.is_leaf() || entity.main_type() != "text" || attachment {
                continue;
            }
            let Some(part) = message.text(id) else {
                continue;
            };
            let room = MAX_TEXT_BYTES.saturating_sub(text.len());
            if part.len() > room {
                let cut = (0..=room)
                    .rev()
                    .find(|&i| part.is_char_boundary(i))
                    .unwrap_or(0);
                text.push_str(&part[..cut]);
                text_cut = true;
                break;
            }
            text.push_str(part);
            text.push('\n');
        }
        SearchFields {
            from: join(vec![
                headline.from.as_deref().unwrap_or_default(),
                &meta.envelope.from,
            ]),
            to: join(to),
            subject: headline.subject.unwrap_or_default().to_lowercase(),
            text: text.to_lowercase(),
            text_cut,
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn fields() -> SearchFields {
        let raw = b"From: =?EUC-KR?B?yKux5rW/?= <hong@example.kr>\r\nTo: Bob <bob@example.org>\r\n\
                    Subject: =?UTF-8?Q?Quarterly_report_=E2=80=94_Q3?=\r\nMIME-Version: 1.0\r\n\
                    Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
                    Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n\
                    SW52b2ljZSDsoJXsgrA=\r\n--b\r\nContent-Type: text/plain\r\n\
                    Content-Disposition: attachment; filename=a.txt\r\n\r\nsecret attachment\r\n--b--\r\n";
        let meta: MessageMeta = serde_json::from_value(serde_json::json!({
            "id": 1,
            "envelope": {"from": "bounce@example.kr", "params": {"size": null, "body": null,
                "smtputf8": false, "ret": null, "envid": null, "auth": null, "other": []},
                "rcpts": [{"address": "carol@example.net",
                    "params": {"notify": null, "orcpt": null, "other": []}}]},
            "headline": crate::mime::headline::Headline::read(raw),
        }))
        .expect("meta");
        SearchFields::of(&meta, raw)
    }

    #[test]
    fn terms_match_what_a_reader_sees() {
        let f = fields();
        let hits = |q: &str| Query::parse(q).expect("query").matches(&f);
        // Decoded From (EUC-KR encoded-word) and the envelope sender.
        assert!(hits("from:홍길동") && hits("from:bounce@"));
        // To field and the accepted recipients.
        assert!(hits("to:bob") && hits("to:carol@example.net"));
        assert!(hits("subject:\"quarterly report — q3\""));
        // The base64 UTF-8 text part, decoded; not the attachment.
        assert!(hits("text:invoice") && hits("정산"));
        assert!(!hits("secret"), "attachments are not searched");
        // Every term must match; case does not matter.
        assert!(hits("INVOICE from:HONG"));
        assert!(!hits("invoice from:mallory"));
        assert!(hits(""), "an empty query matches everything");
        // An unknown prefix is a plain word.
        assert!(!hits("cc:bob"));
    }

    #[test]
    fn queries_are_read_totally_with_limits() {
        assert_eq!(
            Query::parse("subject:\"open").err(),
            Some(QueryError::UnclosedQuote)
        );
        assert_eq!(
            Query::parse(&"a".repeat(MAX_QUERY_BYTES + 1)).err(),
            Some(QueryError::TooLong)
        );
        let many = ["w"; MAX_TERMS + 1].join(" ");
        assert_eq!(Query::parse(&many).err(), Some(QueryError::TooManyTerms));
        let q = Query::parse("  from:  x to:\"\" ü ").expect("query");
        assert_eq!(
            q.terms,
            [
                Term {
                    field: Field::Any,
                    needle: "x".into()
                },
                Term {
                    field: Field::Any,
                    needle: "ü".into()
                }
            ],
            "empty values are dropped (a prefix with nothing after it, an empty quote)"
        );
        for hostile in ["\"", ":", "::::", "from:\"", "\u{0}:\u{0}", "to:\"a\"\"b\""] {
            let _ = Query::parse(hostile);
        }
    }
}
