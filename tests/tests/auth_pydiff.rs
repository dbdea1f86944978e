//! Differential test: Mailscope's DKIM, ARC, SPF and DMARC against dkimpy, pyspf and pydmarc
//! (the `dmarc` package), Python implementations from PyPI (independent of Rust and of
//! mail-auth), on the generated corpus of `mailscope_testkit::auth_corpus` (the one
//! `core/tests/auth_differential.rs` runs against mail-auth).
//!
//! `tests/py/auth_oracle.py` runs the libraries offline: every case's records are handed to
//! it and answered from memory, and its clock is the corpus's. It runs once, with all cases,
//! under the Python of the venv `cargo xtask test` installs (`tests/py/requirements.txt`,
//! pinned) and names in `MAILSCOPE_PYTHON`. Compared, case by case: each DKIM signature's
//! result, the ARC chain's result, the SPF result and the DMARC result with its disposition,
//! as RFC 8601 words (the driver's doc says how dkimpy's answers map onto them). pydmarc
//! evaluates DMARC from dkimpy's and pyspf's results, so a DKIM or SPF difference can carry
//! over into DMARC.
//!
//! Deliberate differences are listed in [`KNOWN`] with the RFC that decides them, and asserted
//! as differences, so a change on either side shows up.

use std::io::Write;
use std::process::{Command, Stdio};

use base64::Engine;
use mailscope_core::auth::{Record, Report};
use mailscope_testkit::auth_corpus::{corpus, Case, NOW};
use mailscope_testkit::env_path;
use serde_json::{json, Value};

/// Cases where Mailscope and the Python implementations disagree on purpose: (part of the
/// case's name, the check that differs, why). The case's other checks must still agree.
const KNOWN: &[(&str, Differs, &str)] = &[
    (
        "not over-signed edit=header From added",
        Differs::Dkim,
        "dkimpy verifies as though h= named From once more than it does (its guard against \
         Debian bug 644046), so an unsigned From added above the signed one fails the \
         signature; RFC 6376 §5.4.2 selects the bottom-most From, which is the signed one, and \
         the signature verifies: pass (§8.15 leaves the extra From to the verifier's policy; \
         Mailscope's DMARC says permerror for two From fields, RFC 7489 §6.6.1)",
    ),
    (
        "keys swapped",
        Differs::Dkim,
        "a key record whose k= does not fit a=: dkimpy verifies with the record's key type \
         regardless (an ed25519 signature checked as RSA: fail) or crashes in PyNaCl (an RSA \
         signature given to Ed25519: ValueError); RFC 6376 §6.1.2 step 8 says PERMFAIL \
         (inappropriate key algorithm): permerror",
    ),
    (
        "arc two sets",
        Differs::Arc,
        "the chain is sealed with ed25519-sha256; dkimpy's ARC accepts rsa-sha256 only and \
         fails it; RFC 8617 §4.1.2 and §4.1.3 take a= from DKIM (RFC 6376 §3.5), whose \
         algorithms include ed25519-sha256 (RFC 8463 §3), and every seal and signature \
         verifies: pass",
    ),
    (
        "dmarc from mail.strict.test",
        Differs::Dmarc,
        "publicsuffix2 2.20191221, pydmarc's organizational-domain lookup, answers `test` for \
         mail.strict.test (a TLD its list lacks), so pydmarc asks _dmarc.test and finds no \
         policy: none; RFC 7489 §3.2 takes the organizational domain from the Public Suffix \
         List, whose algorithm applies the default rule `*` to an unlisted TLD: the public \
         suffix is `test`, the organizational domain strict.test, whose record applies",
    ),
];

/// A check of a case.
#[derive(Debug, Clone, Copy)]
enum Differs {
    Dkim,
    Arc,
    Dmarc,
}

/// The results compared: each DKIM signature's, the ARC chain's, SPF's, and DMARC's with its
/// disposition (when the result is pass or fail: the words of other outcomes differ).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Verdicts {
    dkim: Vec<String>,
    arc: String,
    spf: Option<String>,
    dmarc: (String, Option<String>),
}

/// DMARC's result and, for pass and fail, the disposition.
fn dmarc(result: &str, disposition: &str) -> (String, Option<String>) {
    let decided = matches!(result, "pass" | "fail");
    (result.to_owned(), decided.then(|| disposition.to_owned()))
}

fn ours(report: &Report) -> Verdicts {
    Verdicts {
        dkim: report
            .dkim
            .iter()
            .map(|d| d.result.as_str().to_owned())
            .collect(),
        arc: report.arc.result.as_str().to_owned(),
        spf: report.spf.as_ref().map(|s| s.result.as_str().to_owned()),
        dmarc: dmarc(report.dmarc.result.as_str(), &report.dmarc.disposition),
    }
}

impl Verdicts {
    /// The verdicts without `check`'s.
    fn without(mut self, check: Differs) -> Verdicts {
        match check {
            Differs::Dkim => self.dkim.clear(),
            Differs::Arc => self.arc.clear(),
            Differs::Dmarc => self.dmarc = Default::default(),
        }
        self
    }
}

fn word(v: &Value) -> String {
    v["result"].as_str().expect("a result word").to_owned()
}

fn theirs(v: &Value) -> Verdicts {
    Verdicts {
        dkim: v["dkim"]
            .as_array()
            .expect("a dkim list")
            .iter()
            .map(word)
            .collect(),
        arc: word(&v["arc"]),
        spf: (!v["spf"].is_null()).then(|| word(&v["spf"])),
        dmarc: dmarc(
            &word(&v["dmarc"]),
            v["dmarc"]["policy"].as_str().unwrap_or_default(),
        ),
    }
}

/// The case as the driver reads it.
fn input(case: &Case) -> Value {
    let records: Vec<Value> = case
        .records()
        .records()
        .map(|(name, record)| {
            let (kind, value) = match record {
                Record::A(a) => ("A", json!(a.to_string())),
                Record::Aaaa(a) => ("AAAA", json!(a.to_string())),
                Record::Mx {
                    preference,
                    exchange,
                } => ("MX", json!([preference, exchange])),
                Record::Txt(t) => ("TXT", json!(String::from_utf8_lossy(t))),
                Record::Ptr(p) => ("PTR", json!(p)),
            };
            json!({"name": name, "type": kind, "value": value})
        })
        .collect();
    let e = &case.envelope;
    json!({
        "name": case.name,
        "message": base64::engine::general_purpose::STANDARD.encode(&case.message),
        "now": NOW,
        "records": records,
        "ip": e.ip.map(|ip| ip.to_string()),
        "helo": e.helo,
        "mail_from": e.mail_from,
    })
}

/// Runs the driver once on every case; one JSON verdict per case.
fn oracle(cases: &[Case]) -> Vec<Value> {
    let python = env_path("MAILSCOPE_PYTHON");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/py/auth_oracle.py");
    let mut child = Command::new(&python)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {} ({e}): run `cargo xtask test`, which installs the venv of tests/py/requirements.txt", python.display()));
    let input = Value::Array(cases.iter().map(input).collect()).to_string();
    let mut stdin = child.stdin.take().expect("piped stdin");
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("the driver ran");
    writer
        .join()
        .expect("the writer thread")
        .expect("the cases written to the driver");
    assert!(
        out.status.success(),
        "{script} exited with {}; its error is above",
        out.status
    );
    let verdicts: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON verdict a line"))
        .collect();
    assert_eq!(verdicts.len(), cases.len(), "one verdict per case");
    verdicts
}

#[test]
fn mailscope_agrees_with_dkimpy_pyspf_and_pydmarc() {
    let cases = corpus();
    let verdicts = oracle(&cases);
    let mut agreed = 0;
    let mut unexpected = Vec::new();
    let mut known_seen = vec![0usize; KNOWN.len()];
    for (case, v) in cases.iter().zip(&verdicts) {
        let report = case.check();
        let (a, b) = (ours(&report), theirs(v));
        let known = KNOWN.iter().position(|(k, _, _)| case.name.contains(k));
        match (a == b, known) {
            (true, _) => agreed += 1,
            (false, Some(i)) if a.clone().without(KNOWN[i].1) == b.clone().without(KNOWN[i].1) => {
                known_seen[i] += 1
            }
            (false, _) => {
                let reasons: Vec<String> = report
                    .dkim
                    .iter()
                    .map(|d| d.reason.english())
                    .chain(report.spf.iter().map(|s| s.reason.english()))
                    .collect();
                unexpected.push(format!(
                    "{}:\n  mailscope {a:?} {reasons:?}\n  dkimpy/pyspf/pydmarc {b:?} {v}",
                    case.name
                ))
            }
        }
    }
    eprintln!(
        "differential with dkimpy/pyspf/pydmarc: {agreed} of {} cases agree, {} known differences",
        cases.len(),
        known_seen.iter().sum::<usize>()
    );
    assert!(
        unexpected.is_empty(),
        "{} of {} cases disagree:\n{}",
        unexpected.len(),
        cases.len(),
        unexpected.join("\n")
    );
    for ((name, _, why), seen) in KNOWN.iter().zip(known_seen) {
        assert!(
            seen > 0,
            "the known difference {name:?} ({why}) no longer shows: remove it from KNOWN"
        );
    }
    assert!(agreed > 500, "the corpus shrank: {agreed}");
}
