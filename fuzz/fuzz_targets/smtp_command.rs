//! `smtp::command::parse_command` over arbitrary bytes, line after line as a server reads them;
//! every parsed command is also rebuilt with `Command::to_bytes` (which may refuse, never panic).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailscope_core::smtp::command::parse_command;

fuzz_target!(|data: &[u8]| {
    let mut offset = 0;
    while offset < data.len() {
        let rest = &data[offset..];
        match parse_command(rest) {
            Ok(Some((parsed, used))) => {
                assert!(
                    used > 0 && used <= rest.len(),
                    "consumed {used} of {}",
                    rest.len()
                );
                for span in [parsed.line, parsed.verb, parsed.arguments]
                    .into_iter()
                    .chain(parsed.path)
                    .chain(parsed.params.iter().copied())
                    .chain(parsed.lints.iter().map(|l| l.span))
                {
                    assert!(span.start <= span.end && span.end <= rest.len(), "{span:?}");
                }
                let _ = (parsed.command.verb().to_owned(), parsed.command.explain());
                if let Ok(bytes) = parsed.command.to_bytes() {
                    // What the builder writes is one valid line: it parses again.
                    assert!(
                        matches!(parse_command(&bytes), Ok(Some(_))),
                        "rebuilt command does not parse: {:?}",
                        String::from_utf8_lossy(&bytes)
                    );
                }
                let _ = parsed.into_owned();
                offset += used;
            }
            Ok(None) | Err(_) => break,
        }
    }
});
