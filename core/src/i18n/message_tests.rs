//! Lint message templates and their Korean: every `msg!` template in the source has Korean
//! with the same holes, and every Korean template is used.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::{lint_message, message, Lang};
use crate::lint::{msg, Message};

/// Reads the crate's sources from disk: native only.
#[cfg(not(target_arch = "wasm32"))]
mod source_scan {
    use std::collections::{BTreeMap, BTreeSet};

    use super::super::ko_messages;

    /// The crate's Rust sources, as `(path, text)`.
    fn sources() -> Vec<(String, String)> {
        fn walk(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for e in entries.flatten() {
                let path = e.path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|x| x == "rs") {
                    if let Ok(text) = std::fs::read_to_string(&path) {
                        out.push((path.display().to_string(), text));
                    }
                }
            }
        }
        let mut out = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut out,
        );
        out
    }

    /// Every `msg!("…")` template in the crate's sources, with the file it is in.
    fn templates() -> BTreeMap<String, String> {
        let mut found = BTreeMap::new();
        for (path, source) in sources() {
            // The macro's definition and this test mention `msg!` without templates.
            if path.ends_with("lint.rs") || path.ends_with("message_tests.rs") {
                continue;
            }
            let mut rest = source.as_str();
            while let Some(at) = rest.find("msg!(") {
                rest = &rest[at + 5..];
                let trimmed = rest.trim_start();
                let Some(lit) = trimmed.strip_prefix('"') else {
                    continue;
                };
                if let Some(t) = string_literal(lit) {
                    found.insert(t, path.clone());
                }
            }
        }
        found
    }

    /// The value of a Rust string literal whose opening quote was just read.
    fn string_literal(s: &str) -> Option<String> {
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => return Some(out),
                '\\' => match chars.next()? {
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    '0' => out.push('\0'),
                    other => out.push(other),
                },
                c => out.push(c),
            }
        }
        None
    }

    /// The `{name}` holes of a template.
    fn holes(t: &str) -> BTreeSet<&str> {
        let mut names = BTreeSet::new();
        let mut rest = t;
        while let Some(open) = rest.find('{') {
            rest = &rest[open + 1..];
            if let Some(close) = rest.find('}') {
                let name = &rest[..close];
                if !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    names.insert(name);
                }
            }
        }
        names
    }

    #[test]
    fn every_template_has_korean_with_the_same_holes() {
        let templates = templates();
        assert!(
            templates.len() > 150,
            "only {} templates found: is the scan broken?",
            templates.len()
        );
        let korean: BTreeMap<&str, &str> = ko_messages::ENTRIES.iter().copied().collect();
        assert_eq!(
            korean.len(),
            ko_messages::ENTRIES.len(),
            "a template has two Korean entries"
        );
        let missing: Vec<_> = templates
            .iter()
            .filter(|(t, _)| !korean.contains_key(t.as_str()))
            .map(|(t, file)| format!("{file}: {t:?}"))
            .collect();
        assert!(
            missing.is_empty(),
            "templates without Korean (add them to i18n/ko_messages.rs): {missing:#?}"
        );
        let unused: Vec<_> = korean
            .keys()
            .filter(|en| !templates.contains_key(**en))
            .collect();
        assert!(
            unused.is_empty(),
            "Korean for templates no msg! uses: {unused:#?}"
        );
        for (en, ko) in &korean {
            assert_eq!(holes(en), holes(ko), "holes differ: {en:?} / {ko:?}");
            assert!(
                *ko != *en && ko.chars().any(|c| ('가'..='힣').contains(&c)),
                "no Korean for {en:?}"
            );
        }
    }
}

#[test]
fn messages_translate_with_their_values() {
    crate::i18n::ready_for_tests(Lang::Ko);
    let inner = msg!("base64 data after '=' padding");
    let m = msg!("{defect} ({n} places; the first is here)", n = 3).text("defect", inner);
    assert_eq!(
        m.english(),
        "base64 data after '=' padding (3 places; the first is here)"
    );
    assert_eq!(message(Lang::En, &m), m.english());
    let ko = message(Lang::Ko, &m);
    assert!(ko.contains('3') && !ko.contains("padding ("), "{ko}");
    assert!(
        ko.contains("패딩"),
        "the nested reason is translated too: {ko}"
    );
    // A value that looks like a hole stays as it is.
    let m = msg!("parameter {name} given twice", name = "{name}");
    assert!(message(Lang::Ko, &m).contains("{name}"));
    // Text that is no template (read back from JSON) stays as it is.
    let plain = Message::plain("no such sentence".into());
    assert_eq!(message(Lang::Ko, &plain), "no such sentence");
}

#[test]
fn lints_of_a_transcript_read_in_korean() {
    crate::i18n::ready_for_tests(Lang::Ko);
    let t = crate::smtp::transcript::annotate(
        b"S: 220 mx.example\nC: EHLO c.example\nS: 250 mx.example\nC: MAIL FROM: <a@example.org>\nS: 250 Ok\n",
    );
    let lints: Vec<_> = t
        .entries
        .iter()
        .flat_map(|e| &e.lints)
        .chain(&t.lints)
        .collect();
    assert!(lints.len() >= 2, "{lints:#?}");
    for l in lints {
        let ko = lint_message(Lang::Ko, l);
        assert_ne!(ko, l.message, "{} is not translated", l.code);
        assert!(ko.chars().any(|c| ('가'..='힣').contains(&c)), "{ko}");
        assert_eq!(lint_message(Lang::En, l), l.message);
    }
}

#[test]
fn json_keeps_the_english_message_only() {
    let lint = crate::smtp::lints::BARE_LF.at(
        crate::span::Span::new(1, 2),
        msg!(
            "command line is {consumed} octets; RFC 5321 allows {limit} including CRLF",
            consumed = 600,
            limit = 512
        ),
    );
    let json = serde_json::to_value(&lint).unwrap_or_default();
    let keys: Vec<_> = json
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    assert_eq!(keys, ["code", "message", "reference", "severity", "span"]);
    assert_eq!(
        json["message"],
        "command line is 600 octets; RFC 5321 allows 512 including CRLF"
    );
    let back: crate::Lint = serde_json::from_value(json).unwrap_or_else(|_| lint.clone());
    assert_eq!(back.message, lint.message);
    assert_eq!(back.text, Message::plain(lint.message.clone()));
}

#[test]
fn pieces_split_a_template_at_its_holes() {
    use super::{fill, pieces, Piece};
    assert_eq!(
        pieces("{a} and {b}, not {c} {", &["b", "a"]),
        [
            Piece::Hole(1),
            Piece::Text(" and "),
            Piece::Hole(0),
            Piece::Text(", not {c} {"),
        ]
    );
    assert_eq!(pieces("", &["a"]), []);
    assert_eq!(fill("{a}{a}", &[("a", &"{a}")]), "{a}{a}");
    assert_eq!(fill("x {missing} y", &[]), "x {missing} y");
}

#[test]
fn authentication_steps_and_reasons_read_in_korean() {
    use crate::auth::dkim::sign::{sign, SignOptions, SigningKey};
    use crate::auth::zone::Zone;
    use crate::auth::{Check, Envelope};

    crate::i18n::ready_for_tests(Lang::Ko);
    let Ok(key) = SigningKey::from_pem(include_str!("../../tests/fixtures/auth/ed25519.pem"))
    else {
        panic!("the test key reads");
    };
    let body = b"From: Joe <joe@example.com>\r\nTo: sue@example.net\r\nSubject: dinner\r\n\r\nWe lost.\r\n";
    let field = sign(body, &key, &SignOptions::new("example.com", "sel")).unwrap_or_default();
    let signed = [field, body.to_vec()].concat();
    let edited = String::from_utf8_lossy(&signed).replace("lost", "won");
    let zone = format!(
        "sel._domainkey.example.com. IN TXT \"{}\"\n\
         example.com. IN TXT \"v=spf1 include:_spf.example.net -all\"\n\
         _spf.example.net. IN TXT \"v=spf1 ip4:192.0.2.0/24 ~all\"\n\
         _dmarc.example.com. IN TXT \"v=DMARC1; p=reject; pct=50\"\n",
        key.key_record()
    );
    let Ok(zone) = Zone::parse(&zone) else {
        panic!("the zone reads");
    };
    let hangul = |s: &str| s.chars().any(|c| ('가'..='힣').contains(&c));
    for (bytes, ip) in [
        (signed.as_slice(), "192.0.2.1"),
        (edited.as_bytes(), "203.0.113.1"),
    ] {
        let envelope = Envelope {
            ip: ip.parse().ok(),
            helo: None,
            mail_from: Some("joe@example.com".into()),
        };
        let r = Check::new(bytes, envelope, 1_800_000_000).run(|q| zone.answer(q));
        let spf = r.spf.as_ref().map(|s| &s.reason);
        let reasons = r
            .dkim
            .iter()
            .map(|d| &d.reason)
            .chain(spf)
            .chain([&r.dmarc.reason, &r.arc.reason]);
        for m in reasons {
            let ko = message(Lang::Ko, m);
            assert!(hangul(&ko), "{ko} ({m})");
        }
        let steps = r.dkim.iter().flat_map(|d| &d.steps).chain(&r.dmarc.steps);
        for s in steps {
            let title = message(Lang::Ko, &s.title);
            assert!(hangul(&title), "{title} ({})", s.title);
            // A detail is a sentence or data (tags, a record, a domain).
            let detail = message(Lang::Ko, &s.detail);
            assert!(
                hangul(&detail) || detail == s.detail.english(),
                "{detail} ({})",
                s.detail
            );
        }
        let notes = r.spf.iter().flat_map(|s| &s.tree.terms).map(|t| &t.note);
        for n in notes.filter(|n| !n.is_empty()) {
            assert!(hangul(&message(Lang::Ko, n)), "{n}");
        }
    }
}
