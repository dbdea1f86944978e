//! `smtp::session::ClientSession::handle_input`: arbitrary bytes from a server, in input-chosen
//! chunks, to a client running a plan (EHLO or HELO, STARTTLS, AUTH, PIPELINING, DATA or BDAT,
//! two transactions, chosen by the first byte). Output and events are drained after each chunk;
//! a TLS request is answered as if the handshake succeeded. What the client sends stays
//! bounded: it never answers a server with more than its plan holds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailscope_core::smtp::auth::{Credentials, Mechanism};
use mailscope_core::smtp::session::{
    ClientEvent, ClientPlan, ClientSession, TlsPolicy, Transaction,
};

fuzz_target!(|input: &[u8]| {
    let Some((&flags, data)) = input.split_first() else {
        return;
    };
    let transaction = |n: usize| Transaction {
        from: format!("a{n}@example.org"),
        rcpts: vec!["b@example.org".into(), "c@example.net".into()],
        message: b"Subject: x\r\n\r\n.dot\r\nbody\r\n".to_vec(),
        bdat_chunk: (flags & 8 != 0).then_some(7),
        raw_data: flags & 16 != 0,
        ..Transaction::default()
    };
    let plan = ClientPlan {
        ehlo: flags & 1 != 0,
        starttls: match flags & 6 {
            0 => TlsPolicy::Never,
            2 => TlsPolicy::IfOffered,
            _ => TlsPolicy::Required,
        },
        auth: (flags & 32 != 0).then(|| {
            let mechanism = if flags & 64 != 0 {
                Mechanism::Login
            } else {
                Mechanism::Plain
            };
            (mechanism, Credentials::new("alice", "wonderland"))
        }),
        pipelining: flags & 128 != 0,
        transactions: vec![transaction(1), transaction(2)],
        rset_between: flags & 1 == 0,
        ..ClientPlan::default()
    };
    let mut client = if flags & 0x0f == 0x0f {
        ClientSession::manual()
    } else {
        ClientSession::new(plan)
    };
    let chunk = usize::from(flags >> 3) * 5 + 1;
    let (mut out, mut now) = (0usize, 0u64);
    for piece in data.chunks(chunk) {
        now += 1_000;
        client.handle_time(now);
        client.handle_input(piece);
        while let Some(bytes) = client.poll_output() {
            out += bytes.len();
        }
        while let Some(event) = client.poll_event() {
            if event == ClientEvent::TlsRequested && !client.is_tls() {
                client.tls_established();
            }
        }
        let _ = (client.state(), client.capabilities(), client.poll_timeout());
        if client.is_closed() {
            break;
        }
    }
    // Each server line makes the client send at most one plan step (a few hundred bytes).
    assert!(
        out <= 4096 + 512 * data.len(),
        "{out} bytes out for {} in",
        data.len()
    );
});
