//! Reading a file argument or standard input with a size limit, and writing to standard output.

use std::io::Read;
use std::path::Path;

use anyhow::{bail, Context};
use mailscope_core::sniff::{check_text, NotText};

/// Reads `path` (or standard input for `-`), refusing more than `limit` bytes.
pub fn read_input(path: &Path, limit: usize) -> anyhow::Result<Vec<u8>> {
    let mut buf = Vec::new();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let read = if path == Path::new("-") {
        std::io::stdin()
            .lock()
            .take(cap)
            .read_to_end(&mut buf)
            .context("cannot read standard input")?
    } else {
        let file =
            std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        file.take(cap)
            .read_to_end(&mut buf)
            .with_context(|| format!("cannot read {}", path.display()))?
    };
    if read > limit {
        bail!(
            "{} is larger than {limit} bytes, the most this command reads; cut it down or split it",
            shown(path)
        );
    }
    Ok(buf)
}

/// Refuses input that cannot be a `what` (e.g. "message"): empty (or only white space), or
/// binary — the core's rule ([`mailscope_core::sniff::check_text`]), said for a terminal.
/// `text` is the part of the input that must be text.
pub fn refuse_empty_or_binary(
    path: &Path,
    input: &[u8],
    text: &[u8],
    what: &str,
) -> anyhow::Result<()> {
    match check_text(input, text) {
        Ok(()) => Ok(()),
        Err(NotText::Empty) => bail!("{} is empty: there is no {what} to read", shown(path)),
        Err(NotText::OnlyWhiteSpace) => bail!(
            "{} is empty (only white space): there is no {what} to read",
            shown(path)
        ),
        Err(NotText::Binary {
            nul,
            controls,
            sampled,
        }) => bail!(
            "{} is not a {what}: its first bytes are binary data ({}), not text; give an \
             RFC 5322 message (.eml) or an SMTP transcript as text",
            shown(path),
            if nul {
                "NUL bytes".to_string()
            } else {
                format!("{controls} control characters in {sampled} bytes")
            }
        ),
    }
}

fn shown(path: &Path) -> String {
    if path == Path::new("-") {
        "standard input".into()
    } else {
        path.display().to_string()
    }
}

/// Writes `text` to standard output. A closed pipe (`mailscope … | head`) ends output quietly
/// instead of being an error.
pub fn emit(text: &str) -> anyhow::Result<()> {
    emit_bytes(text.as_bytes())
}

/// Writes `bytes` to standard output as they are; a closed pipe ends output quietly.
pub fn emit_bytes(bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::Error::new(e).context("cannot write to standard output"))
        }
        _ => Ok(()),
    }
}
