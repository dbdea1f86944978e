//! Client against server, moved by a simulated transport ([`transfer`]); the tests are grouped
//! by theme in the files below.

use super::*;
use crate::smtp::auth::{Credentials, Mechanism};
use crate::smtp::capability::{Capabilities, Extension};
use crate::smtp::command::Command;
use std::collections::BTreeMap;

/// What a run of client against server produced.
#[derive(Default)]
struct Run {
    client: Vec<ClientEvent>,
    server: Vec<ServerEvent>,
    /// Everything the client sent and the server sent, in order.
    c2s: Vec<u8>,
    s2c: Vec<u8>,
}

impl Run {
    fn messages(&self) -> Vec<&server::ReceivedMessage> {
        self.server
            .iter()
            .filter_map(|e| match e {
                ServerEvent::MessageReceived(m) => Some(&**m),
                _ => None,
            })
            .collect()
    }

    fn outcomes(&self) -> Vec<&TransactionOutcome> {
        self.client
            .iter()
            .filter_map(|e| match e {
                ClientEvent::TransactionDone(o) => Some(o),
                _ => None,
            })
            .collect()
    }

    fn reply_codes(&self) -> Vec<u16> {
        self.client
            .iter()
            .filter_map(|e| match e {
                ClientEvent::Reply { reply, .. } => Some(reply.code),
                _ => None,
            })
            .collect()
    }

    fn client_errors(&self) -> Vec<&ClientError> {
        self.client
            .iter()
            .filter_map(|e| match e {
                ClientEvent::Error(err) => Some(err),
                _ => None,
            })
            .collect()
    }

    fn sent_text(&self) -> String {
        String::from_utf8_lossy(&self.c2s).into_owned()
    }
}

/// The rustls-style transfer loop: move bytes until neither side has any, doing the
/// "handshake" when the client asks for TLS. No sleeps; the clock is simulated.
fn transfer(client: &mut ClientSession, server: &mut ServerSession) -> Run {
    let mut run = Run::default();
    let mut now = 1_000;
    for _ in 0..10_000 {
        now += 10;
        client.handle_time(now);
        server.handle_time(now);
        let mut moved = false;
        while let Some(bytes) = server.poll_output() {
            run.s2c.extend_from_slice(&bytes);
            client.handle_input(&bytes);
            moved = true;
        }
        while let Some(e) = server.poll_event() {
            run.server.push(e);
        }
        let mut tls = false;
        while let Some(e) = client.poll_event() {
            tls |= e == ClientEvent::TlsRequested;
            run.client.push(e);
        }
        if tls {
            server.tls_established();
            client.tls_established();
        }
        while let Some(bytes) = client.poll_output() {
            run.c2s.extend_from_slice(&bytes);
            server.handle_input(&bytes);
            moved = true;
        }
        while let Some(e) = client.poll_event() {
            run.client.push(e);
        }
        if !moved && !tls {
            break;
        }
    }
    run
}

fn txn(from: &str, rcpts: &[&str], message: &[u8]) -> Transaction {
    Transaction {
        from: from.into(),
        rcpts: rcpts.iter().map(|r| r.to_string()).collect(),
        message: message.to_vec(),
        ..Transaction::default()
    }
}

fn users() -> BTreeMap<String, String> {
    [("alice".to_owned(), "wonderland".to_owned())].into()
}

const MSG: &[u8] = b"Subject: hi\r\n\r\n.dotted line\r\nbye\r\n";
mod dialogue;
mod replies;
mod stops;
