//! Tests of reading and annotating transcripts, by theme; the helpers here are shared.

use super::*;

/// The SMTP findings of a dialogue, sorted (the MIME findings of DATA content are tested in
/// `data_is_linted_as_a_message_too`).
fn codes(t: &AnnotatedTranscript) -> Vec<String> {
    let mut c: Vec<String> = smtp_lints(t).iter().map(|l| l.code.to_string()).collect();
    c.sort();
    c
}

fn smtp_lints(t: &AnnotatedTranscript) -> Vec<&Lint> {
    t.all_lints()
        .into_iter()
        .filter(|l| l.code.starts_with("smtp."))
        .collect()
}

fn kinds(t: &AnnotatedTranscript) -> Vec<&'static str> {
    t.entries
        .iter()
        .map(|e| match &e.parsed {
            Parsed::Command { .. } => "command",
            Parsed::Reply { .. } => "reply",
            Parsed::Message { .. } => "message",
            Parsed::Chunk { .. } => "chunk",
            Parsed::SaslResponse { .. } => "sasl",
            Parsed::Invalid { .. } => "invalid",
            Parsed::Tls { .. } => "tls",
        })
        .collect()
}

mod annotate;
mod read;
mod replay;
mod starttls;
