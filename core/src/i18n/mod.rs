//! Languages for the text the core writes for people: English (the source) and Korean.
//!
//! The core's explanations are English `&'static str` tables next to the code they explain
//! (reply codes, RFC 3463/5248 enhanced status codes, EHLO keywords, command and transcript
//! explanations) and one summary per lint. This module gives them in another language without
//! touching those tables, gettext style: [`text`] maps an English string to its translation,
//! [`explain`] translates a composed explanation sentence by sentence (the ones
//! [`crate::smtp::transcript`] builds), and [`lint_summary`] gives a lint's summary by code.
//! Text without a translation comes back in English; the tests walk every table and fail when a
//! Korean entry is missing.
//!
//! Lint messages are templates with values ([`crate::lint::Message`], written with `msg!`):
//! [`lint_message`] translates the template (and the templates nested in it, such as a
//! parser's reason) and puts the values back as they are; [`message`] does the same for any
//! [`crate::lint::Message`]. The Korean templates are in `ko_messages.rs`; a test reads every
//! `msg!` template in the source and fails when one has no Korean or a Korean entry is unused.
//!
//! What the SMTP sessions report has its own functions with the values kept: [`client_error`]
//! (a client session error), [`violation`] (the server session's protocol violations) and
//! [`auth_failure`].
//!
//! ## Where the translations come from: compiled in, or a language pack
//! Every lookup reads one catalog per language. By default the catalog is built, on first use,
//! from the tables compiled into this crate ([`builtin_pack`]). With the cargo feature
//! `lang-packs` (the web page's build) lookups never touch those tables, so the linker leaves
//! them out; the catalog is empty until the program installs one with [`install_pack`] (the
//! page gets the pack from a small worker that links the tables and calls [`builtin_pack`]).
//! Until then every lookup answers in English, as for text without a translation;
//! [`is_ready`] tells whether a language's text is in place.

mod events;
mod ko_lints;
mod ko_messages;
mod ko_text;
#[cfg(test)]
mod message_tests;

pub use events::{auth_failure, client_error, violation};

/// Fills the `{name}` holes of `template` from `args` in one pass: a value that itself looks
/// like a hole stays as it is, and holes without a value stay as written. The web's `trf` and
/// the core's own event texts use this one filler.
pub fn fill(template: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
    use std::fmt::Write as _;
    let names: Vec<&str> = args.iter().map(|(n, _)| *n).collect();
    let mut out = String::with_capacity(template.len());
    for piece in pieces(template, &names) {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Hole(i) => {
                if let Some((_, v)) = args.get(i) {
                    let _ = write!(out, "{v}");
                }
            }
        }
    }
    out
}

/// A part of a template as [`pieces`] splits it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Text shown as it is (a `{…}` that names no value stays in the text).
    Text(&'a str),
    /// The hole of the value at this index of the names.
    Hole(usize),
}

/// Splits `template` at its `{name}` holes for the `names` given, in order: what [`fill`]
/// fills, for a program that shows the values differently from the text (the web marks them
/// as data).
pub fn pieces<'a>(template: &'a str, names: &[&str]) -> Vec<Piece<'a>> {
    let mut out = Vec::new();
    let mut rest = template;
    let mut text_start = 0;
    let mut at = 0;
    while let Some(open) = rest.find('{') {
        let after = rest.get(open + 1..).unwrap_or_default();
        let hole = after.find('}').and_then(|close| {
            let name = after.get(..close)?;
            names.iter().position(|n| *n == name).map(|i| (i, close))
        });
        match hole {
            Some((i, close)) => {
                let end = at + open;
                if end > text_start {
                    out.push(Piece::Text(
                        template.get(text_start..end).unwrap_or_default(),
                    ));
                }
                out.push(Piece::Hole(i));
                at = end + 1 + close + 1;
                text_start = at;
                rest = after.get(close + 1..).unwrap_or_default();
            }
            None => {
                at += open + 1;
                rest = after;
            }
        }
    }
    if template.len() > text_start {
        out.push(Piece::Text(template.get(text_start..).unwrap_or_default()));
    }
    out
}

/// [`fill`] with owned values, as the event texts collect them.
fn fill_strings(template: &str, args: &[(&str, String)]) -> String {
    let args: Vec<(&str, &dyn std::fmt::Display)> = args
        .iter()
        .map(|(n, v)| (*n, v as &dyn std::fmt::Display))
        .collect();
    fill(template, &args)
}

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::smtp::enhanced::EnhancedCode;
use crate::smtp::reply::{explain_code, CodeExplanation};
use crate::smtp::transcript::SessionState;

/// A language for people-facing text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English, the source language.
    #[default]
    En,
    /// Korean.
    Ko,
}

impl Lang {
    /// Every language, in the order a switcher lists them.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ko];

    /// The BCP 47 tag (RFC 5646), for `<html lang>` and storage.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ko => "ko",
        }
    }

    /// The language's own name, as a switcher shows it.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Ko => "한국어",
        }
    }

    /// The language a BCP 47 tag asks for (`ko`, `ko-KR`, `en-US`…), if it is one of ours
    /// (RFC 5646 §2.1: the primary subtag decides).
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or_default();
        Lang::ALL
            .into_iter()
            .find(|l| l.tag().eq_ignore_ascii_case(primary))
    }

    /// The language to start with: the remembered choice, else the first of the user's
    /// preferred languages we have, else English.
    pub fn initial<'a>(stored: Option<&str>, preferred: impl IntoIterator<Item = &'a str>) -> Lang {
        stored
            .and_then(Lang::from_tag)
            .or_else(|| preferred.into_iter().find_map(Lang::from_tag))
            .unwrap_or_default()
    }
}

/// A language pack: every translation of the core's text into one language, as
/// [`builtin_pack`] makes it and [`install_pack`] takes it. Plain pairs, so a program can carry
/// it across any boundary (serde, or the web's arrays of strings between its worker and page).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pack {
    /// `(English, translation)` pairs of the explanation tables, session texts and templates
    /// ([`text`], [`explain`], [`session_state`], [`client_error`]…).
    pub text: Vec<(Cow<'static, str>, Cow<'static, str>)>,
    /// `(lint code, translated summary)` pairs ([`lint_summary`]).
    pub lints: Vec<(Cow<'static, str>, Cow<'static, str>)>,
    /// `(English template, translated template)` pairs of lint messages ([`lint_message`]).
    pub messages: Vec<(Cow<'static, str>, Cow<'static, str>)>,
}

/// Why [`install_pack`] refused a pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PackError {
    /// English is the source text: it has no pack.
    English,
    /// The language already has its text (a pack was installed, or, without the `lang-packs`
    /// feature, the tables are compiled in). Packs are installed once.
    AlreadyInstalled(Lang),
}

impl std::fmt::Display for PackError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PackError::English => f.write_str("English is the source text and takes no pack"),
            PackError::AlreadyInstalled(lang) => {
                write!(f, "the {} text is already in place", lang.tag())
            }
        }
    }
}

impl std::error::Error for PackError {}

/// The translations of one language, as every lookup reads them.
struct Catalog {
    text: HashMap<&'static str, &'static str>,
    lints: HashMap<&'static str, &'static str>,
    messages: HashMap<&'static str, &'static str>,
}

/// A string of a pack for the catalog: compiled-in text as it is; text that came in a pack is
/// leaked once, as packs are installed once per language and live as long as the program.
fn keep(s: Cow<'static, str>) -> &'static str {
    match s {
        Cow::Borrowed(b) => b,
        Cow::Owned(o) => Box::leak(o.into_boxed_str()),
    }
}

impl Catalog {
    fn new(pack: Pack) -> Catalog {
        let pairs = |v: Vec<(Cow<'static, str>, Cow<'static, str>)>| {
            v.into_iter().map(|(k, t)| (keep(k), keep(t))).collect()
        };
        Catalog {
            text: pairs(pack.text),
            lints: pairs(pack.lints),
            messages: pairs(pack.messages),
        }
    }
}

/// The catalog slot of a translated language (`None` for English, the source).
fn slot(lang: Lang) -> Option<&'static OnceLock<Catalog>> {
    static KO: OnceLock<Catalog> = OnceLock::new();
    match lang {
        Lang::En => None,
        Lang::Ko => Some(&KO),
    }
}

/// The catalog of `lang`: built from the compiled-in tables on first use, or (feature
/// `lang-packs`) the installed pack, if any. The only place the two builds differ.
fn catalog(lang: Lang) -> Option<&'static Catalog> {
    let slot = slot(lang)?;
    #[cfg(not(feature = "lang-packs"))]
    return Some(slot.get_or_init(|| Catalog::new(builtin_pack(lang))));
    #[cfg(feature = "lang-packs")]
    return slot.get();
}

/// The translations compiled into this crate for `lang` (empty for English): what a language
/// pack carries. Lookups use it directly unless the `lang-packs` feature is on; with it, only a
/// program that calls this function (the web's pack worker, tests) links the tables.
pub fn builtin_pack(lang: Lang) -> Pack {
    let pairs = |t: &'static [(&'static str, &'static str)]| {
        t.iter()
            .map(|&(k, v)| (Cow::Borrowed(k), Cow::Borrowed(v)))
            .collect()
    };
    match lang {
        Lang::En => Pack::default(),
        Lang::Ko => Pack {
            text: pairs(ko_text::ENTRIES),
            lints: pairs(ko_lints::ENTRIES),
            messages: pairs(ko_messages::ENTRIES),
        },
    }
}

/// Installs the pack of `lang`, once; lookups in `lang` answer from it from then on. Text the
/// pack lacks stays English. Without the `lang-packs` feature the compiled-in tables are always
/// in place and this returns [`PackError::AlreadyInstalled`].
pub fn install_pack(lang: Lang, pack: Pack) -> Result<(), PackError> {
    let slot = slot(lang).ok_or(PackError::English)?;
    if catalog(lang).is_some() {
        return Err(PackError::AlreadyInstalled(lang));
    }
    slot.set(Catalog::new(pack))
        .map_err(|_| PackError::AlreadyInstalled(lang))
}

/// Whether the text of `lang` is in place: always for English and, without the `lang-packs`
/// feature, for every language; with it, once [`install_pack`] ran.
pub fn is_ready(lang: Lang) -> bool {
    lang == Lang::En || catalog(lang).is_some()
}

/// Installs the compiled-in pack of `lang` where the `lang-packs` feature leaves it out, so
/// tests of translated text run the same in both builds.
#[cfg(test)]
pub(crate) fn ready_for_tests(lang: Lang) {
    if !is_ready(lang) {
        let _ = install_pack(lang, builtin_pack(lang));
    }
}

/// The translation of one of the core's English strings (a reply code meaning, an enhanced
/// status title, a capability or command explanation, a transcript note…). Strings the tables
/// do not know come back unchanged.
pub fn text(lang: Lang, english: &str) -> &str {
    known(lang, english).unwrap_or(english)
}

fn known(lang: Lang, english: &str) -> Option<&'static str> {
    catalog(lang)?.text.get(english).copied()
}

/// The summary of lint `code` (such as `smtp.bare-lf`) in `lang`; `None` for a code that is not
/// in [`crate::lint::catalog`].
pub fn lint_summary(lang: Lang, code: &str) -> Option<&'static str> {
    let def = crate::lint::catalog().find(|d| d.code == code)?;
    Some(
        catalog(lang)
            .and_then(|c| c.lints.get(code).copied())
            .unwrap_or(def.summary),
    )
}

/// The message of `lint` in `lang`: [`message`] of its [`crate::Lint::text`].
pub fn lint_message(lang: Lang, lint: &crate::Lint) -> String {
    if lang == Lang::En {
        return lint.message.clone();
    }
    message(lang, &lint.text)
}

/// A message in `lang`: its template and the templates nested in its values translated, the
/// data values as they are. A template is looked up among the message templates, then among
/// the explanation strings ([`text`]: a nested part can be one, such as what a reply parser
/// expected); one without a translation stays English.
pub fn message(lang: Lang, m: &crate::lint::Message) -> String {
    let Some(c) = catalog(lang) else {
        return m.english();
    };
    m.render(&|t| c.template(t))
}

/// One message template in `lang`, as [`message`] looks it up (English when there is no
/// translation): for a program that fills it piece by piece ([`pieces`]), marking the values.
pub fn template(lang: Lang, english: &str) -> &str {
    catalog(lang)
        .and_then(|c| c.template(english))
        .unwrap_or(english)
}

impl Catalog {
    /// A message template: among the templates, then the explanation strings.
    fn template(&self, english: &str) -> Option<&'static str> {
        self.messages
            .get(english)
            .or_else(|| self.text.get(english))
            .copied()
    }
}

/// The name of a session state (RFC 5321 §4.1.4) as a person reads it.
pub fn session_state(lang: Lang, state: SessionState) -> &'static str {
    let english = match state {
        SessionState::Connected => "connected",
        SessionState::Greeted => "greeted",
        SessionState::Ready => "ready",
        SessionState::Authenticating => "authenticating",
        SessionState::Mail => "mail",
        SessionState::Rcpt => "rcpt",
        SessionState::Data => "data",
        SessionState::Chunking => "chunking",
        SessionState::Closed => "closed",
        SessionState::Tls => "tls",
    };
    known(lang, english).unwrap_or(english)
}

/// A reply code explanation in `lang`, in the shape of its English `Display`
/// (`550: meaning — class; category (RFC 5321 §4.2.2)`, RFC 5321 §4.2).
pub fn code_explanation(lang: Lang, e: &CodeExplanation) -> String {
    let class = text(lang, e.class);
    let category = text(lang, e.category);
    match e.specific {
        Some(s) => format!(
            "{}: {} — {class}; {category} ({})",
            e.code,
            text(lang, s),
            e.reference
        ),
        None => format!("{}: {class}; {category} ({})", e.code, e.reference),
    }
}

/// An enhanced status code explained in `lang`, in the shape of [`EnhancedCode::explain`]
/// (RFC 3463 §3, RFC 5248).
pub fn enhanced_explanation(lang: Lang, code: &EnhancedCode) -> String {
    let class = text(lang, code.class_meaning());
    let subject = text(lang, code.subject_meaning());
    match code.meaning() {
        Some(m) => format!(
            "{code}: {} ({class}; {subject}; {})",
            text(lang, m.title),
            m.reference
        ),
        None => format!(
            "{code}: {} ({class}; {subject}; RFC 3463 §3)",
            text(lang, "unregistered detail")
        ),
    }
}

/// Separates the sentences of a composed explanation (see [`crate::smtp::transcript::Entry`]).
const SENTENCE_BREAK: &str = ". ";

/// One sentence of a composed explanation in `lang`, or `None` when no table knows it.
fn sentence(lang: Lang, s: &str) -> Option<Cow<'static, str>> {
    if let Some(k) = known(lang, s) {
        return Some(Cow::Borrowed(k));
    }
    // "550: …" — a reply code explanation.
    if let Some(code) = s
        .get(..3)
        .filter(|_| s.get(3..5) == Some(": "))
        .and_then(|d| d.parse::<u16>().ok())
    {
        let e = explain_code(code);
        if e.to_string() == s {
            return Some(Cow::Owned(code_explanation(lang, &e)));
        }
    }
    // "5.1.1: …" — an enhanced status code explanation.
    if let Some((code, _)) =
        EnhancedCode::parse_prefix(s.split(':').next().unwrap_or_default().as_bytes())
    {
        if code.explain() == s {
            return Some(Cow::Owned(enhanced_explanation(lang, &code)));
        }
    }
    // "KEYWORD: explanation (RFC …)" — a label, a known sentence and a reference, as the web
    // lists capabilities.
    if let Some((label, rest)) = s.split_once(": ") {
        if let Some((middle, reference)) = rest.rsplit_once(" (") {
            if let Some(k) = known(lang, middle) {
                return Some(Cow::Owned(format!("{label}: {k} ({reference}")));
            }
        }
    }
    // Explanations with values in them.
    if let Some(error) = s.strip_prefix("could not be read: ") {
        return Some(Cow::Owned(
            known(lang, "could not be read: {error}")?.replace("{error}", error),
        ));
    }
    if let Some((octets, size)) = s
        .strip_prefix("The transcript shows ")
        .and_then(|r| r.split_once(" octets for a chunk of "))
    {
        return Some(Cow::Owned(
            known(
                lang,
                "The transcript shows {octets} octets for a chunk of {size}",
            )?
            .replace("{octets}", octets)
            .replace("{size}", size),
        ));
    }
    None
}

/// A composed explanation in `lang`, translated sentence by sentence: reply code and enhanced
/// status code explanations, command and transcript notes. Sentences no table knows stay
/// English, so the result is always complete.
pub fn explain(lang: Lang, explanation: &str) -> String {
    if lang == Lang::En {
        return explanation.to_owned();
    }
    explanation
        .split(SENTENCE_BREAK)
        .map(|s| sentence(lang, s).unwrap_or(Cow::Borrowed(s)))
        .collect::<Vec<_>>()
        .join(SENTENCE_BREAK)
}

/// Whether [`explain`] translates every sentence of `explanation` into `lang`.
pub fn fully_translated(lang: Lang, explanation: &str) -> bool {
    lang == Lang::En
        || explanation
            .split(SENTENCE_BREAK)
            .all(|s| sentence(lang, s).is_some())
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::smtp::capability::Capabilities;
    use crate::smtp::command::parse_command;
    use crate::smtp::enhanced::REGISTRY;
    use crate::smtp::reply::parse_reply;
    use crate::smtp::transcript::annotate;

    /// Every English string of the core's explanation tables.
    fn table_strings() -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for m in REGISTRY {
            out.push(m.title.into());
        }
        for class in [2, 4, 5] {
            for subject in 0..=8 {
                let c = EnhancedCode {
                    class,
                    subject,
                    detail: 0,
                };
                out.push(c.class_meaning().into());
                out.push(c.subject_meaning().into());
            }
        }
        out.push("unregistered detail".into());
        for code in 0..=999 {
            let e = explain_code(code);
            out.push(e.class.into());
            out.push(e.category.into());
            out.extend(e.specific.map(String::from));
        }
        out.extend(
            capabilities()
                .entries
                .iter()
                .map(|c| c.capability.explain().to_string()),
        );
        for line in COMMANDS {
            let parsed = parse_command(format!("{line}\r\n").as_bytes())
                .ok()
                .flatten()
                .map(|(p, _)| p.command.explain().to_string());
            out.push(parsed.unwrap_or_else(|| panic!("command {line:?} did not parse")));
        }
        for state in STATES {
            out.push(session_state(Lang::En, state).into());
        }
        out.push("could not be read: {error}".into());
        out.extend(
            crate::relay::VerifyKind::ALL
                .iter()
                .map(|k| k.template().to_string()),
        );
        out.extend(events::templates().into_iter().map(String::from));
        out.push("The transcript shows {octets} octets for a chunk of {size}".into());
        out.sort();
        out.dedup();
        out
    }

    const COMMANDS: &[&str] = &[
        "HELO client.example",
        "EHLO client.example",
        "MAIL FROM:<a@example.org>",
        "RCPT TO:<b@example.net>",
        "DATA",
        "BDAT 10 LAST",
        "RSET",
        "NOOP",
        "VRFY bob",
        "EXPN list",
        "HELP",
        "QUIT",
        "STARTTLS",
        "AUTH PLAIN",
        "XYZZY plugh",
    ];

    const STATES: [SessionState; 10] = [
        SessionState::Connected,
        SessionState::Greeted,
        SessionState::Ready,
        SessionState::Authenticating,
        SessionState::Mail,
        SessionState::Rcpt,
        SessionState::Data,
        SessionState::Chunking,
        SessionState::Closed,
        SessionState::Tls,
    ];

    fn capabilities() -> Capabilities {
        let ehlo = "250-mx.example\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250-8BITMIME\r\n250-STARTTLS\r\n250-AUTH PLAIN LOGIN\r\n250-ENHANCEDSTATUSCODES\r\n250-SMTPUTF8\r\n250-CHUNKING\r\n250-DSN\r\n250-BINARYMIME\r\n250-REQUIRETLS\r\n250-DELIVERBY\r\n250-VRFY\r\n250-EXPN\r\n250-ETRN\r\n250-HELP\r\n250 XFOO bar\r\n";
        let (reply, _) = parse_reply(ehlo.as_bytes())
            .ok()
            .flatten()
            .expect("the EHLO reply parses");
        let caps = Capabilities::from_reply(&reply);
        assert_eq!(
            caps.entries.len(),
            17,
            "every capability, got {:?}",
            caps.entries
        );
        caps
    }

    /// Transcripts that take the tracker through every kind of note it writes.
    const CORPUS: &[&str] = &[
        "S: 220 mx.example ESMTP\nC: EHLO c.example\nS: 250-mx.example\nS: 250-PIPELINING\nS: 250-SIZE 100\nS: 250-STARTTLS\nS: 250-AUTH PLAIN\nS: 250 ENHANCEDSTATUSCODES\nC: MAIL FROM:<a@example.org>\nS: 250 2.1.0 Ok\nC: RCPT TO:<b@example.net>\nS: 250 2.1.5 Ok\nC: RCPT TO:<nobody@example.net>\nS: 550 5.1.1 No such user\nC: DATA\nS: 354 End data with <CR><LF>.<CR><LF>\nC: Subject: hi\nC:\nC: ..dot\nC: .\nS: 250 2.0.0 Ok: queued\nC: MAIL FROM:<a@example.org>\nS: 250 2.1.0 Ok\nC: RCPT TO:<b@example.net>\nS: 250 2.1.5 Ok\nC: DATA\nS: 354 go\nC: Subject: big\nC: .\nS: 552 5.3.4 Too big\nC: NOOP\nS: 250 2.0.0 Ok\nC: RSET\nS: 250 2.0.0 Ok\nC: VRFY bob\nS: 252 2.0.0 Maybe\nC: QUIT\nS: 221 2.0.0 Bye\n",
        "S: 554 go away\nC: QUIT\nS: 221 bye\n",
        "S: 421 busy\n",
        "S: 220 mx.example ESMTP\nC: EHLO c.example\nS: 250-mx.example\nS: 250-STARTTLS\nS: 250 AUTH PLAIN LOGIN\nC: STARTTLS\nS: 220 2.0.0 Ready to start TLS\nC: EHLO c.example\nS: 250-mx.example\nS: 250 AUTH PLAIN LOGIN\nC: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nC: YWxpY2U=\nS: 334 UGFzc3dvcmQ6\nC: *\nS: 501 5.7.0 Authentication cancelled\nC: AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=\nS: 235 2.7.0 Authentication successful\nC: QUIT\nS: 221 2.0.0 Bye\n",
        "S: 220 mx.example\nC: HELO c.example\nS: 250 mx.example\nC: MAIL FROM:<a@example.org>\nS: 451 4.3.0 Try later\nC: DATA\nS: 503 5.5.1 Bad sequence\nC: MAIL FROM:<a@example.org>\nS: 250 Ok\nC: RCPT TO:<b@example.net>\nS: 250 Ok\nC: DATA\nS: 354 go\nC: unterminated\n",
        "S: 220 mx.example\nC: EHLO c.example\nS: 250-mx.example\nS: 250 CHUNKING\nC: MAIL FROM:<a@example.org>\nS: 250 Ok\nC: RCPT TO:<b@example.net>\nS: 250 Ok\nC: BDAT 10 LAST\nC: short\nS: 250 Ok\nS: 299 5.9.9 odd\nC: EXPN list\nS: 502 5.5.1 No\nC: HELP\nS: 214 help\nC: XYZZY\nS: 500 5.5.2 What\nC: QUIT\nS: 221 Bye\n",
    ];

    #[test]
    fn every_lint_has_a_korean_summary() {
        crate::i18n::ready_for_tests(Lang::Ko);
        let mut seen = std::collections::HashSet::new();
        for (code, ko) in ko_lints::ENTRIES {
            assert!(seen.insert(*code), "duplicate Korean summary for {code}");
            assert!(
                crate::lint::catalog().any(|d| d.code == *code),
                "Korean summary for {code}, which is not in the catalog"
            );
            assert!(!ko.trim().is_empty(), "empty Korean summary for {code}");
        }
        let missing: Vec<_> = crate::lint::catalog()
            .map(|d| d.code)
            .filter(|c| !seen.contains(c))
            .collect();
        assert!(
            missing.is_empty(),
            "lints without a Korean summary: {missing:#?}"
        );
        for def in crate::lint::catalog() {
            assert_eq!(lint_summary(Lang::En, def.code), Some(def.summary));
            assert_ne!(
                lint_summary(Lang::Ko, def.code),
                Some(def.summary),
                "{}",
                def.code
            );
        }
        assert_eq!(lint_summary(Lang::Ko, "smtp.no-such-lint"), None);
    }

    #[test]
    fn every_table_string_has_korean() {
        crate::i18n::ready_for_tests(Lang::Ko);
        let missing: Vec<_> = table_strings()
            .into_iter()
            .filter(|s| known(Lang::Ko, s).is_none())
            .collect();
        assert!(
            missing.is_empty(),
            "core strings without Korean (add them to i18n/ko_text.rs): {missing:#?}"
        );
    }

    #[test]
    fn every_transcript_explanation_is_translated() {
        crate::i18n::ready_for_tests(Lang::Ko);
        let mut missing = Vec::new();
        for input in CORPUS {
            for e in annotate(input.as_bytes()).entries {
                for s in e.explanation.split(SENTENCE_BREAK) {
                    if sentence(Lang::Ko, s).is_none() {
                        missing.push(s.to_string());
                    }
                }
            }
        }
        missing.sort();
        missing.dedup();
        assert!(
            missing.is_empty(),
            "transcript sentences without Korean (add them to i18n/ko_text.rs): {missing:#?}"
        );
    }

    #[test]
    fn every_korean_entry_is_used_once() {
        crate::i18n::ready_for_tests(Lang::Ko);
        let mut used: std::collections::HashSet<String> = table_strings().into_iter().collect();
        for input in CORPUS {
            for e in annotate(input.as_bytes()).entries {
                used.extend(e.explanation.split(SENTENCE_BREAK).map(String::from));
            }
        }
        let mut seen = std::collections::HashSet::new();
        for (en, ko) in ko_text::ENTRIES {
            assert!(seen.insert(*en), "duplicate Korean entry for {en:?}");
            assert!(!ko.trim().is_empty() && ko != en, "no Korean for {en:?}");
            assert!(
                used.contains(*en),
                "Korean entry no table or transcript uses: {en:?}"
            );
        }
    }

    #[test]
    fn composed_explanations_keep_their_shape() {
        crate::i18n::ready_for_tests(Lang::Ko);
        let e = explain_code(550);
        assert_eq!(code_explanation(Lang::En, &e), e.to_string());
        let ko = explain(Lang::Ko, &e.to_string());
        assert!(
            ko.starts_with("550: ") && ko.ends_with("(RFC 5321 §4.2.2)"),
            "{ko}"
        );
        assert_ne!(ko, e.to_string());
        let code = EnhancedCode {
            class: 5,
            subject: 1,
            detail: 1,
        };
        assert_eq!(enhanced_explanation(Lang::En, &code), code.explain());
        let ko = explain(Lang::Ko, &code.explain());
        assert!(
            ko.starts_with("5.1.1: ") && ko.contains("RFC 3463 §3.2"),
            "{ko}"
        );
        let joined = format!("{}. {}", e, code.explain());
        assert_eq!(explain(Lang::En, &joined), joined);
        assert_eq!(explain(Lang::Ko, &joined).matches(". ").count(), 1);
        let cap = "SIZE: the server answers HELP (RFC 5321 §4.1.1.8)";
        assert_eq!(
            explain(Lang::Ko, cap),
            format!(
                "SIZE: {} (RFC 5321 §4.1.1.8)",
                text(Lang::Ko, "the server answers HELP")
            )
        );
        assert_eq!(
            explain(Lang::Ko, "could not be read: bad"),
            text(Lang::Ko, "could not be read: {error}").replace("{error}", "bad")
        );
    }

    #[test]
    fn unknown_text_passes_through() {
        crate::i18n::ready_for_tests(Lang::Ko);
        let cases = [
            "",
            "no such sentence",
            "999: nonsense",
            "5.1.1: forged",
            ". . .",
            "could not",
        ];
        for s in cases {
            assert_eq!(text(Lang::Ko, s), s);
            assert_eq!(text(Lang::En, s), s);
            assert_eq!(explain(Lang::En, s), s);
        }
        assert_eq!(explain(Lang::Ko, "no such sentence"), "no such sentence");
        assert!(!fully_translated(Lang::Ko, "no such sentence"));
        assert!(fully_translated(Lang::En, "no such sentence"));
        assert_eq!(session_state(Lang::En, SessionState::Rcpt), "rcpt");
        assert_ne!(session_state(Lang::Ko, SessionState::Rcpt), "rcpt");
    }

    #[test]
    fn garbage_never_panics() {
        crate::i18n::ready_for_tests(Lang::Ko);
        let mut rng = crate::testutil::XorShift::new(7);
        for _ in 0..500 {
            let len = rng.below(80);
            let bytes = rng.bytes(len, b"0123456789.: -abc\xe2\x80\x94;()", true);
            let s = String::from_utf8_lossy(&bytes);
            let _ = explain(Lang::Ko, &s);
            let _ = fully_translated(Lang::Ko, &s);
        }
        let huge = "5.1.1: ".repeat(10_000);
        assert!(explain(Lang::Ko, &huge).len() >= huge.len() / 2);
    }

    #[test]
    fn tags_pick_languages() {
        crate::i18n::ready_for_tests(Lang::Ko);
        let cases = [
            ("ko", Some(Lang::Ko)),
            ("ko-KR", Some(Lang::Ko)),
            ("KO_kr", Some(Lang::Ko)),
            ("en-GB", Some(Lang::En)),
            ("ja", None),
            ("", None),
        ];
        for (tag, want) in cases {
            assert_eq!(Lang::from_tag(tag), want, "tag {tag:?}");
        }
        assert_eq!(Lang::initial(Some("en"), ["ko-KR"]), Lang::En);
        assert_eq!(Lang::initial(None, ["ja", "ko-KR", "en"]), Lang::Ko);
        assert_eq!(Lang::initial(Some("xx"), ["fr"]), Lang::En);
        assert_eq!(
            serde_json::to_string(&Lang::Ko).ok().as_deref(),
            Some("\"ko\"")
        );
    }
}
