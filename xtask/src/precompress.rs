//! gzip copies of the built UI, made once at build time with Zopfli.
//!
//! `mailscope serve` sends `dist/NAME.gz` with `Content-Encoding: gzip` to a browser that
//! accepts gzip (tower-http's `precompressed_gzip`), so the page load is what these files
//! weigh. Zopfli writes ordinary gzip streams that every browser reads, 3–4 % smaller than
//! `gzip -9`, at a cost paid here (a few seconds) instead of on each request.

use std::path::{Path, PathBuf};

/// The kinds of file worth compressing (the wasm, its JS glue, CSS, HTML, the SVG icon and the
/// language packs' data files).
const COMPRESSED: &[&str] = &["wasm", "js", "css", "html", "svg", "bin"];

/// Below this many bytes a gzip copy saves nothing worth a second file.
const MIN_SIZE: u64 = 256;

/// Writes `NAME.gz` beside every file of `dist` worth compressing, replacing older copies, and
/// returns the compressed files with their sizes (raw, gzip).
pub(crate) fn precompress(dist: &Path) -> Result<Vec<(PathBuf, usize, usize)>, String> {
    let mut files = Vec::new();
    let entries =
        std::fs::read_dir(dist).map_err(|e| format!("cannot list {}: {e}", dist.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot list {}: {e}", dist.display()))?;
        let path = entry.path();
        let kind = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
        if COMPRESSED.contains(&kind) && size >= MIN_SIZE {
            files.push(path);
        }
    }
    files.sort();
    let total = files.len();
    // Two halves on two threads: the page's wasm alone takes a few seconds.
    let (left, right) = files.split_at(total / 2);
    let results = std::thread::scope(|s| {
        let other = s.spawn(|| left.iter().map(|p| compress_file(p)).collect::<Vec<_>>());
        let mine: Vec<_> = right.iter().map(|p| compress_file(p)).collect();
        let mut all = other
            .join()
            .unwrap_or_else(|_| vec![Err("the compressing thread panicked".to_string())]);
        all.extend(mine);
        all
    });
    let done: Vec<_> = results.into_iter().collect::<Result<_, _>>()?;
    for (path, raw, gz) in &done {
        eprintln!(
            "    {} {raw} → {gz} bytes gzip",
            path.file_name().and_then(|n| n.to_str()).unwrap_or("?")
        );
    }
    Ok(done)
}

fn compress_file(path: &Path) -> Result<(PathBuf, usize, usize), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let gz = gzip(&bytes).map_err(|e| format!("cannot compress {}: {e}", path.display()))?;
    let mut target = path.as_os_str().to_owned();
    target.push(".gz");
    std::fs::write(&target, &gz)
        .map_err(|e| format!("cannot write {}: {e}", Path::new(&target).to_string_lossy()))?;
    Ok((path.to_path_buf(), bytes.len(), gz.len()))
}

/// `bytes` as one gzip member, compressed with Zopfli's default 15 iterations.
pub(crate) fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len() / 2);
    zopfli::compress(
        zopfli::Options::default(),
        zopfli::Format::Gzip,
        bytes,
        &mut out,
    )?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn copies_read_back_as_the_original_and_small_files_are_left_alone() {
        let dir = std::env::temp_dir().join(format!("xtask-precompress-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let wasm: Vec<u8> = (0..2_000u32)
            .flat_map(|i| (i * i % 251).to_le_bytes())
            .collect();
        std::fs::write(dir.join("app_bg.wasm"), &wasm).unwrap();
        std::fs::write(dir.join("tiny.js"), b"x").unwrap();
        std::fs::write(dir.join("notes.txt"), vec![b'a'; 4096]).unwrap();
        let done = precompress(&dir).unwrap();
        assert_eq!(done.len(), 1, "only the wasm is compressed: {done:?}");
        let gz = std::fs::read(dir.join("app_bg.wasm.gz")).unwrap();
        assert!(gz.len() < wasm.len() / 4, "{} bytes", gz.len());
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, wasm);
        assert!(!dir.join("tiny.js.gz").exists());
        assert!(!dir.join("notes.txt.gz").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
