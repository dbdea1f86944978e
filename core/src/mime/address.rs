//! Addresses and groups (RFC 5322 §3.4).
