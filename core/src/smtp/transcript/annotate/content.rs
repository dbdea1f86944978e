//! Message content: the DATA content and BDAT chunks become one entry each, linted as a
//! message.

use crate::lint::msg;
use crate::lint::Lint;
use crate::smtp::capability::{Capabilities, Extension};
use crate::smtp::command::Body;
use crate::smtp::lints;
use crate::smtp::session::order::Step;
use crate::span::Span;

use crate::smtp::transcript::{lint_message, Direction, Entry, Parsed};

use super::{Annotator, Block, Mode, Txn};

impl Annotator {
    pub(super) fn finish_data(&mut self, terminated: bool) {
        let Some(block) = self.data.take() else {
            return;
        };
        let before = self.state();
        let mut entry_lints: Vec<Lint> = lint_message(&block.buf)
            .into_iter()
            .map(|l| block.map.lint(l))
            .collect();
        if let Some(i) = block.buf.iter().position(|&b| b >= 0x80) {
            let declared = matches!(self.txn.body, Some(Body::EightBitMime | Body::BinaryMime))
                || self.txn.smtputf8;
            let offered = self.has(Extension::EightBitMime) || self.has(Extension::SmtpUtf8);
            if !(declared && offered) {
                let why = if !offered {
                    msg!("the server did not offer 8BITMIME")
                } else {
                    msg!("MAIL FROM did not declare BODY=8BITMIME")
                };
                entry_lints.push(lints::EIGHTBIT_WITHOUT_8BITMIME.at(
                    block.map.span(Span::new(i, i + 1)),
                    msg!("the message holds 8-bit bytes but {why} (RFC 6152 §3)").text("why", why),
                ));
            }
        }
        // Message size without the final ".\r\n" (dot-stuffing counted: close enough).
        let size = if terminated {
            block.buf.len().saturating_sub(3)
        } else {
            block.buf.len()
        } as u64;
        let limit = self.caps.as_ref().and_then(Capabilities::size_limit);
        let whole = block.map.span(Span::new(0, block.buf.len()));
        if let Some(l) = limit.filter(|&l| size > l) {
            entry_lints.push(lints::SIZE_EXCEEDED.at(
                whole,
                msg!("the message is {size} octets; the server's SIZE limit is {l}, so it rejects the message with 552 (RFC 1870 §4)", size, l),
            ));
        } else if let Some(d) = self.txn.declared_size.filter(|&d| size > d) {
            entry_lints.push(lints::SIZE_EXCEEDED.at(
                whole,
                msg!("the message is {size} octets but MAIL FROM declared SIZE={d}: permitted (RFC 1870 §6.3), but the server may reject it after the data", size, d),
            ));
        }
        // The message ends here (with its '.' line, or the transcript elides the rest): the
        // next server reply answers the end of data.
        self.mode = Mode::Commands;
        self.push_pending(Step::EndOfData);
        self.txn = Txn::default();
        let explanation = if terminated {
            "the message content; a line holding only '.' ends it, and lines starting with '.' are sent with an extra '.' (dot-stuffing, RFC 5321 §4.1.1.4, §4.5.2)"
        } else {
            "the message content, not ended by a line holding only '.' in the transcript (RFC 5321 §4.1.1.4)"
        };
        self.entries.push(Entry {
            direction: Direction::Client,
            span: block.span,
            text: block.text,
            tls: block.tls || self.tls(),
            parsed: Parsed::Message {
                octets: block.buf.len(),
                lines: block.lines,
                terminated,
            },
            state_before: before,
            state_after: self.state(),
            explanation: explanation.into(),
            lints: entry_lints,
            auth: None,
        });
    }

    pub(super) fn finish_chunk(&mut self, block: Block, size: u64) {
        let state = self.state();
        let octets = block.buf.len();
        let mut explanation =
            "the content of a BDAT chunk: exactly the announced number of octets, no dot-stuffing (RFC 3030 §2)"
                .to_string();
        if octets as u64 != size {
            explanation.push_str(&format!(
                ". The transcript shows {octets} octets for a chunk of {size}"
            ));
        }
        self.entries.push(Entry {
            direction: Direction::Client,
            span: block.span,
            text: block.text,
            tls: block.tls || self.tls(),
            parsed: Parsed::Chunk { size, octets },
            state_before: state,
            state_after: state,
            explanation,
            lints: Vec::new(),
            auth: None,
        });
    }
}
