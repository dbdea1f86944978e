//! The `/api/events` stream's framing: `text/event-stream` split into its events' payloads.

/// Most bytes of an SSE line kept while waiting for its end (events are a few dozen bytes).
pub const MAX_SSE_LINE: usize = 64 * 1024;

/// Splits a `text/event-stream` into the `data:` payloads of its events (the HTML Living
/// Standard, "Server-sent events", §9.2.6: lines end in CR LF, LF or CR; a blank line ends an
/// event; several `data:` lines join with LF; comments and other fields are ignored).
#[derive(Debug, Clone, Default)]
pub struct SseBuffer {
    line: String,
    data: Option<String>,
    after_cr: bool,
}

impl SseBuffer {
    /// Feeds a chunk of the stream; returns the payloads of the events it completed.
    pub fn push(&mut self, chunk: &str) -> Vec<String> {
        let mut out = Vec::new();
        for ch in chunk.chars() {
            if self.after_cr && ch == '\n' {
                self.after_cr = false;
                continue;
            }
            self.after_cr = ch == '\r';
            if ch == '\r' || ch == '\n' {
                let line = std::mem::take(&mut self.line);
                self.line_done(&line, &mut out);
            } else if self.line.len() < MAX_SSE_LINE {
                self.line.push(ch);
            }
        }
        out
    }

    fn line_done(&mut self, line: &str, out: &mut Vec<String>) {
        if line.is_empty() {
            if let Some(data) = self.data.take() {
                out.push(data);
            }
            return;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        if field == "data" {
            let data = self.data.get_or_insert_with(String::new);
            if !data.is_empty() {
                data.push('\n');
            }
            if data.len() < MAX_SSE_LINE {
                data.push_str(value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn sse_lines_split_across_chunks() {
        let mut b = SseBuffer::default();
        assert_eq!(b.push(": keep-alive\n\nda"), Vec::<String>::new());
        assert_eq!(b.push("ta: {\"type\":\"cleared\"}\r"), Vec::<String>::new());
        assert_eq!(b.push("\n\r\n"), vec![r#"{"type":"cleared"}"#.to_string()]);
        assert_eq!(
            b.push("data:a\ndata: b\nevent: x\n\ndata: c\n\n"),
            vec!["a\nb".to_string(), "c".to_string()]
        );
        assert_eq!(b.push("\n\n"), Vec::<String>::new(), "no empty events");
    }

    #[test]
    fn hostile_lines_are_bounded() {
        let mut b = SseBuffer::default();
        let huge = "x".repeat(MAX_SSE_LINE * 3);
        assert!(b.push(&format!("data: {huge}")).is_empty());
        assert!(b.line.len() <= MAX_SSE_LINE, "line bounded");
        let out = b.push("\n\n");
        assert!(out.iter().all(|d| d.len() <= MAX_SSE_LINE + 1));
    }
}
