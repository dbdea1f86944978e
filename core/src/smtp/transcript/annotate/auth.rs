//! AUTH exchanges: the SASL lines are collected, decoded with [`decode_exchange`], and the
//! secrets in them masked unless revealed.

use crate::lint::msg;
use crate::smtp::auth::{decode_exchange, AuthLine, Mechanism};
use crate::smtp::command::Command;
use crate::smtp::lints;
use crate::smtp::session::order::Step;

use crate::smtp::transcript::{mask_secret, Direction, Entry, Parsed, TranscriptLine};

use super::{Annotator, AuthCapture, MAX_AUTH_LINES};

impl Annotator {
    pub(super) fn sasl_response(&mut self, line: &TranscriptLine) {
        let before = self.state();
        let index = self.entries.len();
        if let Some(capture) = self.auth.as_mut() {
            if capture.lines.len() < MAX_AUTH_LINES {
                capture
                    .lines
                    .push((true, line.bytes.clone(), line.content.start, Some(index)));
            }
        }
        let mut entry_lints = Vec::new();
        if !self.pending.is_empty() {
            entry_lints.push(lints::OUT_OF_SEQUENCE.at(
                line.content,
                msg!("SASL response sent before the server's challenge"),
            ));
        }
        self.push_pending(Step::Auth);
        let explanation = if line.bytes == b"*" {
            "'*' cancels the authentication exchange; the server answers 501 (RFC 4954 §4)"
        } else {
            "the client's base64 answer to the server's 334 challenge (RFC 4954 §4)"
        };
        self.entries.push(Entry {
            direction: Direction::Client,
            span: line.span,
            text: line.text.clone(),
            tls: line.tls || self.tls(),
            parsed: Parsed::SaslResponse {
                text: line.text.clone(),
            },
            state_before: before,
            state_after: before,
            explanation: explanation.into(),
            lints: entry_lints,
            auth: None,
        });
    }

    /// Decodes the AUTH exchange that just ended and attaches it to its AUTH entry; unless
    /// secrets are to be shown, masks the password, the token and the client lines that carry
    /// them.
    pub(super) fn finish_auth(&mut self) {
        let Some(capture) = self.auth.take() else {
            return;
        };
        let lines: Vec<AuthLine<'_>> = capture
            .lines
            .iter()
            .map(|(from_client, payload, offset, _)| AuthLine {
                from_client: *from_client,
                payload,
                offset: *offset,
            })
            .collect();
        let initial = capture.initial.as_ref().map(|(p, o)| (p.as_slice(), *o));
        let mut decoded = decode_exchange(&capture.mechanism, initial, &lines);
        if !self.options.reveal_secrets {
            decoded.password = decoded.password.as_deref().map(mask_secret);
            decoded.token = decoded.token.as_deref().map(mask_secret);
            self.mask_client_lines(&capture);
        }
        // Each finding goes to the line that caused it: a response's defect to that response,
        // the rest (mechanism, initial response, the exchange as a whole) to the AUTH line.
        for lint in std::mem::take(&mut decoded.lints) {
            let at = capture
                .lines
                .iter()
                .filter_map(|(from_client, _, _, entry)| entry.filter(|_| *from_client))
                .find(|&i| {
                    self.entries.get(i).is_some_and(|e| {
                        e.span.start <= lint.span.start && lint.span.start < e.span.end
                    })
                })
                .unwrap_or(capture.entry);
            if let Some(entry) = self.entries.get_mut(at) {
                entry.lints.push(lint);
            }
        }
        if let Some(entry) = self.entries.get_mut(capture.entry) {
            entry.auth = Some(decoded);
        }
    }

    /// Masks the base64 client payloads that carry a secret: every PLAIN and XOAUTH2 payload,
    /// LOGIN's second one (the password; the first is the user name). CRAM-MD5 sends a digest,
    /// not a secret; other mechanisms are left as they are.
    fn mask_client_lines(&mut self, capture: &AuthCapture) {
        let first_secret = match capture.mechanism {
            Mechanism::Plain | Mechanism::Xoauth2 => 0,
            Mechanism::Login => 1,
            Mechanism::CramMd5 | Mechanism::Other(_) => return,
        };
        // Client payloads in order: the initial response (on the AUTH entry), then responses.
        let mut client: Vec<(Option<usize>, usize, bool)> = Vec::new();
        if let Some((ir, _)) = &capture.initial {
            client.push((Some(capture.entry), ir.len(), true));
        }
        for (from_client, payload, _, entry) in &capture.lines {
            if *from_client && payload.as_slice() != b"*" {
                client.push((*entry, payload.len(), false));
            }
        }
        for (index, len, initial) in client.into_iter().skip(first_secret) {
            let Some(entry) = index.and_then(|i| self.entries.get_mut(i)) else {
                continue;
            };
            let masked = mask_secret_len(len);
            if initial {
                if let Parsed::Command {
                    command:
                        Command::Auth {
                            initial_response, ..
                        },
                } = &mut entry.parsed
                {
                    *initial_response = Some(masked.clone().into());
                }
                // The initial response is the last word of the line.
                let keep = entry
                    .text
                    .rfind(' ')
                    .map_or(0, |i| i + 1)
                    .min(entry.text.len());
                entry.text.truncate(keep);
                entry.text.push_str(&masked);
            } else {
                entry.text = masked.clone();
                if let Parsed::SaslResponse { text } = &mut entry.parsed {
                    *text = masked;
                }
            }
        }
    }
}

/// [`mask_secret`] for a value known only by its length.
fn mask_secret_len(len: usize) -> String {
    format!("{} ({len} characters hidden)", super::super::SECRET_MASK)
}
