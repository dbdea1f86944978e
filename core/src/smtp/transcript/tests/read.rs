//! Reading the three forms (S:/C:, swaks, raw), detecting them, and the input limits.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::smtp::capability::Extension;

/// Bug: an import dropped lines it could not read without saying so.
#[test]
fn ignored_lines_are_listed() {
    let input = b"S: 220 x\nC: EHLO c\nS 250 no colon\n\n   \nC: QUIT\nS: 221 bye\n";
    let t = annotate(input);
    assert_eq!(t.entries.len(), 4, "{:?}", t.entries);
    assert_eq!(
        t.ignored,
        vec![IgnoredLine {
            line: 3,
            span: Span::new(19, 33),
            text: "S 250 no colon".into(),
        }],
        "blank lines are not listed"
    );
    assert_eq!(t.to_json()["ignored"][0]["line"], 3);
    // swaks information lines are expected, not ignored; text without a marker is.
    let swaks = annotate(b"=== Trying 127.0.0.1:25...\n<-  220 x\n -> QUIT\n<-  221 bye\nstray\n");
    assert_eq!(swaks.format, Format::Swaks);
    let texts: Vec<&str> = swaks.ignored.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(texts, vec!["stray"]);
}

const RFC_EXAMPLE: &str = "\
The example of RFC 5321 Appendix D.1:

   S: 220 foo.com Simple Mail Transfer Service Ready
   C: EHLO bar.com
   S: 250-foo.com greets bar.com
   S: 250-8BITMIME
   S: 250-SIZE
   S: 250-DSN
   S: 250 HELP
   C: MAIL FROM:<Smith@bar.com>
   S: 250 OK
   C: RCPT TO:<Jones@foo.com>
   S: 250 OK
   C: RCPT TO:<Green@foo.com>
   S: 550 No such user here
   C: RCPT TO:<Brown@foo.com>
   S: 250 OK
   C: DATA
   S: 354 Start mail input; end with <CRLF>.<CRLF>
   C: Blah blah blah...
   C: ...etc. etc. etc.
   C: .
   S: 250 OK
   C: QUIT
   S: 221 foo.com Service closing transmission channel
";

#[test]
fn reads_the_rfc_example() {
    let t = Transcript::parse(RFC_EXAMPLE.as_bytes());
    assert_eq!(t.format, Format::Prefixed);
    assert_eq!((t.lines.len(), t.skipped), (23, 2));
    let a = t.annotate();
    assert_eq!(codes(&a), Vec::<String>::new(), "{:#?}", a.all_lints());
    assert_eq!(
        kinds(&a),
        [
            "reply", "command", "reply", "command", "reply", "command", "reply", "command",
            "reply", "command", "reply", "command", "reply", "message", "reply", "command",
            "reply"
        ]
    );
    use SessionState as S;
    let states: Vec<(S, S)> = a
        .entries
        .iter()
        .map(|e| (e.state_before, e.state_after))
        .collect();
    assert_eq!(states[0], (S::Connected, S::Greeted));
    assert_eq!(states[2], (S::Ready, S::Ready), "EHLO reply");
    assert_eq!(states[3], (S::Ready, S::Mail), "MAIL");
    assert_eq!(
        states[8],
        (S::Rcpt, S::Rcpt),
        "550 to Green keeps the accepted Jones"
    );
    assert_eq!(states[12], (S::Rcpt, S::Data), "354");
    assert_eq!(states[13], (S::Data, S::Ready), "message");
    assert_eq!(states[16].1, S::Closed);
    let Parsed::Reply {
        capabilities: Some(caps),
        ..
    } = &a.entries[2].parsed
    else {
        panic!("EHLO reply lacks capabilities: {:?}", a.entries[2].parsed)
    };
    assert!(caps.has(Extension::Dsn) && caps.has(Extension::Help));
    assert_eq!(caps.domain, "foo.com");
    let Parsed::Message {
        lines, terminated, ..
    } = a.entries[13].parsed
    else {
        panic!("expected the message")
    };
    assert_eq!((lines, terminated), (3, true));
    // The same file with Windows line endings reads the same.
    let crlf = RFC_EXAMPLE.replace('\n', "\r\n");
    let b = annotate(crlf.as_bytes());
    assert_eq!(codes(&b), Vec::<String>::new(), "{:#?}", b.all_lints());
    assert_eq!(kinds(&b), kinds(&a));
    // Spans point at the original lines.
    let e = &a.entries[1];
    assert_eq!(
        e.span.slice(RFC_EXAMPLE.as_bytes()),
        b"   C: EHLO bar.com\n"
    );
    assert!(
        e.explanation.contains("RFC 5321 §4.1.1.1"),
        "{}",
        e.explanation
    );
    assert!(
        a.entries[4].explanation.contains("250"),
        "{}",
        a.entries[4].explanation
    );
}

const SWAKS: &str = "\
=== Trying mx.example.org:587...
=== Connected to mx.example.org.
<-  220 mx.example.org ESMTP
 -> EHLO client.example
<-  250-mx.example.org
<-  250-PIPELINING
<-  250-STARTTLS
<-  250 8BITMIME
 -> STARTTLS
<-  220 2.0.0 Ready to start TLS
=== TLS started with cipher TLSv1.3:TLS_AES_256_GCM_SHA384:256
 ~> EHLO client.example
<~  250-mx.example.org
<~  250-PIPELINING
<~  250-ENHANCEDSTATUSCODES
<~  250-AUTH PLAIN LOGIN
<~  250 8BITMIME
 ~> AUTH LOGIN
<~  334 VXNlcm5hbWU6
 ~> dXNlcg==
<~  334 UGFzc3dvcmQ6
 ~> cGFzcw==
<~  235 2.7.0 Authentication successful
 ~> MAIL FROM:<user@example.org>
<~  250 2.1.0 Ok
 ~> RCPT TO:<rcpt@example.net>
<~* 550 5.1.1 <rcpt@example.net>: Recipient address rejected
 ~> QUIT
<~  221 2.0.0 Bye
=== Connection closed with remote host.
";

#[test]
fn reads_swaks_output() {
    let t = Transcript::parse(SWAKS.as_bytes());
    assert_eq!(t.format, Format::Swaks);
    assert_eq!(t.skipped, 4);
    assert_eq!(
        t.lines[0].text, "220 mx.example.org ESMTP",
        "server padding removed"
    );
    let a = t.annotate();
    assert_eq!(codes(&a), Vec::<String>::new(), "{:#?}", a.all_lints());
    assert_eq!(
        kinds(&a),
        [
            "reply", "command", "reply", "command", "reply", "command", "reply", "command",
            "reply", "sasl", "reply", "sasl", "reply", "command", "reply", "command", "reply",
            "command", "reply"
        ]
    );
    let tls: Vec<bool> = a.entries.iter().map(|e| e.tls).collect();
    assert_eq!(
        &tls[..5],
        [false; 5],
        "before and including the 220 to STARTTLS"
    );
    assert!(tls[5..].iter().all(|&t| t), "after STARTTLS: {tls:?}");
    assert_eq!(
        a.entries[4].state_after,
        SessionState::Greeted,
        "STARTTLS resets to greeted"
    );
    assert_eq!(a.entries[8].state_after, SessionState::Authenticating);
    assert_eq!(a.entries[12].state_after, SessionState::Ready);
    let auth = a.entries[7].auth.as_ref().expect("AUTH LOGIN decoded");
    assert_eq!(
        (auth.authcid.as_deref(), auth.password.as_deref()),
        (Some("user"), Some("•••••• (4 characters hidden)")),
        "the password is masked by default, the user name is not"
    );
    assert_eq!(auth.challenges, ["Username:", "Password:"]);
    assert_eq!(a.to_json()["entries"][7]["auth"]["authcid"], "user");
    assert_eq!(
        (a.entries[9].text.as_str(), a.entries[11].text.as_str()),
        ("dXNlcg==", "•••••• (8 characters hidden)"),
        "LOGIN: the user line stays, the password line is masked"
    );
    let shown = t.annotate_with(&AnnotateOptions {
        reveal_secrets: true,
    });
    let auth = shown.entries[7].auth.as_ref().expect("AUTH LOGIN decoded");
    assert_eq!(auth.password.as_deref(), Some("pass"));
    assert_eq!(shown.entries[11].text, "cGFzcw==");
    assert_eq!(shown.to_json()["secrets_revealed"], true);
    assert_eq!(a.to_json()["secrets_revealed"], false);
    let Parsed::Reply { enhanced, .. } = &a.entries[16].parsed else {
        panic!("expected the 550 reply")
    };
    assert_eq!(enhanced.map(|e| e.to_string()).as_deref(), Some("5.1.1"));
    assert!(a.entries[16]
        .explanation
        .contains("Bad destination mailbox address"));
}

#[test]
fn swaks_error_markers() {
    let t = Transcript::parse(
        b"=== Connected\n<-  220 x\n -> HELO c\n<** 554 5.7.1 go away\n **> QUIT\n<-  221 bye\n",
    );
    let got: Vec<(Direction, &str)> = t
        .lines
        .iter()
        .map(|l| (l.direction, l.text.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (Direction::Server, "220 x"),
            (Direction::Client, "HELO c"),
            (Direction::Server, "554 5.7.1 go away"),
            (Direction::Client, "QUIT"),
            (Direction::Server, "221 bye"),
        ]
    );
    assert_eq!(codes(&t.annotate()), Vec::<String>::new());
}

const RAW: &[u8] = b"220 mx ESMTP\r\nHELO c.example\r\n250 mx\r\nMAIL FROM:<a@b.example>\r\n\
250 ok\r\nRCPT TO:<c@d.example>\r\n250 ok\r\nDATA\r\n354 go\r\nSubject: hi\r\n\r\n\
250 is body text here\r\n..leading dot\r\n.\r\n250 queued\r\nQUIT\r\n221 bye\r\n";

#[test]
fn reads_raw_captures() {
    let t = Transcript::parse(RAW);
    assert_eq!(t.format, Format::Raw);
    let dirs: Vec<Direction> = t.lines.iter().map(|l| l.direction).collect();
    assert_eq!(
        dirs[11],
        Direction::Client,
        "body line starting with 250 is content"
    );
    let a = t.annotate();
    assert_eq!(codes(&a), Vec::<String>::new(), "{:#?}", a.all_lints());
    assert_eq!(
        kinds(&a),
        [
            "reply", "command", "reply", "command", "reply", "command", "reply", "command",
            "reply", "message", "reply", "command", "reply"
        ]
    );
    let Parsed::Message { octets, lines, .. } = a.entries[9].parsed else {
        panic!("expected the message")
    };
    assert_eq!((octets, lines), (56, 5));
    assert_eq!(a.entries[9].span.slice(RAW).len(), 56);
}

/// Regression (lesson "by-hand", step 5): in a raw capture only `CRLF . CRLF` ends the data,
/// as the server reads it (RFC 5321 §4.1.1.4). A `.` between bare LFs is message content, so
/// the line after it is not a command and the server's `554` answers the real end of data;
/// the `221` that follows answers QUIT.
#[test]
fn raw_data_ends_only_at_crlf_dot_crlf() {
    for (smuggled, what) in [
        (
            &b"Subject: x\n.\nMAIL FROM:<m@x.example>\r\n"[..],
            "\\n.\\n",
        ),
        (
            &b"Subject: x\r\n.\nMAIL FROM:<m@x.example>\r\n"[..],
            "\\r\\n.\\n",
        ),
        (
            &b"Subject: x\n.\r\nMAIL FROM:<m@x.example>\r\n"[..],
            "\\n.\\r\\n",
        ),
    ] {
        let mut raw = b"220 mx\r\nEHLO c\r\n250 mx\r\nMAIL FROM:<a@b.example>\r\n250 ok\r\n\
RCPT TO:<c@d.example>\r\n250 ok\r\nDATA\r\n354 go\r\n"
            .to_vec();
        raw.extend_from_slice(smuggled);
        raw.extend_from_slice(b".\r\n554 5.6.0 refused\r\nQUIT\r\n221 bye\r\n");
        let t = Transcript::parse_as(&raw, Format::Raw);
        let dirs: Vec<Direction> = t.lines.iter().map(|l| l.direction).collect();
        assert_eq!(
            dirs.get(dirs.len() - 3),
            Some(&Direction::Server),
            "{what}: 554 read as the server's"
        );
        let a = t.annotate();
        assert_eq!(
            kinds(&a),
            [
                "reply", "command", "reply", "command", "reply", "command", "reply", "command",
                "reply", "message", "reply", "command", "reply"
            ],
            "{what}: the smuggled line is content, not a command"
        );
        let codes = codes(&a);
        assert!(
            codes.contains(&"smtp.smuggling-sequence".to_string())
                && !codes
                    .iter()
                    .any(|c| c == "smtp.quit-unanswered" || c == "smtp.unknown-command"),
            "{what}: {codes:?}"
        );
    }
}

#[test]
fn limits_truncate() {
    let many = "C: NOOP\n".repeat(MAX_TRANSCRIPT_LINES + 3);
    let t = Transcript::parse(many.as_bytes());
    assert!(t.truncated);
    assert_eq!(t.lines.len(), MAX_TRANSCRIPT_LINES);
    let mut big = vec![b'a'; MAX_TRANSCRIPT_BYTES + 10];
    big[10] = b'\n';
    let t = Transcript::parse_as(&big, Format::Raw);
    assert!(t.truncated);
    assert_eq!(t.lines.len(), 1, "the line cut by the limit is dropped");
    let a = t.annotate();
    assert!(a.truncated);
    assert!(!Transcript::parse(b"C: QUIT\n").truncated);
}

#[test]
fn huge_replies_and_messages_stay_bounded() {
    let mut input = String::from("S: 220 x\nC: EHLO c\n");
    input.push_str(&"S: 250-X-EXT\n".repeat(3000));
    input.push_str("S: 250 END\nC: QUIT\nS: 221 bye\n");
    let a = annotate(input.as_bytes());
    assert!(
        codes(&a).iter().any(|c| c == "smtp.reply-invalid"),
        "over-long reply is reported: {:?}",
        codes(&a)
    );
    assert!(a.entries.len() < 20, "{} entries", a.entries.len());
    let data = "bare\n".repeat(MAX_MESSAGE_LINTS * 3);
    let n = lint_message(data.as_bytes()).len();
    assert!(n > 10 && n <= MAX_MESSAGE_LINTS, "{n} lints");
}

#[test]
fn detects_formats() {
    let cases: &[(&[u8], Format)] = &[
        (b"S: 220 x\nC: QUIT\n", Format::Prefixed),
        (b"  s: 220 x\n  c: QUIT\n", Format::Prefixed),
        (b"<-  220 x\n -> QUIT\n", Format::Swaks),
        (b"=== Trying\n", Format::Swaks),
        (b"220 x\r\nQUIT\r\n", Format::Raw),
        (b"", Format::Raw),
    ];
    for &(input, format) in cases {
        assert_eq!(Transcript::detect(input), format, "input {input:?}");
    }
}
