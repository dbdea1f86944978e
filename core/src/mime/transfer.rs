//! Content-Transfer-Encoding: base64 and quoted-printable (RFC 2045 §6).
