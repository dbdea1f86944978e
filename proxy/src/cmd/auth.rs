//! `mailscope auth FILE|-`: DKIM, SPF, DMARC and ARC verdicts of a message, every step explained
//! with the bytes it rests on (docs/json.md for `--json`).
//!
//! The checks are the core's (`mailscope_core::auth`); this command only answers their DNS
//! queries, from a zone file (`--records`) or a resolver (`--dns`, or the system's).

use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;
use mailscope_core::auth::dkim::DkimResult;
use mailscope_core::auth::spf::{Node, SpfResult};
use mailscope_core::auth::zone::Zone;
use mailscope_core::auth::{Check, Envelope, Report, Step, Verdict};
use mailscope_core::span::Span;
use serde_json::{json, Value};

use crate::cmd::input::{emit, read_input, refuse_empty_or_binary};
use crate::cmd::inspect::MAX_MESSAGE_BYTES;
use crate::cmd::style::Style;
use crate::dns::{run_check, Dns, Source};

/// The largest zone file `--records` reads.
pub const MAX_ZONE_BYTES: usize = 16 * 1024 * 1024;

/// Options of `mailscope auth`.
#[derive(Debug, Args)]
pub struct AuthArgs {
    /// An .eml file (RFC 5322 message); `-` reads standard input.
    pub file: PathBuf,
    /// The SMTP client's IP address, for SPF (without it SPF is not checked).
    #[arg(long, value_name = "ADDR")]
    pub ip: Option<IpAddr>,
    /// The HELO/EHLO name the client gave (SPF's identity for a null sender).
    #[arg(long, value_name = "NAME")]
    pub helo: Option<String>,
    /// The MAIL FROM address; `<>` or an empty value is the null sender.
    #[arg(long, value_name = "ADDR")]
    pub mail_from: Option<String>,
    /// DNS server to ask (UDP, TCP for truncated answers), e.g. 127.0.0.1:5353; the system's
    /// resolver when neither this nor --records is given.
    #[arg(long, value_name = "HOST:PORT", value_parser = crate::dns::parse_server, conflicts_with = "records")]
    pub dns: Option<SocketAddr>,
    /// Answer every query from this RFC 1035 master file instead of the DNS (a name with no
    /// record there is NXDOMAIN).
    #[arg(long, value_name = "ZONEFILE")]
    pub records: Option<PathBuf>,
    /// Print the versioned JSON document (docs/json.md) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs the subcommand. Verdicts are data: any verdict is success; errors are for checks that
/// could not run.
pub async fn run(args: &AuthArgs) -> anyhow::Result<bool> {
    let input = read_input(&args.file, MAX_MESSAGE_BYTES)?;
    refuse_empty_or_binary(&args.file, &input, &input, "message")?;
    let zone = match &args.records {
        Some(path) => {
            let text = read_input(path, MAX_ZONE_BYTES)?;
            let text = String::from_utf8(text)
                .with_context(|| format!("{} is not UTF-8 text", path.display()))?;
            Some(Zone::parse(&text).map_err(|e| {
                anyhow::anyhow!(
                    "{}: {e}; write records as `NAME TTL IN TXT \"…\"` (or A, AAAA, MX, PTR)",
                    path.display()
                )
            })?)
        }
        None => None,
    };
    let dns;
    let source = match &zone {
        Some(z) => Source::Zone(z),
        None => {
            dns = Dns::new(args.dns).map_err(|e| anyhow::anyhow!(e))?;
            Source::Dns(&dns)
        }
    };
    let envelope = Envelope {
        ip: args.ip,
        helo: args.helo.clone(),
        mail_from: args.mail_from.clone(),
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut check = Check::new(&input, envelope.clone(), now);
    let report = run_check(&mut check, source)
        .await
        .map_err(anyhow::Error::msg)?;
    if args.json {
        emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&document(&report, &envelope, check.message()))?
        ))?;
    } else {
        emit(&render(
            &report,
            &envelope,
            check.message(),
            Style::for_stdout(),
        ))?;
    }
    Ok(true)
}

/// The JSON document (docs/json.md).
pub fn document(r: &Report, envelope: &Envelope, message: &[u8]) -> Value {
    let dkim: Vec<Value> = r
        .dkim
        .iter()
        .map(|d| {
            let mut v = serde_json::to_value(d).unwrap_or(Value::Null);
            v["canonical_header"] = json!(String::from_utf8_lossy(&d.canonical_header));
            v["canonical_body_bytes"] = json!(d.canonical_body.len());
            v
        })
        .collect();
    let spf = match &r.spf {
        Some(s) => serde_json::to_value(s).unwrap_or(Value::Null),
        None => {
            json!({"result": "none", "domain": null, "reason": "not checked: give --ip (and --mail-from or --helo)"})
        }
    };
    let mut lints: Vec<&mailscope_core::Lint> = r.dkim.iter().flat_map(|d| &d.lints).collect();
    lints.extend(r.spf.iter().flat_map(|s| &s.lints));
    lints.extend(&r.dmarc.lints);
    lints.extend(r.authentication_results.iter().flat_map(|a| &a.lints));
    json!({
        "version": 1,
        "message_bytes": message.len(),
        "envelope": envelope,
        "dkim": dkim,
        "spf": spf,
        "dmarc": r.dmarc,
        "arc": r.arc,
        "authentication_results": r.authentication_results,
        "lints": lints,
    })
}

fn verdict(style: Style, v: Verdict) -> String {
    let word = v.as_str();
    match v {
        Verdict::Pass => style.bold(word),
        Verdict::None | Verdict::Neutral => style.dim(word),
        Verdict::Softfail | Verdict::Policy | Verdict::Temperror => {
            style.severity(mailscope_core::Severity::Warning, word)
        }
        Verdict::Fail | Verdict::Permerror => style.severity(mailscope_core::Severity::Error, word),
    }
}

/// Bytes for people: CR and LF shown as ␍ ␊, tabs as →, other controls escaped.
fn visible(bytes: &[u8]) -> String {
    let mut out = String::new();
    for ch in String::from_utf8_lossy(bytes).chars() {
        match ch {
            '\r' => out.push('␍'),
            '\n' => out.push('␊'),
            '\t' => out.push('→'),
            c if c.is_control() => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// Up to `max` lines of `bytes`, each shown with its line end, indented.
fn excerpt(out: &mut String, bytes: &[u8], max: usize, indent: &str) {
    let lines: Vec<&[u8]> = bytes.split_inclusive(|&b| b == b'\n').collect();
    for line in lines.iter().take(max) {
        let _ = writeln!(out, "{indent}│ {}", visible(line));
    }
    if lines.len() > max {
        let _ = writeln!(out, "{indent}│ … {} more lines", lines.len() - max);
    }
}

fn steps(out: &mut String, steps: &[Step], message: &[u8], style: Style, indent: &str) {
    for (i, s) in steps.iter().enumerate() {
        let mark = match s.ok {
            Some(true) => " ✓",
            Some(false) => " ✗",
            None => "",
        };
        let at = s
            .span
            .filter(|s| !s.is_empty())
            .map(|s| style.dim(&format!(" [bytes {}..{}]", s.start, s.end)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{indent}{}. {}{mark}{at}",
            i + 1,
            style.bold(&s.title.english())
        );
        for line in s.detail.english().lines() {
            let _ = writeln!(out, "{indent}   {line}");
        }
        if let Some(span) = s.span.filter(|s| !s.is_empty() && s.len() <= 400) {
            if s.ok == Some(false) {
                let _ = writeln!(
                    out,
                    "{indent}   {}",
                    style.dim(&visible(span.slice(message)))
                );
            }
        }
    }
}

fn dkim_section(
    out: &mut String,
    i: usize,
    n: usize,
    d: &DkimResult,
    message: &[u8],
    style: Style,
) {
    let _ = writeln!(
        out,
        "{} {} of {n}: d={} s={} → {} ({})",
        style.bold("DKIM signature"),
        i + 1,
        d.domain.as_deref().unwrap_or("?"),
        d.selector.as_deref().unwrap_or("?"),
        verdict(style, d.result),
        d.reason
    );
    steps(out, &d.steps, message, style, "  ");
    if !d.canonical_header.is_empty() {
        let _ = writeln!(
            out,
            "  {} ({} bytes, as hashed)",
            style.bold("Canonical header block"),
            d.canonical_header.len()
        );
        excerpt(out, &d.canonical_header, 40, "    ");
        let _ = writeln!(
            out,
            "  {} ({} bytes, as hashed)",
            style.bold("Canonical body"),
            d.canonical_body.len()
        );
        excerpt(out, &d.canonical_body, 8, "    ");
    }
    if d.result != Verdict::Pass && d.span != Span::default() && d.span.len() <= 400 {
        let _ = writeln!(
            out,
            "  {} {}",
            style.bold("Responsible bytes:"),
            visible(d.span.slice(message))
        );
    }
}

fn spf_node(out: &mut String, node: &Node, style: Style, depth: usize) {
    let indent = "  ".repeat(depth + 1);
    let _ = writeln!(
        out,
        "{indent}{} TXT → {}",
        node.domain,
        node.record
            .as_deref()
            .map_or(node.answer.english(), |r| format!("\"{r}\""))
    );
    for t in &node.terms {
        let mark = match t.matched {
            Some(true) => style.bold("matched"),
            Some(false) => style.dim("no match"),
            None => style.severity(mailscope_core::Severity::Error, "stopped"),
        };
        let _ = writeln!(out, "{indent}  {} {}", t.text, mark);
        for (q, a) in &t.queries {
            let _ = writeln!(out, "{indent}    {} {q} → {a}", style.dim("query"));
        }
        if let Some(child) = &t.child {
            spf_node(out, child, style, depth + 2);
        }
    }
    let _ = writeln!(
        out,
        "{indent}→ {}: {}",
        verdict(style, node.result),
        node.reason
    );
}

fn spf_section(out: &mut String, spf: Option<&SpfResult>, style: Style) {
    let Some(s) = spf else {
        let _ = writeln!(
            out,
            "{} → {} (not checked: give --ip, and --mail-from or --helo)",
            style.bold("SPF"),
            verdict(style, Verdict::None)
        );
        return;
    };
    let _ = writeln!(
        out,
        "{} ({} identity {}, client {}) → {} ({})",
        style.bold("SPF"),
        s.identity,
        s.domain,
        s.ip,
        verdict(style, s.result),
        s.reason
    );
    let _ = writeln!(out, "  1. {} sender {}", style.bold("Identity:"), s.sender);
    let _ = writeln!(
        out,
        "  2. {} ({} of 10 DNS-querying terms, {} of 2 void lookups)",
        style.bold("Evaluate check_host()"),
        s.lookups,
        s.void_lookups
    );
    spf_node(out, &s.tree, style, 1);
    if let Some(e) = &s.explanation {
        let _ = writeln!(out, "  3. {} {e}", style.bold("Explanation (exp=):"));
    }
}

/// The message's own Authentication-Results fields beside Mailscope's verdicts.
fn stated_section(out: &mut String, r: &Report, style: Style) {
    if r.authentication_results.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n{} (what the receiving servers said, latest first)",
        style.bold("Authentication-Results in the message")
    );
    for a in &r.authentication_results {
        let Some(parsed) = &a.parsed else {
            let _ = writeln!(
                out,
                "  [bytes {}..{}] cannot be read (see Findings)",
                a.field.start, a.field.end
            );
            continue;
        };
        let _ = writeln!(
            out,
            "  by {} [bytes {}..{}]",
            parsed.authserv_id, a.field.start, a.field.end
        );
        for c in &a.comparisons {
            let ours = match (c.ours, c.agrees) {
                (Some(v), Some(true)) => format!("Mailscope: {} ✓", verdict(style, v)),
                (Some(v), _) => format!("Mailscope: {} ✗ differs", verdict(style, v)),
                (None, _) => style.dim("Mailscope: not checked"),
            };
            let _ = writeln!(
                out,
                "    {}={}{}  {ours}",
                c.method,
                c.stated,
                c.identifier
                    .as_ref()
                    .map(|i| format!(" ({i})"))
                    .unwrap_or_default()
            );
        }
    }
}

/// The report for people: each check as numbered steps with the bytes that matter.
pub fn render(r: &Report, envelope: &Envelope, message: &[u8], style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} bytes (CRLF line ends); client {}, HELO {}, MAIL FROM {}\n",
        style.bold("Message"),
        message.len(),
        envelope
            .ip
            .map_or("(not given)".into(), |ip| ip.to_string()),
        envelope.helo.as_deref().unwrap_or("(not given)"),
        envelope
            .mail_from
            .as_deref()
            .map_or("(not given)".into(), |m| {
                if m.trim_matches(['<', '>']).is_empty() {
                    "<> (null sender)".into()
                } else {
                    m.to_owned()
                }
            }),
    );
    if r.dkim.is_empty() {
        let _ = writeln!(
            out,
            "{} → {} (no DKIM-Signature field)",
            style.bold("DKIM"),
            verdict(style, Verdict::None)
        );
    }
    for (i, d) in r.dkim.iter().enumerate() {
        dkim_section(&mut out, i, r.dkim.len(), d, message, style);
        out.push('\n');
    }
    spf_section(&mut out, r.spf.as_ref(), style);
    out.push('\n');
    let m = &r.dmarc;
    let _ = writeln!(
        out,
        "{} ({}) → {} ({}){}",
        style.bold("DMARC"),
        m.from_domain.as_deref().unwrap_or("no author domain"),
        verdict(style, m.result),
        m.reason,
        m.policy
            .as_ref()
            .map(|p| format!("; policy {p}, disposition {}", m.disposition))
            .unwrap_or_default()
    );
    steps(&mut out, &m.steps, message, style, "  ");
    out.push('\n');
    let a = &r.arc;
    let _ = writeln!(
        out,
        "{} → {} ({})",
        style.bold("ARC"),
        verdict(style, a.result),
        a.reason
    );
    steps(&mut out, &a.steps, message, style, "  ");
    // The latest set's message signature and every seal in full; older message signatures
    // are one step each above (information: they do not decide the chain).
    for (k, set) in a.sets.iter().enumerate() {
        let ams = set.message_signature.as_ref().filter(|_| k == 0);
        for (what, sig) in [
            ("ARC-Message-Signature", ams),
            ("ARC-Seal", set.seal.as_ref()),
        ] {
            if let Some(d) = sig {
                let _ = writeln!(
                    out,
                    "  {} i={} d={} s={} → {} ({})",
                    style.bold(what),
                    set.instance,
                    d.domain.as_deref().unwrap_or("?"),
                    d.selector.as_deref().unwrap_or("?"),
                    verdict(style, d.result),
                    d.reason
                );
                steps(&mut out, &d.steps, message, style, "    ");
            }
        }
    }
    stated_section(&mut out, r, style);
    let lints: Vec<_> = r
        .dkim
        .iter()
        .flat_map(|d| &d.lints)
        .chain(r.spf.iter().flat_map(|s| &s.lints))
        .chain(&m.lints)
        .chain(r.authentication_results.iter().flat_map(|a| &a.lints))
        .collect();
    if !lints.is_empty() {
        let _ = writeln!(out, "\n{}", style.bold("Findings"));
        for l in lints {
            let _ = writeln!(
                out,
                "  {} {} {}",
                style.severity(l.severity, l.severity.as_str()),
                l.code,
                l.message
            );
        }
    }
    out
}
