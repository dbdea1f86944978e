//! Byte codecs shared by the SMTP and MIME sides: base64 ([`base64`]), hexadecimal ([`hex`]),
//! CRLF line endings ([`crlf`]), with one defect model for lenient decoders.
//!
//! ```text
//!   smtp::auth (SASL, strict) ─┐                    ┌─ mime::build (76-column bodies)
//!   mime::transfer (bodies) ───┼──► codec::base64 ◄─┼─ mime::encoded_word (B words)
//!                              └── Decoded { bytes, defects } ──► lints
//! ```
//!
//! Lenient decoders never fail: they decode what can be decoded and record every deviation
//! from the grammar as a [`Defect`] with the byte span of the offending characters (offsets
//! into the encoded input), at most [`MAX_DEFECTS`] of them.

use crate::lint::msg;
use serde::{Deserialize, Serialize};

use crate::span::Span;

pub mod base64;
pub mod crlf;
pub mod hex;

/// Most defects recorded per decoded input; later ones are only counted
/// ([`Decoded::suppressed`]), so hostile input cannot make the defect list grow with its size.
pub const MAX_DEFECTS: usize = 64;

/// What is wrong with a stretch of encoded input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum DefectKind {
    /// Characters outside the base64 alphabet, `=` and whitespace; they are skipped
    /// (RFC 2045 §6.8: "must be ignored", but they signal corruption).
    Base64InvalidCharacter,
    /// `=` where no padding can be (after 0 or 1 characters of a quantum), too many `=`, or a
    /// final quantum with too few `=`.
    Base64BadPadding,
    /// Base64 characters after the padding that ended the data; they are decoded as a new
    /// quantum, as most readers do.
    Base64DataAfterPadding,
    /// The data ends with 2 or 3 characters of a quantum and no padding.
    Base64MissingPadding,
    /// The data ends with a single character of a quantum: 6 bits that cannot form an octet
    /// and are dropped.
    Base64Truncated,
    /// `=` not followed by two hexadecimal digits or a line ending; the `=` is kept literally.
    QpInvalidEscape,
    /// `=` followed by lowercase hexadecimal digits (RFC 2045 §6.7 rule 1 requires uppercase);
    /// decoded anyway.
    QpLowercaseEscape,
    /// An encoded line longer than 76 characters (RFC 2045 §6.7 rule 5).
    QpLineTooLong,
    /// Spaces or tabs at the end of an encoded line; deleted, as rule 3 requires of decoders.
    QpTrailingWhitespace,
    /// A soft line break (`=`) at the very end of the data, with nothing after it.
    QpSoftBreakAtEnd,
}

impl DefectKind {
    /// Whether this defect belongs to base64 (otherwise quoted-printable).
    pub fn is_base64(self) -> bool {
        matches!(
            self,
            DefectKind::Base64InvalidCharacter
                | DefectKind::Base64BadPadding
                | DefectKind::Base64DataAfterPadding
                | DefectKind::Base64MissingPadding
                | DefectKind::Base64Truncated
        )
    }

    /// A short explanation, used as the lint message ([`crate::i18n::message`] translates it).
    pub fn message(self) -> crate::lint::Message {
        match self {
            DefectKind::Base64InvalidCharacter => {
                msg!("characters outside the base64 alphabet (skipped)")
            }
            DefectKind::Base64BadPadding => {
                msg!("misplaced or wrong number of '=' padding characters")
            }
            DefectKind::Base64DataAfterPadding => {
                msg!("base64 data after the '=' padding that should end it")
            }
            DefectKind::Base64MissingPadding => msg!("final base64 quantum lacks '=' padding"),
            DefectKind::Base64Truncated => {
                msg!("a single base64 character at the end cannot form an octet (6 bits dropped)")
            }
            DefectKind::QpInvalidEscape => {
                msg!("'=' not followed by two hex digits or a line break (kept literally)")
            }
            DefectKind::QpLowercaseEscape => msg!("'=' escape with lowercase hex digits"),
            DefectKind::QpLineTooLong => msg!("encoded line longer than 76 characters"),
            DefectKind::QpTrailingWhitespace => {
                msg!("whitespace at the end of an encoded line (deleted)")
            }
            DefectKind::QpSoftBreakAtEnd => msg!("soft line break '=' at the very end of the body"),
        }
    }
}

/// One defect and where it is, in offsets into the encoded input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Defect {
    /// What is wrong.
    pub kind: DefectKind,
    /// The offending characters (contiguous runs of the same kind are merged).
    pub span: Span,
}

/// The result of transfer decoding: the octets and the defects met on the way.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Decoded {
    /// The decoded octets.
    pub bytes: Vec<u8>,
    /// Up to [`MAX_DEFECTS`] defects, in input order.
    pub defects: Vec<Defect>,
    /// Defects found beyond [`MAX_DEFECTS`] and not recorded.
    pub suppressed: usize,
}

impl Decoded {
    /// Records a defect, merging it into the previous one when it is of the same kind and
    /// adjacent, and only counting it once [`MAX_DEFECTS`] are recorded.
    pub(crate) fn defect(&mut self, kind: DefectKind, span: Span) {
        if let Some(last) = self.defects.last_mut() {
            if last.kind == kind && last.span.end == span.start {
                last.span.end = span.end;
                return;
            }
        }
        if self.defects.len() < MAX_DEFECTS {
            self.defects.push(Defect { kind, span });
        } else {
            self.suppressed += 1;
        }
    }
}
