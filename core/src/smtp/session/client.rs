//! The client session.
