//! Golden corpus: every `tests/fixtures/eml/{rfc,legacy,malformed}/NNN.eml` is inspected with
//! [`inspect_json`] and compared with the expected documents next to it.
//!
//! Each message runs in two (sometimes three) variants, because spans, `decoded_size` and
//! `decoded_sha256` of unencoded parts differ with the line ending:
//!
//! - `NNN.json`: the message with every line ending made CRLF (as on the wire);
//! - `NNN.lf.json`: the message with every line ending made LF (as on disk);
//! - `NNN.raw.json`: only when the file's bytes are neither, i.e. it mixes line endings on
//!   purpose (the file exactly as stored).
//!
//! Besides the exact comparison, the CRLF and LF variants must agree on everything that does
//! not depend on line endings (a span-free projection: headers, field names and decoded
//! values, sections, types, charsets, file names, text digests, lint codes except
//! `mime.bare-lf`, and the DSN).
//!
//! Regenerate the expectations on purpose only: `MAILSCOPE_BLESS=1 cargo test -p
//! mailscope-core --test golden`, then review the diff. Native only (reads files).
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};

use mailscope_core::mime::report::inspect_json;
use serde_json::{json, Value};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/eml")
}

fn to_lf(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
            i += 1;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

fn to_crlf(b: &[u8]) -> Vec<u8> {
    let lf = to_lf(b);
    let mut out = Vec::with_capacity(lf.len() + lf.len() / 16);
    for &c in &lf {
        if c == b'\n' {
            out.push(b'\r');
        }
        out.push(c);
    }
    out
}

/// The first place where two documents differ, as a JSON pointer with both values.
fn first_difference(path: &str, want: &Value, got: &Value) -> Option<String> {
    match (want, got) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, va) in a {
                let p = format!("{path}/{k}");
                match b.get(k) {
                    Some(vb) => {
                        if let Some(d) = first_difference(&p, va, vb) {
                            return Some(d);
                        }
                    }
                    None => return Some(format!("{p}: expected {va}, key missing")),
                }
            }
            b.keys()
                .find(|k| !a.contains_key(*k))
                .map(|k| format!("{path}/{k}: unexpected key, value {}", b[k]))
        }
        (Value::Array(a), Value::Array(b)) => {
            for (i, (va, vb)) in a.iter().zip(b).enumerate() {
                if let Some(d) = first_difference(&format!("{path}/{i}"), va, vb) {
                    return Some(d);
                }
            }
            (a.len() != b.len())
                .then(|| format!("{path}: expected {} elements, got {}", a.len(), b.len()))
        }
        _ => (want != got).then(|| format!("{path}: expected {want}, got {got}")),
    }
}

/// What must not depend on line endings.
fn projection(v: &Value) -> Value {
    let parts: Vec<Value> = v["parts"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|p| {
                    json!({
                        "section": p["section"],
                        "content_type": p["content_type"],
                        "charset": p["charset"],
                        "disposition": p["disposition"],
                        "filename": p["filename"],
                        "transfer_encoding": p["transfer_encoding"],
                        "text_sha256": p["text_sha256"],
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let fields: Vec<Value> = v["fields"]
        .as_array()
        .map(|a| a.iter().map(|f| json!([f["name"], f["decoded"]])).collect())
        .unwrap_or_default();
    let mut codes: Vec<String> = v["lints"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|l| l["code"].as_str())
                .filter(|c| *c != "mime.bare-lf")
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    codes.sort();
    let mut dsn = v["dsn"].clone();
    if let Some(rs) = dsn["recipients"].as_array_mut() {
        for r in rs {
            if let Some(o) = r.as_object_mut() {
                o.remove("span");
            }
        }
    }
    json!({
        "headers": v["headers"],
        "fields": fields,
        "parts": parts,
        "lints": codes,
        "dsn": dsn,
    })
}

#[test]
fn golden_corpus() {
    let bless = std::env::var("MAILSCOPE_BLESS").is_ok_and(|v| v == "1");
    let mut failures = Vec::new();
    let mut count = 0;
    for dir in ["rfc", "legacy", "malformed"] {
        let dir = corpus().join(dir);
        let mut emls: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        emls.sort();
        for eml in emls {
            count += 1;
            let raw = std::fs::read(&eml).expect("read fixture");
            let crlf = to_crlf(&raw);
            let lf = to_lf(&raw);
            let mut variants = vec![("json", crlf.clone()), ("lf.json", lf.clone())];
            if raw != crlf && raw != lf {
                variants.push(("raw.json", raw.clone()));
            }
            let mut docs = Vec::new();
            for (suffix, bytes) in variants {
                let got = inspect_json(&bytes);
                assert_eq!(got["version"], 1, "{}", eml.display());
                let expected_path = eml.with_extension(suffix);
                if bless {
                    let mut text = serde_json::to_string_pretty(&got).expect("serialize");
                    text.push('\n');
                    std::fs::write(&expected_path, text).expect("write expectation");
                } else {
                    match std::fs::read_to_string(&expected_path) {
                        Ok(text) => {
                            let want: Value = serde_json::from_str(&text).expect("expected JSON");
                            if let Some(d) = first_difference("", &want, &got) {
                                failures.push(format!("{}: {d}", expected_path.display()));
                            }
                        }
                        Err(e) => failures.push(format!(
                            "{}: {e} (run with MAILSCOPE_BLESS=1 to create it)",
                            expected_path.display()
                        )),
                    }
                }
                docs.push(got);
            }
            let (a, b) = (projection(&docs[0]), projection(&docs[1]));
            if let Some(d) = first_difference("", &a, &b) {
                failures.push(format!(
                    "{}: CRLF and LF variants disagree beyond spans: {d}",
                    eml.display()
                ));
            }
        }
    }
    assert!(count >= 20, "expected at least 20 fixtures, found {count}");
    assert!(
        failures.is_empty(),
        "{} golden mismatch(es); review, then MAILSCOPE_BLESS=1 to accept:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn line_ending_conversion() {
    assert_eq!(to_lf(b"a\r\nb\nc\r"), b"a\nb\nc\r");
    assert_eq!(to_crlf(b"a\r\nb\nc"), b"a\r\nb\r\nc");
}

/// A cheap stand-in for fuzzing in the normal test run: every fixture, mutated at random
/// (bytes flipped, delimiters and line breaks inserted, ranges deleted or duplicated), must
/// still give a version-1 document whose spans lie inside the input.
#[test]
fn mutated_corpus_never_panics() {
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let inserts: &[&[u8]] = &[
        b"--",
        b"\r\n",
        b"\n",
        b"=",
        b"=?utf-8?B?",
        b"?=",
        b"\r\n\r\n",
        b"Content-Type: multipart/mixed; boundary=x\r\n",
        b"Content-Type: message/rfc822\r\n\r\n",
        b"\xff\x80",
        b";",
        b"\"",
        b"*0*=",
    ];
    let mut runs = 0;
    for dir in ["rfc", "legacy", "malformed"] {
        let mut emls: Vec<PathBuf> = std::fs::read_dir(corpus().join(dir))
            .expect("corpus dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        emls.sort();
        for eml in emls {
            let base = to_crlf(&std::fs::read(&eml).expect("read"));
            for _ in 0..40 {
                let mut m = base.clone();
                for _ in 0..(1 + next() % 6) {
                    if m.is_empty() {
                        break;
                    }
                    let at = (next() % m.len() as u64) as usize;
                    match next() % 4 {
                        0 => m[at] = next() as u8,
                        1 => {
                            let ins = inserts[(next() % inserts.len() as u64) as usize];
                            m.splice(at..at, ins.iter().copied());
                        }
                        2 => {
                            let end = (at + (next() % 64) as usize).min(m.len());
                            m.drain(at..end);
                        }
                        _ => {
                            let end = (at + (next() % 200) as usize).min(m.len());
                            let chunk = m[at..end].to_vec();
                            m.splice(at..at, chunk);
                        }
                    }
                }
                let v = inspect_json(&m);
                runs += 1;
                assert_eq!(v["version"], 1);
                for p in v["parts"].as_array().expect("parts") {
                    for key in ["header_span", "body_span"] {
                        let end = p[key]["end"].as_u64().expect("span end") as usize;
                        let start = p[key]["start"].as_u64().expect("span start") as usize;
                        assert!(
                            start <= end && end <= m.len(),
                            "{key} {start}..{end} of {}",
                            m.len()
                        );
                    }
                }
            }
        }
    }
    assert!(runs >= 1000, "{runs} runs");
}

/// Boundary-heavy input at n and 8n: the time must grow about linearly (a quadratic parser
/// would take 64 times as long). Best of three runs each, with a generous bound for noisy
/// machines. Native only: the browser has no monotonic clock in the core's test harness.
#[test]
#[allow(clippy::disallowed_methods)]
fn boundary_heavy_input_parses_in_linear_time() {
    use mailscope_core::mime::parse::parse_message;
    use std::time::{Duration, Instant};
    fn input(k: usize) -> Vec<u8> {
        let mut s = String::from(
            "From: a@example.com\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\nMIME-Version: 1.0\r\n",
        );
        // Nested multiparts, each with its own parts and near-miss delimiter lines.
        for level in 0..40 {
            s.push_str(&format!(
                "Content-Type: multipart/mixed; boundary=\"b{level}\"\r\n\r\n"
            ));
            for i in 0..k {
                s.push_str(&format!(
                    "--b{level}\r\n\r\npart {i}\r\n--b{level}x\r\n--b{level}-- x\r\n"
                ));
            }
            s.push_str(&format!("--b{level}\r\n"));
        }
        s.push_str("\r\nleaf\r\n");
        s.into_bytes()
    }
    let time = |bytes: &[u8]| {
        (0..3)
            .map(|_| {
                let t = Instant::now();
                let m = parse_message(bytes);
                assert!(m.entities.len() > 1);
                t.elapsed()
            })
            .min()
            .unwrap_or(Duration::ZERO)
    };
    let (small, large) = (input(25), input(200));
    let (a, b) = (time(&small), time(&large));
    let ratio = b.as_secs_f64() / a.as_secs_f64().max(1e-6);
    let size_ratio = large.len() as f64 / small.len() as f64;
    eprintln!("{size_ratio:.1}x input took {ratio:.1}x as long ({a:?} → {b:?})");
    assert!(
        ratio < size_ratio * 3.0,
        "8x input ({} → {} bytes) took {ratio:.1}x as long ({a:?} → {b:?})",
        small.len(),
        large.len()
    );
}
