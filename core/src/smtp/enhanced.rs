//! Enhanced status codes (RFC 3463, RFC 5248 registry).
