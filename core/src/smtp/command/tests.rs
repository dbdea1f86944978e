#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;

fn parse(input: &[u8]) -> (ParsedCommand<'_>, usize) {
    parse_command(input)
        .unwrap_or_else(|e| panic!("{:?}: {e}", String::from_utf8_lossy(input)))
        .unwrap_or_else(|| panic!("{:?}: incomplete", String::from_utf8_lossy(input)))
}

fn codes(lints: &[Lint]) -> Vec<&str> {
    lints.iter().map(|l| &*l.code).collect()
}

fn round_trip_cases() -> Vec<(Command<'static>, &'static str)> {
    vec![
        (Command::helo("client.example"), "HELO client.example\r\n"),
        (Command::ehlo("[192.0.2.1]"), "EHLO [192.0.2.1]\r\n"),
        (Command::mail_from("a@example.org"), "MAIL FROM:<a@example.org>\r\n"),
        (Command::mail_from(""), "MAIL FROM:<>\r\n"),
        (
            Command::Mail {
                from: Path::new("bounce@example.org"),
                params: MailParams {
                    size: Some(12345),
                    body: Some(Body::EightBitMime),
                    smtputf8: false,
                    ret: Some(Ret::Hdrs),
                    envid: Some("QQ314159".into()),
                    auth: Some("<>".into()),
                    other: vec![
                        Param {
                            keyword: "XTRA".into(),
                            value: Some("1".into()),
                        },
                        Param {
                            keyword: "FLAG".into(),
                            value: None,
                        },
                    ],
                },
            },
            "MAIL FROM:<bounce@example.org> SIZE=12345 BODY=8BITMIME RET=HDRS ENVID=QQ314159 AUTH=<> XTRA=1 FLAG\r\n",
        ),
        (
            Command::Mail {
                from: Path::new("jörg@bücher.example"),
                params: MailParams {
                    smtputf8: true,
                    body: Some(Body::BinaryMime),
                    ..MailParams::default()
                },
            },
            "MAIL FROM:<jörg@bücher.example> BODY=BINARYMIME SMTPUTF8\r\n",
        ),
        (
            Command::Mail {
                from: Path::new("a@b.example"),
                params: MailParams {
                    body: Some(Body::SevenBit),
                    ret: Some(Ret::Full),
                    ..MailParams::default()
                },
            },
            "MAIL FROM:<a@b.example> BODY=7BIT RET=FULL\r\n",
        ),
        (
            Command::Mail {
                from: Path {
                    source_route: Some("@relay.example,@b.example".into()),
                    mailbox: "\"john doe\"@example.org".into(),
                },
                params: MailParams::default(),
            },
            "MAIL FROM:<@relay.example,@b.example:\"john doe\"@example.org>\r\n",
        ),
        (Command::rcpt_to("b@example.net"), "RCPT TO:<b@example.net>\r\n"),
        (Command::rcpt_to("Postmaster"), "RCPT TO:<Postmaster>\r\n"),
        (
            Command::Rcpt {
                to: Path::new("b@example.net"),
                params: RcptParams {
                    notify: Some(vec![Notify::Success, Notify::Failure, Notify::Delay]),
                    orcpt: Some("rfc822;b@example.net".into()),
                    other: vec![Param {
                        keyword: "X-Y".into(),
                        value: Some("z".into()),
                    }],
                },
            },
            "RCPT TO:<b@example.net> NOTIFY=SUCCESS,FAILURE,DELAY ORCPT=rfc822;b@example.net X-Y=z\r\n",
        ),
        (
            Command::Rcpt {
                to: Path::new("b@example.net"),
                params: RcptParams {
                    notify: Some(vec![Notify::Never]),
                    ..RcptParams::default()
                },
            },
            "RCPT TO:<b@example.net> NOTIFY=NEVER\r\n",
        ),
        (Command::Data, "DATA\r\n"),
        (Command::bdat(0, true), "BDAT 0 LAST\r\n"),
        (Command::bdat(1_000_000, false), "BDAT 1000000\r\n"),
        (Command::Rset, "RSET\r\n"),
        (Command::Noop { arg: None }, "NOOP\r\n"),
        (Command::Noop { arg: Some("ping".into()) }, "NOOP ping\r\n"),
        (Command::vrfy("postmaster"), "VRFY postmaster\r\n"),
        (Command::expn("staff list"), "EXPN staff list\r\n"),
        (Command::Help { topic: None }, "HELP\r\n"),
        (Command::Help { topic: Some("MAIL".into()) }, "HELP MAIL\r\n"),
        (Command::Quit, "QUIT\r\n"),
        (Command::StartTls, "STARTTLS\r\n"),
        (Command::auth("LOGIN", None), "AUTH LOGIN\r\n"),
        (
            Command::auth("PLAIN", Some("AGFsaWNlAHNlY3JldA==".into())),
            "AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n",
        ),
        (Command::auth("XOAUTH2", Some("=".into())), "AUTH XOAUTH2 =\r\n"),
        (
            Command::Unknown {
                name: "XYZZY".into(),
                args: "plugh".into(),
            },
            "XYZZY plugh\r\n",
        ),
    ]
}

#[test]
fn every_command_round_trips() {
    for (command, wire) in round_trip_cases() {
        let bytes = command
            .to_bytes()
            .unwrap_or_else(|e| panic!("{command:?}: {e}"));
        assert_eq!(
            String::from_utf8_lossy(&bytes),
            wire,
            "wire form of {command:?}"
        );
        let (parsed, used) = parse(&bytes);
        assert_eq!(parsed.command, command, "parse of {wire:?}");
        assert_eq!(used, bytes.len(), "consumed of {wire:?}");
        let expected: &[&str] = match command {
            Command::Unknown { .. } => &["smtp.unknown-command"],
            Command::Mail { ref from, .. } if from.source_route.is_some() => &["smtp.source-route"],
            _ => &[],
        };
        assert_eq!(codes(&parsed.lints), expected, "lints of {wire:?}");
        assert_eq!(
            parsed.clone().into_owned(),
            parsed,
            "into_owned of {wire:?}"
        );
    }
}

/// (input, verb, lint codes)
const LENIENT: &[(&[u8], &str, &[&str])] = &[
    (b"mail from:<a@b.example>\r\n", "MAIL", &[]),
    (b"Ehlo x.example\r\n", "EHLO", &[]),
    (b"QUIT\n", "QUIT", &["smtp.bare-lf"]),
    (
        b"MAIL FROM: <a@b.example>\r\n",
        "MAIL",
        &["smtp.space-after-colon"],
    ),
    (
        b"RCPT TO:  <a@b.example>\r\n",
        "RCPT",
        &["smtp.space-after-colon"],
    ),
    (
        b"MAIL FROM:a@b.example\r\n",
        "MAIL",
        &["smtp.path-without-brackets"],
    ),
    (
        b"MAIL FROM:<a@b..example>\r\n",
        "MAIL",
        &["smtp.mailbox-invalid"],
    ),
    (
        b"MAIL FROM:<a b@example>\r\n",
        "MAIL",
        &["smtp.mailbox-invalid"],
    ),
    (
        b"MAIL FROM:<nodomain>\r\n",
        "MAIL",
        &["smtp.mailbox-invalid"],
    ),
    (
        b"MAIL FROM:<.a@b.example>\r\n",
        "MAIL",
        &["smtp.mailbox-invalid"],
    ),
    (
        b"MAIL FROM:<a@-b.example>\r\n",
        "MAIL",
        &["smtp.mailbox-invalid"],
    ),
    (
        b"MAIL FROM:<a@[1.2.3.4>\r\n",
        "MAIL",
        &["smtp.mailbox-invalid"],
    ),
    (b"RCPT TO:<>\r\n", "RCPT", &["smtp.mailbox-invalid"]),
    (
        b"MAIL FROM:<\"unterminated@b.example>\r\n",
        "unknown",
        &["smtp.syntax-invalid"],
    ),
    (
        b"MAIL FROM:<j\xc3\xb6rg@b.example>\r\n",
        "MAIL",
        &["smtp.utf8-without-smtputf8"],
    ),
    (
        b"MAIL FROM:<@r.example:a@b.example>\r\n",
        "MAIL",
        &["smtp.source-route"],
    ),
    (
        b"MAIL FROM:<@:a@b.example>\r\n",
        "MAIL",
        &["smtp.mailbox-invalid", "smtp.source-route"],
    ),
    (
        b"MAIL FROM:<a@b.example> SIZE=abc\r\n",
        "MAIL",
        &["smtp.param-invalid"],
    ),
    (
        b"MAIL FROM:<a@b.example> BODY=9BIT\r\n",
        "MAIL",
        &["smtp.param-invalid"],
    ),
    (
        b"MAIL FROM:<a@b.example> SMTPUTF8=yes\r\n",
        "MAIL",
        &["smtp.param-invalid"],
    ),
    (
        b"MAIL FROM:<a@b.example> RET=ALL\r\n",
        "MAIL",
        &["smtp.param-invalid"],
    ),
    (
        b"MAIL FROM:<a@b.example> SIZE=1 SIZE=2\r\n",
        "MAIL",
        &["smtp.param-invalid"],
    ),
    (
        b"MAIL FROM:<a@b.example> -X\r\n",
        "MAIL",
        &["smtp.param-invalid"],
    ),
    (
        b"MAIL FROM:<a@b.example> X=\r\n",
        "MAIL",
        &["smtp.param-invalid"],
    ),
    (
        b"RCPT TO:<a@b.example> NOTIFY=NEVER,DELAY\r\n",
        "RCPT",
        &["smtp.param-invalid"],
    ),
    (
        b"RCPT TO:<a@b.example> ORCPT=nosemicolon\r\n",
        "RCPT",
        &["smtp.param-invalid"],
    ),
    (
        b"MAIL FROM:<a@b.example> \r\n",
        "MAIL",
        &["smtp.syntax-invalid"],
    ),
    (
        b"MAIL FROM:<a@b.example>  SIZE=1\r\n",
        "MAIL",
        &["smtp.syntax-invalid"],
    ),
    (
        b"MAIL FROM:<a@b.example>SIZE=1\r\n",
        "MAIL",
        &["smtp.syntax-invalid"],
    ),
    (
        b"MAIL FROM :<a@b.example>\r\n",
        "MAIL",
        &["smtp.syntax-invalid"],
    ),
    (
        b"MAIL TO:<a@b.example>\r\n",
        "unknown",
        &["smtp.syntax-invalid"],
    ),
    (b"MAIL FROM:\r\n", "unknown", &["smtp.syntax-invalid"]),
    (b"MAIL\r\n", "unknown", &["smtp.syntax-invalid"]),
    (b"HELO\r\n", "unknown", &["smtp.syntax-invalid"]),
    (b"EHLO bad_name!\r\n", "EHLO", &["smtp.syntax-invalid"]),
    (b"DATA now\r\n", "DATA", &["smtp.syntax-invalid"]),
    (b"RSET \r\n", "RSET", &["smtp.syntax-invalid"]),
    (
        b"QUIT  x\r\n",
        "QUIT",
        &["smtp.syntax-invalid", "smtp.syntax-invalid"],
    ),
    (
        b"NOOP\0\r\n",
        "unknown",
        &["smtp.syntax-invalid", "smtp.unknown-command"],
    ),
    (b"NOOP a\rb\r\n", "NOOP", &["smtp.syntax-invalid"]),
    (b"VRFY\r\n", "unknown", &["smtp.syntax-invalid"]),
    (b"BDAT\r\n", "unknown", &["smtp.syntax-invalid"]),
    (b"BDAT x LAST\r\n", "unknown", &["smtp.syntax-invalid"]),
    (b"BDAT 1 FIRST\r\n", "unknown", &["smtp.syntax-invalid"]),
    (b"BDAT 1 LAST x\r\n", "unknown", &["smtp.syntax-invalid"]),
    (
        b"BDAT 99999999999999999999999\r\n",
        "unknown",
        &["smtp.syntax-invalid"],
    ),
    (b"bdat 5 last\r\n", "BDAT", &[]),
    (b"AUTH\r\n", "unknown", &["smtp.syntax-invalid"]),
    (b"AUTH plain\r\n", "AUTH", &["smtp.syntax-invalid"]),
    (
        b"AUTH PLAIN not base64!\r\n",
        "AUTH",
        &["smtp.syntax-invalid"],
    ),
    (b"XYZZY\r\n", "unknown", &["smtp.unknown-command"]),
    (b"ETRN example.org\r\n", "unknown", &[]),
    (b"xclient NAME=x\r\n", "unknown", &[]),
    (b"\r\n", "unknown", &["smtp.unknown-command"]),
];

#[test]
fn lenient_parsing_records_lints() {
    for &(input, verb, lint_codes) in LENIENT {
        let (parsed, used) = parse(input);
        assert_eq!(used, input.len(), "consumed of {input:?}");
        let got_verb = match &parsed.command {
            Command::Unknown { .. } => "unknown",
            c => c.verb(),
        };
        assert_eq!(
            got_verb,
            verb,
            "verb of {:?}",
            String::from_utf8_lossy(input)
        );
        assert_eq!(
            codes(&parsed.lints),
            lint_codes,
            "lints of {:?}",
            String::from_utf8_lossy(input)
        );
        for lint in &parsed.lints {
            assert!(
                lint.span.end <= input.len(),
                "lint span {:?} out of {input:?}",
                lint.span
            );
        }
    }
}

#[test]
fn spans_point_at_the_parts() {
    let input = b"MAIL FROM: <a@b.example> SIZE=10 BODY=8BITMIME\r\nRSET\r\n";
    let (parsed, used) = parse(input);
    assert_eq!(used, 48);
    assert_eq!(parsed.verb.slice(input), b"MAIL");
    assert_eq!(
        parsed.arguments.slice(input),
        b"FROM: <a@b.example> SIZE=10 BODY=8BITMIME"
    );
    assert_eq!(
        parsed.path.map(|s| s.slice(input)),
        Some(&b"<a@b.example>"[..])
    );
    let params: Vec<&[u8]> = parsed.params.iter().map(|s| s.slice(input)).collect();
    assert_eq!(params, [&b"SIZE=10"[..], b"BODY=8BITMIME"]);
    assert_eq!(parsed.line, Span::new(0, 48));
    assert_eq!(parsed.lints[0].span.slice(input), b" ");
    let Command::Mail { from, params } = parsed.command else {
        panic!("expected MAIL, got {:?}", parsed.command)
    };
    assert_eq!((from.local_part(), from.domain()), ("a", Some("b.example")));
    assert_eq!(
        (params.size, params.body),
        (Some(10), Some(Body::EightBitMime))
    );
    let null = Path::null();
    assert!(null.is_null() && null.domain().is_none());
}

#[test]
fn unknown_params_are_kept_in_order() {
    let (parsed, _) = parse(b"MAIL FROM:<a@b.example> XA=1 SIZE=oops XB\r\n");
    let Command::Mail { params, .. } = parsed.command else {
        panic!("expected MAIL")
    };
    let kept: Vec<(&str, Option<&str>)> = params
        .other
        .iter()
        .map(|p| (&*p.keyword, p.value.as_deref()))
        .collect();
    assert_eq!(
        kept,
        [("XA", Some("1")), ("SIZE", Some("oops")), ("XB", None)]
    );
    assert_eq!(params.size, None);
}

#[test]
fn line_limits() {
    let mut long = b"NOOP ".to_vec();
    long.extend(std::iter::repeat_n(b'x', 600));
    long.extend(b"\r\n");
    let (parsed, _) = parse(&long);
    assert_eq!(codes(&parsed.lints), ["smtp.line-too-long"]);
    let mut auth = b"AUTH PLAIN ".to_vec();
    auth.extend(std::iter::repeat_n(b'A', 4000));
    auth.extend(b"\r\n");
    let (parsed, _) = parse(&auth);
    assert_eq!(
        codes(&parsed.lints),
        Vec::<&str>::new(),
        "AUTH may be 12288 octets"
    );
    let endless = vec![b'x'; MAX_COMMAND_LINE_HARD + 10];
    assert_eq!(
        parse_command(&endless),
        Err(CommandError::LineTooLong {
            limit: MAX_COMMAND_LINE_HARD
        })
    );
    for partial in [&b""[..], b"QUIT", b"QUIT\r", b"MAIL FROM:<a@b>"] {
        assert_eq!(parse_command(partial), Ok(None), "input {partial:?}");
    }
    let mut many = b"MAIL FROM:<a@b.example>".to_vec();
    for i in 0..MAX_PARAMS + 5 {
        many.extend(format!(" X{i}=1").as_bytes());
    }
    many.extend(b"\r\n");
    let (parsed, _) = parse(&many);
    assert_eq!(parsed.params.len(), MAX_PARAMS);
    assert!(codes(&parsed.lints).contains(&"smtp.param-invalid"));
}

/// Sizes over RFC 5321 §4.5.3.1's maximums "SHOULD be avoided": a warning, not an invalid
/// mailbox.
#[test]
fn oversized_paths_are_warnings() {
    let local = format!("MAIL FROM:<{}@b.example>\r\n", "a".repeat(65));
    let (parsed, _) = parse(local.as_bytes());
    assert_eq!(codes(&parsed.lints), ["smtp.path-too-long"]);
    assert_eq!(parsed.lints[0].severity, crate::lint::Severity::Warning);
    let labels = vec!["d".repeat(60); 4].join(".");
    let path = format!("RCPT TO:<{}@{labels}.example>\r\n", "a".repeat(10));
    let (parsed, _) = parse(path.as_bytes());
    assert_eq!(codes(&parsed.lints), ["smtp.path-too-long"]);
    let (parsed, _) = parse(b"MAIL FROM:<a@b.example>\r\n");
    assert!(parsed.lints.is_empty());
}

#[test]
fn building_rejects_invalid_values() {
    let bad: Vec<(Command<'static>, BuildError)> = vec![
        (
            Command::helo("a\r\nMAIL FROM:<x@y>"),
            BuildError::ForbiddenByte {
                field: "domain",
                byte: b'\r',
            },
        ),
        (
            Command::mail_from("a@b\nc"),
            BuildError::ForbiddenByte {
                field: "mailbox",
                byte: b'\n',
            },
        ),
        (
            Command::vrfy("x\0"),
            BuildError::ForbiddenByte {
                field: "argument",
                byte: 0,
            },
        ),
        (
            Command::auth("PLAIN", Some("AA\r\n".into())),
            BuildError::ForbiddenByte {
                field: "initial response",
                byte: b'\r',
            },
        ),
        (
            Command::Mail {
                from: Path::new("a@b.example"),
                params: MailParams {
                    envid: Some("x\ny".into()),
                    ..MailParams::default()
                },
            },
            BuildError::ForbiddenByte {
                field: "ENVID",
                byte: b'\n',
            },
        ),
        (
            Command::Unknown {
                name: "X".into(),
                args: "a\rb".into(),
            },
            BuildError::ForbiddenByte {
                field: "arguments",
                byte: b'\r',
            },
        ),
    ];
    for (command, expected) in bad {
        let mut out = b"keep".to_vec();
        assert_eq!(
            command.write(&mut out),
            Err(expected),
            "building {command:?}"
        );
        assert_eq!(out, b"keep", "nothing appended for {command:?}");
    }
    let invalid: Vec<Command<'static>> = vec![
        Command::helo(""),
        Command::ehlo("bad name"),
        Command::mail_from("no-at-sign"),
        Command::mail_from("jörg@b.example"),
        Command::rcpt_to(""),
        Command::rcpt_to("a b@c.example"),
        Command::vrfy(""),
        Command::auth("plain", None),
        Command::auth("PLAIN", Some("not base64".into())),
        Command::Unknown {
            name: "".into(),
            args: "".into(),
        },
        Command::Rcpt {
            to: Path::new("a@b.example"),
            params: RcptParams {
                notify: Some(vec![Notify::Never, Notify::Delay]),
                ..RcptParams::default()
            },
        },
        Command::Mail {
            from: Path::new("a@b.example"),
            params: MailParams {
                other: vec![Param {
                    keyword: "A B".into(),
                    value: None,
                }],
                ..MailParams::default()
            },
        },
        Command::Mail {
            from: Path::new("a@b.example"),
            params: MailParams {
                other: vec![Param {
                    keyword: "X".into(),
                    value: Some("a=b".into()),
                }],
                ..MailParams::default()
            },
        },
        Command::Mail {
            from: Path {
                source_route: Some("relay".into()),
                mailbox: "a@b.example".into(),
            },
            params: MailParams::default(),
        },
    ];
    for command in invalid {
        match command.write(&mut Vec::new()) {
            Err(BuildError::Invalid { .. }) => {}
            other => panic!("building {command:?}: expected Invalid, got {other:?}"),
        }
    }
    let huge = Command::vrfy("x".repeat(600));
    assert!(
        matches!(
            huge.write(&mut Vec::new()),
            Err(BuildError::TooLong { limit: 512, .. })
        ),
        "600-byte VRFY must be too long"
    );
}

#[test]
fn commands_survive_json() {
    for (command, _) in round_trip_cases() {
        let json = serde_json::to_string(&command).unwrap_or_else(|e| panic!("{command:?}: {e}"));
        let back: Command<'static> =
            serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json}: {e}"));
        assert_eq!(back, command, "JSON {json}");
    }
    let v = serde_json::to_value(Command::mail_from("a@b.example")).unwrap_or_default();
    assert_eq!(v["verb"], "MAIL");
    assert_eq!(v["from"]["mailbox"], "a@b.example");
}

#[test]
fn every_command_has_an_explanation() {
    for (command, _) in round_trip_cases() {
        assert!(
            command.explain().contains("RFC"),
            "{command:?} explanation cites no RFC"
        );
    }
}

/// A small xorshift PRNG so hostile-input tests are reproducible without an RNG crate.
pub(crate) struct XorShift(pub(crate) u64);

impl XorShift {
    pub(crate) fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// Random bytes biased towards SMTP syntax so that deep paths are reached.
    pub(crate) fn bytes(&mut self, max: usize) -> Vec<u8> {
        const ALPHABET: &[u8] = b"MAILFROM:RCPTTO<>@.\" \\=,;\r\n\0\xc3\xffBDAT250-SMTPUTF8";
        let len = (self.next() % max as u64) as usize;
        (0..len)
            .map(|_| {
                let r = self.next();
                if r.is_multiple_of(3) {
                    (r >> 8) as u8
                } else {
                    ALPHABET[(r >> 8) as usize % ALPHABET.len()]
                }
            })
            .collect()
    }
}

#[test]
fn hostile_input_never_panics() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    for _ in 0..4000 {
        let mut input = rng.bytes(200);
        if rng.next().is_multiple_of(2) {
            let prefix: &[u8] = match rng.next() % 3 {
                0 => b"MAIL FROM:",
                1 => b"RCPT TO:<",
                _ => b"AUTH ",
            };
            input.splice(0..0, prefix.iter().copied());
        }
        match parse_command(&input) {
            Ok(Some((parsed, used))) => {
                assert!(used <= input.len(), "consumed {used} of {}", input.len());
                for lint in &parsed.lints {
                    assert!(
                        lint.span.end <= input.len(),
                        "lint span out of range: {lint:?}"
                    );
                }
                // Whatever was read, building it back either fails cleanly or re-parses.
                if let Ok(bytes) = parsed.command.to_bytes() {
                    let (again, _) = parse(&bytes);
                    assert_eq!(again.command, parsed.command, "rebuilt from {input:?}");
                }
            }
            Ok(None) => assert!(!input.contains(&b'\n')),
            Err(e) => panic!("{input:?}: unexpected error {e}"),
        }
    }
}
