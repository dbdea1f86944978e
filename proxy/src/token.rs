//! The per-run relay token.

use std::path::Path;

use anyhow::{bail, Context};

/// The environment variable that fixes the token (out of sight of `ps`, unlike `--token`).
pub const ENV: &str = "MAILSCOPE_TOKEN";

/// The token `mailscope serve` uses: `--token`, else `--token-file`, else [`ENV`] (`env`), else
/// a fresh random one. A token on the command line works but gets a warning on stderr: other
/// users of the machine can read it with `ps`.
pub fn for_serve(
    flag: Option<String>,
    file: Option<&Path>,
    env: Option<String>,
) -> anyhow::Result<String> {
    let (token, from) = if let Some(t) = flag {
        eprintln!(
            "mailscope: warning: --token puts the relay token on the command line, where other users of this machine can read it (ps, /proc/PID/cmdline); use --token-file FILE or {ENV} instead"
        );
        (t, "--token".to_string())
    } else if let Some(path) = file {
        let text = std::fs::read_to_string(path).with_context(|| {
            format!(
                "cannot read the token file {} (--token-file): check the path and its permissions",
                path.display()
            )
        })?;
        let first = text.lines().next().unwrap_or_default().trim_end();
        (
            first.to_string(),
            format!("the token file {}", path.display()),
        )
    } else if let Some(t) = env.filter(|t| !t.is_empty()) {
        (t, ENV.to_string())
    } else {
        return generate();
    };
    if token.len() < 16 || !token.bytes().all(|b| b.is_ascii_graphic() && b != b',') {
        bail!("the token from {from} must be at least 16 printable characters without spaces or commas; leave every token option out to get a random one");
    }
    Ok(token)
}

/// A fresh random token of 128 bits, as 32 lowercase hex digits.
pub fn generate() -> anyhow::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .context("the operating system refused random bytes for the relay token")?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Compares a presented token with the expected one in time independent of where they differ.
pub fn matches(presented: &str, expected: &str) -> bool {
    let (a, b) = (presented.as_bytes(), expected.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_fresh_hex() {
        let (a, b) = (generate().unwrap(), generate().unwrap());
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn serve_token_sources() {
        let dir = std::env::temp_dir().join(format!("mailscope-token-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("token");
        std::fs::write(&file, "file-token-0123456789\n").unwrap();
        let flag = || Some("flag-token-0123456789".to_string());
        let env = || Some("env-token-0123456789".to_string());
        assert_eq!(
            for_serve(flag(), Some(&file), env()).unwrap(),
            "flag-token-0123456789"
        );
        assert_eq!(
            for_serve(None, Some(&file), env()).unwrap(),
            "file-token-0123456789"
        );
        assert_eq!(
            for_serve(None, None, env()).unwrap(),
            "env-token-0123456789"
        );
        assert_eq!(for_serve(None, None, None).unwrap().len(), 32);
        assert_eq!(
            for_serve(None, None, Some(String::new())).unwrap().len(),
            32
        );
        let short = for_serve(Some("short".into()), None, None).unwrap_err();
        assert!(short.to_string().contains("at least 16"), "{short}");
        std::fs::write(&file, "\n").unwrap();
        let empty = for_serve(None, Some(&file), None).unwrap_err();
        assert!(empty.to_string().contains("token file"), "{empty}");
        let missing = for_serve(None, Some(&dir.join("none")), None).unwrap_err();
        assert!(missing.to_string().contains("cannot read"), "{missing}");
    }

    #[test]
    fn comparison() {
        for (presented, expected, want) in [
            ("abc", "abc", true),
            ("abd", "abc", false),
            ("ab", "abc", false),
            ("", "", true),
        ] {
            assert_eq!(
                matches(presented, expected),
                want,
                "{presented:?} vs {expected:?}"
            );
        }
    }
}
