//! Throughput of parsing small messages and decoding every header, on a generated set of
//! ~2–4 KB messages with typical headers (display names, encoded-word subjects, Date,
//! Message-ID, Content-Type parameters, multipart/alternative).
//!
//! `cargo run --release -p mailscope-core --example small_messages [ROUNDS [full|parse]]`
//! (the second argument runs only one of the two measurements, e.g. under valgrind).
//! (not a test and not a benchmark harness: a quick, dependency-free measurement).
// A native measurement tool outside the library: the clock is the point here.
#![allow(clippy::disallowed_methods)]

use std::time::Instant;

use mailscope_core::mime::{address, date, params, parse};

const NAMES: &[&str] = &[
    "Alice Example",
    "\"Kim, Minsu\"",
    "=?UTF-8?B?7ZWc6rWt7Ja0?=",
    "Bob (work)",
    "=?ISO-8859-1?Q?Andr=E9_Pirard?=",
    "Carol O'Neil",
];
const SUBJECTS: &[&str] = &[
    "Quarterly report",
    "=?UTF-8?B?7JWI64WV7ZWY7IS47JqU?= weekly sync",
    "Re: =?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?= meeting notes",
    "=?UTF-8?Q?Caf=C3=A9_menu?= for Friday",
    "Fwd: invoice #4711",
];

fn message(i: usize) -> Vec<u8> {
    let name = |k: usize| NAMES[(i + k) % NAMES.len()];
    let subject = SUBJECTS[i % SUBJECTS.len()];
    let mut m = format!(
        "Return-Path: <bounce-{i}@lists.example.org>\r\n\
Received: from mx{a}.example.net (mx{a}.example.net [192.0.2.{a}])\r\n\tby mail.example.org with ESMTPS id {i:08x}\r\n\tfor <user@example.org>; Tue, 1 Jul 2025 10:{m:02}:00 +0200\r\n\
From: {f} <sender{i}@example.com>\r\n\
To: {t} <user@example.org>, \"Team List\" <team@example.org>\r\n\
Cc: {c} <c{i}@example.net>, d@example.net\r\n\
Subject: {subject}\r\n\
Date: Tue, 1 Jul 2025 10:{m:02}:{s:02} +0200 (CEST)\r\n\
Message-ID: <{i}.{a}.abcdef@mail.example.com>\r\n\
In-Reply-To: <{p}.1.abcdef@mail.example.com>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/alternative; boundary=\"b1_{i:x}_alt\"; charset=\"utf-8\"\r\n\
X-Mailer: Example Mail 4.2\r\n\
\r\n\
This is a multi-part message in MIME format.\r\n\
--b1_{i:x}_alt\r\n\
Content-Type: text/plain; charset=UTF-8; format=flowed\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n",
        a = i % 250 + 1,
        m = i % 60,
        s = (i * 7) % 60,
        p = i.saturating_sub(1),
        f = name(0),
        t = name(1),
        c = name(2),
    );
    for l in 0..12 {
        m.push_str(&format!(
            "Line {l} of message {i}: the quick brown fox jumps over the dog, caf=C3=A9.\r\n"
        ));
    }
    m.push_str(&format!(
        "--b1_{i:x}_alt\r\nContent-Type: text/html; charset=\"utf-8\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    ));
    let html: String = (0..10)
        .map(|l| format!("<p>Paragraph {l} of message {i}, with some <b>bold</b> text.</p>\n"))
        .collect();
    m.push_str(
        &String::from_utf8(mailscope_core::codec::base64::encode_wrapped(
            html.as_bytes(),
            76,
        ))
        .unwrap(),
    );
    m.push_str(&format!("\r\n--b1_{i:x}_alt--\r\n"));
    m.into_bytes()
}

/// Parses and decodes every header of every entity; returns a checksum so nothing is elided.
fn work(input: &[u8]) -> usize {
    let msg = parse::parse_message(input);
    let mut n = msg.entities.len() + msg.lints.len();
    for e in &msg.entities {
        for f in &e.header.fields {
            let name = f.name(input);
            let is = |n: &str| name.eq_ignore_ascii_case(n.as_bytes());
            let raw = f.raw_value(input);
            n += if ["from", "to", "cc", "reply-to", "sender"]
                .into_iter()
                .any(is)
            {
                address::parse_address_list(raw).mailboxes().len()
            } else if is("date") {
                usize::from(date::parse_date(raw).value.is_some())
            } else if is("content-type") {
                params::parse_content_type(raw).params.len()
            } else if is("content-disposition") {
                params::parse_disposition(raw).params.len()
            } else {
                parse::decode_field_text(raw).len()
            };
        }
    }
    n
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5);
    let only = std::env::args().nth(2).unwrap_or_default();
    if let Some(value) = match only.as_str() {
        "addr" => Some(&b" \"Kim, Minsu\" <kim@example.kr>, =?UTF-8?B?7ZWc6rWt7Ja0?= <h@example.kr>,\r\n Bob (work) <bob@example.com>"[..]),
        "date" => Some(&b" Tue, 1 Jul 2025 10:52:37 +0200 (CEST)"[..]),
        "ctype" => Some(&b" text/plain; charset=\"utf-8\"; format=flowed"[..]),
        "subject" => Some(&b" Re: =?UTF-8?B?7JWI64WV7ZWY7IS47JqU?= weekly sync"[..]),
        _ => None,
    } {
        // One field kind parsed ROUNDS times, e.g. to count allocations per field under valgrind.
        let mut check = 0usize;
        for _ in 0..rounds {
            check += match only.as_str() {
                "addr" => address::parse_address_list(value).entries.len(),
                "date" => date::parse_date(value).lints.len(),
                "ctype" => params::parse_content_type(value).params.len(),
                _ => parse::decode_field_text(value).len(),
            };
        }
        println!("check {check}");
        return;
    }
    if only == "dump" {
        // The inspect JSON of every generated message and of every file named after it, one
        // line each: to compare outputs between two builds.
        let files: Vec<Vec<u8>> = std::env::args()
            .skip(3)
            .filter_map(|p| std::fs::read(p).ok())
            .collect();
        for m in (0..rounds).map(message).chain(files) {
            println!("{}", mailscope_core::mime::report::inspect_json(&m));
            let msg = parse::parse_message(&m);
            for e in &msg.entities {
                for f in &e.header.fields {
                    let raw = f.raw_value(&m);
                    println!(
                        "{:?} {:?} {:?} {:?}",
                        address::parse_address_list(raw),
                        date::parse_date(raw),
                        params::parse_content_type(raw),
                        mailscope_core::mime::encoded_word::decode_unstructured(raw)
                    );
                }
            }
        }
        return;
    }
    let corpus: Vec<Vec<u8>> = (0..1000).map(message).collect();
    let bytes: usize = corpus.iter().map(Vec::len).sum();
    let mut check = 0usize;
    for m in corpus.iter().take(50) {
        check += work(m);
    }
    if only == "parse" {
        return parse_only(&corpus, rounds, bytes, check);
    }
    let start = Instant::now();
    for _ in 0..rounds {
        for m in &corpus {
            check += work(m);
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let mb = (bytes * rounds) as f64 / 1e6;
    println!(
        "{} messages, {:.0} bytes avg; parse + decode every header: {:.1} MB/s, {:.0} msgs/s (check {check})",
        corpus.len(),
        bytes as f64 / corpus.len() as f64,
        mb / secs,
        (corpus.len() * rounds) as f64 / secs,
    );
    if only != "full" {
        parse_only(&corpus, rounds, bytes, check);
    }
}

fn parse_only(corpus: &[Vec<u8>], rounds: usize, bytes: usize, mut check: usize) {
    let mb = (bytes * rounds) as f64 / 1e6;
    let start = Instant::now();
    for _ in 0..rounds {
        for m in corpus {
            check += parse::parse_message(m).entities.len();
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!("parse_message only: {:.1} MB/s (check {check})", mb / secs);
}
