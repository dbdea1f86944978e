//! `mailscope transcript FILE|-`: an annotated SMTP dialogue.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;
use mailscope_core::smtp::transcript::{
    AnnotateOptions, AnnotatedTranscript, Direction, Transcript, MAX_TRANSCRIPT_BYTES,
};
use mailscope_core::Lint;

use crate::cmd::input::{emit, read_input, refuse_empty_or_binary};
use crate::cmd::style::Style;

/// Options of `mailscope transcript`.
#[derive(Debug, Args)]
pub struct TranscriptArgs {
    /// An `S:`/`C:` transcript, swaks output, or a raw capture; `-` reads standard input.
    pub file: PathBuf,
    /// Print the versioned JSON document (docs/json.md) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Show AUTH secrets (PLAIN/LOGIN passwords, XOAUTH2 tokens and the base64 lines carrying
    /// them); by default they are masked as `••••••` with their length.
    #[arg(long)]
    pub show_secrets: bool,
}

/// Runs the subcommand; the exit status is 0 when no finding is an error, 1 otherwise.
pub fn run(args: &TranscriptArgs) -> anyhow::Result<bool> {
    let input = read_input(&args.file, MAX_TRANSCRIPT_BYTES)?;
    let (transcript, ignored) = Transcript::parse_with_ignored(&input);
    // A raw capture carries TLS records after STARTTLS: only the part before them is text.
    let text_end = transcript
        .lines
        .iter()
        .find(|l| l.opaque)
        .map_or(input.len(), |l| l.span.start);
    refuse_empty_or_binary(
        &args.file,
        &input,
        input.get(..text_end).unwrap_or(&input),
        "transcript",
    )?;
    let mut annotated = transcript.annotate_with(&AnnotateOptions {
        reveal_secrets: args.show_secrets,
    });
    annotated.ignored = ignored;
    if args.json {
        emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&annotated.to_json())?
        ))?;
    } else {
        emit(&render(&annotated, Style::for_stdout()))?;
    }
    Ok(!annotated
        .all_lints()
        .iter()
        .any(|l| l.severity == mailscope_core::Severity::Error))
}

/// The dialogue for people: one block per entry, findings under the line they concern.
pub fn render(t: &AnnotatedTranscript, style: Style) -> String {
    let mut out = String::new();
    for entry in &t.entries {
        let (marker, paint): (&str, fn(Style, &str) -> String) = match entry.direction {
            Direction::Client => ("C:", Style::client),
            Direction::Server => ("S:", Style::server),
        };
        let tls = if entry.tls { " [TLS]" } else { "" };
        for (i, line) in entry.text.lines().enumerate() {
            let lead = if i == 0 { marker } else { "  " };
            let _ = writeln!(out, "{} {}", style.bold(lead), paint(style, line));
        }
        if entry.text.is_empty() {
            let _ = writeln!(out, "{}", style.bold(marker));
        }
        let _ = writeln!(
            out,
            "   {}",
            style.dim(&format!(
                "{} ({:?} → {:?}){tls}",
                entry.explanation, entry.state_before, entry.state_after
            ))
        );
        if let Some(auth) = &entry.auth {
            let mut parts = Vec::new();
            for (name, value) in [
                ("authzid", &auth.authzid),
                ("user", &auth.authcid),
                ("password", &auth.password),
                ("digest", &auth.digest),
                ("token", &auth.token),
            ] {
                if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
                    parts.push(format!("{name} {v}"));
                }
            }
            if auth.cancelled {
                parts.push("cancelled".into());
            }
            if !parts.is_empty() {
                let _ = writeln!(
                    out,
                    "   {}",
                    style.dim(&format!("AUTH {}: {}", auth.mechanism, parts.join(", ")))
                );
            }
        }
        for lint in &entry.lints {
            let _ = writeln!(out, "   {}", finding(lint, style));
        }
    }
    for lint in &t.lints {
        let _ = writeln!(out, "{}", finding(lint, style));
    }
    if !t.ignored.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            style.bold(&format!(
                "{} {} ignored (not {} lines):",
                t.ignored.len(),
                if t.ignored.len() == 1 {
                    "line"
                } else {
                    "lines"
                },
                match t.format {
                    mailscope_core::smtp::transcript::Format::Swaks => "swaks",
                    _ => "S:/C:",
                }
            ))
        );
        for line in &t.ignored {
            let _ = writeln!(out, "  {:>5}: {}", line.line, style.dim(&line.text));
        }
    }
    let lints = t.all_lints();
    let errors = lints
        .iter()
        .filter(|l| l.severity == mailscope_core::Severity::Error)
        .count();
    let _ = writeln!(
        out,
        "\n{} entries, {} findings ({errors} errors){}",
        t.entries.len(),
        lints.len(),
        if t.truncated {
            "; input beyond the limits was not read"
        } else {
            ""
        }
    );
    out
}

fn finding(lint: &Lint, style: Style) -> String {
    style.severity(
        lint.severity,
        &format!(
            "! {} [{}] {} ({}; bytes {}..{})",
            lint.code,
            lint.severity.as_str(),
            lint.message,
            lint.reference,
            lint.span.start,
            lint.span.end
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    use mailscope_core::smtp::transcript::{annotate, annotate_with};

    #[test]
    fn renders_a_dialogue_with_findings() {
        let t = annotate(b"S: 220 mx.example.org ESMTP\nC: EHLO me.example\nS: 250 mx.example.org\nC: RCPT TO:<a@example.org>\nS: 503 5.5.1 need MAIL first\n");
        let text = render(&t, Style::plain());
        assert!(text.starts_with("S: 220 mx.example.org ESMTP\n"), "{text}");
        assert!(text.contains("C: RCPT TO:<a@example.org>"), "{text}");
        assert!(text.contains("! smtp.out-of-sequence [error]"), "{text}");
        assert!(text.contains("! smtp.no-quit"), "{text}");
        assert!(!text.contains('\x1b'), "plain style has no escapes");
    }

    /// Bug: lines that were neither protocol nor comments vanished without a word.
    #[test]
    fn lists_ignored_lines() {
        let t = annotate(b"S: 220 x\nC: EHLO c\nS 250 missing colon\n\nC: QUIT\nS: 221 bye\n");
        let text = render(&t, Style::plain());
        assert!(
            text.contains("1 line ignored (not S:/C: lines):\n      3: S 250 missing colon\n"),
            "{text}"
        );
    }

    #[test]
    fn masks_auth_secrets_unless_asked() {
        // AUTH PLAIN of "\0alice\0wonderland".
        let input = b"S: 220 x\nC: EHLO c\nS: 250-x\nS: 250 AUTH PLAIN\nC: AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=\nS: 235 ok\nC: QUIT\nS: 221 bye\n";
        for (show, leaks) in [(false, false), (true, true)] {
            let t = annotate_with(
                input,
                &AnnotateOptions {
                    reveal_secrets: show,
                },
            );
            let text = render(&t, Style::plain());
            let json = serde_json::to_string(&t.to_json()).unwrap_or_default();
            for out in [&text, &json] {
                assert_eq!(
                    out.contains("AGFsaWNlAHdvbmRlcmxhbmQ="),
                    leaks,
                    "show_secrets={show}: {out}"
                );
            }
            assert_eq!(json.contains("wonderland"), leaks, "{json}");
            assert_eq!(text.contains("password wonderland"), leaks, "{text}");
            assert!(text.contains("AUTH PLAIN: user alice, password "), "{text}");
            assert!(json.contains("\"alice\""), "the user stays visible: {json}");
        }
    }
}
