//! `mailscope header decode|encode`: RFC 2047 encoded-words.

use std::fmt::Write as _;

use clap::{Args, Subcommand, ValueEnum};
use mailscope_core::mime::encoded_word::{self, DecodedText, Encoding};

use crate::cmd::input::emit;
use crate::cmd::style::Style;

/// Options of `mailscope header`.
#[derive(Debug, Args)]
pub struct HeaderArgs {
    /// Decode or encode.
    #[command(subcommand)]
    pub action: HeaderAction,
}

/// The two directions.
#[derive(Debug, Subcommand)]
pub enum HeaderAction {
    /// Decode encoded-words in a header value and explain each step.
    Decode {
        /// The header value, e.g. `=?EUC-KR?B?vsiz58fPvLy/5C4=?=`.
        text: String,
        /// Print JSON (docs/json.md) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Encode text as encoded-words of at most 75 characters.
    Encode {
        /// The text to encode.
        text: String,
        /// Charset to encode in (any WHATWG label, e.g. utf-8, euc-kr, iso-2022-jp).
        #[arg(long, default_value = "utf-8")]
        charset: String,
        /// B (base64) or Q (quoted-printable-like).
        #[arg(long, value_enum, default_value = "b")]
        encoding: EncodingArg,
    },
}

/// The encoded-word encodings (RFC 2047 §4).
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum EncodingArg {
    /// Base64.
    #[value(alias = "B")]
    B,
    /// Q encoding.
    #[value(alias = "Q")]
    Q,
}

/// Runs the subcommand; returns whether the input was free of error findings.
pub fn run(args: &HeaderArgs) -> anyhow::Result<bool> {
    match &args.action {
        HeaderAction::Decode { text, json } => {
            if text.trim().is_empty() {
                anyhow::bail!(
                    "the header value is empty{}: there is nothing to decode; give a value such as '=?UTF-8?B?7JWI64WV?='",
                    if text.is_empty() { "" } else { " (only white space)" }
                );
            }
            let decoded = encoded_word::decode_unstructured(text.as_bytes());
            if *json {
                let doc = serde_json::json!({
                    "version": 1,
                    "text": decoded.text,
                    "words": decoded.words,
                    "lints": decoded.lints,
                });
                emit(&format!("{}\n", serde_json::to_string_pretty(&doc)?))?;
            } else {
                emit(&render_decoded(&decoded, Style::for_stdout()))?;
            }
            Ok(!decoded
                .lints
                .iter()
                .any(|l| l.severity == mailscope_core::Severity::Error))
        }
        HeaderAction::Encode {
            text,
            charset,
            encoding,
        } => {
            let encoding = match encoding {
                EncodingArg::B => Encoding::B,
                EncodingArg::Q => Encoding::Q,
            };
            let words = encoded_word::encode(text, charset, encoding)
                .map_err(|e| anyhow::anyhow!("cannot encode in {charset}: {e}"))?;
            emit(&format!("{words}\n"))?;
            Ok(true)
        }
    }
}

/// The decoded text, then each word step by step.
pub fn render_decoded(d: &DecodedText, style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", style.bold(&d.text));
    for (i, w) in d.words.iter().enumerate() {
        let hex: Vec<String> = w.raw_bytes.iter().map(|b| format!("{b:02X}")).collect();
        let _ = writeln!(
            out,
            "\nword {} (bytes {}..{})",
            i + 1,
            w.span.start,
            w.span.end
        );
        let lang = w
            .language
            .as_deref()
            .map(|l| format!(" (language {l})"))
            .unwrap_or_default();
        let _ = writeln!(out, "  charset   {}{lang}", w.charset);
        let _ = writeln!(
            out,
            "  encoding  {} ({})",
            w.encoding,
            if w.encoding.eq_ignore_ascii_case("B") {
                "base64"
            } else {
                "Q: _ is space, =XX a byte"
            }
        );
        let _ = writeln!(out, "  encoded   {}", w.encoded_text);
        let _ = writeln!(out, "  bytes     {}", hex.join(" "));
        let _ = writeln!(out, "  text      {}", w.text);
    }
    for lint in &d.lints {
        let _ = writeln!(
            out,
            "{}",
            style.severity(
                lint.severity,
                &format!(
                    "! {} [{}] {} ({})",
                    lint.code,
                    lint.severity.as_str(),
                    lint.message,
                    lint.reference
                )
            )
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explains_the_euc_kr_word() {
        let d = encoded_word::decode_unstructured(b"=?EUC-KR?B?vsiz58fPvLy/5C4=?=");
        let text = render_decoded(&d, Style::plain());
        assert!(text.starts_with("안녕하세요.\n"), "{text}");
        assert!(text.contains("charset   EUC-KR"), "{text}");
        assert!(
            text.contains("bytes     BE C8 B3 E7 C7 CF BC BC BF E4 2E"),
            "{text}"
        );
    }
}
