//! Composing messages from structured input.
