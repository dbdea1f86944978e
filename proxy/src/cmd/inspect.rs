//! `mailscope inspect FILE|-`: the MIME tree, decoded headers, parts and lints of a message.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;
use mailscope_core::mime::parse::parse_message;
use mailscope_core::mime::report::{inspect, part_number, InspectReport, Mailbox};

use crate::cmd::input::{emit, emit_bytes, read_input, refuse_empty_or_binary};
use crate::cmd::style::Style;

/// The largest message `inspect` reads (the biggest attachments mail systems carry are ~150 MB).
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;

/// Options of `mailscope inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// An .eml file (RFC 5322 message); `-` reads standard input.
    pub file: PathBuf,
    /// Print the versioned JSON document (docs/json.md) instead of text.
    #[arg(long, conflicts_with = "part")]
    pub json: bool,
    /// Print the decoded body of this part instead: text in UTF-8, anything else as raw bytes.
    /// Parts are numbered as IMAP does (RFC 3501 §6.4.5): `1` is the body of a single-part
    /// message, `1`, `2`, `2.1`, … the parts of a multipart; the tree shows the numbers.
    #[arg(long, value_name = "N")]
    pub part: Option<String>,
}

/// Runs the subcommand; returns whether no finding is an error.
pub fn run(args: &InspectArgs) -> anyhow::Result<bool> {
    let input = read_input(&args.file, MAX_MESSAGE_BYTES)?;
    refuse_empty_or_binary(&args.file, &input, &input, "message")?;
    if let Some(wanted) = &args.part {
        print_part(&input, wanted)?;
        return Ok(true);
    }
    let report = inspect(&input);
    if args.json {
        emit(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
    } else {
        emit(&render(&report, Style::for_stdout()))?;
    }
    Ok(!report.lints.iter().any(|l| l.severity == "error"))
}

/// Writes the decoded body of part `wanted`: the charset-decoded text of a text/* part as UTF-8,
/// the transfer-decoded bytes of any other.
fn print_part(input: &[u8], wanted: &str) -> anyhow::Result<()> {
    let msg = parse_message(input);
    let numbers: Vec<String> = (0..msg.entities.len())
        .filter_map(|i| part_number(&msg, i))
        .collect();
    let Some(id) =
        (0..msg.entities.len()).find(|&i| part_number(&msg, i).as_deref() == Some(wanted))
    else {
        anyhow::bail!(
            "the message has no part {wanted}; its parts are {} (see the tree of `mailscope inspect`)",
            numbers.join(", ")
        );
    };
    match msg.text(id) {
        Some(text) => emit(text),
        None => emit_bytes(msg.body(id)),
    }
}

fn mailboxes(list: &[Mailbox]) -> String {
    list.iter()
        .map(|m| match &m.name {
            Some(name) => format!("{name} <{}>", m.address),
            None => m.address.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The report for people: headers, the part tree, then findings.
pub fn render(r: &InspectReport, style: Style) -> String {
    let mut out = String::new();
    let h = &r.headers;
    let rows = [
        (
            "Subject",
            h.subject.clone().unwrap_or_else(|| "(none)".into()),
        ),
        ("From", mailboxes(&h.from)),
        ("To", mailboxes(&h.to)),
        ("Cc", mailboxes(&h.cc)),
        (
            "Date",
            h.date.clone().unwrap_or_else(|| "(none or invalid)".into()),
        ),
    ];
    for (name, value) in rows {
        if !value.is_empty() {
            let _ = writeln!(out, "{} {value}", style.bold(&format!("{name:<8}")));
        }
    }
    let _ = writeln!(out, "\n{}", style.bold("Parts"));
    for p in &r.parts {
        let depth = if p.section.is_empty() {
            0
        } else {
            p.section.matches('.').count() + 1
        };
        let label = match (&p.part, p.section.is_empty()) {
            (Some(n), _) => n.clone(),
            (None, true) => "(root)".to_string(),
            (None, false) => "(message)".to_string(),
        };
        let mut line = format!("{}{label} {}", "  ".repeat(depth), p.content_type);
        if let Some(cs) = &p.charset {
            let _ = write!(line, "; charset={cs}");
        }
        if p.transfer_encoding != "7bit" {
            let _ = write!(line, " [{}]", p.transfer_encoding);
        }
        if let Some(name) = &p.filename {
            let _ = write!(line, " {:?}", name);
        }
        if let Some(size) = p.decoded_size {
            let _ = write!(line, " {}", style.dim(&format!("{size} bytes decoded")));
        }
        let _ = writeln!(out, "{line}");
    }
    if let Some(dsn) = &r.dsn {
        let _ = writeln!(
            out,
            "\n{}",
            style.bold(&format!("Delivery status (part {})", dsn.section))
        );
        for rcpt in &dsn.recipients {
            let _ = writeln!(out, "  {rcpt:?}");
        }
    }
    if !r.lints.is_empty() {
        let _ = writeln!(out, "\n{}", style.bold("Findings"));
    }
    for l in &r.lints {
        let severity = match l.severity.as_str() {
            "error" => mailscope_core::Severity::Error,
            "warning" => mailscope_core::Severity::Warning,
            _ => mailscope_core::Severity::Info,
        };
        let section = if l.section.is_empty() {
            "root"
        } else {
            &l.section
        };
        let _ = writeln!(
            out,
            "{}",
            style.severity(
                severity,
                &format!(
                    "! {} [{}] {} (part {section}, bytes {}..{})",
                    l.code, l.severity, l.message, l.span.start, l.span.end
                )
            )
        );
    }
    let errors = r.lints.iter().filter(|l| l.severity == "error").count();
    let _ = writeln!(
        out,
        "\n{} parts, {} findings ({errors} errors)",
        r.parts.len(),
        r.lints.len()
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_decoded_korean_subject_and_tree() {
        let msg = b"From: =?EUC-KR?B?yKu x?= <a@example.org>\r\nSubject: =?EUC-KR?B?vsiz58fPvLy/5C4=?=\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=euc-kr\r\n\r\nhi\r\n--b--\r\n";
        let text = render(&inspect(msg), Style::plain());
        assert!(text.contains("Subject  안녕하세요."), "{text}");
        assert!(text.contains("(root) multipart/mixed"), "{text}");
        assert!(text.contains("  1 text/plain; charset=euc-kr"), "{text}");
        assert!(text.contains("mime.missing-date"), "{text}");
    }
}
