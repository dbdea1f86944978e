//! Client and server session state machines (RFC 5321 §4.1.4, §4.3.2; RFC 2920).
