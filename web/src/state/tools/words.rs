//! The encoded-word tools (RFC 2047): a decoder that shows each word step by step, and an
//! encoder that encodes on the page or, for charsets the page cannot encode, in the parse worker.

use mailscope_core::lint::Lint;
use mailscope_core::mime::encoded_word::{decode_unstructured, encode, EncodeError, Encoding};
use mailscope_core::smtp::auth::to_hex;

use super::error::ToolsError;

/// One encoded-word, step by step (RFC 2047 §2-§4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordStep {
    /// The word as written.
    pub word: String,
    /// The charset label.
    pub charset: String,
    /// `B` or `Q`.
    pub encoding: String,
    /// The encoded text between the `?`s.
    pub encoded_text: String,
    /// The bytes it decodes to, in hex.
    pub bytes_hex: String,
    /// The text, decoded from `charset`.
    pub text: String,
    /// Whether it could be decoded.
    pub decoded: bool,
}

/// The reading of a header text with encoded-words.
#[derive(Debug, Clone, PartialEq)]
pub struct WordsReading {
    /// The text after decoding.
    pub text: String,
    /// Each word's steps.
    pub words: Vec<WordStep>,
    /// Findings.
    pub lints: Vec<Lint>,
}

/// Decodes encoded-words in unstructured text (a Subject), explaining each one.
pub fn decode_words(input: &str) -> WordsReading {
    let d = decode_unstructured(input.as_bytes());
    WordsReading {
        text: d.text,
        words: d
            .words
            .iter()
            .map(|w| WordStep {
                word: input
                    .get(w.span.start..w.span.end)
                    .unwrap_or_default()
                    .to_string(),
                charset: w.charset.clone(),
                encoding: w.encoding.clone(),
                encoded_text: w.encoded_text.clone(),
                bytes_hex: to_hex(&w.raw_bytes),
                text: w.text.clone(),
                decoded: w.decoded,
            })
            .collect(),
        lints: d.lints,
    }
}

/// Encodes `text` as encoded-words in `charset` with `b` (else Q), joined by spaces: the one
/// call the page and the parse worker both make.
pub fn encode_text(text: &str, charset: &str, b: bool) -> Result<String, EncodeError> {
    let encoding = if b { Encoding::B } else { Encoding::Q };
    encode(text, charset, encoding)
}

/// Reads encoded-words back so their steps are shown, the encoded text kept as `text`.
pub fn encoded_reading(encoded: String) -> WordsReading {
    let mut reading = decode_words(&encoded);
    reading.text = encoded;
    reading
}

/// Encodes `text` as encoded-words in `charset` with `b` (else Q), and reads the result back
/// so the steps are shown.
pub fn encode_words(text: &str, charset: &str, b: bool) -> Result<WordsReading, ToolsError> {
    encode_text(text, charset, b)
        .map(encoded_reading)
        .map_err(ToolsError::Encode)
}

/// What encoding on the page gave.
#[derive(Debug, Clone, PartialEq)]
pub enum PageEncoded {
    /// The encoded-words.
    Done(String),
    /// This build of the page has no encoder for the charset; the parse worker has.
    InWorker,
    /// The core's error.
    Failed(ToolsError),
}

impl PageEncoded {
    /// Sorts the core's answer: [`EncodeError::Unavailable`] goes to the worker.
    pub fn from_result(r: Result<String, EncodeError>) -> PageEncoded {
        match r {
            Ok(words) => PageEncoded::Done(words),
            // This build leaves the charset's tables out; the worker has them.
            Err(EncodeError::Unavailable { .. }) => PageEncoded::InWorker,
            Err(e) => PageEncoded::Failed(ToolsError::Encode(e)),
        }
    }
}

/// Encodes on the page.
pub fn encode_on_page(text: &str, charset: &str, b: bool) -> PageEncoded {
    PageEncoded::from_result(encode_text(text, charset, b))
}

/// What the encoder panel shows.
#[derive(Debug, Clone, PartialEq)]
pub enum EncodeOutcome {
    /// The words, step by step.
    Done(WordsReading),
    /// Asked of the parse worker (request number `request`); "encoding in the worker…".
    InWorker {
        /// Answers to older requests are dropped.
        request: u32,
    },
    /// Why it cannot be encoded.
    Failed(ToolsError),
}

/// A request for the parse worker: encode `text` in `charset`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerEncode {
    /// The request number the answer must carry.
    pub request: u32,
    /// The text.
    pub text: String,
    /// The charset label.
    pub charset: String,
    /// B, else Q.
    pub b: bool,
}

/// The encoded-word encoder of the Tools view: text, charset and B/Q in, words out, encoded on
/// the page and, for charsets the page cannot encode, in the parse worker.
#[derive(Debug, Clone, PartialEq)]
pub struct WordsEncoder {
    /// The text to encode.
    pub text: String,
    /// The charset label.
    pub charset: String,
    /// B (base64), else Q.
    pub b: bool,
    /// The answer.
    pub outcome: EncodeOutcome,
    last_request: u32,
}

/// Everything that changes a [`WordsEncoder`].
#[derive(Debug, Clone, PartialEq)]
pub enum EncodeAction {
    /// New text.
    SetText(String),
    /// New charset label.
    SetCharset(String),
    /// B or Q.
    SetB(bool),
    /// The parse worker answered request `request`.
    WorkerAnswer {
        /// The request number.
        request: u32,
        /// The encoded-words, or the error to show.
        result: Result<String, String>,
    },
}

impl Default for WordsEncoder {
    fn default() -> Self {
        WordsEncoder::new("안녕하세요, 世界", "UTF-8", true)
    }
}

impl WordsEncoder {
    /// An encoder with this input, encoded on the page.
    pub fn new(text: &str, charset: &str, b: bool) -> WordsEncoder {
        let mut e = WordsEncoder {
            text: text.into(),
            charset: charset.into(),
            b,
            // Replaced by the first encoding, below.
            outcome: EncodeOutcome::InWorker { request: 0 },
            last_request: 0,
        };
        e.encode(encode_on_page);
        e
    }

    /// Applies an action, encoding on the page.
    pub fn reduce(&mut self, action: EncodeAction) {
        self.reduce_with(action, encode_on_page);
    }

    /// Applies an action with `page` as the page's encoder (tests stand in a build without
    /// tables).
    pub fn reduce_with(
        &mut self,
        action: EncodeAction,
        page: impl Fn(&str, &str, bool) -> PageEncoded,
    ) {
        match action {
            EncodeAction::SetText(t) => self.text = t,
            EncodeAction::SetCharset(c) => self.charset = c,
            EncodeAction::SetB(b) => self.b = b,
            EncodeAction::WorkerAnswer { request, result } => {
                if self.outcome == (EncodeOutcome::InWorker { request }) {
                    self.outcome = match result {
                        Ok(words) => EncodeOutcome::Done(encoded_reading(words)),
                        Err(reason) => EncodeOutcome::Failed(ToolsError::Worker(reason)),
                    };
                }
                return;
            }
        }
        self.encode(page);
    }

    fn encode(&mut self, page: impl Fn(&str, &str, bool) -> PageEncoded) {
        self.outcome = match page(&self.text, &self.charset, self.b) {
            PageEncoded::Done(words) => EncodeOutcome::Done(encoded_reading(words)),
            PageEncoded::Failed(e) => EncodeOutcome::Failed(e),
            PageEncoded::InWorker => {
                self.last_request = self.last_request.wrapping_add(1);
                EncodeOutcome::InWorker {
                    request: self.last_request,
                }
            }
        };
    }

    /// What the worker must be asked, while the answer is awaited.
    pub fn worker_request(&self) -> Option<WorkerEncode> {
        match self.outcome {
            EncodeOutcome::InWorker { request } => Some(WorkerEncode {
                request,
                text: self.text.clone(),
                charset: self.charset.clone(),
                b: self.b,
            }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn encoded_words_in_any_charset() {
        let r = decode_words("=?EUC-KR?B?x9GxuQ==?= mail");
        assert_eq!(r.text, "한국 mail");
        assert_eq!(r.words.len(), 1);
        let w = &r.words[0];
        assert_eq!(
            (
                w.charset.as_str(),
                w.encoding.as_str(),
                w.bytes_hex.as_str(),
                w.text.as_str()
            ),
            ("EUC-KR", "B", "c7d1b1b9", "한국")
        );
        for (text, charset, b) in [
            ("안녕 세상", "UTF-8", true),
            ("안녕 세상", "EUC-KR", true),
            ("日本語 テキスト", "ISO-2022-JP", true),
            ("안녕 세상", "UTF-8", false),
        ] {
            let e = match encode_text(text, charset, b) {
                Ok(words) => encoded_reading(words),
                // The page's build (feature browser-charsets) leaves the tables out: the worker
                // encodes these (tested through the reducer below).
                Err(EncodeError::Unavailable { .. }) => continue,
                Err(e) => panic!("{charset}: {e}"),
            };
            assert!(e.text.starts_with("=?"), "{charset}: {}", e.text);
            assert!(!e.words.is_empty(), "{charset}: steps shown");
            assert_eq!(decode_words(&e.text).text, text, "{charset} round trip");
        }
        assert!(
            encode_words("안녕", "ISO-8859-1", true).is_err(),
            "unmappable"
        );
        assert!(encode_words("x", "no-such-charset", true).is_err());
    }

    /// A page built without legacy tables: only UTF-8 encodes here.
    fn utf8_only(text: &str, charset: &str, b: bool) -> PageEncoded {
        if charset.eq_ignore_ascii_case("utf-8") {
            encode_on_page(text, charset, b)
        } else {
            PageEncoded::InWorker
        }
    }

    #[test]
    fn only_unavailable_charsets_go_to_the_worker() {
        assert_eq!(
            PageEncoded::from_result(Err(EncodeError::Unavailable { charset: "EUC-KR" })),
            PageEncoded::InWorker
        );
        assert_eq!(
            PageEncoded::from_result(Ok("=?UTF-8?B?eA==?=".into())),
            PageEncoded::Done("=?UTF-8?B?eA==?=".into())
        );
        let unmappable = EncodeError::Unmappable {
            ch: '☃',
            charset: "EUC-KR",
        };
        assert_eq!(
            PageEncoded::from_result(Err(unmappable.clone())),
            PageEncoded::Failed(ToolsError::Encode(unmappable))
        );
    }

    #[test]
    fn the_encoder_asks_the_worker_for_charsets_the_page_lacks() {
        let mut e = WordsEncoder::new("안녕", "UTF-8", true);
        assert!(
            matches!(&e.outcome, EncodeOutcome::Done(r) if r.text == "=?UTF-8?B?7JWI64WV?="),
            "UTF-8 on the page: {:?}",
            e.outcome
        );
        assert_eq!(e.worker_request(), None);
        e.reduce_with(EncodeAction::SetCharset("EUC-KR".into()), utf8_only);
        let first = e.worker_request().expect("asked of the worker");
        assert_eq!(
            (first.text.as_str(), first.charset.as_str(), first.b),
            ("안녕", "EUC-KR", true)
        );
        e.reduce_with(EncodeAction::SetB(false), utf8_only);
        let second = e.worker_request().expect("asked again");
        assert_ne!(first.request, second.request, "a new request");
        // The late answer to the first request is dropped.
        e.reduce_with(
            EncodeAction::WorkerAnswer {
                request: first.request,
                result: Ok("=?EUC-KR?B?vsiz5w==?=".into()),
            },
            utf8_only,
        );
        assert_eq!(
            e.outcome,
            EncodeOutcome::InWorker {
                request: second.request
            }
        );
        // What the worker (with the tables) answers.
        let words = "=?EUC-KR?Q?=BE=C8=B3=E7?=".to_string();
        if let Ok(here) = encode_text("안녕", "EUC-KR", false) {
            assert_eq!(here, words, "the core's EUC-KR Q encoding");
        }
        e.reduce_with(
            EncodeAction::WorkerAnswer {
                request: second.request,
                result: Ok(words.clone()),
            },
            utf8_only,
        );
        match &e.outcome {
            EncodeOutcome::Done(r) => {
                assert_eq!(r.text, words, "the worker's words shown");
                assert_eq!(
                    r.words
                        .first()
                        .map(|w| (w.charset.as_str(), w.text.as_str())),
                    Some(("EUC-KR", "안녕")),
                    "steps read back on the page: {r:?}"
                );
            }
            other => panic!("want the words, got {other:?}"),
        }
        assert_eq!(e.worker_request(), None, "answered");
        // Errors from the worker are shown as the page shows its own.
        e.reduce_with(EncodeAction::SetText("안녕 ☃".into()), utf8_only);
        let third = e.worker_request().expect("asked");
        let err = EncodeError::Unmappable {
            ch: '☃',
            charset: "EUC-KR",
        }
        .to_string();
        e.reduce_with(
            EncodeAction::WorkerAnswer {
                request: third.request,
                result: Err(err.clone()),
            },
            utf8_only,
        );
        assert_eq!(
            e.outcome,
            EncodeOutcome::Failed(ToolsError::Worker(err)),
            "unmappable"
        );
        // Back to UTF-8: the page again, no request.
        e.reduce_with(EncodeAction::SetCharset("utf-8".into()), utf8_only);
        assert!(
            matches!(e.outcome, EncodeOutcome::Done(_)),
            "{:?}",
            e.outcome
        );
        assert_eq!(e.worker_request(), None);
        // Unknown charsets fail on the page, as before.
        let mut e = WordsEncoder::new("x", "no-such-charset", true);
        e.reduce(EncodeAction::SetB(false));
        assert!(
            matches!(e.outcome, EncodeOutcome::Failed(ToolsError::Encode(_))),
            "{:?}",
            e.outcome
        );
    }
}
