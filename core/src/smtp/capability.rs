//! EHLO capabilities (RFC 5321 §4.1.1.1 and the extension RFCs).
