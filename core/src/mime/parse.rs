//! The message parser: a tree of entities with byte spans (RFC 2046).
