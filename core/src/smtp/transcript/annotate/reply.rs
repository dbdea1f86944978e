//! The server's side: grouping reply lines, reading them, and what each reply does to the
//! state and to the commands waiting for it.

use crate::lint::msg;
use crate::lint::Lint;
use crate::smtp::capability::Capabilities;
use crate::smtp::lints;
use crate::smtp::reply::{explain_code, parse_reply, Reply};
use crate::smtp::session::order::Step;
use crate::span::Span;

use crate::smtp::transcript::{Direction, Entry, Parsed};

use super::{Annotator, Block, Mode, MAX_AUTH_LINES};

impl Annotator {
    /// Parses the buffered server lines; `force` turns an incomplete reply into an entry.
    pub(super) fn try_reply(&mut self, force: bool) {
        let Some(block) = self.reply.take() else {
            return;
        };
        match parse_reply(&block.buf) {
            Ok(Some((reply, _))) => self.reply_entry(block, reply),
            Ok(None) if !force => self.reply = Some(block),
            Ok(None) => {
                let lint = lints::REPLY_INVALID.at(
                    block.map.span(Span::new(0, block.buf.len())),
                    msg!("reply ends without a final line (`ddd SP text`)"),
                );
                self.invalid(block, "incomplete reply: no final line".into(), lint);
            }
            Err(e) => {
                let lint = lints::REPLY_INVALID
                    .at(block.map.span(Span::new(0, block.buf.len())), e.message());
                self.invalid(block, e.to_string(), lint);
            }
        }
    }

    pub(super) fn invalid(&mut self, block: Block, error: String, lint: Lint) {
        let before = self.state();
        // An unreadable reply still answers the oldest outstanding command, with nothing
        // known of its outcome: the state stays as it was.
        if block.direction == Direction::Server && self.greeted {
            if self.pending.pop_front().is_some() {
                self.rebuild_projection();
            }
            if self.mode == Mode::Sasl {
                self.mode = Mode::Commands;
            }
        }
        self.entries.push(Entry {
            direction: block.direction,
            span: block.span,
            text: block.text,
            tls: block.tls || self.tls(),
            parsed: Parsed::Invalid {
                error: error.clone(),
            },
            state_before: before,
            state_after: self.state(),
            explanation: format!("could not be read: {error}"),
            lints: vec![lint],
            auth: None,
        });
    }

    fn reply_entry(&mut self, block: Block, mut reply: Reply) {
        let before = self.state();
        // The 220 answering STARTTLS is still sent in the clear.
        let tls_before = self.tls();
        let mut entry_lints: Vec<Lint> = reply.lints.drain(..).map(|l| block.map.lint(l)).collect();
        reply.span = block.map.span(reply.span);
        for l in &mut reply.lines {
            l.span = block.map.span(l.span);
        }
        let code = reply.code;
        let positive = reply.is_positive();
        let mut capabilities = None;
        let mut notes = Vec::new();
        if let Some(any) = reply.enhanced_any() {
            if any.code.class != reply.class() {
                entry_lints.push(lints::ENHANCED_CODE_MISMATCH.at(
                    any.span,
                    msg!(
                        "enhanced code {enhanced} has class {class} but the reply code is {code}",
                        enhanced = any.code,
                        class = any.code.class,
                        code
                    ),
                ));
            }
        }
        if !self.greeted {
            self.greeted = true;
            notes.push(match code {
                220 => "The server's greeting: it is ready for EHLO (RFC 5321 §4.3.1)",
                554 => "The server refuses service; the client should QUIT (RFC 5321 §4.3.1)",
                _ => "The first reply is the greeting (RFC 5321 §4.3.1)",
            });
            self.confirmed.answer(Step::Greeting, code);
            self.rebuild_projection();
        } else {
            match self.answer(code) {
                None => entry_lints.push(lints::OUT_OF_SEQUENCE.at(
                    reply.span,
                    msg!("reply {code} arrived with no command waiting for it", code),
                )),
                Some(p) => match p.step {
                    Step::Hello(hello) if code / 100 == 2 => {
                        if hello == crate::smtp::session::order::Hello::Ehlo {
                            // The reply's line spans are already mapped to the input, so the
                            // capability lints are too.
                            let mut caps = Capabilities::from_reply(&reply);
                            entry_lints.append(&mut caps.lints);
                            notes.push("The server lists the extensions it offers");
                            self.caps = Some(caps.clone());
                            capabilities = Some(caps);
                        } else {
                            self.caps = None;
                            notes.push("HELO accepted: no extensions may be used");
                        }
                    }
                    Step::Mail if !positive => notes.push("MAIL refused: no transaction is open"),
                    Step::Rcpt if !positive => notes.push("Recipient refused"),
                    Step::Data if code == 354 => {
                        self.mode = Mode::Data;
                        notes.push(
                            "The client now sends the message, ending with a line holding only '.'",
                        );
                    }
                    Step::EndOfData => notes.push(if positive {
                        "The server has taken responsibility for the message"
                    } else {
                        "The message was refused; the transaction is over"
                    }),
                    Step::StartTls if code == 220 => {
                        self.caps = None;
                        notes.push("TLS starts now and the session is back at its start: the client must forget the earlier extensions and should send EHLO again, which a mail transaction needs (RFC 3207 §4.2, RFC 5321 §4.1.4)");
                    }
                    Step::Auth => self.auth_reply(&reply, &mut notes),
                    Step::Quit if code == 221 => self.quit_answered = true,
                    _ => {}
                },
            }
        }
        if code == 421 {
            // RFC 5321 §3.8: the server closes; nothing outstanding will be answered.
            self.pending.clear();
            self.rebuild_projection();
            self.mode = Mode::Commands;
        }
        let enhanced = reply.enhanced().map(|e| e.code);
        let explained = explain_code(code);
        let mut explanation = explained.to_string();
        if let Some(e) = enhanced {
            explanation.push_str(". ");
            explanation.push_str(&e.explain());
        }
        for n in notes {
            explanation.push_str(". ");
            explanation.push_str(n);
        }
        self.entries.push(Entry {
            direction: Direction::Server,
            span: block.span,
            text: block.text,
            tls: block.tls || tls_before,
            parsed: Parsed::Reply {
                reply,
                enhanced,
                code: explained,
                capabilities,
            },
            state_before: before,
            state_after: self.state(),
            explanation,
            lints: entry_lints,
            auth: None,
        });
    }

    /// A reply to AUTH or to a SASL response: 334 asks for the next response, anything else
    /// ends the exchange.
    fn auth_reply(&mut self, reply: &Reply, notes: &mut Vec<&'static str>) {
        if reply.code != 334 {
            self.finish_auth();
            self.mode = Mode::Commands;
            return;
        }
        if let Some(capture) = self.auth.as_mut() {
            if let Some(first) = reply
                .lines
                .first()
                .filter(|_| capture.lines.len() < MAX_AUTH_LINES)
            {
                // Never longer than the line, so the span stays in the input.
                let payload: Vec<u8> = first
                    .text
                    .trim_start()
                    .bytes()
                    .take(first.span.len())
                    .collect();
                let offset = first.span.end.saturating_sub(payload.len());
                capture.lines.push((false, payload, offset, None));
            }
        }
        self.mode = Mode::Sasl;
        notes.push("The next client line is a base64 SASL response (RFC 4954 §4)");
    }
}
