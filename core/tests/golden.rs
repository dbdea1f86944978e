//! Golden corpus: every `core/tests/fixtures/eml/{rfc,legacy,malformed}/NNN.eml` is inspected with
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
//! The corpus is embedded by `core/build.rs` (`$OUT_DIR/golden_cases.rs`, `include_bytes!` of
//! every fixture and `include_str!` of every expectation), so the same comparison
//! ([`check_corpus`]) runs natively and in headless Chromium (`cargo test -p mailscope-core
//! --target wasm32-unknown-unknown`). Adding a fixture needs no code change.
//!
//! Regenerate the expectations on purpose only: `MAILSCOPE_BLESS=1 cargo test -p
//! mailscope-core --test golden`, then review the diff. Blessing is native only (it writes the
//! files next to the fixtures), and refused when `CI` is set (the test fails saying so): CI
//! checks the files, it never rewrites them.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use mailscope_core::mime::report::inspect_json;
use serde_json::{json, Value};

/// One fixture of the corpus with its expected documents, embedded at build time.
struct GoldenCase {
    /// `rfc`, `legacy` or `malformed`.
    dir: &'static str,
    /// The file stem, `NNN`.
    name: &'static str,
    /// Absolute path of the `.eml` at build time (for messages and blessing).
    path: &'static str,
    /// The message as stored.
    eml: &'static [u8],
    /// `NNN.json`: expected document of the CRLF variant.
    crlf: Option<&'static str>,
    /// `NNN.lf.json`: expected document of the LF variant.
    lf: Option<&'static str>,
    /// `NNN.raw.json`: expected document of the file as stored, when it mixes line endings.
    raw: Option<&'static str>,
}

include!(concat!(env!("OUT_DIR"), "/golden_cases.rs"));

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

/// Where a document goes instead of being compared: `(expectation path, document)`.
type Bless<'a, 'b> = &'a mut (dyn FnMut(&str, &Value) + 'b);

/// The variants of one fixture: (expectation suffix, bytes, embedded expectation).
fn variants(case: &GoldenCase) -> Vec<(&'static str, Vec<u8>, Option<&'static str>)> {
    let crlf = to_crlf(case.eml);
    let lf = to_lf(case.eml);
    let mixed = case.eml != crlf.as_slice() && case.eml != lf.as_slice();
    let mut v = vec![("json", crlf, case.crlf), ("lf.json", lf, case.lf)];
    if mixed {
        v.push(("raw.json", case.eml.to_vec(), case.raw));
    }
    v
}

/// Inspects every variant of one fixture and compares it with its expectation (or hands it to
/// `bless`); returns the failures, each naming the expectation file and the first difference.
fn check_case(case: &GoldenCase, mut bless: Option<Bless<'_, '_>>) -> Vec<String> {
    let mut failures = Vec::new();
    let stem = case.path.strip_suffix(".eml").unwrap_or(case.path);
    let mut docs = Vec::new();
    for (suffix, bytes, expected) in variants(case) {
        let got = inspect_json(&bytes);
        let expected_path = format!("{stem}.{suffix}");
        if got["version"] != 1 {
            failures.push(format!("{expected_path}: version {}", got["version"]));
        }
        if let Some(bless) = bless.as_mut() {
            bless(&expected_path, &got);
        } else {
            match expected.map(serde_json::from_str::<Value>) {
                Some(Ok(want)) => {
                    if let Some(d) = first_difference("", &want, &got) {
                        failures.push(format!("{expected_path}: {d}"));
                    }
                }
                Some(Err(e)) => failures.push(format!("{expected_path}: invalid JSON: {e}")),
                None => failures.push(format!(
                    "{expected_path}: missing (run with MAILSCOPE_BLESS=1 to create it)"
                )),
            }
        }
        docs.push(got);
    }
    if let [a, b, ..] = docs.as_slice() {
        if let Some(d) = first_difference("", &projection(a), &projection(b)) {
            failures.push(format!(
                "{}/{}: CRLF and LF variants disagree beyond spans: {d}",
                case.dir, case.name
            ));
        }
    }
    failures
}

/// Runs [`check_case`] over the whole embedded corpus and fails with every mismatch.
fn check_corpus(cases: &[GoldenCase], mut bless: Option<Bless<'_, '_>>) {
    let mut failures = Vec::new();
    for case in cases {
        failures.extend(check_case(case, bless.as_deref_mut()));
    }
    assert!(
        cases.len() >= 20,
        "expected at least 20 fixtures, found {}",
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "{} golden mismatch(es); review, then MAILSCOPE_BLESS=1 to accept:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn golden_corpus() {
    #[cfg(not(target_arch = "wasm32"))]
    if std::env::var("MAILSCOPE_BLESS").is_ok_and(|v| v == "1") {
        if let Some(why) = bless_refused(std::env::var_os("CI").as_deref()) {
            panic!("{why}");
        }
        let mut write = |path: &str, doc: &Value| {
            let mut text = serde_json::to_string_pretty(doc).expect("serialize");
            text.push('\n');
            std::fs::write(path, text).unwrap_or_else(|e| panic!("write {path}: {e}"));
        };
        check_corpus(GOLDEN_CASES, Some(&mut write));
        return;
    }
    check_corpus(GOLDEN_CASES, None);
}

/// Why blessing is refused when the `CI` variable (which CI services set, and `.ci/run` too) is
/// `ci`: there it would rewrite the expectations to whatever the code produces and pass instead
/// of checking them. `None` when `CI` is unset, empty, `0` or `false`.
#[cfg(not(target_arch = "wasm32"))]
fn bless_refused(ci: Option<&std::ffi::OsStr>) -> Option<String> {
    let ci = ci.filter(|v| !v.is_empty() && *v != "0" && *v != "false")?;
    Some(format!(
        "MAILSCOPE_BLESS=1 is refused because CI is set (CI={}): in CI the golden files are \
         checked, never rewritten. Bless on your machine without CI (`MAILSCOPE_BLESS=1 cargo \
         test -p mailscope-core --test golden`), review the diff and commit it.",
        ci.to_string_lossy()
    ))
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn blessing_is_refused_in_ci() {
    use std::ffi::OsStr;
    for ci in ["true", "1", "yes", "github"] {
        let why = bless_refused(Some(OsStr::new(ci))).unwrap_or_default();
        assert!(
            why.contains("refused because CI is set") && why.contains(ci),
            "CI={ci}: {why:?}"
        );
    }
    for not_ci in [None, Some(""), Some("0"), Some("false")] {
        assert_eq!(bless_refused(not_ci.map(OsStr::new)), None, "CI={not_ci:?}");
    }
}

/// The comparison itself must catch a wrong expectation, a missing one and a CRLF/LF split.
#[test]
fn golden_check_detects_mismatches() {
    let Some(case) = GOLDEN_CASES.first() else {
        panic!("empty corpus");
    };
    assert_eq!(
        check_case(case, None),
        Vec::<String>::new(),
        "{}",
        case.path
    );
    let mut doc: Value = serde_json::from_str(case.crlf.expect("blessed")).expect("JSON");
    doc["headers"]["subject"] = json!("not the subject");
    let broken = serde_json::to_string(&doc).expect("serialize");
    let broken: &'static str = Box::leak(broken.into_boxed_str());
    let wrong = GoldenCase {
        crlf: Some(broken),
        lf: None,
        ..*case
    };
    let failures = check_case(&wrong, None);
    assert_eq!(
        failures.len(),
        2,
        "expected a mismatch and a missing file: {failures:?}"
    );
    assert!(
        failures[0].contains("/headers/subject: expected \"not the subject\""),
        "{failures:?}"
    );
    assert!(failures[1].contains("missing"), "{failures:?}");
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
    for case in GOLDEN_CASES {
        let base = to_crlf(case.eml);
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
    assert!(runs >= 1000, "{runs} runs");
}
