//! SPF ([RFC 7208](https://www.rfc-editor.org/rfc/rfc7208)): `check_host()` for an IP address,
//! HELO name and MAIL FROM, evaluated as a tree with every query and answer.
//!
//! ```text
//! check(ip, helo, mail_from) ─► identity (MAIL FROM, or HELO for the null sender)
//!    └─► check_host(ip, domain, sender): TXT domain ─► record ─► terms in order
//!          include ─► check_host(…) (a child node)   a/mx/ptr/exists ─► queries
//!          redirect ─► check_host(…)                 limits: 10 lookups, 2 void lookups
//! ```

pub mod eval;
pub mod macros;
pub mod record;

pub use eval::{check, Node, SpfResult, TermEval};
