//! The strict direction: [`Command::write`] checks every value and writes only what
//! [`parse_command`](super::parse_command) reads back without a lint.

use serde::{Deserialize, Serialize};

use super::params::{is_esmtp_keyword, is_esmtp_value, Notify, Param};
use super::parse::{is_base64_or_eq, is_sasl_mech};
use super::path::{check_domain_or_literal, check_mailbox, is_source_route, oversized_path, Path};
use super::{Command, MAX_AUTH_LINE, MAX_COMMAND_LINE, MAX_PARAMS};

impl<'a> Command<'a> {
    /// Appends the command's wire form, CRLF included, to `out`.
    ///
    /// Only valid bytes are written: every value is checked (no CR, LF or NUL anywhere; domains,
    /// mailboxes, parameters and mechanisms must match their RFC 5321 §4.1.2 / RFC 4954 syntax;
    /// the line must fit [`MAX_COMMAND_LINE`], or [`MAX_AUTH_LINE`] for AUTH). On error nothing
    /// is appended.
    pub fn write(&self, out: &mut Vec<u8>) -> Result<(), BuildError> {
        let mut line = String::new();
        match self {
            Command::Helo { domain } | Command::Ehlo { domain } => {
                check_forbidden("domain", domain)?;
                if let Some(reason) = check_domain_or_literal(domain.as_bytes()) {
                    return Err(BuildError::Invalid {
                        field: "domain",
                        reason: reason.to_string(),
                    });
                }
                line.push_str(self.verb());
                line.push(' ');
                line.push_str(domain);
            }
            Command::Mail { from, params } => {
                line.push_str("MAIL FROM:");
                write_path(&mut line, from, true, params.smtputf8)?;
                if let Some(size) = params.size {
                    line.push_str(&format!(" SIZE={size}"));
                }
                if let Some(body) = params.body {
                    line.push_str(" BODY=");
                    line.push_str(body.as_str());
                }
                if params.smtputf8 {
                    line.push_str(" SMTPUTF8");
                }
                if let Some(ret) = params.ret {
                    line.push_str(" RET=");
                    line.push_str(ret.as_str());
                }
                if let Some(envid) = &params.envid {
                    write_param_value(&mut line, "ENVID", envid)?;
                }
                if let Some(auth) = &params.auth {
                    write_param_value(&mut line, "AUTH", auth)?;
                }
                write_other(&mut line, &params.other)?;
            }
            Command::Rcpt { to, params } => {
                line.push_str("RCPT TO:");
                write_path(&mut line, to, false, true)?;
                if let Some(notify) = &params.notify {
                    if notify.is_empty() || (notify.contains(&Notify::Never) && notify.len() > 1) {
                        return Err(BuildError::Invalid {
                            field: "NOTIFY",
                            reason: "NOTIFY needs NEVER alone or a list of SUCCESS, FAILURE, DELAY"
                                .into(),
                        });
                    }
                    let list: Vec<&str> = notify.iter().map(|n| n.as_str()).collect();
                    line.push_str(" NOTIFY=");
                    line.push_str(&list.join(","));
                }
                if let Some(orcpt) = &params.orcpt {
                    write_param_value(&mut line, "ORCPT", orcpt)?;
                }
                write_other(&mut line, &params.other)?;
            }
            Command::Data | Command::Rset | Command::Quit | Command::StartTls => {
                line.push_str(self.verb())
            }
            Command::Bdat { size, last } => {
                line.push_str(&format!("BDAT {size}"));
                if *last {
                    line.push_str(" LAST");
                }
            }
            Command::Noop { arg: None } | Command::Help { topic: None } => {
                line.push_str(self.verb())
            }
            Command::Noop { arg: Some(arg) }
            | Command::Help { topic: Some(arg) }
            | Command::Vrfy { arg }
            | Command::Expn { arg } => {
                check_forbidden("argument", arg)?;
                if arg.is_empty() || arg.starts_with(' ') || arg.ends_with(' ') {
                    return Err(BuildError::Invalid {
                        field: "argument",
                        reason: "the argument must be non-empty without leading or trailing spaces"
                            .into(),
                    });
                }
                line.push_str(self.verb());
                line.push(' ');
                line.push_str(arg);
            }
            Command::Auth {
                mechanism,
                initial_response,
            } => {
                check_forbidden("mechanism", mechanism)?;
                if !is_sasl_mech(mechanism.as_bytes()) {
                    return Err(BuildError::Invalid {
                        field: "mechanism",
                        reason: "a SASL mechanism is 1-20 of A-Z, 0-9, '-' and '_' (RFC 4422 §3.1)"
                            .into(),
                    });
                }
                line.push_str("AUTH ");
                line.push_str(mechanism);
                if let Some(ir) = initial_response {
                    check_forbidden("initial response", ir)?;
                    if !is_base64_or_eq(ir.as_bytes()) {
                        return Err(BuildError::Invalid {
                            field: "initial response",
                            reason: "the initial response must be base64 or '=' (RFC 4954 §4)"
                                .into(),
                        });
                    }
                    line.push(' ');
                    line.push_str(ir);
                }
            }
            Command::Unknown { name, args } => {
                check_forbidden("verb", name)?;
                check_forbidden("arguments", args)?;
                if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return Err(BuildError::Invalid {
                        field: "verb",
                        reason: "a verb is one or more ASCII letters or digits".into(),
                    });
                }
                line.push_str(name);
                if !args.is_empty() {
                    line.push(' ');
                    line.push_str(args);
                }
            }
        }
        line.push_str("\r\n");
        let limit = if matches!(self, Command::Auth { .. }) {
            MAX_AUTH_LINE
        } else {
            MAX_COMMAND_LINE
        };
        if line.len() > limit {
            return Err(BuildError::TooLong {
                limit,
                found: line.len(),
            });
        }
        out.extend_from_slice(line.as_bytes());
        Ok(())
    }

    /// The wire form as a new vector (see [`Command::write`]).
    pub fn to_bytes(&self) -> Result<Vec<u8>, BuildError> {
        let mut out = Vec::new();
        self.write(&mut out)?;
        Ok(out)
    }
}
fn write_path(
    line: &mut String,
    path: &Path<'_>,
    null_ok: bool,
    utf8_ok: bool,
) -> Result<(), BuildError> {
    check_forbidden("mailbox", &path.mailbox)?;
    line.push('<');
    if let Some(route) = &path.source_route {
        check_forbidden("source route", route)?;
        if !is_source_route(route.as_bytes()) {
            return Err(BuildError::Invalid {
                field: "source route",
                reason: "a source route is '@domain' items joined by ','".into(),
            });
        }
        line.push_str(route);
        line.push(':');
    }
    if path.is_null() {
        if !null_ok || path.source_route.is_some() {
            return Err(BuildError::Invalid {
                field: "mailbox",
                reason: "only MAIL FROM takes the null path <>".into(),
            });
        }
    } else if null_ok || !path.mailbox.eq_ignore_ascii_case("postmaster") {
        if let Some(reason) = check_mailbox(path.mailbox.as_bytes())
            .or_else(|| oversized_path(path.mailbox.as_bytes()))
        {
            return Err(BuildError::Invalid {
                field: "mailbox",
                reason: reason.to_string(),
            });
        }
        if !utf8_ok && !path.mailbox.is_ascii() {
            return Err(BuildError::Invalid {
                field: "mailbox",
                reason: "a non-ASCII mailbox needs the SMTPUTF8 parameter (RFC 6531 §3.4)".into(),
            });
        }
    }
    line.push_str(&path.mailbox);
    line.push('>');
    Ok(())
}

fn write_param_value(
    line: &mut String,
    keyword: &'static str,
    value: &str,
) -> Result<(), BuildError> {
    check_forbidden(keyword, value)?;
    if !is_esmtp_value(value.as_bytes()) {
        return Err(BuildError::Invalid {
            field: keyword,
            reason: "a parameter value is one or more printable characters other than '=' and space (RFC 5321 §4.1.2)".into(),
        });
    }
    line.push(' ');
    line.push_str(keyword);
    line.push('=');
    line.push_str(value);
    Ok(())
}

fn write_other(line: &mut String, other: &[Param<'_>]) -> Result<(), BuildError> {
    if other.len() > MAX_PARAMS {
        return Err(BuildError::Invalid {
            field: "parameters",
            reason: format!("more than {MAX_PARAMS} parameters"),
        });
    }
    for p in other {
        check_forbidden("parameter keyword", &p.keyword)?;
        if !is_esmtp_keyword(p.keyword.as_bytes()) {
            return Err(BuildError::Invalid {
                field: "parameter keyword",
                reason: "a parameter keyword is a letter or digit followed by letters, digits or '-' (RFC 5321 §4.1.2)".into(),
            });
        }
        match &p.value {
            Some(v) => {
                check_forbidden("parameter value", v)?;
                if !is_esmtp_value(v.as_bytes()) {
                    return Err(BuildError::Invalid {
                        field: "parameter value",
                        reason: "a parameter value is one or more printable characters other than '=' and space (RFC 5321 §4.1.2)".into(),
                    });
                }
                line.push(' ');
                line.push_str(&p.keyword);
                line.push('=');
                line.push_str(v);
            }
            None => {
                line.push(' ');
                line.push_str(&p.keyword);
            }
        }
    }
    Ok(())
}

fn check_forbidden(field: &'static str, value: &str) -> Result<(), BuildError> {
    match value.bytes().find(|b| matches!(b, b'\r' | b'\n' | 0)) {
        Some(byte) => Err(BuildError::ForbiddenByte { field, byte }),
        None => Ok(()),
    }
}

/// Why a command could not be built.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum BuildError {
    /// A value contains CR, LF or NUL, which would end or corrupt the command line.
    ForbiddenByte {
        /// Which value.
        field: &'static str,
        /// The byte found.
        byte: u8,
    },
    /// A value does not match its syntax.
    Invalid {
        /// Which value.
        field: &'static str,
        /// What the syntax requires.
        reason: String,
    },
    /// The command line would exceed the limit.
    TooLong {
        /// The limit in octets, CRLF included.
        limit: usize,
        /// The length the line would have.
        found: usize,
    },
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildError::ForbiddenByte { field, byte } => {
                write!(f, "{field} contains the forbidden byte 0x{byte:02x} (CR, LF and NUL cannot appear in a command)")
            }
            BuildError::Invalid { field, reason } => write!(f, "invalid {field}: {reason}"),
            BuildError::TooLong { limit, found } => {
                write!(
                    f,
                    "command line would be {found} octets; the limit is {limit}"
                )
            }
        }
    }
}

impl std::error::Error for BuildError {}
