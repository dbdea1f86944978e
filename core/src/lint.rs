//! Findings that explain defects: every lint has a stable dotted code, a severity, a byte span
//! into the input it was found in, a one-line message and the RFC section it rests on.
//!
//! Each protocol module declares its lints as [`LintDef`] constants and lists them in a
//! `CATALOG` slice; [`catalog`] joins them, and `docs/lints.md` documents every entry (a test
//! keeps the two in step).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::span::Span;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing, not a defect (for example an obsolete but legal form).
    Info,
    /// Tolerated by most software, rejected by strict software or a sign of trouble.
    Warning,
    /// Violates a MUST of the standard; conforming software rejects or misreads it.
    Error,
}

impl Severity {
    /// Lowercase name, as in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// The fixed description of one kind of finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LintDef {
    /// Stable dotted code such as `smtp.bare-lf`.
    pub code: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// The standard and section it rests on, such as `RFC 5321 §2.3.8`.
    pub reference: &'static str,
    /// One line saying what the defect is, used in the catalog.
    pub summary: &'static str,
}

impl LintDef {
    /// A finding of this kind at `span`, with a message specific to the case.
    pub fn at(&'static self, span: Span, message: impl Into<String>) -> Lint {
        Lint {
            code: Cow::Borrowed(self.code),
            severity: self.severity,
            span,
            message: message.into(),
            reference: Cow::Borrowed(self.reference),
        }
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lint {
    /// Stable dotted code such as `smtp.bare-lf`.
    pub code: Cow<'static, str>,
    /// How bad it is.
    pub severity: Severity,
    /// Where it is, in bytes of the input the finding was made on.
    pub span: Span,
    /// What is wrong here, in one line.
    pub message: String,
    /// The standard and section it rests on.
    pub reference: Cow<'static, str>,
}

/// Every lint the core can report, in catalog order.
pub fn catalog() -> impl Iterator<Item = &'static LintDef> {
    crate::smtp::CATALOG
        .iter()
        .chain(crate::mime::CATALOG)
        .chain(crate::auth::CATALOG)
        .copied()
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn codes_are_unique_dotted_and_documented() {
        let docs = include_str!("../../docs/lints.md");
        let mut seen = std::collections::BTreeSet::new();
        for def in catalog() {
            assert!(seen.insert(def.code), "duplicate lint code {}", def.code);
            let (family, name) = def.code.split_once('.').expect("dotted code");
            assert!(
                matches!(family, "smtp" | "mime" | "auth"),
                "unknown family in {}",
                def.code
            );
            assert!(
                !name.is_empty()
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b == b'-' || b.is_ascii_digit()),
                "code {} must be lowercase words joined by '-'",
                def.code
            );
            assert!(
                docs.contains(&format!("`{}`", def.code)),
                "docs/lints.md lacks `{}`",
                def.code
            );
            assert!(
                def.reference.starts_with("RFC "),
                "{} cites no RFC",
                def.code
            );
        }
    }
}
