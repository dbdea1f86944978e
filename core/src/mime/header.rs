//! Header fields: unfolding, names, raw and decoded values (RFC 5322 §2.2).
