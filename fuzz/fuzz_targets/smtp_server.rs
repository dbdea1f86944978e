//! `smtp::session::ServerSession` fed arbitrary client bytes in input-chosen chunks, with AUTH,
//! STARTTLS and small limits configured so that every branch is reachable; output and events
//! are drained after each chunk and must stay bounded.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailscope_core::smtp::auth::Mechanism;
use mailscope_core::smtp::session::{ServerConfig, ServerEvent, ServerSession};

fuzz_target!(|input: &[u8]| {
    let Some((&flags, data)) = input.split_first() else {
        return;
    };
    let mut config = ServerConfig {
        pipelining: flags & 1 != 0,
        starttls: flags & 2 != 0,
        chunking: flags & 4 != 0,
        require_auth: flags & 8 != 0,
        reject_bare_newlines: flags & 16 != 0,
        size_limit: if flags & 32 != 0 { Some(256) } else { None },
        max_recipients: 3,
        auth_mechanisms: vec![
            Mechanism::Plain,
            Mechanism::Login,
            Mechanism::CramMd5,
            Mechanism::Xoauth2,
        ],
        ..ServerConfig::default()
    };
    config.users.insert("alice".into(), "wonderland".into());
    config.faults.data_451 = flags & 64 != 0;
    let mut server = ServerSession::new(config);
    server.set_auth_challenge("<1.2@mailscope.test>");
    let chunk = usize::from(flags >> 4) * 7 + 1;
    let mut out = 0usize;
    let mut now = 0;
    for piece in data.chunks(chunk) {
        now += 1_000;
        server.handle_time(now);
        server.handle_input(piece);
        while let Some(bytes) = server.poll_output() {
            out += bytes.len();
        }
        while let Some(event) = server.poll_event() {
            if event == ServerEvent::TlsRequested {
                server.tls_established();
            }
        }
        let _ = (server.state(), server.is_tls(), server.auth_user());
        if server.is_closed() {
            break;
        }
    }
    // Replies are bounded by the input: at most a few KB per command line read.
    assert!(
        out <= 64 * 1024 + 64 * data.len(),
        "{out} bytes out for {} in",
        data.len()
    );
});
