//! The DATA and BDAT payload: dot-stuffing, line endings, end-of-data (RFC 5321 §4.5.2, RFC 3030).
