//! Findings that explain defects: every lint has a stable dotted code, a severity, a byte span
//! into the input it was found in, a one-line message and the RFC section it rests on.
//!
//! Each protocol module declares its lints as [`LintDef`] constants and lists them in a
//! `CATALOG` slice; [`catalog`] joins them, and `docs/lints.md` documents every entry (a test
//! keeps the two in step).
//!
//! A finding's message is a [`Message`]: an English template with `{name}` holes and the values
//! that fill them, written with `msg!`. The lint keeps the English text as
//! [`Lint::message`] and the template as [`Lint::text`], which
//! [`crate::i18n::lint_message`] gives in another language.

use std::borrow::Cow;

use serde::de::Deserializer;
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

use crate::span::Span;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing, not a defect (for example an obsolete but legal form).
    Info,
    /// Tolerated by most software, rejected by strict software or a sign of trouble.
    Warning,
    /// Violates a MUST of the standard; conforming software rejects or misreads it.
    Error,
}

impl Severity {
    /// Lowercase name, as in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// The fixed description of one kind of finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LintDef {
    /// Stable dotted code such as `smtp.bare-lf`.
    pub code: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// The standard and section it rests on, such as `RFC 5321 §2.3.8`.
    pub reference: &'static str,
    /// One line saying what the defect is, used in the catalog.
    pub summary: &'static str,
}

impl LintDef {
    /// A finding of this kind at `span`, with a message specific to the case.
    pub fn at(&'static self, span: Span, text: Message) -> Lint {
        Lint {
            code: Cow::Borrowed(self.code),
            severity: self.severity,
            span,
            message: text.english(),
            reference: Cow::Borrowed(self.reference),
            text,
        }
    }
}

/// A people-facing sentence as an English template with `{name}` holes and the values that
/// fill them, so that it can be given in another language ([`crate::i18n::message`]). Write
/// one with `msg!`; the template is a literal, so a test finds every template in the source.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// The English template.
    pub template: Cow<'static, str>,
    /// The value of each hole, by name.
    pub args: Vec<(Cow<'static, str>, Arg)>,
}

/// The value of one hole of a [`Message`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Arg {
    /// Shown as it is in every language: an address, a header name, a number, quoted input.
    Data(String),
    /// A sentence of its own, translated too (a parser's reason inside a finding).
    Text(Message),
}

impl Message {
    /// A template without values (use `msg!`).
    pub const fn new(template: &'static str) -> Message {
        Message {
            template: Cow::Borrowed(template),
            args: Vec::new(),
        }
    }

    /// Text that is not a template, such as a message read back from JSON: shown as it is in
    /// English and translated only where a table knows the whole sentence.
    pub fn plain(text: String) -> Message {
        Message {
            template: Cow::Owned(text),
            args: Vec::new(),
        }
    }

    /// A value shown as it is in every language, with no sentence around it: a record, tags.
    pub fn datum(value: impl std::fmt::Display) -> Message {
        Message::new("{value}").data("value", value)
    }

    /// Fills hole `name` with `value`, shown as it is in every language.
    pub fn data(mut self, name: &'static str, value: impl std::fmt::Display) -> Message {
        self.args
            .push((Cow::Borrowed(name), Arg::Data(value.to_string())));
        self
    }

    /// Fills hole `name` with another message, translated with this one.
    pub fn text(mut self, name: &'static str, value: Message) -> Message {
        self.args.push((Cow::Borrowed(name), Arg::Text(value)));
        self
    }

    /// The text with every template passed through `translate` (the identity gives English).
    pub fn render(&self, translate: &dyn Fn(&str) -> Option<&'static str>) -> String {
        let args: Vec<(&str, Cow<'_, str>)> = self
            .args
            .iter()
            .map(|(n, a)| {
                let v = match a {
                    Arg::Data(d) => Cow::Borrowed(d.as_str()),
                    Arg::Text(m) => Cow::Owned(m.render(translate)),
                };
                (&**n, v)
            })
            .collect();
        let shown: Vec<(&str, &dyn std::fmt::Display)> = args
            .iter()
            .map(|(n, v)| (*n, v as &dyn std::fmt::Display))
            .collect();
        crate::i18n::fill(translate(&self.template).unwrap_or(&self.template), &shown)
    }

    /// The English text.
    pub fn english(&self) -> String {
        self.render(&|_| None)
    }

    /// `parts` one after another with `separator` (such as a line break) between them: no
    /// template of its own to translate, each part translated.
    pub fn joined(parts: impl IntoIterator<Item = Message>, separator: &str) -> Message {
        let mut template = String::new();
        let mut args = Vec::new();
        for (i, part) in parts.into_iter().enumerate() {
            if i > 0 {
                template.push_str(separator);
            }
            template.push_str(&format!("{{{i}}}"));
            args.push((Cow::Owned(i.to_string()), Arg::Text(part)));
        }
        Message {
            template: Cow::Owned(template),
            args,
        }
    }

    /// Whether there is nothing to say ([`Message::default`]).
    pub fn is_empty(&self) -> bool {
        self.template.is_empty() && self.args.is_empty()
    }
}

/// A [`Message`] field as JSON carries it, the English text (the documented `docs/json.md`
/// shapes), and whole between the parts of one program (postcard), so the page can translate
/// it: `#[serde(with = "crate::lint::english")]`. Read back from JSON it is
/// [`Message::plain`].
pub mod english {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::Message;

    /// Writes the English text, or the whole message in a binary form.
    pub fn serialize<S: Serializer>(m: &Message, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(&m.english())
        } else {
            m.serialize(s)
        }
    }

    /// Reads what [`serialize`] wrote.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Message, D::Error> {
        if d.is_human_readable() {
            String::deserialize(d).map(Message::plain)
        } else {
            Message::deserialize(d)
        }
    }
}

impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.english())
    }
}

/// A [`Message`] from a literal template and its values: `msg!("{n} octets", n = len)`, or
/// `msg!("{name} given twice", name)` for a variable of the hole's name. Values are shown as
/// they are ([`Arg::Data`]); add translated parts with [`Message::text`].
macro_rules! msg {
    ($template:literal $(, $name:ident $(= $value:expr)?)* $(,)?) => {
        $crate::lint::Message::new($template)
            $(.data(stringify!($name), $crate::lint::msg!(@value $name $($value)?)))*
    };
    (@value $name:ident $value:expr) => { $value };
    (@value $name:ident) => { &$name };
}
pub(crate) use msg;

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lint {
    /// Stable dotted code such as `smtp.bare-lf`.
    pub code: Cow<'static, str>,
    /// How bad it is.
    pub severity: Severity,
    /// Where it is, in bytes of the input the finding was made on.
    pub span: Span,
    /// What is wrong here, in one line, in English ([`Lint::text`] rendered).
    pub message: String,
    /// The standard and section it rests on.
    pub reference: Cow<'static, str>,
    /// The message as a template with its values, for [`crate::i18n::lint_message`].
    pub text: Message,
}

/// A lint as JSON carries it: the English message only (the documented `docs/json.md` shape).
#[derive(Serialize, Deserialize)]
struct LintJson<'a> {
    code: Cow<'a, str>,
    severity: Severity,
    span: Span,
    message: Cow<'a, str>,
    reference: Cow<'a, str>,
}

/// A lint between the parts of one program (postcard, between the web's worker and page): the
/// template too, so the page can translate it.
#[derive(Serialize, Deserialize)]
struct LintWire<'a> {
    code: Cow<'a, str>,
    severity: Severity,
    span: Span,
    reference: Cow<'a, str>,
    text: Cow<'a, Message>,
}

impl Serialize for Lint {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            LintJson {
                code: Cow::Borrowed(&self.code),
                severity: self.severity,
                span: self.span,
                message: Cow::Borrowed(&self.message),
                reference: Cow::Borrowed(&self.reference),
            }
            .serialize(s)
        } else {
            LintWire {
                code: Cow::Borrowed(&self.code),
                severity: self.severity,
                span: self.span,
                reference: Cow::Borrowed(&self.reference),
                text: Cow::Borrowed(&self.text),
            }
            .serialize(s)
        }
    }
}

impl<'de> Deserialize<'de> for Lint {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Lint, D::Error> {
        if d.is_human_readable() {
            let j = LintJson::deserialize(d)?;
            let message = j.message.into_owned();
            Ok(Lint {
                code: Cow::Owned(j.code.into_owned()),
                severity: j.severity,
                span: j.span,
                text: Message::plain(message.clone()),
                message,
                reference: Cow::Owned(j.reference.into_owned()),
            })
        } else {
            let w = LintWire::deserialize(d)?;
            let text = w.text.into_owned();
            Ok(Lint {
                code: Cow::Owned(w.code.into_owned()),
                severity: w.severity,
                span: w.span,
                message: text.english(),
                reference: Cow::Owned(w.reference.into_owned()),
                text,
            })
        }
    }
}

/// Every lint the core can report, in catalog order.
pub fn catalog() -> impl Iterator<Item = &'static LintDef> {
    crate::smtp::CATALOG
        .iter()
        .chain(crate::mime::CATALOG)
        .chain(crate::auth::CATALOG)
        .copied()
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn codes_are_unique_dotted_and_documented() {
        let docs = include_str!("../../docs/lints.md");
        let mut seen = std::collections::BTreeSet::new();
        for def in catalog() {
            assert!(seen.insert(def.code), "duplicate lint code {}", def.code);
            let (family, name) = def.code.split_once('.').expect("dotted code");
            assert!(
                matches!(family, "smtp" | "mime" | "auth"),
                "unknown family in {}",
                def.code
            );
            assert!(
                !name.is_empty()
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b == b'-' || b.is_ascii_digit()),
                "code {} must be lowercase words joined by '-'",
                def.code
            );
            assert!(
                docs.contains(&format!("`{}`", def.code)),
                "docs/lints.md lacks `{}`",
                def.code
            );
            assert!(
                def.reference.starts_with("RFC "),
                "{} cites no RFC",
                def.code
            );
        }
    }
}
