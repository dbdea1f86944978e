//! The replay through the command-order rules: states follow the recorded replies.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;

/// (transcript, expected lint codes, expected (state_before, state_after) of every entry)
type ReplayCase = (
    &'static str,
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
);

const REPLAY: &[ReplayCase] = &[
    // A pipelined group whose MAIL the server refused: the RCPT and DATA behind it were
    // in order when sent; the RCPT sent after the refusals is not.
    (
        "S: 220 x\nC: EHLO c\nS: 250-x\nS: 250 PIPELINING\nC: MAIL FROM:<a@b.example>\nC: RCPT TO:<c@d.example>\nC: DATA\nS: 550 5.7.1 sender refused\nS: 503 5.5.1 need MAIL\nS: 503 5.5.1 need MAIL\nC: RCPT TO:<c@d.example>\nS: 503 5.5.1 need MAIL\nC: QUIT\nS: 221 bye\n",
        &["smtp.out-of-sequence"],
        &[
            ("connected", "greeted"),
            ("greeted", "ready"),
            ("ready", "ready"),
            ("ready", "mail"),
            ("mail", "rcpt"),
            ("rcpt", "rcpt"),
            ("rcpt", "ready"),
            ("ready", "ready"),
            ("ready", "ready"),
            ("ready", "ready"),
            ("ready", "ready"),
            ("ready", "closed"),
            ("closed", "closed"),
        ],
    ),
    // Every recipient refused: DATA has no recipient to go to.
    (
        "S: 220 x\nC: HELO c\nS: 250 x\nC: MAIL FROM:<a@b.example>\nS: 250 ok\nC: RCPT TO:<c@d.example>\nS: 550 no\nC: DATA\nS: 554 no valid recipients\nC: QUIT\nS: 221 bye\n",
        &["smtp.out-of-sequence"],
        &[
            ("connected", "greeted"),
            ("greeted", "ready"),
            ("ready", "ready"),
            ("ready", "mail"),
            ("mail", "mail"),
            ("mail", "rcpt"),
            ("rcpt", "mail"),
            ("mail", "mail"),
            ("mail", "mail"),
            ("mail", "closed"),
            ("closed", "closed"),
        ],
    ),
    // A refused EHLO leaves the session greeted; the HELO after it is accepted, and AUTH
    // after HELO breaks RFC 4954 §4 (the old tracker missed this).
    (
        "S: 220 x\nC: EHLO c\nS: 502 no EHLO\nC: HELO c\nS: 250 x\nC: AUTH PLAIN AGEAYg==\nS: 503 5.5.1 send EHLO first\nC: QUIT\nS: 221 bye\n",
        &[
            "smtp.auth-without-tls",
            "smtp.extension-not-offered",
            "smtp.out-of-sequence",
        ],
        &[
            ("connected", "greeted"),
            ("greeted", "ready"),
            ("ready", "greeted"),
            ("greeted", "ready"),
            ("ready", "ready"),
            ("ready", "ready"),
            ("ready", "ready"),
            ("ready", "closed"),
            ("closed", "closed"),
        ],
    ),
    // STARTTLS refused: no TLS; accepted: EHLO needed again, then AUTH is fine.
    (
        "S: 220 x\nC: EHLO c\nS: 250-x\nS: 250 STARTTLS\nC: STARTTLS\nS: 454 4.7.0 not now\nC: STARTTLS\nS: 220 2.0.0 go\nC: EHLO c\nS: 250-x\nS: 250 AUTH PLAIN\nC: AUTH PLAIN AGEAYg==\nS: 235 2.7.0 ok\nC: AUTH PLAIN AGEAYg==\nS: 503 5.5.1 already\nC: QUIT\nS: 221 bye\n",
        &["smtp.out-of-sequence"],
        &[
            ("connected", "greeted"),
            ("greeted", "ready"),
            ("ready", "ready"),
            ("ready", "greeted"),
            ("greeted", "ready"),
            ("ready", "greeted"),
            ("greeted", "greeted"),
            ("greeted", "ready"),
            ("ready", "ready"),
            ("ready", "ready"),
            ("ready", "ready"),
            ("ready", "ready"),
            ("ready", "ready"),
            ("ready", "closed"),
            ("closed", "closed"),
        ],
    ),
    // 421 closes whatever was outstanding; no QUIT is needed after it.
    (
        "S: 220 x\nC: EHLO c\nS: 250-x\nS: 250 PIPELINING\nC: MAIL FROM:<a@b.example>\nC: RCPT TO:<c@d.example>\nS: 421 4.3.2 shutting down\n",
        &[],
        &[
            ("connected", "greeted"),
            ("greeted", "ready"),
            ("ready", "ready"),
            ("ready", "mail"),
            ("mail", "rcpt"),
            ("rcpt", "closed"),
        ],
    ),
];

fn state_names(a: &AnnotatedTranscript) -> Vec<(String, String)> {
    let name = |s: SessionState| {
        serde_json::to_value(s)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    };
    a.entries
        .iter()
        .map(|e| (name(e.state_before), name(e.state_after)))
        .collect()
}

#[test]
fn replay_follows_the_recorded_replies() {
    for &(input, lints, states) in REPLAY {
        let a = annotate(input.as_bytes());
        assert_eq!(codes(&a), lints, "lints of\n{input}\n{:#?}", a.all_lints());
        let want: Vec<(String, String)> = states
            .iter()
            .map(|&(b, a)| (b.to_owned(), a.to_owned()))
            .collect();
        assert_eq!(state_names(&a), want, "states of\n{input}");
    }
}

#[test]
fn out_of_sequence_messages_come_from_the_order_rules() {
    use crate::smtp::session::order::{Order, OrderError};
    let a = annotate(REPLAY[0].0.as_bytes());
    let lint = smtp_lints(&a)[0];
    let expected = OrderError::NoTransaction { verb: "RCPT" };
    assert_eq!(lint.message, expected.to_string());
    assert_eq!(
        Order::greeted().check(crate::smtp::session::order::Step::Rcpt),
        Err(OrderError::NoTransaction { verb: "RCPT" })
    );
}
