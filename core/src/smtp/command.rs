//! SMTP commands (RFC 5321 §4.1): parse leniently with spans, build strictly.
