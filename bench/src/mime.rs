//! MIME figures: full parse + decode of generated corpora by mailscope-core, mail-parser and
//! mailparse, side by side in one run.
//!
//! "Full" means, for every entity of every message, nested messages included: every header
//! field decoded to text (RFC 2047 words decoded), every leaf body transfer-decoded, and every
//! text/* leaf charset-decoded to a string. Each function returns a checksum (decoded byte
//! counts) so that the work cannot be optimised away and the three can be compared.

use std::hint::black_box;

use base64::Engine as _;
use mail_parser::{MessageParser, MimeHeaders, PartType};
use mailscope_core::mime::parse::parse_message;
use mailscope_core::mime::transfer::{decode_base64, TransferEncoding};

use crate::corpus::corpus;
use crate::mime_core::{ours, run_corpus, Work, CORPORA};
use crate::timing::{best_of_interleaved, human, Measure};

/// mailscope-core's `parse_message` alone (leaves are decoded as it parses; header fields are
/// not decoded beyond what the parser itself reads), to show what the field decoding costs.
pub(crate) fn ours_parse_only(input: &[u8]) -> Work {
    let msg = parse_message(input);
    let mut w = Work::default();
    for (id, e) in msg.entities.iter().enumerate() {
        w.fields += e.header.fields.len();
        if e.is_leaf() {
            w.leaves += 1;
            w.bytes += msg.body(id).len();
            w.bytes += msg.text(id).map_or(0, str::len);
        }
    }
    w
}

/// mail-parser 0.11 with every header parsed (IANA headers by their own parsers, the rest as
/// RFC 2047 text); nested messages are parsed by the crate as it goes.
pub(crate) fn mail_parser(input: &[u8]) -> Work {
    let parser = MessageParser::new().default_header_text();
    let mut w = Work::default();
    let Some(root) = parser.parse(input) else {
        return w;
    };
    let mut stack = vec![root];
    while let Some(msg) = stack.pop() {
        for part in msg.parts {
            black_box(part.content_type().map(|c| c.ctype().len()));
            w.fields += part.headers.len();
            black_box(&part.headers);
            w.bytes += part
                .headers
                .iter()
                .filter_map(|h| h.value.as_text())
                .map(str::len)
                .sum::<usize>();
            match part.body {
                PartType::Text(t) | PartType::Html(t) => {
                    w.leaves += 1;
                    // The crate gives text already charset-decoded; count it as body and text.
                    w.bytes += 2 * t.len();
                }
                PartType::Binary(b) | PartType::InlineBinary(b) => {
                    w.leaves += 1;
                    w.bytes += b.len();
                }
                PartType::Message(m) => stack.push(m),
                PartType::Multipart(_) => {}
            }
        }
    }
    w
}

/// mailparse 0.16: headers decoded with `get_value`, leaves with `get_body_raw` (transfer
/// decoding) and `get_body` for text/* (charset decoding too); message/rfc822 bodies are parsed
/// again as messages, since the crate leaves them as leaves.
pub(crate) fn mailparse(input: &[u8]) -> Work {
    let mut w = Work::default();
    let Ok(root) = mailparse::parse_mail(input) else {
        return w;
    };
    let mut nested: Vec<Vec<u8>> = Vec::new();
    let mut stack = vec![&root];
    while let Some(p) = stack.pop() {
        for h in &p.headers {
            w.fields += 1;
            w.bytes += h.get_value().len();
        }
        if p.subparts.is_empty() {
            let ctype = p.ctype.mimetype.as_str();
            if ctype == "message/rfc822" || ctype == "message/global" {
                if let Ok(raw) = p.get_body_raw() {
                    nested.push(raw);
                }
                continue;
            }
            w.leaves += 1;
            if ctype.starts_with("text/") {
                // get_body transfer-decodes then charset-decodes.
                let text = p.get_body().unwrap_or_default();
                w.bytes += 2 * text.len();
            } else {
                w.bytes += p.get_body_raw().map_or(0, |b| b.len());
            }
        }
        stack.extend(p.subparts.iter());
    }
    while let Some(raw) = nested.pop() {
        let inner = mailparse(&raw);
        w.fields += inner.fields;
        w.leaves += inner.leaves;
        w.bytes += inner.bytes;
    }
    w
}

/// The base64 bodies of a corpus as the messages carry them (76-character lines) and with
/// their line breaks removed, as the `base64` crate takes them; only those the crate decodes
/// (a share of the corpus is broken on purpose).
fn base64_bodies(msgs: &[Vec<u8>]) -> Vec<(&[u8], Vec<u8>)> {
    let mut bodies = Vec::new();
    for m in msgs {
        let msg = parse_message(m);
        for (id, e) in msg.entities.iter().enumerate() {
            if e.is_leaf() && e.transfer_encoding == TransferEncoding::Base64 {
                let raw = msg.raw_body(id);
                let plain: Vec<u8> = raw
                    .iter()
                    .copied()
                    .filter(|b| !b.is_ascii_whitespace())
                    .collect();
                if base64::engine::general_purpose::STANDARD
                    .decode(&plain)
                    .is_ok()
                {
                    bodies.push((raw, plain));
                }
            }
        }
    }
    bodies
}

/// Decodes every body with the `base64` crate: the ceiling of the MIME table.
fn crate_decode(bodies: &[(&[u8], Vec<u8>)]) -> usize {
    bodies
        .iter()
        .map(|(_, plain)| {
            base64::engine::general_purpose::STANDARD
                .decode(black_box(plain))
                .map_or(0, |d| d.len())
        })
        .sum()
}

/// Decodes every body as it stands, line breaks included, with mailscope-core's decoder.
fn core_decode(bodies: &[(&[u8], Vec<u8>)]) -> usize {
    bodies
        .iter()
        .map(|(raw, _)| decode_base64(black_box(raw)).bytes.len())
        .sum()
}

/// The MIME table. Under each corpus, besides the parsers, the base64 ceiling: how fast the
/// corpus would go if decoding its base64 bodies with the `base64` crate were all the work
/// (its `ours/peer` column is mailscope-core's share of that rate), and mailscope-core's own
/// decoder on the same bodies.
/// `passes` passes of `parser` (`core` or `mail-parser`) over `corpus` (`small` or `large`),
/// untimed: the line says what one pass did. `None` for a name it does not know.
pub(crate) fn profile(
    corpus_name: Option<&str>,
    parser: Option<&str>,
    passes: usize,
) -> Option<String> {
    let (name, seed, count, sizes) = CORPORA.into_iter().find(|c| Some(c.0) == corpus_name)?;
    let f: fn(&[u8]) -> Work = match parser? {
        "core" => ours,
        "mail-parser" => mail_parser,
        _ => return None,
    };
    let msgs = corpus(seed, count, sizes);
    let mut w = Work::default();
    for _ in 0..passes.max(1) {
        w = profiled_pass(&msgs, f);
    }
    Some(format!(
        "{name}: {} fields, {} leaves, {} bytes decoded",
        w.fields, w.leaves, w.bytes
    ))
}

/// The pass [`profile`] measures: a function of its own, so that callgrind's
/// `--toggle-collect=*profiled_pass*` counts it and not the corpus generation.
#[inline(never)]
fn profiled_pass(msgs: &[Vec<u8>], f: fn(&[u8]) -> Work) -> Work {
    run_corpus(msgs, f)
}

pub(crate) fn report(runs: usize) -> String {
    let mut out = String::from(
        "MIME full parse + decode       corpus        MB/s   ours/peer   fields   leaves   decoded\n",
    );
    for (name, seed, count, sizes) in CORPORA {
        let msgs = corpus(seed, count, sizes);
        let bytes: usize = msgs.iter().map(Vec::len).sum();
        let label = format!("{name} ({count} msgs, {})", human(bytes));
        out.push_str(&format!("  {label}\n"));
        let parsers: [(&str, fn(&[u8]) -> Work); 4] = [
            ("mailscope-core", ours),
            ("  (parse_message only)", ours_parse_only),
            ("mail-parser 0.11", mail_parser),
            ("mailparse 0.16", mailparse),
        ];
        let works: Vec<Work> = parsers.iter().map(|(_, f)| run_corpus(&msgs, *f)).collect();
        let run = |i: usize| {
            let f = parsers[i].1;
            let msgs = &msgs;
            move || {
                black_box(run_corpus(msgs, f));
            }
        };
        let (mut c0, mut c1, mut c2, mut c3) = (run(0), run(1), run(2), run(3));
        let bodies = base64_bodies(&msgs);
        let mut c4 = || {
            black_box(crate_decode(&bodies));
        };
        let mut c5 = || {
            black_box(core_decode(&bodies));
        };
        let measures: Vec<Measure> = best_of_interleaved(
            runs,
            &mut [&mut c0, &mut c1, &mut c2, &mut c3, &mut c4, &mut c5],
        );
        let ours_rate = bytes as f64 / measures[0].secs / 1e6;
        for (((pname, _), work), m) in parsers.iter().zip(&works).zip(&measures) {
            let rate = bytes as f64 / m.secs / 1e6;
            let ratio = if pname.starts_with(' ') || *pname == "mailscope-core" {
                "-".to_string()
            } else {
                format!("{:.2}", ours_rate / rate)
            };
            out.push_str(&format!(
                "    {pname:<26} {:>10} {rate:>10.1} {ratio:>11} {:>8} {:>8} {:>9}\n",
                human(bytes),
                work.fields,
                work.leaves,
                human(work.bytes)
            ));
        }
        let decoded = crate_decode(&bodies);
        let input: usize = bodies.iter().map(|(raw, _)| raw.len()).sum();
        for (name, m, ratio) in [
            ("base64 0.22 alone (ceiling)", &measures[4], true),
            ("  (our base64 decoder alone)", &measures[5], false),
        ] {
            let rate = bytes as f64 / m.secs / 1e6;
            let share = if ratio {
                format!("{:.2}", ours_rate / rate)
            } else {
                "-".to_string()
            };
            out.push_str(&format!(
                "    {name:<26} {:>10} {rate:>10.1} {share:>11} {:>8} {:>8} {:>9}\n",
                human(input),
                "-",
                bodies.len(),
                human(decoded)
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::Sizes;

    #[test]
    fn all_three_do_comparable_work() {
        let msgs = corpus(
            9,
            60,
            Sizes {
                text: (200, 2_000),
                attachment: (100, 3_000),
            },
        );
        let a = run_corpus(&msgs, ours);
        let b = run_corpus(&msgs, mail_parser);
        let c = run_corpus(&msgs, mailparse);
        for (name, w) in [("mail-parser", b), ("mailparse", c)] {
            assert!(
                w.leaves * 10 >= a.leaves * 9 && w.leaves * 10 <= a.leaves * 11,
                "{name} decoded {} leaves, mailscope-core {}",
                w.leaves,
                a.leaves
            );
        }
        assert!(a.bytes > 0 && a.fields > 60, "work done: {a:?}");
    }
}
