//! Records from an RFC 1035 master file ([RFC 1035 §5](https://www.rfc-editor.org/rfc/rfc1035#section-5)),
//! answering a check's queries offline: `mailscope auth --records`, the tests, records pasted
//! by a user.
//!
//! ```text
//! $ORIGIN example.org.
//! example.org.                 3600 IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
//! sel._domainkey               300  IN TXT ( "v=DKIM1; k=rsa; "
//!                                           "p=MIIBIjANBgkq…" )
//! mail                              IN A   192.0.2.25
//! @                                    MX  10 mail.example.org.
//! ```
//!
//! Read: `$ORIGIN`, `$TTL`, `@`, relative names (relative to `$ORIGIN`, or taken as written
//! when there is none), a blank owner (the previous one), optional TTL and class, parentheses
//! across lines, quoted strings with `\"`, `\\` and `\DDD` escapes, and `;` comments. Types
//! TXT, A, AAAA, MX and PTR are kept; other types (NS, SOA, CNAME…) make their name exist but
//! are not served (CNAMEs are not followed). A name with no record and no record below it is
//! NXDOMAIN; a name with records of other types, or with names below it, answers "no records".

use std::collections::{BTreeMap, BTreeSet};

use super::dns::{Answer, Query, Record, RecordType};

/// Most records one zone holds; a larger file is refused.
pub const MAX_RECORDS: usize = 100_000;

/// A set of records read from a master file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Zone {
    records: BTreeMap<(String, RecordType), Vec<Record>>,
    names: BTreeSet<String>,
}

/// A line of a master file that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong, for people.
    pub message: String,
}

impl std::fmt::Display for ZoneError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ZoneError {}

/// A token of a master-file line: a word, or a quoted string (unescaped).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Quoted(Vec<u8>),
}

/// Splits `text` into entries (parentheses joined), each with the line it starts on, whether
/// it starts with blank (owner omitted), and its tokens.
fn entries(text: &str) -> Result<Vec<(usize, bool, Vec<Token>)>, ZoneError> {
    let mut out: Vec<(usize, bool, Vec<Token>)> = Vec::new();
    let mut depth = 0usize;
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut line = 1;
    let mut at_line_start = true;
    while i < bytes.len() {
        let b = bytes[i];
        if at_line_start && depth == 0 {
            out.push((line, b == b' ' || b == b'\t', Vec::new()));
        }
        at_line_start = false;
        let err = |message: &str| ZoneError {
            line,
            message: message.to_owned(),
        };
        match b {
            b'\n' => {
                line += 1;
                at_line_start = true;
                i += 1;
            }
            b' ' | b'\t' | b'\r' => i += 1,
            b';' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'(' => {
                depth += 1;
                i += 1;
            }
            b')' => {
                depth = depth.checked_sub(1).ok_or_else(|| err("')' without '('"))?;
                i += 1;
            }
            b'"' => {
                let mut s = Vec::new();
                i += 1;
                loop {
                    match bytes.get(i) {
                        None => return Err(err("a quoted string is not closed")),
                        Some(b'"') => break,
                        Some(b'\\') => {
                            let digits = bytes
                                .get(i + 1..i + 4)
                                .filter(|d| d.iter().all(u8::is_ascii_digit));
                            if let Some(d) = digits {
                                let v = d.iter().fold(0u32, |a, &c| a * 10 + u32::from(c - b'0'));
                                s.push(u8::try_from(v).map_err(|_| err("\\DDD escape above 255"))?);
                                i += 4;
                            } else {
                                s.push(
                                    *bytes
                                        .get(i + 1)
                                        .ok_or_else(|| err("a quoted string is not closed"))?,
                                );
                                i += 2;
                            }
                        }
                        Some(b'\n') => {
                            return Err(err("a quoted string runs past the end of the line"))
                        }
                        Some(&c) => {
                            s.push(c);
                            i += 1;
                        }
                    }
                }
                i += 1;
                if let Some(e) = out.last_mut() {
                    e.2.push(Token::Quoted(s));
                }
            }
            _ => {
                let start = i;
                while i < bytes.len() && !b" \t\r\n;()\"".contains(&bytes[i]) {
                    i += 1;
                }
                if let Some(e) = out.last_mut() {
                    e.2.push(Token::Word(text[start..i].to_owned()));
                }
            }
        }
    }
    if depth > 0 {
        return Err(ZoneError {
            line,
            message: "'(' is not closed".to_owned(),
        });
    }
    out.retain(|e| !e.2.is_empty());
    Ok(out)
}

fn word(t: Option<&Token>) -> Option<&str> {
    match t {
        Some(Token::Word(w)) => Some(w),
        _ => None,
    }
}

impl Zone {
    /// Reads a master file. Errors name the line.
    pub fn parse(text: &str) -> Result<Zone, ZoneError> {
        let mut zone = Zone::default();
        let mut origin: Option<String> = None;
        let mut owner: Option<String> = None;
        let mut count = 0usize;
        for (line, blank_owner, tokens) in entries(text)? {
            let err = |message: String| ZoneError { line, message };
            let absolute = |name: &str, origin: &Option<String>| -> Result<String, String> {
                if name == "@" {
                    return Ok(origin.clone().unwrap_or_default());
                }
                let full = match (name.strip_suffix('.'), origin) {
                    (Some(abs), _) => abs.to_ascii_lowercase(),
                    (None, Some(o)) if !o.is_empty() => {
                        format!("{}.{o}", name.to_ascii_lowercase())
                    }
                    (None, _) => name.to_ascii_lowercase(),
                };
                if !full.is_empty() && full.split('.').any(str::is_empty) {
                    return Err(format!(
                        "{name:?} is not a domain name (it has an empty label)"
                    ));
                }
                Ok(full)
            };
            let mut rest = tokens.as_slice();
            match word(rest.first()) {
                Some(d) if d.eq_ignore_ascii_case("$ORIGIN") => {
                    let name =
                        word(rest.get(1)).ok_or_else(|| err("$ORIGIN needs a name".into()))?;
                    origin = Some(absolute(name, &None).map_err(err)?);
                    continue;
                }
                Some(d) if d.eq_ignore_ascii_case("$TTL") => continue,
                Some(d) if d.starts_with('$') => {
                    return Err(err(format!("the directive {d} is not supported")));
                }
                _ => {}
            }
            if !blank_owner {
                let name = word(rest.first())
                    .ok_or_else(|| err("the line does not start with a name".into()))?;
                owner = Some(absolute(name, &origin).map_err(err)?);
                rest = &rest[1..];
            }
            let name = owner
                .clone()
                .ok_or_else(|| err("the first record has no name".into()))?;
            // [TTL] [class] or [class] [TTL], then the type.
            while let Some(w) = word(rest.first()) {
                if w.bytes().all(|b| b.is_ascii_digit())
                    || ["IN", "CH", "HS"].iter().any(|c| w.eq_ignore_ascii_case(c))
                {
                    rest = &rest[1..];
                } else {
                    break;
                }
            }
            let rtype = word(rest.first())
                .ok_or_else(|| err(format!("no record type for {name}")))?
                .to_ascii_uppercase();
            let data = &rest[1..];
            let record = Zone::record(&rtype, data, &origin, &absolute).map_err(err)?;
            for (i, _) in name.match_indices('.') {
                zone.names.insert(name[i + 1..].to_owned());
            }
            zone.names.insert(name.clone());
            if let Some((rtype, record)) = record {
                count += 1;
                if count > MAX_RECORDS {
                    return Err(err(format!("more than {MAX_RECORDS} records")));
                }
                zone.records.entry((name, rtype)).or_default().push(record);
            }
        }
        Ok(zone)
    }

    fn record(
        rtype: &str,
        data: &[Token],
        origin: &Option<String>,
        absolute: &dyn Fn(&str, &Option<String>) -> Result<String, String>,
    ) -> Result<Option<(RecordType, Record)>, String> {
        let one = || -> Result<&str, String> {
            match data {
                [Token::Word(w)] => Ok(w),
                _ => Err(format!("{rtype} takes one value")),
            }
        };
        Ok(Some(match rtype {
            "TXT" => {
                let mut txt = Vec::new();
                for t in data {
                    match t {
                        Token::Quoted(s) => txt.extend_from_slice(s),
                        Token::Word(w) => txt.extend_from_slice(w.as_bytes()),
                    }
                }
                if data.is_empty() {
                    return Err("TXT needs at least one string".into());
                }
                (RecordType::Txt, Record::Txt(txt))
            }
            "A" => {
                let v = one()?;
                (
                    RecordType::A,
                    Record::A(
                        v.parse()
                            .map_err(|_| format!("{v:?} is not an IPv4 address"))?,
                    ),
                )
            }
            "AAAA" => {
                let v = one()?;
                (
                    RecordType::Aaaa,
                    Record::Aaaa(
                        v.parse()
                            .map_err(|_| format!("{v:?} is not an IPv6 address"))?,
                    ),
                )
            }
            "MX" => match data {
                [Token::Word(p), Token::Word(x)] => {
                    let preference = p.parse().map_err(|_| {
                        format!("MX preference {p:?} is not a number from 0 to 65535")
                    })?;
                    let exchange = if x == "." {
                        String::new()
                    } else {
                        absolute(x, origin)?
                    };
                    (
                        RecordType::Mx,
                        Record::Mx {
                            preference,
                            exchange,
                        },
                    )
                }
                _ => return Err("MX takes a preference and a name".into()),
            },
            "PTR" => (RecordType::Ptr, Record::Ptr(absolute(one()?, origin)?)),
            _ if rtype.bytes().all(|b| b.is_ascii_alphanumeric()) => return Ok(None),
            _ => return Err(format!("{rtype:?} is not a record type")),
        }))
    }

    /// Every record, by name (lowercase, no trailing dot) and type order.
    pub fn records(&self) -> impl Iterator<Item = (&str, &Record)> {
        self.records
            .iter()
            .flat_map(|((name, _), records)| records.iter().map(move |r| (name.as_str(), r)))
    }

    /// The answer to `query`: its records, "no records" when the name exists without records of
    /// that type, or NXDOMAIN.
    pub fn answer(&self, query: &Query) -> Answer {
        let key = (query.name.clone(), query.rtype);
        match self.records.get(&key) {
            Some(r) => Answer::Records(r.clone()),
            None if self.names.contains(&query.name) => Answer::Records(Vec::new()),
            None => Answer::Nxdomain,
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn reads_master_file_lines() {
        let zone = Zone::parse(
            "; test zone\n$ORIGIN example.org.\n$TTL 300\n\
             @ 3600 IN TXT \"v=spf1 \" \"-all\" ; two strings\n\
             sel._domainkey IN TXT ( \"v=DKIM1; \"\n   \"p=AB\\\"C\\065\" )\n\
             mail A 192.0.2.1\n     AAAA 2001:db8::1\n\
             @ MX 10 mail\nother.test. 60 IN MX 0 .\nalias CNAME mail\n",
        )
        .unwrap();
        let q = |n: &str, t| zone.answer(&Query::new(n, t));
        assert_eq!(
            q("example.org", RecordType::Txt),
            Answer::Records(vec![Record::Txt(b"v=spf1 -all".to_vec())])
        );
        assert_eq!(
            q("sel._domainkey.example.org.", RecordType::Txt),
            Answer::Records(vec![Record::Txt(b"v=DKIM1; p=AB\"CA".to_vec())])
        );
        assert_eq!(q("MAIL.example.org", RecordType::Aaaa).records().len(), 1);
        assert_eq!(
            q("example.org", RecordType::Mx),
            Answer::Records(vec![Record::Mx {
                preference: 10,
                exchange: "mail.example.org".into()
            }])
        );
        assert_eq!(
            q("other.test", RecordType::Mx),
            Answer::Records(vec![Record::Mx {
                preference: 0,
                exchange: String::new()
            }])
        );
        assert_eq!(
            q("alias.example.org", RecordType::A),
            Answer::Records(vec![])
        );
        assert_eq!(
            q("_domainkey.example.org", RecordType::Txt),
            Answer::Records(vec![]),
            "empty non-terminal"
        );
        assert_eq!(q("nope.example.org", RecordType::Txt), Answer::Nxdomain);
    }

    #[test]
    fn errors_name_the_line() {
        for (text, line) in [
            ("a.test A 1.2.3\n", 1),
            ("\n\"open\n", 2),
            ("a.test TXT (\"x\"\n", 2),
            ("  A 192.0.2.1\n", 1),
            ("a.test MX ten b.test\n", 1),
            ("$INCLUDE other\n", 1),
            ("$ORIGIN example..\n00 TXT \"x\"\n", 1),
            ("a..b.test. TXT \"x\"\n", 1),
            ("a.test. MX 10 b..test.\n", 1),
        ] {
            assert_eq!(Zone::parse(text).unwrap_err().line, line, "{text:?}");
        }
    }
}
