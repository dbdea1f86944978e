//! Reading a file argument or standard input with a size limit, and writing to standard output.

use std::io::Read;
use std::path::Path;

use anyhow::{bail, Context};

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
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::Error::new(e).context("cannot write to standard output"))
        }
        _ => Ok(()),
    }
}
