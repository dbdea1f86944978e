//! The Date field (RFC 5322 §3.3, obsolete forms of §4.3).
