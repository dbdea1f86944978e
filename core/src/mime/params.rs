//! Content-Type and Content-Disposition parameters with RFC 2231 extensions.
