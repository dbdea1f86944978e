//! Charset names and decoding through encoding_rs (WHATWG labels plus mail aliases).
