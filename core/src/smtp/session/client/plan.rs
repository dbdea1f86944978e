//! Driving the plan: after each reply, the next step of EHLO → STARTTLS → AUTH → MAIL → RCPT →
//! DATA/BDAT → … → QUIT, with pipelining when the server offers it.

use crate::smtp::auth::ClientExchange;
use crate::smtp::capability::{Capabilities, Extension};
use crate::smtp::command::Command;
use crate::smtp::data::{bdat_chunks, encode_data};

use super::{
    ClientError, ClientEvent, ClientPlan, ClientSession, ClientState, Expect, StopPoint, TlsPolicy,
    Transaction, TransactionOutcome, TxnProgress,
};

impl ClientSession {
    pub(super) fn drive(&mut self, expect: Expect, code: u16, text: &str) {
        let ok = code < 400;
        match expect {
            Expect::Greeting => {
                if code != 220 {
                    self.error(ClientError::GreetingRefused { code });
                    self.quit();
                } else {
                    self.set_state(ClientState::Greeting);
                    if self.stop_at(StopPoint::Connect) {
                        self.quit();
                    } else {
                        self.hello();
                    }
                }
            }
            Expect::Ehlo if !ok && code >= 500 => {
                // RFC 5321 §4.1.4 / §3.2: fall back to HELO.
                let name = self.plan_ref().helo_name.clone();
                self.command(&Command::helo(name), Expect::Helo);
            }
            Expect::Ehlo | Expect::Helo => {
                if !ok {
                    self.quit();
                } else {
                    self.after_hello();
                }
            }
            Expect::StartTls => {
                // Not 220 (handled above).
                if self.plan_ref().starttls == TlsPolicy::Required {
                    self.error(ClientError::TlsUnavailable);
                    self.quit();
                } else {
                    self.after_tls_decision();
                }
            }
            Expect::Auth => self.auth_reply(code, text),
            Expect::Mail => self.mail_reply(ok, code),
            Expect::Rcpt(rcpt) => self.rcpt_reply(rcpt, ok, code),
            Expect::Data => self.data_reply(code),
            Expect::Bdat { last } => self.bdat_reply(last, ok, code),
            Expect::Dot => self.finish_txn(code, ok),
            Expect::Rset { then } => {
                self.set_state(ClientState::Ready);
                if let Some(i) = then {
                    self.start_txn(i);
                }
            }
            Expect::Quit | Expect::Other => {}
        }
    }

    fn plan_ref(&self) -> &ClientPlan {
        &self.plan
    }

    pub(super) fn stop_at(&self, point: StopPoint) -> bool {
        self.planned && self.plan.quit_after == Some(point)
    }

    pub(super) fn hello(&mut self) {
        let plan = self.plan_ref();
        let name = plan.helo_name.clone();
        if plan.ehlo {
            self.command(&Command::ehlo(name), Expect::Ehlo);
        } else {
            self.command(&Command::helo(name), Expect::Helo);
        }
    }

    fn after_hello(&mut self) {
        self.set_state(ClientState::Ready);
        if self.helo_count == 1 && self.stop_at(StopPoint::FirstHelo) {
            self.quit();
            return;
        }
        let policy = self.plan_ref().starttls;
        if !self.tls && policy != TlsPolicy::Never {
            if self
                .caps
                .as_ref()
                .is_some_and(|c| c.has(Extension::StartTls))
            {
                self.command(&Command::StartTls, Expect::StartTls);
            } else if policy == TlsPolicy::Required {
                self.error(ClientError::TlsUnavailable);
                self.quit();
            } else {
                self.after_tls_decision();
            }
            return;
        }
        self.after_tls_decision();
    }

    fn after_tls_decision(&mut self) {
        if self.stop_at(StopPoint::Helo) {
            self.quit();
            return;
        }
        let Some((mech, creds)) = self.plan_ref().auth.clone() else {
            self.start_txn(0);
            return;
        };
        match ClientExchange::new(mech, creds) {
            Ok(ex) => {
                let initial = ex.initial_response();
                let mech = ex.mechanism().to_string();
                self.auth = Some(ex);
                self.set_state(ClientState::Auth);
                self.command(&Command::auth(mech, initial.map(Into::into)), Expect::Auth);
            }
            Err(e) => {
                self.error(ClientError::Build {
                    message: e.to_string(),
                });
                self.quit();
            }
        }
    }

    fn auth_reply(&mut self, code: u16, text: &str) {
        match code {
            334 => {
                let answer = self.auth.as_mut().map(|ex| ex.respond(text));
                match answer {
                    Some(Ok(line)) => {
                        self.push_line(format!("{line}\r\n").into_bytes(), Expect::Auth, false)
                    }
                    Some(Err(e)) => {
                        self.error(ClientError::Build {
                            message: e.to_string(),
                        });
                        // Cancel the exchange (RFC 4954 §4).
                        self.push_line(b"*\r\n".to_vec(), Expect::Auth, false);
                    }
                    None => self.quit(),
                }
            }
            235 => {
                self.authenticated = true;
                self.auth = None;
                self.push_event(ClientEvent::Authenticated);
                self.set_state(ClientState::Ready);
                if self.stop_at(StopPoint::Auth) {
                    self.quit();
                } else {
                    self.start_txn(0);
                }
            }
            _ => {
                self.auth = None;
                self.push_event(ClientEvent::AuthFailed { code });
                self.set_state(ClientState::Ready);
                self.quit();
            }
        }
    }

    /// RFC 2920: only when offered; not when the plan stops inside the group.
    fn can_pipeline(&self) -> bool {
        let plan = self.plan_ref();
        plan.pipelining
            && !matches!(plan.quit_after, Some(StopPoint::Mail | StopPoint::Rcpt))
            && self
                .caps
                .as_ref()
                .is_some_and(|c| c.has(Extension::Pipelining))
    }

    fn use_bdat(&self, t: &Transaction) -> bool {
        t.bdat_chunk.is_some()
            && self
                .caps
                .as_ref()
                .is_some_and(|c| c.has(Extension::Chunking))
    }

    fn start_txn(&mut self, index: usize) {
        let Some(t) = self.plan_ref().transactions.get(index).cloned() else {
            self.quit();
            return;
        };
        if let (Some(limit), false) = (
            self.caps.as_ref().and_then(Capabilities::size_limit),
            t.raw_data,
        ) {
            let size = t.message.len() as u64;
            if size > limit {
                self.error(ClientError::SizeExceeded { size, limit });
            }
        }
        let pipelined = self.can_pipeline();
        self.txn = Some(TxnProgress {
            index,
            pipelined,
            ..TxnProgress::default()
        });
        let mail = Command::Mail {
            from: crate::smtp::command::Path::new(t.from.clone()),
            params: t.params.clone(),
        };
        if !self.command(&mail, Expect::Mail) {
            self.abandon_txn(0);
            return;
        }
        self.set_state(ClientState::Mail);
        if pipelined {
            for _ in 0..t.rcpts.len() {
                self.send_next_rcpt(&t);
            }
            self.send_content_start(&t);
        }
    }

    fn send_next_rcpt(&mut self, t: &Transaction) {
        let Some(txn) = self.txn.as_mut() else {
            return;
        };
        let Some(rcpt) = t.rcpts.get(txn.next_rcpt).cloned() else {
            return;
        };
        txn.next_rcpt += 1;
        let cmd = Command::Rcpt {
            to: crate::smtp::command::Path::new(rcpt.clone()),
            params: t.rcpt_params.clone(),
        };
        self.command(&cmd, Expect::Rcpt(rcpt));
        self.set_state(ClientState::Rcpt);
    }

    /// DATA, or the BDAT chunk(s): all of them when pipelining, else the first.
    fn send_content_start(&mut self, t: &Transaction) {
        if self.use_bdat(t) {
            let chunks = bdat_chunks(&t.message, t.bdat_chunk.unwrap_or(1));
            let n = if self.txn.as_ref().is_some_and(|x| x.pipelined) {
                chunks.len()
            } else {
                1
            };
            for c in chunks.iter().take(n) {
                self.send_chunk(c.data, c.last);
            }
        } else {
            self.command(&Command::Data, Expect::Data);
        }
    }

    fn send_chunk(&mut self, data: &[u8], last: bool) {
        self.command(
            &Command::bdat(data.len() as u64, last),
            Expect::Bdat { last },
        );
        self.output.extend_from_slice(data);
        if let Some(txn) = self.txn.as_mut() {
            txn.chunks_sent += 1;
        }
        self.set_state(ClientState::Data);
    }

    fn current(&self) -> Option<Transaction> {
        let i = self.txn.as_ref()?.index;
        self.plan_ref().transactions.get(i).cloned()
    }

    fn mail_reply(&mut self, ok: bool, code: u16) {
        let Some(txn) = self.txn.as_mut() else {
            return;
        };
        txn.mail_ok = ok;
        let pipelined = txn.pipelined;
        if self.stop_at(StopPoint::Mail) && !pipelined {
            self.quit();
            return;
        }
        if pipelined {
            return;
        }
        if !ok {
            self.abandon_txn(code);
            return;
        }
        if let Some(t) = self.current() {
            if t.rcpts.is_empty() {
                self.abandon_txn(code);
            } else {
                self.send_next_rcpt(&t);
            }
        }
    }

    fn rcpt_reply(&mut self, rcpt: String, ok: bool, code: u16) {
        let Some(txn) = self.txn.as_mut() else {
            return;
        };
        if ok {
            txn.accepted.push(rcpt);
        } else {
            txn.rejected.push((rcpt, code));
        }
        let pipelined = txn.pipelined;
        let Some(t) = self.current() else {
            return;
        };
        let replied = self
            .txn
            .as_ref()
            .map_or(0, |x| x.accepted.len() + x.rejected.len());
        if replied < t.rcpts.len() {
            if !pipelined {
                self.send_next_rcpt(&t);
            }
            return;
        }
        if self.stop_at(StopPoint::Rcpt) && !pipelined {
            self.quit();
            return;
        }
        if pipelined {
            return;
        }
        if self.txn.as_ref().is_some_and(|x| x.accepted.is_empty()) {
            self.abandon_txn(code);
        } else {
            self.send_content_start(&t);
        }
    }

    fn data_reply(&mut self, code: u16) {
        if code != 354 {
            self.abandon_txn(code);
            return;
        }
        if self.stop_at(StopPoint::Data) {
            self.close();
            return;
        }
        let Some(t) = self.current() else {
            return;
        };
        self.set_state(ClientState::Data);
        if self.txn.as_ref().is_some_and(|x| x.accepted.is_empty()) {
            // RFC 2920 §3.1: DATA accepted though every RCPT failed: send an empty message.
            self.output.extend_from_slice(b".\r\n");
        } else if t.raw_data {
            self.output.extend_from_slice(&t.message);
        } else {
            self.output.extend_from_slice(&encode_data(&t.message).wire);
        }
        self.push_pending(Expect::Dot, Some("<message data>".into()), false);
    }

    fn bdat_reply(&mut self, last: bool, ok: bool, code: u16) {
        let Some(txn) = self.txn.as_mut() else {
            return;
        };
        if !ok {
            txn.bdat_failed = true;
        }
        let (pipelined, failed, sent) = (txn.pipelined, txn.bdat_failed, txn.chunks_sent);
        if last {
            if failed {
                self.abandon_txn(code);
            } else {
                self.finish_txn(code, ok);
            }
            return;
        }
        if pipelined {
            return;
        }
        if failed {
            self.abandon_txn(code);
            return;
        }
        if let Some(t) = self.current() {
            let chunks = bdat_chunks(&t.message, t.bdat_chunk.unwrap_or(1));
            if let Some(c) = chunks.get(sent) {
                self.send_chunk(c.data, c.last);
            }
        }
    }

    /// Ends the current transaction, if any, with a [`ClientEvent::TransactionDone`]; returns
    /// its index.
    fn report_txn(&mut self, code: u16, delivered: bool) -> Option<usize> {
        let txn = self.txn.take()?;
        let index = txn.index;
        self.push_event(ClientEvent::TransactionDone(TransactionOutcome {
            index,
            accepted: txn.accepted,
            rejected: txn.rejected,
            code,
            delivered,
        }));
        Some(index)
    }

    /// The transaction failed part-way: report, RSET, go on.
    fn abandon_txn(&mut self, code: u16) {
        let Some(index) = self.report_txn(code, false) else {
            return;
        };
        if self.stop_at(StopPoint::Dot) || self.plan_ref().quit_after.is_some() {
            self.quit();
            return;
        }
        self.rset_then(Some(index + 1));
    }

    fn finish_txn(&mut self, code: u16, ok: bool) {
        let Some(index) = self.report_txn(code, ok) else {
            return;
        };
        self.set_state(ClientState::Ready);
        if self.stop_at(StopPoint::Dot) {
            self.quit();
        } else if self.plan_ref().rset_between && index + 1 < self.plan_ref().transactions.len() {
            self.rset_then(Some(index + 1));
        } else {
            self.start_txn(index + 1);
        }
    }

    fn rset_then(&mut self, then: Option<usize>) {
        self.command(&Command::Rset, Expect::Rset { then });
    }

    pub(super) fn quit(&mut self) {
        if matches!(self.state, ClientState::Quitting | ClientState::Closed) {
            return;
        }
        self.command(&Command::Quit, Expect::Quit);
        self.set_state(ClientState::Quitting);
    }
}
