//! Lint definitions of the message-authentication family (`auth.*`), listed in
//! [`super::CATALOG`] and documented in `docs/lints.md`.

use crate::lint::{LintDef, Severity};

/// A DKIM-Signature field that does not follow the grammar or lacks a required tag.
pub const DKIM_SYNTAX: LintDef = LintDef {
    code: "auth.dkim-syntax",
    severity: Severity::Error,
    reference: "RFC 6376 §3.5",
    summary: "a DKIM-Signature field that is malformed, lacks a required tag (v, a, b, bh, d, h, s) or does not sign From; verifiers ignore it (permerror)",
};

/// A DKIM key record that does not follow the grammar.
pub const DKIM_KEY_SYNTAX: LintDef = LintDef {
    code: "auth.dkim-key-syntax",
    severity: Severity::Error,
    reference: "RFC 6376 §3.6.1",
    summary: "a DKIM key record that is malformed, has an unknown key type or a key that cannot be decoded (permerror)",
};

/// `l=` limits the signed body: anything appended after it is not covered.
pub const DKIM_L_TAG: LintDef = LintDef {
    code: "auth.dkim-l-tag",
    severity: Severity::Warning,
    reference: "RFC 6376 §8.2",
    summary: "the signature covers only the first l= bytes of the body: anyone can append content and the signature still verifies",
};

/// A header field that the signature does not over-sign can be added without breaking it.
pub const DKIM_HEADER_ADDABLE: LintDef = LintDef {
    code: "auth.dkim-header-addable",
    severity: Severity::Warning,
    reference: "RFC 6376 §8.15",
    summary: "h= lists From (or Subject, To, Cc…) only as often as it occurs: a second such field can be added above it without breaking the signature; list it once more to over-sign",
};

/// rsa-sha1, which RFC 8301 retired.
pub const DKIM_SHA1: LintDef = LintDef {
    code: "auth.dkim-sha1",
    severity: Severity::Error,
    reference: "RFC 8301 §3.1",
    summary: "a signature with rsa-sha1: signers MUST use rsa-sha256 and verifiers MUST NOT accept rsa-sha1 (fail)",
};

/// An RSA key shorter than 1024 bits.
pub const DKIM_KEY_TOO_SHORT: LintDef = LintDef {
    code: "auth.dkim-key-too-short",
    severity: Severity::Error,
    reference: "RFC 8301 §3.2",
    summary: "an RSA key shorter than 1024 bits: verifiers MUST NOT accept its signatures (fail)",
};

/// An RSA key shorter than 2048 bits.
pub const DKIM_WEAK_KEY: LintDef = LintDef {
    code: "auth.dkim-weak-key",
    severity: Severity::Warning,
    reference: "RFC 8301 §3.2",
    summary: "an RSA key of 1024 to 2047 bits: signers SHOULD use at least 2048 bits",
};

/// The signature's `x=` expiry is past, or `t=` is in the future.
pub const DKIM_EXPIRED: LintDef = LintDef {
    code: "auth.dkim-expired",
    severity: Severity::Warning,
    reference: "RFC 6376 §3.5",
    summary: "the signature's x= expiry time has passed (or its t= time is in the future) at the time of the check; verifiers may treat it as invalid",
};

/// The key record says the domain is testing DKIM (`t=y`).
pub const DKIM_TESTING: LintDef = LintDef {
    code: "auth.dkim-testing",
    severity: Severity::Info,
    reference: "RFC 6376 §3.6.1",
    summary: "the key record has t=y: the domain is testing DKIM and verifiers must not treat failures differently from unsigned mail",
};

/// An SPF record that does not follow the grammar.
pub const SPF_SYNTAX: LintDef = LintDef {
    code: "auth.spf-syntax",
    severity: Severity::Error,
    reference: "RFC 7208 §4.6",
    summary: "an SPF record with a syntax error (unknown mechanism, bad macro, bad CIDR length, repeated modifier): check_host gives permerror",
};

/// More than one SPF record at a name.
pub const SPF_MULTIPLE_RECORDS: LintDef = LintDef {
    code: "auth.spf-multiple-records",
    severity: Severity::Error,
    reference: "RFC 7208 §3.2",
    summary: "a domain publishes more than one v=spf1 record, which it MUST NOT: check_host gives permerror",
};

/// More than 10 DNS-querying terms.
pub const SPF_LOOKUP_LIMIT: LintDef = LintDef {
    code: "auth.spf-lookup-limit",
    severity: Severity::Error,
    reference: "RFC 7208 §4.6.4",
    summary: "evaluating the record needs more than 10 DNS-querying terms (include, a, mx, ptr, exists, redirect), or an mx/ptr with more than 10 names: permerror",
};

/// More than 2 lookups that returned nothing.
pub const SPF_VOID_LIMIT: LintDef = LintDef {
    code: "auth.spf-void-limit",
    severity: Severity::Warning,
    reference: "RFC 7208 §4.6.4",
    summary: "more than 2 DNS lookups returned no records (void lookups): permerror",
};

/// The `ptr` mechanism.
pub const SPF_PTR: LintDef = LintDef {
    code: "auth.spf-ptr",
    severity: Severity::Warning,
    reference: "RFC 7208 §5.5",
    summary: "the record uses the ptr mechanism, which SHOULD NOT be published: it is slow and unreliable",
};

/// Several From fields, or one with several addresses.
pub const DMARC_MULTIPLE_FROM: LintDef = LintDef {
    code: "auth.dmarc-multiple-from",
    severity: Severity::Warning,
    reference: "RFC 7489 §6.6.1",
    summary: "the message has no single author domain (several From fields, several addresses or domains, or none): DMARC cannot be applied as written and receivers may reject it",
};

/// No DMARC record for the From domain or its organizational domain.
pub const DMARC_NO_RECORD: LintDef = LintDef {
    code: "auth.dmarc-no-record",
    severity: Severity::Info,
    reference: "RFC 7489 §6.6.3",
    summary: "neither the From domain nor its organizational domain publishes a DMARC record: the result is none",
};

/// A DMARC record that does not follow the grammar.
pub const DMARC_SYNTAX: LintDef = LintDef {
    code: "auth.dmarc-syntax",
    severity: Severity::Error,
    reference: "RFC 7489 §6.3",
    summary:
        "a DMARC record that is malformed or has an invalid p=, sp=, adkim=, aspf= or pct= value",
};

/// An Authentication-Results field that does not follow the grammar.
pub const AUTHRES_SYNTAX: LintDef = LintDef {
    code: "auth.authres-syntax",
    severity: Severity::Error,
    reference: "RFC 8601 §2.2",
    summary: "an Authentication-Results field that does not follow the grammar (no authserv-id, a result without a method, an unclosed comment); its results cannot be read",
};

/// Every `auth.*` lint.
pub const ALL: &[&LintDef] = &[
    &DKIM_SYNTAX,
    &DKIM_KEY_SYNTAX,
    &DKIM_L_TAG,
    &DKIM_HEADER_ADDABLE,
    &DKIM_SHA1,
    &DKIM_KEY_TOO_SHORT,
    &DKIM_WEAK_KEY,
    &DKIM_EXPIRED,
    &DKIM_TESTING,
    &SPF_SYNTAX,
    &SPF_MULTIPLE_RECORDS,
    &SPF_LOOKUP_LIMIT,
    &SPF_VOID_LIMIT,
    &SPF_PTR,
    &DMARC_MULTIPLE_FROM,
    &DMARC_NO_RECORD,
    &DMARC_SYNTAX,
    &AUTHRES_SYNTAX,
];
