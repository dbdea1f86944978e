//! The reply inspector tool: text in, the core's reading of it out.

use mailscope_core::codec::crlf::normalize_crlf;
use mailscope_core::smtp::{parse_reply, Reply};

use super::error::ToolsError;

/// What the tool shows for the current input.
#[derive(Debug, Clone, PartialEq)]
pub enum ReplyReading {
    /// Nothing typed yet.
    Empty,
    /// A complete reply, and how many bytes of the input are left after it.
    Reply {
        /// The parsed reply.
        reply: Reply,
        /// Bytes after the reply (the start of the next one, if any).
        rest: usize,
    },
    /// The input ends before the reply's last line.
    Incomplete,
    /// The input cannot be a reply.
    Invalid(ToolsError),
}

/// Reads `text` as a server reply. Line ends typed in a text area are LF; they are sent to the
/// parser as CRLF so that only the defects of the reply itself are reported.
pub fn read_reply(text: &str) -> ReplyReading {
    if text.trim().is_empty() {
        return ReplyReading::Empty;
    }
    let mut wire = normalize_crlf(text.as_bytes()).bytes;
    if !wire.ends_with(b"\r\n") {
        wire.extend_from_slice(b"\r\n");
    }
    match parse_reply(&wire) {
        Ok(Some((reply, used))) => ReplyReading::Reply {
            reply,
            rest: wire.len() - used,
        },
        Ok(None) => ReplyReading::Incomplete,
        Err(e) => ReplyReading::Invalid(ToolsError::NotAReply(e)),
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn reads_typed_replies() {
        match read_reply("250-mx.example.org\n250 PIPELINING") {
            ReplyReading::Reply { reply, rest } => {
                assert_eq!((reply.code, reply.lines.len(), rest), (250, 2, 0));
                assert!(
                    reply.lints.is_empty(),
                    "typed LF must not count as bare LF: {:?}",
                    reply.lints
                );
            }
            other => panic!("expected a reply, got {other:?}"),
        }
        assert_eq!(read_reply("  \n"), ReplyReading::Empty);
        assert_eq!(read_reply("250-more to come"), ReplyReading::Incomplete);
        assert!(matches!(read_reply("hello"), ReplyReading::Invalid(_)));
    }
}
