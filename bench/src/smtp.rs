//! SMTP figures: command and reply parse throughput over a generated mix of realistic lines, and
//! the rate of complete in-memory transactions (client session against server session).

use std::hint::black_box;

use mailscope_core::smtp::command::parse_command;
use mailscope_core::smtp::reply::parse_reply;
use mailscope_core::smtp::session::{
    ClientPlan, ClientSession, ServerConfig, ServerEvent, ServerSession, Transaction,
};

use crate::corpus::Rng;
use crate::timing::{best_of, Measure};

/// `count` command lines, the mix a submission server sees (one transaction's worth of each
/// kind, plus the odd VRFY/NOOP/RSET and AUTH).
pub(crate) fn command_lines(seed: u64, count: usize) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::new();
    for i in 0..count {
        let user = rng.below(100_000);
        let line = match rng.below(16) {
            0 => format!("EHLO client{user}.example.net"),
            1..=3 => format!(
                "MAIL FROM:<sender{user}@example.org> SIZE={} BODY=8BITMIME",
                rng.range(1_000, 5_000_000)
            ),
            4 => format!("MAIL FROM:<> RET=HDRS ENVID=QQ{user:x}"),
            5..=8 => format!("RCPT TO:<rcpt{user}@example.com>"),
            9 => format!(
                "RCPT TO:<r{user}@example.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;r{user}@example.com"
            ),
            10 => "DATA".to_string(),
            11 => format!("BDAT {} LAST", rng.range(1, 100_000)),
            12 => "RSET".to_string(),
            13 => "NOOP".to_string(),
            14 => "AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=".to_string(),
            _ => if i % 2 == 0 { "QUIT" } else { "VRFY postmaster" }.to_string(),
        };
        out.extend_from_slice(line.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// `count` replies: single-line positive and negative replies with enhanced codes, and the
/// multi-line EHLO reply (a tenth of them).
pub(crate) fn reply_lines(seed: u64, count: usize) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::new();
    for _ in 0..count {
        let id = rng.next_u64() & 0xFFFF_FFFF;
        let reply = match rng.below(10) {
            0 => "250-mx.example.org Hello client.example.net [192.0.2.1]\r\n250-PIPELINING\r\n250-SIZE 52428800\r\n250-ETRN\r\n250-STARTTLS\r\n250-AUTH PLAIN LOGIN CRAM-MD5\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n".to_string(),
            1 | 2 => "250 2.1.0 Ok\r\n".to_string(),
            3 | 4 => "250 2.1.5 Ok\r\n".to_string(),
            5 => "354 End data with <CR><LF>.<CR><LF>\r\n".to_string(),
            6 => format!("250 2.0.0 Ok: queued as {id:X}\r\n"),
            7 => "550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown in virtual mailbox table\r\n".to_string(),
            8 => "451 4.7.1 Service unavailable - try again later\r\n".to_string(),
            _ => "221 2.0.0 Bye\r\n".to_string(),
        };
        out.extend_from_slice(reply.as_bytes());
    }
    out
}

/// Parses every command line in `wire`; returns the count.
fn parse_all_commands(wire: &[u8]) -> usize {
    let mut offset = 0;
    let mut n = 0;
    while let Ok(Some((parsed, used))) = parse_command(&wire[offset..]) {
        black_box(&parsed);
        n += 1;
        offset += used;
    }
    n
}

/// Parses every reply in `wire`; returns the count.
fn parse_all_replies(wire: &[u8]) -> usize {
    let mut offset = 0;
    let mut n = 0;
    while let Ok(Some((reply, used))) = parse_reply(&wire[offset..]) {
        black_box(&reply);
        n += 1;
        offset += used;
    }
    n
}

/// One complete transaction over a fresh pair of sessions: greeting, EHLO, MAIL, RCPT, DATA
/// with `message`, QUIT. Returns the number of messages the server accepted (1).
pub(crate) fn transaction(message: &[u8]) -> usize {
    let plan = ClientPlan {
        pipelining: false,
        transactions: vec![Transaction {
            from: "alice@example.org".into(),
            rcpts: vec!["bob@example.net".into()],
            message: message.to_vec(),
            ..Transaction::default()
        }],
        ..ClientPlan::default()
    };
    let mut client = ClientSession::new(plan);
    let mut server = ServerSession::new(ServerConfig::default());
    let mut accepted = 0;
    for _ in 0..1_000 {
        let mut moved = false;
        while let Some(bytes) = server.poll_output() {
            client.handle_input(&bytes);
            moved = true;
        }
        while let Some(e) = server.poll_event() {
            accepted += usize::from(matches!(e, ServerEvent::MessageReceived(_)));
        }
        while client.poll_event().is_some() {}
        while let Some(bytes) = client.poll_output() {
            server.handle_input(&bytes);
            moved = true;
        }
        if !moved {
            break;
        }
    }
    accepted
}

/// A 4 KB message: headers and wrapped text, with a dot-leading line to stuff.
pub(crate) fn message_4k() -> Vec<u8> {
    let mut m = b"From: Alice <alice@example.org>\r\nTo: Bob <bob@example.net>\r\nSubject: benchmark\r\nDate: Tue, 1 Jul 2025 10:52:37 +0200\r\nMessage-ID: <bench@example.org>\r\n\r\n".to_vec();
    let line = b"The quick brown fox jumps over the lazy dog, again and again and again.\r\n";
    let mut i = 0;
    while m.len() + line.len() <= 4096 - 8 {
        if i == 10 {
            m.extend_from_slice(b".leading dot\r\n");
        } else {
            m.extend_from_slice(line);
        }
        i += 1;
    }
    m.resize(4096 - 2, b'x');
    m.extend_from_slice(b"\r\n");
    m
}

/// The SMTP table.
pub(crate) fn report(runs: usize) -> String {
    let commands = command_lines(1, 200_000);
    let replies = reply_lines(2, 100_000);
    let n_commands = parse_all_commands(&commands);
    let n_replies = parse_all_replies(&replies);
    assert_eq!(n_commands, 200_000, "every generated command line parses");
    assert_eq!(n_replies, 100_000, "every generated reply parses");

    let cmd = best_of(runs, || {
        black_box(parse_all_commands(black_box(&commands)));
    });
    let rep = best_of(runs, || {
        black_box(parse_all_replies(black_box(&replies)));
    });
    let message = message_4k();
    assert_eq!(
        transaction(&message),
        1,
        "the transaction delivers its message"
    );
    const TXNS: usize = 2_000;
    let txn = best_of(runs, || {
        for _ in 0..TXNS {
            black_box(transaction(black_box(&message)));
        }
    });

    let mut out =
        String::from("SMTP (mailscope-core)                    input        MB/s       items/s\n");
    out.push_str(&row(
        "command parse (parse_command)",
        commands.len(),
        n_commands,
        cmd,
        "lines",
    ));
    out.push_str(&row(
        "reply parse (parse_reply)",
        replies.len(),
        n_replies,
        rep,
        "replies",
    ));
    out.push_str(&format!(
        "  {:<36} {:>10} {:>11} {:>13.0}  transactions (EHLO, MAIL, RCPT, DATA 4 KB, QUIT)\n",
        "in-memory transaction",
        format!("{TXNS} x 4KB"),
        "-",
        TXNS as f64 / txn.secs
    ));
    out
}

fn row(name: &str, bytes: usize, items: usize, m: Measure, unit: &str) -> String {
    format!(
        "  {name:<36} {:>10} {:>11.1} {:>13.0}  {unit}\n",
        crate::timing::human(bytes),
        bytes as f64 / m.secs / 1e6,
        items as f64 / m.secs
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_lines_all_parse() {
        let c = command_lines(3, 500);
        assert_eq!(parse_all_commands(&c), 500, "commands");
        let r = reply_lines(4, 500);
        assert_eq!(parse_all_replies(&r), 500, "replies");
    }

    #[test]
    fn transaction_delivers_one_message() {
        let m = message_4k();
        assert_eq!(m.len(), 4096, "message size");
        assert_eq!(transaction(&m), 1, "accepted messages");
    }
}
